"""The backtest: the flagging rules replayed over history as the nightly run would have
judged each as-of day, and scored against what happened next: did the student withdraw
within the horizon (28 days unless asked otherwise)?

For each rule (red flags, amber flags, any flag, and each signal alone), over the
judged student-days (a student judged on an as-of day is one student-day) of all
programmes and of each programme:

- **base rate**: the share of judged student-days followed by a withdrawal within the
  horizon (what a flag chosen at random would hit);
- **precision**: the share of flagged student-days followed by one;
- **lift**: precision over the base rate (1 × means the flag tells nothing);
- **recall**: the share of withdrawals flagged at least once in the horizon before them
  (among withdrawals of students judged in that time: one who left without ever being
  judged there could not have been caught);
- **share flagged**: of the students judged on an as-of day, the share flagged, as the
  mean over the days and the worst day;
- **median lead**: days from the first as-of day in the horizon that flagged a caught
  withdrawal to the withdrawal.

Withdrawals come from the dated status history (``withdrawal_days``): a withdrawal
recorded late keeps the day it took effect, and a student who came back and left again
withdrew twice. An as-of day is scored only once its horizon is over (up to yesterday),
or its "no withdrawal" would be a guess."""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from django.db import connections
from django.utils import timezone
from django.utils.translation import pgettext

from mentorship.models import StudentStatus, StudentStatusChange
from projects.models import Programme

from ..models import FlagBacktestReport, FlagSettings, FlagSeverity
from .budget import budget_apply, flag_budgets
from .judgement import flaggable_student_ids, risk_judgement
from .signals import Signal, SignalName, cohort_activity_add, cohort_ratios, flag_severity

DEFAULT_HORIZON_DAYS = 28
# The as-of weeks a backtest replays unless asked otherwise (the command's and the
# admin's).
DEFAULT_WEEKS = 26
BACKTEST_CHUNK_SIZE = 2000
# Amber carries information when a student it flags is at least this many times as
# likely to withdraw as any judged student; below it, it only adds to the mentors' work.
AMBER_MIN_LIFT = 2.0


class RuleName:
    """What a backtest scores: a flag of a severity, any flag, or one signal alone."""

    RED = "red"
    AMBER = "amber"  # amber flags (a red one is not amber)
    ANY = "any"  # amber or red
    SEVERITIES = (RED, AMBER, ANY)
    ALL = (*SEVERITIES, *SignalName.ALL)


def rule_fires(rule: str, signals: list[Signal]) -> bool:
    """Whether a student with these signals counts as flagged by the rule."""
    if not signals:
        return False
    if rule == RuleName.ANY:
        return True
    if rule in (RuleName.RED, RuleName.AMBER):
        return flag_severity(signals) == (
            FlagSeverity.RED if rule == RuleName.RED else FlagSeverity.AMBER
        )
    return any(signal.name == rule for signal in signals)


# --- Replaying the past ---------------------------------------------------------------


@dataclass
class ReplayedDay:
    """One as-of day judged as that night's run would have: every judged student with
    their programmes that day, and the signals of those with any."""

    as_of: date
    programmes: dict[int, tuple[int, ...]]
    signals: dict[int, list[Signal]]


def backtest_latest_day(horizon: int) -> date:
    """The last as-of day whose outcome is known: its horizon ended yesterday."""
    return timezone.localdate() - timedelta(days=1 + horizon)


def backtest_days(*, start: date, end: date, every: int, horizon: int) -> tuple[list[date], int]:
    """The as-of days from ``start`` to ``end`` every ``every`` days whose horizon is
    over (it ends yesterday at the latest), and how many later ones were left out."""
    if every < 1:
        raise ValueError("every must be at least one day")
    if horizon < 1:
        raise ValueError("horizon must be at least one day")
    if end < start:
        raise ValueError("end must not be before start")
    latest = backtest_latest_day(horizon)
    days = [start + timedelta(days=offset) for offset in range(0, (end - start).days + 1, every)]
    scored = [day for day in days if day <= latest]
    return scored, len(days) - len(scored)


