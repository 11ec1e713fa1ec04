"""``manage.py backtest_flags --from 2026-01-05 --to 2026-06-29 --every 7``: replay the
at-risk signals over history and see what they would have caught (``flag_backtest``).
Writes nothing; thresholds may be overridden for this run only, to try new ones."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ...models import FlagSettings
from ...risk.backtest import flag_backtest
from ...risk.signals import SignalName

# Command-line option -> FlagSettings field, for trying thresholds without saving them.
OVERRIDES = {
    "inactivity_amber": "inactivity_amber_days",
    "inactivity_red": "inactivity_red_days",
    "drop_amber": "drop_amber_percent",
    "drop_red": "drop_red_percent",
    "behind_plan": "behind_plan_days",
    "missed_sessions": "missed_sessions",
    "struggling": "struggling_changes_requested",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from error


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


class Command(BaseCommand):
    help = (
        "Replay the at-risk signals at each as-of date over history, without writing "
        "flags: drop-outs caught beforehand and the median lead time, false alarms, and "
        "the share of students flagged, overall and per signal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First as-of date.")
        parser.add_argument("--to", dest="end", required=True, help="Last as-of date.")
        parser.add_argument("--every", type=int, default=7, help="Days between as-of dates.")
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

    def handle(self, *args, start, end, every, as_json: bool = False, **options):
        start, end = _day(start), _day(end)
        if end < start:
            raise CommandError("--to must not be before --from.")
        if every < 1:
            raise CommandError("--every must be at least 1.")
        thresholds = FlagSettings.objects.filter(pk=1).first() or FlagSettings()
        for option, field_name in OVERRIDES.items():
            if options.get(option) is not None:
                setattr(thresholds, field_name, options[option])
        if thresholds.inactivity_red_days <= thresholds.inactivity_amber_days:
            raise CommandError("Inactivity red must come after amber.")
        if thresholds.drop_red_percent >= thresholds.drop_amber_percent:
            raise CommandError("Activity drop red must be below amber.")
        result = flag_backtest(start=start, end=end, every=every, thresholds=thresholds)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self._report(result)

    def _report(self, result) -> None:
        write = self.stdout.write
        write(
            f"Backtest from {result.start} to {result.end}, every {result.every} days: "
            f"{len(result.days)} dates evaluated."
        )
        write(
            f"Share of judged students flagged: mean {_percent(result.share_mean)}, "
            f"max {_percent(result.share_max)}."
        )
        if result.drop_date_unknown:
            write(f"{result.drop_date_unknown} dropped students have no drop date: never judged.")
        write("")
        write(f"{'as of':<12}{'judged':>9}{'flagged':>9}{'share':>8}")
        for day in result.days:
            share = _percent(day.share)
            write(f"{day.as_of.isoformat():<12}{day.judged:>9}{day.flagged:>9}{share:>8}")
        write("")
        header = (
            f"{'signal':<18}{'caught':>12}{'median lead':>13}"
            f"{'false alarms':>15}{'flagged share':>15}"
        )
        write(header)
        write("-" * len(header))
        rows = [("all signals", result.overall, result.share_mean)] + [
            (name, result.by_signal[name], result.signal_share_mean(name))
            for name in SignalName.ALL
        ]
        for name, outcome, share in rows:
            lead = outcome.median_lead_days
            write(
                f"{name:<18}{f'{outcome.caught}/{outcome.dropped}':>12}"
                f"{'-' if lead is None else f'{lead:g} d':>13}"
                f"{f'{outcome.false_alarms}/{outcome.not_dropped}':>15}"
                f"{_percent(share):>15}"
            )
        write("")
        write(
            "caught: dropped students flagged on an as-of date before they dropped; "
            "median lead: days from the first such date to the drop; false alarms: "
            "students who did not drop but were flagged at least once."
        )
