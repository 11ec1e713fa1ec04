from django.conf import settings


def navigation(request) -> dict:
    """What the layout needs on every page."""
    return {
        "available_languages": settings.LANGUAGES,
        "signup_open": settings.ACCOUNT_OPEN_SIGNUP,
    }
