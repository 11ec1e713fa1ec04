"""Recompute the scorecards' snapshots of a range of closed periods, e.g. after
correcting data or changing a metric's definition:

    manage.py recompute_scorecards 2026-07 2026-10
    manage.py recompute_scorecards 2026-W30 2026-W42 --zone Europe/Moscow

Both ends are included; periods not final yet (running, or closed less than two days
ago) are skipped: pages compute them live."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from metrics.periods import Period
from metrics.scorecards import is_final, scorecard_zones, snapshot_period


class Command(BaseCommand):
    help = "Recompute the scorecards' snapshots of a range of closed periods."

    def add_arguments(self, parser):
        parser.add_argument("first", help="The first period: 2026-W42, 2026-10 or 2026-Q4.")
        parser.add_argument("last", nargs="?", help="The last period, of the same kind.")
        parser.add_argument(
            "--zone",
            action="append",
            help="A calendar to compute on (repeat it); all readers' calendars by default.",
        )

    def handle(self, *args, first, last=None, zone=None, **options):
        try:
            start = Period.parse(first)
            end = Period.parse(last or first)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if start.kind != end.kind or end < start:
            raise CommandError("Give two periods of the same kind, the earlier first.")
        zones = zone or scorecard_zones()
        for name in zones:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise CommandError(f"Unknown time zone: {name}") from None
        periods = [start]
        while periods[-1] < end:
            periods.append(periods[-1].following())
        work = []
        for name in zones:
            today = timezone.now().astimezone(ZoneInfo(name)).date()
            work.extend((period, name) for period in periods if is_final(period, today))
        skipped = len(periods) * len(zones) - len(work)
        figures = 0
        with tqdm(total=len(work), unit="period", disable=options["verbosity"] == 0) as bar:
            for period, name in work:
                bar.set_description(f"{period.key} {name}")
                figures += snapshot_period(period, name)
                bar.update()
        self.stdout.write(
            f"Recomputed {len(work)} period(s), {figures} figures"
            + (f"; {skipped} not final yet, skipped." if skipped else ".")
        )
