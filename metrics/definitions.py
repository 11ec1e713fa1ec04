"""What each figure of a mentor's scorecard means: one definition per metric, in the
school's words, with its unit and whether higher is better (``METRICS``).

A metric is computed for every mentor at once over a ``Window`` (one period on one
calendar) by its ``rows`` function: one row per record the figure stands on, as
``Row(mentor_id, student_id, outcome, record_id)``. The scorecard (``metrics.scorecards``)
folds the rows into each mentor's figure (a share, a mean, a median or a count) and
compares it with what was expected of the mentor's students, and the drill-down lists
the same rows' records, so a figure and the records behind it always agree.

Who a record counts for follows the assignment history: an event (a review, a session,
a question, a flag) counts for the student's mentor at the moment it happened
(``mentorship.selectors.mentor_at``); a student's stay with a mentor within the period
(a *stint*) counts for that mentor, so a student who changed mentor in the middle of a
month counts for each in turn; where a student is judged at a moment (on track, active
weeks) it is at the end of the window, for the mentor they had then.

The seed («Метрики и оценка качества ментора») ranks how a mentor is judged: their
students' success first, their contribution to the shared methodology second, their own
development third, the further programmes their students take up fourth. Service (how
fast and how well the students are served) sits between the first two."""

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    TextChoices,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    ArticleVote,
    CaseReply,
    ImprovementProposal,
    ProposalStatus,
    Question,
    QuestionVisibility,
)
from mentorship.models import (
    ActivityEvent,
    ActivityKind,
    Assignment,
    DailyActivity,
    Role,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from mentorship.selectors import mentor_at, student_status_on, student_statuses_on
from projects.models import (
    Enrolment,
    EnrolmentStatus,
    Project,
    Recommendation,
    Review,
    Submission,
    Verdict,
    deadline_pace,
    plan_due_dates,
    plan_pace,
)
from projects.selectors import cohort_calendars, projects_handed_in
from students.flags import reengagement_judged
from students.models import MentoringSession, RiskFlag, SessionStatus

from .models import DevelopmentKind, DevelopmentRecord, Survey, SurveyContinue
from .periods import Period
from .second_reading import second_readings_between
from .surveys import SURVEY_MIN_RESPONSES


class Priority(TextChoices):
    """The groups a composite score is made of, in the seed's order."""

    STUDENT_SUCCESS = "student_success", _("Students' success")
    SERVICE = "service", _("Service to students")
    METHODOLOGY = "methodology", _("Contribution to the methodology")
    SELF_DEVELOPMENT = "self_development", _("Self-development")
    RECOMMENDATIONS = "recommendations", _("Further programmes")


class Unit(TextChoices):
    SHARE = "share", _("share")
    COUNT = "count", _("count")
    PER_STUDENT = "per_student", _("per student")
    HOURS = "hours", _("hours")
    ATTEMPTS = "attempts", _("attempts")
    RATING = "rating", _("rating, 1-5")
    SCORE = "score", _("score, 0-10")


class Fold(TextChoices):
    """How a mentor's rows become their figure."""

    MEAN = "mean", _("mean")  # a share when the outcomes are 0 and 1
    SUM = "sum", _("total")
    MEDIAN = "median", _("median")
    P90 = "p90", _("90th percentile")
    COUNT = "count", _("count")  # events: no events is a figure, 0, not "no data"


class Record(TextChoices):
    """What the rows of a metric point at, for the drill-down."""

    STUDENT = "student", _("students")
    SUBMISSION = "submission", _("submissions")
    REVIEW = "review", _("reviews")
    SESSION = "session", _("sessions")
    QUESTION = "question", _("questions")
    FLAG = "flag", _("at-risk flags")
    ARTICLE = "article", _("articles")
    VOTE = "vote", _("votes")
    CASE_REPLY = "case_reply", _("case replies")
    PROPOSAL = "proposal", _("proposals")
    DEVELOPMENT = "development", _("self-development records")
    RECOMMENDATION = "recommendation", _("recommendations")
    ENROLMENT = "enrolment", _("enrolments")
    SURVEY = "survey", _("surveys")
    SECOND_READING = "second_reading", _("second readings")


class Row(NamedTuple):
    """One record a figure stands on: whose figure it feeds, the student it concerns
    (None for a mentor's own work), its outcome and the record's id. A named tuple: a
    month of a large school has a million of them, and a tuple is made in half the
    time of a frozen dataclass."""

    mentor_id: int
    student_id: int | None
    outcome: float
    record_id: int


# Below this many records a share is shown as "k of n", never as a percentage: on the
# scorecard, in the records' drill-down and in programme analytics. (Review consistency
# shows its rates from ``consistency.MIN_REVIEWS`` on, always with their "k of n".)
SMALL_SAMPLE = 10


# The weekly hours students say they have, in bands: a student with five hours a week
# is compared with others who have about as much time.
HOURS_BANDS = (5, 10, 20)


def hours_band(weekly_hours: int) -> int:
    """0 for up to 5 hours a week, 1 up to 10, 2 up to 20, 3 for more."""
    return bisect.bisect_left(HOURS_BANDS, weekly_hours)


@dataclass(frozen=True)
class Stint:
    """A student's stay with one mentor within the window."""

    student_id: int
    mentor_id: int
    start: datetime
    end: datetime
    assignment_id: int


@dataclass
class Span:
    """What the windows of one period on several calendars read together. A period
    starts and ends a few hours apart from one calendar to the next, so most of what
    its windows read is the same records: they are read once over the span (from the
    earliest start to the latest end) and each window takes its part (``_in_window``).
    A window read on its own has a span of its own."""

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]
    cache: dict = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return min(self.starts)

    @property
    def end(self) -> datetime:
        return max(self.ends)

    @property
    def core(self) -> tuple[datetime, datetime]:
        """The moments every window of the span covers."""
        return max(self.starts), min(self.ends)

    def once(self, key, read: Callable[[], Any]) -> Any:
        """``read()``'s result, read the first time a window asks for ``key``."""
        if key not in self.cache:
            self.cache[key] = read()
        return self.cache[key]

    def forget(self, key) -> None:
        """Lets what was read for ``key`` go (a quarter's reviews are many)."""
        self.cache.pop(key, None)


