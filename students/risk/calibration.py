"""Calibration: the red rule that would have caught the most withdrawals within the
budget, chosen on the school's own history (``manage.py calibrate_flags``, the admin's
"Calibrate now"; docs/flags.md).

The history is replayed once (``backtest_replay``: an as-of day a week over the window,
each whose horizon is over, the signals at the settings' thresholds, before any budget)
and its weeks split in time: the first two thirds to learn from, the last third held
out to judge on, as the rule would then have been used on weeks it had not seen. What
is learned knows only the withdrawals up to the first held-out day. The
candidates (``candidate_rules``): the rule in force; the default; every pair of
signals seen together, alone and beside the default's red signals; inactivity red
from other numbers of days; and a risk score learned from the training weeks (a
logistic regression over the signals' values, ``learned_score``). Each is applied to
the held-out weeks as the nightly run would apply it, within the budget
(``budget_apply``), and scored by the backtest's own function (``backtest_score``), for
all programmes and for each. The winner catches the most withdrawals with its red
flags (recall), then the more precise, then the one flagging fewer, among those whose
red flags carry information (``RED_MIN_LIFT``; none: the rule in force stays, and the
report says so); the rule in force is a candidate and wins a tie. A programme whose
training weeks hold fewer than ``MIN_WITHDRAWALS`` withdrawals keeps the school's rule,
and the report says so.

Applying it (``calibration_apply``) writes the school's rule into the flag settings and
each programme's own into its flag budget; the nightly run reads them from then on."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentorship.audit import AuditAction, audit_record
from projects.models import Programme

from ..models import FlagCalibration, FlagSettings, FlagSeverity, ProgrammeFlagBudget
from .backtest import (
    DEFAULT_HORIZON_DAYS,
    GroupScore,
    ReplayedDay,
    RuleName,
    ScoringBase,
    backtest_days,
    backtest_latest_day,
    backtest_replay,
    backtest_score,
    rule_fires,
    scoring_base,
    withdrawal_days,
)
from .budget import Budget, FlagBudgets, budget_apply, flag_budgets, judged_per_programme
from .rules import DEFAULT_CONDITIONS, FEATURES, Condition, RedRule, RuleKind, signal_features
from .signals import SignalName

DEFAULT_WEEKS = 52
HELD_OUT_SHARE = 1 / 3
# Fewer withdrawals than this in a programme's training weeks: too little history to
# choose a rule of its own on.
MIN_WITHDRAWALS = 20
# Other numbers of days without activity tried for red.
INACTIVITY_RED_DAYS = (10, 21, 28)
# A learned score makes a flag red only for students at least this many times as likely
# to withdraw as any judged student in the training weeks (as amber must be to be shown).
SCORE_MIN_LIFT = 2.0
# A rule is chosen only if its red flags, on the held-out weeks, were followed by a
# withdrawal at least this many times as often as any judged student-day: red that
# tells a mentor nothing is not worth their time.
RED_MIN_LIFT = 2.0
FALLBACK_LITTLE_HISTORY = "little_history"
FALLBACK_NO_INFORMATION = "no_information"


# --- The candidates -------------------------------------------------------------------


def candidate_rules(
    train: list[ReplayedDay], withdrawals: dict[int, list[date]], *, horizon: int
) -> list[RedRule]:
    """Every red rule tried (see the module), the default first."""
    rules = [RedRule()]
    for first, second in combinations(SignalName.ALL, 2):
        pair = Condition(((first, FlagSeverity.AMBER, None), (second, FlagSeverity.AMBER, None)))
        rules.append(RedRule(conditions=(pair,)))
        rules.append(RedRule(conditions=(*DEFAULT_CONDITIONS, pair)))
    others = tuple(
        condition
        for condition in DEFAULT_CONDITIONS
        if condition.parts[0][0] != SignalName.INACTIVITY
    )
    for days in INACTIVITY_RED_DAYS:
        idle = Condition(((SignalName.INACTIVITY, FlagSeverity.AMBER, days),))
        rules.append(RedRule(conditions=(*others, idle)))
    score = learned_score(train, withdrawals, horizon=horizon)
    if score is not None:
        rules.append(score)
    return rules


def _followed_by_withdrawal(
    student_id: int, as_of: date, withdrawals: dict[int, list[date]], horizon: int
) -> bool:
    end = as_of + timedelta(days=horizon)
    return any(as_of < day <= end for day in withdrawals.get(student_id, ()))


def learned_score(
    train: list[ReplayedDay], withdrawals: dict[int, list[date]], *, horizon: int
) -> RedRule | None:
    """A logistic regression over the signals' values (``signal_features``) of every
    judged student-day of the training weeks, against whether a withdrawal followed
    within the horizon; red from ``SCORE_MIN_LIFT`` times the training base rate. The
    students with no signal, most of them, share one row per outcome, weighted by
    their number. None when the weeks hold no withdrawal, or nothing else."""
    # scikit-learn is imported here, not with the module: the web and the nightly run
    # never need it (a score is applied from its coefficients), and it weighs tens of
    # megabytes in every process that imports it.
    from sklearn.linear_model import LogisticRegression

    rows, outcomes, weights = [], [], []
    quiet = {True: 0, False: 0}
    for day in train:
        for student_id in day.programmes:
            withdrew = _followed_by_withdrawal(student_id, day.as_of, withdrawals, horizon)
            signals = day.signals.get(student_id)
            if not signals:
                quiet[withdrew] += 1
                continue
            features = signal_features(signals)
            rows.append([features[name] for name in FEATURES])
            outcomes.append(int(withdrew))
            weights.append(1.0)
    for withdrew, count in quiet.items():
        if count:
            rows.append([0.0] * len(FEATURES))
            outcomes.append(int(withdrew))
            weights.append(float(count))
    judged = sum(weights)
    positives = sum(weight for outcome, weight in zip(outcomes, weights, strict=True) if outcome)
    if not positives or positives == judged:
        return None
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(rows, outcomes, sample_weight=weights)
    return RedRule(
        kind=RuleKind.SCORE,
        conditions=(),
        coefficients={
            name: round(float(weight), 6)
            for name, weight in zip(FEATURES, model.coef_[0], strict=True)
        },
        intercept=round(float(model.intercept_[0]), 6),
        cutoff=round(min(1.0, SCORE_MIN_LIFT * positives / judged), 6),
    )


# --- Judging them ---------------------------------------------------------------------


def _with_rule(budgets: FlagBudgets, rule: RedRule) -> FlagBudgets:
    """The budgets in force with every programme on ``rule``."""

    def ruled(budget: Budget) -> Budget:
        return Budget(budget.red_share_percent, budget.amber_shown, rule)

    return FlagBudgets(
        ruled(budgets.default),
        {programme_id: ruled(budget) for programme_id, budget in budgets.programmes.items()},
    )


@dataclass
class HeldOut:
    """The held-out days with what scoring them needs whatever the rule: the scoring
    base and each day's judged students per programme."""

    days: list[ReplayedDay]
    withdrawals: dict[int, list[date]]
    base: ScoringBase
    judged: list[dict[int, int]]
    horizon: int

    @classmethod
    def of(cls, days: list[ReplayedDay], withdrawals: dict, *, horizon: int) -> "HeldOut":
        return cls(
            days,
            withdrawals,
            scoring_base(days, withdrawals, horizon=horizon),
            [judged_per_programme(day.programmes) for day in days],
            horizon,
        )


