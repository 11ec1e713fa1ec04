"""The flag digests tell each student's current mentor, as ``current_mentor`` names
them, on PostgreSQL (one raw ``UPDATE ... RETURNING`` built from the same query) and
elsewhere alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import Assignment, Notification
from mentorship.selectors import current_mentor, current_mentor_assignments
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from students.flag_runs import _flags_mark_told, flag_digest_sql, flag_digests_send
from students.models import RiskFlag

from .helpers_flags import make_flag

pytestmark = pytest.mark.django_db


def _ended(student, mentor, *, days_ago: int) -> Assignment:
    start = timezone.now() - timedelta(days=days_ago + 30)
    return AssignmentFactory(
        student=student,
        mentor=mentor,
        started_at=start,
        ended_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def cast():
    """Students whose mentor history the rule must read right: one with a mentor all
    along, one handed to a second mentor, one whose mentor left them, one never
    assigned. Each has an open flag nobody was told of."""
    first, second = MentorFactory(), MentorFactory()
    steady, handed_over, left, never = (StudentFactory() for _ in range(4))
    AssignmentFactory(student=steady, mentor=first)
    _ended(handed_over, first, days_ago=5)
    AssignmentFactory(student=handed_over, mentor=second)
    _ended(left, second, days_ago=2)
    for student in (steady, handed_over, left, never):
        make_flag(student)
    return {"first": first, "second": second, "students": [steady, handed_over, left, never]}


def test_it_names_the_mentor_current_mentor_names(cast):
    told = _flags_mark_told(timezone.now(), part=0, parts=1)

    flags = RiskFlag.objects.in_bulk([flag_id for flag_id, *_rest in told])
    named = {flags[flag_id].student_id: mentor_id for flag_id, mentor_id, *_rest in told}
    expected = {
        student.pk: mentor.pk
        for student in cast["students"]
        if (mentor := current_mentor(student=student)) is not None
    }
    assert named == expected
    assert set(expected) == {cast["students"][0].pk, cast["students"][1].pk}


def test_it_marks_told_only_the_flags_of_students_with_a_mentor(cast):
    _flags_mark_told(timezone.now(), part=0, parts=1)

    untold = RiskFlag.objects.filter(notified_at__isnull=True).values_list("student", flat=True)
    assert sorted(untold) == sorted(student.pk for student in cast["students"][2:])


def test_it_tells_each_part_only_its_mentors(cast):
    parts = 2
    told = {
        part: {
            mentor_id
            for _flag, mentor_id, *_rest in _flags_mark_told(
                timezone.now(), part=part, parts=parts
            )
        }
        for part in range(parts)
    }

    for part, mentor_ids in told.items():
        assert all(mentor_id % parts == part for mentor_id in mentor_ids)
    assert told[0] | told[1] == {cast["first"].pk, cast["second"].pk}


def test_it_sends_the_digest_to_the_current_mentor_only(cast):
    assert flag_digests_send() == 2

    told = Notification.objects.filter(kind="risk_flags").values_list("user", flat=True)
    assert sorted(told) == sorted([cast["first"].pk, cast["second"].pk])
    assert Notification.objects.get(user=cast["second"]).title.startswith("One of your")


def test_it_builds_the_statement_from_the_current_mentors_query():
    current, _params = (
        current_mentor_assignments().values("student_id", "mentor_id").query.sql_with_params()
    )

    sql, _params = flag_digest_sql()

    assert f"FROM ({current}) AS a" in sql
    assert "ended_at" not in sql.replace(current, "")
