"""The at-risk signals and their rules, each judged from one row of a student's
facts (``_EnrolmentRow``): inactivity, an activity drop against the student's own
baseline and their programme's peers, a stalled project, behind plan, missed sessions,
repeated changes requested; and a flag's severity from its signals."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from projects.models import deadline_pace, plan_pace

from ..models import (
    FlagSettings,
    FlagSeverity,
)


class SignalName:
    INACTIVITY = "inactivity"
    ACTIVITY_DROP = "activity_drop"
    STALLED_PROJECT = "stalled_project"
    BEHIND_PLAN = "behind_plan"
    MISSED_SESSIONS = "missed_sessions"
    STRUGGLING = "struggling"

    ALL = (INACTIVITY, ACTIVITY_DROP, STALLED_PROJECT, BEHIND_PLAN, MISSED_SESSIONS, STRUGGLING)

    LABELS = {
        INACTIVITY: _("inactive"),
        ACTIVITY_DROP: _("slowing down"),
        STALLED_PROJECT: _("stalled project"),
        BEHIND_PLAN: _("behind plan"),
        MISSED_SESSIONS: _("missed sessions"),
        STRUGGLING: _("changes requested again and again"),
    }

    @classmethod
    def label(cls, name: str) -> str:
        """The signal's name in words, in the active language."""
        return str(cls.LABELS.get(name, name))


SEVERITY_RANK = {FlagSeverity.AMBER: 1, FlagSeverity.RED: 2}


@dataclass(frozen=True)
class Signal:
    """One reason to worry about a student, with its evidence: what was observed,
    the student's own baseline where there is one, and the threshold crossed.
    ``project`` names the project a project-level signal is about."""

    name: str
    severity: str
    observed: float
    threshold: float
    baseline: float | None = None
    project: str = ""
    # For an activity drop in a week quiet for the whole programme: the programme's
    # activity as a percentage of its own usual, which the student's is judged against.
    cohort: float | None = None
    # Shown at another level than the one its threshold is of (``crossed``), and why
    # (``because``): "budget", a red over the programme's red budget
    # (``students.risk.budget``); "rule", the programme's calibrated red rule
    # (``students.risk.rules``) made it red, or does not make it red on its own.
    crossed: str | None = None
    because: str = ""
    # For an activity drop measured by the values the platform sends with its events
    # (minutes, clicks, pages): "value"; by the number of events: empty.
    measure: str = ""

    def as_reason(self) -> dict:
        reason = {
            "signal": self.name,
            "severity": self.severity,
            "observed": self.observed,
            "baseline": self.baseline,
            "threshold": self.threshold,
            "project": self.project,
        }
        if self.cohort is not None:
            reason["cohort"] = self.cohort
        if self.crossed is not None:
            reason["crossed"] = self.crossed
            reason["because"] = self.because
        if self.measure:
            reason["measure"] = self.measure
        return reason

    @classmethod
    def from_reason(cls, reason: dict) -> "Signal":
        """The signal ``as_reason`` wrote."""
        return cls(
            reason["signal"],
            reason["severity"],
            reason["observed"],
            reason["threshold"],
            baseline=reason["baseline"],
            project=reason["project"],
            cohort=reason.get("cohort"),
            crossed=reason.get("crossed"),
            because=reason.get("because", ""),
            measure=reason.get("measure", ""),
        )

    def shown_as(self, severity: str, because: str) -> "Signal":
        """This signal shown at another level, remembering the one it crossed."""
        if severity == self.severity:
            return self
        return replace(
            self, severity=severity, crossed=self.crossed or self.severity, because=because
        )


# Below this many students with a baseline, a programme's activity says too little
# about a quiet week (and mostly echoes the student being judged).
COHORT_MIN_STUDENTS = 10


def peer_group(programme_id: int, cohort_id: int | None) -> str:
    """Whose activity a student's is judged against (``cohort_ratios``): the other
    students of their cohort ("c" and its id), at the same point of the same run; on
    their own pace, the programme's other such students ("p" and its id)."""
    return f"c{cohort_id}" if cohort_id is not None else f"p{programme_id}"


def cohort_activity_add(total: dict[str, list[int]], part: dict) -> dict[str, list[int]]:
    """Add a chunk's share of the peer groups' activity (``RiskJudgement.activity``,
    by ``peer_group``) to a total."""
    for group, sums in part.items():
        into = total.setdefault(group, [0, 0, 0])
        for position, value in enumerate(sums):
            into[position] += value
    return total


def cohort_ratios(activity: dict[str, list[int]], thresholds: FlagSettings) -> dict[str, float]:
    """How active each peer group's students (``peer_group``) were in the recent
    window against their baseline, as a ratio of daily rates (1.0: as usual; 0.4: the
    whole cohort is at 40 % of its usual, e.g. a holiday week or the lull after a
    deadline), from the groups' activity summed over every chunk judged as of the day
    (``cohort_activity_add``). Groups with too few students are left out."""
    window, base = thresholds.drop_window_days, thresholds.drop_baseline_days
    return {
        group: (recent / window) / (baseline / base)
        for group, (recent, baseline, students) in activity.items()
        if baseline and students >= COHORT_MIN_STUDENTS
    }