def backtest_replay(
    days: Iterable[date],
    *,
    thresholds: FlagSettings,
    chunk_size: int = BACKTEST_CHUNK_SIZE,
    budget: bool = True,
    workers: int = 1,
) -> list[ReplayedDay]:
    """Every as-of day judged exactly as the nightly run would have judged it
    (``flaggable_student_ids`` in replay, ``risk_judgement`` in chunks, the drops
    against the programmes' activity, red kept within the budget), from data up to
    that day only; without ``budget``, the signals as judged, for the calibration to
    apply its candidates to. ``workers`` days at once, each on a database connection
    of its own (most of a day's time is the database's: a year of a large school
    replays in half the time on two); one, in the caller's connection and transaction.
    Writes nothing."""
    budgets = flag_budgets(thresholds)
    # The few distinct programme tuples, shared by every student-day that has them
    # (a year of a large school is millions of student-days).
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}

    def replay(as_of: date) -> ReplayedDay:
        ids = list(flaggable_student_ids(as_of=as_of, replay=True))
        judgements = [
            risk_judgement(
                student_ids=ids[offset : offset + chunk_size],
                as_of=as_of,
                thresholds=thresholds,
                replay=True,
            )
            for offset in range(0, len(ids), chunk_size)
        ]
        activity: dict[str, list[int]] = {}
        for judgement in judgements:
            cohort_activity_add(activity, judgement.activity)
        cohort = cohort_ratios(activity, thresholds)
        day = ReplayedDay(as_of, {}, {})
        signals = {}
        for judgement in judgements:
            day.programmes.update(
                (student_id, shared.setdefault(programmes, programmes))
                for student_id, programmes in judgement.programmes.items()
            )
            signals.update(judgement.resolve(cohort=cohort, thresholds=thresholds))
        day.signals = budget_apply(signals, day.programmes, budgets) if budget else signals
        return day

    if workers <= 1:
        return [replay(as_of) for as_of in days]

    def replay_apart(as_of: date) -> ReplayedDay:
        try:
            return replay(as_of)
        finally:
            connections.close_all()  # this thread's connections

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(replay_apart, days))


def withdrawal_days() -> dict[int, list[date]]:
    """Each student's withdrawals, in order, from the dated status history: every change
    to "dropped" from another status, on the day it took effect (a withdrawal recorded
    again with an earlier date counts from that date; a student who came back and left
    again withdrew twice). One query."""
    withdrawals: dict[int, list[date]] = {}
    previous_student, previous_status = None, StudentStatus.ACTIVE
    for student_id, status, effective_on in (
        StudentStatusChange.objects.order_by("student_id", "effective_on", "pk")
        .values_list("student_id", "status", "effective_on")
        .iterator(chunk_size=10_000)
    ):
        if student_id != previous_student:
            previous_student, previous_status = student_id, StudentStatus.ACTIVE
        if status == StudentStatus.DROPPED and previous_status != StudentStatus.DROPPED:
            withdrawals.setdefault(student_id, []).append(effective_on)
        previous_status = status
    return withdrawals


# --- Scoring --------------------------------------------------------------------------


@dataclass
class RuleScore:
    """One rule's flags in one group of students (see the module)."""

    flagged: int = 0
    hits: int = 0
    caught: int = 0
    lead_days: list[int] = field(default_factory=list)
    flagged_by_day: list[int] = field(default_factory=list)


