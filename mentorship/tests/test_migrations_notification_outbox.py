"""``mentorship 0015``: the notifications written before the outbox get their e-mail's
state. Those e-mailed are sent; those of the last day not e-mailed to someone who wants
e-mail are pending (perhaps still in the queue, perhaps lost with the broker); older ones
are failed rather than sent now, weeks late; the rest were not wanted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import EmailState
from mentorship.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("mentorship", "0014_covering_index_with_intensity")]
AFTER = [("mentorship", "0015_notification_outbox")]


@pytest.fixture
def at_0014(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_it_gives_every_old_notification_its_email_state(at_0014):
    User = at_0014.get_model("mentorship", "User")
    Old = at_0014.get_model("mentorship", "Notification")
    now = timezone.now()
    wants = User.objects.create(email="wants@example.test", password="!", role="student")
    quiet = User.objects.create(
        email="quiet@example.test", password="!", role="student", email_notifications=False
    )
    left = User.objects.create(
        email="left@example.test", password="!", role="student", is_active=False
    )
    rows = {
        "sent": (wants, now - timedelta(days=40), now - timedelta(days=40)),
        "recent": (wants, now - timedelta(hours=2), None),
        "old": (wants, now - timedelta(days=3), None),
        "quiet": (quiet, now - timedelta(hours=2), None),
        "left": (left, now - timedelta(hours=2), None),
    }
    ids = {
        name: Old.objects.create(
            user=user, kind="test", title=name, created_at=created_at, emailed_at=emailed_at
        ).pk
        for name, (user, created_at, emailed_at) in rows.items()
    }

    Notification = migrate_to(AFTER).get_model("mentorship", "Notification")

    states = dict(Notification.objects.values_list("pk", "email_state"))
    assert {name: states[pk] for name, pk in ids.items()} == {
        "sent": EmailState.SENT,
        "recent": EmailState.PENDING,
        "old": EmailState.FAILED,
        "quiet": EmailState.NOT_WANTED,
        "left": EmailState.NOT_WANTED,
    }
    recent = Notification.objects.get(pk=ids["recent"])
    assert recent.email_next_attempt_at is not None
    assert Notification.objects.get(pk=ids["old"]).email_error
