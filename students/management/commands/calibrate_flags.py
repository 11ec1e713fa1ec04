"""``manage.py calibrate_flags [--weeks 52] [--horizon 28] [--apply] [--json]``: choose
the red rule that would have caught the most withdrawals within the budget on the
school's history (``students.risk.calibration``), show it beside the rule in force for
the school and each programme, and with ``--apply`` put it into force. The report is
kept either way (admin: flag calibrations)."""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...risk.backtest import DEFAULT_HORIZON_DAYS
from ...risk.calibration import (
    DEFAULT_WEEKS,
    calibration_apply,
    calibration_record,
    flag_calibrate,
)

# Candidates shown under each choice, best first.
SHOWN_CANDIDATES = 5


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _row(label: str, figures: dict) -> str:
    lift = figures.get("lift")
    lead = figures.get("median_lead_days")
    recall = f"{_percent(figures.get('recall'))} {figures.get('caught', 0)}/" + str(
        figures.get("withdrawals", 0)
    )
    return (
        f"  {label[:44]:<44}{_percent(figures.get('precision')):>10}"
        f"{recall:>16}"
        f"{'-' if lift is None else f'{lift:.1f}x':>7}"
        f"{_percent(figures.get('share_mean')):>9}{_percent(figures.get('share_worst')):>8}"
        f"{'-' if lead is None else f'{lead:g} d':>7}"
    )


class Command(BaseCommand):
    help = (
        "Replay the school's history, try every candidate red rule on the weeks held "
        "out, within the budget, and choose the one that catches the most withdrawals, "
        "for the school and each programme. --apply puts the choice into force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--weeks", type=int, default=DEFAULT_WEEKS, help="Weeks of history replayed."
        )
        parser.add_argument(
            "--horizon",
            type=int,
            default=DEFAULT_HORIZON_DAYS,
            help="A flag is right when the student withdraws within this many days.",
        )
        parser.add_argument("--apply", action="store_true", help="Put the choice into force.")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.FLAG_PARTS,
            help="Days of history replayed at once, each on a connection of its own.",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print JSON for machines."
        )

    def handle(self, *args, weeks, horizon, apply, as_json, workers, **options):
        if weeks < 3:
            raise CommandError("--weeks must be at least 3: two to learn from, one to judge.")
        if horizon < 1:
            raise CommandError("--horizon must be at least 1.")
        started = time.monotonic()
        calibration = flag_calibrate(weeks=weeks, horizon=horizon, workers=max(1, workers))
        seconds = time.monotonic() - started
        if apply:
            calibration_apply(calibration)
        calibration_record(calibration, weeks=weeks, applied=apply)
        if as_json:
            self.stdout.write(
                json.dumps({**calibration.as_dict(), "seconds": round(seconds, 1)}, indent=2)
            )
            return
        write = self.stdout.write
        report = calibration.as_dict()
        write(
            f"Calibrated in {seconds:.0f} s on {len(calibration.train_days)} weeks to learn "
            f"from ({report['train'][0] if report['train'] else '-'} to "
            f"{report['train'][1] if report['train'] else '-'}) and "
            f"{len(calibration.held_out_days)} held out to judge on; a red flag is right "
            f"when the student withdraws within {horizon} days."
        )
        header = (
            f"  {'red rule':<44}{'precision':>10}{'recall':>16}{'lift':>7}"
            f"{'flagged':>9}{'worst':>8}{'lead':>7}"
        )
        for group in [report["overall"], *report["programmes"]]:
            write("")
            write(f"{group['title'] or 'All programmes'}:")
            write(header)
            write(_row(f"in force: {group['current']['rule']}", group["current"]))
            if group["chosen"] is None:
                write(f"  No choice of its own: {group['fallback_text']}.")
            else:
                write(_row(f"chosen: {group['chosen']['rule']}", group["chosen"]))
            for candidate in group["candidates"][:SHOWN_CANDIDATES]:
                write(_row(candidate["rule"], candidate))
        write("")
        write(
            "Put into force." if apply else "Nothing changed: --apply puts the choice into force."
        )
