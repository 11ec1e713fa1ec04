"""Programme analytics: where students struggle in a programme (the seed's «выявление
трудных точек программ»), for staff. This module owns what each figure means, the one
definition of when a student started a project and of which project a drop-out left
on, the "hardness" that orders projects and criteria hardest first, and who may look
(staff).

Each of a programme's projects is measured over a window of time (``start`` up to
``end``, either open; the pages take a ``metrics.periods.Period``'s bounds in the
reader's time zone):

- **Attempts to approval**: of the projects approved in the window, the attempt number
  of the approved submission (1 when the first attempt passed); median and mean, with
  n approvals. Higher is harder.
- **Criteria not met**: of the verdicts reviewers gave on the project's rubric criteria
  in reviews posted in the window, the share not met; with n verdicts. The same per
  criterion. Higher is harder.
- **Days to approval**: of the projects approved in the window, calendar days from the
  student's start on the project (``project_started_on``, below) to the approval;
  median with n, and its ratio to the project's ``target_days`` (1.0 is on target).
  Higher is harder.
- **Questions asked** about the project in the window (``knowledge_base`` questions
  whose project it is, every one of them). Higher is harder.
- **Difficulty**: the students' ratings (1-5) given in the window on their approved
  submissions of the project; mean with n. Higher is harder.
- **Drop-outs** while on the project (``dropouts``, below). Higher is harder.

The two counts (questions, drop-outs) are not scaled by how many students worked on
a project, so an early project that every student passes through tends to draw more
of both; the page shows them as they are, beside the other measures.

**When a student started a project** (``project_started_on``): the day of their latest
approval, before this one, of an earlier project of the programme (in the programme's
order); for the first project, or when no earlier project was approved before, the
day their enrolment started. For a student who goes in order this is the day the
previous project was approved. Days are calendar days in the reader's time zone
(``zone``); an enrolment's start is already a day.

**Drop-outs**: a student enrolled in the programme whose status changed to dropped
(``StudentStatusChange``) on a day in the window, on or after their enrolment began;
and, for all time only (no window), a student whose enrolment was withdrawn, since a
withdrawal carries no date. Each student counts once per programme, against the
project they were on then: the first project, in the programme's order, they had not
had approved by the end of that day (their first drop of the window; the approval's
day read in ``zone``). A student with every project approved by then was on none and
is not counted.

**Hardness**: for each measure, each project with data on it gets its rank among the
programme's projects with data, scaled from 0 (easiest) to 1 (hardest), ties sharing
the middle of their ranks: ``(projects below + (projects equal - 1) / 2) / (projects
with data - 1)``. A measure on which fewer than two projects have data, or all have
the same value, ranks nobody. A project's hardness is the mean of its ranks over the
measures that rank it; the attempts measure ranks by the mean (medians of attempts
are mostly 1), the days measure by the ratio to the target. Hardest first puts the
highest hardness first, projects with no hardness last, ties in the programme's order.
Criteria rank the same way among the programme's criteria by the share not met.

**The students' survey**: the answers given in the window by students enrolled in the
programme (a student in two programmes counts in both): the mean "would recommend"
score, 0 to 10, and the share of those who said whether they plan to continue who said
yes (``metrics.surveys``).

Every figure carries its n; none is made up from no data: a measure with no records
is ``None`` (the page says "no data"), never 0. Counts of events (questions,
drop-outs) are 0 when none happened. All programmes of a call are measured in the
same few queries, whatever the number of programmes, projects and students
(``programmes_analytics``)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import mean
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import Question
from mentorship.models import Role, StudentStatus, StudentStatusChange, User
from projects.models import (
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Project,
    RubricCriterion,
    Submission,
    Verdict,
)

from .definitions import SMALL_SAMPLE
from .models import Survey, SurveyContinue

# Who looks at programme analytics.
ANALYTICS_ROLES = (Role.STAFF,)

# How long a computation is reused by the pages and the API (``programmes_analytics_cached``):
# all time over a large programme reads every approval it ever had (seconds).
ANALYTICS_CACHE_SECONDS = 600

# Heat levels 0 (easiest) to HEAT_LEVELS - 1 (hardest) of a rank from 0 to 1, each
# named, so that the colour is never the only sign of it.
HEAT_LEVELS = 5
HEAT_LEVEL_LABELS = (
    _("Among the easiest"),
    _("Easier"),
    _("In the middle"),
    _("Harder"),
    _("Among the hardest"),
)

# The measures of a project, in the order the heat map shows them.
MEASURES = ("attempts", "rejections", "days", "questions", "difficulty", "dropouts")


class AnalyticsOrder(TextChoices):
    """The order a programme's projects are listed in."""

    HARDEST = "hardest", _("Hardest first")
    PROGRAMME = "programme", _("Programme order")