def _red(signals: list) -> bool:
    return rule_fires(RuleName.RED, signals)


def rule_scored(
    rule: RedRule, held_out: HeldOut, *, budgets: FlagBudgets
) -> dict[int | None, GroupScore]:
    """The rule applied to the held-out days within the budget, its red flags scored
    for all programmes (key None) and each."""
    ruled = _with_rule(budgets, rule)
    shown = [
        ReplayedDay(
            day.as_of,
            day.programmes,
            budget_apply(day.signals, day.programmes, ruled, judged=judged),
        )
        for day, judged in zip(held_out.days, held_out.judged, strict=True)
    ]
    result = backtest_score(
        shown,
        held_out.withdrawals,
        horizon=held_out.horizon,
        every=7,
        rules={RuleName.RED: _red},
        base=held_out.base,
    )
    return {group.programme_id: group for group in result.groups}


def _figures(group: GroupScore | None) -> dict:
    """What the report shows of a rule's red flags in a group."""
    if group is None:
        return {}
    red = group.rule_dict(RuleName.RED)
    return {
        "withdrawals": group.withdrawals,
        "base_rate": round(group.base_rate, 4),
        **{name: red[name] for name in ("flagged", "caught", "precision", "recall", "lift")},
        "share_mean": red["share_mean"],
        "share_worst": red["share_worst"],
        "median_lead_days": red["median_lead_days"],
    }


