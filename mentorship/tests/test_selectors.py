"""Who may see whom, and the reads behind the home pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from mentorship import selectors, services
from mentorship.models import StudentProfile, StudentStatus, User
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory

# Which students and mentors each role fixture may see.
VISIBLE_STUDENTS = {
    "student": ["student"],
    "other_student": ["other_student"],
    "mentor": ["student"],
    "other_mentor": ["other_student"],
    "supervisor": ["student"],
    "other_supervisor": ["other_student"],
    "staff": ["student", "other_student"],
}
VISIBLE_MENTORS = {
    "student": ["mentor"],
    "other_student": ["other_mentor"],
    "mentor": ["mentor"],
    "other_mentor": ["other_mentor"],
    "supervisor": ["mentor"],
    "other_supervisor": ["other_mentor"],
    "staff": ["mentor", "other_mentor"],
}


@pytest.fixture
def everyone(request):
    """Every role fixture, so each visibility test runs against the whole cast."""
    return {role: request.getfixturevalue(role) for role in VISIBLE_STUDENTS}


@pytest.mark.parametrize("role", VISIBLE_STUDENTS)
def test_it_shows_each_role_only_the_students_it_may_see(everyone, role):
    visible = selectors.students_visible_to(everyone[role])

    assert sorted(visible, key=lambda u: u.pk) == sorted(
        (everyone[name] for name in VISIBLE_STUDENTS[role]), key=lambda u: u.pk
    )


@pytest.mark.parametrize("role", VISIBLE_MENTORS)
def test_it_shows_each_role_only_the_mentors_it_may_see(everyone, role):
    visible = selectors.mentors_visible_to(everyone[role])

    assert sorted(visible, key=lambda u: u.pk) == sorted(
        (everyone[name] for name in VISIBLE_MENTORS[role]), key=lambda u: u.pk
    )


@pytest.mark.parametrize("role", VISIBLE_STUDENTS)
def test_it_shows_an_inactive_person_nobody(everyone, role):
    person = everyone[role]
    person.is_active = False

    assert not selectors.students_visible_to(person).exists()
    assert not selectors.mentors_visible_to(person).exists()


@pytest.mark.django_db
def test_it_shows_anonymous_people_nobody(student, mentor):
    assert not selectors.students_visible_to(AnonymousUser()).exists()
    assert not selectors.mentors_visible_to(AnonymousUser()).exists()


def test_it_stops_showing_a_student_to_their_former_mentor_and_team(
    student, mentor, supervisor, other_mentor, other_supervisor
):
    services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)

    assert not selectors.students_visible_to(mentor).exists()
    assert not selectors.students_visible_to(supervisor).exists()
    assert student in selectors.students_visible_to(other_mentor)
    assert student in selectors.students_visible_to(other_supervisor)
    assert list(selectors.mentors_visible_to(student)) == [other_mentor]


def test_it_finds_a_students_current_mentor(student, mentor, other_mentor):
    assert selectors.current_mentor(student=student) == mentor

    services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)

    assert selectors.current_mentor(student=student) == other_mentor


@pytest.mark.django_db
def test_it_finds_no_mentor_for_an_unassigned_student():
    assert selectors.current_mentor(student=StudentFactory()) is None


def test_it_lists_a_mentors_current_students_by_name(mentor, student):
    zoe = StudentFactory(display_name="Zoe Zed")
    AssignmentFactory(student=zoe, mentor=mentor)
    anna = StudentFactory(display_name="Anna Able")
    AssignmentFactory(student=anna, mentor=mentor)
    services.assignment_end(student=zoe)

    assert list(selectors.mentor_current_students(mentor=mentor)) == [anna, student]


def test_it_counts_only_current_students_in_a_mentors_load(mentor, student, other_mentor):
    extra = StudentFactory()
    AssignmentFactory(student=extra, mentor=mentor)
    services.assignment_end(student=extra)
    idle = MentorFactory(display_name="Ida Idle")

    loads = {m: m.current_students for m in selectors.mentors_with_load(User.objects.mentors())}

    assert loads == {mentor: 1, other_mentor: 0, idle: 0}


def test_it_finds_active_students_without_a_mentor(student):
    waiting = StudentFactory()
    former = StudentFactory()
    now = timezone.now()
    AssignmentFactory(
        student=former,
        started_at=now - timedelta(days=10),
        ended_at=now - timedelta(days=1),
    )
    paused = StudentFactory()
    StudentProfile.objects.filter(user=paused).update(status=StudentStatus.PAUSED)
    StudentFactory(is_active=False)

    assert set(selectors.unassigned_students()) == {waiting, former}


def test_it_counts_active_people_for_staff(student, other_student, staff):
    StudentFactory(is_active=False)
    MentorFactory(is_active=False)
    StudentFactory()

    assert selectors.staff_overview() == {
        "students": 3,
        "mentors": 2,
        "supervisors": 2,
        "unassigned": 1,
    }


def test_it_keeps_a_students_assignment_history(student, mentor, other_mentor, staff):
    services.assignment_create(student=student, mentor=other_mentor, assigned_by=staff)

    history = list(selectors.assignment_history(student=student))

    assert [(a.mentor, a.ended_at is None) for a in history] == [
        (other_mentor, True),
        (mentor, False),
    ]
