"""Who mentors whom: ``assignment_validate``, ``assignment_create``, ``assignment_end``."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentorship import services
from mentorship.access import NotAllowed
from mentorship.models import Assignment, MentorProfile
from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StudentFactory,
    UserFactory,
)


def _set_capacity(mentor, capacity: int) -> None:
    MentorProfile.objects.filter(user=mentor).update(capacity=capacity)


def _current_mentor(student):
    return Assignment.objects.current().get(student=student).mentor


@pytest.mark.django_db
def test_it_makes_the_mentor_the_students_current_mentor(staff):
    student, mentor = StudentFactory(), MentorFactory()

    assignment = services.assignment_create(
        student=student, mentor=mentor, assigned_by=staff, reason="  Speaks Russian  "
    )

    assert _current_mentor(student) == mentor
    assert (assignment.assigned_by, assignment.reason, assignment.ended_at) == (
        staff,
        "Speaks Russian",
        None,
    )


@pytest.mark.django_db
def test_it_gives_a_student_without_a_profile_one():
    student, mentor = UserFactory(), MentorFactory()

    services.assignment_create(student=student, mentor=mentor, assigned_by=None)

    assert hasattr(student, "student_profile")


def test_it_refuses_a_mentor_at_capacity_naming_the_mentor_field(mentor, student):
    _set_capacity(mentor, 1)
    newcomer = StudentFactory()

    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=newcomer, mentor=mentor, assigned_by=None)

    assert list(error.value.message_dict) == ["mentor"]
    assert error.value.message_dict["mentor"] == ["Maria Mentor is at capacity (1 of 1 students)."]
    assert not Assignment.objects.filter(student=newcomer).exists()


def test_it_counts_only_current_students_towards_capacity(mentor, student):
    _set_capacity(mentor, 1)
    services.assignment_end(student=student)
    newcomer = StudentFactory()

    services.assignment_create(student=newcomer, mentor=mentor, assigned_by=None)

    assert _current_mentor(newcomer) == mentor


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason_to_exceed_capacity(mentor, student, reason):
    _set_capacity(mentor, 1)
    newcomer = StudentFactory()

    with pytest.raises(ValidationError) as error:
        services.assignment_create(
            student=newcomer,
            mentor=mentor,
            assigned_by=None,
            reason=reason,
            override_capacity=True,
        )

    assert list(error.value.message_dict) == ["reason"]
    assert not Assignment.objects.filter(student=newcomer).exists()


def test_it_exceeds_capacity_with_a_reason(mentor, student, staff):
    _set_capacity(mentor, 1)
    newcomer = StudentFactory()

    assignment = services.assignment_create(
        student=newcomer,
        mentor=mentor,
        assigned_by=staff,
        reason="Only Russian-speaking mentor",
        override_capacity=True,
    )

    assert assignment.reason == "Only Russian-speaking mentor"
    assert Assignment.objects.current().filter(mentor=mentor).count() == 2


def test_it_ends_the_previous_assignment_and_keeps_history(student, mentor, other_mentor):
    first = Assignment.objects.get(student=student)

    second = services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)

    first.refresh_from_db()
    assert first.ended_at == second.started_at
    assert list(Assignment.objects.filter(student=student).order_by("pk")) == [first, second]
    assert _current_mentor(student) == other_mentor


def test_it_keeps_the_current_mentor_when_the_new_one_is_full(student, mentor, other_mentor):
    _set_capacity(other_mentor, 0)

    with pytest.raises(ValidationError):
        services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)

    assert _current_mentor(student) == mentor
    assert Assignment.objects.filter(student=student).count() == 1


def test_it_refuses_the_same_mentor_twice(student, mentor):
    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=student, mentor=mentor, assigned_by=None)

    assert error.value.message_dict == {
        "mentor": ["Maria Mentor is already this student's mentor."]
    }
    assert Assignment.objects.filter(student=student).count() == 1


@pytest.mark.parametrize("not_a_student", ["mentor", "supervisor", "staff"])
def test_it_refuses_to_assign_a_mentor_to_someone_not_a_student(
    request, other_mentor, not_a_student
):
    person = request.getfixturevalue(not_a_student)

    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=person, mentor=other_mentor, assigned_by=None)

    assert list(error.value.message_dict) == ["student"]
    assert not Assignment.objects.filter(student=person).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("not_a_mentor", ["supervisor", "staff", "other_student"])
def test_it_refuses_someone_not_a_mentor_as_mentor(request, not_a_mentor):
    student = StudentFactory()
    person = request.getfixturevalue(not_a_mentor)

    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=student, mentor=person, assigned_by=None)

    assert list(error.value.message_dict) == ["mentor"]
    assert not Assignment.objects.filter(student=student).exists()
    assert not MentorProfile.objects.filter(user=person).exists()


def test_it_refuses_an_inactive_mentor(other_mentor):
    other_mentor.is_active = False
    other_mentor.save()
    student = StudentFactory()

    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)

    assert list(error.value.message_dict) == ["mentor"]


def test_it_allows_only_one_current_assignment_per_student(student, other_mentor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(student=student, mentor=other_mentor)

    assert Assignment.objects.filter(student=student).count() == 1


def test_it_allows_many_ended_assignments_per_student(student, other_mentor):
    now = timezone.now()
    for days in (30, 20):
        Assignment.objects.create(
            student=student,
            mentor=other_mentor,
            started_at=now - timedelta(days=days),
            ended_at=now - timedelta(days=days - 5),
        )

    assert Assignment.objects.filter(student=student).count() == 3


def test_it_refuses_an_assignment_that_ends_before_it_starts(student, other_mentor):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(
            student=student, mentor=other_mentor, started_at=now, ended_at=now - timedelta(days=1)
        )


def test_it_ends_the_current_assignment(student):
    ended = services.assignment_end(student=student)

    assert ended.ended_at is not None
    assert not Assignment.objects.current().filter(student=student).exists()
    assert Assignment.objects.filter(student=student).count() == 1


@pytest.mark.django_db
def test_it_ends_nothing_for_a_student_without_a_mentor():
    assert services.assignment_end(student=StudentFactory()) is None


# --- Who may assign -------------------------------------------------------------------


def _assignments() -> list[tuple]:
    return list(Assignment.objects.order_by("pk").values_list("student", "mentor", "ended_at"))


@pytest.mark.parametrize(("role", "hidden"), [("student", False), ("mentor", False)])
def test_it_refuses_the_student_and_their_mentor(request, student, other_mentor, role, hidden):
    person = request.getfixturevalue(role)
    before = _assignments()

    with pytest.raises(NotAllowed) as refused:
        services.assignment_create(student=student, mentor=other_mentor, assigned_by=person)

    assert refused.value.hidden is hidden
    assert _assignments() == before


@pytest.mark.parametrize("role", ["other_student", "other_mentor", "other_supervisor"])
def test_it_hides_the_student_from_those_who_may_not_see_them(request, student, mentor, role):
    outsider = request.getfixturevalue(role)
    before = _assignments()

    with pytest.raises(NotAllowed) as refused:
        services.assignment_create(student=student, mentor=mentor, assigned_by=outsider)

    assert refused.value.hidden is True
    assert _assignments() == before


def test_it_lets_a_supervisor_give_a_student_without_a_mentor_to_their_team(supervisor, mentor):
    newcomer = StudentFactory()

    services.assignment_create(student=newcomer, mentor=mentor, assigned_by=supervisor)

    assert _current_mentor(newcomer) == mentor


def test_it_keeps_a_supervisor_to_the_mentors_of_their_team(supervisor, student, other_mentor):
    before = _assignments()

    with pytest.raises(ValidationError) as error:
        services.assignment_create(student=student, mentor=other_mentor, assigned_by=supervisor)

    assert list(error.value.message_dict) == ["mentor"]
    assert _assignments() == before


def test_it_lets_staff_give_any_student_to_any_mentor(staff, student, other_mentor):
    services.assignment_create(student=student, mentor=other_mentor, assigned_by=staff)

    assert _current_mentor(student) == other_mentor
