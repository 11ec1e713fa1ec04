"""Progress against plan, the one rule every page, the API and the weekly report use
(``projects.selectors.ProgrammeProgress.standing``), on its edge cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import StudentStatus
from mentorship.tests.factories import StudentFactory
from projects.models import EnrolmentStatus, SubmissionStatus
from projects.selectors import Standing, student_progress
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    """Three projects of 10 target days each: in a 30-day enrolment they fall due on
    days 10, 20 and 30."""
    programme = ProgrammeFactory()
    for position in (1, 2, 3):
        ProjectFactory(programme=programme, position=position, target_days=10)
    return programme


def enrol(programme, *, started_days_ago: int, status=EnrolmentStatus.ACTIVE, student=None):
    today = timezone.localdate()
    started_on = today - timedelta(days=started_days_ago)
    return EnrolmentFactory(
        student=student or StudentFactory(),
        programme=programme,
        started_on=started_on,
        target_end_on=started_on + timedelta(days=30),
        status=status,
    )


def approve(enrolment, *positions: int):
    for project in enrolment.programme.projects.filter(position__in=positions):
        SubmissionFactory(
            student=enrolment.student, project=project, status=SubmissionStatus.APPROVED
        )


def progress_of(enrolment):
    (progress,) = student_progress(student=enrolment.student)
    return progress


def set_status(student, status):
    student.student_profile.status = status
    student.student_profile.save()


def test_it_is_on_track_on_the_day_the_enrolment_starts(programme):
    progress = progress_of(enrol(programme, started_days_ago=0))

    assert progress.standing == Standing.ON_TRACK
    assert (progress.projects_behind, progress.days_behind) == (0, 0)


def test_it_is_on_track_on_the_day_a_project_falls_due(programme):
    # The first project is due today: late only from tomorrow.
    progress = progress_of(enrol(programme, started_days_ago=10))

    assert progress.standing == Standing.ON_TRACK


def test_it_is_behind_the_day_after_a_project_falls_due(programme):
    progress = progress_of(enrol(programme, started_days_ago=11))

    assert progress.standing == Standing.BEHIND
    assert progress.is_behind
    assert (progress.projects_behind, progress.days_behind) == (1, 1)


def test_it_counts_everything_late_once_the_target_date_has_passed(programme):
    enrolment = enrol(programme, started_days_ago=40)  # target end 10 days ago
    approve(enrolment, 1)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.BEHIND
    # Projects 2 and 3 are late; the oldest, due on day 20, by 20 days.
    assert (progress.projects_behind, progress.days_behind) == (2, 20)


def test_it_is_ahead_with_more_approved_than_due(programme):
    enrolment = enrol(programme, started_days_ago=5)
    approve(enrolment, 1, 2)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.AHEAD
    # Project 2 is due on day 20, 15 days from today.
    assert (progress.projects_ahead, progress.days_ahead) == (2, 15)
    assert progress.days_behind == 0


def test_it_judges_a_student_who_skipped_ahead_by_the_number_of_projects_approved(programme):
    # Projects 2 and 3 approved, project 1 not: two projects' work done by day 25,
    # when two were due.
    enrolment = enrol(programme, started_days_ago=25)
    enrolment.allow_skipping = True
    enrolment.save()
    approve(enrolment, 2, 3)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.ON_TRACK
    assert (progress.projects_behind, progress.days_behind) == (0, 0)
    # The project left behind is still the current one, and overdue on its own.
    assert progress.next_project.project.position == 1
    assert progress.next_project.overdue


def test_it_counts_days_behind_from_the_plans_date_for_one_more_project(programme):
    # Only project 3 approved on day 35: two were due (days 10 and 20, and the third on
    # day 30); the plan wanted a second one by day 20, 15 days ago.
    enrolment = enrol(programme, started_days_ago=35)
    enrolment.allow_skipping = True
    enrolment.save()
    approve(enrolment, 3)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.BEHIND
    assert (progress.projects_behind, progress.days_behind) == (2, 15)


def test_it_never_judges_a_paused_student_behind(programme):
    enrolment = enrol(programme, started_days_ago=40)
    set_status(enrolment.student, StudentStatus.PAUSED)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.PAUSED
    assert not progress.is_behind
    assert (progress.projects_behind, progress.days_behind) == (0, 0)
    # The raw arithmetic is still there for whoever wants to show it.
    assert progress.pace == -3


def test_it_judges_a_student_again_once_they_come_back_from_a_pause(programme):
    enrolment = enrol(programme, started_days_ago=15)
    set_status(enrolment.student, StudentStatus.PAUSED)
    set_status(enrolment.student, StudentStatus.ACTIVE)

    assert progress_of(enrolment).standing == Standing.BEHIND


def test_it_calls_a_graduated_student_finished_even_with_projects_left(programme):
    enrolment = enrol(programme, started_days_ago=40)
    approve(enrolment, 1)
    set_status(enrolment.student, StudentStatus.GRADUATED)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.FINISHED
    assert progress.projects_behind == 0


def test_it_calls_a_completed_enrolment_finished(programme):
    enrolment = enrol(programme, started_days_ago=40, status=EnrolmentStatus.COMPLETED)

    assert progress_of(enrolment).standing == Standing.FINISHED


def test_it_calls_an_enrolment_with_every_project_approved_finished(programme):
    enrolment = enrol(programme, started_days_ago=5)
    approve(enrolment, 1, 2, 3)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.FINISHED
    assert progress.projects_ahead == 0


@pytest.mark.parametrize(
    ("enrolment_status", "student_status"),
    [
        (EnrolmentStatus.WITHDRAWN, StudentStatus.ACTIVE),
        (EnrolmentStatus.ACTIVE, StudentStatus.DROPPED),
    ],
)
def test_it_calls_a_withdrawn_or_dropped_student_stopped(
    programme, enrolment_status, student_status
):
    enrolment = enrol(programme, started_days_ago=40, status=enrolment_status)
    set_status(enrolment.student, student_status)

    progress = progress_of(enrolment)

    assert progress.standing == Standing.STOPPED
    assert not progress.is_behind


def test_it_is_on_track_in_a_programme_without_projects():
    enrolment = enrol(ProgrammeFactory(), started_days_ago=40)

    assert progress_of(enrolment).standing == Standing.ON_TRACK
