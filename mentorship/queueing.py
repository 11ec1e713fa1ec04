"""Sending a task to the broker without letting the broker fail the request.

Whatever must happen is saved in the database first (an outbox row, a pending
invitation, a queued report), and a beat sweep finishes what a lost message left
undone. So a broker that cannot be reached is a warning in the log, not an error for
the person who just saved something: ``task_enqueue`` says whether the task went, and
``task_enqueue_on_commit`` sends it once the caller's transaction commits.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What Kombu raises when it cannot reach the broker after its publish retries
# (CELERY_TASK_PUBLISH_RETRY_POLICY), and what a refused socket raises before that.
BROKER_ERRORS = (OperationalError, OSError)


def task_enqueue(task, *args, **kwargs) -> bool:
    """Send ``task`` with these arguments; False, with a warning in the log, when the
    broker cannot be reached."""
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as error:
        logger.warning("Could not queue %s (%s).", task.name, error)
        return False
    return True


def task_enqueue_on_commit(task, *args, **kwargs) -> None:
    """``task_enqueue`` once the current transaction commits (at once outside one), so a
    rolled-back write queues nothing."""
    transaction.on_commit(lambda: task_enqueue(task, *args, **kwargs))
