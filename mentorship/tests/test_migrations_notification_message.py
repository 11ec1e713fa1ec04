"""``mentorship 0019``: notifications keep their message and params from now on; the rows
written before keep their text as written, in the language it was written in, and are
shown as they are whatever the reader's language."""

import pytest
from django.utils import translation

from mentorship.models import Notification
from mentorship.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("mentorship", "0018_cache_table")]
AFTER = [("mentorship", "0019_notification_message")]


@pytest.fixture
def at_0018(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_it_keeps_the_text_of_old_notifications_as_written(at_0018):
    User = at_0018.get_model("mentorship", "User")
    Old = at_0018.get_model("mentorship", "Notification")
    user = User.objects.create(email="ru@example.test", password="!", role="mentor")
    old = Old.objects.create(
        user=user,
        kind="risk_flags",
        title="4 ваших студента требуют внимания",
        body="Новые или ухудшившиеся флаги риска: Анна.",
    )

    migrate_to(AFTER)
    migrate_to_latest()

    notification = Notification.objects.get(pk=old.pk)
    assert notification.message is None
    assert notification.params == {}
    for language in ("en", "ru"):
        with translation.override(language):
            assert notification.title == "4 ваших студента требуют внимания"
            assert notification.body == "Новые или ухудшившиеся флаги риска: Анна."
