"""``manage.py backtest_flags [--from 2026-01-05] [--to 2026-06-29] [--every 7]
[--horizon 28] [--json]``: replay the at-risk signals over history and score them
against who withdrew within the horizon (``flag_backtest``). Writes nothing; thresholds
may be overridden for this run only, to try new ones."""

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from ...models import FlagSettings
from ...risk.backtest import (
    AMBER_MIN_LIFT,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_WEEKS,
    RuleName,
    backtest_latest_day,
    flag_backtest,
)

# Command-line option -> FlagSettings field, for trying thresholds without saving them.
OVERRIDES = {
    "inactivity_amber": "inactivity_amber_days",
    "inactivity_red": "inactivity_red_days",
    "drop_amber": "drop_amber_percent",
    "drop_red": "drop_red_percent",
    "behind_plan": "behind_plan_days",
    "missed_sessions": "missed_sessions",
    "struggling": "struggling_changes_requested",
    "red_share": "red_share_percent",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from error


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


class Command(BaseCommand):
    help = (
        "Replay the at-risk signals at each as-of date over history, without writing "
        "flags, and score red, amber, any flag and each signal against the students who "
        "withdrew within the horizon: base rate, precision, recall, lift, share of "
        "students flagged (mean and worst day) and median lead time, for all programmes "
        "and each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="start",
            help=f"First as-of date (default: {DEFAULT_WEEKS} weeks before --to).",
        )
        parser.add_argument(
            "--to",
            dest="end",
            help="Last as-of date (default: the last whose horizon is over).",
        )
        parser.add_argument("--every", type=int, default=7, help="Days between as-of dates.")
        parser.add_argument(
            "--horizon",
            type=int,
            default=DEFAULT_HORIZON_DAYS,
            help="A flag is right when the student withdraws within this many days.",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print JSON for machines."
        )
        for option, field_name in OVERRIDES.items():
            parser.add_argument(
                f"--{option.replace('_', '-')}",
                type=int,
                default=None,
                help=f"Try another value of {field_name} for this run only.",
            )
        parser.add_argument(
            "--no-amber",
            action="store_true",
            help="Try the flags without amber for this run only.",
        )

    def handle(
        self, *args, start, end, every, horizon, no_amber=False, as_json: bool = False, **options
    ):
        if every < 1:
            raise CommandError("--every must be at least 1.")
        if horizon < 1:
            raise CommandError("--horizon must be at least 1.")
        latest = backtest_latest_day(horizon)
        end = _day(end) if end else latest
        start = _day(start) if start else end - timedelta(weeks=DEFAULT_WEEKS)
        if end < start:
            raise CommandError("--to must not be before --from.")
        if start > latest:
            raise CommandError(
                f"No as-of date from {start} has its {horizon}-day horizon over yet: "
                f"the last that has is {latest}."
            )
        thresholds = FlagSettings.objects.filter(pk=1).first() or FlagSettings()
        for option, field_name in OVERRIDES.items():
            if options.get(option) is not None:
                setattr(thresholds, field_name, options[option])
        if no_amber:
            thresholds.amber_shown = False
        if not 0 <= thresholds.red_share_percent <= 100:
            raise CommandError("--red-share is a percentage, from 0 to 100.")
        if thresholds.inactivity_red_days <= thresholds.inactivity_amber_days:
            raise CommandError("Inactivity red must come after amber.")
        if thresholds.drop_red_percent >= thresholds.drop_amber_percent:
            raise CommandError("Activity drop red must be below amber.")
        result = flag_backtest(
            start=start, end=end, every=every, horizon=horizon, thresholds=thresholds
        )
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self._report(result)

    def _report(self, result) -> None:
        write = self.stdout.write
        write(
            f"Backtest of {len(result.days)} as-of dates from {result.days[0]} to "
            f"{result.days[-1]}, every {result.every} days; a flag is right when the "
            f"student withdraws within {result.horizon} days."
        )
        if result.days_left_out:
            write(f"{result.days_left_out} later dates left out: their horizon is not over.")
        if result.withdrawals_not_judged:
            write(
                f"{result.withdrawals_not_judged} withdrawals by students not judged in the "
                f"{result.horizon} days before (paused, just enrolled): no rule could catch them."
            )
        header = (
            f"{'rule':<18}{'precision':>10}{'recall':>14}{'lift':>7}"
            f"{'flagged':>9}{'worst':>8}{'lead':>7}"
        )
        for group in result.groups:
            write("")
            write(
                f"{group.title or 'All programmes'}: {group.judged} student-days judged, "
                f"{group.withdrawals} withdrawals, base rate {_percent(group.base_rate)}."
            )
            write(header)
            write("-" * len(header))
            for rule in RuleName.ALL:
                lift = group.lift(rule)
                lead = group.median_lead_days(rule)
                caught = f"{group.rules[rule].caught}/{group.withdrawals}"
                write(
                    f"{rule:<18}{_percent(group.precision(rule)):>10}"
                    f"{f'{_percent(group.recall(rule))} {caught}':>14}"
                    f"{'-' if lift is None else f'{lift:.1f}x':>7}"
                    f"{_percent(group.share_mean(rule)):>9}"
                    f"{_percent(group.share_worst(rule)):>8}"
                    f"{'-' if lead is None else f'{lead:g} d':>7}"
                )
            if group.amber_informative is False:
                write(
                    f"Amber carried little information here: a student it flagged was "
                    f"{group.lift(RuleName.AMBER):.1f}x as likely to withdraw as any, below "
                    f"{AMBER_MIN_LIFT:g}x. Consider showing no amber (flag settings, or this "
                    f"programme's flag budget)."
                )
        write("")
        write(
            "precision: flagged student-days followed by a withdrawal within the horizon; "
            "recall: withdrawals flagged at least once in the horizon before; lift: "
            "precision over the base rate; flagged: the mean share of judged students "
            "flagged on an as-of date (worst: the highest); lead: median days from the "
            "first flag to the withdrawal. amber: amber flags only (not red); any: amber "
            "or red."
        )
