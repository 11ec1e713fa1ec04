"""Domain methods and database rules of the projects models."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import (
    Deliverable,
    Enrolment,
    PlanPace,
    Project,
    Submission,
    SubmissionFile,
    plan_pace,
    submission_upload_to,
)
from projects.tests.factories import (
    DifficultyRatingFactory,
    EnrolmentFactory,
    ProjectFactory,
    SubmissionFactory,
)

# --- Enrolment.plan ----------------------------------------------------------------------


def _plan(start: date, end: date, target_days: list[int]) -> list[date]:
    enrolment = Enrolment(started_on=start, target_end_on=end)
    projects = [Project(position=n, target_days=days) for n, days in enumerate(target_days, 1)]
    return [item.due_on for item in enrolment.plan(projects)]


def test_it_shares_the_span_in_proportion_to_the_targets():
    assert _plan(date(2026, 1, 1), date(2026, 1, 31), [10, 20]) == [
        date(2026, 1, 11),
        date(2026, 1, 31),
    ]


def test_it_makes_the_last_project_due_on_the_target_end():
    due = _plan(date(2026, 3, 1), date(2026, 8, 17), [7, 14, 21, 28, 5])

    assert due[-1] == date(2026, 8, 17)
    assert due == sorted(due)


def test_it_plans_one_project_for_the_whole_span():
    assert _plan(date(2026, 1, 1), date(2026, 2, 1), [14]) == [date(2026, 2, 1)]


def test_it_plans_a_zero_length_span_on_the_start_date():
    assert _plan(date(2026, 1, 1), date(2026, 1, 1), [10, 20, 30]) == [date(2026, 1, 1)] * 3


def test_it_never_plans_before_the_start():
    # An impossible end date (the database refuses it) still gives a sane plan.
    assert _plan(date(2026, 1, 10), date(2026, 1, 1), [5, 5]) == [date(2026, 1, 10)] * 2


def test_it_plans_projects_without_targets():
    assert _plan(date(2026, 1, 1), date(2026, 1, 31), [0, 0]) == [date(2026, 1, 1)] * 2


def test_it_plans_nothing_for_a_programme_without_projects():
    assert _plan(date(2026, 1, 1), date(2026, 1, 31), []) == []


def test_it_keeps_the_project_with_its_due_date():
    enrolment = Enrolment(started_on=date(2026, 1, 1), target_end_on=date(2026, 1, 15))
    project = Project(position=1, target_days=14)

    (item,) = enrolment.plan([project])

    assert item.project is project


# --- plan_pace ---------------------------------------------------------------------------------

# Three projects due on the 10th, 20th and 30th of January.
DUE = [date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)]


@pytest.mark.parametrize(
    ("approved", "today", "expected"),
    [
        (0, date(2026, 1, 10), PlanPace(0)),  # due today: not late yet
        (0, date(2026, 1, 11), PlanPace(-1, days_behind=1)),
        (0, date(2026, 2, 9), PlanPace(-3, days_behind=30)),  # from the first due date
        (1, date(2026, 2, 9), PlanPace(-2, days_behind=20)),  # from the second
        (2, date(2026, 1, 5), PlanPace(2, days_ahead=15)),  # until the second
        (1, date(2026, 1, 10), PlanPace(1, days_ahead=0)),
        (3, date(2026, 1, 25), PlanPace(1, days_ahead=5)),
    ],
)
def test_it_judges_the_pace_by_the_number_of_projects_approved(approved, today, expected):
    assert plan_pace(due_dates=DUE, approved=approved, today=today) == expected


def test_it_judges_a_plan_without_projects_on_track():
    assert plan_pace(due_dates=[], approved=0, today=date(2026, 1, 1)) == PlanPace(0)


def test_it_counts_projects_due_on_the_same_day_together():
    due = [date(2026, 1, 1)] * 3

    assert plan_pace(due_dates=due, approved=1, today=date(2026, 1, 4)) == PlanPace(
        -2, days_behind=3
    )


# --- Project ---------------------------------------------------------------------------------


def test_it_reads_allowed_extensions_leniently():
    project = Project(allowed_file_types=" PDF, .zip ,py,, ")

    assert project.allowed_extensions == {"pdf", "zip", "py"}


@pytest.mark.parametrize(
    ("deliverable", "files", "link"),
    [
        (Deliverable.FILES, True, False),
        (Deliverable.LINK, False, True),
        (Deliverable.FILES_AND_LINK, True, True),
        (Deliverable.FILES_OR_LINK, True, True),
    ],
)
def test_it_knows_what_a_project_accepts(deliverable, files, link):
    project = Project(deliverable=deliverable)

    assert (project.accepts_files, project.accepts_link) == (files, link)


def test_it_gives_the_size_limit_in_bytes():
    assert Project(max_file_size_mb=3).max_file_size == 3 * 1024 * 1024


def test_it_keeps_project_positions_unique_in_a_programme(db):
    project = ProjectFactory(criteria=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(programme=project.programme, position=project.position, criteria=0)


# --- Enrolment rules --------------------------------------------------------------------------


def test_it_refuses_an_enrolment_ending_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(started_on=date(2026, 2, 1), target_end_on=date(2026, 1, 1))


def test_it_enrols_a_student_once_per_programme(db):
    enrolment = EnrolmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(student=enrolment.student, programme=enrolment.programme)


# --- Submissions and files ------------------------------------------------------------------


def test_it_names_stored_files_randomly():
    first = submission_upload_to(None, "../../My Secret Report.PDF")
    second = submission_upload_to(None, "../../My Secret Report.PDF")

    assert first != second
    assert first.startswith(f"submissions/{timezone.now():%Y/%m}/")
    assert first.endswith(".pdf")
    assert "Secret" not in first
    assert ".." not in first


def test_it_keeps_no_suffix_for_a_name_without_one():
    assert "." not in submission_upload_to(None, "Makefile").rsplit("/", 1)[-1]


def test_it_gives_a_files_extension_in_lower_case():
    assert SubmissionFile(original_name="Notes.MD").extension == "md"
    assert SubmissionFile(original_name="Makefile").extension == ""


def test_it_measures_time_to_review():
    submitted = timezone.now()
    submission = Submission(submitted_at=submitted)

    assert submission.time_to_review is None
    submission.reviewed_at = submitted + timedelta(hours=5)
    assert submission.time_to_review == timedelta(hours=5)


def test_it_knows_whether_a_claim_is_live(db):
    now = timezone.now()
    submission = SubmissionFactory()

    assert not submission.claim_is_active(now)
    submission.claimed_by = submission.student
    submission.claim_expires_at = now + timedelta(minutes=1)
    assert submission.claim_is_active(now)
    assert not submission.claim_is_active(now + timedelta(minutes=2))


def test_it_keeps_attempt_numbers_unique(db):
    submission = SubmissionFactory(status="approved")

    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(
            student=submission.student, project=submission.project, attempt=1, status="approved"
        )


def test_it_finds_waiting_submissions(db):
    waiting = SubmissionFactory()
    SubmissionFactory(status="approved")

    assert list(Submission.objects.waiting()) == [waiting]


def test_it_keeps_difficulty_between_one_and_five(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        DifficultyRatingFactory(rating=6)


def test_it_describes_rows_for_the_admin(db):
    submission = SubmissionFactory(project__title="Page", student__display_name="Ann")

    assert str(submission) == "Page — Ann #1"
    assert str(submission.project).endswith(". Page")