@dataclass
class Window:
    """One period on one calendar, as the metrics read it: from the period's first
    moment in ``zone`` up to its end, or up to ``now`` while it is still running. Data
    several metrics share (the stints, the students' strata) is read once per window,
    and what its records are, once per ``span`` (``windows_of``)."""

    period: Period
    zone: ZoneInfo
    now: datetime = field(default_factory=timezone.now)
    span: Span | None = None

    @cached_property
    def shared(self) -> Span:
        """The span the window reads its records from (its own if it has none)."""
        if self.span is None:
            self.span = Span(starts=(self.start,), ends=(self.end,))
        return self.span

    @cached_property
    def start(self) -> datetime:
        return self.period.bounds(self.zone)[0]

    @cached_property
    def end(self) -> datetime:
        return min(self.period.bounds(self.zone)[1], self.now)

    @cached_property
    def as_of(self) -> date:
        """The day students are judged on: the period's last day, or today while the
        period runs (on the window's calendar)."""
        return (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()

    @cached_property
    def stints(self) -> list[Stint]:
        """Every student's stays with a mentor that overlap the window (one query for
        the span)."""
        span = self.shared

        def read() -> list[tuple]:
            return list(
                Assignment.objects.filter(started_at__lt=span.end, student__role=Role.STUDENT)
                .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=span.start))
                .values_list("pk", "student_id", "mentor_id", "started_at", "ended_at")
                .order_by("student_id", "started_at", "pk")
            )

        return [
            Stint(
                student_id=student_id,
                mentor_id=mentor_id,
                start=max(started_at, self.start),
                end=min(ended_at or self.end, self.end),
                assignment_id=pk,
            )
            for pk, student_id, mentor_id, started_at, ended_at in span.once("stints", read)
            if started_at < self.end and (ended_at is None or ended_at > self.start)
        ]

    @cached_property
    def stints_by_student(self) -> dict[int, list[Stint]]:
        by_student = defaultdict(list)
        for stint in self.stints:
            by_student[stint.student_id].append(stint)
        return by_student

    def stint_at(self, student_id: int, moment: datetime) -> Stint | None:
        """The student's stint that holds ``moment`` (None: no mentor then)."""
        for stint in self.stints_by_student.get(student_id, ()):
            if stint.start <= moment < stint.end:
                return stint
        return None

    @cached_property
    def left_before(self) -> set[int]:
        """Students who had dropped out or graduated before the window began, though
        still assigned (leaving does not end an assignment): not the mentor's students
        any more (one query). Only a student with a change to one of those statuses by
        then can have it then, so the status is asked of those alone."""
        day = self.start.astimezone(self.zone).date() - timedelta(days=1)
        left = (StudentStatus.DROPPED, StudentStatus.GRADUATED)

        def read() -> set[int]:
            candidates = StudentStatusChange.objects.filter(
                effective_on__lte=day, status__in=left
            ).values("student_id")
            statuses = student_statuses_on(day=day, student_ids=candidates)
            return {student_id for student_id, status in statuses.items() if status in left}

        return {
            student_id
            for student_id in self.shared.once(("left", day), read)
            if student_id in self.stints_by_student
        }

    @cached_property
    def studying_stints(self) -> list[Stint]:
        """The stints of students still in the school when the window began: the
        students whose figures per student count for the mentor."""
        return [stint for stint in self.stints if stint.student_id not in self.left_before]

    @cached_property
    def final_stints(self) -> list[Stint]:
        """The stints still running at the window's end: each student with the mentor
        they had then (students are judged at that moment for that mentor)."""
        return [stint for stint in self.stints if stint.end == self.end]

    def final_students(self) -> QuerySet:
        """The students of ``final_stints`` as a subquery (a hundred thousand ids are
        not sent to the database as a list): those with an assignment that had started
        by the window's end and had not ended before it."""
        return (
            Assignment.objects.filter(started_at__lt=self.end, student__role=Role.STUDENT)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=self.end))
            .values("student_id")
        )

    @cached_property
    def active_at_end(self) -> set[int]:
        """Students of ``final_stints`` whose status was active on the window's last day
        (``student_status_on``). Only a student with a change to another status on or
        before that day can have another status then, so the status is asked of those
        alone (a few in ten; the rest are active by the rule): once for the span's
        windows that end on the same day."""

        def read() -> set[int]:
            return set(
                User.objects.filter(
                    pk__in=StudentStatusChange.objects.filter(effective_on__lte=self.as_of)
                    .exclude(status=StudentStatus.ACTIVE)
                    .values("student_id")
                )
                .annotate(status_then=student_status_on(day=self.as_of))
                .exclude(status_then=StudentStatus.ACTIVE)
                .values_list("pk", flat=True)
            )

        not_active = self.shared.once(("not_active", self.as_of), read)
        return {
            stint.student_id for stint in self.final_stints if stint.student_id not in not_active
        }

    @cached_property
    def reviewed_submissions(self) -> list[tuple[int, int, str, int, int]]:
        """Submissions reviewed in the window that were first attempts or approved (what
        the attempts' figures stand on), each with the student's mentor when it was
        submitted (``mentor_at``): ``(mentor, student, verdict, attempt, submission)``.
        One query for the span; a submission with no mentor then is left out."""
        return _in_window(self, "reviewed_submissions", _reviewed_submissions)

    @cached_property
    def approved_counts(self) -> tuple[dict, dict]:
        """Projects each student had approved in each programme by the window's start
        (their stage, for the strata) and by its end (for the plan): one query for the
        span's windows, at every moment one of them starts or ends."""
        span = self.shared
        moments = tuple(sorted(set(span.starts) | set(span.ends)))
        counts = span.once(
            "approved_counts",
            lambda: dict(zip(moments, _approved_counts(before=moments), strict=True)),
        )
        return counts[self.start], counts[self.end]

    @cached_property
    def strata(self) -> dict[int, tuple]:
        """Each student's stratum for the expected values: the programme they were
        enrolled in by the window's last day (the latest started, if several), the
        stage they had reached in it when the window began (projects approved by then)
        and the band of their weekly hours. Three queries."""
        span = self.shared

        def read() -> list[tuple]:
            return list(
                Enrolment.objects.filter(started_on__lte=self.as_of)
                .filter(
                    Q(status=EnrolmentStatus.ACTIVE)
                    | Q(completed_at__gte=span.start)
                    | Q(status=EnrolmentStatus.WITHDRAWN)
                )
                .values_list("student_id", "programme_id", "status", "completed_at")
                .order_by("student_id", "started_on")
            )

        programme_of = {}
        open_ = (EnrolmentStatus.ACTIVE, EnrolmentStatus.WITHDRAWN)
        for student_id, programme_id, status, completed_at in span.once(
            ("strata_enrolments", self.as_of), read
        ):
            if status in open_ or (completed_at is not None and completed_at >= self.start):
                programme_of[student_id] = programme_id  # the latest one wins
        approved = self.approved_counts[0]
        hours = span.once(
            "hours", lambda: dict(StudentProfile.objects.values_list("user_id", "weekly_hours"))
        )
        strata = {}
        for student_id, programme_id in programme_of.items():
            strata[student_id] = (
                programme_id,
                approved.get((student_id, programme_id), 0),
                hours_band(hours.get(student_id, 10)),
            )
        for student_id, weekly in hours.items():
            strata.setdefault(student_id, (None, 0, hours_band(weekly)))
        return strata


