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

import os
import sqlite3
import time
import uuid
from contextlib import closing, contextmanager

import pytest
from celery.result import allow_join_result
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
from students.models import FlagRun, FlagRunChunk, FlagRunStatus, RiskFlag
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


class _Broker:
    """The broker the worker reads, as the test sees it: Redis (of the test's own) or
    Kombu's filesystem transport in the test's folders (what ``make run`` uses)."""

    def __init__(self, kind: str, request, tmp_path):
        self.kind, self.queue = kind, f"faults-{uuid.uuid4().hex}"
        if kind == "redis":
            self.redis = request.getfixturevalue("redis_server")
            self.options = {"broker_url": self.redis.url, "broker_transport_options": {}}
            self.environment = {"REDIS_URL": self.redis.url}
            return
        var = tmp_path / "var"
        self.folder = var / "celery-broker" / "queue"
        self.folder.mkdir(parents=True)
        self.options = {
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": str(self.folder),
                "data_folder_out": str(self.folder),
                "control_folder": str(var / "celery-broker" / "control"),
                "store_processed": False,
            },
        }
        # The settings put the filesystem broker's folders under VAR_DIR.
        self.environment = {"CELERY_BROKER_URL": "filesystem://", "VAR_DIR": str(var)}

    def waiting(self) -> int:
        """Messages on the test's queue that no worker has taken."""
        if self.kind == "redis":
            return self.redis.client().llen(self.queue)
        return sum(1 for name in os.listdir(self.folder) if name.endswith(f".{self.queue}.msg"))

    def unacknowledged(self) -> int | None:
        """Messages taken but not acknowledged, kept on Redis; the filesystem transport
        keeps them only in the worker's memory (None: not known from outside)."""
        return self.redis.client().hlen("unacked") if self.kind == "redis" else None


@pytest.fixture
def broker(request, tmp_path):
    broker = _Broker(request.param, request, tmp_path)
    # Asked for after Redis, so that it is undone (the test's queue deleted) before
    # Redis stops.
    request.getfixturevalue("celery_broker")(
        **broker.options,
        result_backend=None,
        task_ignore_result=True,
        task_default_queue=broker.queue,
    )
    return broker


def _run_killing_a_worker(*, broker, database, settings, tmp_path, killed: str):
    """Open a run here (its chunks go to the broker), start a worker, catch it inside
    the first chunk, kill it, and let a worker (a new one if the whole worker was
    killed) go on. Returns the run's id, the students, and how many chunks it had."""
    settings.FLAG_CHUNK_SIZE = CHUNK_SIZE
    students = idle_students()
    # The job itself runs here: it opens the run and sends its chunks to the broker.
    # allow_join_result: an embedded worker an earlier test started and that failed
    # before it was up leaves Celery believing this thread is a worker's.
    with allow_join_result():
        run_id = flag_students.apply(kwargs={"as_of": AS_OF.isoformat()}).get()
    chunks = FlagRun.objects.get(pk=run_id).chunks
    assert broker.waiting() == chunks
    database.export()
    environment = worker_environment(
        database=database, queue=broker.queue, FLAG_CHUNK_SIZE=CHUNK_SIZE, FLAG_PARTS=2
    )
    environment.update(broker.environment)
    log = tmp_path / "worker.log"
    with _chunks_held(database):
        first = start_worker(environment, log)
        try:
            # The worker has taken one chunk (prefetch 1, one pool process) and waits
            # inside it for the lock.
            wait_for(
                lambda: running(first, log) or broker.waiting() < chunks,
                timeout=30,
                what="a chunk taken",
            )
            time.sleep(1)
            # At least the chunk it is in (on a loaded machine, a worker may have taken
            # the next message too; the outcome below is the same).
            assert broker.waiting() < chunks
            assert broker.unacknowledged() in {1, None}
            if killed == "whole worker":
                kill_hard(first)
            else:
                (pool_process,) = children(first.pid)
                kill_pid(pool_process)
        finally:
            if killed == "whole worker":
                stop(first)
    worker = start_worker(environment, log) if killed == "whole worker" else first
    return worker, log, run_id, students, chunks


def _finished(database, run_id: int) -> bool:
    sql = f"SELECT status FROM {FlagRun._meta.db_table} WHERE id = {run_id:d}"  # noqa: S608
    return database.scalar(sql) == FlagRunStatus.FINISHED


@pytest.mark.parametrize(
    ("broker", "killed"),
    [
        ("redis", "whole worker"),
        ("redis", "pool process"),
        ("filesystem", "pool process"),
    ],
    indirect=["broker"],
)
def test_it_finishes_the_run_once_after_a_worker_is_killed_mid_chunk(
    broker,
    shared_database,  # noqa: F811 (a fixture)
    settings,
    tmp_path,
    killed,  # noqa: F811
):
    started = time.monotonic()
    worker, log, run_id, students, chunks = _run_killing_a_worker(
        broker=broker,
        database=shared_database,
        settings=settings,
        tmp_path=tmp_path,
        killed=killed,
    )
    try:
        wait_for(
            lambda: running(worker, log) or _finished(shared_database, run_id),
            timeout=TIMEOUT,
            what=f"the run to finish (worker log: {log})",
            step=0.25,
        )
        # A message delivered twice (the killed process's, given back) may still be
        # on its way when the run finishes: the worker takes it too, and the checks
        # below show that a second delivery changes nothing.
        wait_for(
            lambda: (
                running(worker, log) or (broker.waiting(), broker.unacknowledged() or 0) == (0, 0)
            ),
            timeout=TIMEOUT,
            what=f"the broker to drain (worker log: {log})",
            step=0.25,
        )
    finally:
        stop(worker)
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
    assert (broker.waiting(), broker.unacknowledged() or 0) == (0, 0), "left on the broker"
    print(f"run finished {elapsed:.1f} s after the job started, one worker killed")


@pytest.mark.parametrize("broker", ["filesystem"], indirect=True)
def test_the_filesystem_broker_loses_the_task_of_a_worker_killed_whole(
    broker,
    shared_database,  # noqa: F811 (a fixture)
    settings,
    tmp_path,
):
    """A known limit, written down (docs/operations.md): Kombu's filesystem transport
    removes a message's file when a worker takes it, and keeps it only in the worker's
    memory until acknowledged. A worker stopped normally (Ctrl+C, SIGTERM) puts it
    back; one killed whole takes it with it. Production runs on Redis."""
    worker, log, run_id, _students, chunks = _run_killing_a_worker(
        broker=broker,
        database=shared_database,
        settings=settings,
        tmp_path=tmp_path,
        killed="whole worker",
    )
    done = f"SELECT COUNT(*) FROM {FlagRunChunk._meta.db_table} WHERE run_id = {run_id:d}"  # noqa: S608
    try:
        # The new worker does every other chunk, then has nothing left to take.
        wait_for(
            lambda: running(worker, log) or shared_database.scalar(done) == chunks - 1,
            timeout=TIMEOUT,
            what="the other chunks",
        )
        time.sleep(3)
        # Lost: what the killed worker held, the chunk it was in at least.
        assert 1 <= chunks - shared_database.scalar(done) <= 2
        assert broker.waiting() == 0
        assert not _finished(shared_database, run_id)
    finally:
        stop(worker)
