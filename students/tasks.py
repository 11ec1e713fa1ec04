"""Background jobs about students: session reminders and the at-risk flagging run.
Thin: take ids, call a service. A run fans out to one task per chunk of students, in
two rounds (the second judges the activity drops once the programmes' activity is
summed), then the mentors' digests in parts, so it spreads over however many workers
there are; every step is safe to run twice."""

from datetime import date, timedelta

from celery import group, shared_task
from django.conf import settings
from django.utils import timezone

from mentorship.models import User
from mentorship.task_options import LONG_RUNNING, RETRYING

from .flag_runs import (
    flag_chunk_evaluate,
    flag_chunks_settle,
    flag_run_cohort,
    flag_run_digest_send,
    flag_run_finish,
    flag_run_shares,
    flag_run_start,
    flag_run_tell_parts,
)
from .models import FlagBacktestReport, FlagRun
from .risk.backtest import flag_backtest_report_run
from .risk.calibration import (
    DEFAULT_WEEKS,
    calibration_apply,
    calibration_record,
    calibration_tonight_claimed,
    flag_calibrate,
)
from .sessions import sessions_send_reminders


@shared_task(**RETRYING)
def flag_students(as_of: str | None = None, triggered_by_id: int | None = None) -> int:
    """Judge every active student as of a day (ISO date; default yesterday, the last
    complete day) and update their flags: opens a run and sends one chunk task per
    slice of students. Returns the run's id.

    Safe to run twice, or twice at once (two schedulers, a redelivery, staff starting
    one by hand): a second run for the same day judges the same facts, so it opens no
    second flag (the database allows one open flag per student) and tells no mentor
    twice (a flag is marked told by the part that tells it). A database error can
    only come before the run is written, so a retry opens one run."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
    triggered_by = User.objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    run, chunks = flag_run_start(as_of=day, triggered_by=triggered_by)
    if not chunks:
        flag_run_finish(run=run)
        return run.pk
    group(
        flag_students_chunk.si(run.pk, index, student_ids)
        for index, student_ids in enumerate(chunks)
    ).apply_async()
    return run.pk


@shared_task(**RETRYING)
def flag_students_chunk(run_id: int, index: int, student_ids: list[int]) -> None:
    """One chunk of a run's first round. A failure (a deadlock, a lost connection)
    rolls the chunk back and retries it alone; the others are untouched. The last
    chunk to commit sends the second round: a task per chunk with drops to judge."""
    run = FlagRun.objects.get(pk=run_id)
    flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
    unsettled = flag_run_cohort(run=run)
    if unsettled:
        group(
            flag_students_settle.si(run.pk, share) for share in flag_run_shares(unsettled)
        ).apply_async()
    elif unsettled == []:
        _digests_send(run)


@shared_task(**RETRYING)
def flag_students_settle(run_id: int, indexes: list[int]) -> None:
    """A share of a run's second round: the drops that waited for the programmes'
    activity, for some chunks. Retried alone like the first round; the last one to
    commit sends the digests."""
    run = FlagRun.objects.get(pk=run_id)
    flag_chunks_settle(run=run, indexes=indexes)
    _digests_send(run)


def _digests_send(run: FlagRun) -> None:
    """Once every chunk is settled: the digests in parts, a task each (or, when every
    part is sent, the run's end)."""
    parts = flag_run_tell_parts(run=run)
    if parts:
        group(flag_students_tell.si(run.pk, part) for part in parts).apply_async()
    elif parts == []:
        flag_run_finish(run=run)


@shared_task(**RETRYING)
def flag_students_tell(run_id: int, part: int) -> None:
    """One part of a run's digests: a share of the mentors told. The last part to
    commit finishes the run."""
    run = FlagRun.objects.get(pk=run_id)
    flag_run_digest_send(run=run, part=part)
    if flag_run_tell_parts(run=run) == []:
        flag_run_finish(run=run)


@shared_task(**RETRYING)
def send_session_reminders() -> int:
    """Every 15 minutes: remind both people of sessions starting within 24 hours.
    Each session is reminded once, however often this runs or overlaps."""
    return sessions_send_reminders()


@shared_task(**RETRYING, **LONG_RUNNING)
def backtest_flags(report_id: int) -> int | None:
    """On demand (the admin): the backtest a kept report asks for
    (``flag_backtest_report_run``); returns its id, None when it was deleted. A repeat
    leaves a finished report alone."""
    report = FlagBacktestReport.objects.filter(pk=report_id).first()
    if report is None:
        return None
    return flag_backtest_report_run(report=report).pk


@shared_task(**RETRYING, **LONG_RUNNING)
def recalibrate_flags_nightly() -> int | None:
    """Nightly, before the flagging run, when the flag settings say so
    (``recalibrate_nightly``): ``calibrate_flags`` once a day, the learned score
    retrained on the history up to yesterday. Returns the kept report's id, or None
    when it is off, tonight's is kept already (a repeat adds nothing), or another
    has started it (``calibration_tonight_claimed``: two schedulers calibrate once)."""
    with calibration_tonight_claimed() as claimed:
        return calibrate_flags() if claimed else None


@shared_task(**RETRYING, **LONG_RUNNING)
def calibrate_flags(triggered_by_id: int | None = None, weeks: int = DEFAULT_WEEKS) -> int:
    """On demand (the admin): choose the red rules on the school's history and put them
    into force (``students.risk.calibration``); returns the kept report's id. Running
    twice chooses the same and keeps a second report; nothing else changes."""
    calibration = flag_calibrate(weeks=weeks, workers=settings.FLAG_PARTS)
    calibration_apply(calibration)
    triggered_by = User.objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    return calibration_record(calibration, weeks=weeks, applied=True, by=triggered_by).pk
