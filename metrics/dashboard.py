"""What the scorecard pages and the supervisor's team dashboard read besides the figures
themselves (``metrics.scorecards`` computes those; nothing here restates a metric):

- the period picker's neighbours (previous, next, the same moment as a week, a month
  or a quarter);
- a figure as words and numbers in the reader's language: a share as a percentage, or
  as "3 of 4" when it stands on few records; hours as a duration; "no data" for none;
  the difference from what was expected, and whether it is better or worse;
- the records behind a figure (``metric_rows``), a page of them loaded in two queries
  whatever the metric: who may list them (a mentor never sees their students' survey
  answers one by one);
- the dashboard's table, one row per mentor: load against capacity, the oldest
  submission waiting for review and the open at-risk flags among the mentor's current
  students (one query each for all mentors), session rating and composite from
  ``team_composites``; sorted by a whitelisted key; the same rows as CSV;
- the team's composite over the last periods (median and middle half) for its chart.
"""

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Min, Model, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext

from knowledge_base.models import Article, ArticleVote, CaseReply, ImprovementProposal, Question
from mentorship.models import User
from mentorship.relative_time import relative_time
from mentorship.selectors import (
    current_mentor_assignments,
    mentors_visible_to,
    mentors_with_load,
    people_matching,
)
from projects.models import Enrolment, Recommendation, Review, Submission, SubmissionStatus
from students.models import FlagStatus, MentoringSession, RiskFlag

from .charts import Sparkline, TeamPeriod, sparkline
from .definitions import Fold, Metric, Record, Row, Unit
from .models import DevelopmentRecord, SecondReading, Survey
from .periods import Period, PeriodKind
from .scorecards import (
    TREND_PERIODS,
    Computed,
    Figure,
    PriorityGroup,
    Scorecard,
    TeamFigures,
    TeamRow,
    scorecard_mentors_visible_to,
    team_composites,
    team_figures,
)

# --- The period picker ----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    label: str
    period: Period
    active: bool


@dataclass(frozen=True)
class PeriodPicker:
    """The period shown and where the picker's links lead, on the reader's calendar."""

    period: Period
    today: date

    @property
    def previous(self) -> Period:
        return self.period.previous()

    @property
    def following(self) -> Period | None:
        """The next period, unless it has not begun yet."""
        following = self.period.following()
        return following if following.start <= self.today else None

    @property
    def live(self) -> bool:
        """The period is still running: its figures are live and may change."""
        return not self.period.is_closed(self.today)

    @property
    def kinds(self) -> list[PeriodChoice]:
        """The same moment as a week, a month and a quarter: the period of each kind
        holding the shown period's last day (today's, while it runs)."""
        day = min(self.period.end - timedelta(days=1), self.today)
        return [
            PeriodChoice(
                kind=kind,
                label=label,
                period=Period.containing(day, kind),
                active=kind == self.period.kind,
            )
            for kind, label in PeriodKind.choices
        ]


def period_picker(period: Period, *, reader: User) -> PeriodPicker:
    return PeriodPicker(period=period, today=timezone.now().astimezone(reader.zone).date())


# --- Figures in words -----------------------------------------------------------------

MINUS = "\u2212"


def _number(value: float, digits: int = 1) -> str:
    """A number in the reader's language, whole numbers without decimals."""
    rounded = round(value, digits)
    if rounded == int(rounded):
        return number_format(int(rounded))
    return number_format(rounded, digits)


def _signed(text: str, value: float) -> str:
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


def format_duration(hours: float) -> str:
    """Hours as a person says them: "45 minutes", "5 hours, 10 minutes", "3 days, 2
    hours" (the two largest units, in the reader's language)."""
    now = timezone.now()
    return timesince(now - timedelta(hours=hours), now, depth=2)


