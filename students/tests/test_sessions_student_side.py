"""Sessions as the student lives them (``students.sessions``): their status words,
their next session, cancelling with the notice rule, the call link, and a mentor who
cannot hold two sessions at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.models import Notification
from students.models import (
    CANCELLATION_NOTICE_HOURS,
    MentoringSession,
    SessionStatus,
    StudentSessionStatus,
    session_status_for_student,
)
from students.sessions import (
    next_session_for_student,
    session_cancel,
    session_log,
    session_schedule,
    session_set_call_url,
)
from students.tests.helpers_sessions import MentoringSessionFactory, completed

HOUR = timedelta(hours=1)


# --- The student's words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (SessionStatus.SCHEDULED, "Scheduled"),
        (SessionStatus.COMPLETED, "Held"),
        (SessionStatus.STUDENT_NO_SHOW, "Missed"),
        (SessionStatus.CANCELLED_BY_STUDENT, "Cancelled"),
        (SessionStatus.CANCELLED_BY_MENTOR, "Cancelled"),
    ],
)
def test_it_maps_every_status_to_the_students_word(status, label):
    assert session_status_for_student(status).label == label


def test_it_never_shows_the_student_to_log(mentor, student):
    started = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - HOUR
    )

    assert started.awaits_log
    assert started.status_for_student == StudentSessionStatus.SCHEDULED
    assert {status.label for status in StudentSessionStatus} == {
        "Scheduled",
        "Held",
        "Missed",
        "Cancelled",
    }


def test_it_tells_the_student_the_outcome_in_their_words(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - HOUR
    )

    session_log(session=session, mentor=mentor, status=SessionStatus.STUDENT_NO_SHOW)

    notification = Notification.objects.get(user=student, kind="session_logged")
    assert notification.title.endswith(": Missed")


# --- The next session -----------------------------------------------------------------


def test_it_finds_the_students_next_session(mentor, student, other_student, other_mentor):
    now = timezone.now()
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=now + HOUR,
        status=SessionStatus.CANCELLED_BY_MENTOR,
    )
    later = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=now + 5 * HOUR)
    soon = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=now + 2 * HOUR)
    MentoringSessionFactory(mentor=other_mentor, student=other_student, scheduled_at=now + HOUR)

    assert next_session_for_student(student) == soon
    soon.delete()
    assert next_session_for_student(student) == later


def test_it_counts_a_session_under_way_but_not_one_over(mentor, student):
    now = timezone.now()
    MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=now - 2 * HOUR, duration_minutes=60
    )  # over, waiting for the mentor's log
    under_way = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=now - 10 * timedelta(minutes=1)
    )

    assert next_session_for_student(student) == under_way


def test_it_has_no_next_session_for_a_student_with_none_ahead(mentor, student):
    completed(mentor, student)

    assert next_session_for_student(student) is None


def test_it_reads_the_next_session_in_one_query(mentor, student, django_assert_num_queries):
    for hours in range(1, 10):
        MentoringSessionFactory(
            mentor=mentor, student=student, scheduled_at=timezone.now() + hours * HOUR
        )

    with django_assert_num_queries(1):
        session = next_session_for_student(student)
        assert session.mentor.display_name == "Maria Mentor"


# --- Cancelling with the notice rule --------------------------------------------------


def test_it_tells_the_mentor_a_student_cancelled_in_time(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + 30 * HOUR
    )

    session = session_cancel(session=session, by=student)

    assert session.notice_hours == 29
    assert not session.is_late_cancellation
    notification = Notification.objects.get(user=mentor, kind="session_cancelled")
    assert notification.body == "Stas Student cancelled it 29 hours before the start."


def test_it_tells_the_mentor_a_student_cancelled_late(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + 90 * timedelta(minutes=1)
    )
    assert session.cancellation_would_be_late

    session = session_cancel(session=session, by=student)

    assert session.status == SessionStatus.CANCELLED_BY_STUDENT
    assert (session.notice_hours, session.is_late_cancellation) == (1, True)
    notification = Notification.objects.get(user=mentor, kind="session_cancelled")
    assert notification.body == (
        "Stas Student cancelled it 1 hour before the start, with less than the "
        f"{CANCELLATION_NOTICE_HOURS} hours of notice asked."
    )


def test_it_points_the_student_to_other_times_when_the_mentor_cancels(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + 2 * HOUR
    )

    session = session_cancel(session=session, by=mentor)

    assert (session.notice_hours, session.is_late_cancellation) == (None, False)
    notification = Notification.objects.get(user=student, kind="session_cancelled")
    assert "book another time" in notification.body


def test_it_lets_no_one_cancel_a_session_that_has_begun(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - HOUR
    )

    with pytest.raises(ValidationError):
        session_cancel(session=session, by=student)

    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


# --- The call link --------------------------------------------------------------------


def test_it_gives_a_scheduled_session_the_mentors_default_call_link(mentor, student):
    mentor.mentor_profile.call_url = "https://meet.example.test/maria"
    mentor.mentor_profile.save()
    when = timezone.now() + 24 * HOUR

    default = session_schedule(mentor=mentor, student=student, scheduled_at=when)
    own = session_schedule(
        mentor=mentor,
        student=student,
        scheduled_at=when + 2 * HOUR,
        call_url="https://call.example.test/x",
    )

    assert default.call_url == "https://meet.example.test/maria"
    assert own.call_url == "https://call.example.test/x"


def test_it_lets_the_mentor_set_the_call_link_and_tells_the_student(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    session_set_call_url(session=session, by=mentor, call_url=" https://meet.example.test/a ")

    session.refresh_from_db()
    assert session.call_url == "https://meet.example.test/a"
    assert Notification.objects.get(user=student).kind == "session_call_url"
    # The same link again tells no one again; removing it tells no one.
    session_set_call_url(session=session, by=mentor, call_url="https://meet.example.test/a")
    session_set_call_url(session=session, by=mentor, call_url="")
    assert Notification.objects.filter(user=student).count() == 1
    session.refresh_from_db()
    assert session.call_url == ""


@pytest.mark.parametrize(("role", "hidden"), [("student", False), ("other_mentor", True)])
def test_it_lets_only_the_sessions_mentor_set_the_call_link(
    request, mentor, student, role, hidden
):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(NotAllowed) as refused:
        session_set_call_url(
            session=session, by=request.getfixturevalue(role), call_url="https://evil.test/"
        )

    assert refused.value.hidden is hidden
    session.refresh_from_db()
    assert session.call_url == ""


def test_it_refuses_a_call_link_that_is_no_web_address(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(ValidationError) as error:
        session_set_call_url(session=session, by=mentor, call_url="javascript:alert(1)")

    assert "call_url" in error.value.error_dict


def test_it_refuses_a_call_link_on_a_session_no_longer_scheduled(mentor, student):
    session = completed(mentor, student)

    with pytest.raises(ValidationError):
        session_set_call_url(session=session, by=mentor, call_url="https://meet.example.test/")


# --- One session at a time ------------------------------------------------------------


@pytest.mark.parametrize("offset_minutes", [0, 30, -30])
def test_it_refuses_to_schedule_over_another_session_of_the_mentor(
    mentor, student, offset_minutes
):
    when = (timezone.now() + 24 * HOUR).replace(microsecond=0)
    MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=when)

    with pytest.raises(ValidationError) as error:
        session_schedule(
            mentor=mentor,
            student=student,
            scheduled_at=when + timedelta(minutes=offset_minutes),
        )

    assert "scheduled_at" in error.value.error_dict
    assert MentoringSession.objects.count() == 1


def test_it_schedules_right_after_another_session_or_over_a_cancelled_one(mentor, student):
    when = (timezone.now() + 24 * HOUR).replace(microsecond=0)
    MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=when)
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=when + HOUR,
        status=SessionStatus.CANCELLED_BY_MENTOR,
    )

    session_schedule(mentor=mentor, student=student, scheduled_at=when + timedelta(minutes=45))
    session_schedule(mentor=mentor, student=student, scheduled_at=when + 2 * HOUR)

    assert MentoringSession.objects.filter(status=SessionStatus.SCHEDULED).count() == 3