def _reviewed_submissions(start: datetime, end: datetime) -> Iterable[tuple]:
    """``Window.reviewed_submissions`` between two moments, with their moments."""
    submissions = (
        Submission.objects.filter(review__created_at__gte=start, review__created_at__lt=end)
        .filter(Q(attempt=1) | Q(review__verdict=Verdict.APPROVED))
        .annotate(mentor_then=mentor_at(at="submitted_at"))
        .filter(mentor_then__isnull=False)
        .order_by("review__created_at", "pk")
        .values_list(
            "review__created_at", "mentor_then", "student_id", "review__verdict", "attempt", "pk"
        )
    )
    return ((row[0], row[1:]) for row in submissions)


def _approved_counts(*, before: tuple[datetime, ...]) -> tuple[dict[tuple[int, int], int], ...]:
    """Projects each student had approved in each programme before each of some
    moments, keyed ``(student, programme)``: one aggregate over the approvals for all
    the moments (the whole history of approvals is read once, not once a moment)."""
    counts = {
        f"before_{index}": Count(
            "project_id", distinct=True, filter=Q(review__created_at__lt=moment)
        )
        for index, moment in enumerate(before)
    }
    rows = (
        Submission.objects.filter(
            review__verdict=Verdict.APPROVED, review__created_at__lt=max(before)
        )
        .values("student_id", "project__programme_id")
        .annotate(**counts)
        .order_by()
    )
    found = tuple({} for _moment in before)
    for row in rows:
        key = (row["student_id"], row["project__programme_id"])
        for index, by_key in enumerate(found):
            if row[f"before_{index}"]:
                by_key[key] = row[f"before_{index}"]
    return found


def windows_of(period: Period, zones: Iterable[ZoneInfo], *, now: datetime) -> list[Window]:
    """The period on each of several calendars, as windows sharing one ``Span``: what
    their metrics read is read once for all of them."""
    windows = [Window(period=period, zone=zone, now=now) for zone in zones]
    span = Span(
        starts=tuple(window.start for window in windows),
        ends=tuple(window.end for window in windows),
    )
    for window in windows:
        window.span = span
    return windows


def _in_window(
    window: Window,
    key: str,
    read: Callable[[datetime, datetime], Iterable[tuple]],
    *,
    end: datetime | None = None,
) -> list:
    """The window's part of records read once for its span: ``read(start, end)`` gives
    the span's records as ``(moment, item)`` pairs, in the order of their moments, and
    the window takes the items with ``window.start <= moment < end`` (by default the
    window's end)."""
    moments, items = _span_records(window, key, read)
    last = window.end if end is None else end
    return items[bisect.bisect_left(moments, window.start) : bisect.bisect_left(moments, last)]


def _span_records(
    window: Window, key: str, read: Callable[[datetime, datetime], Iterable[tuple]]
) -> tuple[list, list]:
    """The span's records of ``_in_window``, whole: their moments and their items."""
    span = window.shared

    def split() -> tuple[list, list]:
        moments, items = [], []
        for moment, item in read(span.start, span.end):
            moments.append(moment)
            items.append(item)
        return moments, items

    return span.once(key, split)


def _rows_from(window: Window, key: str, source: str, read, make) -> list[Row]:
    """Rows made once for the span from the records another key reads (``source``,
    ``read`` as for ``_in_window``): ``make(item)`` gives an item's row, or None to
    leave it out. Each window takes its part, as from ``_in_window``."""

    def rows(_start: datetime, _end: datetime) -> Iterable[tuple]:
        moments, items = _span_records(window, source, read)
        for moment, item in zip(moments, items, strict=True):
            row = make(item)
            if row is not None:
                yield moment, row

    return _in_window(window, key, rows)


@dataclass(frozen=True)
class Metric:
    """One figure of the scorecard. ``rows`` computes it for every mentor at once."""

    key: str
    priority: str
    label: str
    description: str
    unit: str
    fold: str
    higher_is_better: bool
    rows: Callable[[Window], Iterable[Row]]
    record: str
    # Compared with what was expected of the mentor's students (students' success).
    expected: bool = False
    # Counted in the composite score (a few figures are context only).
    in_composite: bool = True
    # The mentor sees it only over at least this many records (survey answers).
    mentor_min_n: int = 0


# --- Students' success ---------------------------------------------------------------


def on_track_rows(window: Window) -> list[Row]:
    """Each active student in an active enrolment at the window's end, judged by the
    one rule (``projects.models.plan_pace``; a cohort's students by its deadlines,
    ``deadline_pace``) on the window's last day: 1 when on track or ahead, 0 when
    behind. An enrolment completed since the window ended was still active then, so a
    period recomputed later is judged as it stood."""
    stints = {
        stint.student_id: stint
        for stint in window.final_stints
        if stint.student_id in window.active_at_end
    }
    if not stints:
        return []
    span = window.shared

    def enrolments() -> list[tuple]:
        return list(
            Enrolment.objects.filter(started_on__lte=window.as_of)
            .filter(Q(status=EnrolmentStatus.ACTIVE) | Q(completed_at__gte=min(span.ends)))
            .values_list(
                "pk", "student_id", "programme_id", "started_on", "target_end_on", "status",
                "completed_at", "cohort_id",
            )
        )  # fmt: skip

    def projects() -> dict[int, list[tuple[int, int]]]:
        by_programme = defaultdict(list)
        for programme_id, pk, target_days in Project.objects.order_by(
            "programme_id", "position"
        ).values_list("programme_id", "pk", "target_days"):
            by_programme[programme_id].append((pk, target_days))
        return by_programme

    projects_of = span.once("projects", projects)
    approved = window.approved_counts[1]
    # An enrolment's pace on a day with so many projects approved, worked out once for
    # the span's windows that end on the same day (most students approved as many by
    # each calendar's end).
    paces = span.once(("paces", window.as_of), dict)
    open_then = span.once(("on_track_enrolments", window.as_of), enrolments)
    judged = [
        enrolment
        for enrolment in open_then
        if enrolment[1] in stints  # active then
        and (
            enrolment[5] == EnrolmentStatus.ACTIVE
            or (enrolment[6] is not None and enrolment[6] >= window.end)
        )
    ]
    # A cohort's students are judged by what they had handed in against its deadlines
    # (read once for every enrolment open on the day, whichever windows end on it).
    in_cohorts = [enrolment for enrolment in open_then if enrolment[7] is not None]
    calendars = span.once(
        ("cohort_calendars", window.as_of),
        lambda: cohort_calendars(cohort_ids={enrolment[7] for enrolment in in_cohorts}),
    )
    handed_in = span.once(
        ("handed_in", window.end),
        lambda: projects_handed_in(
            student_ids={enrolment[1] for enrolment in in_cohorts}, before=window.end
        ),
    )
    rows = []
    for pk, student_id, programme_id, started_on, target_end_on, _s, _c, cohort_id in judged:
        steps = projects_of.get(programme_id, ())
        if cohort_id is not None:
            calendar = calendars[cohort_id]
            handed = handed_in.get(student_id, frozenset())
            pace = deadline_pace(
                due_dates=plan_due_dates(
                    started_on,
                    target_end_on,
                    tuple(days for _pk, days in steps),
                    calendar.due_dates(project_pk for project_pk, _days in steps),
                ),
                handed_in=[project_pk in handed for project_pk, _days in steps],
                today=window.as_of,
                ends_on=calendar.ends_on,
            )
            rows.append(
                Row(stints[student_id].mentor_id, student_id, float(pace.projects >= 0), pk)
            )
            continue
        count = approved.get((student_id, programme_id), 0)
        on_track = paces.get((pk, count))
        if on_track is None:
            due = plan_due_dates(started_on, target_end_on, tuple(days for _pk, days in steps))
            pace = plan_pace(due_dates=due, approved=count, today=window.as_of)
            on_track = paces[(pk, count)] = float(pace.projects >= 0)
        rows.append(Row(stints[student_id].mentor_id, student_id, on_track, pk))
    return rows


