"""The nightly flagging job through a real broker and a real worker (a thread in this
process, as in ``mentorship/tests/test_celery_worker.py``): ``flag_students`` opens a
run and fans out one task per chunk, a chunk that fails on a lost connection is
retried alone, the last chunk sends the second round (the activity drops, judged
against the programmes' activity), and its last task finishes the run. On Redis when
``REDIS_URL`` is set, and always on Kombu's filesystem transport (what ``make run``
uses)."""

import threading
from collections import Counter
from functools import partial

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import OperationalError

from mentorship.celery import app
from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory
from students import flag_runs
from students.flag_runs import flag_run_start
from students.models import FlagRun, FlagRunStatus, RiskFlag
from students.tasks import (
    flag_students,
    flag_students_chunk,
    flag_students_settle,
    flag_students_tell,
)

from .helpers_flag_runs import (
    FLAGGED,
    IDLE_DAYS,
    FailOnce,
    idle_students,
    one_open_flag_each,
    open_flags_per_student,
)
from .helpers_risk import AS_OF, active_on, enrolled_student

# The worker thread has its own database connection: it only sees committed rows.
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_flag_budget"),
]

CHUNK_SIZE = 2
# The idle students and one whose activity dropped, in the last chunk.
CHUNKS = -(-(len(IDLE_DAYS) + 1) // CHUNK_SIZE)
DIGEST_PARTS = 2
TIMEOUT = 60  # seconds; the whole run takes well under one, a retry waits up to one more


def _broker_options(broker: str, tmp_path) -> dict:
    if broker == "redis":
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set")
        return {"broker_url": settings.REDIS_URL}
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "polling_interval": 0.1,
        },
    }


@pytest.mark.parametrize("broker", ["redis", "filesystem"])
def test_it_flags_students_through_a_worker_in_chunks(
    celery_broker,  # noqa: F811
    monkeypatch,
    tmp_path,
    broker,
):
    # Results are not kept anywhere: the database says how the run went, and nothing
    # is left behind on the broker but the test's queue, which the fixture deletes.
    celery_broker(
        **_broker_options(broker, tmp_path), result_backend=None, task_ignore_result=True
    )
    monkeypatch.setattr(settings, "FLAG_PARTS", DIGEST_PARTS)
    students = idle_students()
    # Active yesterday, but at a third of their usual: a drop only, judged in round two.
    slowing = enrolled_student(
        students[0].enrolments.get().programme, started_days_ago=80, span_days=400
    )
    AssignmentFactory(student=slowing, mentor=Assignment.objects.get(student=students[0]).mentor)
    active_on(slowing, range(14, 56), events=3)
    active_on(slowing, range(14), events=1)
    monkeypatch.setattr(
        "students.tasks.flag_run_start", partial(flag_run_start, chunk_size=CHUNK_SIZE)
    )
    failing = FailOnce(flag_runs.risk_judgement, student_id=students[2].pk, error=OperationalError)
    monkeypatch.setattr(flag_runs, "risk_judgement", failing)
    states: list[tuple[str, str]] = []
    done = threading.Event()

    def record(task, state, **kwargs):
        # In the worker's thread. The run is over once the job and every chunk have
        # succeeded; only then does the test read the database, so that it never
        # competes with the worker's writes (SQLite's shared test database would
        # refuse one of them).
        states.append((task.name, state))
        succeeded = [name for name, outcome in states if outcome == "SUCCESS"]
        if (
            succeeded.count(flag_students_chunk.name) == CHUNKS
            and flag_students.name in succeeded
            and flag_students_settle.name in succeeded
            and succeeded.count(flag_students_tell.name) == DIGEST_PARTS
        ):
            done.set()

    # Queued before the worker starts (see test_celery_worker: celery/kombu#1551); the
    # chunks are sent by the worker's own thread, which is not polling meanwhile.
    flag_students.delay(as_of=AS_OF.isoformat())
    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=TIMEOUT):
            assert done.wait(TIMEOUT), f"the run did not finish: {states}"
    finally:
        task_postrun.disconnect(record)

    run = FlagRun.objects.get()
    assert (run.status, run.as_of, run.chunks, run.students) == (
        FlagRunStatus.FINISHED,
        AS_OF,
        CHUNKS,
        len(IDLE_DAYS) + 1,
    )
    assert (run.opened, run.worsened, run.resolved, run.mentors_notified) == (
        FLAGGED + 1,
        0,
        0,
        1,
    )
    assert sorted(run.chunk_results.values_list("index", flat=True)) == list(range(CHUNKS))
    assert open_flags_per_student() == {**one_open_flag_each(students), slowing.pk: 1}
    (drop,) = RiskFlag.objects.get(student=slowing).reasons
    assert (drop["signal"], drop["severity"]) == ("activity_drop", "amber")
    # The chunk that failed (the second) was retried; the others ran once each.
    ids = sorted(student.pk for student in [*students, slowing])
    chunks = [tuple(ids[start : start + CHUNK_SIZE]) for start in range(0, len(ids), CHUNK_SIZE)]
    assert Counter(map(tuple, failing.asked)) == {
        chunks[0]: 1,
        chunks[1]: 2,
        chunks[2]: 1,
        chunks[3]: 1,
    }
    assert states.count((flag_students_chunk.name, "RETRY")) == 1
    # Three chunks waited for the second round (two with a red flag for the budget's
    # cut, the last with a drop to judge), shared out in two tasks.
    assert states.count((flag_students_settle.name, "SUCCESS")) == DIGEST_PARTS
    # The digests went in two parts; the one mentor's part told them.
    mentor_id = Assignment.objects.get(student=slowing).mentor_id
    assert dict(run.digests.values_list("part", "mentors")) == {
        mentor_id % DIGEST_PARTS: 1,
        (mentor_id + 1) % DIGEST_PARTS: 0,
    }
