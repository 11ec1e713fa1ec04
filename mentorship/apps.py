from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = _("People and mentoring")

    def ready(self) -> None:
        # The app's part of a student's personal data (export, erasure) registers
        # itself with mentorship.personal_data.
        from . import personal_data  # noqa: F401
        from .third_party_messages import third_party_names_translate

        third_party_names_translate()
