"""``mentorship 0009``: the dated status history is filled from the profiles' one
timestamp (``status_changed_at``), and going back restores it."""

from datetime import UTC, date, datetime

import pytest

from mentorship.models import StudentProfile, StudentStatusChange
from mentorship.selectors import student_statuses_on
from mentorship.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("mentorship", "0008_models_moved_out")]
AFTER = [("mentorship", "0009_student_status_history")]
JOINED = datetime(2026, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def at_0008(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    # Whatever happened, the next test finds the schema it expects.
    migrate_to_latest()


def _student(apps, name: str, status: str, changed_at=None, time_zone: str = "UTC") -> int:
    User = apps.get_model("mentorship", "User")
    Profile = apps.get_model("mentorship", "StudentProfile")
    user = User.objects.create(
        email=f"{name}@example.test",
        password="!",
        role="student",
        time_zone=time_zone,
        date_joined=JOINED,
    )
    Profile.objects.create(user=user, status=status, status_changed_at=changed_at)
    return user.pk


def _history(student_id: int) -> list[tuple]:
    return [
        (change.status, change.effective_on)
        for change in StudentStatusChange.objects.filter(student_id=student_id).order_by(
            "effective_on", "id"
        )
    ]


def test_it_fills_the_history_from_the_profiles(at_0008):
    active = _student(at_0008, "active", "active")
    paused = _student(at_0008, "paused", "paused", datetime(2026, 3, 2, 9, tzinfo=UTC))
    # 20:00 UTC is already the next day in Almaty (UTC+5): the student's day counts.
    dropped = _student(
        at_0008,
        "dropped",
        "dropped",
        datetime(2026, 4, 30, 20, tzinfo=UTC),
        time_zone="Asia/Almaty",
    )
    undated = _student(at_0008, "graduated", "graduated")

    migrate_to(AFTER)

    assert _history(active) == [("active", date(2026, 1, 10))]
    assert _history(paused) == [("active", date(2026, 1, 10)), ("paused", date(2026, 3, 2))]
    assert _history(dropped) == [("active", date(2026, 1, 10)), ("dropped", date(2026, 5, 1))]
    # Its date was never known: dated the day they joined, and said so.
    assert _history(undated) == [("graduated", date(2026, 1, 10))]
    assert "unknown" in StudentStatusChange.objects.get(student_id=undated).reason
    assert not StudentStatusChange.objects.filter(recorded_by__isnull=False).exists()
    # The current statuses are the history's, and the past ones are what was known.
    assert dict(StudentProfile.objects.values_list("user_id", "status")) == student_statuses_on(
        day=date(2026, 6, 1)
    )
    assert student_statuses_on(day=date(2026, 4, 30)) == {
        active: "active",
        paused: "paused",
        dropped: "active",
        undated: "graduated",
    }


def test_it_restores_the_timestamp_going_back(at_0008):
    paused = _student(at_0008, "paused", "paused", datetime(2026, 3, 2, 9, tzinfo=UTC))
    undated = _student(at_0008, "graduated", "graduated")
    active = _student(at_0008, "active", "active")
    migrate_to(AFTER)

    apps = migrate_to(BEFORE)

    Profile = apps.get_model("mentorship", "StudentProfile")
    restored = dict(Profile.objects.values_list("user_id", "status_changed_at"))
    assert restored == {
        paused: datetime(2026, 3, 2, tzinfo=UTC),
        undated: None,
        active: None,
    }
