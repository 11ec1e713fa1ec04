"""``celery_broker``: a real broker for the tests that run a real Celery worker (a
thread in the test process): the Celery wiring tests (``mentorship``) and the flagging
job's worker test (``students``). Registered as a plugin in the root ``conftest``."""

import threading
import uuid

import pytest
from celery.signals import setup_logging
from kombu.exceptions import OperationalError

from mentorship.celery import app


def _forget_connections() -> None:
    """Make the app forget what it built from its previous configuration: the broker
    connection pool, the message sender (which caches queues and routing) and the result
    backend. Celery has no public call for this; its fork handler resets the same
    attributes. The pools are not closed: Kombu shares one pool per broker address
    across the process, and the rest of the suite goes on using it (eager tasks too)."""
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    app._local = threading.local()


def _leave_logging_alone(**kwargs) -> None:
    """With a receiver connected, the embedded worker does not reconfigure the root logger
    (its level would leak into later tests)."""


@pytest.fixture
def celery_broker(monkeypatch):
    """``celery_broker(broker_url=..., ...)`` points the portal's Celery app at a real
    broker with eager mode off, on a queue of the test's own (so no other worker on the
    same Redis takes the task); the previous configuration is restored afterwards."""
    # Celery prefers these environment variables to its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    setup_logging.connect(_leave_logging_alone)
    previous = {}

    def configure(**options) -> None:
        options = {
            "task_always_eager": False,
            "task_default_queue": f"test-worker-{uuid.uuid4().hex}",
            **options,
        }
        previous.update({key: app.conf[key] for key in options if key not in previous})
        app.conf.update(options)
        _forget_connections()

    yield configure
    if previous:
        # Take the test's queue and its routing entries off the broker again (unless the
        # test pointed the app at a broker that is down: then there is nothing to take).
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
                queue = app.amqp.queues[app.conf.task_default_queue](connection.default_channel)
                queue.declare()
                queue.delete()
        except OperationalError:
            pass
    app.conf.update(previous)
    _forget_connections()
    setup_logging.disconnect(_leave_logging_alone)