def _better(figures: dict) -> tuple:
    """Sorts the candidates best first: more withdrawals caught, then more precise,
    then fewer students flagged red (less of the mentors' time)."""
    return (
        figures.get("recall") or 0.0,
        figures.get("precision") or 0.0,
        -(figures.get("share_mean") or 0.0),
    )


@dataclass
class ProgrammeCalibration:
    """The choice for all programmes (``programme_id`` None) or one."""

    programme_id: int | None
    title: str
    training_withdrawals: int
    current: RedRule
    chosen: RedRule | None
    # Why there is no choice of its own (``FALLBACK_LITTLE_HISTORY`` or
    # ``FALLBACK_NO_INFORMATION``), else empty, and in words.
    fallback: str = ""
    fallback_text: str = ""
    # (rule, its held-out figures), best first.
    candidates: list[tuple[RedRule, dict]] = field(default_factory=list)

    def figures_of(self, rule: RedRule | None) -> dict:
        wanted = (rule or self.current).as_json()
        return next((figures for each, figures in self.candidates if each.as_json() == wanted), {})

    def as_dict(self) -> dict:
        return {
            "programme": self.programme_id,
            "title": self.title,
            "training_withdrawals": self.training_withdrawals,
            "fallback": self.fallback,
            "fallback_text": self.fallback_text,
            "current": {
                "rule": self.current.describe(),
                "json": self.current.as_json(),
                **self.figures_of(self.current),
            },
            "chosen": None
            if self.chosen is None
            else {
                "rule": self.chosen.describe(),
                "json": self.chosen.as_json(),
                **self.figures_of(self.chosen),
            },
            "candidates": [
                {"rule": rule.describe(), "json": rule.as_json(), **figures}
                for rule, figures in self.candidates
            ],
        }


@dataclass
class Calibration:
    train_days: list[date]
    held_out_days: list[date]
    horizon: int
    overall: ProgrammeCalibration
    programmes: list[ProgrammeCalibration]

    def as_dict(self) -> dict:
        return {
            "train": [self.train_days[0].isoformat(), self.train_days[-1].isoformat()]
            if self.train_days
            else None,
            "held_out": [self.held_out_days[0].isoformat(), self.held_out_days[-1].isoformat()]
            if self.held_out_days
            else None,
            "horizon_days": self.horizon,
            "overall": self.overall.as_dict(),
            "programmes": [each.as_dict() for each in self.programmes],
        }