def format_value(metric: Metric, value: float | None, *, n: int = 0, small: bool = False) -> str:
    """A figure (or what was expected) in its unit. ``small`` shares read "3 of 4"."""
    if value is None:
        return gettext("no data")
    if metric.unit == Unit.SHARE:
        if small:
            return gettext("%(count)s of %(total)s") % {"count": round(value * n), "total": n}
        return gettext("%(percent)s%%") % {"percent": _number(value * 100, 0)}
    if metric.unit == Unit.HOURS:
        return format_duration(value)
    if metric.unit == Unit.PER_STUDENT:
        return gettext("%(value)s per student") % {"value": _number(value)}
    if metric.unit == Unit.RATING:
        return gettext("%(value)s of 5") % {"value": _number(value)}
    if metric.unit == Unit.SCORE:
        return gettext("%(value)s of 10") % {"value": _number(value)}
    return _number(value)


def format_difference(figure: Figure) -> str:
    """Observed less expected, signed; a share's in percentage points, except on few
    records (the page says only whether it is better or worse then)."""
    difference = figure.difference
    if difference is None:
        return ""
    if figure.metric.unit == Unit.SHARE:
        if figure.small:
            return ""
        points = round(difference * 100)
        return _signed(gettext("%(points)s pp") % {"points": number_format(abs(points))}, points)
    if figure.metric.unit == Unit.HOURS:
        return _signed(format_duration(abs(difference)), difference)
    rounded = round(difference, 1)
    return _signed(_number(abs(rounded)), rounded)


def format_outcome(metric: Metric, outcome: float) -> str:
    """One record's outcome: yes or no for a share, a duration for hours, a number
    otherwise; empty for counts of events (each record counts one)."""
    if metric.fold == Fold.COUNT:
        return ""
    if metric.unit == Unit.SHARE:
        return gettext("yes") if outcome >= 0.5 else gettext("no")
    if metric.unit == Unit.HOURS:
        return format_duration(outcome)
    return _number(outcome)


def format_percentile(percentile: float | None) -> str:
    return "" if percentile is None else _number(percentile, 0)


def format_composite(score: float | None) -> str:
    """A composite score (0 to 100), or "no data"."""
    return gettext("no data") if score is None else _number(score, 0)


@dataclass(frozen=True)
class FigureLine:
    """One metric's row on the scorecard."""

    figure: Figure
    value: str
    expected: str
    difference: str
    direction: str  # "up", "down" or "" (the sign of the difference, as an arrow)
    verdict: str  # "better", "worse", "level" (no difference) or "" (no expectation)
    percentile: str
    trend: Sparkline

    @property
    def metric(self) -> Metric:
        return self.figure.metric

    @property
    def show_n(self) -> bool:
        """Whether the number of records is shown beside the value (a count is its own
        number; a small share already says "3 of 4")."""
        figure = self.figure
        return (
            figure.value is not None
            and figure.metric.fold != Fold.COUNT
            and not (figure.metric.unit == Unit.SHARE and figure.small)
        )


def figure_line(figure: Figure) -> FigureLine:
    difference = figure.difference
    if difference is None:
        verdict = ""
    elif figure.better is None:
        verdict = "level"
    else:
        verdict = "better" if figure.better else "worse"
    share = figure.metric.unit == Unit.SHARE
    return FigureLine(
        figure=figure,
        value=format_value(figure.metric, figure.value, n=figure.n, small=figure.small),
        expected=""
        if figure.expected is None
        else format_value(figure.metric, figure.expected, n=figure.n),
        difference=format_difference(figure),
        direction=""
        if verdict in ("", "level")
        else ("up" if difference and difference > 0 else "down"),
        verdict=verdict,
        percentile=format_percentile(figure.percentile),
        trend=sparkline(
            figure.trend,
            low=0.0,
            high=1.0 if share else None,
            text=lambda value: format_value(figure.metric, value),
        ),
    )


@dataclass(frozen=True)
class GroupLines:
    group: PriorityGroup
    composite: str
    lines: list[FigureLine]


@dataclass(frozen=True)
class ScorecardPage:
    card: Scorecard
    overall: str
    previous_overall: str
    overall_trend: Sparkline
    groups: list[GroupLines]

    def line(self, key: str) -> FigureLine:
        for group in self.groups:
            for line in group.lines:
                if line.metric.key == key:
                    return line
        raise KeyError(key)


