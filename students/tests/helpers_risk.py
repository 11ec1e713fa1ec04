"""Building student histories for the at-risk signal and flag tests: a programme, an
enrolment that started a number of days before the as-of day, daily activity, reviews
and sessions placed relative to that day."""

from datetime import UTC, date, datetime, time, timedelta

from mentorship.models import DailyActivity
from mentorship.tests.factories import StudentFactory
from projects.models import SubmissionStatus, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import MentoringSession, SessionStatus

AS_OF = date(2026, 6, 15)


def at(days_before: int, hour: int = 12) -> datetime:
    """A moment ``days_before`` the as-of day, in UTC."""
    return datetime.combine(AS_OF - timedelta(days=days_before), time(hour), tzinfo=UTC)


def programme_of(*target_days: int):
    """A programme whose projects have these target durations, in order."""
    programme = ProgrammeFactory()
    for position, days in enumerate(target_days, start=1):
        ProjectFactory(programme=programme, position=position, target_days=days)
    return programme


def enrolled_student(programme, *, started_days_ago: int, span_days: int | None = None, **fields):
    """A student enrolled ``started_days_ago`` days before the as-of day; the target end
    leaves each project exactly its target duration unless ``span_days`` says otherwise."""
    student = StudentFactory(**fields)
    started_on = AS_OF - timedelta(days=started_days_ago)
    total = sum(programme.projects.values_list("target_days", flat=True)) or 1
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=started_on,
        target_end_on=started_on + timedelta(days=span_days or total),
    )
    return student


def active_on(student, days_before: list[int] | range, events: int = 3) -> None:
    """Rollup rows for the student on these days before the as-of day."""
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(student=student, day=AS_OF - timedelta(days=days), events=events)
            for days in days_before
        ]
    )


def steady(student, *, days: int = 60, events: int = 3) -> None:
    """Active every day for ``days`` days up to the as-of day."""
    active_on(student, range(days), events)


def project(programme, position: int):
    return programme.projects.get(position=position)


def reviewed(student, project, verdict: str, *, days_before: int, attempt: int = 1):
    submission = SubmissionFactory(
        student=student,
        project=project,
        attempt=attempt,
        submitted_at=at(days_before + 1),
        status=SubmissionStatus.SUBMITTED,
    )
    return ReviewFactory(submission=submission, verdict=verdict, created_at=at(days_before))


def approved(student, project, *, days_before: int):
    return reviewed(student, project, Verdict.APPROVED, days_before=days_before)


def session(student, mentor, status: str, *, days_before: int) -> MentoringSession:
    return MentoringSession.objects.create(
        mentor=mentor, student=student, scheduled_at=at(days_before, hour=10), status=status
    )


NO_SHOW = SessionStatus.STUDENT_NO_SHOW
