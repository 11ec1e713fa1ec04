"""The hourly reminder: a mentor is nudged about submissions waiting longer than
REVIEW_REMINDER_HOURS, once per submission and with one notification per run."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from mentorship.models import Assignment, Notification
from mentorship.tests.factories import AssignmentFactory
from projects.models import Submission
from projects.services import reviews_remind_overdue
from projects.tasks import remind_overdue_reviews
from projects.tests.factories import EnrolmentFactory
from projects.tests.helpers_curriculum import attempt_reviewed, attempt_waiting, curriculum_create


@pytest.fixture
def curriculum(student, other_student):
    return curriculum_create(projects=2, students=[student, other_student])


def _waiting_for(hours: float, *, student, project) -> Submission:
    return attempt_waiting(
        student=student, project=project, submitted_at=timezone.now() - timedelta(hours=hours)
    )


def _reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="review_overdue"))


def test_it_is_scheduled_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-overdue-reviews"]

    assert entry["task"] == "projects.tasks.remind_overdue_reviews"
    assert entry["schedule"].minute == {5}


def test_it_reminds_the_mentor_of_an_overdue_submission(
    student, mentor, curriculum, django_capture_on_commit_callbacks
):
    submission = _waiting_for(49, student=student, project=curriculum.first)

    with django_capture_on_commit_callbacks(execute=True):
        reminded = remind_overdue_reviews.delay().get()

    assert reminded == 1
    (notification,) = _reminders(mentor)
    assert notification.title == "1 submission has waited more than 48 hours for your review"
    assert notification.url == "/reviews/"
    assert [message.to for message in mail.outbox] == [[mentor.email]]
    submission.refresh_from_db()
    assert submission.reminder_sent_at is not None


def test_it_leaves_submissions_younger_than_the_threshold(student, mentor, curriculum):
    _waiting_for(47, student=student, project=curriculum.first)

    assert reviews_remind_overdue() == 0
    assert _reminders(mentor) == []


def test_it_reads_the_threshold_from_settings(student, mentor, curriculum, settings):
    settings.REVIEW_REMINDER_HOURS = 2
    _waiting_for(3, student=student, project=curriculum.first)

    assert reviews_remind_overdue() == 1
    assert "more than 2 hours" in _reminders(mentor)[0].title


def test_it_ignores_reviewed_submissions(student, mentor, curriculum):
    old = attempt_reviewed(student=student, project=curriculum.first)
    Submission.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=9))

    assert reviews_remind_overdue() == 0
    assert _reminders(mentor) == []


def test_it_sends_one_notification_per_mentor(
    student, other_student, mentor, other_mentor, curriculum, django_capture_on_commit_callbacks
):
    classmate = AssignmentFactory(mentor=mentor).student
    EnrolmentFactory(student=classmate, programme=curriculum.programme)
    _waiting_for(50, student=student, project=curriculum.first)
    _waiting_for(60, student=classmate, project=curriculum.first)
    _waiting_for(70, student=other_student, project=curriculum.first)

    with django_capture_on_commit_callbacks(execute=True):
        assert reviews_remind_overdue() == 3

    (mine,) = _reminders(mentor)
    assert mine.title == "2 submissions have waited more than 48 hours for your review"
    (theirs,) = _reminders(other_mentor)
    assert theirs.title.startswith("1 submission ")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [mentor.email, other_mentor.email]
    )


def test_it_reminds_once_per_submission(
    student, mentor, curriculum, django_capture_on_commit_callbacks
):
    _waiting_for(50, student=student, project=curriculum.first)
    with django_capture_on_commit_callbacks(execute=True):
        reviews_remind_overdue()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert reviews_remind_overdue() == 0
        assert reviews_remind_overdue(now=timezone.now() + timedelta(days=3)) == 0

    assert len(_reminders(mentor)) == 1
    assert mail.outbox == []


def test_it_reminds_about_a_newly_overdue_submission_only(student, mentor, curriculum):
    first = _waiting_for(50, student=student, project=curriculum.first)
    reviews_remind_overdue()
    Submission.objects.filter(pk=first.pk).update(status="approved")
    second = _waiting_for(1, student=student, project=curriculum.second)

    assert reviews_remind_overdue(now=timezone.now() + timedelta(hours=48)) == 1

    assert [n.title[:2] for n in _reminders(mentor)] == ["1 ", "1 "]
    second.refresh_from_db()
    assert second.reminder_sent_at is not None


def test_it_reminds_the_current_mentor_not_a_former_one(student, mentor, other_mentor, curriculum):
    _waiting_for(50, student=student, project=curriculum.first)
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)

    reviews_remind_overdue()

    assert _reminders(mentor) == []
    assert len(_reminders(other_mentor)) == 1


def test_it_skips_students_without_a_mentor(student, mentor, curriculum):
    submission = _waiting_for(50, student=student, project=curriculum.first)
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())

    assert reviews_remind_overdue() == 0
    assert not Notification.objects.exists()
    submission.refresh_from_db()
    assert submission.reminder_sent_at is None
