from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        # The app's part of a student's personal data (export, erasure) registers
        # itself with mentorship.personal_data.
        from . import personal_data  # noqa: F401
