"""mentor_note_create: who may write, what is kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from students.models import MentorNote
from students.services import mentor_note_create


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_creates_a_note(request, student, role):
    author = request.getfixturevalue(role)

    note = mentor_note_create(author=author, student=student, body="  Needs more tests.  ")

    assert MentorNote.objects.get() == note
    assert (note.author, note.student, note.body) == (author, student, "Needs more tests.")


@pytest.mark.parametrize("role", ["student", "other_student", "other_mentor", "other_supervisor"])
def test_it_refuses_authors_who_do_not_look_after_the_student(request, student, role):
    author = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        mentor_note_create(author=author, student=student, body="Sneaky")

    assert not MentorNote.objects.exists()


def test_it_refuses_an_empty_note(mentor, student):
    with pytest.raises(ValidationError):
        mentor_note_create(author=mentor, student=student, body="   ")

    assert not MentorNote.objects.exists()