def scorecard_page(card: Scorecard) -> ScorecardPage:
    """A scorecard as its page reads it: every figure in words, each trend a sparkline."""
    return ScorecardPage(
        card=card,
        overall=format_percentile(card.overall),
        previous_overall=format_percentile(card.previous_overall),
        overall_trend=sparkline(card.overall_trend, low=0.0, high=100.0, text=format_composite),
        groups=[
            GroupLines(
                group=group,
                composite=format_percentile(group.composite),
                lines=[figure_line(figure) for figure in group.figures],
            )
            for group in card.groups
        ],
    )


# --- The records behind a figure ------------------------------------------------------

RECORDS_PAGE_SIZE = 50


def may_list_records(reader: User, *, mentor: User, metric: Metric) -> bool:
    """Whether the reader sees the records behind this figure one by one: always,
    except a mentor's own survey answers (students answer freely because their mentor
    sees the scores only together, over a few answers)."""
    return not (metric.record == Record.SURVEY and reader.pk == mentor.pk)


@dataclass(frozen=True)
class RecordLine:
    """One record behind a figure, as the drill-down's table shows it."""

    day: date | datetime | None
    student: User | None
    what: str
    outcome: str
    url: str


def _attempt(submission: Submission) -> str:
    return gettext("%(project)s, attempt %(attempt)s") % {
        "project": submission.project.title,
        "attempt": submission.attempt,
    }


def _verdict(review: Review) -> str:
    """A verdict as an outcome ("Approved", "Changes requested"), as the submission
    pages' badges say it."""
    return SubmissionStatus(review.verdict).label


def _review_of(submission: Submission) -> Review | None:
    try:
        return submission.review
    except ObjectDoesNotExist:
        return None


def _student_line(student: User):
    profile = getattr(student, "student_profile", None)
    what = profile.get_status_display() if profile else ""
    return None, student, what, reverse("students:file", args=[student.pk])


def _submission_line(submission: Submission):
    review = _review_of(submission)
    what = _attempt(submission)
    if review is not None:
        what = gettext("%(attempt)s: %(verdict)s") % {
            "attempt": what,
            "verdict": _verdict(review),
        }
    return (
        review.created_at if review else submission.submitted_at,
        submission.student,
        what,
        reverse("projects:submission", args=[submission.pk]),
    )


def _review_line(review: Review):
    submission = review.submission
    what = gettext("%(attempt)s: %(verdict)s") % {
        "attempt": _attempt(submission),
        "verdict": _verdict(review),
    }
    return (
        review.created_at,
        submission.student,
        what,
        reverse("projects:submission", args=[submission.pk]),
    )


def _session_line(session: MentoringSession):
    what = session.get_status_display()
    if session.rating is not None:
        what = gettext("%(status)s, rated %(rating)s of 5") % {
            "status": what,
            "rating": session.rating,
        }
    return (
        session.scheduled_at,
        session.student,
        what,
        reverse("students:session_detail", args=[session.pk]),
    )


def _question_line(question: Question):
    return (
        question.created_at,
        question.author,
        question.title,
        reverse("knowledge_base:question", args=[question.pk]),
    )


def _flag_line(flag: RiskFlag):
    what = gettext("%(severity)s flag") % {"severity": flag.get_severity_display()}
    return flag.opened_on, flag.student, what, reverse("students:file", args=[flag.student_id])


def _article_line(article: Article):
    return (
        article.published_at,
        None,
        article.title,
        reverse("knowledge_base:article_detail", args=[article.pk]),
    )


def _vote_line(vote: ArticleVote):
    return (
        vote.created_at,
        None,
        vote.article.title,
        reverse("knowledge_base:article_detail", args=[vote.article_id]),
    )


def _case_reply_line(reply: CaseReply):
    return (
        reply.created_at,
        None,
        reply.case.title,
        reverse("knowledge_base:case_detail", args=[reply.case_id]),
    )


def _proposal_line(proposal: ImprovementProposal):
    what = gettext("%(title)s (%(status)s)") % {
        "title": proposal.title,
        "status": proposal.get_status_display(),
    }
    return (
        proposal.decided_at or proposal.created_at,
        None,
        what,
        reverse("knowledge_base:proposal", args=[proposal.pk]),
    )