def _quietest(groups: tuple[str, ...], cohort: dict[str, float]) -> float:
    """How quiet a student's peer groups were (``cohort_ratios``), as far as the
    busiest of those known was: 1.0 when none is known or one was as busy as usual."""
    ratios = [cohort[group] for group in groups if group in cohort]
    return min(1.0, max(ratios)) if ratios else 1.0


class PendingDrop(NamedTuple):
    """A student's activity well below their own baseline (``activity_measure``):
    whether it is a drop, and how bad, depends on how quiet their peer groups were
    (``drop_signal``)."""

    recent: float
    baseline: float
    groups: tuple[str, ...]
    measure: str = ""


class PendingIdle(NamedTuple):
    """A cohort's student idle long enough to be inactive: whether they are, and how
    badly, depends on how quiet the cohort was (``inactivity_signal``)."""

    idle: int
    groups: tuple[str, ...]


class _EnrolmentRow(NamedTuple):
    """One enrolment active on the day, with what every signal needs: where the
    student stands in the programme (the current project, the first not approved;
    whether it was submitted; how many projects are approved; when the one before it
    was approved) and the student's activity in the windows (None when silent through
    them)."""

    student_id: int
    programme_id: int
    started_on: date
    target_end_on: date
    current_project_id: int | None
    current_submitted: bool
    approved: int
    # As the database gives it (``_day`` reads it): needed for the few stalled.
    previous_approved_on: object
    recent: int
    baseline: int
    baseline_days: int
    last_day: date | None
    # The cohort the enrolment is in (None: on the student's own pace).
    cohort_id: int | None
    # Every project handed in (approved, or waiting for review) or approved.
    all_handed_in: bool
    # The intensity in the windows: the values the events carried, summed, and in the
    # baseline how many events carried one (``activity_measure``).
    recent_value: float
    baseline_value: float
    baseline_valued: int


class _Step(NamedTuple):
    """One project of a plan, as the signals read it."""

    title: str
    target_days: int
    due_on: date


class _Plan(NamedTuple):
    """An enrolment's plan, as the signals read it: every due date in the
    programme's order (``plan_pace`` reads them) and each project's step, in the same
    order; for a cohort, the day it ends (``deadline_pace``)."""

    due_dates: tuple[date, ...]
    steps: dict[int, _Step]
    cohort_ends_on: date | None = None

    def work_over(self, row: _EnrolmentRow, as_of: date) -> bool:
        """Whether the student has no work left to do in this enrolment on the day:
        every project handed in, or in a cohort, its last deadline passed. Such a
        student stops working, as they should: quiet is no sign of risk."""
        if row.all_handed_in:
            return True
        return (
            self.cohort_ends_on is not None
            and bool(self.due_dates)
            and (as_of > max(self.due_dates))
        )


def activity_measure(row: _EnrolmentRow) -> tuple[float, float, str]:
    """How a student's activity is measured against their baseline: (recent,
    baseline, measure). By the intensity the platform sends, the values its events
    carry (minutes, clicks, pages), when most of the baseline's events carried one
    (measure "value": a platform that sends one event a day with its minutes is judged
    by the minutes); otherwise by the number of events (measure "")."""
    if row.baseline_valued * 2 > row.baseline:
        return row.recent_value, row.baseline_value, "value"
    return row.recent, row.baseline, ""


def _below_amber_share(row: _EnrolmentRow, thresholds: FlagSettings) -> bool:
    """Whether the student's recent activity (``activity_measure``) fell below the
    amber share of their baseline (per week, 100 * recent / window < amber * baseline
    / base). The programme's quiet can only excuse such a drop, never make one."""
    recent, baseline, _measure = activity_measure(row)
    return (
        100 * recent * thresholds.drop_baseline_days
        < thresholds.drop_amber_percent * baseline * thresholds.drop_window_days
    )


def _idle_days(enrolled: list[_EnrolmentRow], *, last_active: date | None, as_of: date) -> int:
    """Days since the student was last active, from their enrolments' rows."""
    # Enrolling is a sign of life too: a student who enrolled three days ago and has
    # done nothing since has been idle three days, not since they signed up.
    last = max(row.started_on for row in enrolled)
    if last_active and last_active > last:
        last = last_active
    return (as_of - last).days


def inactivity_signal(idle: int, *, thresholds: FlagSettings, quiet: float = 1.0) -> Signal | None:
    """Inactivity after ``idle`` days. In a week quiet for the student's whole cohort
    (``quiet``, the cohort's activity against its usual, below the amber share of a
    drop) the window's days are not held against them: each level starts that many
    days later, and the signal says how quiet the cohort was."""
    excused = quiet < thresholds.drop_amber_percent / 100
    extra = thresholds.drop_window_days if excused else 0
    cohort = round(100 * quiet) if excused else None
    for severity, days in (
        (FlagSeverity.RED, thresholds.inactivity_red_days),
        (FlagSeverity.AMBER, thresholds.inactivity_amber_days),
    ):
        if idle >= days + extra:
            return Signal(SignalName.INACTIVITY, severity, idle, days + extra, cohort=cohort)
    return None


