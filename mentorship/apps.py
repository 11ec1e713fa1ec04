from django.apps import AppConfig
from django.db.backends.signals import connection_created
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

        # SQLite lowers only ASCII letters: the people search (``selectors.people_matching``)
        # asks it for Python's lower case, so "иван" finds "Иван" there as on PostgreSQL.
        connection_created.connect(sqlite_functions_register)


def sqlite_functions_register(sender, connection, **kwargs) -> None:
    """Give each new SQLite connection ``unicode_lower``, Python's ``str.lower`` (the
    ``UnicodeLower`` expression on SQLite); other databases lower Unicode themselves."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "unicode_lower",
            1,
            lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True,
        )
