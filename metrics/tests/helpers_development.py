"""Self-development records for tests, written straight to the table (the services'
rules are tested on their own)."""

from datetime import date

from django.utils import timezone

from metrics.models import DevelopmentKind, DevelopmentRecord
from projects.tests.factories import ProgrammeFactory


def make_record(mentor, *, kind=DevelopmentKind.COURSE, verified_by=None, **fields):
    """A record of ``kind`` for ``mentor``; a programme record gets a new programme
    unless one is given. ``verified_by`` marks it verified by that person."""
    if kind == DevelopmentKind.PROGRAMME:
        fields.setdefault("programme", ProgrammeFactory())
    else:
        fields.setdefault("title", f"{kind} of {mentor}")
    if kind != DevelopmentKind.EXPERTISE:
        fields.setdefault("completed_on", date(2024, 6, 1))
    if verified_by is not None:
        fields.update(verified_by=verified_by, verified_at=timezone.now())
    return DevelopmentRecord.objects.create(mentor=mentor, kind=kind, **fields)