def flag_calibrate(
    *,
    weeks: int = DEFAULT_WEEKS,
    horizon: int = DEFAULT_HORIZON_DAYS,
    thresholds: FlagSettings | None = None,
    min_withdrawals: int = MIN_WITHDRAWALS,
    workers: int = 1,
) -> Calibration:
    """Choose the red rule for the school and each programme (see the module), the
    history replayed ``workers`` days at once (``backtest_replay``). Reads only."""
    thresholds = thresholds or FlagSettings.current()
    latest = backtest_latest_day(horizon)
    days, _left_out = backtest_days(
        start=latest - timedelta(weeks=weeks - 1), end=latest, every=7, horizon=horizon
    )
    replayed = backtest_replay(days, thresholds=thresholds, budget=False, workers=workers)
    withdrawals = withdrawal_days()
    held_out_count = max(1, round(len(replayed) * HELD_OUT_SHARE)) if len(replayed) > 1 else 0
    train = replayed[: len(replayed) - held_out_count]
    held_out = replayed[len(replayed) - held_out_count :]
    budgets = flag_budgets(thresholds)
    # What was known when the rule would have been chosen, on the first held-out day:
    # the withdrawals up to then (the training weeks' horizons reach into the held-out
    # ones, whose withdrawals they must not learn from).
    known = (
        {
            student_id: [day for day in days if day <= held_out[0].as_of]
            for student_id, days in withdrawals.items()
        }
        if held_out
        else withdrawals
    )
    # How much history each group has to learn from: its withdrawals at stake in the
    # training weeks (whatever the rule).
    training = {
        group.programme_id: group.withdrawals
        for group in backtest_score(train, known, horizon=horizon, every=7).groups
    }
    rules = candidate_rules(train, known, horizon=horizon)
    current_rules = {None: budgets.default.rule} | {
        programme_id: budget.rule for programme_id, budget in budgets.programmes.items()
    }
    for rule in current_rules.values():
        if all(rule.as_json() != each.as_json() for each in rules):
            rules.append(rule)
    judging = HeldOut.of(held_out, withdrawals, horizon=horizon)
    scored = [(rule, rule_scored(rule, judging, budgets=budgets)) for rule in rules]
    groups = {key for _rule, by_group in scored for key in by_group}
    titles = dict(
        Programme.objects.filter(pk__in=[key for key in groups if key is not None]).values_list(
            "pk", "title"
        )
    )

    def choose(key: int | None) -> ProgrammeCalibration:
        current = current_rules.get(key, budgets.default.rule)
        candidates = sorted(
            ((rule, _figures(by_group.get(key))) for rule, by_group in scored),
            key=lambda each: _better(each[1]),
            reverse=True,
        )
        # Only a rule whose red flags carry information may be chosen; the rule in
        # force wins a tie: nothing changes without a reason.
        informative = [
            (rule, figures)
            for rule, figures in candidates
            if (figures.get("lift") or 0.0) >= RED_MIN_LIFT
        ]
        best = informative[0][1] if informative else {}
        chosen = next(
            (
                rule
                for rule, figures in informative
                if _better(figures) == _better(best) and rule.as_json() == current.as_json()
            ),
            informative[0][0] if informative else None,
        )
        made = ProgrammeCalibration(
            key,
            titles.get(key, ""),
            training.get(key, 0),
            current,
            chosen,
            candidates=candidates,
        )
        if made.training_withdrawals < min_withdrawals:
            made.chosen = None
            made.fallback = FALLBACK_LITTLE_HISTORY
            made.fallback_text = (
                f"{made.training_withdrawals} withdrawals in the training weeks, fewer than "
                f"{min_withdrawals}: too little history to choose on"
            )
        elif chosen is None:
            made.fallback = FALLBACK_NO_INFORMATION
            made.fallback_text = (
                f"no candidate's red flags were followed by a withdrawal at least "
                f"{RED_MIN_LIFT:g} times as often as any judged student's: the rule in force "
                f"stays"
            )
        return made

    programmes = sorted(
        (choose(key) for key in groups if key is not None),
        key=lambda each: (each.title, each.programme_id),
    )
    return Calibration(
        train_days=[day.as_of for day in train],
        held_out_days=[day.as_of for day in held_out],
        horizon=horizon,
        overall=choose(None),
        programmes=programmes,
    )


