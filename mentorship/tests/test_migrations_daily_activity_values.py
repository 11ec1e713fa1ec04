"""``mentorship 0013``: the rollup keeps the sum of the events' values; the values of
the events recorded before it are added to their days' rows."""

from datetime import UTC, date, datetime

import pytest

from mentorship.models import DailyActivity
from mentorship.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("mentorship", "0012_user_email_lower_index")]
AFTER = [("mentorship", "0013_daily_activity_values")]
DAY = date(2026, 3, 2)


@pytest.fixture
def at_0012(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    # Whatever happened, the next test finds the schema it expects.
    migrate_to_latest()


def test_it_adds_the_recorded_values_to_their_days(at_0012):
    User = at_0012.get_model("mentorship", "User")
    Event = at_0012.get_model("mentorship", "ActivityEvent")
    Rollup = at_0012.get_model("mentorship", "DailyActivity")
    valued, counted = (
        User.objects.create(email=f"{name}@example.test", password="!", role="student").pk
        for name in ("valued", "counted")
    )
    moment = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for student_id, kind, value in [
        (valued, "lesson_viewed", 20.0),
        (valued, "video_watched", 15.5),
        (valued, "quiz_taken", None),
        (valued, "session_missed", 60.0),  # not engagement: not in the rollup
        (counted, "lesson_viewed", None),
    ]:
        Event.objects.create(
            student_id=student_id,
            kind=kind,
            occurred_at=moment,
            day=DAY,
            source="platform",
            recorded_at=moment,
            value=value,
        )
    Rollup.objects.create(student_id=valued, day=DAY, events=3)
    Rollup.objects.create(student_id=counted, day=DAY, events=1)

    migrate_to(AFTER)

    rows = {
        row.student_id: (row.events, row.value_total, row.valued_events)
        for row in DailyActivity.objects.all()
    }
    assert rows == {valued: (3, pytest.approx(35.5), 2), counted: (1, 0, 0)}