@dataclass
class GroupScore:
    """The rules scored over one group: every programme (``programme_id`` None) or one."""

    programme_id: int | None
    title: str
    judged: int = 0
    positives: int = 0
    withdrawals: int = 0
    judged_by_day: list[int] = field(default_factory=list)
    rules: dict[str, RuleScore] = field(default_factory=dict)

    @property
    def base_rate(self) -> float:
        return self.positives / self.judged if self.judged else 0.0

    def precision(self, rule: str) -> float | None:
        score = self.rules[rule]
        return score.hits / score.flagged if score.flagged else None

    def recall(self, rule: str) -> float | None:
        return self.rules[rule].caught / self.withdrawals if self.withdrawals else None

    def lift(self, rule: str) -> float | None:
        precision = self.precision(rule)
        if precision is None or not self.base_rate:
            return None
        return precision / self.base_rate

    def shares(self, rule: str) -> list[float]:
        """Each as-of day's share of the judged students flagged by the rule."""
        return [
            flagged / judged
            for flagged, judged in zip(
                self.rules[rule].flagged_by_day, self.judged_by_day, strict=True
            )
            if judged
        ]

    def share_mean(self, rule: str) -> float:
        shares = self.shares(rule)
        return sum(shares) / len(shares) if shares else 0.0

    def share_worst(self, rule: str) -> float:
        return max(self.shares(rule), default=0.0)

    def median_lead_days(self, rule: str) -> float | None:
        leads = self.rules[rule].lead_days
        return median(leads) if leads else None

    @property
    def amber_informative(self) -> bool | None:
        """Whether amber flags carried information (``AMBER_MIN_LIFT``); None when
        there were none, or no withdrawal to judge them by."""
        lift = self.lift(RuleName.AMBER) if RuleName.AMBER in self.rules else None
        return None if lift is None else lift >= AMBER_MIN_LIFT

    def rule_dict(self, rule: str) -> dict:
        score = self.rules[rule]

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "flagged": score.flagged,
            "hits": score.hits,
            "caught": score.caught,
            "precision": rounded(self.precision(rule)),
            "recall": rounded(self.recall(rule)),
            "lift": rounded(self.lift(rule)),
            "share_mean": rounded(self.share_mean(rule)),
            "share_worst": rounded(self.share_worst(rule)),
            "median_lead_days": self.median_lead_days(rule),
        }

    def as_dict(self) -> dict:
        return {
            "programme": self.programme_id,
            "title": self.title,
            "student_days": self.judged,
            "followed_by_withdrawal": self.positives,
            "withdrawals": self.withdrawals,
            "base_rate": round(self.base_rate, 4),
            "amber_informative": self.amber_informative,
            "rules": {rule: self.rule_dict(rule) for rule in self.rules},
        }


@dataclass
class FlagBacktest:
    """What ``flag_backtest`` found: the as-of days scored, the groups' scores (all
    programmes first, then each programme by title), and what was left out."""

    days: list[date]
    every: int
    horizon: int
    groups: list[GroupScore]
    # As-of days whose horizon is not over yet.
    days_left_out: int
    # Withdrawals of students never judged in the horizon before them (they joined,
    # paused or were closed in it): no rule could have caught them.
    withdrawals_not_judged: int

    @property
    def overall(self) -> GroupScore:
        return self.groups[0]

    def as_dict(self) -> dict:
        return {
            "from": self.days[0].isoformat() if self.days else None,
            "to": self.days[-1].isoformat() if self.days else None,
            "every_days": self.every,
            "horizon_days": self.horizon,
            "dates_evaluated": len(self.days),
            "dates_left_out": self.days_left_out,
            "withdrawals_not_judged": self.withdrawals_not_judged,
            "groups": [group.as_dict() for group in self.groups],
            "days": [
                {
                    "as_of": day.isoformat(),
                    "judged": self.overall.judged_by_day[index],
                    **{
                        rule: self.overall.rules[rule].flagged_by_day[index]
                        for rule in self.overall.rules
                    },
                }
                for index, day in enumerate(self.days)
            ],
        }


@dataclass
class ScoringBase:
    """What scoring replayed days needs whatever the rules (``scoring_base``): each
    group's judged student-days and those followed by a withdrawal, the withdrawals
    coming after each judged student-day, and each withdrawal at stake with its
    groups. Computed once, it lets the calibration score many rule sets by reading
    only the flagged students."""

    titles: dict[int, str]
    judged: dict[int | None, list[int]]
    positives: dict[int | None, int]
    coming: dict[tuple[int, int], list[date]]
    at_stake: dict[tuple[int, date], set]
    not_judged: int