def _drop_pending(
    enrolled: list[_EnrolmentRow], *, as_of: date, thresholds: FlagSettings
) -> PendingDrop | None:
    """The student's activity against their own baseline, when it fell below the
    amber share of a meaningful baseline (the programme's quiet can only excuse such
    a drop, never make one)."""
    first = enrolled[0]
    recent, baseline, measure = activity_measure(first)
    if (
        first.baseline_days < thresholds.drop_baseline_min_active_days
        or not baseline
        or not _below_amber_share(first, thresholds)
        or min(row.started_on for row in enrolled) > _windows_start(as_of, thresholds)
    ):
        return None
    return PendingDrop(
        recent,
        baseline,
        tuple(peer_group(row.programme_id, row.cohort_id) for row in enrolled),
        measure,
    )


def drop_signal(
    pending: PendingDrop, *, cohort: dict[str, float], thresholds: FlagSettings
) -> Signal | None:
    """The activity drop, per week against the student's baseline, measured against
    their peer groups' own (``cohort_ratios``) when those were quieter than usual."""
    window, base = thresholds.drop_window_days, thresholds.drop_baseline_days
    per_week_recent = pending.recent * 7 / window
    per_week_base = pending.baseline * 7 / base
    percent = 100 * per_week_recent / per_week_base
    quiet = _quietest(pending.groups, cohort)
    if quiet < 1.0:
        percent = percent / quiet if quiet > 0 else 100.0
    if percent < thresholds.drop_red_percent:
        severity, threshold = FlagSeverity.RED, thresholds.drop_red_percent
    elif percent < thresholds.drop_amber_percent:
        severity, threshold = FlagSeverity.AMBER, thresholds.drop_amber_percent
    else:
        return None
    return Signal(
        SignalName.ACTIVITY_DROP,
        severity,
        round(per_week_recent, 1),
        threshold,
        baseline=round(per_week_base, 1),
        cohort=round(100 * quiet) if quiet < 1.0 else None,
        measure=pending.measure,
    )


def _project_signals(
    row: _EnrolmentRow,
    *,
    plan: _Plan,
    as_of: date,
    thresholds: FlagSettings,
    handed_in: frozenset[int] = frozenset(),
) -> list[Signal]:
    """Behind plan and stalled project, the plan as it stood on the day. Behind plan:
    more days behind than the threshold, by the rule the student list and file show
    (``plan_pace``: the number of projects approved against the number due, so a
    student who skipped ahead is judged by the count; in a cohort ``deadline_pace``,
    each project against its deadline, ``handed_in`` the projects handed in, a
    missed one no longer late). Stalled: the current project, the first not approved,
    open too long; a cohort's deadlines set its pace instead."""
    if row.cohort_id is not None:
        late = deadline_pace(
            due_dates=plan.due_dates,
            handed_in=[project_id in handed_in for project_id in plan.steps],
            today=as_of,
            ends_on=plan.cohort_ends_on,
        ).days_behind
        if late > thresholds.behind_plan_days:
            return [
                Signal(
                    SignalName.BEHIND_PLAN, FlagSeverity.AMBER, late, thresholds.behind_plan_days
                )
            ]
        return []
    if row.current_project_id is None:
        return []
    found = []
    late = plan_pace(due_dates=plan.due_dates, approved=row.approved, today=as_of).days_behind
    if late > thresholds.behind_plan_days:
        found.append(
            Signal(SignalName.BEHIND_PLAN, FlagSeverity.AMBER, late, thresholds.behind_plan_days)
        )
    current = plan.steps[row.current_project_id]
    # Stalled: the current project open too long with nothing submitted. A project
    # without a target duration sets no pace to stall against (a limit of 0 days
    # fired the day it opened).
    if row.current_submitted or current.target_days <= 0:
        return found
    opened_on = _day(row.previous_approved_on) or row.started_on
    limit = float(thresholds.stalled_factor) * current.target_days
    open_days = (as_of - opened_on).days
    if open_days > limit:
        found.append(
            Signal(
                SignalName.STALLED_PROJECT,
                FlagSeverity.AMBER,
                open_days,
                round(limit, 1),
                baseline=current.target_days,
                project=current.title,
            )
        )
    return found


def flag_severity(signals: list[Signal]) -> str:
    """A flag is as severe as its worst signal."""
    return max((signal.severity for signal in signals), key=SEVERITY_RANK.__getitem__)


def _windows_start(as_of: date, thresholds: FlagSettings) -> date:
    """The first day of the activity windows: the baseline, then the recent window
    ending on ``as_of``."""
    return as_of - timedelta(days=thresholds.drop_window_days - 1 + thresholds.drop_baseline_days)


def _day(value) -> date | None:
    """A date, or the day (UTC) of a moment, from a raw row: PostgreSQL gives dates
    and aware datetimes, SQLite ISO text (moments in UTC)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return date.fromisoformat(value[:10])
