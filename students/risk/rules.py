"""What makes a flag red: the red rule of the school (the flag settings) or of a
programme (its flag budget). The default reads the signals' own levels: a flag is red
when a signal crossed its red threshold. A calibration on the school's history
(``students.risk.calibration``) may put another in its place:

- **conditions**: red when any of a list of conditions holds, each one or more signals
  seen together at a level and, if it says so, from a value ("behind plan and inactive
  together", "no activity for 21 days or more"); the default is one condition per
  signal, at its red level;
- **score**: a risk score learned from the history (a logistic regression over the
  signals' values, ``signal_features``): red from a probability of withdrawing.

Whatever the rule, a flag still names every signal with the student's value, baseline
and threshold; the signals a rule made red, or kept from being red, say so
(``Signal.crossed``). The rule also ranks the red students for the budget: a score by
its probability, the others by ``risk_rank``. Kept as JSON (``RedRule.as_json``); the
nightly run computes a score from its coefficients, without scikit-learn."""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext

from ..models import FlagSeverity
from .signals import Signal, SignalName

LEVELS = {FlagSeverity.AMBER: 1, FlagSeverity.RED: 2}
# Signals a rule remembers its answer for, at most (then it starts again).
MEMO_SIZE = 200_000


class RuleKind:
    CONDITIONS = "conditions"
    SCORE = "score"


def _feature_value(signal: Signal) -> float:
    """How far a signal went, on a scale the signals share: weeks idle or behind,
    the share of the usual activity lost, times the stalled limit, sessions missed,
    rounds of changes."""
    if signal.name in (SignalName.INACTIVITY, SignalName.BEHIND_PLAN):
        return float(signal.observed) / 7
    if signal.name == SignalName.ACTIVITY_DROP:
        return 1 - float(signal.observed) / float(signal.baseline) if signal.baseline else 1.0
    if signal.name == SignalName.STALLED_PROJECT:
        return float(signal.observed) / float(signal.threshold) if signal.threshold else 1.0
    return float(signal.observed)


# A score's inputs: each signal's value (0 when absent) and whether it crossed red.
FEATURES = tuple(name for signal in SignalName.ALL for name in (signal, f"{signal}:red"))


def signal_features(signals: list[Signal]) -> dict[str, float]:
    """A student's signals as a score's inputs (``FEATURES``), from the levels their
    thresholds are of."""
    features = dict.fromkeys(FEATURES, 0.0)
    for signal in signals:
        features[signal.name] = max(features[signal.name], _feature_value(signal))
        if (signal.crossed or signal.severity) == FlagSeverity.RED:
            features[f"{signal.name}:red"] = 1.0
    return features


def risk_rank(signals: list[Signal], student_id: int) -> list:
    """Who is more at risk, as a key that sorts higher for them: more red signals, then
    more signals, then more days without activity; the lower student id on a tie, so
    that the budget's cut is exact. A list, kept as JSON between the run's rounds."""
    idle = next(
        (int(signal.observed) for signal in signals if signal.name == SignalName.INACTIVITY), 0
    )
    reds = sum(1 for signal in signals if signal.severity == FlagSeverity.RED)
    return [reds, len(signals), idle, -student_id]


@dataclass(frozen=True)
class Condition:
    """Signals seen together, each at least at a level (and from a value)."""

    # (signal, level, at least this value or None)
    parts: tuple[tuple[str, str, float | None], ...]

    def holds(self, signals: list[Signal]) -> list[Signal] | None:
        """The signals that make it hold, or None."""
        found = []
        for name, level, at_least in self.parts:
            match = next(
                (
                    signal
                    for signal in signals
                    if signal.name == name
                    and LEVELS[signal.crossed or signal.severity] >= LEVELS[level]
                    and (at_least is None or signal.observed >= at_least)
                ),
                None,
            )
            if match is None:
                return None
            found.append(match)
        return found

    def as_json(self) -> list:
        return [list(part) for part in self.parts]

    @classmethod
    def from_json(cls, parts: list) -> "Condition":
        return cls(tuple((name, level, at_least) for name, level, at_least in parts))

    def describe(self) -> str:
        """In words, in the active language: "inactive (red) + behind plan"."""
        words = []
        for name, level, at_least in self.parts:
            word = SignalName.label(name)
            if level != FlagSeverity.AMBER:
                word = pgettext("a signal at its red level", "%(signal)s (red)") % {"signal": word}
            if at_least is not None:
                word = pgettext("a signal from a value", "%(signal)s ≥ %(value)s") % {
                    "signal": word,
                    "value": f"{at_least:g}",
                }
            words.append(word)
        return " + ".join(words)


