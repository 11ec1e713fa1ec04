"""``seed_demo``'s mentoring part (``students.demo.seed_mentoring``): sessions in every
state and private notes for the demo students, once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from mentorship.models import Assignment, User
from students.availability import booking_options
from students.demo import DEMO_STUDENTS, HISTORY_AGENDA
from students.models import MentoringSession, MentorNote, SessionStatus


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def _pair():
    return (
        User.objects.get(email="mentor@demo.test"),
        User.objects.get(email="student@demo.test"),
    )


def test_it_gives_the_first_student_a_session_in_every_state(seeded):
    mentor, student = _pair()
    sessions = MentoringSession.objects.filter(mentor=mentor, student=student)
    now = timezone.now()

    assert {session.status for session in sessions} == set(SessionStatus.values)
    held = sessions.filter(status=SessionStatus.COMPLETED)
    assert all(session.summary and session.private_notes for session in held)
    assert held.filter(rating__isnull=False).exists()
    assert held.filter(rating__isnull=True).exists()  # left for the demo student to rate
    cancelled = sessions.get(status=SessionStatus.CANCELLED_BY_STUDENT)
    assert cancelled.notice_hours > 0
    assert cancelled.cancelled_at == cancelled.scheduled_at - timedelta(
        hours=cancelled.notice_hours
    )
    upcoming = sessions.filter(status=SessionStatus.SCHEDULED, scheduled_at__gt=now)
    assert upcoming.filter(scheduled_at__lte=now + timedelta(hours=24)).count() == 1
    assert upcoming.filter(scheduled_at__gt=now + timedelta(hours=24)).exists()
    assert sessions.filter(status=SessionStatus.SCHEDULED, scheduled_at__lt=now).exists()


def test_it_keeps_every_session_valid(seeded):
    for session in MentoringSession.objects.all():
        session.full_clean()
        assert (
            Assignment.objects.current()
            .filter(student=session.student, mentor=session.mentor)
            .exists()
        )


def test_it_writes_private_notes_by_the_students_mentors(seeded):
    _mentor, student = _pair()

    notes = MentorNote.objects.select_related("author")
    assert notes.filter(student=student).exists()
    for note in notes:
        note.full_clean()
        assert (
            Assignment.objects.current().filter(student=note.student, mentor=note.author).exists()
        )


def test_it_seeds_only_the_first_demo_students(seeded):
    # Besides the fortnightly sessions of the demo mentors' history
    # (``metrics.demo_scorecards``), which every student of theirs has.
    states = MentoringSession.objects.exclude(agenda=HISTORY_AGENDA)
    students = states.values("student").distinct().count()

    assert 1 < students <= DEMO_STUDENTS
    assert "Mentoring: " in seeded


def test_it_gives_the_mentors_students_months_of_fortnightly_sessions(seeded):
    history = MentoringSession.objects.filter(agenda=HISTORY_AGENDA)
    now = timezone.now()

    assert history.values("student").distinct().count() > DEMO_STUDENTS
    assert history.filter(scheduled_at__lt=now - timedelta(days=120)).exists()
    assert not history.filter(scheduled_at__gt=now).exists()
    assert {session.status for session in history} == {
        SessionStatus.COMPLETED,
        SessionStatus.STUDENT_NO_SHOW,
    }
    assert not history.filter(status=SessionStatus.STUDENT_NO_SHOW, rating__isnull=False).exists()
    # The first students' sessions of the last weeks are the states above: the history
    # stops before them.
    first = history.filter(student__email__in=[f"student{n}@demo.test" for n in (2, 3, 4)])
    assert not first.filter(scheduled_at__gt=now - timedelta(days=24)).exists()


def test_it_adds_nothing_the_second_time(seeded):
    before = (MentoringSession.objects.count(), MentorNote.objects.count())

    output = _seed()

    assert "Mentoring: 0 new sessions, 0 private mentor notes." in output
    assert (MentoringSession.objects.count(), MentorNote.objects.count()) == before


def test_it_publishes_availability_the_demo_student_can_book(seeded):
    mentor, student = _pair()

    options = booking_options(student=student)

    assert options.mentor == mentor
    assert options.slots
    scheduled = MentoringSession.objects.filter(status=SessionStatus.SCHEDULED)
    starts = list(scheduled.values_list("mentor_id", "scheduled_at"))
    assert len(starts) == len(set(starts))  # no mentor holds two sessions at once
