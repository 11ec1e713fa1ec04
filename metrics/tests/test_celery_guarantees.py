"""What docs/operations.md promises of every Celery task, checked on all of them (in
metrics, the top layer, since it loads every app's tasks): each
is acknowledged late (a task lost with its worker runs again), retries transient
database errors (but the e-mail tasks, which retry the mail server's), and finishes
within the Redis visibility timeout, which also outlasts Celery's longest retry
delay (otherwise a task would be handed to a second worker while it still runs)."""

import json
import subprocess
import sys
from importlib import import_module

import pytest
from django.conf import settings
from django.db import OperationalError

from mentorship.celery import app
from mentorship.tests.test_settings import REPO

APPS = ("mentorship", "projects", "students", "knowledge_base", "metrics")
RETRY_CEILING = 10 * 60  # Celery's retry_backoff_max, the longest wait of a retry


@pytest.fixture(scope="module")
def tasks():
    for name in APPS:
        import_module(f"{name}.tasks")
    found = {name: task for name, task in app.tasks.items() if name.startswith(APPS)}
    assert len(found) >= 19
    return found


@pytest.fixture(scope="module")
def redis_settings():
    """The production settings with Redis, as a worker reads them."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_TASK_TIME_LIMIT, "
        "s.TASK_LONG_TIME_LIMIT]))"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code],
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "mentorship.settings",
            "SECRET_KEY": "a-key-for-reading-the-settings-" + "x" * 40,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "VAR_DIR": str(REPO / "var"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_task_is_acknowledged_late(tasks):
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert [name for name, task in tasks.items() if not task.acks_late] == []


def test_every_task_retries_transient_database_errors_but_the_e_mails(tasks):
    not_retried = sorted(
        name
        for name, task in tasks.items()
        if OperationalError not in (getattr(task, "autoretry_for", ()) or ())
    )
    # The e-mails' tasks retry the mail server's errors (their outbox is another part).
    assert [name for name in not_retried if not name.startswith("mentorship.tasks.send_")] == []


def test_every_task_ends_within_the_visibility_timeout(tasks, redis_settings):
    options, default_limit, long_limit = redis_settings
    visibility_timeout = options["visibility_timeout"]
    limits = {name: task.time_limit or default_limit for name, task in tasks.items()}

    assert max(limits.values()) == settings.TASK_LONG_TIME_LIMIT == long_limit
    assert visibility_timeout > long_limit
    assert visibility_timeout > RETRY_CEILING
    # A worker looks for lost tasks often enough that the wait is the timeout's.
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 60


def test_the_long_tasks_are_the_ones_that_take_minutes(tasks):
    long_running = sorted(
        name for name, task in tasks.items() if task.time_limit == settings.TASK_LONG_TIME_LIMIT
    )
    assert long_running == [
        "metrics.tasks.draft_weekly_reports",
        "metrics.tasks.snapshot_scorecard_period",
        "students.tasks.backtest_flags",
        "students.tasks.calibrate_flags",
        "students.tasks.recalibrate_flags_nightly",
    ]
