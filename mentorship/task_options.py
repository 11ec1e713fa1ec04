"""What every app's Celery tasks share: how a task is retried and how long it may run.

Every task is acknowledged late (``CELERY_TASK_ACKS_LATE``), so one lost with its worker
runs again, and each is written to be safe to run twice or at once on two workers
(docs/operations.md lists each and why). Here are only the options a task names.
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError

# A lost or refused database connection, a deadlock, a serialization failure: the
# task's transaction rolled back, and the same call may well succeed a moment later.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# Retried with an exponential backoff (1, 2, 4, ... seconds, at most 10 minutes, with
# jitter) five times, then failed and logged. Only for tasks safe to run again.
RETRYING = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 10 * 60,
    "max_retries": 5,
    "acks_late": True,
}

# The tasks that take minutes at a large school (calibration, backtests, scorecard
# snapshots, Monday's drafts); the others keep the short default of
# ``CELERY_TASK_TIME_LIMIT``. The Redis visibility timeout outlasts this (settings).
LONG_RUNNING = {
    "time_limit": settings.TASK_LONG_TIME_LIMIT,
    "soft_time_limit": settings.TASK_LONG_SOFT_TIME_LIMIT,
}
