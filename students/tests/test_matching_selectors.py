"""Ranking mentors for a student (mentor_suggestions) and who may assign whom."""

import pytest

from mentorship.models import Assignment, User
from mentorship.selectors import mentors_assignable_by, students_assignable_by
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.models import EnrolmentStatus
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory
from students.matching import mentor_suggestions

pytestmark = pytest.mark.django_db


def make_mentor(name, *, programmes=(), languages=("en",), time_zone="UTC", capacity=5, load=0):
    mentor = MentorFactory(display_name=name, time_zone=time_zone)
    profile = mentor.mentor_profile
    profile.languages = list(languages)
    profile.capacity = capacity
    profile.save()
    profile.programmes.set(programmes)
    for _ in range(load):
        AssignmentFactory(mentor=mentor)
    return mentor


@pytest.fixture
def web():
    return ProgrammeFactory(title="Web Developer")


@pytest.fixture
def learner(web):
    student = StudentFactory(display_name="Lena Learner", language="ru", time_zone="Europe/Moscow")
    EnrolmentFactory(student=student, programme=web)
    return student


def ranked_names(student):
    candidates = User.objects.mentors()
    return [str(s.mentor) for s in mentor_suggestions(student=student, candidates=candidates)]


def test_it_ranks_expertise_over_language_over_time_zone(learner, web):
    make_mentor("A same zone only", time_zone="Europe/Moscow")
    make_mentor("B speaks only", languages=["ru"], time_zone="America/New_York")
    make_mentor("C teaches only", programmes=[web], time_zone="Pacific/Auckland")
    make_mentor("D nothing", time_zone="America/Los_Angeles")

    assert ranked_names(learner) == [
        "C teaches only",
        "B speaks only",
        "A same zone only",
        "D nothing",
    ]


def test_it_puts_mentors_at_capacity_last_and_marks_them(learner, web):
    make_mentor("Full but perfect", programmes=[web], languages=["ru"], capacity=1, load=1)
    make_mentor("Free but far", time_zone="America/Los_Angeles")

    suggestions = mentor_suggestions(student=learner, candidates=User.objects.mentors())

    assert [str(s.mentor) for s in suggestions] == ["Free but far", "Full but perfect"]
    assert [s.at_capacity for s in suggestions] == [False, True]
    assert suggestions[1].free_places == 0


def test_it_breaks_ties_by_free_places(learner):
    make_mentor("Busy", capacity=5, load=4)
    make_mentor("Idle", capacity=5, load=0)

    assert ranked_names(learner) == ["Idle", "Busy"]


def test_it_explains_each_score(learner, web):
    make_mentor(
        "Mila", programmes=[web], languages=["ru", "en"], time_zone="Europe/Berlin", load=2
    )

    (suggestion,) = mentor_suggestions(student=learner, candidates=User.objects.mentors())

    assert suggestion.programmes == ["Web Developer"]
    assert suggestion.speaks_language is True
    assert suggestion.hours_apart in (1, 2)  # Berlin is 1 h behind Moscow, 2 h in winter
    assert suggestion.free_places == 3


def test_it_ignores_programmes_the_student_no_longer_follows(web):
    student = StudentFactory(language="en")
    EnrolmentFactory(student=student, programme=web, status=EnrolmentStatus.COMPLETED)
    make_mentor("Web mentor", programmes=[web])

    (suggestion,) = mentor_suggestions(student=student, candidates=User.objects.mentors())

    assert suggestion.programmes == []


def test_it_counts_hours_apart_around_the_clock():
    student = StudentFactory(time_zone="Pacific/Kiritimati")  # UTC+14
    make_mentor("Honolulu", time_zone="Pacific/Honolulu")  # UTC−10: same clock, a day apart

    (suggestion,) = mentor_suggestions(student=student, candidates=User.objects.mentors())

    assert suggestion.hours_apart == 0


@pytest.mark.parametrize("count", [10, 100])
def test_it_ranks_in_a_constant_number_of_queries(
    learner, web, count, django_assert_max_num_queries
):
    for number in range(count):
        make_mentor(f"Mentor {number}", programmes=[web] if number % 2 else [], load=number % 3)

    # 1. the student's programmes, 2. mentors with profile and load, 3. their programmes.
    with django_assert_max_num_queries(3):
        suggestions = mentor_suggestions(student=learner, candidates=User.objects.mentors())

    assert len(suggestions) == count


def test_it_lets_a_supervisor_assign_their_team_and_unassigned_students_only(
    supervisor, student, other_student, mentor, other_mentor, staff
):
    waiting = StudentFactory()

    assert set(students_assignable_by(supervisor)) == {student, waiting}
    assert set(mentors_assignable_by(supervisor)) == {mentor}
    assert set(students_assignable_by(staff)) == {student, other_student, waiting}
    assert set(mentors_assignable_by(staff)) == {mentor, other_mentor}
    assert not students_assignable_by(mentor).exists()
    assert not mentors_assignable_by(student).exists()
    assert Assignment.objects.count() == 2