def projects_approved_rows(window: Window) -> list[Row]:
    """Projects approved per student: each stint with how many projects the student
    had approved while with that mentor. The figure is the total; the expected total
    is what students like the mentor's would have had approved."""

    def approvals(start: datetime, end: datetime) -> QuerySet:
        return Submission.objects.filter(
            review__verdict=Verdict.APPROVED,
            review__created_at__gte=start,
            review__created_at__lt=end,
        ).values_list("student_id", "review__created_at")

    return _per_stint(window, "projects_approved", approvals)


def first_attempt_rows(window: Window) -> list[Row]:
    """First attempts reviewed in the window: 1 when approved at once. Each counts for
    the student's mentor when it was submitted."""

    def make(item: tuple) -> Row | None:
        mentor_id, student_id, verdict, attempt, pk = item
        return (
            Row(mentor_id, student_id, float(verdict == Verdict.APPROVED), pk)
            if attempt == 1
            else None
        )

    return _rows_from(window, "first_attempt", "reviewed_submissions", _reviewed_submissions, make)


def attempts_rows(window: Window) -> list[Row]:
    """Projects approved in the window, with the attempt that was approved (1 for the
    first try). Lower is better. Each counts for the student's mentor when the
    approved attempt was submitted."""

    def make(item: tuple) -> Row | None:
        mentor_id, student_id, verdict, attempt, pk = item
        return (
            Row(mentor_id, student_id, float(attempt), pk) if verdict == Verdict.APPROVED else None
        )

    return _rows_from(window, "attempts", "reviewed_submissions", _reviewed_submissions, make)


# Active in at least this many of the last four weeks counts as learning regularly.
REGULAR_WEEKS = 3


def active_weeks_rows(window: Window) -> list[Row]:
    """Each active student at the window's end: 1 when they were active in at least 3
    of the 4 weeks up to the window's last day (days of the activity rollup, the
    portal's and the learning platform's), 0 otherwise."""
    stints = [s for s in window.final_stints if s.student_id in window.active_at_end]
    if not stints:
        return []
    last = window.as_of + timedelta(days=1)
    weeks = {
        f"week_{index}": Count(
            "pk",
            filter=Q(
                day__gte=last - timedelta(days=7 * (index + 1)),
                day__lt=last - timedelta(days=7 * index),
            ),
        )
        for index in range(4)
    }

    def read() -> dict[int, int]:
        return {
            row["student_id"]: sum(1 for index in range(4) if row[f"week_{index}"])
            for row in DailyActivity.objects.filter(
                day__gte=last - timedelta(days=28), day__lt=last, events__gt=0
            )
            .values("student_id")
            .annotate(**weeks)
            .order_by()
        }

    # The days are the same on every calendar of the span that ends on the same day.
    counts = window.shared.once(("active_weeks", window.as_of), read)
    return [
        Row(
            s.mentor_id,
            s.student_id,
            float(counts.get(s.student_id, 0) >= REGULAR_WEEKS),
            s.student_id,
        )
        for s in stints
    ]


def retention_rows(window: Window) -> list[Row]:
    """Each stint of a student still in the school when the window began (not dropped
    out or graduated before it, though still assigned): 0 when the student dropped out
    while with that mentor (the day their status became "dropped"), 1 otherwise."""
    start_day = window.start.astimezone(window.zone).date()
    dropped = StudentStatusChange.objects.filter(
        status=StudentStatus.DROPPED, effective_on__gte=start_day, effective_on__lte=window.as_of
    ).values_list("student_id", "effective_on")
    stints_dropped = set()
    for student_id, day in dropped:
        moment = datetime.combine(day, datetime.min.time(), tzinfo=window.zone)
        stint = window.stint_at(student_id, max(moment, window.start))
        if stint is None:  # dropped after the mentor's stint ended: the last one's
            stints = [s for s in window.stints_by_student.get(student_id, ()) if s.start <= moment]
            stint = stints[-1] if stints else None
        if stint is not None:
            stints_dropped.add(stint.assignment_id)
    return [
        Row(s.mentor_id, s.student_id, float(s.assignment_id not in stints_dropped), s.student_id)
        for s in window.studying_stints
    ]


