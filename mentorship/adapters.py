"""How allauth behaves here: sign-up by invitation unless opened by a setting."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

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
