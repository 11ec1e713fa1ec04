"""Words of the third-party apps the admin shows that have no Russian of their own, or
unnatural Russian, translated through the project's catalogue.

Django reads the catalogues in ``LOCALE_PATHS`` before any app's, so a msgid listed here
(``gettext_noop``: only so ``makemessages`` keeps it in locale/) and translated in
locale/ru replaces the package's translation, or supplies the one it lacks:

- django-simple-history ships Russian as ``ru_RU`` only, which Django never loads for
  ``ru``: its history pages (the articles' history in the admin) were English;
- django-celery-beat's Russian writes "Периодические Задачи" and leaves "crontab" and
  "clocked" as they are.

allauth's MFA ``Authenticator`` has no translatable names at all (a plain class name and
fields without ``verbose_name``): ``third_party_names_translate`` gives it some, run by
``MentorshipConfig.ready``. Tests: mentorship/tests/test_admin_russian.py."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

THIRD_PARTY_MESSAGES = [
    # django-celery-beat
    gettext_noop("Periodic Tasks"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("clocked"),
    gettext_noop("Clocked Schedule"),
    gettext_noop("Crontab Schedule"),
    # django-simple-history (its admin and templates)
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Date/time"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
]


def third_party_names_translate() -> None:
    """Give allauth's MFA authenticator translatable names in the admin: the model
    declares none, so its ``_meta`` (the documented Options) gets lazy ones."""
    from allauth.mfa.models import Authenticator

    meta = Authenticator._meta
    meta.verbose_name = _("authenticator")
    meta.verbose_name_plural = _("authenticators")
    for name, label in (
        ("user", _("user")),
        ("type", _("type")),
        ("data", _("data")),
        ("created_at", _("created")),
        ("last_used_at", _("last used")),
    ):
        meta.get_field(name).verbose_name = label