def _per_stint(
    window: Window, key: str, *events: Callable[[datetime, datetime], QuerySet]
) -> list[Row]:
    """Events counted per stint: a row for every stint of a student still in the
    school (``Window.studying_stints``), zeros too. Each of ``events`` gives a queryset
    of ``(student, moment)`` values between two moments; an event counts for the stint
    that held its moment (the assignment with ``started_at <= moment < ended_at``).
    Counted by the database: a month has hundreds of thousands of article reads,
    which need not travel to Python one by one. For the span's windows at once: the
    events of the moments every window covers counted by the database, the few of the
    hours only some cover fetched with their moments, and each window adds those of
    its own hours."""
    span = window.shared

    def read() -> tuple[dict, list, list]:
        core_start, core_end = span.core
        counts = defaultdict(int)
        edges = []
        for source in events:
            for assignment_id, count in _by_assignment(source(core_start, core_end)):
                counts[assignment_id] += count
            for start, end in ((span.start, core_start), (core_end, span.end)):
                if start < end:
                    edges.extend(_by_assignment(source(start, end), moments=True))
        edges.sort()
        return counts, [moment for moment, _id in edges], [pk for _moment, pk in edges]

    counts, moments, assignments = span.once(key, read)
    own = defaultdict(int)
    for assignment_id in assignments[
        bisect.bisect_left(moments, window.start) : bisect.bisect_left(moments, window.end)
    ]:
        own[assignment_id] += 1
    return [
        Row(
            s.mentor_id,
            s.student_id,
            float(counts.get(s.assignment_id, 0) + own.get(s.assignment_id, 0)),
            s.student_id,
        )
        for s in window.studying_stints
    ]


def _by_assignment(events: QuerySet, *, moments: bool = False) -> list[tuple]:
    """For a queryset of ``(student, moment)`` values, each event given to the
    assignment that held its moment: ``(assignment, events)`` counted, or with
    ``moments`` every event as ``(moment, assignment)``."""
    sql, params = events.order_by().query.sql_with_params()
    select = "event.moment, assignment.id" if moments else "assignment.id, COUNT(*)"
    group = "" if moments else "GROUP BY assignment.id"
    # The table's name is the model's; the events' SQL and parameters are Django's.
    statement = f"""
        WITH event (student_id, moment) AS ({sql})
        SELECT {select}
        FROM event
        JOIN "{Assignment._meta.db_table}" assignment
          ON assignment.student_id = event.student_id
         AND assignment.started_at <= event.moment
         AND (assignment.ended_at IS NULL OR assignment.ended_at > event.moment)
        {group}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    if moments:
        # A raw query's moments come back as the database keeps them: SQLite's as
        # naive UTC (or text), PostgreSQL's aware.
        found = [(_aware(moment), pk) for moment, pk in found]
    return found


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def community_rows(window: Window) -> list[Row]:
    """Community engagement per student: public questions the student asked and
    answers they wrote to others' questions while with the mentor."""

    def asked(start: datetime, end: datetime) -> QuerySet:
        return Question.objects.filter(
            visibility=QuestionVisibility.PROGRAMME,
            created_at__gte=start,
            created_at__lt=end,
            author__role=Role.STUDENT,
        ).values_list("author_id", "created_at")

    def answered(start: datetime, end: datetime) -> QuerySet:
        return Answer.objects.filter(
            is_follow_up=False,
            created_at__gte=start,
            created_at__lt=end,
            author__role=Role.STUDENT,
        ).values_list("author_id", "created_at")

    return _per_stint(window, "community", asked, answered)


def articles_read_rows(window: Window) -> list[Row]:
    """Articles of the knowledge base each student read while with the mentor (each
    article once a day)."""

    def reads(start: datetime, end: datetime) -> QuerySet:
        return ActivityEvent.objects.filter(
            kind=ActivityKind.ARTICLE_READ, occurred_at__gte=start, occurred_at__lt=end
        ).values_list("student_id", "occurred_at")

    return _per_stint(window, "articles_read", reads)


def _rated_sessions(start: datetime, end: datetime) -> Iterable[tuple]:
    """Sessions held between two moments that the student rated, with their moments:
    ``(mentor, student, rating, session)``."""
    sessions = (
        MentoringSession.objects.filter(
            rating__isnull=False, scheduled_at__gte=start, scheduled_at__lt=end
        )
        .order_by("scheduled_at", "pk")
        .values_list("scheduled_at", "mentor_id", "student_id", "rating", "pk")
    )
    return ((row[0], row[1:]) for row in sessions)


def session_rating_rows(window: Window) -> list[Row]:
    """Sessions held in the window that the student rated: the rating, 1 to 5."""
    return _rows_from(
        window,
        "session_rating",
        "rated_sessions",
        _rated_sessions,
        lambda item: Row(item[0], item[1], float(item[2]), item[3]),
    )


def session_top_rows(window: Window) -> list[Row]:
    """Sessions held in the window that the student rated: 1 when rated 4 or 5."""
    return _rows_from(
        window,
        "session_top",
        "rated_sessions",
        _rated_sessions,
        lambda item: Row(item[0], item[1], float(item[2] >= 4), item[3]),
    )


def reengagement_rows(window: Window) -> list[Row]:
    """At-risk flags whose recovery was judged in the window (the days after the first
    outreach are over): 1 when the student's activity recovered. A flag counts for the
    mentor who reached out first, as the flags record it."""
    start_day = window.start.astimezone(window.zone).date()
    flags = reengagement_judged().filter(
        recovery_checked_on__gte=start_day, recovery_checked_on__lte=window.as_of
    )
    return [
        Row(mentor_id, student_id, float(recovered), pk)
        for mentor_id, student_id, recovered, pk in flags.values_list(
            "outreach_mentor_id", "student_id", "recovered", "pk"
        )
        if mentor_id is not None
    ]


def _answered_surveys(window: Window) -> list[tuple[int, int, int | None, str, int]]:
    """Surveys answered in the window: ``(mentor, student, score, plans to continue,
    survey)``, read once for the span."""

    def read(start: datetime, end: datetime) -> Iterable[tuple]:
        surveys = (
            Survey.objects.filter(
                answered_at__gte=start, answered_at__lt=end, mentor__isnull=False
            )
            .order_by("answered_at", "pk")
            .values_list(
                "answered_at", "mentor_id", "student_id", "score", "plans_to_continue", "pk"
            )
        )
        return ((row[0], row[1:]) for row in surveys)

    return _in_window(window, "answered_surveys", read)


def survey_score_rows(window: Window) -> list[Row]:
    """Survey answers in the window: how likely the student is to recommend their
    mentoring, 0 to 10."""
    return [
        Row(m, s, float(score), pk)
        for m, s, score, _plans, pk in _answered_surveys(window)
        if score is not None
    ]


def survey_continue_rows(window: Window) -> list[Row]:
    """Survey answers in the window that say whether the student plans to continue:
    1 for yes (no and not sure count as 0)."""
    return [
        Row(m, s, float(plans == SurveyContinue.YES), pk)
        for m, s, _score, plans, pk in _answered_surveys(window)
        if plans != ""
    ]


# --- Service --------------------------------------------------------------------------


def _hours(later: datetime, earlier: datetime) -> float:
    return _hours_of(later - earlier)


def _hours_of(waited: timedelta) -> float:
    return waited.total_seconds() / 3600


