"""Fault test (issue 16): Redis, the broker, stops while students submit.

Every submission is saved and its mentor's notification kept with its e-mail pending;
when Redis is back, a real worker and the outbox's sweep e-mail every notification
exactly once, even with several sweeps running at the same time.

The test starts its own ``redis-server`` on port 6391 (never the machine's shared one)
and a Celery worker in a thread of this process; it is skipped when ``redis-server`` is
not installed.
"""

import logging
import shutil
import subprocess
import threading
import time
from collections import Counter

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection
from django.db.models import F

from mentorship import notifications as outbox
from mentorship.celery import app
from mentorship.models import EmailState, Notification
from mentorship.tasks import send_due_notification_emails
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from mentorship.tests.fault_services import free_port
from projects import services
from projects.models import Submission
from projects.tests.helpers_curriculum import curriculum_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PORTS = range(6391, 6400)  # the first free one: two test runs on one machine may overlap
STUDENTS = 30  # more than one chunk of the outbox (EMAIL_CHUNK)
SWEEPERS = 3  # sweeps in threads of the test, beside the worker's own
TIMEOUT = 60  # seconds


class RedisServer:
    """A throw-away ``redis-server`` that keeps nothing on disk."""

    def __init__(self, executable: str, folder, port: int):
        self.executable = executable
        self.folder = folder
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        # Our own arguments only: nothing from outside reaches the command line.
        self.process = subprocess.Popen(  # noqa: S603
            [
                self.executable,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    # Killed and started again on the same port: the one it found free.
    server = RedisServer(executable, tmp_path, free_port(PORTS))
    server.start()
    yield server
    server.kill()


@pytest.fixture
def slow_mail(monkeypatch):
    """Each message takes a little while, so that the sweeps really overlap."""
    real_send_mail = outbox.send_mail

    def send_mail(*args, **kwargs):
        time.sleep(0.01)
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_mail", send_mail)


def _sweep_in_threads(count: int) -> list[int]:
    """``count`` sweeps at once, each in its own thread with its own connection."""
    sent = [0] * count
    start = threading.Barrier(count)

    def sweep(index: int) -> None:
        try:
            start.wait()
            sent[index] = outbox.notifications_email_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return sent


def test_every_submission_is_saved_and_every_email_sent_once_after_redis_died(
    redis_server, celery_broker, mentor, slow_mail, caplog
):
    celery_broker(
        broker_url=redis_server.url,
        broker_connection_timeout=1,
        result_backend=None,
        task_ignore_result=True,
    )
    # Names of their own: the e-mails are told apart by their subjects, which name the
    # student (the factory's random names met twice in one run).
    students = [StudentFactory(display_name=f"Student {n:02d}") for n in range(STUDENTS)]
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    curriculum = curriculum_create(projects=1, students=students)

    # The fault: Redis dies while the students submit.
    redis_server.kill()
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="mentorship.notifications"):
        for student in students:
            services.submission_create(
                student=student, project=curriculum.first, link="https://example.test/work"
            )

    print(f"{STUDENTS} submissions with Redis down took {time.monotonic() - began:.1f} s")
    assert Submission.objects.count() == STUDENTS
    assert Notification.objects.filter(email_state=EmailState.PENDING).count() == STUDENTS
    assert caplog.text.count("stay pending") == STUDENTS  # each enqueue failed, logged
    assert mail.outbox == []

    # Redis is back (empty: what was queued before it died is gone too). Five minutes
    # on, the sweeps run: the worker's (twice) and three more at the same time here.
    redis_server.start()
    Notification.objects.update(
        email_next_attempt_at=F("email_next_attempt_at") - outbox.EMAIL_SWEEP_GRACE
    )
    swept_by_worker = []
    finished = threading.Semaphore(0)

    def record(sender=None, retval=None, **kwargs):
        if sender.name == send_due_notification_emails.name:
            swept_by_worker.append(retval)
            finished.release()

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=TIMEOUT):
            send_due_notification_emails.delay()
            send_due_notification_emails.delay()
            swept_here = _sweep_in_threads(SWEEPERS)
            for _sweep in range(2):
                assert finished.acquire(timeout=TIMEOUT), "the worker did not sweep"
    finally:
        task_postrun.disconnect(record)
    print(f"sent by the worker's sweeps {swept_by_worker}, by the threads' {swept_here}")
    assert sum(swept_by_worker) + sum(swept_here) == STUDENTS

    # Sweeping again sends nothing more.
    assert outbox.notifications_email_due() == 0
    assert outbox.notifications_email_due() == 0

    subjects = Counter(message.subject for message in mail.outbox)
    assert len(subjects) == STUDENTS, "every notification e-mailed"
    assert set(subjects.values()) == {1}, "none twice"
    assert [message.to for message in mail.outbox] == [[mentor.email]] * STUDENTS
    assert set(Notification.objects.values_list("email_state", "email_attempts")) == {
        (EmailState.SENT, 1)
    }