# --- Who may look ---------------------------------------------------------------------


def programmes_for_analytics(user: User) -> QuerySet[Programme]:
    """The programmes a person may see the analytics of: every one for staff, none
    for anyone else."""
    if not user.is_authenticated or user.role not in ANALYTICS_ROLES:
        return Programme.objects.none()
    return Programme.objects.order_by("title", "pk")


def programme_for_analytics(user: User, pk: int) -> Programme:
    """One programme whose analytics this person may see; 404 otherwise."""
    programme = programmes_for_analytics(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


# --- The figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Average:
    """A middle of ``n`` records: their median and mean, None without records."""

    median: float | None
    mean: float | None
    n: int

    @classmethod
    def none(cls) -> "Average":
        return cls(None, None, 0)


@dataclass(frozen=True)
class Share:
    """``count`` of ``n`` records: the rate is None without records, and a small
    sample (``is_small``) is to be shown as "count of n"."""

    count: int
    n: int

    @property
    def rate(self) -> float | None:
        return self.count / self.n if self.n else None

    @property
    def is_small(self) -> bool:
        return self.n < SMALL_SAMPLE


@dataclass(frozen=True)
class Heat:
    """How hard a figure is against the others of its programme: a level from 0
    (easiest) to ``HEAT_LEVELS - 1`` (hardest), None when it ranks nowhere."""

    level: int | None

    @property
    def css(self) -> str:
        return "heat-none" if self.level is None else f"heat-{self.level}"

    @property
    def label(self) -> str:
        return _("Not ranked") if self.level is None else HEAT_LEVEL_LABELS[self.level]


@dataclass
class CriterionFigures:
    """One rubric criterion: the share of its verdicts not met, and its heat level
    among the programme's criteria (None when it ranks nowhere)."""

    criterion: RubricCriterion
    project: Project
    rejections: Share
    rank: float | None = None

    @property
    def level(self) -> int | None:
        return heat_level(self.rank)

    @property
    def heat(self) -> Heat:
        return Heat(self.level)


@dataclass
class ProjectFigures:
    """One project of a programme over the window (see the module's docstring)."""

    project: Project
    attempts: Average = field(default_factory=Average.none)
    rejections: Share = field(default_factory=lambda: Share(0, 0))
    days: Average = field(default_factory=Average.none)  # median only
    questions: int = 0
    difficulty: Average = field(default_factory=Average.none)  # mean only
    dropouts: int = 0
    criteria: list[CriterionFigures] = field(default_factory=list)
    # Each measure's rank among the programme's projects, 0 easiest to 1 hardest.
    ranks: dict[str, float | None] = field(default_factory=dict)
    hardness: float | None = None
    hardest_position: int | None = None  # 1 = the hardest of the programme

    @property
    def days_ratio(self) -> float | None:
        """The median days to approval over the project's target (1.0 on target)."""
        if self.days.median is None or not self.project.target_days:
            return None
        return self.days.median / self.project.target_days

    @property
    def levels(self) -> dict[str, int | None]:
        """Each measure's heat level, 0 (easiest) to 4 (hardest), None unranked."""
        return {key: heat_level(self.ranks.get(key)) for key in MEASURES}

    @property
    def heat(self) -> dict[str, Heat]:
        """Each measure's heat, and the hardness's (``hardness``)."""
        return {
            **{key: Heat(level) for key, level in self.levels.items()},
            "hardness": Heat(heat_level(self.hardness)),
        }


@dataclass(frozen=True)
class SurveyFigures:
    """What the programme's students said in the survey (see the module's docstring)."""

    score: Average
    continuing: Share

    @classmethod
    def none(cls) -> "SurveyFigures":
        return cls(Average.none(), Share(0, 0))


@dataclass
class ProgrammeAnalytics:
    """A programme's projects over a window, in the programme's order, and hardest
    first; its criteria hardest first; its students' survey answers."""

    programme: Programme
    start: datetime | None
    end: datetime | None
    projects: list[ProjectFigures]
    survey: SurveyFigures = field(default_factory=SurveyFigures.none)

    def ordered(self, order: str) -> list[ProjectFigures]:
        """The projects hardest first, or in the programme's order."""
        return self.projects if order == AnalyticsOrder.PROGRAMME else self.hardest_first

    @property
    def hardest_first(self) -> list[ProjectFigures]:
        return sorted(
            self.projects,
            key=lambda row: (row.hardest_position is None, row.hardest_position or 0),
        )

    @property
    def criteria_hardest_first(self) -> list[CriterionFigures]:
        """Every criterion of the programme, the most often not met first (the larger
        sample first among equal shares), criteria with no verdicts last."""
        criteria = [criterion for row in self.projects for criterion in row.criteria]
        return sorted(
            criteria,
            key=lambda item: (
                item.rejections.rate is None,
                -(item.rejections.rate or 0),
                -item.rejections.n,
                item.project.position,
                item.criterion.position,
            ),
        )

    @property
    def approvals(self) -> int:
        return sum(row.attempts.n for row in self.projects)

    @property
    def dropouts(self) -> int:
        return sum(row.dropouts for row in self.projects)

    @property
    def hardest(self) -> ProjectFigures | None:
        """The hardest project, when any project ranks."""
        first = self.hardest_first[:1]
        return first[0] if first and first[0].hardness is not None else None


def heat_level(rank: float | None) -> int | None:
    """The heat level (0 to ``HEAT_LEVELS - 1``) of a rank from 0 to 1."""
    if rank is None:
        return None
    return min(HEAT_LEVELS - 1, int(rank * HEAT_LEVELS))


def programme_analytics(
    *,
    programme: Programme,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: ZoneInfo = UTC,
) -> ProgrammeAnalytics:
    """Where students struggle in one programme, over the window ``start`` (included)
    up to ``end`` (excluded), either open; calendar days read in ``zone`` (the
    reader's). See the module's docstring for each figure."""
    return programmes_analytics(programmes=[programme], start=start, end=end, zone=zone)[
        programme.pk
    ]


def programmes_analytics(
    *,
    programmes: Iterable[Programme],
    start: datetime | None = None,
    end: datetime | None = None,
    zone: ZoneInfo = UTC,
) -> dict[int, ProgrammeAnalytics]:
    """``programme_analytics`` of many programmes at once, by programme id: nine
    queries whatever the number of programmes, projects and students (the projects,
    their criteria, one per measure but the days' and attempts' two, and the
    survey's)."""
    programmes = list(programmes)
    ids = [programme.pk for programme in programmes]
    projects = list(
        Project.objects.filter(programme_id__in=ids)
        .prefetch_related(
            Prefetch("criteria", queryset=RubricCriterion.objects.order_by("position"))
        )
        .order_by("programme_id", "position")
    )
    rows = {project.pk: ProjectFigures(project) for project in projects}
    window = _Window(start, end, zone)

    for project_id, figures in _attempts(ids, window).items():
        rows[project_id].attempts = figures
    for project_id, figures in _days_to_approval(ids, window).items():
        rows[project_id].days = figures
    for project_id, count in _questions(ids, window).items():
        rows[project_id].questions = count
    for project_id, figures in _difficulty(ids, window).items():
        rows[project_id].difficulty = figures
    for project_id, count in _dropouts(ids, window).items():
        rows[project_id].dropouts = count
    verdicts = _criterion_verdicts(ids, window)
    for row in rows.values():
        row.criteria = [
            CriterionFigures(criterion, row.project, verdicts.get(criterion.pk, Share(0, 0)))
            for criterion in row.project.criteria.all()
        ]
        row.rejections = Share(
            sum(item.rejections.count for item in row.criteria),
            sum(item.rejections.n for item in row.criteria),
        )

    surveys = _surveys(ids, window)
    by_programme: dict[int, list[ProjectFigures]] = defaultdict(list)
    for row in rows.values():
        by_programme[row.project.programme_id].append(row)
    analytics = {}
    for programme in programmes:
        programme_rows = by_programme.get(programme.pk, [])
        _rank_projects(programme_rows)
        _rank_criteria([item for row in programme_rows for item in row.criteria])
        analytics[programme.pk] = ProgrammeAnalytics(
            programme,
            start,
            end,
            programme_rows,
            surveys.get(programme.pk, SurveyFigures.none()),
        )
    return analytics


def programmes_analytics_cached(
    *,
    programmes: Iterable[Programme],
    start: datetime | None = None,
    end: datetime | None = None,
    zone: ZoneInfo = UTC,
) -> dict[int, ProgrammeAnalytics]:
    """``programmes_analytics``, each programme's figures kept in the cache for
    ``ANALYTICS_CACHE_SECONDS`` (per window and time zone), so the pages and the API
    read figures at most that old; those not cached are computed together."""
    programmes = list(programmes)
    window = "-".join(moment.isoformat() if moment else "all" for moment in (start, end))
    keys = {
        programme.pk: f"metrics:analytics:{programme.pk}:{window}:{zone.key}"
        for programme in programmes
    }
    found = cache.get_many(list(keys.values()))
    analytics = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [programme for programme in programmes if programme.pk not in analytics]
    if missing:
        computed = programmes_analytics(programmes=missing, start=start, end=end, zone=zone)
        cache.set_many(
            {keys[pk]: figures for pk, figures in computed.items()}, ANALYTICS_CACHE_SECONDS
        )
        analytics.update(computed)
    return analytics


# --- Hardness -------------------------------------------------------------------------

# The value each measure ranks projects by (None: no data).
RANKED_BY: dict[str, Callable[[ProjectFigures], float | None]] = {
    "attempts": lambda row: row.attempts.mean,
    "rejections": lambda row: row.rejections.rate,
    "days": lambda row: row.days_ratio,
    "questions": lambda row: row.questions,
    "difficulty": lambda row: row.difficulty.mean,
    "dropouts": lambda row: row.dropouts,
}


def relative_ranks(values: dict[int, float | None]) -> dict[int, float | None]:
    """Each key's rank among the keys with a value, 0 (lowest) to 1 (highest), ties
    sharing the middle of their ranks; None for every key when fewer than two have a
    value or all values are equal (nothing stands out)."""
    known = {key: value for key, value in values.items() if value is not None}
    if len(known) < 2 or len(set(known.values())) == 1:
        return dict.fromkeys(values)
    ranks: dict[int, float | None] = dict.fromkeys(values)
    for key, value in known.items():
        below = sum(1 for other in known.values() if other < value)
        equal = sum(1 for other in known.values() if other == value)
        ranks[key] = (below + (equal - 1) / 2) / (len(known) - 1)
    return ranks


def _rank_projects(rows: list[ProjectFigures]) -> None:
    """Each measure's rank, the hardness and the place hardest first of a programme's
    projects (``rows``, in the programme's order)."""
    for key, value_of in RANKED_BY.items():
        for index, rank in relative_ranks(
            {index: value_of(row) for index, row in enumerate(rows)}
        ).items():
            rows[index].ranks[key] = rank
    for row in rows:
        ranked = [rank for rank in row.ranks.values() if rank is not None]
        row.hardness = mean(ranked) if ranked else None
    hardest_first = sorted(
        (row for row in rows if row.hardness is not None),
        key=lambda row: (-row.hardness, row.project.position),
    )
    for position, row in enumerate(hardest_first, start=1):
        row.hardest_position = position
    unranked = [row for row in rows if row.hardness is None]
    for position, row in enumerate(unranked, start=len(hardest_first) + 1):
        row.hardest_position = position


def _rank_criteria(criteria: list[CriterionFigures]) -> None:
    for index, rank in relative_ranks(
        {index: item.rejections.rate for index, item in enumerate(criteria)}
    ).items():
        criteria[index].rank = rank


# --- The queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    start: datetime | None
    end: datetime | None
    zone: ZoneInfo

    def moments(self, field_name: str) -> Q:
        """Records whose moment ``field_name`` falls in the window."""
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            condition &= Q(**{f"{field_name}__lt": self.end})
        return condition

    def days(self, field_name: str) -> Q:
        """Records whose day ``field_name`` is one of the window's days (the window's
        bounds read as days in ``zone``; the end's day excluded)."""
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{field_name}__gte": self.start.astimezone(self.zone).date()})
        if self.end is not None:
            condition &= Q(**{f"{field_name}__lt": self.end.astimezone(self.zone).date()})
        return condition

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None


def _approvals(programme_ids: list[int], window: _Window) -> QuerySet[Submission]:
    """The approved submissions of the programmes' projects, approved in the window
    (the moment of the approving review)."""
    return Submission.objects.filter(
        window.moments("review__created_at"),
        project__programme_id__in=programme_ids,
        review__verdict=Verdict.APPROVED,
    ).order_by()


def _middles(
    queryset: QuerySet, value, *, number: Callable = float, with_mean: bool = False
) -> dict[int, Average]:
    """The median (and, ``with_mean``, the mean) of ``value`` per project
    (``project_id`` of ``queryset``), in one query on both databases: the rows are
    numbered in order of the value within each project, and only the middle one or two
    come back, each with the project's count (and mean). ``number`` turns a value into
    the figure's unit."""
    by_project = F("project_id")
    windows = {
        "place": Window(RowNumber(), partition_by=by_project, order_by=F("measured").asc()),
        "records": Window(Count("pk"), partition_by=by_project),
    }
    if with_mean:
        windows["average"] = Window(Avg("measured"), partition_by=by_project)
    middles = (
        queryset.annotate(measured=value)
        .filter(measured__isnull=False)
        .annotate(**windows)
        .filter(place__gte=(F("records") + 1) / 2, place__lte=F("records") / 2 + 1)
        .values_list("project_id", "measured", "records", *(["average"] if with_mean else []))
    )
    found: dict[int, list[float]] = defaultdict(list)
    counts: dict[int, tuple] = {}
    for project_id, measured, records, *average in middles:
        found[project_id].append(number(measured))
        counts[project_id] = (records, average[0] if average else None)
    return {
        project_id: Average(
            median=mean(values), mean=counts[project_id][1], n=counts[project_id][0]
        )
        for project_id, values in found.items()
    }


def _attempts(programme_ids: list[int], window: _Window) -> dict[int, Average]:
    """Attempt numbers of the approvals in the window: median and mean per project.
    One query."""
    return _middles(_approvals(programme_ids, window), F("attempt"), with_mean=True)


def project_started_on(*, zone: ZoneInfo) -> Coalesce:
    """The day a student started the project of an approved submission, as an
    expression over submissions (see the module's docstring): the day of their latest
    approval, before this one, of an earlier project of the same programme, or else
    their enrolment's start."""
    earlier_approval = (
        Submission.objects.filter(
            student_id=OuterRef("student_id"),
            project__programme_id=OuterRef("project__programme_id"),
            project__position__lt=OuterRef("project__position"),
            review__verdict=Verdict.APPROVED,
            review__created_at__lte=OuterRef("review__created_at"),
        )
        .order_by("-review__created_at")
        .annotate(day=TruncDate("review__created_at", tzinfo=zone))
        .values("day")[:1]
    )
    enrolment_start = Enrolment.objects.filter(
        student_id=OuterRef("student_id"), programme_id=OuterRef("project__programme_id")
    ).values("started_on")[:1]
    return Coalesce(
        Subquery(earlier_approval, output_field=DateField()),
        Subquery(enrolment_start, output_field=DateField()),
        output_field=DateField(),
    )


def _days_to_approval(programme_ids: list[int], window: _Window) -> dict[int, Average]:
    """Median calendar days from the start (``started_on``) to the approval, per
    project, of the approvals in the window. One query."""
    days = ExpressionWrapper(
        TruncDate("review__created_at", tzinfo=window.zone) - project_started_on(zone=window.zone),
        output_field=DurationField(),
    )
    return _middles(
        _approvals(programme_ids, window), days, number=lambda span: span.total_seconds() / 86400
    )


def _criterion_verdicts(programme_ids: list[int], window: _Window) -> dict[int, Share]:
    """Per criterion: its verdicts not met of those given in reviews posted in the
    window. One query."""
    return {
        criterion_id: Share(rejected, given)
        for criterion_id, rejected, given in CriterionVerdict.objects.filter(
            window.moments("review__created_at"),
            criterion__project__programme_id__in=programme_ids,
        )
        .order_by()
        .values("criterion_id")
        .annotate(rejected=Count("pk", filter=Q(met=False)), given=Count("pk"))
        .values_list("criterion_id", "rejected", "given")
    }


def _questions(programme_ids: list[int], window: _Window) -> dict[int, int]:
    """Questions asked about each project in the window. One query."""
    return dict(
        Question.objects.filter(
            window.moments("created_at"), project__programme_id__in=programme_ids
        )
        .order_by()
        .values("project_id")
        .annotate(asked=Count("pk"))
        .values_list("project_id", "asked")
    )


def _difficulty(programme_ids: list[int], window: _Window) -> dict[int, Average]:
    """The mean difficulty rating given in the window per project. One query."""
    return {
        project_id: Average(median=None, mean=average, n=given)
        for project_id, average, given in DifficultyRating.objects.filter(
            window.moments("created_at"),
            submission__project__programme_id__in=programme_ids,
        )
        .order_by()
        .values("submission__project_id")
        .annotate(average=Avg("rating"), given=Count("pk"))
        .values_list("submission__project_id", "average", "given")
    }


def _dropouts(programme_ids: list[int], window: _Window) -> dict[int, int]:
    """Drop-outs per project they were on (see the module's docstring). One query
    over the programmes' enrolments: each annotated with the first day in the window
    its student dropped on (on or after the enrolment began), then with the first
    project of the programme not approved by the end of that day (of any day, for a
    withdrawn enrolment with no such drop, counted for all time only)."""
    first_drop = (
        StudentStatusChange.objects.filter(
            window.days("effective_on"),
            student_id=OuterRef("student_id"),
            status=StudentStatus.DROPPED,
            effective_on__gte=OuterRef("started_on"),
        )
        .order_by("effective_on", "pk")
        .values("effective_on")[:1]
    )
    approved_by_then = Submission.objects.annotate(
        approved_on=TruncDate("review__created_at", tzinfo=window.zone)
    ).filter(
        student_id=OuterRef(OuterRef("student_id")),
        project_id=OuterRef("pk"),
        review__verdict=Verdict.APPROVED,
        approved_on__lte=OuterRef(OuterRef("cutoff")),
    )
    project_then = (
        Project.objects.filter(programme_id=OuterRef("programme_id"))
        .exclude(Exists(approved_by_then))
        .order_by("position")
        .values("pk")[:1]
    )
    left = Q(dropped_on__isnull=False)
    if window.is_all_time:
        left |= Q(status=EnrolmentStatus.WITHDRAWN)
    return dict(
        Enrolment.objects.filter(programme_id__in=programme_ids)
        .annotate(dropped_on=Subquery(first_drop, output_field=DateField()))
        .filter(left)
        .annotate(cutoff=Coalesce("dropped_on", Value(date.max), output_field=DateField()))
        .annotate(project_then=Subquery(project_then))
        .filter(project_then__isnull=False)
        .order_by()
        .values("project_then")
        .annotate(students=Count("pk"))
        .values_list("project_then", "students")
    )


def _surveys(programme_ids: list[int], window: _Window) -> dict[int, SurveyFigures]:
    """The survey answers given in the window by each programme's students. One query."""
    rows = (
        Survey.objects.filter(
            window.moments("answered_at"),
            score__isnull=False,
            student__enrolments__programme_id__in=programme_ids,
        )
        .order_by()
        .values("student__enrolments__programme_id")
        .annotate(
            answers=Count("pk", distinct=True),
            average=Avg("score"),
            said=Count("pk", filter=~Q(plans_to_continue=""), distinct=True),
            staying=Count("pk", filter=Q(plans_to_continue=SurveyContinue.YES), distinct=True),
        )
        .values_list("student__enrolments__programme_id", "answers", "average", "said", "staying")
    )
    return {
        programme_id: SurveyFigures(
            score=Average(median=None, mean=average, n=answers),
            continuing=Share(staying, said),
        )
        for programme_id, answers, average, said, staying in rows
    }