@transaction.atomic
def calibration_apply(calibration: Calibration) -> None:
    """The chosen rules into force: the school's into the flag settings (unless it had
    too little history), each programme's own into its flag budget, and a programme
    without a choice of its own (too little history, or the school's rule won) back on
    the school's rule."""
    settings_row = FlagSettings.current()
    school = calibration.overall.chosen or RedRule.from_json(settings_row.red_rule)
    budgets_before = dict(ProgrammeFlagBudget.objects.values_list("programme_id", "red_rule"))
    # Stored with the entries, in the language the task runs in (the portal's).
    reason = gettext("calibration")
    if calibration.overall.chosen is not None:
        rule_before = settings_row.red_rule
        settings_row.red_rule = school.as_json()
        settings_row.save(update_fields=["red_rule"])
        if rule_before != settings_row.red_rule:
            audit_record(
                actor=None,
                action=AuditAction.FLAG_SETTINGS_CHANGED,
                target=settings_row,
                before={"red_rule": rule_before},
                after={"red_rule": settings_row.red_rule},
                reason=reason,
            )
    for programme in calibration.programmes:
        own = programme.chosen
        if own is not None and own.as_json() != school.as_json():
            ProgrammeFlagBudget.objects.update_or_create(
                programme_id=programme.programme_id, defaults={"red_rule": own.as_json()}
            )
        else:
            ProgrammeFlagBudget.objects.filter(programme_id=programme.programme_id).update(
                red_rule={}
            )
    # A budget left with nothing of its own is the settings' again.
    ProgrammeFlagBudget.objects.filter(
        red_share_percent__isnull=True, amber_shown__isnull=True, red_rule={}
    ).delete()
    budgets_after = dict(ProgrammeFlagBudget.objects.values_list("programme_id", "red_rule"))
    if budgets_after != budgets_before:
        # One entry for the programmes' rules together, keyed by programme id: what
        # one calibration changed at once.
        audit_record(
            actor=None,
            action=AuditAction.FLAG_BUDGET_CHANGED,
            target=None,
            label=gettext("programme red rules"),
            before={str(key): value for key, value in budgets_before.items()},
            after={str(key): value for key, value in budgets_after.items()},
            reason=reason,
        )


def calibration_due_tonight() -> bool:
    """Whether the nightly recalibration is to run: switched on in the flag settings
    (``recalibrate_nightly``), and no calibration started by the machine (this task,
    or the command) kept yet today (UTC)."""
    if not FlagSettings.current().recalibrate_nightly:
        return False
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return not FlagCalibration.objects.filter(
        triggered_by__isnull=True, created_at__gte=midnight
    ).exists()


@contextmanager
def calibration_tonight_claimed() -> Iterator[bool]:
    """Whether the caller is the one to run tonight's recalibration: it is due
    (``calibration_due_tonight``) and nobody else has started it. Two at once (two beat
    schedulers) would both find tonight's report missing and each spend minutes
    calibrating: the first takes the night's claim in the shared cache and the other is
    told no. The claim lasts as long as a long task may run, so a calibration lost with
    its worker is taken again when its message is redelivered (the visibility timeout
    outlasts the claim); one that fails gives it back, so that its retry, or tomorrow's
    run, may take it again."""
    if not calibration_due_tonight():
        yield False
        return
    claim = f"recalibrate-flags:{timezone.now().date().isoformat()}"
    if not cache.add(claim, True, timeout=settings.TASK_LONG_TIME_LIMIT):
        yield False
        return
    try:
        yield True
    except BaseException:
        cache.delete(claim)
        raise


def calibration_report_read(report: dict) -> dict:
    """A kept report (``Calibration.as_dict``) as the admin shows it: every rule
    described again in the reader's language (a report keeps each rule's JSON; one
    kept before it did keeps the words it was written with)."""

    def rule_row(row: dict | None) -> dict | None:
        if not row or "json" not in row:
            return row
        return {**row, "rule": RedRule.from_json(row["json"]).describe()}

    def group(each: dict) -> dict:
        return {
            **each,
            "current": rule_row(each.get("current")),
            "chosen": rule_row(each.get("chosen")),
            "candidates": [rule_row(row) for row in each.get("candidates", [])],
        }

    return {
        **report,
        "overall": group(report["overall"]) if report.get("overall") else None,
        "programmes": [group(each) for each in report.get("programmes", [])],
    }


def calibration_record(
    calibration: Calibration, *, weeks: int, applied: bool, by=None
) -> FlagCalibration:
    """Keep a calibration's report (the admin shows it)."""
    return FlagCalibration.objects.create(
        weeks=weeks,
        horizon_days=calibration.horizon,
        report=calibration.as_dict(),
        applied_at=timezone.now() if applied else None,
        triggered_by=by,
    )
