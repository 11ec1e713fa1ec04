"""Fault test: two beat schedulers at once (in metrics, the top layer: it fires every
app's jobs). django-celery-beat's scheduler takes no lock, so two of them (a second
``beat`` started by mistake, a deploy overlapping the old one) each send every entry
of ``CELERY_BEAT_SCHEDULE``; a redelivered task or staff running a job by hand does
the same. Rather than a lock on the scheduler, every scheduled task is idempotent for
its period: this fires each entry twice, one after the other and, on PostgreSQL, at
the same moment in two threads, and finds the second firing changed no row a person
sees and sent no e-mail.

Every table is counted, so a new beat entry whose task is not idempotent fails here
(or must say why its table is a run's own record, below)."""

import threading
from collections import Counter
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from knowledge_base.models import Question, QuestionVisibility
from mentorship.celery import app
from mentorship.models import Notification
from projects.tests.factories import EnrolmentFactory, SubmissionFactory
from students.models import FlagSettings
from students.tests.helpers_flag_runs import idle_students, open_flags_per_student
from students.tests.helpers_sessions import MentoringSessionFactory

# A run's own records, one row per run by design (what staff read to see that a run
# happened), not effects on anyone: a second flagging run keeps its own run, chunks
# and (empty) digest parts; a second scheduler's bookkeeping is its own.
RUN_RECORDS = {
    "students.FlagRun",
    "students.FlagRunChunk",
    "students.FlagRunDigest",
}
SCHEDULER_TABLES = {"django_celery_beat", "sessions", "admin"}


@pytest.fixture
def school(student, mentor, supervisor):
    """Something for every scheduled job to do: idle students to flag, a session
    tomorrow, a submission and a question waiting two days, the nightly recalibration
    switched off (it is minutes of work; its claim is tested in students)."""
    idle_students()
    MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(hours=3)
    )
    enrolment = EnrolmentFactory(student=student)
    mentor.mentor_profile.programmes.add(enrolment.programme)
    SubmissionFactory(
        student=student,
        submitted_at=timezone.now() - timedelta(hours=settings.REVIEW_REMINDER_HOURS + 1),
    )
    question = Question.objects.create(
        author=student,
        programme=enrolment.programme,
        title="Where is the rubric?",
        visibility=QuestionVisibility.PRIVATE,
    )
    Question.objects.filter(pk=question.pk).update(
        waiting_since=timezone.now() - timedelta(hours=settings.QUESTION_REMINDER_HOURS + 1)
    )
    FlagSettings.objects.update_or_create(pk=1, defaults={"recalibrate_nightly": False})


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in SCHEDULER_TABLES and model._meta.managed
    }


def _fire(entry: dict) -> None:
    import_module(entry["task"].rpartition(".")[0])  # as the worker's autodiscovery
    result = app.tasks[entry["task"]].apply(
        args=entry.get("args", ()), kwargs=entry.get("kwargs", {})
    )
    result.get(disable_sync_subtasks=False)  # an eager result: raises the task's error


def _fire_every_entry() -> None:
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        _fire(entry)


def _one_notification_per_person_and_kind() -> None:
    """Every job tells each person once per period: its reminder, digest or survey."""
    pairs = Counter(Notification.objects.values_list("user_id", "kind"))
    assert pairs, "the jobs had nothing to do"
    assert {pair: count for pair, count in pairs.items() if count > 1} == {}


@pytest.mark.django_db
def test_every_scheduled_task_fired_twice_does_everything_once(school):
    _fire_every_entry()
    after_once, mails = _rows(), len(mail.outbox)

    _fire_every_entry()

    changed = {
        label: (after_once[label], count)
        for label, count in _rows().items()
        if count != after_once[label] and label not in RUN_RECORDS
    }
    assert changed == {}
    assert len(mail.outbox) == mails
    _one_notification_per_person_and_kind()


@pytest.mark.django_db(transaction=True)
def test_every_scheduled_task_fired_by_two_schedulers_at_once_does_everything_once(school):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite's test database is one)")
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            _fire_every_entry()
        except BaseException as error:  # the test reports it below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    _one_notification_per_person_and_kind()
    assert open_flags_per_student() == dict.fromkeys(open_flags_per_student(), 1)
