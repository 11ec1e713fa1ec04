"""The flagging run when things overlap or fail: a run repeated for the same day
changes nothing, two runs at once leave one open flag per student, and a chunk that
fails is retried alone while the others' work stays committed."""

import threading

import pytest
from django.db import connection

from students import flag_runs
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.models import FlagRun, FlagRunChunk, RiskFlag

from .helpers_flag_runs import (
    FLAGGED,
    FailOnce,
    idle_students,
    one_open_flag_each,
    open_flags_per_student,
)
from .helpers_risk import AS_OF

pytestmark = pytest.mark.usefixtures("no_flag_budget")


def _run(*, chunk_size: int = 2) -> FlagRun:
    """A whole run as the workers do it, chunk by chunk, each finishing if it is last."""
    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=chunk_size)
    for index, student_ids in enumerate(chunks):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        flag_run_finish(run=run)
    run.refresh_from_db()
    return run


def _flags() -> list[dict]:
    return list(RiskFlag.objects.order_by("pk").values())


@pytest.mark.django_db
def test_it_changes_no_flag_when_a_whole_run_is_repeated_for_the_same_day():
    idle_students()
    first = _run()
    before = _flags()

    again = _run(chunk_size=4)  # chunked differently, too

    assert first.opened == FLAGGED
    assert len(before) == FLAGGED
    assert _flags() == before
    assert (again.status, again.opened, again.worsened, again.resolved) == (
        "finished",
        0,
        0,
        0,
    )
    assert again.mentors_notified == 0


@pytest.mark.django_db
def test_it_opens_one_flag_per_student_when_two_runs_interleave():
    students = idle_students()
    first, first_chunks = flag_run_start(as_of=AS_OF, chunk_size=2)
    second, second_chunks = flag_run_start(as_of=AS_OF, chunk_size=3)

    # Chunks of both runs taken in turns, as two sets of workers would.
    for index, student_ids in reversed(list(enumerate(second_chunks))):
        flag_chunk_evaluate(run=second, index=index, student_ids=student_ids)
        flag_chunk_evaluate(run=first, index=index, student_ids=first_chunks[index])
    flag_chunk_evaluate(run=first, index=2, student_ids=first_chunks[2])
    finished = [flag_run_finish(run=run) for run in (first, second)]

    assert finished == [True, True]
    assert open_flags_per_student() == one_open_flag_each(students)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.opened + second.opened == FLAGGED


def _run_in_thread(barrier: threading.Barrier, outcomes: dict, name: str) -> None:
    try:
        run, chunks = flag_run_start(as_of=AS_OF, chunk_size=2)
        barrier.wait(timeout=30)  # both runs have their chunks: now evaluate together
        for index, student_ids in enumerate(chunks):
            flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
            flag_run_finish(run=run)
        outcomes[name] = run.pk
    except Exception as error:  # reported by the test, in the main thread
        outcomes[name] = error
        barrier.abort()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_opens_one_flag_per_student_when_two_runs_overlap_in_two_threads():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite has no row locks, and its shared in-memory test "
            "database refuses a second writer instead of making it wait"
        )
    students = idle_students()
    barrier = threading.Barrier(2)
    outcomes: dict = {}
    threads = [
        threading.Thread(target=_run_in_thread, args=(barrier, outcomes, name))
        for name in ("first", "second")
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a run never finished"
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    runs = list(FlagRun.objects.filter(pk__in=outcomes.values()))
    assert [run.status for run in runs] == ["finished", "finished"]
    assert sum(run.opened for run in runs) == FLAGGED
    assert open_flags_per_student() == one_open_flag_each(students)
    assert RiskFlag.objects.count() == FLAGGED


@pytest.mark.django_db
def test_it_keeps_the_other_chunks_when_one_fails_and_redoes_only_that_one(monkeypatch):
    students = idle_students()
    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=2)
    failing = FailOnce(flag_runs.risk_judgement, student_id=students[2].pk)
    monkeypatch.setattr(flag_runs, "risk_judgement", failing)

    for index, student_ids in enumerate(chunks):
        try:
            flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        except RuntimeError:
            failed = index
        else:
            assert not flag_run_finish(run=run)  # not while a chunk is missing

    # Chunks 0 and 2 committed their flags (the amber one; the red one waits for the
    # budget's cut in the chunk's row); chunk 1 left nothing behind.
    assert failed == 1
    assert sorted(FlagRunChunk.objects.filter(run=run).values_list("index", flat=True)) == [0, 2]
    assert set(RiskFlag.objects.values_list("student_id", flat=True)) == {students[0].pk}
    assert set(FlagRunChunk.objects.get(run=run, index=0).pending) == {str(students[1].pk)}
    committed = {chunk.index: chunk.finished_at for chunk in run.chunk_results.all()}

    flag_chunk_evaluate(run=run, index=1, student_ids=chunks[1])  # the retry

    assert failing.asked == [chunks[0], chunks[1], chunks[2], chunks[1]]
    assert flag_run_finish(run=run)
    assert not flag_run_finish(run=run)
    run.refresh_from_db()
    assert (run.status, run.opened, run.chunks) == ("finished", FLAGGED, 3)
    assert {
        chunk.index: chunk.finished_at for chunk in run.chunk_results.exclude(index=1)
    } == committed
    assert open_flags_per_student() == one_open_flag_each(students)
