"""Student surveys for tests, written straight to the table (the services' rules are
tested on their own)."""

from datetime import datetime

from django.utils import timezone

from metrics.models import Survey
from metrics.surveys import student_today, survey_round


def current_round(student) -> int:
    """The student's round today, on their calendar."""
    return survey_round(student.pk, student_today(student))


def make_survey(
    student,
    *,
    mentor=None,
    round_number: int | None = None,
    score: int | None = None,
    answered_at: datetime | None = None,
    **fields,
) -> Survey:
    """A survey of ``student`` about ``mentor``, of their current round unless
    ``round_number`` says otherwise; answered (now, unless ``answered_at``) when it has
    a ``score``."""
    if score is not None and answered_at is None:
        answered_at = timezone.now()
    return Survey.objects.create(
        student=student,
        mentor=mentor,
        round=current_round(student) if round_number is None else round_number,
        score=score,
        answered_at=answered_at,
        **fields,
    )
