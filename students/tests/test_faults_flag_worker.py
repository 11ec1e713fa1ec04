"""Fault test: a worker killed in the middle of the nightly flagging run. A real
``celery worker`` process on a Redis of the test's own takes a chunk of the run and is
stuck in it (the test holds the lock its transaction waits for); then it is killed
with ``kill -9``, either whole (its main process and pool together: the task's
message stays unacknowledged on Redis and comes back after the visibility timeout,
to the next worker) or only the pool process running the chunk (the worker puts the
message back at once: ``task_reject_on_worker_lost``). Either way the run finishes on
the retry with every student judged once: one open flag per student, one digest per
mentor, nothing left on the broker.

Runs wherever ``redis-server`` is installed, on SQLite (the database copied to a file
the worker opens) and on PostgreSQL (the test database itself)."""

import sqlite3
import time
import uuid
from contextlib import closing, contextmanager

import pytest
from django.db import connections

from mentorship.models import Assignment, Notification
from mentorship.tests.fault_services import (  # noqa: F401 (fixtures)
    children,
    kill_hard,
    kill_pid,
    redis_server,
    running,
    shared_database,
    start_worker,
    stop,
    wait_for,
    worker_environment,
)
from students.models import FlagRun, FlagRunStatus, RiskFlag
from students.tasks import flag_students

from .helpers_flag_runs import FLAGGED, idle_students, one_open_flag_each, open_flags_per_student
from .helpers_risk import AS_OF

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_flag_budget"),
]

CHUNK_SIZE = 2
TIMEOUT = 45  # seconds for the whole run after the kill; it takes a few


@contextmanager
def _chunks_held(database):
    """Hold what a chunk's transaction waits for, so that the worker is caught inside
    the task: on SQLite the database's write lock (a chunk's transaction starts with
    one), on PostgreSQL the flags' table (a chunk locks its students' flags)."""
    if database.vendor == "sqlite":
        with closing(sqlite3.connect(database.file, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            yield
            db.execute("ROLLBACK")
        return
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RiskFlag._meta.db_table} IN EXCLUSIVE MODE")
        yield
        holder.rollback()
    finally:
        holder.close()


def _queued(redis) -> tuple[int, int]:
    """Messages waiting on the test's queue, and delivered but not acknowledged."""
    client = redis.client()
    return client.llen(redis.queue), client.hlen("unacked")


@pytest.mark.parametrize("killed", ["whole worker", "pool process"])
def test_it_finishes_the_run_once_after_a_worker_is_killed_mid_chunk(
    redis_server,  # noqa: F811 (first: stopped after the broker's queue is deleted)
    celery_broker,
    shared_database,  # noqa: F811
    settings,
    tmp_path,
    killed,
):
    queue = f"faults-{uuid.uuid4().hex}"
    redis_server.queue = queue
    celery_broker(
        broker_url=redis_server.url,
        broker_transport_options={},
        result_backend=None,
        task_ignore_result=True,
        task_default_queue=queue,
    )
    settings.FLAG_CHUNK_SIZE = CHUNK_SIZE
    students = idle_students()
    # The job itself runs here: it opens the run and sends its chunks to the broker.
    run_id = flag_students.apply(kwargs={"as_of": AS_OF.isoformat()}).get()
    chunks = FlagRun.objects.get(pk=run_id).chunks
    assert _queued(redis_server) == (chunks, 0)
    shared_database.export()
    environment = worker_environment(
        redis=redis_server,
        database=shared_database,
        queue=queue,
        FLAG_CHUNK_SIZE=CHUNK_SIZE,
        FLAG_PARTS=2,
    )
    log = tmp_path / "worker.log"
    started = time.monotonic()
    with _chunks_held(shared_database):
        first = start_worker(environment, log)
        try:
            # The worker has taken a chunk (one: prefetch 1, one pool process) and is
            # waiting inside it for the lock.
            wait_for(
                lambda: running(first, log) or _queued(redis_server)[1] == 1,
                timeout=30,
                what="a chunk taken",
            )
            time.sleep(1)
            assert _queued(redis_server) == (chunks - 1, 1)
            if killed == "whole worker":
                kill_hard(first)
            else:
                (pool_process,) = children(first.pid)
                kill_pid(pool_process)
        finally:
            if killed == "whole worker":
                stop(first)
    second = start_worker(environment, log) if killed == "whole worker" else first
    try:
        finished = f"SELECT status FROM {FlagRun._meta.db_table} WHERE id = {run_id:d}"  # noqa: S608
        wait_for(
            lambda: (
                running(second, log) or shared_database.scalar(finished) == FlagRunStatus.FINISHED
            ),
            timeout=TIMEOUT,
            what=f"the run to finish (worker log: {log})",
            step=0.25,
        )
    finally:
        stop(second)
    elapsed = time.monotonic() - started
    shared_database.import_back()

    # Faults injected: one killed worker (or pool process); tasks lost: none.
    run = FlagRun.objects.get(pk=run_id)
    assert (run.status, run.students, run.opened) == (
        FlagRunStatus.FINISHED,
        len(students),
        FLAGGED,
    )
    assert sorted(run.chunk_results.values_list("index", flat=True)) == list(range(chunks))
    assert open_flags_per_student() == one_open_flag_each(students)
    # The one mentor was told once, in one digest.
    mentor_id = Assignment.objects.get(student=students[0]).mentor_id
    assert list(
        Notification.objects.filter(kind="risk_flags").values_list("user_id", flat=True)
    ) == [mentor_id]
    assert run.mentors_notified == 1
    assert _queued(redis_server) == (0, 0), "a message was left on the broker"
    assert elapsed < 60
