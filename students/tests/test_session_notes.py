"""Who reads a session's private notes: one rule (``may_read_session_notes``), and
the session page, the student's file and the sessions API all follow it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory
from students.models import MentoringSession
from students.sessions import (
    may_read_session_notes,
    session_notes_visible_to,
    sessions_visible_to,
    with_session_notes_readable,
)

from .helpers_sessions import completed

SECRET = "SECRET-NOTE"

# Whose session notes each role reads: "ours" is mentor's session with student,
# "theirs" other_mentor's with other_student.
READS = {
    "student": set(),
    "other_student": set(),
    "mentor": {"ours"},
    "other_mentor": {"theirs"},
    "supervisor": {"ours"},
    "other_supervisor": {"theirs"},
    "staff": {"ours", "theirs"},
}


@pytest.fixture
def sessions(mentor, student, other_mentor, other_student):
    return {"ours": completed(mentor, student), "theirs": completed(other_mentor, other_student)}


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_read_the_notes_of_ones_sessions_and_students_unless_a_student(
    request, sessions, role
):
    user = request.getfixturevalue(role)

    readable = set(session_notes_visible_to(user))

    assert {name for name, session in sessions.items() if session in readable} == READS[role]


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_the_same_with_and_without_the_annotation(request, sessions, role):
    user = request.getfixturevalue(role)
    annotated = with_session_notes_readable(MentoringSession.objects.all(), user=user).in_bulk()

    for name, session in sessions.items():
        expected = name in READS[role]
        assert may_read_session_notes(user, session=session) is expected
        assert may_read_session_notes(user, session=annotated[session.pk]) is expected


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
def test_it_shows_the_notes_on_the_page_the_file_and_the_api_alike(
    as_user, client, sessions, student, role
):
    as_user(role)
    session = sessions["ours"]
    expected = "ours" in READS[role]

    page = client.get(reverse("students:session_detail", args=[session.pk]))
    file = client.get(reverse("students:file", args=[student.pk]), {"kind": "session"})
    api = client.get(reverse("api:session-detail", args=[session.pk]))

    assert (SECRET in page.content.decode()) is expected
    assert (SECRET in file.content.decode()) is expected
    assert ("private_notes" in api.json()) is expected


def test_it_lets_the_students_new_mentor_read_an_earlier_mentors_notes(
    as_user, client, mentor, other_mentor, student
):
    # The notes follow the student, as the mentors' private notes do: the new mentor
    # reads them on the file. The session itself stays the earlier mentor's (its page
    # is a 404 to the new one), and the earlier mentor still reads their own notes.
    earlier = completed(mentor, student, scheduled_at=timezone.now() - timedelta(days=9))
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)
    as_user("other_mentor")

    file = client.get(reverse("students:file", args=[student.pk]), {"kind": "session"})

    assert client.get(reverse("students:session_detail", args=[earlier.pk])).status_code == 404
    assert SECRET in file.content.decode()
    assert may_read_session_notes(other_mentor, session=earlier)
    assert may_read_session_notes(mentor, session=earlier)


def test_it_lists_sessions_with_their_notes_in_one_query(
    sessions, mentor, django_assert_num_queries
):
    with django_assert_num_queries(1):
        readable = [
            may_read_session_notes(mentor, session=session)
            for session in with_session_notes_readable(sessions_visible_to(mentor), user=mentor)
        ]

    assert readable == [True]
