"""The backtest: the flagging rules replayed over history, with how many students
they would have flagged and how many of those who left they caught in time."""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Exists, OuterRef

from mentorship.models import Role, StudentStatus, StudentStatusChange, User
from mentorship.selectors import student_status_since

from ..models import (
    FlagSettings,
)
from .judgement import flaggable_student_ids, risk_judgement
from .signals import SignalName, cohort_activity_add, cohort_ratios


@dataclass
class BacktestDay:
    """One as-of day of a backtest: how many students were judged and how many the
    signals flagged, in all and per signal."""

    as_of: date
    judged: int
    flagged: int
    by_signal: dict[str, int]

    @property
    def share(self) -> float:
        return self.flagged / self.judged if self.judged else 0.0


@dataclass
class BacktestOutcome:
    """What a rule set (all signals together, or one signal) would have told staff:
    of the students who later dropped, how many it flagged before they dropped and how
    long before (lead times in days, from the first as-of day it flagged them to the day
    they dropped); of the others, how many it flagged all the same (false alarms)."""

    dropped: int
    caught: int
    lead_days: list[int]
    not_dropped: int
    false_alarms: int

    @property
    def median_lead_days(self) -> float | None:
        return median(self.lead_days) if self.lead_days else None

    def as_dict(self) -> dict:
        return {
            "dropped": self.dropped,
            "caught": self.caught,
            "median_lead_days": self.median_lead_days,
            "not_dropped": self.not_dropped,
            "false_alarms": self.false_alarms,
        }


@dataclass
class FlagBacktest:
    """The signals replayed over history (``flag_backtest``). Students counted in the
    outcomes are those judged on at least one as-of day; one who dropped, on the day
    their current status took effect (``student_status_since``). A dropped student
    whose history holds nothing before the drop (a drop recorded before the portal kept
    dates, which the move to the dated history dated the day they joined) was never
    active by it, so is never judged and only counted in ``drop_date_unknown``."""

    start: date
    end: date
    every: int
    days: list[BacktestDay]
    overall: BacktestOutcome
    by_signal: dict[str, BacktestOutcome]
    drop_date_unknown: int

    @property
    def share_mean(self) -> float:
        return sum(day.share for day in self.days) / len(self.days) if self.days else 0.0

    @property
    def share_max(self) -> float:
        return max((day.share for day in self.days), default=0.0)

    def signal_share_mean(self, name: str) -> float:
        shares = [day.by_signal[name] / day.judged for day in self.days if day.judged]
        return sum(shares) / len(self.days) if self.days else 0.0

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "every_days": self.every,
            "dates_evaluated": len(self.days),
            "flagged_share_mean": round(self.share_mean, 4),
            "flagged_share_max": round(self.share_max, 4),
            "drop_date_unknown": self.drop_date_unknown,
            "overall": self.overall.as_dict(),
            "signals": {
                name: {
                    **outcome.as_dict(),
                    "flagged_share_mean": round(self.signal_share_mean(name), 4),
                }
                for name, outcome in self.by_signal.items()
            },
            "days": [
                {
                    "as_of": day.as_of.isoformat(),
                    "judged": day.judged,
                    "flagged": day.flagged,
                    "share": round(day.share, 4),
                    "signals": day.by_signal,
                }
                for day in self.days
            ],
        }


BACKTEST_CHUNK_SIZE = 2000


def flag_backtest(
    *,
    start: date,
    end: date,
    every: int = 7,
    thresholds: FlagSettings | None = None,
    chunk_size: int = BACKTEST_CHUNK_SIZE,
) -> FlagBacktest:
    """Replay the at-risk signals on every ``every``-th day from ``start`` to ``end``
    exactly as the nightly job would have judged them then (``flaggable_student_ids``
    and ``risk_judgement`` in chunks, the drops against the programmes' activity, from
    data up to each day only), and score them against what
    happened: who later dropped. Reads only, writes nothing (not even the settings
    row): staff use it to tune the thresholds before changing them."""
    if every < 1:
        raise ValueError("every must be at least one day")
    if end < start:
        raise ValueError("end must not be before start")
    if thresholds is None:
        thresholds = FlagSettings.objects.filter(pk=1).first() or FlagSettings()
    first_flagged: dict[str | None, dict[int, date]] = {
        name: {} for name in (None, *SignalName.ALL)
    }
    judged_ids: set[int] = set()
    days: list[BacktestDay] = []
    as_of = start
    while as_of <= end:
        ids = list(flaggable_student_ids(as_of=as_of))
        judged_ids.update(ids)
        day = BacktestDay(as_of, len(ids), 0, dict.fromkeys(SignalName.ALL, 0))
        judgements = [
            risk_judgement(
                student_ids=ids[offset : offset + chunk_size], as_of=as_of, thresholds=thresholds
            )
            for offset in range(0, len(ids), chunk_size)
        ]
        activity: dict[int, list[int]] = {}
        for judgement in judgements:
            cohort_activity_add(activity, judgement.activity)
        cohort = cohort_ratios(activity, thresholds)
        for judgement in judgements:
            found = judgement.resolve(cohort=cohort, thresholds=thresholds)
            for student_id, signals in found.items():
                day.flagged += 1
                first_flagged[None].setdefault(student_id, as_of)
                for name in {signal.name for signal in signals}:
                    day.by_signal[name] += 1
                    first_flagged[name].setdefault(student_id, as_of)
        days.append(day)
        as_of += timedelta(days=every)

    # A student is judged only while their status was active, so every flag above came
    # before the drop (``flaggable_student_ids``). A drop with nothing before it in the
    # history was never dated (see ``FlagBacktest``). One query.
    dropped: dict[int, date] = {}
    unknown = 0
    for student_id, dropped_on, dated in (
        User.objects.filter(role=Role.STUDENT, student_profile__status=StudentStatus.DROPPED)
        .annotate(
            dropped_on=student_status_since(),
            dated=Exists(
                StudentStatusChange.objects.filter(student_id=OuterRef("pk")).exclude(
                    status=StudentStatus.DROPPED
                )
            ),
        )
        .order_by()
        .values_list("pk", "dropped_on", "dated")
    ):
        if dropped_on is not None and student_id in judged_ids:
            dropped[student_id] = dropped_on
        elif not dated:
            unknown += 1
    not_dropped = judged_ids - dropped.keys()

    def outcome(first: dict[int, date]) -> BacktestOutcome:
        leads = sorted(
            (drop_day - first[student_id]).days
            for student_id, drop_day in dropped.items()
            if student_id in first
        )
        return BacktestOutcome(
            dropped=len(dropped),
            caught=len(leads),
            lead_days=leads,
            not_dropped=len(not_dropped),
            false_alarms=sum(1 for student_id in not_dropped if student_id in first),
        )

    return FlagBacktest(
        start=start,
        end=end,
        every=every,
        days=days,
        overall=outcome(first_flagged[None]),
        by_signal={name: outcome(first_flagged[name]) for name in SignalName.ALL},
        drop_date_unknown=unknown,
    )