def scoring_base(
    replayed: list[ReplayedDay], withdrawals: dict[int, list[date]], *, horizon: int
) -> ScoringBase:
    """See ``ScoringBase``. One query (the programmes' titles)."""
    count = len(replayed)
    horizon_span = timedelta(days=horizon)
    judged: dict[int | None, list[int]] = {None: [0] * count}
    positives: dict[int | None, int] = {None: 0}
    coming: dict[tuple[int, int], list[date]] = {}
    at_stake: dict[tuple[int, date], set] = {}
    for index, day in enumerate(replayed):
        end = day.as_of + horizon_span
        overall = judged[None]
        for student_id, programmes in day.programmes.items():
            overall[index] += 1
            for programme_id in programmes:
                if programme_id not in judged:
                    judged[programme_id], positives[programme_id] = [0] * count, 0
                judged[programme_id][index] += 1
            days = withdrawals.get(student_id)
            if not days:
                continue
            ahead = [withdrawn for withdrawn in days if day.as_of < withdrawn <= end]
            if not ahead:
                continue
            coming[(index, student_id)] = ahead
            for key in (None, *programmes):
                positives[key] += 1
            for withdrawn in ahead:
                at_stake.setdefault((student_id, withdrawn), set()).update((None, *programmes))
    # Withdrawals in the scored span (after the first as-of day, within the horizon
    # of the last) whose student was never judged before them.
    not_judged = 0
    if replayed:
        first_day, last_day = replayed[0].as_of, replayed[-1].as_of + horizon_span
        not_judged = sum(
            1
            for student_id, days in withdrawals.items()
            for withdrawn in days
            if first_day < withdrawn <= last_day and (student_id, withdrawn) not in at_stake
        )
    titles = dict(
        Programme.objects.filter(pk__in=[key for key in judged if key is not None]).values_list(
            "pk", "title"
        )
    )
    return ScoringBase(titles, judged, positives, coming, at_stake, not_judged)


def backtest_score(
    replayed: list[ReplayedDay],
    withdrawals: dict[int, list[date]],
    *,
    horizon: int,
    every: int,
    rules: dict[str, object] | None = None,
    days_left_out: int = 0,
    base: ScoringBase | None = None,
) -> FlagBacktest:
    """Score rules over replayed days (``backtest_replay``) against the withdrawals
    (``withdrawal_days``). ``rules`` maps a name to a predicate over a student's
    signals (default: every ``RuleName``, by ``rule_fires``). ``base``: the days'
    ``scoring_base``, when scoring several sets of signals on the same days."""
    if rules is None:
        rules = {
            rule: (lambda signals, rule=rule: rule_fires(rule, signals)) for rule in RuleName.ALL
        }
    base = base or scoring_base(replayed, withdrawals, horizon=horizon)
    count = len(replayed)
    groups: dict[int | None, GroupScore] = {
        key: GroupScore(
            key,
            base.titles.get(key, "") if key is not None else "",
            judged=sum(by_day),
            positives=base.positives[key],
            judged_by_day=list(by_day),
            rules={name: RuleScore(flagged_by_day=[0] * count) for name in rules},
        )
        for key, by_day in base.judged.items()
    }
    # Per withdrawal at stake, per rule: the first day it flagged the student.
    first: dict[tuple[int, date], dict[str, date]] = {}
    for index, day in enumerate(replayed):
        for student_id, signals in day.signals.items():
            if not signals:
                continue
            fired = [name for name, fires in rules.items() if fires(signals)]
            if not fired:
                continue
            ahead = base.coming.get((index, student_id), ())
            for key in (None, *day.programmes[student_id]):
                scored = groups[key].rules
                for name in fired:
                    rule = scored[name]
                    rule.flagged += 1
                    rule.flagged_by_day[index] += 1
                    rule.hits += bool(ahead)
            for withdrawn in ahead:
                dates = first.setdefault((student_id, withdrawn), {})
                for name in fired:
                    dates.setdefault(name, day.as_of)
    for stake, stake_keys in base.at_stake.items():
        _student_id, withdrawn = stake
        flagged_on = first.get(stake, {})
        for key in stake_keys:
            scored = groups[key]
            scored.withdrawals += 1
            for name, day in flagged_on.items():
                scored.rules[name].caught += 1
                scored.rules[name].lead_days.append((withdrawn - day).days)
    for scored in groups.values():
        for rule in scored.rules.values():
            rule.lead_days.sort()
    ordered = [groups.pop(None)] + sorted(groups.values(), key=lambda g: (g.title, g.programme_id))
    return FlagBacktest(
        days=[day.as_of for day in replayed],
        every=every,
        horizon=horizon,
        groups=ordered,
        days_left_out=days_left_out,
        withdrawals_not_judged=base.not_judged,
    )


