"""Reviews for the second-reading and consistency tests: a review by a given mentor of
a given project at a given moment, approved or not (``ReviewFactory``'s verdicts: all
criteria met when approved, the first one not met otherwise)."""

from datetime import timedelta

from mentorship.tests.factories import StudentFactory
from projects.models import Submission, Verdict
from projects.tests.factories import ReviewFactory, SubmissionFactory


def make_review(*, reviewer, project, at, approved=True, student=None, **fields):
    """A review of the next attempt of ``student`` (a new student if None) at
    ``project``, written by ``reviewer`` at ``at``."""
    student = student or StudentFactory()
    attempt = Submission.objects.filter(student=student, project=project).count() + 1
    submission = SubmissionFactory(
        student=student, project=project, attempt=attempt, submitted_at=at - timedelta(hours=5)
    )
    return ReviewFactory(
        submission=submission,
        reviewer=reviewer,
        verdict=Verdict.APPROVED if approved else Verdict.CHANGES_REQUESTED,
        created_at=at,
        **fields,
    )


def make_reviews(count, *, approved, student, **kwargs):
    """``count`` reviews of ``student``'s successive attempts, the first ``approved``
    of them approved."""
    return [
        make_review(approved=index < approved, student=student, **kwargs) for index in range(count)
    ]
