"""Hand-built records for the programme analytics' tests: enrolments, attempts with
their review and criterion verdicts, difficulty ratings, questions and drop-outs, each
at the moment a test names."""

from datetime import UTC, date, datetime

from knowledge_base.models import Question
from mentorship.models import StudentStatus, StudentStatusChange
from mentorship.tests.factories import MentorFactory, StudentFactory
from projects.models import (
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Project,
    Review,
    RubricCriterion,
    Submission,
    SubmissionStatus,
    Verdict,
)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def project(programme: Programme, position: int, *criteria: str, target_days: int = 14):
    """A project of ``programme`` with rubric criteria of these titles, in order."""
    made = Project.objects.create(
        programme=programme,
        position=position,
        title=f"Project {position}",
        target_days=target_days,
    )
    for index, title in enumerate(criteria, start=1):
        RubricCriterion.objects.create(project=made, position=index, title=title)
    return made


def enrol(programme: Programme, started_on: date, *, student=None, **fields) -> Enrolment:
    return Enrolment.objects.create(
        student=student or StudentFactory(),
        programme=programme,
        started_on=started_on,
        target_end_on=date(2027, 12, 31),
        **fields,
    )


def withdraw(enrolment: Enrolment) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)


def attempt(
    student,
    project: Project,
    number: int,
    *,
    reviewed_at: datetime,
    not_met: tuple[str, ...] = (),
    approved: bool | None = None,
    reviewer=None,
) -> Submission:
    """Attempt ``number`` of ``student`` at ``project``, reviewed at ``reviewed_at``:
    the criteria titled in ``not_met`` not met, the others met; approved when every
    criterion is met (unless ``approved`` says otherwise); by ``reviewer``, or by a
    new mentor."""
    approved = not not_met if approved is None else approved
    submission = Submission.objects.create(
        student=student,
        project=project,
        attempt=number,
        submitted_at=reviewed_at,
        status=SubmissionStatus.APPROVED if approved else SubmissionStatus.CHANGES_REQUESTED,
        reviewed_at=reviewed_at,
    )
    review = Review.objects.create(
        submission=submission,
        reviewer=reviewer or MentorFactory(),
        verdict=Verdict.APPROVED if approved else Verdict.CHANGES_REQUESTED,
        feedback="Thank you.",
        created_at=reviewed_at,
    )
    CriterionVerdict.objects.bulk_create(
        CriterionVerdict(review=review, criterion=criterion, met=criterion.title not in not_met)
        for criterion in project.criteria.all()
    )
    return submission


def rate(submission: Submission, rating: int, *, when: datetime) -> DifficultyRating:
    return DifficultyRating.objects.create(submission=submission, rating=rating, created_at=when)


def ask(student, project: Project, *, when: datetime) -> Question:
    return Question.objects.create(
        author=student,
        programme=project.programme,
        project=project,
        title="How do I do this?",
        created_at=when,
        waiting_since=when,
    )


def drop(student, *, on: date, status: str = StudentStatus.DROPPED) -> StudentStatusChange:
    return StudentStatusChange.objects.create(
        student=student.student_profile, status=status, effective_on=on
    )
