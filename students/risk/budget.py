"""The flag budget: how many students a programme's mentors can act on. Of the students
judged on a night in a programme, at most ``red_share_percent`` are red (the most at
risk, by ``risk_rank``); the others whose signals are red are shown amber, or not at
all when the programme shows no amber. Staff set it in the flag settings, and per
programme (``ProgrammeFlagBudget``). The nightly run, the backtest and the calibration
apply it with these functions, so the budget holds by construction and the backtest
scores what mentors would have seen.

A student enrolled in several programmes counts under their first (the earliest
enrolment), once."""

from dataclasses import dataclass, replace

from ..models import FlagSettings, FlagSeverity, ProgrammeFlagBudget
from .signals import Signal, SignalName, flag_severity


@dataclass(frozen=True)
class Budget:
    red_share_percent: int
    amber_shown: bool

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
    each programme's own. One query."""
    return FlagBudgets(
        Budget(thresholds.red_share_percent, thresholds.amber_shown),
        {
            programme_id: Budget(share, amber)
            for programme_id, share, amber in ProgrammeFlagBudget.objects.values_list(
                "programme_id", "red_share_percent", "amber_shown"
            )
        },
    )


def risk_rank(signals: list[Signal], student_id: int) -> list[int]:
    """Who is more at risk, as a key that sorts higher for them: more red signals, then
    more signals, then more days without activity; the lower student id on a tie, so
    that the cut is exact. A list, kept as JSON between the run's rounds."""
    idle = next(
        (int(signal.observed) for signal in signals if signal.name == SignalName.INACTIVITY), 0
    )
    reds = sum(1 for signal in signals if signal.severity == FlagSeverity.RED)
    return [reds, len(signals), idle, -student_id]


def red_cuts(
    candidates: dict[int, list[list[int]]], judged: dict[int, int], budgets: FlagBudgets
) -> dict[int, list[int] | None]:
    """Per programme whose red candidates (their ``risk_rank``) exceed its budget of
    its ``judged`` students: the rank of the last one kept red, or None when none is."""
    cuts: dict[int, list[int] | None] = {}
    for programme_id, ranks in candidates.items():
        allowed = budgets.of(programme_id).red_allowed(judged.get(programme_id, 0))
        if len(ranks) > allowed:
            cuts[programme_id] = sorted(ranks, reverse=True)[allowed - 1] if allowed else None
    return cuts


def budget_signals(
    signals: list[Signal],
    *,
    rank: list[int],
    programme_id: int,
    cuts: dict[int, list[int] | None],
    budgets: FlagBudgets,
) -> list[Signal]:
    """A student's signals as their flag shows them within the budget: red kept when
    within the programme's cut; beyond it, the red signals shown amber and marked so
    (``over_budget``), or nothing when the programme shows no amber; amber signals
    alone shown only when it does. Empty: no flag."""
    if not signals:
        return signals
    budget = budgets.of(programme_id)
    if flag_severity(signals) == FlagSeverity.RED:
        if programme_id not in cuts:
            return signals
        cut = cuts[programme_id]
        if cut is not None and rank >= cut:
            return signals
        if not budget.amber_shown:
            return []
        return [
            replace(signal, severity=FlagSeverity.AMBER, over_budget=True)
            if signal.severity == FlagSeverity.RED
            else signal
            for signal in signals
        ]
    return signals if budget.amber_shown else []


def budget_apply(
    signals: dict[int, list[Signal]],
    programmes: dict[int, tuple[int, ...]],
    budgets: FlagBudgets,
) -> dict[int, list[Signal]]:
    """Every judged student's signals of a day (``programmes``: each judged student's
    programmes) within the budget, all at once (the backtest; the nightly run does the
    same in its rounds). Students left with no signal are left out."""
    judged: dict[int, int] = {}
    for enrolled in programmes.values():
        judged[enrolled[0]] = judged.get(enrolled[0], 0) + 1
    candidates: dict[int, list[list[int]]] = {}
    for student_id, found in signals.items():
        if found and flag_severity(found) == FlagSeverity.RED:
            candidates.setdefault(programmes[student_id][0], []).append(
                risk_rank(found, student_id)
            )
    cuts = red_cuts(candidates, judged, budgets)
    kept = {}
    for student_id, found in signals.items():
        shown = budget_signals(
            found,
            rank=risk_rank(found, student_id),
            programme_id=programmes[student_id][0],
            cuts=cuts,
            budgets=budgets,
        )
        if shown:
            kept[student_id] = shown
    return kept
