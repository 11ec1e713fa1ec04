"""A student's activity over time: the daily and weekly series (page and API) and the
weekly chart on the student's file, drawn on the server as SVG."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from mentorship.models import DailyActivity, User

from .models import (
    RiskFlag,
)


@dataclass
class ActivitySeries:
    """A student's engagement from ``start`` to ``end`` (their local days, both
    included): every day with its count, zeros included, and the totals of the weeks
    (Monday to Sunday) those days fall in, counting only days inside the range."""

    start: date
    end: date
    days: list[tuple[date, int]]
    weeks: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(events for _day, events in self.days)


def activity_series(*, student: User, start: date, end: date) -> ActivitySeries:
    """From the daily rollup (``DailyActivity``), never the raw events: one query."""
    counts = dict(
        DailyActivity.objects.filter(student=student, day__range=(start, end))
        .order_by()
        .values_list("day", "events")
    )
    days = [
        (start + timedelta(days=offset), counts.get(start + timedelta(days=offset), 0))
        for offset in range((end - start).days + 1)
    ]
    weeks: dict[date, int] = {}
    for day, events in days:
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + events
    return ActivitySeries(start=start, end=end, days=days, weeks=list(weeks.items()))


# The weekly chart on the student's file: bars drawn server-side as SVG (no scripts
# or inline styles under our CSP), coloured by classes in static/css/app.css.
CHART_WEEKS = 16


CHART_WIDTH, CHART_HEIGHT = 640, 160


CHART_TOP, CHART_BOTTOM = 16, 24  # room for the top value and the week labels


@dataclass(frozen=True)
class ChartBar:
    week: date  # its Monday
    events: int
    x: float
    y: float
    width: float
    height: float
    flagged: bool  # the flag was open during that week
    label: str  # the week's date under the bar, every fourth week; else empty
    slot_x: float  # the week's whole column, shaded behind the bar when flagged
    slot_width: float

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class ActivityChart:
    bars: list[ChartBar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    baseline_y: int = CHART_HEIGHT - CHART_BOTTOM
    label_y: int = CHART_HEIGHT - 6
    top: int = CHART_TOP
    room: int = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    @property
    def total(self) -> int:
        return sum(bar.events for bar in self.bars)


def flag_activity_chart(
    *, flag: RiskFlag, today: date | None = None, weeks: int = CHART_WEEKS
) -> ActivityChart:
    """The student's events per week over the last ``weeks`` weeks up to ``today``
    (from the daily rollup: one query), the weeks the flag was open marked."""
    today = today or timezone.localdate()
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    series = activity_series(student=flag.student, start=start, end=today)
    flag_end = flag.resolved_on or today
    peak = max((events for _week, events in series.weeks), default=0)
    slot = CHART_WIDTH / max(len(series.weeks), 1)
    room = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, (monday, events) in enumerate(series.weeks):
        height = round(room * events / peak, 1) if peak else 0
        bars.append(
            ChartBar(
                week=monday,
                events=events,
                x=round(index * slot + slot * 0.15, 1),
                y=round(CHART_TOP + room - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                flagged=monday <= flag_end and monday + timedelta(days=6) >= flag.opened_on,
                label=date_format(monday, "j M") if index % 4 == 0 else "",
                slot_x=round(index * slot, 1),
                slot_width=round(slot, 1),
            )
        )
    return ActivityChart(bars=bars, peak=peak)