def _development_line(record: DevelopmentRecord):
    what = f"{record.get_kind_display()}: {record}"
    return record.completed_on or record.verified_at, None, what, ""


def _recommendation_line(recommendation: Recommendation):
    return (
        recommendation.enrolled_at or recommendation.created_at,
        recommendation.student,
        str(recommendation),
        reverse("projects:recommendation", args=[recommendation.pk]),
    )


def _enrolment_line(enrolment: Enrolment):
    return (
        enrolment.started_on,
        enrolment.student,
        enrolment.programme.title,
        reverse("students:file", args=[enrolment.student_id]),
    )


def _survey_line(survey: Survey):
    parts = []
    if survey.score is not None:
        parts.append(gettext("would recommend: %(score)s of 10") % {"score": survey.score})
    if survey.plans_to_continue:
        parts.append(
            gettext("plans to continue: %(answer)s")
            % {"answer": survey.get_plans_to_continue_display()}
        )
    return survey.answered_at, survey.student, "; ".join(parts), ""


def _second_reading_line(reading: SecondReading):
    submission = reading.review.submission
    what = gettext("%(attempt)s, read by %(reader)s") % {
        "attempt": _attempt(submission),
        "reader": reading.reader,
    }
    return (
        reading.created_at,
        submission.student,
        what,
        reverse("projects:submission", args=[submission.pk]),
    )


@dataclass(frozen=True)
class RecordKind:
    """How the drill-down loads and shows one kind of record: its model, what to load
    with it, its order (newest first; students by name) and its line."""

    model: type[Model]
    related: tuple[str, ...]
    order: tuple[str, ...]
    line: Callable[[Any], tuple]
    has_student: bool = True


RECORD_KINDS: dict[str, RecordKind] = {
    Record.STUDENT: RecordKind(
        User, ("student_profile",), ("display_name", "email", "pk"), _student_line
    ),
    Record.SUBMISSION: RecordKind(
        Submission,
        ("student", "project", "review"),
        ("-review__created_at", "-submitted_at", "-pk"),
        _submission_line,
    ),
    Record.REVIEW: RecordKind(
        Review,
        ("submission__student", "submission__project"),
        ("-created_at", "-pk"),
        _review_line,
    ),
    Record.SESSION: RecordKind(
        MentoringSession, ("student",), ("-scheduled_at", "-pk"), _session_line
    ),
    Record.QUESTION: RecordKind(Question, ("author",), ("-created_at", "-pk"), _question_line),
    Record.FLAG: RecordKind(RiskFlag, ("student",), ("-opened_on", "-pk"), _flag_line),
    Record.ARTICLE: RecordKind(
        Article, (), ("-published_at", "-pk"), _article_line, has_student=False
    ),
    Record.VOTE: RecordKind(
        ArticleVote, ("article",), ("-created_at", "-pk"), _vote_line, has_student=False
    ),
    Record.CASE_REPLY: RecordKind(
        CaseReply, ("case",), ("-created_at", "-pk"), _case_reply_line, has_student=False
    ),
    Record.PROPOSAL: RecordKind(
        ImprovementProposal, (), ("-created_at", "-pk"), _proposal_line, has_student=False
    ),
    Record.DEVELOPMENT: RecordKind(
        DevelopmentRecord,
        ("programme",),
        ("-completed_on", "-verified_at", "-pk"),
        _development_line,
        has_student=False,
    ),
    Record.RECOMMENDATION: RecordKind(
        Recommendation,
        ("student", "programme"),
        ("-created_at", "-pk"),
        _recommendation_line,
    ),
    Record.ENROLMENT: RecordKind(
        Enrolment, ("student", "programme"), ("-started_on", "-pk"), _enrolment_line
    ),
    Record.SURVEY: RecordKind(Survey, ("student",), ("-answered_at", "-pk"), _survey_line),
    Record.SECOND_READING: RecordKind(
        SecondReading,
        ("reader", "review__submission__student", "review__submission__project"),
        ("-created_at", "-pk"),
        _second_reading_line,
    ),
}


@dataclass(frozen=True)
class RecordTable:
    kind: str
    page: Page  # of RecordLine
    total: int
    has_student: bool
    has_outcome: bool


