"""The session life cycle: scheduling, logging, cancelling, rating, reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.models import Notification
from students.models import MentoringSession, SessionStatus
from students.sessions import (
    session_cancel,
    session_log,
    session_rate,
    session_schedule,
    sessions_send_reminders,
)
from students.tasks import send_session_reminders
from students.tests.helpers_sessions import MentoringSessionFactory, completed


def test_it_schedules_a_session_and_tells_the_student(mentor, student):
    when = timezone.now() + timedelta(days=3)

    session = session_schedule(
        mentor=mentor, student=student, scheduled_at=when, duration_minutes=60, agenda=" Plan "
    )

    assert session.status == SessionStatus.SCHEDULED
    assert session.agenda == "Plan"
    notification = Notification.objects.get(user=student)
    assert notification.kind == "session_scheduled"
    assert notification.url == f"/sessions/{session.pk}/"


def test_it_refuses_a_time_in_the_past(mentor, student):
    with pytest.raises(ValidationError) as error:
        session_schedule(
            mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(minutes=1)
        )

    assert "scheduled_at" in error.value.error_dict
    assert not MentoringSession.objects.exists()


def test_it_hides_a_student_of_another_mentor(mentor, other_student):
    with pytest.raises(NotAllowed) as refused:
        session_schedule(
            mentor=mentor, student=other_student, scheduled_at=timezone.now() + timedelta(days=1)
        )

    assert refused.value.hidden is True
    assert not MentoringSession.objects.exists()


def test_it_logs_a_completed_session_only_once_it_has_begun(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(ValidationError) as error:
        session_log(session=session, mentor=mentor, status=SessionStatus.COMPLETED)

    assert "status" in error.value.error_dict
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_it_logs_the_outcome_and_tells_the_student_without_the_private_notes(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(hours=1)
    )

    session_log(
        session=session,
        mentor=mentor,
        status=SessionStatus.COMPLETED,
        summary="Good progress",
        next_steps="Deploy",
        private_notes="SECRET-NOTE",
    )

    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert session.logged_at is not None
    notification = Notification.objects.get(user=student, kind="session_logged")
    assert "SECRET-NOTE" not in notification.title + notification.body


def test_it_refuses_to_log_a_session_twice(mentor, student):
    session = completed(mentor, student)

    with pytest.raises(ValidationError):
        session_log(session=session, mentor=mentor, status=SessionStatus.STUDENT_NO_SHOW)


def test_it_computes_the_notice_of_a_student_cancellation_the_mentor_logs(mentor, student):
    start = timezone.now() + timedelta(hours=30)
    session = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=start)

    session_log(
        session=session,
        mentor=mentor,
        status=SessionStatus.CANCELLED_BY_STUDENT,
        student_cancelled_at=start - timedelta(hours=50),
    )

    session.refresh_from_db()
    assert session.notice_hours == 50


def test_it_records_the_notice_when_the_student_cancels(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=timezone.now() + timedelta(hours=5, minutes=30),
    )

    session_cancel(session=session, by=student)

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED_BY_STUDENT
    assert session.notice_hours == 5
    assert Notification.objects.filter(user=mentor, kind="session_cancelled").exists()


def test_it_tells_the_student_when_the_mentor_cancels(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    session_cancel(session=session, by=mentor)

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED_BY_MENTOR
    assert session.notice_hours is None
    assert Notification.objects.filter(user=student, kind="session_cancelled").exists()


def test_it_refuses_a_cancellation_by_someone_else(mentor, student, other_mentor):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(NotAllowed) as refused:
        session_cancel(session=session, by=other_mentor)

    assert refused.value.hidden is True
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_it_takes_one_rating_per_completed_session(mentor, student):
    session = completed(mentor, student)

    session_rate(session=session, student=student, rating=4, comment="Helpful")
    with pytest.raises(ValidationError):
        session_rate(session=session, student=student, rating=1)

    session.refresh_from_db()
    assert (session.rating, session.rating_comment) == (4, "Helpful")
    assert session.rated_at is not None


def test_it_refuses_to_rate_a_session_that_did_not_take_place(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(ValidationError):
        session_rate(session=session, student=student, rating=5)


def test_it_keeps_ratings_of_uncompleted_sessions_out_of_the_database(mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    with pytest.raises(IntegrityError):
        MentoringSession.objects.filter(pk=session.pk).update(rating=3)


def test_it_keeps_ratings_between_1_and_5(mentor, student):
    session = completed(mentor, student)

    with pytest.raises(IntegrityError):
        MentoringSession.objects.filter(pk=session.pk).update(rating=6)


def test_it_reminds_both_people_once_however_often_the_task_runs(mentor, student):
    soon = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(hours=20)
    )
    MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(hours=30)
    )

    first = send_session_reminders()
    second = send_session_reminders()

    assert (first, second) == (1, 0)
    reminders = Notification.objects.filter(kind="session_reminder")
    assert sorted(reminders.values_list("user_id", flat=True)) == sorted([mentor.pk, student.pk])
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_it_sends_nothing_when_another_run_claimed_the_session_first(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(hours=2)
    )
    due = list(MentoringSession.objects.due_for_reminder(now=timezone.now(), ahead=timedelta(1)))
    # An overlapping run marks it between this run's read and its update.
    MentoringSession.objects.filter(pk=session.pk).update(reminder_sent_at=timezone.now())

    assert due == [session]
    assert sessions_send_reminders() == 0
    assert not Notification.objects.filter(kind="session_reminder").exists()


def test_it_does_not_remind_of_cancelled_sessions(mentor, student):
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=timezone.now() + timedelta(hours=3),
        status=SessionStatus.CANCELLED_BY_MENTOR,
    )

    assert send_session_reminders() == 0


def test_it_writes_each_reminder_in_the_recipients_time_zone(mentor, student):
    student.time_zone = "Europe/Moscow"
    student.save()
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=start)

    send_session_reminders()

    to_student = Notification.objects.get(user=student, kind="session_reminder")
    to_mentor = Notification.objects.get(user=mentor, kind="session_reminder")
    assert "(Europe/Moscow)" in to_student.title
    assert "(Europe/Paris)" in to_mentor.title


def test_it_schedules_the_reminders_every_15_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-session-reminders"]

    assert entry["task"] == "students.tasks.send_session_reminders"
    assert entry["schedule"].minute == {0, 15, 30, 45}


def test_it_finds_the_sessions_waiting_to_be_logged(mentor, student):
    now = timezone.now()
    started = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=now)
    MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=now + timedelta(hours=1))
    completed(mentor, student)

    waiting = MentoringSession.objects.awaiting_log(now=now)

    assert list(waiting) == [started]
    assert started.awaits_log