def flag_backtest(
    *,
    start: date,
    end: date,
    every: int = 7,
    horizon: int = DEFAULT_HORIZON_DAYS,
    thresholds: FlagSettings | None = None,
    chunk_size: int = BACKTEST_CHUNK_SIZE,
) -> FlagBacktest:
    """Replay the at-risk signals on every ``every``-th day from ``start`` to ``end``
    (those whose horizon is over) exactly as the nightly job would have judged them,
    and score every ``RuleName`` against the withdrawals within ``horizon`` days, for
    all programmes and each (see the module). Reads only, writes nothing (not even the
    settings row): staff use it to judge the thresholds before changing them."""
    days, left_out = backtest_days(start=start, end=end, every=every, horizon=horizon)
    if thresholds is None:
        thresholds = FlagSettings.objects.filter(pk=1).first() or FlagSettings()
    replayed = backtest_replay(days, thresholds=thresholds, chunk_size=chunk_size)
    return backtest_score(
        replayed, withdrawal_days(), horizon=horizon, every=every, days_left_out=left_out
    )


# --- Kept reports (the admin's) -------------------------------------------------------


def rule_label(rule: str) -> str:
    """A scored rule in words, in the active language."""
    labels = {
        RuleName.RED: pgettext("backtest rule", "red flags"),
        RuleName.AMBER: pgettext("backtest rule", "amber flags (not red)"),
        RuleName.ANY: pgettext("backtest rule", "any flag"),
    }
    return labels.get(rule) or SignalName.label(rule)


def flag_backtest_report_start(
    *, by, weeks: int = DEFAULT_WEEKS, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> FlagBacktestReport:
    """A backtest asked for (by staff in the admin, or the demo), kept empty until a
    worker runs it (``flag_backtest_report_run``)."""
    report = FlagBacktestReport(triggered_by=by, weeks=weeks, horizon_days=horizon_days)
    report.full_clean()
    report.save()
    return report


def flag_backtest_report_run(*, report: FlagBacktestReport) -> FlagBacktestReport:
    """Run the backtest a kept report asks for: its weeks of as-of days up to the last
    whose horizon is over, with the flag settings in force, and keep the figures
    (``FlagBacktest.as_dict``). A report already finished is left alone, so running
    it twice keeps one answer."""
    if report.finished_at is not None:
        return report
    end = backtest_latest_day(report.horizon_days)
    result = flag_backtest(
        start=end - timedelta(weeks=report.weeks), end=end, horizon=report.horizon_days
    )
    FlagBacktestReport.objects.filter(pk=report.pk, finished_at__isnull=True).update(
        report=result.as_dict(), finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report


def backtest_report_read(report: dict) -> list[dict]:
    """A kept report's groups as the admin shows them: each rule's figures with its
    name in the reader's language, red, amber and any flag first, then each signal."""
    groups = []
    for group in report.get("groups", []):
        rules = group.get("rules", {})
        groups.append(
            {
                **group,
                "base_rate_percent": round(100 * (group.get("base_rate") or 0), 1),
                "rows": [
                    {"rule": rule, "label": rule_label(rule), **rules[rule]}
                    for rule in RuleName.ALL
                    if rule in rules
                ],
            }
        )
    return groups
