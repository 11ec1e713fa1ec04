"""Patterns in students' questions, for mentors, supervisors and staff: how many
questions each programme, project and topic draws over time, how long students wait for
a first answer, how often the knowledge base answers before a person has to, what is
asked again and again with no article yet, and which topics students ask about that no
project of their programme covers.

Every figure reads the questions the person may see (``questions_visible_to``) in the
programmes they belong to (``programmes_of``; optionally one of them), asked in a period
of whole days in the person's time zone that ends today (``PatternScope``). So a private
question counts only for those who may read it: a mentor counts their own students'
private questions and the public questions of their programmes, a supervisor their
team's, staff every question. Each figure carries the filters of the question list
that shows the questions behind it (the links are built at the end of this module).

The page runs a constant number of queries whatever the school's size: each figure is
one or two aggregate queries, and the grouping of repeated questions looks at the most
recent ``REPEATED_CANDIDATES`` questions with at most ``REPEATED_SEARCHES`` searches."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    TextChoices,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.models import Role, User
from mentorship.translated import translated
from projects.models import Programme

from .articles import without_any_article
from .models import Deflection, Question, QuestionStatus, Topic
from .questions import programmes_of, questions_visible_to
from .search import search

# --- What the page looks at -----------------------------------------------------------

DEFAULT_PERIOD_DAYS = 90


# Longer periods are counted by month: a year of weeks is too many bars to read.
MONTHLY_FROM_DAYS = 180


class Split(TextChoices):
    """What the counts over time are split by."""

    PROGRAMME = "programme", gettext_lazy("Programme")
    PROJECT = "project", gettext_lazy("Project")
    TOPIC = "topic", gettext_lazy("Topic")


@dataclass(frozen=True)
class PatternScope:
    """The days ``start`` to ``end`` (both included, in ``zone``) and, when given, one
    programme of the person's."""

    start: date
    end: date
    zone: ZoneInfo
    programme: Programme | None = None

    @classmethod
    def last(
        cls,
        days: int,
        *,
        user: User,
        programme: Programme | None = None,
        today: date | None = None,
    ) -> "PatternScope":
        """The last ``days`` days up to and including today, on the person's calendar."""
        zone = user.zone
        today = today or timezone.localdate(timezone=zone)
        return cls(
            start=today - timedelta(days=days - 1), end=today, zone=zone, programme=programme
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_month(self) -> bool:
        return self.days >= MONTHLY_FROM_DAYS

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    def filters(self, **more) -> dict:
        """The question list's GET filters for this period and programme, plus ``more``."""
        filters = {"since": self.start.isoformat(), "until": self.end.isoformat()}
        if self.programme is not None:
            filters["programme"] = self.programme.pk
        return {**filters, **more}


def programmes_in_scope(user: User, scope: PatternScope) -> QuerySet[Programme]:
    """The person's programmes (``programmes_of``), or the one the scope names."""
    programmes = programmes_of(user)
    if scope.programme is not None:
        programmes = programmes.filter(pk=scope.programme.pk)
    return programmes


def questions_in_scope(user: User, scope: PatternScope) -> QuerySet[Question]:
    """The questions every figure starts from: those the person may see, in their
    programmes, asked in the period."""
    return questions_visible_to(user).filter(
        programme_id__in=programmes_in_scope(user, scope).values("pk"),
        created_at__gte=scope.since,
        created_at__lt=scope.until,
    )


# --- Questions over time --------------------------------------------------------------

# The chart draws the largest series and sums the rest as "other": more colours than
# this cannot be told apart.
SERIES_SHOWN = 7


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart: a week (from its Monday) or a month (from its first day);
    ``since`` and ``until`` are the days of it inside the period."""

    start: date
    since: date
    until: date
    monthly: bool
    first: bool = False

    @property
    def label(self) -> str:
        if not self.monthly:
            return date_format(self.since, "j M")
        # The year where it starts, or where the period starts ("Dec 2025 ... Dec").
        return date_format(self.start, "M Y" if self.start.month == 1 or self.first else "M")

    @property
    def title(self) -> str:
        if self.monthly:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        return _("Week of %(day)s") % {"day": date_format(self.since, "DATE_FORMAT")}


class SeriesKind(TextChoices):
    ITEM = "item"  # a programme, project or topic
    NONE = "none"  # questions with no project, or no topic
    OTHER = "other"  # the series the chart does not draw, summed


@dataclass
class Series:
    """The questions of one programme, project or topic in each bucket."""

    key: int | None
    label: str
    counts: list[int]
    kind: str = SeriesKind.ITEM
    detail: str = ""  # a project's programme
    css: str = ""  # its colour on the chart and in the table

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class QuestionCounts:
    """Questions asked per bucket, split by programme, project or topic, largest series
    first, with every question's count per bucket (``totals``): by topic a question
    with two topics counts in both series but once in the totals."""

    scope: PatternScope
    split: str
    buckets: list[Bucket]
    series: list[Series]
    totals: list[int]

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def title(self) -> str:
        titles = {
            (Split.PROGRAMME, False): _("Questions per week, by programme"),
            (Split.PROJECT, False): _("Questions per week, by project"),
            (Split.TOPIC, False): _("Questions per week, by topic"),
            (Split.PROGRAMME, True): _("Questions per month, by programme"),
            (Split.PROJECT, True): _("Questions per month, by project"),
            (Split.TOPIC, True): _("Questions per month, by topic"),
        }
        return titles[Split(self.split), self.scope.by_month]

    @property
    def split_label(self) -> str:
        return Split(self.split).label

    @property
    def peak(self) -> int:
        """The tallest stacked bar."""
        return max(
            (
                sum(series.counts[index] for series in self.series)
                for index in range(len(self.buckets))
            ),
            default=0,
        )

    def cell_filters(self, series: Series, bucket: Bucket) -> dict | None:
        """The question list's filters for one series in one bucket; ``None`` when the
        list cannot show it (no project or topic, or "other")."""
        if series.kind != SeriesKind.ITEM:
            return None
        return {
            **self.scope.filters(),
            self.split: series.key,
            "since": bucket.since.isoformat(),
            "until": bucket.until.isoformat(),
        }

    def series_filters(self, series: Series) -> dict | None:
        if series.kind != SeriesKind.ITEM:
            return None
        return self.scope.filters(**{self.split: series.key})

    def bucket_filters(self, bucket: Bucket) -> dict:
        return {
            **self.scope.filters(),
            "since": bucket.since.isoformat(),
            "until": bucket.until.isoformat(),
        }

    def table(self) -> list["CountRow"]:
        """The numbers under the chart, each with the link to its questions (none
        where the question list cannot show them, or there are none)."""
        rows = []
        for series in self.series:
            cells = []
            for bucket, count in zip(self.buckets, series.counts, strict=True):
                filters = self.cell_filters(series, bucket)
                cells.append(CountCell(count, questions_url(filters) if filters and count else ""))
            filters = self.series_filters(series)
            rows.append(CountRow(series, questions_url(filters) if filters else "", cells))
        return rows

    def total_cells(self) -> list["CountCell"]:
        return [
            CountCell(total, questions_url(self.bucket_filters(bucket)) if total else "")
            for bucket, total in zip(self.buckets, self.totals, strict=True)
        ]


@dataclass(frozen=True)
class CountCell:
    count: int
    url: str


@dataclass(frozen=True)
class CountRow:
    series: Series
    url: str
    cells: list[CountCell]


def _buckets(scope: PatternScope) -> list[Bucket]:
    if scope.by_month:
        first = scope.start.replace(day=1)
    else:
        first = scope.start - timedelta(days=scope.start.weekday())
    buckets = []
    start = first
    while start <= scope.end:
        if scope.by_month:
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            following = start + timedelta(days=7)
        buckets.append(
            Bucket(
                start=start,
                since=max(start, scope.start),
                until=min(following - timedelta(days=1), scope.end),
                monthly=scope.by_month,
                first=not buckets,
            )
        )
        start = following
    return buckets


_SPLIT_FIELDS = {
    Split.PROGRAMME: ("programme_id", "programme__title", None),
    Split.PROJECT: ("project_id", "project__title", "project__programme__title"),
    Split.TOPIC: ("topics__id", "topics__name", None),
}


def question_counts(user: User, scope: PatternScope, *, split: str) -> QuestionCounts:
    """Questions asked per week (per month over long periods), split by programme,
    project or topic (two queries: the split, and the totals)."""
    split = Split(split)
    buckets = _buckets(scope)
    position = {bucket.start: index for index, bucket in enumerate(buckets)}
    trunc = TruncMonth if scope.by_month else TruncWeek
    bucket_of = trunc("created_at", output_field=DateField(), tzinfo=scope.zone)
    questions = questions_in_scope(user, scope).order_by()
    key_field, label_field, detail_field = _SPLIT_FIELDS[split]
    # Programme and project titles in the reader's language (topics have one name).
    label = F(label_field) if split == Split.TOPIC else translated(label_field)
    names = {"key": F(key_field), "label": label, "bucket": bucket_of}
    if detail_field:
        names["detail"] = translated(detail_field)
    rows = questions.values(**names).annotate(questions=Count("pk", distinct=True))
    by_key: dict[int | None, Series] = {}
    for row in rows:
        series = by_key.get(row["key"])
        if series is None:
            if row["key"] is None:
                label = _("No project") if split == Split.PROJECT else _("No topic")
                series = Series(None, label, [0] * len(buckets), kind=SeriesKind.NONE)
            else:
                series = Series(row["key"], row["label"], [0] * len(buckets))
                series.detail = row.get("detail") or ""
            by_key[row["key"]] = series
        series.counts[position[row["bucket"]]] += row["questions"]
    ordered = sorted(by_key.values(), key=lambda series: (-series.total, series.label))
    if len(ordered) > SERIES_SHOWN + 1:
        rest = ordered[SERIES_SHOWN:]
        other = Series(
            None,
            _("Other (%(count)s)") % {"count": len(rest)},
            [sum(series.counts[index] for series in rest) for index in range(len(buckets))],
            kind=SeriesKind.OTHER,
        )
        ordered = [*ordered[:SERIES_SHOWN], other]
    for index, series in enumerate(ordered):
        series.css = _series_css(series, index)
    totals = [0] * len(buckets)
    for row in questions.values(bucket=bucket_of).annotate(questions=Count("pk")):
        totals[position[row["bucket"]]] += row["questions"]
    return QuestionCounts(scope=scope, split=split, buckets=buckets, series=ordered, totals=totals)


# The chart: stacked bars drawn on the server as SVG, the way students/charts.py draws a
# student's activity (no scripts or inline styles under our CSP; colours are classes in
# static/css/app.css). The view box is narrow so that its labels stay readable on a
# 390 px phone; wider screens scale it up to a height limit.
CHART_WIDTH, CHART_HEIGHT = 400, 200


CHART_TOP, CHART_BOTTOM, CHART_LEFT = 16, 24, 30  # room for the scale and the labels


CHART_LABELS = 6  # at most this many bucket labels under the bars


@dataclass(frozen=True)
class ChartSegment:
    series: Series
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class ChartBar:
    bucket: Bucket
    total: int
    x: float
    width: float
    segments: list[ChartSegment]
    label: str  # under the bar, for every few bars; else empty

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class StackedChart:
    bars: list[ChartBar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    top: int = CHART_TOP
    left: int = CHART_LEFT
    baseline_y: int = CHART_HEIGHT - CHART_BOTTOM
    label_y: int = CHART_HEIGHT - 6

    @property
    def scale_x(self) -> int:
        """Where the scale's numbers end, left of the bars."""
        return self.left - 4

    @property
    def middle_y(self) -> float:
        return round((self.top + self.baseline_y) / 2, 1)

    @property
    def middle_label_y(self) -> float:
        return round(self.middle_y + 4, 1)

    @property
    def middle(self) -> str:
        """The scale's middle value, when it is a whole number."""
        return str(self.peak // 2) if self.peak % 2 == 0 and self.peak >= 4 else ""


def _series_css(series: Series, index: int) -> str:
    if series.kind == SeriesKind.OTHER:
        return "chart-series-other"
    if series.kind == SeriesKind.NONE:
        return "chart-series-none"
    return f"chart-series-{index}"


def question_chart(counts: QuestionCounts) -> StackedChart:
    """The counts as stacked bars, one per bucket, the largest series at the bottom."""
    peak = counts.peak
    room = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / max(len(counts.buckets), 1)
    every = max(1, math.ceil(len(counts.buckets) / CHART_LABELS))
    bars = []
    for index, bucket in enumerate(counts.buckets):
        bottom = float(CHART_TOP + room)
        segments = []
        for series in counts.series:
            count = series.counts[index]
            if not count:
                continue
            height = round(room * count / peak, 1)
            bottom = round(bottom - height, 1)
            segments.append(ChartSegment(series, count, bottom, height))
        bars.append(
            ChartBar(
                bucket=bucket,
                total=sum(segment.count for segment in segments),
                x=round(CHART_LEFT + index * slot + slot * 0.15, 1),
                width=round(slot * 0.7, 1),
                segments=segments,
                label=bucket.label if index % every == 0 else "",
            )
        )
    return StackedChart(bars=bars, peak=peak)


# --- Time to a first answer -----------------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's continuous median of a duration."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class AnswerTimes:
    """Of the questions asked in the period: how many were answered, the median wait
    from asking to the first answer, and how many still wait for one."""

    asked: int
    answered: int
    unanswered: int
    median: timedelta | None


def answer_times(user: User, scope: PatternScope) -> AnswerTimes:
    """The median time to a first answer (``first_answered_at - created_at``) of the
    questions asked in the period and answered since, and the count still unanswered
    (duplicates, answered by their original, are neither).

    Exact on both databases: PostgreSQL computes it with ``PERCENTILE_CONT`` in the
    counting query (one query); SQLite has no such aggregate, so the counting query is
    followed by one that reads the middle one or two waits in order (two queries)."""
    questions = questions_in_scope(user, scope).order_by()
    wait = ExpressionWrapper(
        F("first_answered_at") - F("created_at"), output_field=DurationField()
    )
    figures = {
        "asked": Count("pk"),
        "answered": Count("pk", filter=Q(first_answered_at__isnull=False)),
        "unanswered": Count(
            "pk", filter=Q(first_answered_at__isnull=True) & ~Q(status=QuestionStatus.DUPLICATE)
        ),
    }
    if connection.vendor == "postgresql":
        found = questions.aggregate(**figures, median=_Median(wait))
        return AnswerTimes(**found)
    found = questions.aggregate(**figures)
    middle = None
    if found["answered"]:
        count = found["answered"]
        waits = list(
            questions.filter(first_answered_at__isnull=False)
            .annotate(wait=wait)
            .order_by("wait")
            .values_list("wait", flat=True)[(count - 1) // 2 : count // 2 + 1]
        )
        middle = median(waits)
    return AnswerTimes(**found, median=middle)


# --- Deflection -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeflectionRate:
    """Of the questions students had in the period, the share the knowledge base
    answered before a person had to: deflections / (deflections + questions asked)."""

    deflections: int
    asked: int

    @property
    def rate(self) -> float | None:
        had = self.deflections + self.asked
        return self.deflections / had if had else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def deflection_rate(user: User, scope: PatternScope) -> DeflectionRate:
    """Deflections recorded in the period in the scope's programmes, against every
    question asked there in the period (two counts). A deflection names no question, so
    it belongs to its programme; the questions are counted for the whole programme too,
    so both sides cover the same students. Only the two numbers are shown (the page is
    for mentors, supervisors and staff), never a question outside what the person may
    see: the link behind the figure opens the question list, which applies
    ``questions_visible_to``."""
    programmes = programmes_in_scope(user, scope).values("pk")
    in_period = {"created_at__gte": scope.since, "created_at__lt": scope.until}
    deflections = Deflection.objects.filter(programme_id__in=programmes, **in_period).count()
    asked = Question.objects.filter(programme_id__in=programmes, **in_period).count()
    return DeflectionRate(deflections=deflections, asked=asked)


# --- Asked again and again, with no article -------------------------------------------

# The grouping looks at this many of the most recent questions without an article...
REPEATED_CANDIDATES = 300


# ...and searches for at most this many of them: each search runs a fixed number of
# queries of its own (a few on PostgreSQL, one on SQLite), so the page's queries stay
# constant whatever the number of questions. Measured on PostgreSQL with
# seed_demo --scale (5,000 students, 20,000 questions): the whole page in 0.9 s for a
# mentor or staff, 2.6 s for a supervisor, most of it in the searches (each applies
# the supervisor's visibility rule again).
REPEATED_SEARCHES = 20


# Hits read per search: a group never grows past this in one step.
REPEATED_HITS = 25


# A hit joins the group when its score reaches this share of the score the question
# gets for its own title: the two databases score on different scales, the share means
# the same on both. Calibrated on the search's test corpus (92 articles and questions,
# each with the differently worded queries students type for it, asked as questions):
#
#   share   pairs grouped that belong together    pairs that belong together, grouped
#           PostgreSQL   SQLite                   PostgreSQL   SQLite
#   0.4     64 %         84 %                     42 %         30 %
#   0.5     84 %         93 %                     34 %         22 %
#   0.6     97 %         96 %                     20 %         14 %
#   0.7     95 %         100 %                    12 %          8 %
#
# 0.5 balances the two: most groups are of one problem, and the same error message
# reworded still joins its group ("ModuleNotFoundError: No module named requests" and
# "No module named requests, but I installed it" score 0.55 on PostgreSQL; at 0.6 they
# would stay apart). Titles that share a long generic phrase ("...: returns the wrong
# result", as seed_demo --scale composes them) can still meet in one group.
REPEATED_SIMILARITY = 0.5


REPEATED_MIN_SIZE = 2


REPEATED_SHOWN = 10


REPEATED_SAMPLES = 3


@dataclass
class QuestionGroup:
    """Questions without an article that the search finds similar to one another, the
    one they were found from first. ``case_question`` is the one to grow a case from:
    of those answered, the one with an accepted answer, else the most answers by
    mentors; when none is answered, the first (``case_answered`` is false)."""

    question_ids: list[int]
    titles: list[str]  # a few, distinct
    programmes: list[str]
    query: str  # what the search was given
    case_question: int
    case_answered: bool

    @property
    def size(self) -> int:
        return len(self.question_ids)

    @property
    def search_url(self) -> str:
        return similar_questions_url(self.query)

    @property
    def case_link(self) -> "CaseLink":
        return write_case_link(self)


# An answer a case can be grown from: a mentor's, a supervisor's or staff's, never the
# asker's follow-up nor a fellow student's (unless the asker accepted it).
_TEAM_ANSWER = Q(
    answers__is_follow_up=False,
    answers__author__role__in=[Role.MENTOR, Role.SUPERVISOR, Role.STAFF],
)


def _no_article_candidates(user: User, scope: PatternScope) -> list[dict]:
    return list(
        without_any_article(questions_in_scope(user, scope))
        .filter(duplicate_of__isnull=True)
        .exclude(status=QuestionStatus.DUPLICATE)
        .annotate(answer_count=Count("answers", filter=_TEAM_ANSWER))
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "title",
            "status",
            "accepted_answer_id",
            "answer_count",
            programme_title=translated("programme__title"),
        )[:REPEATED_CANDIDATES]
    )


def repeated_questions(user: User, scope: PatternScope) -> list[QuestionGroup]:
    """Groups of similar questions that no article answers (not duplicates, already
    sent to their original), largest first.

    Greedy: from the most recent question not yet in a group, search its title among
    the candidates (the same search students and mentors use, limited to what this
    person may see), and group it with the hits scoring close to its own; then the next.
    Bounded by ``REPEATED_CANDIDATES`` and ``REPEATED_SEARCHES`` (one query for the
    candidates, then at most that many searches)."""
    candidates = _no_article_candidates(user, scope)
    if len(candidates) < REPEATED_MIN_SIZE:
        return []
    by_pk = {candidate["pk"]: candidate for candidate in candidates}
    pool = Question.objects.filter(pk__in=list(by_pk))
    grouped: set[int] = set()
    groups = []
    searches = 0
    for candidate in candidates:
        if candidate["pk"] in grouped:
            continue
        if searches == REPEATED_SEARCHES:
            break
        searches += 1
        hits = [
            hit
            for hit in search(
                user,
                candidate["title"],
                kinds=("question",),
                questions=pool,
                limit=REPEATED_HITS,
            )
            if hit.kind == "question" and hit.pk in by_pk
        ]
        own = next((hit.score for hit in hits if hit.pk == candidate["pk"]), None)
        reference = own if own is not None else max((hit.score for hit in hits), default=0)
        threshold = reference * REPEATED_SIMILARITY
        members = [candidate["pk"]] + [
            hit.pk
            for hit in hits
            if hit.pk != candidate["pk"] and hit.pk not in grouped and hit.score >= threshold
        ]
        if len(members) < REPEATED_MIN_SIZE:
            continue
        grouped.update(members)
        groups.append(_group(candidate["title"], [by_pk[pk] for pk in members]))
    groups.sort(key=lambda group: -group.size)  # stable: the most recent first among equals
    return groups[:REPEATED_SHOWN]


def _can_grow_a_case(member: dict) -> bool:
    """Answered (not reopened by a follow-up), by an accepted answer or a mentor's: what
    the promotion to an article asks for."""
    answered = member["status"] in (QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)
    return answered and (member["accepted_answer_id"] is not None or member["answer_count"] > 0)


def _group(query: str, members: list[dict]) -> QuestionGroup:
    best = max(
        members,
        key=lambda member: (
            _can_grow_a_case(member),
            member["accepted_answer_id"] is not None,
            member["answer_count"],
        ),
    )
    titles = list(dict.fromkeys(member["title"] for member in members))[:REPEATED_SAMPLES]
    return QuestionGroup(
        question_ids=[member["pk"] for member in members],
        titles=titles,
        programmes=sorted({member["programme_title"] for member in members}),
        query=query,
        case_question=best["pk"],
        case_answered=_can_grow_a_case(best),
    )


# --- Topics no project of the programme covers ----------------------------------------

UNCOVERED_SHOWN = 20


@dataclass(frozen=True)
class UncoveredTopic:
    """A topic students of a programme asked about in the period that no project of
    that programme covers (staff map topics to projects)."""

    programme_id: int
    programme: str
    topic_id: int
    topic: str
    questions: int
    filters: dict

    @property
    def url(self) -> str:
        return questions_url(self.filters)


def topics_not_covered(user: User, scope: PatternScope) -> list[UncoveredTopic]:
    """For each programme in scope, the topics of its questions in the period with no
    project of that programme among the topic's projects, most asked first (one
    query)."""
    covered = Topic.projects.through.objects.filter(
        topic_id=OuterRef("topic_id"), project__programme_id=OuterRef("question__programme_id")
    )
    rows = (
        Question.topics.through.objects.filter(
            question_id__in=questions_in_scope(user, scope).values("pk")
        )
        .exclude(Exists(covered))
        .values(
            "question__programme_id",
            "topic_id",
            "topic__name",
            programme_title=translated("question__programme__title"),
        )
        .annotate(questions=Count("question_id"))
        .order_by("-questions", "programme_title", "topic__name")[:UNCOVERED_SHOWN]
    )
    return [
        UncoveredTopic(
            programme_id=row["question__programme_id"],
            programme=row["programme_title"],
            topic_id=row["topic_id"],
            topic=row["topic__name"],
            questions=row["questions"],
            filters=scope.filters(programme=row["question__programme_id"], topic=row["topic_id"]),
        )
        for row in rows
    ]


# --- Links to the pages behind each figure --------------------------------------------


def questions_url(filters: dict) -> str:
    """The question list (``knowledge_base:question_list``) with these GET filters."""
    return f"{reverse('knowledge_base:question_list')}?{urlencode(filters)}"


def similar_questions_url(query: str) -> str:
    """The search page, questions only (``knowledge_base:search``)."""
    return f"{reverse('knowledge_base:search')}?{urlencode({'q': query, 'kind': 'question'})}"


@dataclass(frozen=True)
class CaseLink:
    """Where "write a case" goes: the promotion of an answered question (a POST), or
    the new-article form about the question."""

    url: str
    post: bool = False


def write_case_link(group: QuestionGroup) -> CaseLink:
    if group.case_answered:
        return CaseLink(
            reverse("knowledge_base:article_from_question", args=[group.case_question]), post=True
        )
    query = urlencode({"question": group.case_question})
    return CaseLink(f"{reverse('knowledge_base:article_create')}?{query}")
