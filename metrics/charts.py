"""The scorecard's and the dashboard's charts, drawn on the server as SVG coordinates
(no scripts or inline styles under our CSP; colours are classes in static/css/app.css):
a sparkline of one figure over the last periods, and the team's composite over the
last periods (its median and the middle half of the mentors around it). The templates
``metrics/_sparkline.html`` and ``metrics/_team_chart.html`` draw them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext

from .periods import Period, PeriodKind


def _short_label(period: Period) -> str:
    """A period in a few letters, under a chart's axis (the full label is its title)."""
    if period.kind == PeriodKind.WEEK:
        return date_format(period.start, "j M")
    if period.kind == PeriodKind.MONTH:
        return date_format(period.start, "M")
    quarter = (period.start.month - 1) // 3 + 1
    return gettext("Q%(quarter)d") % {"quarter": quarter}


def _scale(value: float, low: float, high: float, top: float, bottom: float) -> float:
    """``value`` between ``low`` and ``high`` as a y coordinate (``top`` is ``high``)."""
    if high <= low:
        return round((top + bottom) / 2, 1)
    return round(bottom - (value - low) / (high - low) * (bottom - top), 1)


def _runs(points: Sequence["ChartPoint"]) -> list[str]:
    """Polyline ``points`` attributes, broken where a period has no value."""
    runs, current = [], []
    for point in points:
        if point.y is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{point.x},{point.y}")
    if current:
        runs.append(current)
    return [" ".join(run) for run in runs]


@dataclass(frozen=True)
class ChartPoint:
    period: Period
    value: float | None
    x: float
    y: float | None  # None: no value in that period
    text: str = ""  # the value in words, for its title and the chart's description

    @property
    def label(self) -> str:
        return self.period.label


# --- Sparkline: one figure over the last periods --------------------------------------

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 3


@dataclass(frozen=True)
class Sparkline:
    points: list[ChartPoint]
    lines: list[str]  # one polyline per unbroken run of values
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

    @property
    def last(self) -> ChartPoint | None:
        """The latest point with a value (drawn as a dot)."""
        shown = [point for point in self.points if point.y is not None]
        return shown[-1] if shown else None

    @property
    def empty(self) -> bool:
        return self.last is None

    @property
    def summary(self) -> str:
        """Every period with its value in words, for those who cannot see the line."""
        return "; ".join(f"{point.label}: {point.text}" for point in self.points)


def sparkline(
    trend: Sequence[tuple[Period, float | None]],
    *,
    low: float | None = None,
    high: float | None = None,
    text: Callable[[float | None], str] = str,
) -> Sparkline:
    """A figure's values over periods (oldest first) as a small line, scaled between
    ``low`` (by default the least value) and ``high`` (by default the greatest), each
    value in words by ``text``."""
    values = [value for _period, value in trend if value is not None]
    low = min(values, default=0.0) if low is None else low
    high = max(values, default=0.0) if high is None else high
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(trend) - 1, 1)
    points = [
        ChartPoint(
            period=period,
            value=value,
            x=round(SPARK_PAD + index * step, 1),
            y=None
            if value is None
            else _scale(value, low, high, SPARK_PAD, SPARK_HEIGHT - SPARK_PAD),
            text=text(value),
        )
        for index, (period, value) in enumerate(trend)
    ]
    return Sparkline(points=points, lines=_runs(points))


# --- The team's composite over the last periods ---------------------------------------

TEAM_WIDTH, TEAM_HEIGHT = 360, 180
TEAM_TOP, TEAM_BOTTOM, TEAM_LEFT, TEAM_RIGHT = 10, 24, 30, 12
# Composite scores are percentiles: the scale is always 0 to 100.
TEAM_SCALE = (0, 50, 100)


@dataclass(frozen=True)
class TeamPeriod:
    """The team's composites in one period: how many mentors have one, their median
    and the middle half of them (from the first to the third quartile)."""

    period: Period
    mentors: int
    median: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class GridLine:
    value: int
    y: float


@dataclass(frozen=True)
class AxisLabel:
    text: str
    title: str
    x: float


@dataclass(frozen=True)
class TeamChart:
    periods: list[TeamPeriod]
    points: list[ChartPoint]  # the median
    lines: list[str]
    band: list[str]  # polygons of the middle half, one per unbroken run
    grid: list[GridLine]
    labels: list[AxisLabel]
    width: int = TEAM_WIDTH
    height: int = TEAM_HEIGHT
    left: int = TEAM_LEFT
    right: int = TEAM_WIDTH - TEAM_RIGHT
    label_y: int = TEAM_HEIGHT - 6

    @property
    def scale_x(self) -> int:
        return self.left - 4

    @property
    def empty(self) -> bool:
        return all(point.y is None for point in self.points)


def team_chart(
    periods: Sequence[TeamPeriod], *, text: Callable[[float | None], str] = str
) -> TeamChart:
    """The team's median composite as a line over the periods, the middle half of the
    mentors as a band around it, on the composite's scale of 0 to 100."""
    top, bottom = TEAM_TOP, TEAM_HEIGHT - TEAM_BOTTOM
    step = (TEAM_WIDTH - TEAM_LEFT - TEAM_RIGHT) / max(len(periods) - 1, 1)
    low, high = TEAM_SCALE[0], TEAM_SCALE[-1]
    points, band, upper, lower = [], [], [], []
    for index, each in enumerate(periods):
        x = round(TEAM_LEFT + index * step, 1)
        median_y = None if each.median is None else _scale(each.median, low, high, top, bottom)
        points.append(
            ChartPoint(
                period=each.period, value=each.median, x=x, y=median_y, text=text(each.median)
            )
        )
        if each.upper is None or each.lower is None:
            if upper:
                band.append(_polygon(upper, lower))
            upper, lower = [], []
            continue
        upper.append(f"{x},{_scale(each.upper, low, high, top, bottom)}")
        lower.append(f"{x},{_scale(each.lower, low, high, top, bottom)}")
    if upper:
        band.append(_polygon(upper, lower))
    return TeamChart(
        periods=list(periods),
        points=points,
        lines=_runs(points),
        band=band,
        grid=[GridLine(value, _scale(value, low, high, top, bottom)) for value in TEAM_SCALE],
        labels=[
            AxisLabel(text=_short_label(point.period), title=point.period.label, x=point.x)
            for point in points
        ],
    )


def _polygon(upper: list[str], lower: list[str]) -> str:
    """The band's outline: along the upper edge, back along the lower one. A band of
    one period is widened a little so it shows."""
    if len(upper) == 1:
        (x, y_upper), (_x, y_lower) = upper[0].split(","), lower[0].split(",")
        left, right = round(float(x) - 2, 1), round(float(x) + 2, 1)
        return f"{left},{y_upper} {right},{y_upper} {right},{y_lower} {left},{y_lower}"
    return " ".join([*upper, *reversed(lower)])
