"""The Celery wiring end to end: a task sent by the portal's own Celery app goes through a
real broker to a real worker (a thread in this process) and changes the database.

The rest of the suite runs tasks eagerly (``settings_test``); these tests turn that off
for themselves and point the app at a broker: Redis when ``REDIS_URL`` is set, and
Kombu's filesystem transport, which is what ``make run`` uses and needs no server.
"""

import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.utils import timezone

from mentorship.celery import app
from mentorship.models import Invitation, Role
from mentorship.tasks import purge_expired_invitations

# The worker thread has its own database connection: it only sees committed rows.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20  # seconds; the task itself takes milliseconds


@pytest.fixture
def invitations(transactional_db):
    """One invitation long expired (housekeeping deletes it), one still open (kept)."""
    expired = Invitation.objects.create(
        email="never-came@example.test",
        role=Role.STUDENT,
        token_hash=Invitation.hash_token(Invitation.new_token()),
        expires_at=timezone.now() - timedelta(days=60),
    )
    pending = Invitation.objects.create(
        email="still-welcome@example.test",
        role=Role.STUDENT,
        token_hash=Invitation.hash_token(Invitation.new_token()),
    )
    return expired, pending


def test_it_purges_expired_invitations_through_a_worker_on_redis(celery_broker, invitations):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    celery_broker(
        broker_url=settings.REDIS_URL,
        result_backend=settings.REDIS_URL,
        task_ignore_result=False,
    )
    _expired, pending = invitations

    with start_worker(app, perform_ping_check=False, shutdown_timeout=TIMEOUT):
        result = purge_expired_invitations.delay()
        deleted = result.get(timeout=TIMEOUT)
        result.forget()

    assert deleted == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [pending.pk]


def test_it_purges_expired_invitations_through_a_worker_on_the_filesystem_broker(
    celery_broker, invitations, tmp_path
):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    # As make run: no result backend, so the worker's own signal reports the outcome.
    celery_broker(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "polling_interval": 0.1,  # seconds between looks at the folder (default 1)
        },
        result_backend=None,
        task_ignore_result=True,
    )
    _expired, pending = invitations
    outcomes = {}
    finished = threading.Event()

    def record(task_id, state, retval, **kwargs):
        outcomes[task_id] = (state, retval)
        finished.set()

    # Queued before the worker starts: Kombu's filesystem consumer can take a message
    # file before the sender has written it (celery/kombu#1551), and a worker thread
    # polling in this very process meets that window far more often than a real one.
    result = purge_expired_invitations.delay()
    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=TIMEOUT):
            assert finished.wait(TIMEOUT), "the worker did not run the task"
    finally:
        task_postrun.disconnect(record)

    assert outcomes == {result.id: ("SUCCESS", 1)}
    assert list(Invitation.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not list(folders["queue"].iterdir()), "the message stayed in the queue"