def metric_records(*, metric: Metric, rows: Sequence[Row], page: str | int | None) -> RecordTable:
    """A page of the records behind a figure (``RECORDS_PAGE_SIZE`` a page), newest
    first. Two queries whatever the number of rows: their order, then the page's
    records with what their lines show."""
    kind = RECORD_KINDS[metric.record]
    by_id: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_id[row.record_id].append(row)
    ordered: list[Row] = []
    if by_id:
        ids = (
            kind.model.objects.filter(pk__in=list(by_id))
            .order_by(*kind.order)
            .values_list("pk", flat=True)
        )
        ordered = [row for pk in ids for row in by_id[pk]]
    records_page = Paginator(ordered, RECORDS_PAGE_SIZE).get_page(page)
    objects = (
        kind.model.objects.select_related(*kind.related).in_bulk(
            [row.record_id for row in records_page.object_list]
        )
        if records_page.object_list
        else {}
    )
    lines = []
    for row in records_page.object_list:
        record = objects.get(row.record_id)
        if record is None:  # deleted since its row was read
            continue
        day, student, what, url = kind.line(record)
        lines.append(
            RecordLine(
                day=day,
                student=student,
                what=what,
                outcome=format_outcome(metric, row.outcome),
                url=url,
            )
        )
    records_page.object_list = lines
    return RecordTable(
        kind=metric.record,
        page=records_page,
        total=len(ordered),
        has_student=kind.has_student,
        has_outcome=metric.fold != Fold.COUNT,
    )


# --- The team dashboard ---------------------------------------------------------------

DASHBOARD_PAGE_SIZE = 50


def dashboard_mentors(reader: User, *, supervisor: User | None = None) -> QuerySet[User]:
    """The active mentors on the reader's dashboard, with their load (one query): a
    supervisor's team, or every mentor for staff, narrowed to one team if asked."""
    mentors = scorecard_mentors_visible_to(reader).filter(is_active=True)
    if supervisor is not None:
        mentors = mentors.filter(mentor_profile__supervisor=supervisor)
    return mentors_with_load(mentors)


def dashboard_mentors_matching(
    reader: User, mentors: list[User], *, supervisor: User | None = None, search: str = ""
) -> list[User]:
    """The dashboard's rows for a search of the mentors' names or e-mail
    (``people_matching``, the one search of people lists): ``mentors``
    (``dashboard_mentors``) narrowed to those it finds, in one query; all of them,
    without a query, for no search."""
    if not search.strip():
        return mentors
    found = set(
        people_matching(dashboard_mentors(reader, supervisor=supervisor), search).values_list(
            "pk", flat=True
        )
    )
    return [mentor for mentor in mentors if mentor.pk in found]


def _current_students_of(reader: User, mentor_ids: Iterable[int]) -> QuerySet:
    """The current assignments (``current_mentor_assignments``) of those of
    ``mentor_ids`` the reader may see (``mentors_visible_to``): the students whose
    waiting reviews and open flags the dashboard counts for their mentor now. The
    students the reader may see are exactly these (``students_visible_to``)."""
    return current_mentor_assignments().filter(
        mentor_id__in=list(mentor_ids), mentor__in=mentors_visible_to(reader)
    )


def oldest_waiting_reviews(reader: User, *, mentor_ids: Iterable[int]) -> dict[int, datetime]:
    """Per mentor, when the oldest submission waiting for review
    (``Submission.objects.waiting``) among their current students was submitted. One
    query for all mentors, from the mentors' students (a thousand for a team) to
    their waiting submissions, rather than from every waiting submission of the
    school to its student's mentor."""
    first = (
        Submission.objects.waiting()
        .filter(student=OuterRef("student_id"))
        .order_by()
        .values("student")
        .annotate(first=Min("submitted_at"))
        .values("first")
    )
    rows = (
        _current_students_of(reader, mentor_ids)
        .annotate(first=Subquery(first))
        .filter(first__isnull=False)
        .values("mentor_id")
        .annotate(oldest=Min("first"))
    )
    return {row["mentor_id"]: row["oldest"] for row in rows}


