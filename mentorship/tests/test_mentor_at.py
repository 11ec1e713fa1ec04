"""``mentor_at``: who a student's mentor was at a moment, following the assignment
history, for records of many students in one query."""

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.models import ActivityEvent, Assignment
from mentorship.selectors import mentor_at
from mentorship.tests.factories import MentorFactory, StudentFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _event(student, when: datetime) -> ActivityEvent:
    return ActivityEvent.objects.create(
        student=student, kind="login", occurred_at=when, day=when.date()
    )


def test_it_follows_a_change_of_mentor_in_the_middle_of_a_period():
    first, second = MentorFactory(), MentorFactory()
    student, other = StudentFactory(), StudentFactory()
    changed = START + timedelta(days=14)
    Assignment.objects.create(student=student, mentor=first, started_at=START, ended_at=changed)
    Assignment.objects.create(student=student, mentor=second, started_at=changed)
    Assignment.objects.create(student=other, mentor=first, started_at=START)
    before = _event(student, START - timedelta(days=1))
    early = _event(student, START + timedelta(days=3))
    on_the_change = _event(student, changed)
    late = _event(student, changed + timedelta(days=5))
    others = _event(other, START + timedelta(days=20))

    mentors = dict(
        ActivityEvent.objects.annotate(mentor_id=mentor_at(at="occurred_at")).values_list(
            "pk", "mentor_id"
        )
    )

    assert mentors == {
        before.pk: None,  # no mentor yet
        early.pk: first.pk,
        on_the_change.pk: second.pk,  # the new assignment starts at that moment
        late.pk: second.pk,
        others.pk: first.pk,
    }


def test_it_answers_in_one_query(django_assert_num_queries):
    mentor = MentorFactory()
    for _ in range(5):
        student = StudentFactory()
        Assignment.objects.create(student=student, mentor=mentor, started_at=START)
        _event(student, START + timedelta(days=1))

    with django_assert_num_queries(1):
        found = list(
            ActivityEvent.objects.annotate(mentor_id=mentor_at(at="occurred_at")).values_list(
                "mentor_id", flat=True
            )
        )

    assert found == [mentor.pk] * 5
