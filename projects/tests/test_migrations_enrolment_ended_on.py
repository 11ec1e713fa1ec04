"""``projects 0008``: every enrolment that is over gets the day it ended, a completed
one the day it was completed, a withdrawn one the day its student dropped out (by the
dated status history), none when nobody recorded it."""

from datetime import UTC, date, datetime

import pytest

from mentorship.tests.migrations import migrate_to, migrate_to_latest
from projects.models import Enrolment

BEFORE = [
    ("projects", "0007_cohorts_and_retakes"),
    ("mentorship", "0014_covering_index_with_intensity"),
]
AFTER = [("projects", "0009_enrolment_ended_after_start")]


@pytest.fixture
def at_0007(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_it_dates_the_end_of_every_enrolment_that_is_over(at_0007):
    User = at_0007.get_model("mentorship", "User")
    Profile = at_0007.get_model("mentorship", "StudentProfile")
    Change = at_0007.get_model("mentorship", "StudentStatusChange")
    Programme = at_0007.get_model("projects", "Programme")
    Old = at_0007.get_model("projects", "Enrolment")
    programme = Programme.objects.create(title="P", slug="p")
    students = {}
    for name in ("active", "completed", "withdrawn", "unrecorded", "dropped_before"):
        user = User.objects.create(email=f"{name}@example.test", password="!", role="student")
        Profile.objects.create(user=user)
        students[name] = user.pk
    # Dropped out on 20 March (recorded late); another dropped out of an earlier
    # programme, before this enrolment began, and withdrew from this one unrecorded.
    Change.objects.create(
        student_id=students["withdrawn"], status="dropped", effective_on=date(2026, 3, 20)
    )
    Change.objects.create(
        student_id=students["dropped_before"], status="dropped", effective_on=date(2026, 1, 5)
    )
    rows = {
        "active": ("active", None),
        "completed": ("completed", datetime(2026, 4, 2, 23, 30, tzinfo=UTC)),
        "withdrawn": ("withdrawn", None),
        "unrecorded": ("withdrawn", None),
        "dropped_before": ("withdrawn", None),
    }
    for name, (status, completed_at) in rows.items():
        Old.objects.create(
            student_id=students[name],
            programme=programme,
            started_on=date(2026, 2, 1),
            target_end_on=date(2026, 6, 1),
            status=status,
            completed_at=completed_at,
        )

    migrate_to(AFTER)

    ended = dict(Enrolment.objects.values_list("student_id", "ended_on"))
    assert ended == {
        students["active"]: None,
        students["completed"]: date(2026, 4, 2),
        students["withdrawn"]: date(2026, 3, 20),
        students["unrecorded"]: None,
        students["dropped_before"]: None,
    }