def open_flag_counts(reader: User, *, mentor_ids: Iterable[int]) -> dict[int, int]:
    """Per mentor, their current students with an open at-risk flag (a student has
    one open flag at most). One query for all mentors."""
    flagged = RiskFlag.objects.filter(status=FlagStatus.OPEN, student=OuterRef("student_id"))
    rows = (
        _current_students_of(reader, mentor_ids)
        .filter(Exists(flagged))
        .values("mentor_id")
        .annotate(count=Count("pk"))
    )
    return {row["mentor_id"]: row["count"] for row in rows}


@dataclass
class DashboardRow:
    """One mentor on the dashboard."""

    mentor: User
    current_students: int
    capacity: int | None
    oldest_waiting: datetime | None
    open_flags: int
    team: TeamRow

    @property
    def supervisor(self) -> User | None:
        profile = getattr(self.mentor, "mentor_profile", None)
        return profile.supervisor if profile else None

    @property
    def load(self) -> float | None:
        """Current students as a share of capacity (None without a capacity)."""
        return self.current_students / self.capacity if self.capacity else None

    @property
    def over_capacity(self) -> bool:
        return bool(self.capacity) and self.current_students > self.capacity

    @property
    def satisfaction(self) -> Computed | None:
        rating = self.team.session_rating
        return rating if rating is not None and rating.value is not None else None

    @property
    def satisfaction_text(self) -> str:
        rating = self.satisfaction
        return _number(rating.value) if rating else ""

    @property
    def overall(self) -> float | None:
        return self.team.overall

    @property
    def overall_text(self) -> str:
        return format_percentile(self.team.overall)

    @property
    def previous_text(self) -> str:
        return format_percentile(self.team.previous)

    @property
    def trend(self) -> int:
        return self.team.trend

    # The row's words, made here rather than by a dozen {% blocktranslate %} a row:
    # the same messages, a twentieth of the time.

    @property
    def trend_title(self) -> str:
        return gettext("Previous period: %(score)s") % {"score": self.previous_text}

    @property
    def trend_words(self) -> str:
        """The arrow in words, for screen readers."""
        if self.trend == 1:
            return gettext("up from %(score)s") % {"score": self.previous_text}
        if self.trend == -1:
            return gettext("down from %(score)s") % {"score": self.previous_text}
        return gettext("about the same as the previous period")

    @property
    def load_text(self) -> str:
        if not self.capacity:
            return number_format(self.current_students)
        return gettext("%(current)s of %(capacity)s") % {
            "current": number_format(self.current_students),
            "capacity": number_format(self.capacity),
        }

    @property
    def waiting_text(self) -> str:
        return relative_time(self.oldest_waiting)

    @property
    def sessions_text(self) -> str:
        count = self.satisfaction.n if self.satisfaction else 0
        return ngettext("%(counter)s session", "%(counter)s sessions", count) % {
            "counter": number_format(count)
        }


def dashboard_rows(
    mentors: Sequence[User], *, period: Period, reader: User, team: TeamFigures | None = None
) -> list[DashboardRow]:
    """The dashboard's rows for mentors loaded by ``dashboard_mentors``: a constant
    number of queries, whatever the number of mentors (one fewer with the team's
    figures read already, ``team``)."""
    ids = [mentor.pk for mentor in mentors]
    waiting = oldest_waiting_reviews(reader, mentor_ids=ids)
    flags = open_flag_counts(reader, mentor_ids=ids)
    teams = team_composites(mentors=mentors, period=period, reader=reader, team=team)
    rows = []
    for mentor in mentors:
        profile = getattr(mentor, "mentor_profile", None)
        rows.append(
            DashboardRow(
                mentor=mentor,
                current_students=mentor.current_students,
                capacity=profile.capacity if profile else None,
                oldest_waiting=waiting.get(mentor.pk),
                open_flags=flags.get(mentor.pk, 0),
                team=teams[mentor.pk],
            )
        )
    return rows


# Columns the table sorts by (``?sort=key``, ``?sort=-key`` descending): the key of a
# row for each. Rows without a value come last either way.
DASHBOARD_SORTS: dict[str, Callable[[DashboardRow], Any]] = {
    "name": lambda row: str(row.mentor).casefold(),
    "load": lambda row: row.load,
    "waiting": lambda row: row.oldest_waiting,
    "flags": lambda row: row.open_flags,
    "satisfaction": lambda row: row.satisfaction.value if row.satisfaction else None,
    "composite": lambda row: row.overall,
}
DEFAULT_SORT = "name"


