"""The periods figures are computed for: a week (Monday to Sunday), a month or a
quarter, on the reader's calendar. A period is dates; its moments are taken in a time
zone (``bounds``), so "October" for a mentor in Moscow starts three hours before
October in London. Written as the API and the pages name them: ``2026-W42``,
``2026-10``, ``2026-Q4``."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

from django.db.models import TextChoices
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mentorship.messages import date_param, message_param

WEEK_LABEL = _("Week of %(day)s")
QUARTER_LABEL = _("Q%(quarter)d %(year)d")


class PeriodKind(TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


@lru_cache(maxsize=4096)
def _label(start: date, kind: str, language: str | None) -> str:
    """A period in words in ``language`` (the active one): remembered, as a scorecard
    names each period of each figure's trend, and formatting a date is slow."""
    if kind == PeriodKind.WEEK:
        return WEEK_LABEL % {"day": date_format(start, "j E Y")}
    if kind == PeriodKind.MONTH:
        return date_format(start, "F Y")
    quarter = (start.month - 1) // 3 + 1
    return QUARTER_LABEL % {"quarter": quarter, "year": start.year}


def _label_param(start: date, kind: str) -> dict:
    """``_label`` kept for a notification, rendered in its reader's language."""
    if kind == PeriodKind.WEEK:
        return message_param(WEEK_LABEL, {"day": date_param(start, "j E Y")})
    if kind == PeriodKind.MONTH:
        return date_param(start, "F Y")
    quarter = (start.month - 1) // 3 + 1
    return message_param(QUARTER_LABEL, {"quarter": quarter, "year": start.year})


_KEYS = {
    PeriodKind.WEEK: re.compile(r"^(\d{4})-W(\d{2})$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
}


def _month_start(year: int, month: int) -> date:
    """The first of a month, counting months past December into the next years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


@dataclass(frozen=True, order=True)
class Period:
    """Days ``start`` up to ``end`` (excluded) of one week, month or quarter."""

    start: date
    end: date
    kind: str

    @classmethod
    def containing(cls, day: date, kind: str) -> "Period":
        """The period of this kind that ``day`` falls in."""
        if kind == PeriodKind.WEEK:
            start = day - timedelta(days=day.weekday())
            return cls(start, start + timedelta(days=7), PeriodKind.WEEK)
        if kind == PeriodKind.MONTH:
            start = day.replace(day=1)
            return cls(start, _month_start(day.year, day.month + 1), PeriodKind.MONTH)
        if kind == PeriodKind.QUARTER:
            start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            return cls(start, _month_start(start.year, start.month + 3), PeriodKind.QUARTER)
        raise ValueError(f"Unknown kind of period: {kind!r}")

    @classmethod
    def parse(cls, key: str) -> "Period":
        """The period a key names (``2026-W42``, ``2026-10``, ``2026-Q4``); ValueError
        for anything else, an ISO week that does not exist included."""
        for kind, pattern in _KEYS.items():
            found = pattern.match(key or "")
            if not found:
                continue
            year, number = int(found[1]), int(found[2])
            try:
                if kind == PeriodKind.WEEK:
                    return cls.containing(date.fromisocalendar(year, number, 1), kind)
                if kind == PeriodKind.MONTH:
                    return cls.containing(date(year, number, 1), kind)
                return cls.containing(date(year, 3 * number - 2, 1), kind)
            except ValueError:
                break  # a 13th month, a 53rd week in a year of 52
        raise ValueError(f"Not a period: {key!r} (2026-W42, 2026-10 or 2026-Q4)")

    @cached_property
    def key(self) -> str:
        # Cached: a page of scorecards asks each period's key thousands of times.
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        """The period in words, in the active language."""
        return _label(self.start, self.kind, get_language())

    @property
    def label_param(self) -> dict:
        """The label as a notification's parameter (mentorship.messages)."""
        return _label_param(self.start, self.kind)

    def previous(self) -> "Period":
        return Period.containing(self.start - timedelta(days=1), self.kind)

    def following(self) -> "Period":
        return Period.containing(self.end, self.kind)

    def last(self, count: int) -> list["Period"]:
        """The ``count`` periods that end with this one, oldest first (a trend)."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The first moment of the period and the first after it, in ``zone``."""
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def is_closed(self, today: date) -> bool:
        """Whether the period is over on ``today`` (figures of a closed period no
        longer change, so they can be kept)."""
        return self.end <= today
