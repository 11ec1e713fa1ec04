"""How allauth behaves here: sign-up by invitation unless opened by a setting; a
student's sign-in recorded as activity."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import timezone

from .activity import activity_record
from .models import ActivityKind
from .services import user_ensure_profile


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_OPEN_SIGNUP

    def save_user(self, request, user, form, commit=True):
        # Open sign-up (when enabled) creates students; other roles come by invitation.
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_ensure_profile(user=user)
        return user

    def login(self, request, user):
        super().login(request, user)
        # A student's sign-in is activity, counted once per day of their calendar.
        today = timezone.localdate(timezone=user.zone)
        activity_record(
            student=user, kind=ActivityKind.LOGIN, key=f"login:{user.pk}:{today.isoformat()}"
        )