def dashboard_sort(value: str | None) -> str:
    """A ``?sort=`` value from the whitelist, or the default for anything else."""
    value = value or ""
    return value if value.removeprefix("-") in DASHBOARD_SORTS else DEFAULT_SORT


def dashboard_sorted(rows: Iterable[DashboardRow], sort: str) -> list[DashboardRow]:
    """Rows in the order ``sort`` asks (see ``DASHBOARD_SORTS``), ties by name."""
    sort = dashboard_sort(sort)
    key = DASHBOARD_SORTS[sort.removeprefix("-")]
    by_name = sorted(rows, key=DASHBOARD_SORTS["name"])
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=sort.startswith("-")) + missing


@dataclass(frozen=True)
class SortLink:
    sort: str  # the value the column's link asks for
    state: str  # "ascending", "descending" or "" (not sorted by this column)


def sort_links(current: str) -> dict[str, SortLink]:
    """Each column's link: sorts by it, or the other way when it is the current one."""
    current = dashboard_sort(current)
    links = {}
    for key in DASHBOARD_SORTS:
        if current == key:
            links[key] = SortLink(sort=f"-{key}", state="ascending")
        elif current == f"-{key}":
            links[key] = SortLink(sort=key, state="descending")
        else:
            links[key] = SortLink(sort=key, state="")
    return links


def team_trend(
    mentors: Sequence[User], *, period: Period, reader: User, team: TeamFigures | None = None
) -> list[TeamPeriod]:
    """The team's overall composites over the last ``TREND_PERIODS`` periods: per
    period how many mentors have one, their median and the middle half of them.
    ``team``: the figures read already (``team_figures`` over ``TREND_PERIODS``)."""
    if team is None or len(team.periods) < TREND_PERIODS:
        team = team_figures(mentors=mentors, period=period, reader=reader, count=TREND_PERIODS)
    periods = team.periods[-TREND_PERIODS:]
    trend = []
    for each in periods:
        scores = sorted(
            score
            for mentor in mentors
            if (score := team.overall[each.key].get(mentor.pk)) is not None
        )
        if not scores:
            trend.append(TeamPeriod(each, 0, None, None, None))
            continue
        if len(scores) == 1:
            lower = upper = scores[0]
        else:
            lower, _median, upper = statistics.quantiles(scores, n=4, method="inclusive")
        trend.append(
            TeamPeriod(
                period=each,
                mentors=len(scores),
                median=round(statistics.median(scores), 1),
                lower=round(lower, 1),
                upper=round(upper, 1),
            )
        )
    return trend


# --- CSV --------------------------------------------------------------------------------

DASHBOARD_CSV_COLUMNS = [
    "mentor",
    "email",
    "supervisor",
    "current_students",
    "capacity",
    "oldest_waiting_review",
    "open_flags",
    "session_rating",
    "rated_sessions",
    "composite",
    "previous_composite",
    "trend",
]


def dashboard_csv_rows(rows: Iterable[DashboardRow], *, reader: User) -> list[list[object]]:
    """The table as CSV rows (after the header ``DASHBOARD_CSV_COLUMNS``): numbers as
    numbers, times in the reader's zone, the trend as up, down or level. The cells are
    made safe for spreadsheets by ``mentorship.exports.csv_response``."""
    trends = {1: "up", -1: "down", 0: "level"}
    lines = []
    for row in rows:
        rating = row.satisfaction
        waiting = row.oldest_waiting
        lines.append(
            [
                str(row.mentor),
                row.mentor.email,
                row.supervisor and str(row.supervisor),
                row.current_students,
                row.capacity,
                waiting and waiting.astimezone(reader.zone).isoformat(timespec="minutes"),
                row.open_flags,
                rating and round(rating.value, 2),
                rating.n if rating else 0,
                row.team.overall,
                row.team.previous,
                trends[row.trend],
            ]
        )
    return lines