def review_time_rows(window: Window) -> list[Row]:
    """Reviews the mentor wrote in the window: hours from the student's submission to
    the verdict. Lower is better."""

    def read(start: datetime, end: datetime) -> Iterable[tuple]:
        reviews = (
            Review.objects.filter(
                created_at__gte=start, created_at__lt=end, reviewer__role=Role.MENTOR
            )
            # The wait as one interval from the database: a hundred thousand reviews a
            # month need not each bring two aware datetimes to Python.
            .annotate(
                waited=ExpressionWrapper(
                    F("created_at") - F("submission__submitted_at"), output_field=DurationField()
                )
            )
            .order_by("created_at", "pk")
            .values_list("created_at", "reviewer_id", "submission__student_id", "waited", "pk")
        )
        return (
            (created, Row(mentor_id, student_id, _hours_of(waited), pk))
            for created, mentor_id, student_id, waited, pk in reviews
        )

    return _in_window(window, "review_time", read)


def first_answer_rows(window: Window) -> list[Row]:
    """Questions the mentor's students asked in the window: hours to the first answer
    (anyone's). A question still waiting counts the hours it has waited so far, since
    it will take at least that long. Lower is better."""
    now = window.now  # the same for every window of a span (``windows_of``)

    def read(start: datetime, end: datetime) -> Iterable[tuple]:
        questions = (
            Question.objects.filter(created_at__gte=start, created_at__lt=end)
            .annotate(mentor_then=mentor_at(student="author", at="created_at"))
            .filter(mentor_then__isnull=False)
            .order_by("created_at", "pk")
            .values_list("mentor_then", "author_id", "created_at", "first_answered_at", "pk")
        )
        return (
            (asked, Row(mentor_id, student_id, _hours(min(answered or now, now), asked), pk))
            for mentor_id, student_id, asked, answered, pk in questions
        )

    return _in_window(window, "first_answer", read)


def no_show_rows(window: Window) -> list[Row]:
    """Sessions held or missed in the window: 1 when the student did not come. Lower
    is better."""

    def read(start: datetime, end: datetime) -> Iterable[tuple]:
        sessions = (
            MentoringSession.objects.filter(
                scheduled_at__gte=start,
                scheduled_at__lt=end,
                status__in=[SessionStatus.COMPLETED, SessionStatus.STUDENT_NO_SHOW],
            )
            .order_by("scheduled_at", "pk")
            .values_list("scheduled_at", "mentor_id", "student_id", "status", "pk")
        )
        return (
            (moment, Row(m, s, float(status == SessionStatus.STUDENT_NO_SHOW), pk))
            for moment, m, s, status, pk in sessions
        )

    return _in_window(window, "no_show", read)


# A flag should be acknowledged within this many hours.
ACKNOWLEDGE_HOURS = 48


def flags_acknowledged_rows(window: Window) -> list[Row]:
    """At-risk flags opened in the window (48 hours before its end at the latest, so
    each has had its 48 hours): 1 when acknowledged within 48 hours. A flag counts for
    the student's mentor when it was opened."""
    flags = (
        RiskFlag.objects.filter(
            created_at__gte=window.start,
            created_at__lt=min(window.end, window.now - timedelta(hours=ACKNOWLEDGE_HOURS)),
        )
        .annotate(mentor_then=mentor_at(at="created_at"))
        .filter(mentor_then__isnull=False)
        .values_list("mentor_then", "student_id", "created_at", "acknowledged_at", "pk")
    )
    limit = timedelta(hours=ACKNOWLEDGE_HOURS)
    return [
        Row(m, s, float(acknowledged is not None and acknowledged - opened <= limit), pk)
        for m, s, opened, acknowledged, pk in flags
    ]


def second_reading_rows(window: Window) -> list[Row]:
    """Supervisors' second readings, in the window, of the mentor's reviews: the
    rating, 1 to 5."""
    readings = second_readings_between(start=window.start, end=window.end).values_list(
        "review__reviewer_id", "review__submission__student_id", "rating", "pk"
    )
    return [Row(m, s, float(rating), pk) for m, s, rating, pk in readings]


# --- Methodology ----------------------------------------------------------------------


def _published_articles(window: Window):
    return Article.objects.filter(
        status=ArticleStatus.PUBLISHED, published_at__gte=window.start, published_at__lt=window.end
    )


def articles_published_rows(window: Window) -> list[Row]:
    """Articles the mentor wrote (or co-wrote) that were published in the window."""
    return [
        Row(author_id, None, 1.0, pk)
        for author_id, pk in _published_articles(window).values_list("authors", "pk")
        if author_id is not None
    ]


def article_views_rows(window: Window) -> list[Row]:
    """Views to date of the mentor's articles published in the window (context: how
    far the new articles travel)."""
    return [
        Row(author_id, None, float(views), pk)
        for author_id, views, pk in _published_articles(window).values_list(
            "authors", "view_count", "pk"
        )
        if author_id is not None
    ]


def helped_votes_rows(window: Window) -> list[Row]:
    """ "This helped" votes given in the window to the mentor's published articles."""
    votes = ArticleVote.objects.filter(
        created_at__gte=window.start,
        created_at__lt=window.end,
        article__status=ArticleStatus.PUBLISHED,
    ).values_list("article__authors", "user_id", "pk")
    return [
        Row(author_id, None, 1.0, pk) for author_id, _user, pk in votes if author_id is not None
    ]


def answers_promoted_rows(window: Window) -> list[Row]:
    """Articles the mentor wrote from students' questions (an answer promoted to the
    knowledge base), published in the window."""
    articles = (
        _published_articles(window)
        .filter(questions__isnull=False)
        .values_list("authors", "pk")
        .distinct()
    )
    return [Row(author_id, None, 1.0, pk) for author_id, pk in articles if author_id is not None]


def peer_help_rows(window: Window) -> list[Row]:
    """Replies the mentor wrote in the window on case discussions other mentors raised
    (help to colleagues; replies on one's own case do not count)."""
    replies = (
        CaseReply.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
        .exclude(case__author_id=F("author_id"))
        .values_list("author_id", "pk")
    )
    return [Row(author_id, None, 1.0, pk) for author_id, pk in replies]


def proposals_filed_rows(window: Window) -> list[Row]:
    """Improvement proposals the mentor filed in the window."""
    proposals = ImprovementProposal.objects.filter(
        created_at__gte=window.start, created_at__lt=window.end
    ).values_list("author_id", "pk")
    return [Row(author_id, None, 1.0, pk) for author_id, pk in proposals]


