"""The flag budget: how many students a programme's mentors can act on. Of the students
judged on a night in a programme, at most ``red_share_percent`` are red: the most at
risk, by the rank of the programme's red rule (``students.risk.rules``). The others
whose flags would be red are shown amber, or not at all when the programme shows no
amber. Staff set it in the flag settings, and per programme (``ProgrammeFlagBudget``).
The nightly run, the backtest and the calibration apply it with these functions, so
the budget holds by construction and the backtest scores what mentors would have seen.

A student enrolled in several programmes counts under their first (the earliest
enrolment), once."""

from dataclasses import dataclass, field

from ..models import FlagSettings, FlagSeverity, ProgrammeFlagBudget
from .rules import RedRule, risk_rank
from .signals import Signal, flag_severity

__all__ = ["Budget", "FlagBudgets", "budget_apply", "budget_signals", "red_cuts", "risk_rank"]


@dataclass(frozen=True)
class Budget:
    red_share_percent: int
    amber_shown: bool
    # What makes a flag red here (the default: a signal at its red level).
    rule: RedRule = field(default_factory=RedRule)

    def red_allowed(self, judged: int) -> int:
        """Red flags allowed among ``judged`` students: the share, rounded down (10 % of
        nine students is none)."""
        return judged * self.red_share_percent // 100


@dataclass(frozen=True)
class FlagBudgets:
    """The budget of every programme: its own, or the settings'."""

    default: Budget
    programmes: dict[int, Budget]

    def of(self, programme_id: int | None) -> Budget:
        return self.programmes.get(programme_id, self.default)


def flag_budgets(thresholds: FlagSettings) -> FlagBudgets:
    """The budgets in force: ``thresholds``' (the settings, or values being tried) and
    each programme's own, where a programme leaves a part empty the settings'. One
    query."""
    default = Budget(
        thresholds.red_share_percent,
        thresholds.amber_shown,
        RedRule.from_json(thresholds.red_rule),
    )
    return FlagBudgets(
        default,
        {
            programme_id: Budget(
                default.red_share_percent if share is None else share,
                default.amber_shown if amber is None else amber,
                RedRule.from_json(rule) if rule else default.rule,
            )
            for programme_id, share, amber, rule in ProgrammeFlagBudget.objects.values_list(
                "programme_id", "red_share_percent", "amber_shown", "red_rule"
            )
        },
    )


def red_cuts(
    candidates: dict[int, list[list]], judged: dict[int, int], budgets: FlagBudgets
) -> dict[int, list | None]:
    """Per programme whose red candidates (their ``RedRule.rank``) exceed its budget of
    its ``judged`` students: the rank of the last one kept red, or None when none is."""
    cuts: dict[int, list | None] = {}
    for programme_id, ranks in candidates.items():
        allowed = budgets.of(programme_id).red_allowed(judged.get(programme_id, 0))
        if len(ranks) > allowed:
            cuts[programme_id] = sorted(ranks, reverse=True)[allowed - 1] if allowed else None
    return cuts


def budget_signals(
    signals: list[Signal],
    *,
    rank: list,
    programme_id: int,
    cuts: dict[int, list | None],
    budgets: FlagBudgets,
) -> list[Signal]:
    """A student's signals as their flag shows them: at the levels the programme's red
    rule gives them (``RedRule.shown``); red kept when within the programme's cut;
    beyond it, the red signals shown amber and marked so (``Signal.crossed``), or
    nothing when the programme shows no amber; amber signals alone shown only when it
    does. ``rank`` is the student's by the rule (``RedRule.rank``). Empty: no flag."""
    if not signals:
        return signals
    budget = budgets.of(programme_id)
    signals = budget.rule.shown(signals)
    if flag_severity(signals) == FlagSeverity.RED:
        if programme_id not in cuts:
            return signals
        cut = cuts[programme_id]
        if cut is not None and rank >= cut:
            return signals
        if not budget.amber_shown:
            return []
        return [
            signal.shown_as(FlagSeverity.AMBER, "budget")
            if signal.severity == FlagSeverity.RED
            else signal
            for signal in signals
        ]
    return signals if budget.amber_shown else []


def judged_per_programme(programmes: dict[int, tuple[int, ...]]) -> dict[int, int]:
    """How many judged students count under each programme (their first)."""
    judged: dict[int, int] = {}
    for enrolled in programmes.values():
        judged[enrolled[0]] = judged.get(enrolled[0], 0) + 1
    return judged


def budget_apply(
    signals: dict[int, list[Signal]],
    programmes: dict[int, tuple[int, ...]],
    budgets: FlagBudgets,
    judged: dict[int, int] | None = None,
) -> dict[int, list[Signal]]:
    """Every judged student's signals of a day (``programmes``: each judged student's
    programmes) within the budget, all at once (the backtest; the nightly run does the
    same in its rounds). ``judged``: ``judged_per_programme``, when known. Students
    left with no signal are left out."""
    if judged is None:
        judged = judged_per_programme(programmes)
    candidates: dict[int, list[list]] = {}
    for student_id, found in signals.items():
        rule = budgets.of(programmes[student_id][0]).rule
        if rule.is_red(found):
            candidates.setdefault(programmes[student_id][0], []).append(
                rule.rank(found, student_id)
            )
    cuts = red_cuts(candidates, judged, budgets)
    kept = {}
    for student_id, found in signals.items():
        programme_id = programmes[student_id][0]
        shown = budget_signals(
            found,
            rank=budgets.of(programme_id).rule.rank(found, student_id),
            programme_id=programme_id,
            cuts=cuts,
            budgets=budgets,
        )
        if shown:
            kept[student_id] = shown
    return kept