DEFAULT_CONDITIONS = tuple(Condition(((name, FlagSeverity.RED, None),)) for name in SignalName.ALL)


@dataclass(frozen=True)
class RedRule:
    """See the module. The default: ``RedRule()``."""

    kind: str = RuleKind.CONDITIONS
    conditions: tuple[Condition, ...] = DEFAULT_CONDITIONS
    # A score: its coefficients by feature, intercept, and the probability red starts at.
    coefficients: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0
    cutoff: float = 1.0
    # What the rule found for signals it has read (they are asked about several times
    # a night, and the calibration reads millions): signals -> the red ones' places.
    _memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def is_default(self) -> bool:
        return self.kind == RuleKind.CONDITIONS and self.conditions == DEFAULT_CONDITIONS

    def probability(self, signals: list[Signal]) -> float:
        """A score's probability that the student withdraws within the horizon."""
        features = signal_features(signals)
        total = self.intercept + sum(
            weight * features.get(name, 0.0) for name, weight in self.coefficients.items()
        )
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, total))))

    def _red_places(self, signals: list[Signal]) -> tuple[float, tuple[int, ...] | None]:
        """A score's probability (0 for conditions) and the places of the signals that
        make the flag red (None when it is not), remembered."""
        key = tuple(signals)
        found = self._memo.get(key)
        if found is not None:
            return found
        if self.kind == RuleKind.SCORE:
            probability = self.probability(signals)
            places = None
            if probability >= self.cutoff:
                places = tuple(
                    place
                    for place, signal in enumerate(signals)
                    if self.coefficients.get(signal.name, 0.0) > 0
                    or self.coefficients.get(f"{signal.name}:red", 0.0) > 0
                ) or tuple(range(len(signals)))
            found = (probability, places)
        else:
            made: list[int] = []
            for condition in self.conditions:
                holding = condition.holds(signals)
                if holding:
                    made += [
                        place
                        for place, signal in enumerate(signals)
                        if signal in holding and place not in made
                    ]
            found = (0.0, tuple(made) if made else None)
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = found
        return found

    def _red_signals(self, signals: list[Signal]) -> list[Signal] | None:
        """The signals that make the flag red, or None when it is not."""
        places = self._red_places(signals)[1]
        return None if places is None else [signals[place] for place in places]

    def is_red(self, signals: list[Signal]) -> bool:
        return bool(signals) and self._red_signals(signals) is not None

    def shown(self, signals: list[Signal]) -> list[Signal]:
        """The signals at the levels the flag shows them: those that make it red, red;
        any other red one amber (the rule does not make it red on its own). With the
        default rule, the signals as they are."""
        if self.is_default or not signals:
            return signals
        red = self._red_places(signals)[1] or ()
        return [
            signal.shown_as(FlagSeverity.RED, "rule")
            if place in red
            else signal.shown_as(FlagSeverity.AMBER, "rule")
            if signal.severity == FlagSeverity.RED
            else signal
            for place, signal in enumerate(signals)
        ]

    def rank(self, signals: list[Signal], student_id: int) -> list:
        """Who is more at risk, for the budget's cut (see ``risk_rank``)."""
        if self.kind == RuleKind.SCORE:
            return [round(self._red_places(signals)[0], 12), -student_id]
        return risk_rank(signals, student_id)

    def describe(self) -> str:
        """In words, in the active language (conditions separated by " | ": any)."""
        if self.kind == RuleKind.SCORE:
            return gettext("learned risk score ≥ %(cutoff)s") % {"cutoff": f"{self.cutoff:.3f}"}
        if self.is_default:
            return gettext("any red signal (the default)")
        return " | ".join(condition.describe() for condition in self.conditions)

    def as_json(self) -> dict:
        if self.is_default:
            return {}
        if self.kind == RuleKind.SCORE:
            return {
                "kind": self.kind,
                "coefficients": self.coefficients,
                "intercept": self.intercept,
                "cutoff": self.cutoff,
            }
        return {"kind": self.kind, "conditions": [each.as_json() for each in self.conditions]}

    @classmethod
    def from_json(cls, data: dict | None) -> "RedRule":
        if not data:
            return cls()
        if data["kind"] == RuleKind.SCORE:
            return cls(
                kind=RuleKind.SCORE,
                conditions=(),
                coefficients={name: float(value) for name, value in data["coefficients"].items()},
                intercept=float(data["intercept"]),
                cutoff=float(data["cutoff"]),
            )
        return cls(conditions=tuple(Condition.from_json(each) for each in data["conditions"]))