def proposals_accepted_rows(window: Window) -> list[Row]:
    """The mentor's improvement proposals the school accepted in the window (accepted
    or already done)."""
    proposals = ImprovementProposal.objects.filter(
        decided_at__gte=window.start,
        decided_at__lt=window.end,
        status__in=[ProposalStatus.ACCEPTED, ProposalStatus.DONE],
    ).values_list("author_id", "pk")
    return [Row(author_id, None, 1.0, pk) for author_id, pk in proposals]


# --- Self-development -----------------------------------------------------------------


def programmes_completed_rows(window: Window) -> list[Row]:
    """Programmes of the school the mentor completed as a student in the window (on
    the date recorded, verified by staff)."""
    start_day = window.start.astimezone(window.zone).date()
    records = DevelopmentRecord.objects.filter(
        kind=DevelopmentKind.PROGRAMME,
        completed_on__gte=start_day,
        completed_on__lte=window.as_of,
        verified_at__isnull=False,
    ).values_list("mentor_id", "pk")
    return [Row(mentor_id, None, 1.0, pk) for mentor_id, pk in records]


def expertise_verified_rows(window: Window) -> list[Row]:
    """Areas of expertise and courses staff verified in the window."""
    records = DevelopmentRecord.objects.filter(
        kind__in=[DevelopmentKind.EXPERTISE, DevelopmentKind.COURSE],
        verified_at__gte=window.start,
        verified_at__lt=window.end,
    ).values_list("mentor_id", "pk")
    return [Row(mentor_id, None, 1.0, pk) for mentor_id, pk in records]


# --- Further programmes ---------------------------------------------------------------


def recommendations_made_rows(window: Window) -> list[Row]:
    """Programmes and courses the mentor recommended to students in the window."""
    made = Recommendation.objects.filter(
        created_at__gte=window.start, created_at__lt=window.end
    ).values_list("mentor_id", "student_id", "pk")
    return [Row(m, s, 1.0, pk) for m, s, pk in made]


def recommendations_taken_rows(window: Window) -> list[Row]:
    """The mentor's recommendations that led to an enrolment in the window."""
    taken = Recommendation.objects.filter(
        enrolled_at__gte=window.start, enrolled_at__lt=window.end
    ).values_list("mentor_id", "student_id", "pk")
    return [Row(m, s, 1.0, pk) for m, s, pk in taken]


def further_enrolments_rows(window: Window) -> list[Row]:
    """Students of the mentor who started a further programme in the window (an
    enrolment after an earlier one): students staying with the school."""
    start_day = window.start.astimezone(window.zone).date()
    enrolments = (
        Enrolment.objects.filter(started_on__gte=start_day, started_on__lte=window.as_of)
        .filter(
            student__enrolments__started_on__lt=F("started_on"),
        )
        .values_list("student_id", "started_on", "pk")
        .distinct()
    )
    rows = []
    for student_id, started_on, pk in enrolments:
        moment = datetime.combine(started_on, datetime.min.time(), tzinfo=window.zone)
        stint = window.stint_at(student_id, max(moment, window.start))
        if stint is not None:
            rows.append(Row(stint.mentor_id, student_id, 1.0, pk))
    return rows


def _metric(key, priority, label, description, unit, fold, higher, rows, record, **extra):
    return Metric(
        key=key,
        priority=priority,
        label=label,
        description=description,
        unit=unit,
        fold=fold,
        higher_is_better=higher,
        rows=rows,
        record=record,
        **extra,
    )


