"""Mentor scorecards: every metric of ``metrics.definitions`` folded into each mentor's
figure for a period, beside what was expected of the mentor's students, the mentor's
percentile among the mentors of the same programmes, the trend over the last periods
and the composite scores; the nightly snapshots of closed periods; who may read whose.

How a figure is made (``docs/metrics.md`` says it in plain words):

- **Figure.** A metric's rows (one per record) are folded per mentor: a mean (a share
  when outcomes are 0 and 1), a total, a median or a 90th percentile; ``n`` is the
  number of records. No records is "no data", except for counts of events, where none
  is a figure (0 articles published).
- **Expected.** For the students' success, each record is compared with records of
  students like it across the school: the same programme, the same stage in it
  (projects approved when the period began) and a similar band of weekly hours. The
  mentor's expected figure is the same fold over the stratum figures of their own
  records, so it is weighted like the mentor's own mix (indirect standardisation). A
  stratum of fewer than ``STRATUM_MIN_RECORDS`` records falls back to the programme
  and hours band, then the programme, then the whole school.
- **Percentile.** Among the mentors who share a programme with the mentor and have the
  figure: the share of them the mentor does better than (ties count half). Students'
  success is ranked on observed minus expected, so a mentor is neither rewarded nor
  penalised for the students they were given. Figures on fewer than
  ``COMPOSITE_MIN_RECORDS`` records are shown but not ranked.
- **Composite.** Per priority, the mean percentile of its ranked figures; overall, the
  priorities' composites weighted by ``ScorecardWeights`` (staff set them).

Closed periods are read from ``MetricSnapshot`` (the nightly ``snapshot_closed_periods``
writes them, ``recompute_scorecards`` rewrites any range); the current period is
computed live and kept in the cache for a few minutes."""

import bisect
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from mentorship.models import MentorProfile, Role, User
from mentorship.selectors import mentors_visible_to

from .definitions import (
    METRICS,
    METRICS_BY_KEY,
    SMALL_SAMPLE,
    Fold,
    Metric,
    Priority,
    Row,
    Window,
    windows_of,
)
from .models import MetricSnapshot, ScorecardWeights, SnapshotRun
from .periods import Period, PeriodKind

logger = logging.getLogger(__name__)

# A stratum needs this many records before its own figure is trusted as the expectation.
STRATUM_MIN_RECORDS = 5
# A figure on fewer records is shown as such ("2 of 3") but not ranked or scored.
COMPOSITE_MIN_RECORDS = 3
# Digits a score is compared on when mentors are ranked.
SCORE_DIGITS = 9
# Periods a trend shows, the current one included.
TREND_PERIODS = 6
# A closed period's figures are final this many days after it ends: a flag opened on
# its last evening has its 48 hours to be acknowledged. Until then they are computed
# live, then kept in a snapshot.
FINAL_AFTER_DAYS = 2
# How long a live (current period) computation is reused.
LIVE_CACHE_SECONDS = 600
# Snapshot rows written per statement.
SNAPSHOT_BATCH = 5000


# --- Folding rows into figures -------------------------------------------------------


