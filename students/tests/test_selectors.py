"""Reads behind the students pages, and the set-based progress they use."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.tests.factories import StudentFactory
from projects.models import EnrolmentStatus, Submission, SubmissionStatus
from projects.selectors import student_progress, students_progress
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory
from students.models import MentorNote
from students.selectors import current_progress, mentor_notes_visible_to


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("student", set()),
        ("other_student", set()),
        ("mentor", {"note"}),
        ("other_mentor", {"other_note"}),
        ("supervisor", {"note"}),
        ("other_supervisor", {"other_note"}),
        ("staff", {"note", "other_note"}),
    ],
)
def test_it_shows_notes_only_to_those_who_look_after_the_student(
    request, student, other_student, mentor, other_mentor, role, sees
):
    notes = {
        "note": MentorNote.objects.create(student=student, author=mentor, body="a"),
        "other_note": MentorNote.objects.create(
            student=other_student, author=other_mentor, body="b"
        ),
    }
    user = request.getfixturevalue(role)

    assert set(mentor_notes_visible_to(user)) == {notes[name] for name in sees}


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory()
    for position in (1, 2, 3):
        ProjectFactory(programme=programme, position=position, criteria=0, target_days=10)
    return programme


def test_it_computes_many_students_progress_like_one_students(programme):
    today = timezone.localdate()
    students = StudentFactory.create_batch(3)
    for index, student in enumerate(students):
        EnrolmentFactory(
            student=student,
            programme=programme,
            started_on=today - timedelta(days=10 * index + 5),
            target_end_on=today + timedelta(days=25 - 10 * index),
        )
    first_project = programme.projects.get(position=1)
    Submission.objects.create(
        student=students[2],
        project=first_project,
        attempt=1,
        status=SubmissionStatus.APPROVED,
    )

    many = students_progress(student_ids=[student.pk for student in students])

    for student in students:
        one = student_progress(student=student)
        assert [(item.enrolment, item.pace) for item in many[student.pk]] == [
            (item.enrolment, item.pace) for item in one
        ]
        assert [
            [(project.project, project.status, project.due_on) for project in item.projects]
            for item in many[student.pk]
        ] == [
            [(project.project, project.status, project.due_on) for project in item.projects]
            for item in one
        ]


def test_it_computes_progress_in_three_queries(programme, django_assert_num_queries):
    students = StudentFactory.create_batch(20)
    for student in students:
        EnrolmentFactory(student=student, programme=programme)

    with django_assert_num_queries(3):
        progress = students_progress(student_ids=[student.pk for student in students])

    assert len(progress) == 20


def test_it_counts_days_behind_from_the_oldest_overdue_project(programme):
    today = timezone.localdate()
    student = StudentFactory()
    # Projects due on days 10, 20, 30 of a 30-day enrolment that started 25 days ago:
    # the first is 15 days late, the second 5.
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=today - timedelta(days=25),
        target_end_on=today + timedelta(days=5),
    )

    (progress,) = student_progress(student=student)

    assert progress.projects_behind == 2
    assert progress.days_behind == 15


def test_it_counts_no_days_behind_on_plan(programme):
    student = StudentFactory()
    EnrolmentFactory(student=student, programme=programme, started_on=timezone.localdate())

    (progress,) = student_progress(student=student)

    assert progress.days_behind == 0
    assert progress.pace == 0


def test_it_speaks_of_the_active_enrolment_in_a_list_row(programme):
    student = StudentFactory()
    EnrolmentFactory(
        student=student, programme=ProgrammeFactory(), status=EnrolmentStatus.COMPLETED
    )
    active = EnrolmentFactory(student=student, programme=programme)

    assert current_progress(student_progress(student=student)).enrolment == active


def test_it_has_no_current_progress_without_an_active_enrolment(programme):
    student = StudentFactory()
    EnrolmentFactory(student=student, programme=programme, status=EnrolmentStatus.WITHDRAWN)

    assert current_progress(student_progress(student=student)) is None