P = Priority
METRICS: list[Metric] = [
    # Students' success: each beside what was expected of the mentor's students.
    _metric(
        "on_track",
        P.STUDENT_SUCCESS,
        _("On track with their plan"),
        _(
            "Share of the mentor's active students who were on track with their plan or ahead at"
            " the end of the period."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        on_track_rows,
        Record.ENROLMENT,
        expected=True,
    ),
    _metric(
        "projects_approved",
        P.STUDENT_SUCCESS,
        _("Projects approved"),
        _("Projects the mentor's students had approved while with the mentor in the period."),
        Unit.COUNT,
        Fold.SUM,
        True,
        projects_approved_rows,
        Record.STUDENT,
        expected=True,
    ),
    _metric(
        "first_attempt",
        P.STUDENT_SUCCESS,
        _("Approved at the first attempt"),
        _("Share of first attempts reviewed in the period that were approved at once."),
        Unit.SHARE,
        Fold.MEAN,
        True,
        first_attempt_rows,
        Record.SUBMISSION,
        expected=True,
    ),
    _metric(
        "attempts_to_approval",
        P.STUDENT_SUCCESS,
        _("Attempts to approval"),
        _(
            "Median attempt at which the projects approved in the period were approved (1 is the"
            " first try)."
        ),
        Unit.ATTEMPTS,
        Fold.MEDIAN,
        False,
        attempts_rows,
        Record.SUBMISSION,
        expected=True,
    ),
    _metric(
        "regular_learning",
        P.STUDENT_SUCCESS,
        _("Learning regularly"),
        _(
            "Share of the mentor's active students who were active in at least 3 of the last 4 "
            "weeks of the period."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        active_weeks_rows,
        Record.STUDENT,
        expected=True,
    ),
    _metric(
        "retention",
        P.STUDENT_SUCCESS,
        _("Stayed in the programme"),
        _(
            "Share of the mentor's students who did not drop out while with the mentor in the "
            "period."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        retention_rows,
        Record.STUDENT,
        expected=True,
    ),
    _metric(
        "community",
        P.STUDENT_SUCCESS,
        _("Community engagement"),
        _("Public questions asked and answers written to others' questions, per student."),
        Unit.PER_STUDENT,
        Fold.MEAN,
        True,
        community_rows,
        Record.STUDENT,
        expected=True,
    ),
    _metric(
        "articles_read",
        P.STUDENT_SUCCESS,
        _("Articles read"),
        _("Knowledge base articles read, per student (each article once a day)."),
        Unit.PER_STUDENT,
        Fold.MEAN,
        True,
        articles_read_rows,
        Record.STUDENT,
        expected=True,
    ),
    _metric(
        "session_rating",
        P.STUDENT_SUCCESS,
        _("Session rating"),
        _("Mean rating students gave the sessions held in the period, 1 to 5."),
        Unit.RATING,
        Fold.MEAN,
        True,
        session_rating_rows,
        Record.SESSION,
        expected=True,
    ),
    _metric(
        "session_top",
        P.STUDENT_SUCCESS,
        _("Sessions rated 4 or 5"),
        _("Share of rated sessions of the period that students rated 4 or 5."),
        Unit.SHARE,
        Fold.MEAN,
        True,
        session_top_rows,
        Record.SESSION,
        expected=True,
    ),
    _metric(
        "reengagement",
        P.STUDENT_SUCCESS,
        _("Re-engaged after a flag"),
        _(
            "Share of at-risk flags judged in the period whose student's activity recovered "
            "after the mentor reached out."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        reengagement_rows,
        Record.FLAG,
        expected=True,
    ),
    _metric(
        "recommend_score",
        P.STUDENT_SUCCESS,
        _("Would recommend their mentoring"),
        _(
            "Mean answer of the students' survey, 0 to 10. The mentor sees it over 3 answers or "
            "more."
        ),
        Unit.SCORE,
        Fold.MEAN,
        True,
        survey_score_rows,
        Record.SURVEY,
        expected=True,
        mentor_min_n=SURVEY_MIN_RESPONSES,
    ),
    _metric(
        "plans_to_continue",
        P.STUDENT_SUCCESS,
        _("Plan to continue"),
        _(
            "Share of survey answers saying the student plans to continue. The mentor sees it "
            "over 3 answers or more."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        survey_continue_rows,
        Record.SURVEY,
        expected=True,
        mentor_min_n=SURVEY_MIN_RESPONSES,
    ),
    # Service.
    _metric(
        "review_time",
        P.SERVICE,
        _("Time to review (median)"),
        _(
            "Median hours from a student's submission to the mentor's verdict, for reviews "
            "written in the period."
        ),
        Unit.HOURS,
        Fold.MEDIAN,
        False,
        review_time_rows,
        Record.REVIEW,
    ),
    _metric(
        "review_time_p90",
        P.SERVICE,
        _("Time to review (90th percentile)"),
        _("Hours within which 9 in 10 of the mentor's reviews of the period were written."),
        Unit.HOURS,
        Fold.P90,
        False,
        review_time_rows,
        Record.REVIEW,
    ),
    _metric(
        "reviews_written",
        P.SERVICE,
        _("Reviews written"),
        _("Reviews the mentor wrote in the period (volume, not scored)."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        review_time_rows,
        Record.REVIEW,
        in_composite=False,
    ),
    _metric(
        "first_answer_time",
        P.SERVICE,
        _("Time to a first answer"),
        _(
            "Median hours from a question of the mentor's students to its first answer; a "
            "question still waiting counts the time so far."
        ),
        Unit.HOURS,
        Fold.MEDIAN,
        False,
        first_answer_rows,
        Record.QUESTION,
    ),
    _metric(
        "no_show",
        P.SERVICE,
        _("Sessions missed by the student"),
        _("Share of sessions due in the period that the student did not come to."),
        Unit.SHARE,
        Fold.MEAN,
        False,
        no_show_rows,
        Record.SESSION,
    ),
    _metric(
        "flags_acknowledged",
        P.SERVICE,
        _("Flags acknowledged within 48 h"),
        _(
            "Share of at-risk flags opened in the period that the mentor acknowledged within 48 "
            "hours."
        ),
        Unit.SHARE,
        Fold.MEAN,
        True,
        flags_acknowledged_rows,
        Record.FLAG,
    ),
    _metric(
        "second_reading",
        P.SERVICE,
        _("Second readers' rating"),
        _(
            "Mean rating, 1 to 5, that supervisors gave the mentor's reviews they read in the "
            "period."
        ),
        Unit.RATING,
        Fold.MEAN,
        True,
        second_reading_rows,
        Record.SECOND_READING,
    ),
    # Methodology.
    _metric(
        "articles_published",
        P.METHODOLOGY,
        _("Articles published"),
        _("Knowledge base articles the mentor wrote or co-wrote, published in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        articles_published_rows,
        Record.ARTICLE,
    ),
    _metric(
        "article_views",
        P.METHODOLOGY,
        _("Views of those articles"),
        _("Views to date of the mentor's articles published in the period (context, not scored)."),
        Unit.COUNT,
        Fold.SUM,
        True,
        article_views_rows,
        Record.ARTICLE,
        in_composite=False,
    ),
    _metric(
        "helped_votes",
        P.METHODOLOGY,
        _('"This helped" votes'),
        _('Votes "this helped" given in the period to the mentor\'s articles.'),
        Unit.COUNT,
        Fold.COUNT,
        True,
        helped_votes_rows,
        Record.VOTE,
    ),
    _metric(
        "answers_promoted",
        P.METHODOLOGY,
        _("Answers turned into articles"),
        _("Articles the mentor made from students' questions, published in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        answers_promoted_rows,
        Record.ARTICLE,
    ),
    _metric(
        "peer_help",
        P.METHODOLOGY,
        _("Help to other mentors"),
        _("Replies on case discussions other mentors raised, in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        peer_help_rows,
        Record.CASE_REPLY,
    ),
    _metric(
        "proposals_filed",
        P.METHODOLOGY,
        _("Improvement proposals filed"),
        _("Proposals to improve a programme or project that the mentor filed in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        proposals_filed_rows,
        Record.PROPOSAL,
    ),
    _metric(
        "proposals_accepted",
        P.METHODOLOGY,
        _("Improvement proposals accepted"),
        _("The mentor's proposals the school accepted in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        proposals_accepted_rows,
        Record.PROPOSAL,
    ),
    # Self-development.
    _metric(
        "programmes_completed",
        P.SELF_DEVELOPMENT,
        _("Programmes completed as a student"),
        _("Programmes of the school the mentor completed in the period, verified by staff."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        programmes_completed_rows,
        Record.DEVELOPMENT,
    ),
    _metric(
        "expertise_verified",
        P.SELF_DEVELOPMENT,
        _("Expertise verified"),
        _("Areas of expertise and courses of the mentor that staff verified in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        expertise_verified_rows,
        Record.DEVELOPMENT,
    ),
    # Further programmes.
    _metric(
        "recommendations_made",
        P.RECOMMENDATIONS,
        _("Recommendations made"),
        _("Programmes and courses the mentor recommended to students in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        recommendations_made_rows,
        Record.RECOMMENDATION,
    ),
    _metric(
        "recommendations_taken",
        P.RECOMMENDATIONS,
        _("Recommendations taken up"),
        _("The mentor's recommendations that led to an enrolment in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        recommendations_taken_rows,
        Record.RECOMMENDATION,
    ),
    _metric(
        "further_enrolments",
        P.RECOMMENDATIONS,
        _("Students starting a further programme"),
        _("The mentor's students who started another programme of the school in the period."),
        Unit.COUNT,
        Fold.COUNT,
        True,
        further_enrolments_rows,
        Record.ENROLMENT,
    ),
]
METRICS_BY_KEY: dict[str, Metric] = {metric.key: metric for metric in METRICS}
