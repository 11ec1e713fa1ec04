"""Cohorts: runs of a programme with fixed deadlines shared by their students, projects
due in parallel, a skipped project "missed" rather than a permanent "behind", and
retakes (enrolling again once the earlier enrolment is over, once per cohort)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentorship.tests.factories import StudentFactory
from projects.models import (
    Cohort,
    CohortDeadline,
    Enrolment,
    EnrolmentStatus,
    deadline_missed_on,
    deadline_pace,
    plan_due_dates,
)
from projects.selectors import student_progress
from projects.services import enrolment_create, submission_check_allowed

from .factories import SubmissionFactory
from .helpers_curriculum import curriculum_create, project_approved

pytestmark = pytest.mark.django_db

D = date(2026, 3, 1)


def day(offset: int) -> date:
    return D + timedelta(days=offset)


# --- The rule ---------------------------------------------------------------------------


def test_a_project_is_late_until_the_cohorts_next_deadline_then_missed():
    due = [day(10), day(20), day(30)]

    assert deadline_missed_on(day(10), due, day(40)) == day(20)
    assert deadline_missed_on(day(30), due, day(40)) == day(40)  # the last: the cohort's end


@pytest.mark.parametrize(
    ("today", "handed_in", "expected"),
    [
        # Nothing due yet; on the deadline itself a project is not late.
        (day(5), [False, False, False], (0, 0, 0, 0)),
        (day(10), [False, False, False], (0, 0, 0, 0)),
        # Late from the day after its deadline, until the next deadline has passed.
        (day(11), [False, False, False], (-1, 1, 0, 0)),
        (day(20), [False, False, False], (-1, 10, 0, 0)),
        # Then missed: judged by the work in front of the student, not the skipped one.
        (day(21), [False, False, False], (-1, 1, 0, 1)),
        (day(21), [False, True, False], (0, 0, 0, 1)),
        # Handed in before it is due: ahead until that due date.
        (day(12), [True, True, False], (1, 0, 8, 0)),
        # The last project is late until the cohort ends, then missed.
        (day(40), [True, True, False], (-1, 10, 0, 0)),
        (day(41), [True, True, False], (0, 0, 0, 1)),
    ],
)
def test_deadline_pace(today, handed_in, expected):
    pace = deadline_pace(
        due_dates=[day(10), day(20), day(30)], handed_in=handed_in, today=today, ends_on=day(40)
    )

    assert (pace.projects, pace.days_behind, pace.days_ahead, pace.missed) == expected


def test_projects_due_the_same_day_are_late_together():
    pace = deadline_pace(
        due_dates=[day(10), day(10), day(20)],
        handed_in=[True, False, False],
        today=day(14),
        ends_on=day(30),
    )

    assert (pace.projects, pace.days_behind) == (-1, 4)


def test_a_cohorts_deadlines_override_the_spread_and_the_rest_keep_their_share():
    spread = plan_due_dates(day(0), day(30), (10, 10, 10))
    fixed = plan_due_dates(day(0), day(30), (10, 10, 10), (day(25), None, day(25)))

    assert spread == (day(10), day(20), day(30))
    assert fixed == (day(25), day(20), day(25))


# --- Enrolling: cohorts and retakes -------------------------------------------------


@pytest.fixture
def school():
    curriculum = curriculum_create(projects=3)
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        programme=curriculum.programme,
        title="October",
        starts_on=today - timedelta(days=40),
        ends_on=today + timedelta(days=20),
    )
    first, second, third = curriculum.projects
    # An exam-like layout: the first two due together, the third before the end.
    for project, offset in ((first, -25), (second, -25), (third, 10)):
        CohortDeadline.objects.create(
            cohort=cohort, project=project, due_on=today + timedelta(days=offset)
        )
    return curriculum, cohort


def test_a_late_registrant_keeps_the_cohorts_dates(school):
    curriculum, cohort = school
    student = StudentFactory()

    enrolment = enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)

    assert enrolment.started_on == timezone.localdate()  # joined today, not on day one
    assert enrolment.target_end_on == cohort.ends_on
    [progress] = student_progress(student=student)
    assert [item.due_on for item in progress.projects] == list(
        cohort.deadlines.order_by("project__position").values_list("due_on", flat=True)
    )


def test_an_early_registrant_starts_with_the_cohort(school):
    curriculum, cohort = school
    early = cohort.starts_on - timedelta(days=5)

    enrolment = enrolment_create(
        student=StudentFactory(), programme=curriculum.programme, cohort=cohort, started_on=early
    )

    assert enrolment.started_on == cohort.starts_on


def test_a_cohort_of_another_programme_is_refused(school):
    _curriculum, cohort = school
    other = curriculum_create(projects=1)

    with pytest.raises(ValidationError) as error:
        enrolment_create(student=StudentFactory(), programme=other.programme, cohort=cohort)

    assert "cohort" in error.value.message_dict


def test_a_student_enrols_again_once_the_earlier_enrolment_is_over(school):
    curriculum, cohort = school
    student = StudentFactory()
    first = enrolment_create(student=student, programme=curriculum.programme)

    with pytest.raises(ValidationError) as error:
        enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)
    assert "already enrolled in this programme" in str(error.value)

    first.status = EnrolmentStatus.WITHDRAWN
    first.save()
    retake = enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)

    assert Enrolment.objects.filter(student=student, programme=curriculum.programme).count() == 2
    # The page shows the enrolment in force first.
    progress = student_progress(student=student)
    assert [item.enrolment for item in progress] == [retake, first]


def test_a_student_joins_a_cohort_once(school):
    curriculum, cohort = school
    student = StudentFactory()
    enrolment = enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save()

    with pytest.raises(ValidationError) as error:
        enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)

    assert "already in this cohort" in str(error.value)


def test_a_retake_keeps_the_projects_already_approved(school):
    curriculum, cohort = school
    student = StudentFactory()
    first = enrolment_create(student=student, programme=curriculum.programme)
    project_approved(student=student, project=curriculum.projects[0])
    first.status = EnrolmentStatus.WITHDRAWN
    first.save()

    enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)

    [retake, _first] = student_progress(student=student)
    assert [item.status for item in retake.projects][0] == "approved"
    with pytest.raises(ValidationError, match="already approved"):
        submission_check_allowed(student=student, project=curriculum.projects[0])


# --- Where a cohort's student stands ------------------------------------------------


def test_a_cohorts_projects_are_open_at_once_unless_it_sets_an_order(school):
    curriculum, cohort = school
    student = StudentFactory()
    enrolment_create(student=student, programme=curriculum.programme, cohort=cohort)

    [progress] = student_progress(student=student)
    assert [item.status for item in progress.projects] == ["available"] * 3
    assert submission_check_allowed(student=student, project=curriculum.projects[2])

    cohort.in_order = True
    cohort.save()
    [progress] = student_progress(student=student)
    assert [item.status for item in progress.projects] == ["available", "locked", "locked"]
    with pytest.raises(ValidationError, match="first"):
        submission_check_allowed(student=student, project=curriculum.projects[2])


def test_a_skipped_project_is_missed_not_a_permanent_behind(school):
    curriculum, cohort = school
    first, second, third = curriculum.projects
    student = StudentFactory()
    enrolment_create(
        student=student,
        programme=curriculum.programme,
        cohort=cohort,
        started_on=cohort.starts_on,
    )
    # The second was handed in (waiting for review), the first never: 25 days ago
    # both were due, and the cohort's next deadline is still ahead, so it is late.
    SubmissionFactory(student=student, project=second)

    [progress] = student_progress(student=student)
    assert progress.standing == "behind"
    assert progress.days_behind == 25
    assert progress.next_project.project == first
    assert [item.missed for item in progress.projects] == [False, False, False]

    # Once the third's deadline has passed too, the first is missed; the third is late.
    CohortDeadline.objects.filter(cohort=cohort, project=third).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    [progress] = student_progress(student=student)
    assert [item.missed for item in progress.projects] == [True, False, False]
    assert (progress.projects_behind, progress.days_behind, progress.plan.missed) == (1, 3, 1)
    assert progress.next_project.project == third


def test_the_programme_page_shows_the_cohort_and_the_missed_project(client, school):
    curriculum, cohort = school
    student = StudentFactory()
    enrolment_create(
        student=student, programme=curriculum.programme, cohort=cohort, started_on=cohort.starts_on
    )
    CohortDeadline.objects.filter(cohort=cohort, project=curriculum.projects[2]).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    client.force_login(student)

    page = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    body = page.content.decode()
    assert 'data-testid="cohort"' in body
    assert "October" in body
    assert body.count('data-status="missed"') == 2
    assert "2 projects missed their deadlines" in body


# --- The day an enrolment ended -----------------------------------------------------


def test_an_enrolment_that_ends_is_dated_today_unless_told_otherwise(school):
    curriculum, _cohort = school
    enrolment = enrolment_create(student=StudentFactory(), programme=curriculum.programme)
    enrolment.ended_on = timezone.localdate()
    enrolment.full_clean()
    assert enrolment.ended_on is None  # still active: it has not ended

    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.full_clean()
    assert enrolment.ended_on == timezone.localdate()

    # A withdrawal learnt of late keeps its real day.
    enrolment.ended_on = enrolment.started_on
    enrolment.full_clean()
    enrolment.save()
    enrolment.refresh_from_db()
    assert enrolment.ended_on == enrolment.started_on
    enrolment.ended_on = enrolment.started_on - timedelta(days=1)
    with pytest.raises(ValidationError, match="ends on or after its start"):
        enrolment.full_clean()
