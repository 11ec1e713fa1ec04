"""Writes about students. Keyword-only ``<entity>_<verb>`` functions."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from mentorship.models import User

from .models import MentorNote
from .selectors import may_read_mentor_notes


@transaction.atomic
def mentor_note_create(*, author: User, student: User, body: str) -> MentorNote:
    """A private note about a student by someone who looks after them (their mentor,
    the mentor's supervisor, staff). The student never sees it."""
    if not may_read_mentor_notes(author, student=student):
        raise PermissionDenied
    note = MentorNote(student=student, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note
