from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Notification


def navigation(request) -> dict:
    """What the layout needs on every page."""
    context = {
        "available_languages": settings.LANGUAGES,
        "signup_open": settings.ACCOUNT_OPEN_SIGNUP,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # One indexed COUNT per page (notification_unread_idx), evaluated only if the
        # layout renders the badge.
        context["unread_notifications"] = SimpleLazyObject(
            lambda: Notification.objects.unread().filter(user=user).count()
        )
    return context
