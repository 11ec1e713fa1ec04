"""Judging students as of a day: who is judged (``flaggable_student_ids``), the
facts each signal needs read for a chunk of students in a few set-based queries, and
the signals that follow (``risk_judgement``), used by the nightly run and the backtest."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from mentorship.activity import last_active_days
from mentorship.models import DailyActivity, Role, StudentStatus, User
from mentorship.selectors import student_status_on
from projects.models import (
    Enrolment,
    EnrolmentStatus,
    Project,
    Submission,
    SubmissionStatus,
    plan_due_dates,
)
from projects.selectors import cohort_calendars, projects_handed_in

from ..models import (
    FlagSettings,
    FlagSeverity,
    MentoringSession,
    SessionStatus,
)
from .signals import (
    PendingDrop,
    PendingIdle,
    Signal,
    SignalName,
    _below_amber_share,
    _day,
    _drop_pending,
    _EnrolmentRow,
    _idle_days,
    _Plan,
    _project_signals,
    _quietest,
    _Step,
    _windows_start,
    drop_signal,
    inactivity_signal,
    peer_group,
)


def flaggable_student_ids(*, as_of: date, replay: bool = False) -> QuerySet:
    """Students the flagging job judges as of a day: active accounts whose status was
    active on that day (``mentorship.selectors.student_status_on``, from the dated
    history), with an enrolment that was active then. Paused, graduated and dropped
    students are never flagged; a student whose status changed after ``as_of`` is
    judged as the active student they were. ``replay`` (the backtest) judges the past
    as that night's run would have: an account closed since, whose dated history says
    when the student stopped being active (dropped, say), is judged up to then; one
    closed while still "active" has no such date and is left out; and an enrolment
    is judged up to the day it ended, or, withdrawn on a day nobody recorded, while its
    student was active (``open_enrolment``). One query."""
    accounts = Q(is_active=True)
    if replay:
        accounts |= ~Q(student_profile__status=StudentStatus.ACTIVE)
    return (
        User.objects.filter(accounts, role=Role.STUDENT, student_profile__isnull=False)
        .alias(status_then=student_status_on(day=as_of))
        .filter(status_then=StudentStatus.ACTIVE)
        .filter(
            Exists(
                Enrolment.objects.filter(student=OuterRef("pk"), started_on__lte=as_of).filter(
                    open_enrolment(as_of, replay=replay)
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def open_enrolment(as_of: date, *, replay: bool = False) -> Q:
    """An enrolment open on ``as_of``: active, or ended since (``ended_on``; for one
    completed before the day was kept, completed since). In a replay, also one
    withdrawn on a day nobody recorded: it was open on the days its student was still
    active, which the judged students are (their dated status history says when they
    left)."""
    opened = (
        Q(status=EnrolmentStatus.ACTIVE)
        | Q(ended_on__gt=as_of)
        | Q(completed_at__gte=end_of_day(as_of))
    )
    if replay:
        opened |= Q(status=EnrolmentStatus.WITHDRAWN, ended_on__isnull=True)
    return opened


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` (UTC): data "up to a day" is everything before."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def students_among(student_ids: list[int], *, field: str = "student_id") -> Q:
    """``field`` (a student's id) among these: as a range when the ids are dense, as
    flagging chunks are (a slice of the sorted judged ids), which the database answers
    from its indexes far faster than a list of thousands of ids; as a list otherwise.
    A range may bring in students around the chunk: callers keep only theirs."""
    low, high = min(student_ids), max(student_ids)
    if high - low + 1 <= 2 * len(student_ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": student_ids})


@dataclass
class RiskJudgement:
    """What ``risk_judgement`` found about some students: every signal but the
    activity drops, which are judged against the programmes' activity once every
    chunk of the day has been read (``resolve``); the students whose drop waits for
    it; and these students' share of the programmes' activity (programme id: recent
    events, baseline events, students), over those enrolled since before the baseline
    began and active in the windows."""

    signals: dict[int, list[Signal]]
    pending: dict[int, PendingDrop]
    activity: dict[str, list[int]]
    # Each student's programmes on the day (what the backtest reports them under).
    programmes: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # The cohorts' students idle long enough to be inactive, unless the cohort was
    # quiet too.
    idle: dict[int, PendingIdle] = field(default_factory=dict)

    @property
    def waiting(self) -> set[int]:
        """The students whose signals wait for the peer groups' activity."""
        return self.pending.keys() | self.idle.keys()

    def resolve(
        self, *, cohort: dict[str, float], thresholds: FlagSettings
    ) -> dict[int, list[Signal]]:
        """Every signal of every student, the drops and the cohorts' inactivity judged
        against ``cohort`` (``cohort_ratios``). Students with no signal are left out."""
        signals = {student_id: list(found) for student_id, found in self.signals.items()}
        for student_id, idle in self.idle.items():
            inactivity = inactivity_signal(
                idle.idle, thresholds=thresholds, quiet=_quietest(idle.groups, cohort)
            )
            if inactivity is not None:
                signals.setdefault(student_id, []).insert(0, inactivity)
        for student_id, pending in self.pending.items():
            drop = drop_signal(pending, cohort=cohort, thresholds=thresholds)
            if drop is not None:
                found = signals.setdefault(student_id, [])
                # A student's inactivity comes first, then the drop, then the rest.
                found.insert(1 if found and found[0].name == SignalName.INACTIVITY else 0, drop)
        return signals


def risk_signals(
    *,
    student_ids: list[int],
    as_of: date,
    thresholds: FlagSettings,
    cohort: dict[int, float] | None = None,
) -> dict[int, list[Signal]]:
    """Every signal each of these students shows as of a day (``risk_judgement``),
    the activity drops judged against ``cohort`` (``cohort_ratios``; none: against
    each student's own baseline alone). Students with no signal are left out."""
    return risk_judgement(student_ids=student_ids, as_of=as_of, thresholds=thresholds).resolve(
        cohort=cohort or {}, thresholds=thresholds
    )


def risk_judgement(
    *, student_ids: list[int], as_of: date, thresholds: FlagSettings, replay: bool = False
) -> RiskJudgement:
    """Every signal these students show as of a day (``replay``: the backtest's, see
    ``flaggable_student_ids``), from data up to that day only
    (activity by the student's local days, the rest up to the end of the day in UTC),
    the activity drops left pending (``RiskJudgement``). Three set-based queries
    whatever the number of students (a fourth for students silent through the activity
    windows); callers pass ``flaggable_student_ids`` in chunks.

    The drops wait because they are relative to peers: when a student's whole
    programme is quieter than usual, their drop is measured against the programme's,
    so a week quiet for everyone flags no one; the programme's activity is summed
    from every chunk's share as the chunks are read."""
    judgement = RiskJudgement(signals={}, pending={}, activity={})
    if not student_ids:
        return judgement
    signals = judgement.signals
    wanted = set(student_ids)

    def add(student_id: int, signal: Signal) -> None:
        if student_id in wanted:
            signals.setdefault(student_id, []).append(signal)

    cutoff = end_of_day(as_of)
    windows_start = _windows_start(as_of, thresholds)
    rows = [
        row
        for row in _enrolment_rows(student_ids, as_of, thresholds, replay=replay)
        if row.student_id in wanted
    ]
    plans = _plans({_plan_key(row) for row in rows})
    handed_in = projects_handed_in(
        student_ids=sorted({row.student_id for row in rows if row.cohort_id is not None}),
        before=cutoff,
    )
    by_student: dict[int, list[_EnrolmentRow]] = {}
    # The enrolments with work left on the day: only they can make a student inactive
    # or show a drop, and only they are peers in their programme's activity.
    working: dict[int, list[_EnrolmentRow]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
        if plans[_plan_key(row)].work_over(row, as_of):
            continue
        working.setdefault(row.student_id, []).append(row)
        if row.last_day is not None and row.started_on <= windows_start:
            sums = judgement.activity.setdefault(
                peer_group(row.programme_id, row.cohort_id), [0, 0, 0]
            )
            sums[0] += row.recent
            sums[1] += row.baseline
            sums[2] += 1
    quiet_since = as_of - timedelta(days=thresholds.inactivity_amber_days)
    # Students silent through the windows whose enrolment is no excuse: their last
    # active day is older (the rows carry the windows' last day only).
    silent = [
        student_id
        for student_id, enrolled in working.items()
        if enrolled[0].last_day is None and max(row.started_on for row in enrolled) <= quiet_since
    ]
    older = last_active_days(student_ids=silent, before=windows_start)
    for student_id, enrolled in by_student.items():
        judgement.programmes[student_id] = tuple(row.programme_id for row in enrolled)
        first = enrolled[0]
        # Most students were active lately and keep their pace: nothing to judge. A
        # student whose work is all done is not inactive either.
        if student_id in working and (
            first.last_day is None
            or first.last_day <= quiet_since
            or _below_amber_share(first, thresholds)
        ):
            idle = _idle_days(
                working[student_id],
                last_active=first.last_day or older.get(student_id),
                as_of=as_of,
            )
            if idle >= thresholds.inactivity_amber_days:
                if all(row.cohort_id is not None for row in working[student_id]):
                    # A cohort's student: the cohort's quiet may excuse it.
                    judgement.idle[student_id] = PendingIdle(
                        idle,
                        tuple(
                            peer_group(row.programme_id, row.cohort_id)
                            for row in working[student_id]
                        ),
                    )
                else:
                    add(student_id, inactivity_signal(idle, thresholds=thresholds))
            pending = _drop_pending(working[student_id], as_of=as_of, thresholds=thresholds)
            if pending is not None:
                judgement.pending[student_id] = pending
        for row in enrolled:
            for signal in _project_signals(
                row,
                plan=plans[_plan_key(row)],
                as_of=as_of,
                thresholds=thresholds,
                handed_in=handed_in.get(student_id, frozenset()),
            ):
                add(student_id, signal)

    # Struggling (many "changes requested" on a project still not approved) and
    # missed sessions, the students at the thresholds only.
    struggling, missed = _rounds_and_no_shows(student_ids, cutoff=cutoff, thresholds=thresholds)
    titles = {
        project_id: step.title
        for plan in plans.values()
        for project_id, step in plan.steps.items()
    }
    for student_id, project_id, count in struggling:
        add(
            student_id,
            Signal(
                SignalName.STRUGGLING,
                FlagSeverity.AMBER,
                count,
                thresholds.struggling_changes_requested,
                project=titles.get(project_id, ""),
            ),
        )
    for student_id, count in missed:
        add(
            student_id,
            Signal(
                SignalName.MISSED_SESSIONS,
                FlagSeverity.AMBER,
                count,
                thresholds.missed_sessions,
            ),
        )
    return judgement


# A row per enrolment active on the day: the programme's projects in order against the
# student's submissions (approved ones with their time; how many, for the plan's pace;
# whether every project was handed in, by the rule of
# ``projects.selectors.projects_handed_in`` set-based here), the first project not
# approved, and the student's activity (count and summed values) in the windows from
# the rollup's covering index. Table names come from the models' metadata; every value
# is a parameter.
ENROLMENT_ROWS_SQL = """
WITH enrolled AS (
    SELECT e.id, e.student_id, e.programme_id, e.started_on, e.target_end_on, e.cohort_id
    FROM {enrolment} e
    WHERE {enrolment_among} AND e.started_on <= %s
      AND (e.status = %s OR e.ended_on > %s OR e.completed_at >= %s
           OR (e.status = %s AND e.ended_on IS NULL))
),
attempts AS (
    SELECT s.student_id, s.project_id,
           MAX(CASE WHEN s.status = %s AND s.reviewed_at < %s THEN s.reviewed_at END)
               AS approved_at,
           MAX(CASE WHEN s.status = %s OR s.reviewed_at IS NULL OR s.reviewed_at >= %s
                    THEN 1 ELSE 0 END) AS handed_in
    FROM {submission} s
    WHERE {submission_among} AND s.submitted_at < %s
    GROUP BY s.student_id, s.project_id
),
steps AS (
    SELECT n.id AS enrolment_id, p.id AS project_id, p.position,
           a.student_id IS NOT NULL AS submitted, a.approved_at,
           LAG(a.approved_at) OVER (PARTITION BY n.id ORDER BY p.position)
               AS previous_approved_at,
           COUNT(a.approved_at) OVER (PARTITION BY n.id) AS approved,
           COUNT(*) OVER (PARTITION BY n.id) AS projects,
           SUM(COALESCE(a.handed_in, 0)) OVER (PARTITION BY n.id) AS handed_in
    FROM enrolled n
    JOIN {project} p ON p.programme_id = n.programme_id
    LEFT JOIN attempts a ON a.student_id = n.student_id AND a.project_id = p.id
),
current AS (
    SELECT enrolment_id, project_id, submitted, previous_approved_at, approved,
           projects, handed_in,
           ROW_NUMBER() OVER (PARTITION BY enrolment_id ORDER BY position) AS rank
    FROM steps
    WHERE approved_at IS NULL
),
activity AS (
    SELECT d.student_id,
           SUM(d.events) FILTER (WHERE d.day >= %s) AS recent,
           SUM(d.events) FILTER (WHERE d.day < %s) AS baseline,
           COUNT(*) FILTER (WHERE d.day < %s) AS baseline_days,
           MAX(d.day) AS last_day,
           SUM(d.value_total) FILTER (WHERE d.day >= %s) AS recent_value,
           SUM(d.value_total) FILTER (WHERE d.day < %s) AS baseline_value,
           SUM(d.valued_events) FILTER (WHERE d.day < %s) AS baseline_valued
    FROM {daily} d
    WHERE {daily_among} AND d.day >= %s AND d.day <= %s
    GROUP BY d.student_id
)
SELECT n.student_id, n.programme_id, n.started_on, n.target_end_on,
       c.project_id, c.submitted, COALESCE(c.approved, 0), {previous_approved_on},
       COALESCE(a.recent, 0), COALESCE(a.baseline, 0), COALESCE(a.baseline_days, 0), a.last_day,
       n.cohort_id, COALESCE(c.handed_in = c.projects, TRUE),
       COALESCE(a.recent_value, 0), COALESCE(a.baseline_value, 0),
       COALESCE(a.baseline_valued, 0)
FROM enrolled n
LEFT JOIN current c ON c.enrolment_id = n.id AND c.rank = 1
LEFT JOIN activity a ON a.student_id = n.student_id
ORDER BY n.student_id, n.id
"""


def _among_sql(column: str, student_ids: list[int]) -> tuple[str, list[int]]:
    """``students_among`` for a raw query: a range when the ids are dense."""
    low, high = min(student_ids), max(student_ids)
    if high - low + 1 <= 2 * len(student_ids):
        return f"{column} BETWEEN %s AND %s", [low, high]
    return f"{column} IN ({', '.join(['%s'] * len(student_ids))})", list(student_ids)


def _enrolment_rows(
    student_ids: list[int], as_of: date, thresholds: FlagSettings, *, replay: bool = False
) -> list[_EnrolmentRow]:
    """``_EnrolmentRow`` of every enrolment of (and around) these students active on
    the day, in one query."""
    cutoff = end_of_day(as_of)
    recent_from = as_of - timedelta(days=thresholds.drop_window_days - 1)
    base_from = _windows_start(as_of, thresholds)
    ops = connection.ops
    enrolment_among, enrolment_ids = _among_sql("e.student_id", student_ids)
    submission_among, submission_ids = _among_sql("s.student_id", student_ids)
    daily_among, daily_ids = _among_sql("d.student_id", student_ids)
    sql = ENROLMENT_ROWS_SQL.format(
        enrolment=Enrolment._meta.db_table,
        submission=Submission._meta.db_table,
        project=Project._meta.db_table,
        daily=DailyActivity._meta.db_table,
        enrolment_among=enrolment_among,
        submission_among=submission_among,
        daily_among=daily_among,
        # The day (UTC) of the approval, which is all the signals read: PostgreSQL
        # turns it into a date far faster than the driver builds an aware datetime.
        previous_approved_on="(c.previous_approved_at AT TIME ZONE 'UTC')::date"
        if connection.vendor == "postgresql"
        else "c.previous_approved_at",
    )
    moment = ops.adapt_datetimefield_value(cutoff)
    params = [
        *enrolment_ids,
        ops.adapt_datefield_value(as_of),
        EnrolmentStatus.ACTIVE,
        ops.adapt_datefield_value(as_of),
        moment,
        # In a replay, a withdrawal nobody dated was open on the days its student was
        # still active (``open_enrolment``); the nightly run judges the open ones only.
        EnrolmentStatus.WITHDRAWN if replay else EnrolmentStatus.ACTIVE,
        SubmissionStatus.APPROVED,
        moment,
        SubmissionStatus.APPROVED,
        moment,
        *submission_ids,
        moment,
        *[ops.adapt_datefield_value(recent_from)] * 6,
        *daily_ids,
        ops.adapt_datefield_value(base_from),
        ops.adapt_datefield_value(as_of),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [_EnrolmentRow._make(row) for row in rows]
    # SQLite gives dates as ISO text.
    return [
        made._replace(
            started_on=_day(made.started_on),
            target_end_on=_day(made.target_end_on),
            last_day=_day(made.last_day),
            all_handed_in=bool(made.all_handed_in),
        )
        for made in map(_EnrolmentRow._make, rows)
    ]


def _plan_key(row: _EnrolmentRow) -> tuple:
    """What an enrolment's plan depends on (``_plans``)."""
    return (row.programme_id, row.started_on, row.target_end_on, row.cohort_id)


# The rounds of changes requested on each project never approved, and the no-shows in
# the window, of (and around) some students: only those at the thresholds. One query
# for both (a chunk pays for every round trip). Table names come from the models'
# metadata; every value is a parameter.
ROUNDS_AND_NO_SHOWS_SQL = """
SELECT 1 AS kind, s.student_id, s.project_id,
       COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) AS count
FROM {submission} s
WHERE {submission_among} AND s.submitted_at < %s
GROUP BY s.student_id, s.project_id
HAVING COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) >= %s
   AND COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) = 0
UNION ALL
SELECT 2 AS kind, m.student_id, NULL, COUNT(*) AS count
FROM {session} m
WHERE {session_among} AND m.status = %s AND m.scheduled_at < %s AND m.scheduled_at >= %s
GROUP BY m.student_id
HAVING COUNT(*) >= %s
"""


def _rounds_and_no_shows(
    student_ids: list[int], *, cutoff: datetime, thresholds: FlagSettings
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """(student, project, rounds of changes) of every project never approved with at
    least the struggling threshold of rounds, and (student, no-shows) of every
    student with at least the missed-sessions threshold in its window, up to
    ``cutoff``."""
    ops = connection.ops
    submission_among, submission_ids = _among_sql("s.student_id", student_ids)
    session_among, session_ids = _among_sql("m.student_id", student_ids)
    sql = ROUNDS_AND_NO_SHOWS_SQL.format(
        submission=Submission._meta.db_table,
        session=MentoringSession._meta.db_table,
        submission_among=submission_among,
        session_among=session_among,
    )
    moment = ops.adapt_datetimefield_value(cutoff)
    changes, approved = SubmissionStatus.CHANGES_REQUESTED, SubmissionStatus.APPROVED
    since = ops.adapt_datetimefield_value(
        cutoff - timedelta(days=thresholds.missed_sessions_window_days)
    )
    params = [
        changes,
        moment,
        *submission_ids,
        moment,
        changes,
        moment,
        thresholds.struggling_changes_requested,
        approved,
        moment,
        *session_ids,
        SessionStatus.STUDENT_NO_SHOW,
        moment,
        since,
        thresholds.missed_sessions,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    struggling = sorted(
        (student, project, count) for kind, student, project, count in rows if kind == 1
    )
    missed = sorted((student, count) for kind, student, _project, count in rows if kind == 2)
    return struggling, missed


def _plans(keys: set[tuple]) -> dict[tuple, _Plan]:
    """The plan (``plan_due_dates``, as ``Enrolment.plan``) of each (programme, start,
    target end, cohort): its due dates in the programme's order, and its steps by
    project. A chunk of thousands of enrolments shares a few hundred. One query, and
    one for the cohorts' deadlines if any enrolment is in a cohort."""
    projects: dict[int, list[tuple[int, str, int]]] = {}
    for pk, programme_id, title, target_days in (
        Project.objects.filter(programme_id__in={key[0] for key in keys})
        .order_by("programme_id", "position")
        .values_list("pk", "programme_id", "title", "target_days")
    ):
        projects.setdefault(programme_id, []).append((pk, title, target_days))
    durations = {
        programme_id: tuple(days for _pk, _title, days in steps)
        for programme_id, steps in projects.items()
    }
    calendars = cohort_calendars(cohort_ids={key[3] for key in keys})
    plans = {}
    for programme_id, started_on, target_end_on, cohort_id in keys:
        steps = projects.get(programme_id, [])
        calendar = calendars.get(cohort_id)
        due_dates = plan_due_dates(
            started_on,
            target_end_on,
            durations.get(programme_id, ()),
            calendar.due_dates(pk for pk, _title, _days in steps) if calendar else (),
        )
        plans[(programme_id, started_on, target_end_on, cohort_id)] = _Plan(
            due_dates,
            {
                pk: _Step(title, days, due_on)
                for (pk, title, days), due_on in zip(steps, due_dates, strict=True)
            },
            calendar.ends_on if calendar else None,
        )
    return plans