def _quantile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile of values, interpolated between neighbours (as
    PostgreSQL's ``percentile_cont``)."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fold(how: str, outcomes: Sequence[float]) -> float | None:
    """A mentor's figure from the outcomes of their records."""
    if how == Fold.COUNT:
        return float(len(outcomes))
    if not outcomes:
        return None
    if how == Fold.MEAN:
        return sum(outcomes) / len(outcomes)
    if how == Fold.SUM:
        return float(sum(outcomes))
    if how == Fold.MEDIAN:
        return float(statistics.median(outcomes))
    if how == Fold.P90:
        return _quantile(outcomes, 0.9)
    raise ValueError(how)


def _stratum_statistic(how: str, outcomes: Sequence[float]) -> float:
    """What a stratum's records say to expect of one record like them."""
    if how in (Fold.MEDIAN, Fold.P90):
        return float(statistics.median(outcomes))
    return sum(outcomes) / len(outcomes)


# A record's stratum at each level of detail, finest first: the programme, the stage
# and the hours band; the programme and the hours band; the programme.
STRATUM_LEVELS = (
    lambda stratum: stratum,
    lambda stratum: (stratum[0], stratum[2]),
    lambda stratum: (stratum[0],),
)
# The stratum of a student with no enrolment or profile: no programme, stage 0, 5 to
# 10 hours a week.
UNKNOWN_STRATUM = (None, 0, 1)


def _expectations(metric: Metric, rows: list[Row], strata: dict[int, tuple]) -> dict[int, float]:
    """Per mentor, what was expected of records like theirs (see the module's
    docstring): each record's stratum figure, folded like the metric. The records are
    grouped by stratum in one pass and each stratum's figure is worked out once (a
    period has a few hundred strata and hundreds of thousands of records)."""
    by_stratum = defaultdict(list)
    mentor_strata = defaultdict(list)
    for row in rows:
        stratum = strata.get(row.student_id, UNKNOWN_STRATUM)
        by_stratum[stratum].append(row.outcome)
        mentor_strata[row.mentor_id].append(stratum)
    if not by_stratum:
        return {}
    outcomes_at = []
    for level in STRATUM_LEVELS:
        grouped = defaultdict(list)
        for stratum, outcomes in by_stratum.items():
            grouped[level(stratum)].extend(outcomes)
        outcomes_at.append(grouped)
    whole = _stratum_statistic(metric.fold, [o for each in by_stratum.values() for o in each])
    statistics_at: list[dict] = [{} for _level in STRATUM_LEVELS]
    expected_of = {}
    for stratum in by_stratum:
        expected = whole
        for index, level in enumerate(STRATUM_LEVELS):
            key = level(stratum)
            outcomes = outcomes_at[index][key]
            if len(outcomes) >= STRATUM_MIN_RECORDS:
                if key not in statistics_at[index]:
                    statistics_at[index][key] = _stratum_statistic(metric.fold, outcomes)
                expected = statistics_at[index][key]
                break
        expected_of[stratum] = expected
    how = Fold.MEAN if metric.fold == Fold.MEAN else metric.fold
    return {
        mentor_id: fold(how, [expected_of[stratum] for stratum in strata_of])
        for mentor_id, strata_of in mentor_strata.items()
    }


@dataclass
class Computed:
    """One metric of one mentor in one period, before it is read out."""

    value: float | None
    n: int
    expected: float | None = None
    percentile: float | None = None

    @property
    def difference(self) -> float | None:
        if self.value is None or self.expected is None:
            return None
        return self.value - self.expected


def _ranked_score(metric: Metric, computed: Computed) -> float | None:
    """What a mentor is ranked on for a metric, higher better: observed minus expected
    where there is an expectation, the figure otherwise; None when not ranked."""
    if computed.value is None:
        return None
    if metric.fold != Fold.COUNT and computed.n < COMPOSITE_MIN_RECORDS:
        return None
    score = computed.difference if metric.expected else computed.value
    if score is None:
        return None
    # Rounded, so that equal differences tie whatever the floating point made of them
    # (0.8 - 0.7 and 0.4 - 0.3 differ in the 17th digit).
    score = round(score, SCORE_DIGITS)
    return score if metric.higher_is_better else -score


def mentor_peers() -> dict[int, frozenset[int]]:
    """Each mentor's programmes (an empty set: peers of every mentor)."""
    programmes = defaultdict(set)
    for mentor_id, programme_id in MentorProfile.programmes.through.objects.values_list(
        "mentorprofile__user_id", "programme_id"
    ):
        programmes[mentor_id].add(programme_id)
    return {mentor_id: frozenset(ids) for mentor_id, ids in programmes.items()}


def _percentiles(
    metric: Metric, figures: dict[int, Computed], programmes: dict[int, frozenset[int]]
) -> None:
    """Sets each ranked figure's percentile among the mentors of the same programmes."""
    scores = {
        mentor_id: score
        for mentor_id, computed in figures.items()
        if (score := _ranked_score(metric, computed)) is not None
    }
    by_programme = defaultdict(list)
    everyone = sorted(scores.values())
    for mentor_id in scores:
        for programme_id in programmes.get(mentor_id, ()):
            by_programme[programme_id].append(mentor_id)
    pools: dict[frozenset, list[float]] = {}
    for mentor_id, score in scores.items():
        signature = programmes.get(mentor_id, frozenset())
        if signature not in pools:
            if signature:
                peers = {peer for pid in signature for peer in by_programme[pid]}
                pools[signature] = sorted(scores[peer] for peer in peers)
            else:
                pools[signature] = everyone
        pool = pools[signature]
        below = bisect.bisect_left(pool, score)
        ties = bisect.bisect_right(pool, score) - below - 1  # not counting oneself
        others = len(pool) - 1
        figures[mentor_id].percentile = (
            round(100 * (below + ties / 2) / others, 1) if others > 0 else None
        )


def compute_period(period: Period, zone: ZoneInfo, *, now: datetime | None = None) -> dict:
    """Every metric of every mentor in a period on one calendar: ``{metric key:
    {mentor id: Computed}}``. A query or a few per metric, whatever the number of
    mentors; mentors without records for a metric are absent from it, except that
    every mentor has each count (0 is a figure). Only mentors have figures: a staff
    member's article or review makes none (nor ranks against the mentors)."""
    return compute_periods(period, [zone], now=now)[0]


def compute_periods(
    period: Period, zones: Sequence[ZoneInfo], *, now: datetime | None = None
) -> list[dict]:
    """``compute_period`` on several calendars at once, in their order: their windows
    share what they read (``windows_of``), so another calendar costs its folding and
    the hours its period does not share with the others', not a second reading of the
    whole period."""
    windows = windows_of(period, zones, now=now or timezone.now())
    mentor_ids = list(User.objects.filter(role=Role.MENTOR).values_list("pk", flat=True))
    is_mentor = set(mentor_ids)
    programmes = mentor_peers()
    results: list[dict[str, dict[int, Computed]]] = [{} for _window in windows]
    rows_cache: dict = {}
    # A rows function's rows are kept until the last metric that reads them (a quarter
    # of a large school has millions), and so is what its windows read together (its
    # name without "_rows", ``definitions._in_window``).
    last_reader = {metric.rows: index for index, metric in enumerate(METRICS)}
    for index, metric in enumerate(METRICS):
        for number, window in enumerate(windows):
            key = (metric.rows, number)
            if key not in rows_cache:
                rows = list(metric.rows(window))
                outcomes = defaultdict(list)
                for row in rows:
                    outcomes[row.mentor_id].append(row.outcome)
                rows_cache[key] = rows, outcomes
            rows, outcomes = rows_cache[key]
            if last_reader[metric.rows] == index:
                del rows_cache[key]
            expected = _expectations(metric, rows, window.strata) if metric.expected else {}
            figures = {}
            if metric.fold == Fold.COUNT:
                counted = mentor_ids
            else:
                counted = [mentor_id for mentor_id in outcomes if mentor_id in is_mentor]
            for mentor_id in counted:
                values = outcomes.get(mentor_id, [])
                figures[mentor_id] = Computed(
                    value=fold(metric.fold, values),
                    n=len(values),
                    expected=expected.get(mentor_id),
                )
            _percentiles(metric, figures, programmes)
            results[number][metric.key] = figures
        if last_reader[metric.rows] == index and windows:
            windows[0].shared.forget(metric.rows.__name__.removesuffix("_rows"))
    return results


def metric_rows(metric: Metric, period: Period, zone: ZoneInfo, *, mentor: User) -> list[Row]:
    """The records one mentor's figure stands on (the drill-down), computed as the
    figure is."""
    window = Window(period=period, zone=zone)
    return [row for row in metric.rows(window) if row.mentor_id == mentor.pk]


# --- Snapshots ------------------------------------------------------------------------


def scorecard_zones() -> list[str]:
    """The calendars scorecards are kept on: the school's and every zone a mentor,
    supervisor or staff member reads them in."""
    zones = set(
        User.objects.filter(
            is_active=True, role__in=[Role.MENTOR, Role.SUPERVISOR, Role.STAFF]
        ).values_list("time_zone", flat=True)
    )
    zones.add(settings.TIME_ZONE)
    valid = []
    for name in sorted(zone for zone in zones if zone):
        try:
            ZoneInfo(name)
        except (KeyError, ValueError):
            continue
        valid.append(name)
    return valid


def snapshot_period(
    period: Period, zone_name: str, *, now: datetime | None = None, also: Sequence[str] = ()
) -> int:
    """Computes a closed period into ``MetricSnapshot`` on a calendar, and on the
    calendars ``also`` whose period starts and ends at the same moments (Paris and
    Berlin share their months). Upserts, so running it twice, or on two workers at
    once, leaves the same rows; rows the new computation no longer has are dropped.
    Returns how many figures were written."""
    return snapshot_periods(period, [(zone_name, *also)], now=now)


def snapshot_periods(
    period: Period, calendars: Sequence[Sequence[str]], *, now: datetime | None = None
) -> int:
    """``snapshot_period`` on several calendars at once (``compute_periods``): each
    of ``calendars`` is a group of zones whose period starts and ends at the same
    moments, computed once and written for each. Returns how many figures were
    written."""
    started = time.monotonic()
    now = now or timezone.now()
    computed = compute_periods(period, [ZoneInfo(names[0]) for names in calendars], now=now)
    written = 0
    for names, results in zip(calendars, computed, strict=True):
        written += _snapshots_write(period, names, results, now=now, started=started)
    return written


def _snapshots_write(
    period: Period, zone_names: Sequence[str], results: dict, *, now: datetime, started: float
) -> int:
    """A period's figures on one calendar written for each of ``zone_names``."""
    # Written in one order whatever order the queries returned the rows in, so that
    # two workers upserting the same period wait for each other, never deadlock.
    figures = sorted(
        (
            (mentor_id, key, computed)
            for key, by_mentor in results.items()
            for mentor_id, computed in by_mentor.items()
        ),
        key=lambda figure: (figure[1], figure[0]),
    )
    mentors = len({mentor_id for mentor_id, _key, _computed in figures})
    for name in zone_names:
        with transaction.atomic():
            _snapshots_upsert(figures, zone_name=name, period=period, now=now)
            MetricSnapshot.objects.filter(
                zone=name, period=period.key, computed_at__lt=now
            ).delete()
            SnapshotRun.objects.update_or_create(
                zone=name,
                period=period.key,
                defaults={
                    "mentors": mentors,
                    "rows": len(figures),
                    "seconds": round(time.monotonic() - started, 2),
                    "computed_at": now,
                },
            )
        cache.delete(_live_key(period, name))
    return len(figures) * len(zone_names)


# A period's figures on one calendar, from one array a column, each replacing the one there
# was (``metric_snapshot_once``), in the order ``snapshot_period`` sorts them.
_SNAPSHOT_SQL = """
    INSERT INTO "{table}" (mentor_id, period, zone, metric, value, n, expected, percentile,
                           computed_at)
    SELECT figure.mentor_id, %s, %s, figure.metric, figure.value, figure.n, figure.expected,
           figure.percentile, %s
    FROM unnest(%s::bigint[], %s::varchar[], %s::double precision[], %s::integer[],
                %s::double precision[], %s::double precision[])
         AS figure (mentor_id, metric, value, n, expected, percentile)
    ORDER BY figure.metric, figure.mentor_id
    ON CONFLICT (zone, period, mentor_id, metric) DO UPDATE SET
        value = EXCLUDED.value, n = EXCLUDED.n, expected = EXCLUDED.expected,
        percentile = EXCLUDED.percentile, computed_at = EXCLUDED.computed_at
"""


def _snapshots_upsert(
    figures: list[tuple[int, str, Computed]], *, zone_name: str, period: Period, now: datetime
) -> None:
    """Writes a period's figures on a calendar, each replacing the one there was. On
    PostgreSQL in one statement (the figures as arrays): ``bulk_create`` spent most of
    a night preparing 60,000 model instances' values in Python, a few seconds a
    calendar."""
    if connection.vendor != "postgresql":
        snapshots = [
            MetricSnapshot(
                mentor_id=mentor_id,
                period=period.key,
                zone=zone_name,
                metric=key,
                value=computed.value,
                n=computed.n,
                expected=computed.expected,
                percentile=computed.percentile,
                computed_at=now,
            )
            for mentor_id, key, computed in figures
        ]
        for offset in range(0, len(snapshots), SNAPSHOT_BATCH):
            MetricSnapshot.objects.bulk_create(
                snapshots[offset : offset + SNAPSHOT_BATCH],
                update_conflicts=True,
                unique_fields=["zone", "period", "mentor", "metric"],
                update_fields=["value", "n", "expected", "percentile", "computed_at"],
            )
        return
    columns = [
        [mentor_id for mentor_id, _key, _computed in figures],
        [key for _mentor_id, key, _computed in figures],
        [computed.value for _mentor_id, _key, computed in figures],
        [computed.n for _mentor_id, _key, computed in figures],
        [computed.expected for _mentor_id, _key, computed in figures],
        [computed.percentile for _mentor_id, _key, computed in figures],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _SNAPSHOT_SQL.format(table=MetricSnapshot._meta.db_table),
            [period.key, zone_name, now, *columns],
        )


def is_final(period: Period, today) -> bool:
    """Whether a period's figures can no longer change on ``today`` (``FINAL_AFTER_DAYS``
    after its end): then it is kept in a snapshot."""
    return period.is_closed(today - timedelta(days=FINAL_AFTER_DAYS))


def periods_to_snapshot(zone_name: str, *, today=None, count: int = TREND_PERIODS) -> list[Period]:
    """The final periods a calendar's trends need (the last ``count`` weeks, months
    and quarters, ``is_final``) that have no snapshot yet, oldest first."""
    today = today or timezone.now().astimezone(ZoneInfo(zone_name)).date()
    wanted = []
    for kind in PeriodKind:
        last_closed = Period.containing(today - timedelta(days=FINAL_AFTER_DAYS), kind).previous()
        wanted.extend(last_closed.last(count))
    done = set(
        SnapshotRun.objects.filter(
            zone=zone_name, period__in=[period.key for period in wanted]
        ).values_list("period", flat=True)
    )
    return sorted((period for period in wanted if period.key not in done), key=lambda p: p.start)


@dataclass(frozen=True)
class SnapshotWork:
    """Computations of a night for one period, done together (``snapshot_periods``):
    its ``calendars``, each a group of zones on which the period starts and ends at
    the same moments. Plain values, so that a task can carry it."""

    period_key: str
    calendars: tuple[tuple[str, ...], ...]

    @property
    def zone_names(self) -> list[str]:
        return [name for names in self.calendars for name in names]


# The longest computations first, so that workers sharing a night finish together: a
# quarter takes about twice a month, a month one and a half times a week.
_COST_ORDER = {PeriodKind.QUARTER: 0, PeriodKind.MONTH: 1, PeriodKind.WEEK: 2}


def snapshots_due(*, today=None, parts: int = 1) -> list[SnapshotWork]:
    """Every closed period the trends need, on every calendar readers use, that has
    not been computed yet (``periods_to_snapshot``), as work: calendars on which a
    period starts and ends at the same moments share one computation, and a period's
    calendars are computed together, in up to ``parts`` shares (one per worker
    process, so that a night with many calendars is shared). The longest first."""
    by_bounds: dict[tuple, list[str]] = defaultdict(list)
    periods: dict[str, Period] = {}
    for zone_name in scorecard_zones():
        for period in periods_to_snapshot(zone_name, today=today):
            by_bounds[(period.key, *period.bounds(ZoneInfo(zone_name)))].append(zone_name)
            periods[period.key] = period
    calendars: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for (key, *_bounds), names in sorted(by_bounds.items()):
        calendars[key].append(tuple(names))
    work = []
    for key, groups in calendars.items():
        shares = max(1, min(parts, len(groups)))
        for share in range(shares):
            work.append(SnapshotWork(key, tuple(groups[share::shares])))
    work.sort(key=lambda item: (_COST_ORDER[periods[item.period_key].kind], item.period_key))
    return work


def snapshot_work_do(work: SnapshotWork) -> int:
    """Does one share of a night unless every calendar it writes already has the
    period (a task delivered twice, or the night planned twice, computes it once when
    the first has finished; two at the same moment both write the same figures).
    Returns how many figures were written."""
    names = work.zone_names
    done = SnapshotRun.objects.filter(zone__in=names, period=work.period_key).count()
    if done == len(names):
        return 0
    return snapshot_periods(Period.parse(work.period_key), work.calendars)


def snapshot_closed_periods(*, today=None) -> int:
    """A night's work (``snapshots_due``) in this process, a period after another: the
    command's and the demo's. The beat task hands it to the workers instead
    (``metrics.tasks.snapshot_scorecards``). Safe to run twice or on two workers at
    once. Returns the number of computations (a period on a calendar, calendars that
    share its bounds counting once)."""
    work = snapshots_due(today=today)
    for item in work:
        snapshot_work_do(item)
    return sum(len(item.calendars) for item in work)


# --- Reading --------------------------------------------------------------------------


def _live_key(period: Period, zone_name: str) -> str:
    """The cache key of a period computed live on one calendar: it holds the ids of the
    mentors with figures; each one's figures are under ``_live_mentor_key``."""
    return f"metrics:scorecards:{zone_name}:{period.key}"


def _live_mentor_key(live_key: str, mentor_id: int) -> str:
    return f"{live_key}:{mentor_id}"


def _today(zone: ZoneInfo):
    return timezone.now().astimezone(zone).date()


def _live_figures(
    period: Period, zone: ZoneInfo, mentor_ids: list[int]
) -> dict[str, dict[int, Computed]]:
    """``{metric key: {mentor id: Computed}}`` of a period without a snapshot, for some
    mentors: computed for the whole school (percentiles and expectations need every
    mentor) and kept in the cache for ``LIVE_CACHE_SECONDS`` one mentor an entry, so
    that a page reads its few mentors' figures, not the school's (2,000 mentors have
    some 60,000 figures a period: unpickling all of them cost seconds a page). The
    period's own entry, written last, lists the mentors with figures; without it, or
    with one of its mentors' entries gone, the period is computed again."""
    key = _live_key(period, zone.key)
    with_figures = cache.get(key)
    if with_figures is not None:
        keys = {
            _live_mentor_key(key, mentor_id): mentor_id
            for mentor_id in mentor_ids
            if mentor_id in with_figures
        }
        found = cache.get_many(list(keys))
        if len(found) == len(keys):
            figures: dict[str, dict[int, Computed]] = defaultdict(dict)
            for entry, by_metric in found.items():
                for metric_key, computed in by_metric.items():
                    figures[metric_key][keys[entry]] = computed
            return figures
    live = compute_period(period, zone)
    by_mentor: dict[int, dict[str, Computed]] = defaultdict(dict)
    for metric_key, computed_of in live.items():
        for mentor_id, computed in computed_of.items():
            by_mentor[mentor_id][metric_key] = computed
    cache.set_many(
        {_live_mentor_key(key, mentor_id): each for mentor_id, each in by_mentor.items()},
        LIVE_CACHE_SECONDS,
    )
    cache.set(key, frozenset(by_mentor), LIVE_CACHE_SECONDS)
    wanted = set(mentor_ids)
    return {
        metric_key: {
            mentor_id: computed
            for mentor_id, computed in computed_of.items()
            if mentor_id in wanted
        }
        for metric_key, computed_of in live.items()
    }


def period_figures(
    periods: Iterable[Period], zone: ZoneInfo, *, mentor_ids: Iterable[int]
) -> dict[str, dict[str, dict[int, Computed]]]:
    """``{period key: {metric key: {mentor id: Computed}}}`` for some mentors: closed
    periods from the snapshots (one query for all of them), the others computed live
    (``_live_figures``: kept in the cache for ``LIVE_CACHE_SECONDS``)."""
    periods = list(periods)
    mentor_ids = list(mentor_ids)
    zone_name = zone.key
    today = _today(zone)
    closed = [period.key for period in periods if period.is_closed(today)]
    snapshotted = set(
        SnapshotRun.objects.filter(zone=zone_name, period__in=closed).values_list(
            "period", flat=True
        )
    )
    figures: dict[str, dict[str, dict[int, Computed]]] = {
        period.key: defaultdict(dict) for period in periods
    }
    if snapshotted:
        rows = MetricSnapshot.objects.filter(
            zone=zone_name, period__in=snapshotted, mentor_id__in=mentor_ids
        ).values_list("period", "metric", "mentor_id", "value", "n", "expected", "percentile")
        for period_key, metric, mentor_id, value, n, expected, percentile in rows:
            figures[period_key][metric][mentor_id] = Computed(value, n, expected, percentile)
    for period in periods:
        if period.key not in snapshotted:
            figures[period.key].update(_live_figures(period, zone, mentor_ids))
    return figures


def composites(figures: dict[str, dict[int, Computed]], mentor_id: int, weights: dict) -> dict:
    """A mentor's composite per priority (mean percentile of the ranked figures) and
    overall (the priorities weighted); None where nothing is ranked."""
    by_priority = defaultdict(list)
    for metric in METRICS:
        if not metric.in_composite:
            continue
        computed = figures.get(metric.key, {}).get(mentor_id)
        if computed is not None and computed.percentile is not None:
            by_priority[metric.priority].append(computed.percentile)
    scores = {
        priority.value: (
            round(sum(by_priority[priority]) / len(by_priority[priority]), 1)
            if by_priority[priority]
            else None
        )
        for priority in Priority
    }
    weighted = [
        (weights.get(priority, 0), score)
        for priority, score in scores.items()
        if score is not None and weights.get(priority, 0) > 0
    ]
    total = sum(weight for weight, _score in weighted)
    scores["overall"] = (
        round(sum(weight * score for weight, score in weighted) / total, 1) if total else None
    )
    return scores


@dataclass
class Figure:
    """A metric as a scorecard shows it."""

    metric: Metric
    value: float | None
    n: int
    expected: float | None
    percentile: float | None
    trend: list[tuple[Period, float | None]] = field(default_factory=list)
    hidden: bool = False  # fewer answers than the mentor may see

    @property
    def difference(self) -> float | None:
        if self.value is None or self.expected is None:
            return None
        return self.value - self.expected

    @property
    def better(self) -> bool | None:
        """Whether the figure beats what was expected (None: no expectation)."""
        difference = self.difference
        if difference is None or abs(difference) < 1e-9:
            return None
        return (difference > 0) == self.metric.higher_is_better

    @property
    def numerator(self) -> int | None:
        """For a share: how many of the ``n`` records count."""
        if self.value is None or self.metric.unit != "share":
            return None
        return round(self.value * self.n)

    @property
    def small(self) -> bool:
        """Too few records to read as a rate: shown as "3 of 4" (``SMALL_SAMPLE``)."""
        return self.metric.fold != Fold.COUNT and self.n < SMALL_SAMPLE


@dataclass
class PriorityGroup:
    priority: str
    label: str
    weight: int
    composite: float | None
    figures: list[Figure]


@dataclass
class Scorecard:
    mentor: User
    period: Period
    periods: list[Period]
    groups: list[PriorityGroup]
    overall: float | None
    overall_trend: list[tuple[Period, float | None]]
    live: bool

    @property
    def previous_overall(self) -> float | None:
        return self.overall_trend[-2][1] if len(self.overall_trend) > 1 else None


def _hidden_from(metric: Metric, computed: Computed, *, own: bool) -> bool:
    """Whether the mentor, reading their own figure, may not see it: too few answers."""
    return bool(own and metric.mentor_min_n and computed.n < metric.mentor_min_n)


def scorecard(*, mentor: User, period: Period, reader: User) -> Scorecard:
    """One mentor's scorecard for a period, on the reader's calendar (``scorecards``)."""
    return scorecards(mentors=[mentor], period=period, reader=reader)[0]


def scorecards(*, mentors: Sequence[User], period: Period, reader: User) -> list[Scorecard]:
    """Mentors' scorecards for a period, on the reader's calendar: each metric with its
    figure, expectation, percentile and trend over ``TREND_PERIODS`` periods, and the
    composites; one query for closed periods whatever the number of mentors. A mentor
    reading their own sees survey figures only over the metric's ``mentor_min_n``
    answers, in each period of the trend too."""
    zone = reader.zone
    periods = period.last(TREND_PERIODS)
    figures = period_figures(periods, zone, mentor_ids=[mentor.pk for mentor in mentors])
    weights = ScorecardWeights.current().as_dict()
    live = not is_final(period, _today(zone))
    return [
        _scorecard(
            mentor, period, periods, figures, weights, own=reader.pk == mentor.pk, live=live
        )
        for mentor in mentors
    ]


def _scorecard(mentor, period, periods, figures, weights, *, own, live) -> Scorecard:
    groups = []
    current = figures[period.key]
    for priority in Priority:
        shown = []
        for metric in METRICS:
            if metric.priority != priority:
                continue
            computed = current.get(metric.key, {}).get(mentor.pk) or Computed(None, 0)
            hidden = _hidden_from(metric, computed, own=own)
            trend = []
            for each in periods:
                past = figures[each.key].get(metric.key, {}).get(mentor.pk)
                shown_then = past is not None and not _hidden_from(metric, past, own=own)
                trend.append((each, past.value if shown_then else None))
            shown.append(
                Figure(
                    metric=metric,
                    value=None if hidden else computed.value,
                    n=computed.n,
                    expected=None if hidden else computed.expected,
                    percentile=None if hidden else computed.percentile,
                    trend=trend,
                    hidden=hidden,
                )
            )
        groups.append(
            PriorityGroup(
                priority=priority.value,
                label=priority.label,
                weight=weights[priority.value],
                composite=None,
                figures=shown,
            )
        )
    overall_trend = []
    for each in periods:
        scores = composites(figures[each.key], mentor.pk, weights)
        overall_trend.append((each, scores["overall"]))
        if each == period:
            for group in groups:
                group.composite = scores[group.priority]
    return Scorecard(
        mentor=mentor,
        period=period,
        periods=periods,
        groups=groups,
        overall=overall_trend[-1][1],
        overall_trend=overall_trend,
        live=live,
    )


@dataclass
class TeamRow:
    mentor: User
    overall: float | None
    previous: float | None
    session_rating: Computed | None

    @property
    def trend(self) -> int:
        """1 up, -1 down, 0 level or unknown (the arrow beside the composite)."""
        if self.overall is None or self.previous is None or abs(self.overall - self.previous) < 1:
            return 0
        return 1 if self.overall > self.previous else -1


@dataclass
class TeamFigures:
    """What the dashboard shows of a team's scorecards: each mentor's overall composite
    in each of ``periods`` (the last is the period read), and their session rating in
    the last."""

    periods: list[Period]
    overall: dict[str, dict[int, float | None]]
    session_rating: dict[int, Computed]


def team_figures(
    *, mentors: Sequence[User], period: Period, reader: User, count: int = 2
) -> TeamFigures:
    """The team's figures over the ``count`` periods that end with ``period``, on the
    reader's calendar: one query on closed periods (``period_figures``), so the table
    and the trend chart read them once."""
    ids = [mentor.pk for mentor in mentors]
    periods = period.last(max(count, 2))
    figures = period_figures(periods, reader.zone, mentor_ids=ids)
    weights = ScorecardWeights.current().as_dict()
    return TeamFigures(
        periods=periods,
        overall={
            each.key: {
                mentor_id: composites(figures[each.key], mentor_id, weights)["overall"]
                for mentor_id in ids
            }
            for each in periods
        },
        session_rating=dict(figures[period.key].get("session_rating", {})),
    )


def team_composites(
    *, mentors: Sequence[User], period: Period, reader: User, team: TeamFigures | None = None
) -> dict[int, TeamRow]:
    """Each mentor's overall composite in a period and the one before it (the arrow),
    and their session rating, for the dashboard: one query on closed periods, none
    when the page has read the team's figures already (``team``)."""
    if team is None:
        team = team_figures(mentors=mentors, period=period, reader=reader)
    now_scores, before = team.overall[period.key], team.overall[period.previous().key]
    return {
        mentor.pk: TeamRow(
            mentor=mentor,
            overall=now_scores.get(mentor.pk),
            previous=before.get(mentor.pk),
            session_rating=team.session_rating.get(mentor.pk),
        )
        for mentor in mentors
    }


# --- Who reads whose scorecard --------------------------------------------------------


def scorecard_mentors_visible_to(user: User) -> QuerySet[User]:
    """Mentors whose scorecards a person may read: a mentor their own, a supervisor
    their team's, staff every mentor's; students none."""
    if not user.is_authenticated or user.role == Role.STUDENT:
        return User.objects.none()
    return mentors_visible_to(user)


def scorecard_mentor_for_user(user: User, pk: int) -> User:
    """The mentor whose scorecard ``user`` asks for; 404 for anyone else's."""
    try:
        return scorecard_mentors_visible_to(user).select_related("mentor_profile").get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def metric_for_key(key: str) -> Metric:
    try:
        return METRICS_BY_KEY[key]
    except KeyError:
        raise Http404 from None


def default_period(zone: ZoneInfo, kind: str = PeriodKind.MONTH) -> Period:
    """The period pages open on: the last closed month (its figures are final)."""
    return Period.containing(_today(zone), kind).previous()
