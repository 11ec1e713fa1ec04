"""Reads about students: the mentor's list, one student's file and its timeline.

Who may see a student is ``mentorship.selectors.students_visible_to``; private mentor
notes follow the same rule minus the student themself (``mentor_notes_visible_to``).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from mentorship.models import (
    Assignment,
    DailyActivity,
    Role,
    StudentProfile,
    StudentStatus,
    User,
)
from mentorship.selectors import mentors_with_load, students_visible_to
from projects.models import (
    Enrolment,
    EnrolmentStatus,
    Project,
    Recommendation,
    Review,
    Submission,
    SubmissionStatus,
    plan_due_dates,
)
from projects.selectors import ProgrammeProgress, recommendations_visible_to

from .models import (
    FlagOutreach,
    FlagSettings,
    FlagSeverity,
    FlagStatus,
    Incident,
    MentoringSession,
    MentorNote,
    RiskFlag,
    SessionStatus,
)


def student_for_user(user: User, pk: int) -> User:
    """One student this person may see (see ``students_visible_to``), with their
    profile and last and next sessions (``session_annotations``); 404 otherwise."""
    student = (
        students_visible_to(user)
        .select_related("student_profile")
        .annotate(**session_annotations())
        .filter(pk=pk)
        .first()
    )
    if student is None:
        raise Http404
    return student


def session_annotations() -> dict:
    """For a queryset of students: ``last_session_at`` and ``last_session_status``, the
    latest session that has started and took place or that the student missed (a
    cancelled one did not happen), and ``next_session_at``, the earliest scheduled
    session still to come. Subqueries, so a list stays one query."""
    now = timezone.now()
    last = MentoringSession.objects.filter(
        student=OuterRef("pk"),
        scheduled_at__lte=now,
        status__in=[SessionStatus.COMPLETED, SessionStatus.STUDENT_NO_SHOW],
    ).order_by("-scheduled_at", "-pk")
    upcoming = MentoringSession.objects.filter(
        student=OuterRef("pk"), status=SessionStatus.SCHEDULED, scheduled_at__gt=now
    ).order_by("scheduled_at", "pk")
    return {
        "last_session_at": Subquery(last.values("scheduled_at")[:1]),
        "last_session_status": Subquery(last.values("status")[:1]),
        "next_session_at": Subquery(upcoming.values("scheduled_at")[:1]),
    }


def mentor_notes_visible_to(user: User) -> QuerySet[MentorNote]:
    """Private notes: about the students this person looks after (their mentor, the
    mentor's supervisor, staff). A student never sees any, not even about themself."""
    if not user.is_authenticated or user.role == Role.STUDENT:
        return MentorNote.objects.none()
    return MentorNote.objects.filter(student__in=students_visible_to(user).values("pk"))


def may_read_mentor_notes(user: User, *, student: User) -> bool:
    """Whether this person may read and write private notes about ``student``."""
    return (
        user.is_authenticated
        and user.role != Role.STUDENT
        and students_visible_to(user).filter(pk=student.pk).exists()
    )


# --- My students ----------------------------------------------------------------------


class StudentSort:
    NAME = "name"
    ACTIVITY = "activity"
    WAITING = "waiting"
    NEXT_SESSION = "next_session"
    FLAG = "flag"

    choices = [
        (NAME, _("Name")),
        (ACTIVITY, _("Last activity")),
        (WAITING, _("Waiting submissions")),
        (NEXT_SESSION, _("Next session")),
        (FLAG, _("At-risk flag severity")),
    ]


def student_list(
    user: User,
    *,
    status: str = "",
    programme_id: int | None = None,
    flagged: bool = False,
    sort: str = StudentSort.NAME,
) -> QuerySet[User]:
    """The students this person may see, with what a row of "My students" shows in the
    same query: profile, ``last_activity`` (the latest submission or review),
    ``waiting`` (submissions waiting for review), ``mentor_name`` (their current
    mentor, for supervisors and staff), the last and next sessions
    (``session_annotations``) and the open at-risk flag (``flag_severity``,
    ``flag_acknowledged_at``; empty without one). Filtered by status, by the programme
    of an active enrolment and to flagged students; sorted by name, last activity
    (latest first), waiting submissions (most first), next session (soonest first,
    students without one last) or flag severity (red, amber, then the unflagged;
    unacknowledged first within each)."""
    last_submitted = (
        Submission.objects.filter(student=OuterRef("pk"))
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    last_reviewed = (
        Review.objects.filter(submission__student=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    waiting = (
        Submission.objects.filter(student=OuterRef("pk"), status=SubmissionStatus.SUBMITTED)
        .order_by()
        .values("student")
        .annotate(count=Count("pk"))
        .values("count")
    )
    current_mentor = (
        Assignment.objects.current()
        .filter(student=OuterRef("pk"))
        .annotate(
            name=Coalesce(
                NullIf("mentor__display_name", Value("")),
                "mentor__email",
                output_field=CharField(),
            )
        )
        .values("name")[:1]
    )
    open_flag = RiskFlag.objects.filter(student=OuterRef("pk"), status=FlagStatus.OPEN)
    submitted = Subquery(last_submitted, output_field=DateTimeField())
    reviewed = Subquery(last_reviewed, output_field=DateTimeField())
    students = (
        students_visible_to(user)
        .select_related("student_profile")
        .annotate(
            # GREATEST is NULL on SQLite when either side is; each side falls back on the
            # other so a student with submissions but no review still has an activity.
            last_activity=Greatest(Coalesce(submitted, reviewed), Coalesce(reviewed, submitted)),
            waiting=Coalesce(Subquery(waiting), 0),
            mentor_name=Subquery(current_mentor),
            flag_severity=Subquery(open_flag.values("severity")[:1]),
            flag_acknowledged_at=Subquery(open_flag.values("acknowledged_at")[:1]),
            **session_annotations(),
        )
    )
    if flagged:
        students = students.filter(flag_severity__isnull=False)
    if status:
        students = students.filter(student_profile__status=status)
    if programme_id:
        students = students.filter(
            Exists(
                Enrolment.objects.filter(
                    student=OuterRef("pk"),
                    programme_id=programme_id,
                    status=EnrolmentStatus.ACTIVE,
                )
            )
        )
    if sort == StudentSort.ACTIVITY:
        order = [F("last_activity").desc(nulls_last=True)]
    elif sort == StudentSort.WAITING:
        order = [F("waiting").desc()]
    elif sort == StudentSort.NEXT_SESSION:
        order = [F("next_session_at").asc(nulls_last=True)]
    elif sort == StudentSort.FLAG:
        rank = Case(
            *(When(flag_severity=value, then=Value(r)) for value, r in SEVERITY_RANK.items()),
            default=Value(0),
        )
        order = [rank.desc(), F("flag_acknowledged_at").asc(nulls_first=True)]
    else:
        order = []
    return students.order_by(*order, "display_name", "email", "pk")


def current_progress(progress: list[ProgrammeProgress]) -> ProgrammeProgress | None:
    """The enrolment a list row speaks of: the student's active one, started last
    (``students_progress`` puts active enrolments first, newest first)."""
    for item in progress:
        if item.enrolment.status == EnrolmentStatus.ACTIVE:
            return item
    return None


# --- The student's file: timeline -----------------------------------------------------


class TimelineKind:
    SUBMISSION = "submission"
    REVIEW = "review"
    SESSION = "session"
    RECOMMENDATION = "recommendation"
    ASSIGNMENT = "assignment"
    NOTE = "note"
    INCIDENT = "incident"
    FLAG = "flag"
    # A flag stands twice in the timeline: when it opened (``FLAG``) and when it was
    # resolved (this); the filter's "At-risk flags" shows both.
    FLAG_RESOLVED = "flag_resolved"

    # Seen only by those who look after the student, never by the student themself.
    PRIVATE = (NOTE, INCIDENT, FLAG)

    choices = [
        (SUBMISSION, _("Submissions")),
        (REVIEW, _("Reviews")),
        (SESSION, _("Sessions")),
        (RECOMMENDATION, _("Recommendations")),
        (ASSIGNMENT, _("Mentor changes")),
        (NOTE, _("Private notes")),
        (INCIDENT, _("Incidents")),
        (FLAG, _("At-risk flags")),
    ]

    @classmethod
    def visible(cls, *, with_notes: bool) -> list[tuple[str, str]]:
        """The kinds a viewer gets: all of them, or all but the private ones."""
        return [
            (value, label)
            for value, label in cls.choices
            if with_notes or value not in cls.PRIVATE
        ]


@dataclass
class TimelineItem:
    kind: str
    at: datetime
    # A Submission, Review, MentoringSession, Recommendation, Assignment, MentorNote
    # or Incident, as ``kind`` says.
    object: Model


def student_timeline(*, student: User, with_notes: bool, kind: str = "") -> QuerySet:
    """Everything that happened to a student, newest first, as rows of (kind, pk, at):
    one UNION query, so the page can count and slice it before loading the objects
    (``timeline_items``). A session stands at its start, so upcoming ones come first;
    a mentor change at the start of the new assignment; an at-risk flag when it was
    opened and, once resolved, at the start of the day it was resolved. Private notes,
    incidents and flags only when ``with_notes`` (never for the student themself)."""
    sources = {
        TimelineKind.SUBMISSION: (Submission.objects.filter(student=student), "submitted_at"),
        TimelineKind.REVIEW: (Review.objects.filter(submission__student=student), "created_at"),
        TimelineKind.SESSION: (MentoringSession.objects.filter(student=student), "scheduled_at"),
        TimelineKind.RECOMMENDATION: (
            Recommendation.objects.filter(student=student),
            "created_at",
        ),
        TimelineKind.ASSIGNMENT: (Assignment.objects.filter(student=student), "started_at"),
        TimelineKind.NOTE: (MentorNote.objects.filter(student=student), "created_at"),
        TimelineKind.INCIDENT: (Incident.objects.filter(students=student), "created_at"),
        TimelineKind.FLAG: (RiskFlag.objects.filter(student=student), "created_at"),
    }
    flags_resolved = (
        RiskFlag.objects.filter(student=student, resolved_on__isnull=False),
        Cast("resolved_on", DateTimeField()),
    )
    parts = []
    for value, _label in TimelineKind.visible(with_notes=with_notes):
        if kind not in ("", value):
            continue
        rows = [(value, *sources[value])]
        if value == TimelineKind.FLAG:
            rows.append((TimelineKind.FLAG_RESOLVED, *flags_resolved))
        for row_kind, queryset, field in rows:
            at = F(field) if isinstance(field, str) else field
            parts.append(
                queryset.order_by()
                .annotate(kind=Value(row_kind, output_field=CharField()), at=at)
                .values_list("kind", "pk", "at")
            )
    if not parts:
        return Submission.objects.none().values_list("pk")
    first, *others = parts
    timeline = first.union(*others, all=True) if others else first
    return timeline.order_by("-at", "-pk")


def _timeline_querysets(user: User) -> dict[str, QuerySet]:
    """How each kind is loaded for a page, related objects included. Sessions and
    recommendations carry ``openable``: whether ``user`` may open their page (an
    earlier mentor's are not theirs); a mentor change names the mentor before it."""
    previous_mentor = (
        Assignment.objects.filter(
            student=OuterRef("student"), started_at__lt=OuterRef("started_at")
        )
        .annotate(
            name=Coalesce(
                NullIf("mentor__display_name", Value("")),
                "mentor__email",
                output_field=CharField(),
            )
        )
        .order_by("-started_at", "-pk")
        .values("name")[:1]
    )
    return {
        TimelineKind.SUBMISSION: Submission.objects.select_related(
            "project", "project__programme"
        ),
        TimelineKind.REVIEW: Review.objects.select_related(
            "reviewer", "submission", "submission__project"
        ),
        TimelineKind.SESSION: MentoringSession.objects.select_related("mentor").annotate(
            openable=Exists(sessions_visible_to(user).filter(pk=OuterRef("pk")))
        ),
        TimelineKind.RECOMMENDATION: Recommendation.objects.select_related(
            "mentor", "programme"
        ).annotate(openable=Exists(recommendations_visible_to(user).filter(pk=OuterRef("pk")))),
        TimelineKind.ASSIGNMENT: Assignment.objects.select_related(
            "mentor", "assigned_by"
        ).annotate(previous_mentor=Subquery(previous_mentor)),
        TimelineKind.NOTE: MentorNote.objects.select_related("author"),
        TimelineKind.INCIDENT: Incident.objects.all(),
        TimelineKind.FLAG: RiskFlag.objects.all(),
    }


def timeline_items(rows, *, user: User) -> list[TimelineItem]:
    """The objects behind a page of ``student_timeline`` rows, in the rows' order, as
    ``user`` sees them: one query per kind present."""
    rows = list(rows)
    # A resolved flag's row is loaded with the flags.
    loaded_as = {TimelineKind.FLAG_RESOLVED: TimelineKind.FLAG}
    wanted: dict[str, list[int]] = {}
    for kind, pk, _at in rows:
        wanted.setdefault(loaded_as.get(kind, kind), []).append(pk)
    querysets = _timeline_querysets(user)
    loaded: dict[tuple[str, int], object] = {}
    for kind, pks in wanted.items():
        for item in querysets[kind].filter(pk__in=pks):
            loaded[(kind, item.pk)] = item
    return [
        TimelineItem(kind, at, loaded[(loaded_as.get(kind, kind), pk)])
        for kind, pk, at in rows
        if (loaded_as.get(kind, kind), pk) in loaded
    ]


# --- Incidents between students -------------------------------------------------------


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Incidents a person may see: staff all; a mentor those involving one of their
    current students; a supervisor those involving a current student of their team's
    mentors; anyone those they recorded or arbitrate. Students never, not even the
    incidents they are involved in."""
    incidents = Incident.objects.all()
    if not user.is_authenticated or not user.is_active or user.role == Role.STUDENT:
        return incidents.none()
    if user.role == Role.STAFF:
        return incidents
    current = Assignment.objects.current().filter(student__incidents=OuterRef("pk"))
    if user.role == Role.SUPERVISOR:
        looked_after = current.filter(mentor__mentor_profile__supervisor=user)
    else:
        looked_after = current.filter(mentor=user)
    return incidents.filter(Q(Exists(looked_after)) | Q(reported_by=user) | Q(arbitrator=user))


def incidents_open_first(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Open incidents first, then resolved ones, newest first within each, with the
    arbitrator and the students involved loaded in two queries. "open" sorts before
    "resolved", so the order follows the (status, -created_at) index."""
    return (
        incidents.select_related("arbitrator")
        .prefetch_related(
            Prefetch("students", queryset=User.objects.order_by("display_name", "email"))
        )
        .order_by("status", "-created_at", "-pk")
    )


def incident_for_user(user: User, pk: int) -> Incident:
    """One incident for this person, with its people loaded; 404 to outsiders. Each
    student involved carries ``file_visible``: whether this person may open their file
    (one query for all of them)."""
    students = User.objects.annotate(
        file_visible=Exists(students_visible_to(user).filter(pk=OuterRef("pk")))
    ).order_by("display_name", "email")
    return get_object_or_404(
        incidents_visible_to(user)
        .select_related("reported_by", "arbitrator", "resolved_by")
        .prefetch_related(Prefetch("students", queryset=students)),
        pk=pk,
    )


def may_resolve_incident(user: User, *, incident: Incident) -> bool:
    """Whether this person settles the incident (resolves it, or reopens it): its
    arbitrator, staff, or a supervisor who may see it."""
    if not user.is_authenticated or not user.is_active or user.role == Role.STUDENT:
        return False
    if user.role == Role.STAFF or user.pk == incident.arbitrator_id:
        return True
    return (
        user.role == Role.SUPERVISOR and incidents_visible_to(user).filter(pk=incident.pk).exists()
    )


def may_change_arbitrator(user: User, *, incident: Incident) -> bool:
    """Whether this person may hand the incident to another arbitrator: staff, or a
    supervisor who may see it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.STAFF:
        return True
    return (
        user.role == Role.SUPERVISOR and incidents_visible_to(user).filter(pk=incident.pk).exists()
    )


def incident_mentors(*, incident: Incident) -> QuerySet[User]:
    """The current mentors of the students involved in an incident."""
    return User.objects.filter(
        Exists(
            Assignment.objects.current().filter(mentor=OuterRef("pk"), student__incidents=incident)
        )
    )


# --- Activity -------------------------------------------------------------------------


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


# --- At-risk signals ------------------------------------------------------------------


class SignalName:
    INACTIVITY = "inactivity"
    ACTIVITY_DROP = "activity_drop"
    STALLED_PROJECT = "stalled_project"
    BEHIND_PLAN = "behind_plan"
    MISSED_SESSIONS = "missed_sessions"
    STRUGGLING = "struggling"

    ALL = (INACTIVITY, ACTIVITY_DROP, STALLED_PROJECT, BEHIND_PLAN, MISSED_SESSIONS, STRUGGLING)


SEVERITY_RANK = {FlagSeverity.AMBER: 1, FlagSeverity.RED: 2}


@dataclass(frozen=True)
class Signal:
    """One reason to worry about a student, with its evidence: what was observed,
    the student's own baseline where there is one, and the threshold crossed.
    ``project`` names the project a project-level signal is about."""

    name: str
    severity: str
    observed: float
    threshold: float
    baseline: float | None = None
    project: str = ""
    # For an activity drop in a week quiet for the whole programme: the programme's
    # activity as a percentage of its own usual, which the student's is judged against.
    cohort: float | None = None

    def as_reason(self) -> dict:
        reason = {
            "signal": self.name,
            "severity": self.severity,
            "observed": self.observed,
            "baseline": self.baseline,
            "threshold": self.threshold,
            "project": self.project,
        }
        if self.cohort is not None:
            reason["cohort"] = self.cohort
        return reason

    @classmethod
    def from_reason(cls, reason: dict) -> "Signal":
        """The signal ``as_reason`` wrote."""
        return cls(
            reason["signal"],
            reason["severity"],
            reason["observed"],
            reason["threshold"],
            baseline=reason["baseline"],
            project=reason["project"],
            cohort=reason.get("cohort"),
        )


def flaggable_student_ids(*, as_of: date) -> QuerySet:
    """Students the flagging job judges as of a day: active accounts whose status was
    active on that day, with an enrolment that was active then. Paused, graduated and
    dropped students are never flagged; a student whose status changed after ``as_of``
    is judged as the active student they were (what the backtest replays)."""
    cutoff = end_of_day(as_of)
    return (
        User.objects.filter(role=Role.STUDENT, is_active=True)
        .filter(
            Q(student_profile__status=StudentStatus.ACTIVE)
            | Q(student_profile__status_changed_at__gte=cutoff)
        )
        .filter(
            Exists(
                Enrolment.objects.filter(student=OuterRef("pk"), started_on__lte=as_of).filter(
                    Q(status=EnrolmentStatus.ACTIVE) | Q(completed_at__gte=cutoff)
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` (UTC): data "up to a day" is everything before."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def students_among(student_ids: list[int], *, field: str = "student_id") -> Q:
    """``field`` (a student's id) among these: as a range when the ids are dense, as
    flagging chunks are (a slice of the sorted judged ids), which the database answers
    from its indexes far faster than a list of thousands of ids; as a list otherwise.
    A range may bring in students around the chunk: callers keep only theirs."""
    low, high = min(student_ids), max(student_ids)
    if high - low + 1 <= 2 * len(student_ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": student_ids})


# Below this many students with a baseline, a programme's activity says too little
# about a quiet week (and mostly echoes the student being judged).
COHORT_MIN_STUDENTS = 10


def cohort_activity_add(total: dict[int, list[int]], part: dict) -> dict[int, list[int]]:
    """Add a chunk's share of the programmes' activity (``RiskJudgement.activity``,
    its programme ids as numbers or, read back from JSON, as text) to a total."""
    for programme_id, sums in part.items():
        into = total.setdefault(int(programme_id), [0, 0, 0])
        for position, value in enumerate(sums):
            into[position] += value
    return total


def cohort_ratios(activity: dict[int, list[int]], thresholds: FlagSettings) -> dict[int, float]:
    """How active each programme's students were in the recent window against their
    baseline, as a ratio of daily rates (1.0: as usual; 0.4: the whole programme is at
    40 % of its usual, e.g. a holiday week or the lull after a deadline), from the
    programmes' activity summed over every chunk judged as of the day
    (``cohort_activity_add``). Programmes with too few students are left out."""
    window, base = thresholds.drop_window_days, thresholds.drop_baseline_days
    return {
        programme_id: (recent / window) / (baseline / base)
        for programme_id, (recent, baseline, students) in activity.items()
        if baseline and students >= COHORT_MIN_STUDENTS
    }


class PendingDrop(NamedTuple):
    """A student's activity well below their own baseline: whether it is a drop, and
    how bad, depends on how quiet their programmes were (``drop_signal``)."""

    recent: int
    baseline: int
    programmes: tuple[int, ...]


@dataclass
class RiskJudgement:
    """What ``risk_judgement`` found about some students: every signal but the
    activity drops, which are judged against the programmes' activity once every
    chunk of the day has been read (``resolve``); the students whose drop waits for
    it; and these students' share of the programmes' activity (programme id: recent
    events, baseline events, students), over those enrolled since before the baseline
    began and active in the windows."""

    signals: dict[int, list[Signal]]
    pending: dict[int, PendingDrop]
    activity: dict[int, list[int]]

    def resolve(
        self, *, cohort: dict[int, float], thresholds: FlagSettings
    ) -> dict[int, list[Signal]]:
        """Every signal of every student, the drops judged against ``cohort``
        (``cohort_ratios``). Students with no signal are left out."""
        signals = {student_id: list(found) for student_id, found in self.signals.items()}
        for student_id, pending in self.pending.items():
            drop = drop_signal(pending, cohort=cohort, thresholds=thresholds)
            if drop is not None:
                found = signals.setdefault(student_id, [])
                # A student's inactivity comes first, then the drop, then the rest.
                found.insert(1 if found and found[0].name == SignalName.INACTIVITY else 0, drop)
        return signals


def risk_signals(
    *,
    student_ids: list[int],
    as_of: date,
    thresholds: FlagSettings,
    cohort: dict[int, float] | None = None,
) -> dict[int, list[Signal]]:
    """Every signal each of these students shows as of a day (``risk_judgement``),
    the activity drops judged against ``cohort`` (``cohort_ratios``; none: against
    each student's own baseline alone). Students with no signal are left out."""
    return risk_judgement(student_ids=student_ids, as_of=as_of, thresholds=thresholds).resolve(
        cohort=cohort or {}, thresholds=thresholds
    )


def risk_judgement(
    *, student_ids: list[int], as_of: date, thresholds: FlagSettings
) -> RiskJudgement:
    """Every signal these students show as of a day, from data up to that day only
    (activity by the student's local days, the rest up to the end of the day in UTC),
    the activity drops left pending (``RiskJudgement``). Three set-based queries
    whatever the number of students (a fourth for students silent through the activity
    windows); callers pass ``flaggable_student_ids`` in chunks.

    The drops wait because they are relative to peers: when a student's whole
    programme is quieter than usual, their drop is measured against the programme's,
    so a week quiet for everyone flags no one; the programme's activity is summed
    from every chunk's share as the chunks are read."""
    judgement = RiskJudgement(signals={}, pending={}, activity={})
    if not student_ids:
        return judgement
    signals = judgement.signals
    wanted = set(student_ids)

    def add(student_id: int, signal: Signal) -> None:
        if student_id in wanted:
            signals.setdefault(student_id, []).append(signal)

    cutoff = end_of_day(as_of)
    windows_start = _windows_start(as_of, thresholds)
    rows = [
        row for row in _enrolment_rows(student_ids, as_of, thresholds) if row.student_id in wanted
    ]
    plans = _plans({(row.programme_id, row.started_on, row.target_end_on) for row in rows})
    by_student: dict[int, list[_EnrolmentRow]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
        if row.last_day is not None and row.started_on <= windows_start:
            sums = judgement.activity.setdefault(row.programme_id, [0, 0, 0])
            sums[0] += row.recent
            sums[1] += row.baseline
            sums[2] += 1
    quiet_since = as_of - timedelta(days=thresholds.inactivity_amber_days)
    # Students silent through the windows whose enrolment is no excuse: their last
    # active day is older (the rows carry the windows' last day only).
    silent = [
        student_id
        for student_id, enrolled in by_student.items()
        if enrolled[0].last_day is None and max(row.started_on for row in enrolled) <= quiet_since
    ]
    older = _last_active_before(silent, day=windows_start)
    for student_id, enrolled in by_student.items():
        first = enrolled[0]
        # Most students were active lately and keep their pace: nothing to judge.
        if (
            first.last_day is None
            or first.last_day <= quiet_since
            or _below_amber_share(first, thresholds)
        ):
            inactivity = _inactivity_signal(
                enrolled,
                last_active=first.last_day or older.get(student_id),
                as_of=as_of,
                thresholds=thresholds,
            )
            if inactivity is not None:
                add(student_id, inactivity)
            pending = _drop_pending(enrolled, as_of=as_of, thresholds=thresholds)
            if pending is not None:
                judgement.pending[student_id] = pending
        for row in enrolled:
            plan = plans[(row.programme_id, row.started_on, row.target_end_on)]
            for signal in _project_signals(row, plan=plan, as_of=as_of, thresholds=thresholds):
                add(student_id, signal)

    # Struggling (many "changes requested" on a project still not approved) and
    # missed sessions, the students at the thresholds only.
    struggling, missed = _rounds_and_no_shows(student_ids, cutoff=cutoff, thresholds=thresholds)
    titles = {
        project_id: step.title for plan in plans.values() for project_id, step in plan.items()
    }
    for student_id, project_id, count in struggling:
        add(
            student_id,
            Signal(
                SignalName.STRUGGLING,
                FlagSeverity.AMBER,
                count,
                thresholds.struggling_changes_requested,
                project=titles.get(project_id, ""),
            ),
        )
    for student_id, count in missed:
        add(
            student_id,
            Signal(
                SignalName.MISSED_SESSIONS,
                FlagSeverity.AMBER,
                count,
                thresholds.missed_sessions,
            ),
        )
    return judgement


def _windows_start(as_of: date, thresholds: FlagSettings) -> date:
    """The first day of the activity windows: the baseline, then the recent window
    ending on ``as_of``."""
    return as_of - timedelta(days=thresholds.drop_window_days - 1 + thresholds.drop_baseline_days)


class _EnrolmentRow(NamedTuple):
    """One enrolment active on the day, with what every signal needs: where the
    student stands in the programme (the first project not approved, whether it was
    submitted, when the one before it was approved) and the student's activity in
    the windows (None when silent through them)."""

    student_id: int
    programme_id: int
    started_on: date
    target_end_on: date
    current_project_id: int | None
    current_submitted: bool
    # As the database gives it (``_day`` reads it): needed for the few stalled.
    previous_approved_on: object
    recent: int
    baseline: int
    baseline_days: int
    last_day: date | None


# A row per enrolment active on the day: the programme's projects in order against the
# student's submissions (approved ones with their time), and the student's activity in
# the windows from the rollup's covering index. Table names come from the models'
# metadata; every value is a parameter.
ENROLMENT_ROWS_SQL = """
WITH enrolled AS (
    SELECT e.id, e.student_id, e.programme_id, e.started_on, e.target_end_on
    FROM {enrolment} e
    WHERE {enrolment_among} AND e.started_on <= %s AND (e.status = %s OR e.completed_at >= %s)
),
attempts AS (
    SELECT s.student_id, s.project_id,
           MAX(CASE WHEN s.status = %s AND s.reviewed_at < %s THEN s.reviewed_at END)
               AS approved_at
    FROM {submission} s
    WHERE {submission_among} AND s.submitted_at < %s
    GROUP BY s.student_id, s.project_id
),
steps AS (
    SELECT n.id AS enrolment_id, p.id AS project_id, p.position,
           a.student_id IS NOT NULL AS submitted, a.approved_at,
           LAG(a.approved_at) OVER (PARTITION BY n.id ORDER BY p.position)
               AS previous_approved_at
    FROM enrolled n
    JOIN {project} p ON p.programme_id = n.programme_id
    LEFT JOIN attempts a ON a.student_id = n.student_id AND a.project_id = p.id
),
current AS (
    SELECT enrolment_id, project_id, submitted, previous_approved_at,
           ROW_NUMBER() OVER (PARTITION BY enrolment_id ORDER BY position) AS rank
    FROM steps
    WHERE approved_at IS NULL
),
activity AS (
    SELECT d.student_id,
           SUM(d.events) FILTER (WHERE d.day >= %s) AS recent,
           SUM(d.events) FILTER (WHERE d.day < %s) AS baseline,
           COUNT(*) FILTER (WHERE d.day < %s) AS baseline_days,
           MAX(d.day) AS last_day
    FROM {daily} d
    WHERE {daily_among} AND d.day >= %s AND d.day <= %s
    GROUP BY d.student_id
)
SELECT n.student_id, n.programme_id, n.started_on, n.target_end_on,
       c.project_id, c.submitted, {previous_approved_on},
       COALESCE(a.recent, 0), COALESCE(a.baseline, 0), COALESCE(a.baseline_days, 0), a.last_day
FROM enrolled n
LEFT JOIN current c ON c.enrolment_id = n.id AND c.rank = 1
LEFT JOIN activity a ON a.student_id = n.student_id
ORDER BY n.student_id, n.id
"""


def _among_sql(column: str, student_ids: list[int]) -> tuple[str, list[int]]:
    """``students_among`` for a raw query: a range when the ids are dense."""
    low, high = min(student_ids), max(student_ids)
    if high - low + 1 <= 2 * len(student_ids):
        return f"{column} BETWEEN %s AND %s", [low, high]
    return f"{column} IN ({', '.join(['%s'] * len(student_ids))})", list(student_ids)


def _day(value) -> date | None:
    """A date, or the day (UTC) of a moment, from a raw row: PostgreSQL gives dates
    and aware datetimes, SQLite ISO text (moments in UTC)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return date.fromisoformat(value[:10])


def _enrolment_rows(
    student_ids: list[int], as_of: date, thresholds: FlagSettings
) -> list[_EnrolmentRow]:
    """``_EnrolmentRow`` of every enrolment of (and around) these students active on
    the day, in one query."""
    cutoff = end_of_day(as_of)
    recent_from = as_of - timedelta(days=thresholds.drop_window_days - 1)
    base_from = _windows_start(as_of, thresholds)
    ops = connection.ops
    enrolment_among, enrolment_ids = _among_sql("e.student_id", student_ids)
    submission_among, submission_ids = _among_sql("s.student_id", student_ids)
    daily_among, daily_ids = _among_sql("d.student_id", student_ids)
    sql = ENROLMENT_ROWS_SQL.format(
        enrolment=Enrolment._meta.db_table,
        submission=Submission._meta.db_table,
        project=Project._meta.db_table,
        daily=DailyActivity._meta.db_table,
        enrolment_among=enrolment_among,
        submission_among=submission_among,
        daily_among=daily_among,
        # The day (UTC) of the approval, which is all the signals read: PostgreSQL
        # turns it into a date far faster than the driver builds an aware datetime.
        previous_approved_on="(c.previous_approved_at AT TIME ZONE 'UTC')::date"
        if connection.vendor == "postgresql"
        else "c.previous_approved_at",
    )
    moment = ops.adapt_datetimefield_value(cutoff)
    params = [
        *enrolment_ids,
        ops.adapt_datefield_value(as_of),
        EnrolmentStatus.ACTIVE,
        moment,
        SubmissionStatus.APPROVED,
        moment,
        *submission_ids,
        moment,
        *[ops.adapt_datefield_value(recent_from)] * 3,
        *daily_ids,
        ops.adapt_datefield_value(base_from),
        ops.adapt_datefield_value(as_of),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [_EnrolmentRow._make(row) for row in rows]
    # SQLite gives dates as ISO text.
    return [
        _EnrolmentRow._make(row)._replace(
            started_on=_day(row[2]), target_end_on=_day(row[3]), last_day=_day(row[10])
        )
        for row in rows
    ]


# The rounds of changes requested on each project never approved, and the no-shows in
# the window, of (and around) some students: only those at the thresholds. One query
# for both (a chunk pays for every round trip). Table names come from the models'
# metadata; every value is a parameter.
ROUNDS_AND_NO_SHOWS_SQL = """
SELECT 1 AS kind, s.student_id, s.project_id,
       COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) AS count
FROM {submission} s
WHERE {submission_among} AND s.submitted_at < %s
GROUP BY s.student_id, s.project_id
HAVING COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) >= %s
   AND COUNT(*) FILTER (WHERE s.status = %s AND s.reviewed_at < %s) = 0
UNION ALL
SELECT 2 AS kind, m.student_id, NULL, COUNT(*) AS count
FROM {session} m
WHERE {session_among} AND m.status = %s AND m.scheduled_at < %s AND m.scheduled_at >= %s
GROUP BY m.student_id
HAVING COUNT(*) >= %s
"""


def _rounds_and_no_shows(
    student_ids: list[int], *, cutoff: datetime, thresholds: FlagSettings
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """(student, project, rounds of changes) of every project never approved with at
    least the struggling threshold of rounds, and (student, no-shows) of every
    student with at least the missed-sessions threshold in its window, up to
    ``cutoff``."""
    ops = connection.ops
    submission_among, submission_ids = _among_sql("s.student_id", student_ids)
    session_among, session_ids = _among_sql("m.student_id", student_ids)
    sql = ROUNDS_AND_NO_SHOWS_SQL.format(
        submission=Submission._meta.db_table,
        session=MentoringSession._meta.db_table,
        submission_among=submission_among,
        session_among=session_among,
    )
    moment = ops.adapt_datetimefield_value(cutoff)
    changes, approved = SubmissionStatus.CHANGES_REQUESTED, SubmissionStatus.APPROVED
    since = ops.adapt_datetimefield_value(
        cutoff - timedelta(days=thresholds.missed_sessions_window_days)
    )
    params = [
        changes,
        moment,
        *submission_ids,
        moment,
        changes,
        moment,
        thresholds.struggling_changes_requested,
        approved,
        moment,
        *session_ids,
        SessionStatus.STUDENT_NO_SHOW,
        moment,
        since,
        thresholds.missed_sessions,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    struggling = sorted(
        (student, project, count) for kind, student, project, count in rows if kind == 1
    )
    missed = sorted((student, count) for kind, student, _project, count in rows if kind == 2)
    return struggling, missed


def _last_active_before(student_ids: list[int], *, day: date) -> dict[int, date]:
    """The last active day before ``day`` of students silent since (one query, for
    the few; none when there are none)."""
    if not student_ids:
        return {}
    return dict(
        DailyActivity.objects.filter(student_id__in=student_ids, day__lt=day)
        .values("student_id")
        .annotate(last=Max("day"))
        .order_by()
        .values_list("student_id", "last")
    )


class _Step(NamedTuple):
    """One project of a plan, as the signals read it."""

    title: str
    target_days: int
    due_on: date


def _plans(keys: set[tuple]) -> dict[tuple, dict[int, _Step]]:
    """The plan (``plan_due_dates``, as ``Enrolment.plan``) of each (programme, start,
    target end), by project: a chunk of thousands of enrolments shares a few hundred.
    One query."""
    projects: dict[int, list[tuple[int, str, int]]] = {}
    for pk, programme_id, title, target_days in (
        Project.objects.filter(programme_id__in={key[0] for key in keys})
        .order_by("programme_id", "position")
        .values_list("pk", "programme_id", "title", "target_days")
    ):
        projects.setdefault(programme_id, []).append((pk, title, target_days))
    durations = {
        programme_id: tuple(days for _pk, _title, days in steps)
        for programme_id, steps in projects.items()
    }
    plans = {}
    for programme_id, started_on, target_end_on in keys:
        steps = projects.get(programme_id, [])
        due_dates = plan_due_dates(started_on, target_end_on, durations.get(programme_id, ()))
        plans[(programme_id, started_on, target_end_on)] = {
            pk: _Step(title, days, due_on)
            for (pk, title, days), due_on in zip(steps, due_dates, strict=True)
        }
    return plans


def _below_amber_share(row: _EnrolmentRow, thresholds: FlagSettings) -> bool:
    """Whether the student's recent activity fell below the amber share of their
    baseline (per week, 100 * recent / window < amber * baseline / base), in whole
    numbers. The programme's quiet can only excuse such a drop, never make one."""
    return (
        100 * row.recent * thresholds.drop_baseline_days
        < thresholds.drop_amber_percent * row.baseline * thresholds.drop_window_days
    )


def _inactivity_signal(
    enrolled: list[_EnrolmentRow], *, last_active: date | None, as_of: date, thresholds
) -> Signal | None:
    """Days since the student was last active, from their enrolments' rows."""
    # Enrolling is a sign of life too: a student who enrolled three days ago and has
    # done nothing since has been idle three days, not since they signed up.
    last = max(row.started_on for row in enrolled)
    if last_active and last_active > last:
        last = last_active
    idle = (as_of - last).days
    if idle >= thresholds.inactivity_red_days:
        return Signal(
            SignalName.INACTIVITY, FlagSeverity.RED, idle, thresholds.inactivity_red_days
        )
    if idle >= thresholds.inactivity_amber_days:
        return Signal(
            SignalName.INACTIVITY, FlagSeverity.AMBER, idle, thresholds.inactivity_amber_days
        )
    return None


def _drop_pending(
    enrolled: list[_EnrolmentRow], *, as_of: date, thresholds: FlagSettings
) -> PendingDrop | None:
    """The student's activity against their own baseline, when it fell below the
    amber share of a meaningful baseline (the programme's quiet can only excuse such
    a drop, never make one)."""
    measure = enrolled[0]
    if (
        measure.baseline_days < thresholds.drop_baseline_min_active_days
        or not measure.baseline
        or not _below_amber_share(measure, thresholds)
        or min(row.started_on for row in enrolled) > _windows_start(as_of, thresholds)
    ):
        return None
    return PendingDrop(
        measure.recent, measure.baseline, tuple(row.programme_id for row in enrolled)
    )


def drop_signal(
    pending: PendingDrop, *, cohort: dict[int, float], thresholds: FlagSettings
) -> Signal | None:
    """The activity drop, per week against the student's baseline, measured against
    the quietest of their programmes' own (``cohort_ratios``) when those were quieter
    than usual."""
    window, base = thresholds.drop_window_days, thresholds.drop_baseline_days
    per_week_recent = pending.recent * 7 / window
    per_week_base = pending.baseline * 7 / base
    percent = 100 * per_week_recent / per_week_base
    ratios = [
        cohort[programme_id] for programme_id in pending.programmes if programme_id in cohort
    ]
    quiet = min(1.0, max(ratios)) if ratios else 1.0
    if quiet < 1.0:
        percent = percent / quiet if quiet > 0 else 100.0
    if percent < thresholds.drop_red_percent:
        severity, threshold = FlagSeverity.RED, thresholds.drop_red_percent
    elif percent < thresholds.drop_amber_percent:
        severity, threshold = FlagSeverity.AMBER, thresholds.drop_amber_percent
    else:
        return None
    return Signal(
        SignalName.ACTIVITY_DROP,
        severity,
        round(per_week_recent, 1),
        threshold,
        baseline=round(per_week_base, 1),
        cohort=round(100 * quiet) if quiet < 1.0 else None,
    )


def _project_signals(
    row: _EnrolmentRow, *, plan: dict[int, _Step], as_of: date, thresholds: FlagSettings
) -> list[Signal]:
    """Behind plan and stalled project: the plan as it stood on the day, at the
    first project not approved (every one before it is approved; due dates never go
    back, so it is also the oldest not approved)."""
    if row.current_project_id is None:
        return []
    current = plan[row.current_project_id]
    found = []
    if current.due_on < as_of and (late := (as_of - current.due_on).days) > (
        thresholds.behind_plan_days
    ):
        found.append(
            Signal(SignalName.BEHIND_PLAN, FlagSeverity.AMBER, late, thresholds.behind_plan_days)
        )
    # Stalled: the current project open too long with nothing submitted.
    if row.current_submitted:
        return found
    opened_on = _day(row.previous_approved_on) or row.started_on
    limit = float(thresholds.stalled_factor) * current.target_days
    open_days = (as_of - opened_on).days
    if open_days > limit:
        found.append(
            Signal(
                SignalName.STALLED_PROJECT,
                FlagSeverity.AMBER,
                open_days,
                round(limit, 1),
                baseline=current.target_days,
                project=current.title,
            )
        )
    return found


def flag_severity(signals: list[Signal]) -> str:
    """A flag is as severe as its worst signal."""
    return max((signal.severity for signal in signals), key=SEVERITY_RANK.__getitem__)


# --- Backtest of the at-risk signals --------------------------------------------------


@dataclass
class BacktestDay:
    """One as-of day of a backtest: how many students were judged and how many the
    signals flagged, in all and per signal."""

    as_of: date
    judged: int
    flagged: int
    by_signal: dict[str, int]

    @property
    def share(self) -> float:
        return self.flagged / self.judged if self.judged else 0.0


@dataclass
class BacktestOutcome:
    """What a rule set (all signals together, or one signal) would have told staff:
    of the students who later dropped, how many it flagged before they dropped and how
    long before (lead times in days, from the first as-of day it flagged them to the day
    they dropped); of the others, how many it flagged all the same (false alarms)."""

    dropped: int
    caught: int
    lead_days: list[int]
    not_dropped: int
    false_alarms: int

    @property
    def median_lead_days(self) -> float | None:
        return median(self.lead_days) if self.lead_days else None

    def as_dict(self) -> dict:
        return {
            "dropped": self.dropped,
            "caught": self.caught,
            "median_lead_days": self.median_lead_days,
            "not_dropped": self.not_dropped,
            "false_alarms": self.false_alarms,
        }


@dataclass
class FlagBacktest:
    """The signals replayed over history (``flag_backtest``). Students counted in the
    outcomes are those judged on at least one as-of day. A dropped student whose drop
    date is unknown is never judged (``flaggable_student_ids`` cannot tell when they were
    active), so they are only counted in ``drop_date_unknown``."""

    start: date
    end: date
    every: int
    days: list[BacktestDay]
    overall: BacktestOutcome
    by_signal: dict[str, BacktestOutcome]
    drop_date_unknown: int

    @property
    def share_mean(self) -> float:
        return sum(day.share for day in self.days) / len(self.days) if self.days else 0.0

    @property
    def share_max(self) -> float:
        return max((day.share for day in self.days), default=0.0)

    def signal_share_mean(self, name: str) -> float:
        shares = [day.by_signal[name] / day.judged for day in self.days if day.judged]
        return sum(shares) / len(self.days) if self.days else 0.0

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "every_days": self.every,
            "dates_evaluated": len(self.days),
            "flagged_share_mean": round(self.share_mean, 4),
            "flagged_share_max": round(self.share_max, 4),
            "drop_date_unknown": self.drop_date_unknown,
            "overall": self.overall.as_dict(),
            "signals": {
                name: {
                    **outcome.as_dict(),
                    "flagged_share_mean": round(self.signal_share_mean(name), 4),
                }
                for name, outcome in self.by_signal.items()
            },
            "days": [
                {
                    "as_of": day.as_of.isoformat(),
                    "judged": day.judged,
                    "flagged": day.flagged,
                    "share": round(day.share, 4),
                    "signals": day.by_signal,
                }
                for day in self.days
            ],
        }


BACKTEST_CHUNK_SIZE = 2000


def flag_backtest(
    *,
    start: date,
    end: date,
    every: int = 7,
    thresholds: FlagSettings | None = None,
    chunk_size: int = BACKTEST_CHUNK_SIZE,
) -> FlagBacktest:
    """Replay the at-risk signals on every ``every``-th day from ``start`` to ``end``
    exactly as the nightly job would have judged them then (``flaggable_student_ids``
    and ``risk_judgement`` in chunks, the drops against the programmes' activity, from
    data up to each day only), and score them against what
    happened: who later dropped. Reads only, writes nothing (not even the settings
    row): staff use it to tune the thresholds before changing them."""
    if every < 1:
        raise ValueError("every must be at least one day")
    if end < start:
        raise ValueError("end must not be before start")
    if thresholds is None:
        thresholds = FlagSettings.objects.filter(pk=1).first() or FlagSettings()
    first_flagged: dict[str | None, dict[int, date]] = {
        name: {} for name in (None, *SignalName.ALL)
    }
    judged_ids: set[int] = set()
    days: list[BacktestDay] = []
    as_of = start
    while as_of <= end:
        ids = list(flaggable_student_ids(as_of=as_of))
        judged_ids.update(ids)
        day = BacktestDay(as_of, len(ids), 0, dict.fromkeys(SignalName.ALL, 0))
        judgements = [
            risk_judgement(
                student_ids=ids[offset : offset + chunk_size], as_of=as_of, thresholds=thresholds
            )
            for offset in range(0, len(ids), chunk_size)
        ]
        activity: dict[int, list[int]] = {}
        for judgement in judgements:
            cohort_activity_add(activity, judgement.activity)
        cohort = cohort_ratios(activity, thresholds)
        for judgement in judgements:
            found = judgement.resolve(cohort=cohort, thresholds=thresholds)
            for student_id, signals in found.items():
                day.flagged += 1
                first_flagged[None].setdefault(student_id, as_of)
                for name in {signal.name for signal in signals}:
                    day.by_signal[name] += 1
                    first_flagged[name].setdefault(student_id, as_of)
        days.append(day)
        as_of += timedelta(days=every)

    # A student is judged only while their status was active, so every flag above came
    # before the drop (``flaggable_student_ids``); one who dropped on a day nobody
    # recorded was never judged at all.
    dropped: dict[int, date] = {}
    unknown = 0
    for student_id, changed_at in StudentProfile.objects.filter(
        status=StudentStatus.DROPPED
    ).values_list("user_id", "status_changed_at"):
        if changed_at is None:
            unknown += 1
        elif student_id in judged_ids:
            dropped[student_id] = changed_at.astimezone(UTC).date()
    not_dropped = judged_ids - dropped.keys()

    def outcome(first: dict[int, date]) -> BacktestOutcome:
        leads = sorted(
            (drop_day - first[student_id]).days
            for student_id, drop_day in dropped.items()
            if student_id in first
        )
        return BacktestOutcome(
            dropped=len(dropped),
            caught=len(leads),
            lead_days=leads,
            not_dropped=len(not_dropped),
            false_alarms=sum(1 for student_id in not_dropped if student_id in first),
        )

    return FlagBacktest(
        start=start,
        end=end,
        every=every,
        days=days,
        overall=outcome(first_flagged[None]),
        by_signal={name: outcome(first_flagged[name]) for name in SignalName.ALL},
        drop_date_unknown=unknown,
    )


# --- At-risk flags: who sees them, how they read --------------------------------------


def flags_visible_to(user: User) -> QuerySet[RiskFlag]:
    """At-risk flags a person may see and act on: staff all; a supervisor those of
    the current students of their team's mentors; a mentor those of their current
    students. A student never sees a flag, not even their own."""
    flags = RiskFlag.objects.all()
    if not user.is_authenticated or not user.is_active or user.role == Role.STUDENT:
        return flags.none()
    if user.role == Role.STAFF:
        return flags
    current = Assignment.objects.current().filter(student=OuterRef("student"))
    if user.role == Role.SUPERVISOR:
        return flags.filter(Exists(current.filter(mentor__mentor_profile__supervisor=user)))
    return flags.filter(Exists(current.filter(mentor=user)))


def flag_for_user(user: User, pk: int) -> RiskFlag:
    """One flag this person may see (``flags_visible_to``), with its student; 404
    otherwise."""
    return get_object_or_404(
        flags_visible_to(user).select_related("student", "acknowledged_by"), pk=pk
    )


def may_act_on_flag(user: User, *, flag: RiskFlag) -> bool:
    """Whether this person acknowledges the flag, logs outreach and gives a verdict:
    the student's current mentor, that mentor's supervisor, staff."""
    return flags_visible_to(user).filter(pk=flag.pk).exists()


def flags_open_queue(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """Open flags as a queue: oldest unacknowledged first, then the acknowledged
    ones, oldest first (the ``riskflag_open_queue_idx`` order). Each carries its
    student, who acknowledged it, ``mentor_id`` and ``mentor_name`` (the student's
    current mentor), ``outreach_count`` and ``open_for`` (a duration: today, in the
    viewer's time zone, less the day it opened). One query."""
    current_mentor = Assignment.objects.current().filter(student=OuterRef("student"))
    outreach = (
        FlagOutreach.objects.filter(flag=OuterRef("pk"))
        .order_by()
        .values("flag")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return flags_in_queue_order(
        flags.filter(status=FlagStatus.OPEN)
        .select_related("student", "acknowledged_by")
        .annotate(
            mentor_id=Subquery(current_mentor.values("mentor_id")[:1]),
            mentor_name=Subquery(
                current_mentor.annotate(
                    name=Coalesce(
                        NullIf("mentor__display_name", Value("")),
                        "mentor__email",
                        output_field=CharField(),
                    )
                ).values("name")[:1]
            ),
            outreach_count=Coalesce(Subquery(outreach), 0),
            open_for=ExpressionWrapper(
                Value(timezone.localdate()) - F("opened_on"), output_field=DurationField()
            ),
        )
    )


def flags_in_queue_order(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """The order people work through flags in: oldest unacknowledged first, then the
    acknowledged ones, oldest first (``riskflag_open_queue_idx``)."""
    return flags.order_by(F("acknowledged_at").asc(nulls_first=True), "opened_on", "pk")


def flags_open_counts(user: User) -> dict[str, int]:
    """How many open flags this person may see (``open``), and how many of them
    nobody has acknowledged yet (``unacknowledged``). One query."""
    return (
        flags_visible_to(user)
        .filter(status=FlagStatus.OPEN)
        .aggregate(
            open=Count("pk"),
            unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        )
    )


def student_flag(user: User, *, student: User) -> RiskFlag | None:
    """The flag the student's file shows this person: the open one, otherwise the
    latest resolved one; None when there is none or this person may not see flags
    (a student). Its outreach log, oldest first, with who did it, is on
    ``flag.outreach_log``. Two queries (one when there is no flag)."""
    # "open" sorts before "resolved".
    flag = (
        flags_visible_to(user)
        .filter(student=student)
        .select_related("student", "acknowledged_by")
        .order_by("status", "-opened_on", "-pk")
        .first()
    )
    if flag is not None:
        flag.outreach_log = list(flag.outreach.select_related("mentor"))
    return flag


def _number(value) -> str:
    """A number as the reader writes it: 1.5 → "1,5" in Russian, 2.0 → "2"."""
    value = float(value)
    if value.is_integer():
        return number_format(int(value))
    return number_format(round(value, 1), decimal_pos=1)


def _level(severity: str) -> str:
    # The level word inside a reason's sentence, in lower case: "(red from 14)".
    if severity == FlagSeverity.RED:
        return pgettext("at-risk flag level in a sentence", "red")
    return pgettext("at-risk flag level in a sentence", "amber")


@dataclass(frozen=True)
class Reason:
    """One stored reason of a flag (``Signal.as_reason``), read out as a sentence in
    the language active when ``sentence`` is read (the reader's, at display time)."""

    signal: str
    severity: str
    observed: float
    threshold: float
    baseline: float | None = None
    project: str = ""

    @classmethod
    def from_stored(cls, reason: dict) -> "Reason":
        return cls(
            signal=reason.get("signal", ""),
            severity=reason.get("severity", ""),
            observed=reason.get("observed") or 0,
            threshold=reason.get("threshold") or 0,
            baseline=reason.get("baseline"),
            project=reason.get("project") or "",
        )

    @property
    def sentence(self) -> str:
        observed, threshold = self.observed, self.threshold
        count = int(observed)
        if self.signal == SignalName.INACTIVITY:
            return ngettext(
                "No activity for %(days)d day (%(level)s from %(threshold)s).",
                "No activity for %(days)d days (%(level)s from %(threshold)s).",
                count,
            ) % {"days": count, "level": _level(self.severity), "threshold": _number(threshold)}
        if self.signal == SignalName.ACTIVITY_DROP:
            percent = round(100 * observed / self.baseline) if self.baseline else 0
            return gettext(
                "Activity has fallen to %(observed)s events a week, %(percent)d %% of their "
                "usual %(baseline)s (%(level)s below %(threshold)s %%)."
            ) % {
                "observed": _number(observed),
                "percent": percent,
                "baseline": _number(self.baseline or 0),
                "level": _level(self.severity),
                "threshold": _number(threshold),
            }
        if self.signal == SignalName.STALLED_PROJECT:
            if not self.baseline:
                return ngettext(
                    "Project “%(project)s” open for %(days)d day with nothing submitted "
                    "(more than %(limit)s days).",
                    "Project “%(project)s” open for %(days)d days with nothing submitted "
                    "(more than %(limit)s days).",
                    count,
                ) % {"project": self.project, "days": count, "limit": _number(threshold)}
            return ngettext(
                "Project “%(project)s” open for %(days)d day with nothing submitted "
                "(more than %(factor)s × its %(target)s target days).",
                "Project “%(project)s” open for %(days)d days with nothing submitted "
                "(more than %(factor)s × its %(target)s target days).",
                count,
            ) % {
                "project": self.project,
                "days": count,
                "factor": _number(threshold / self.baseline),
                "target": _number(self.baseline),
            }
        if self.signal == SignalName.BEHIND_PLAN:
            return ngettext(
                "%(days)d day behind plan (more than %(threshold)s).",
                "%(days)d days behind plan (more than %(threshold)s).",
                count,
            ) % {"days": count, "threshold": _number(threshold)}
        if self.signal == SignalName.MISSED_SESSIONS:
            return ngettext(
                "Missed %(count)d session recently (a flag from %(threshold)s).",
                "Missed %(count)d sessions recently (a flag from %(threshold)s).",
                count,
            ) % {"count": count, "threshold": _number(threshold)}
        if self.signal == SignalName.STRUGGLING:
            return ngettext(
                "%(count)d request for changes on “%(project)s” (a flag from %(threshold)s).",
                "%(count)d requests for changes on “%(project)s” (a flag from %(threshold)s).",
                count,
            ) % {"count": count, "project": self.project, "threshold": _number(threshold)}
        return gettext("%(signal)s: %(observed)s (threshold %(threshold)s).") % {
            "signal": self.signal,
            "observed": _number(observed),
            "threshold": _number(threshold),
        }


def flag_reasons(flag: RiskFlag) -> list[Reason]:
    """A flag's reasons, worst first, each able to say itself as a sentence."""
    reasons = [Reason.from_stored(reason) for reason in flag.reasons or []]
    return sorted(reasons, key=lambda reason: -SEVERITY_RANK.get(reason.severity, 0))


def flag_reason_sentences(flag: RiskFlag) -> list[str]:
    """The reasons of a flag as sentences in the active language, worst first."""
    return [reason.sentence for reason in flag_reasons(flag)]


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


# --- Re-engagement, for the scorecard -------------------------------------------------


def reengagement_rates(*, mentor_ids) -> dict[int, dict]:
    """Per mentor: of the flags whose recovery has been judged (the window after the
    first outreach is over), how many students recovered, and the rate. A flag counts
    for the mentor who reached out first. One query; mentors with none get zeros and
    no rate."""
    first_outreach = (
        FlagOutreach.objects.filter(flag=OuterRef("pk")).order_by("at", "pk").values("mentor")[:1]
    )
    rows = (
        RiskFlag.objects.filter(recovered__isnull=False)
        .annotate(mentor_id=Subquery(first_outreach))
        .filter(mentor_id__in=mentor_ids)
        .values("mentor_id")
        .annotate(
            judged=Count("pk"),
            recovered_count=Count("pk", filter=Q(recovered=True)),
        )
        .order_by()
    )
    rates = {mentor_id: {"judged": 0, "recovered": 0, "rate": None} for mentor_id in mentor_ids}
    for row in rows:
        rates[row["mentor_id"]] = {
            "judged": row["judged"],
            "recovered": row["recovered_count"],
            "rate": row["recovered_count"] / row["judged"],
        }
    return rates


# --- Mentoring sessions ---------------------------------------------------------------


def sessions_visible_to(user: User) -> QuerySet[MentoringSession]:
    """Sessions a person may see: a student their own, a mentor those they give, a
    supervisor those of their team's mentors, staff all. Pages, exports and the API
    all start from here."""
    sessions = MentoringSession.objects.all()
    if not user.is_authenticated or not user.is_active:
        return sessions.none()
    if user.role == Role.STAFF:
        return sessions
    if user.role == Role.SUPERVISOR:
        return sessions.filter(mentor__mentor_profile__supervisor=user)
    if user.role == Role.MENTOR:
        return sessions.filter(mentor=user)
    return sessions.filter(student=user)


def session_for_user(user: User, pk: int) -> MentoringSession:
    """One session for this person, with both people loaded; 404 to outsiders."""
    return get_object_or_404(sessions_visible_to(user).select_related("mentor", "student"), pk=pk)


def sessions_upcoming_first(sessions: QuerySet[MentoringSession]) -> QuerySet[MentoringSession]:
    """Scheduled sessions first, soonest first (those already started and waiting to
    be logged lead), then the others newest first; people loaded in the same query."""
    scheduled = Q(status=SessionStatus.SCHEDULED)
    return sessions.select_related("mentor", "student").order_by(
        Case(When(scheduled, then=Value(0)), default=Value(1)),
        Case(When(scheduled, then=F("scheduled_at"))).asc(nulls_last=True),
        F("scheduled_at").desc(),
        "pk",
    )


@dataclass(frozen=True)
class SessionStatement:
    """A mentor's sessions of one calendar month (in the mentor's time zone), what
    they invoice from: every session with its outcome, and counts by outcome."""

    mentor: User
    month: date
    sessions: list[MentoringSession]
    counts: dict[str, int]
    completed_minutes: int
    average_rating: float | None

    @property
    def rows_by_outcome(self) -> list[tuple[str, str, int]]:
        return [
            (status.value, status.label, self.counts[status.value]) for status in SessionStatus
        ]


def session_statement(*, mentor: User, month: date) -> SessionStatement:
    """The monthly statement of ``mentor`` for the month containing ``month``: two
    queries, the sessions and the totals."""
    zone = mentor.zone
    first_day = month.replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(next_month, time.min, tzinfo=zone)
    sessions = MentoringSession.objects.filter(
        mentor=mentor, scheduled_at__gte=start, scheduled_at__lt=end
    )
    totals = sessions.aggregate(
        completed_minutes=Sum("duration_minutes", filter=Q(status=SessionStatus.COMPLETED)),
        average_rating=Avg("rating"),
        **{status.value: Count("pk", filter=Q(status=status)) for status in SessionStatus},
    )
    return SessionStatement(
        mentor=mentor,
        month=first_day,
        sessions=list(sessions.select_related("student").order_by("scheduled_at", "pk")),
        counts={status.value: totals[status.value] for status in SessionStatus},
        completed_minutes=totals["completed_minutes"] or 0,
        average_rating=totals["average_rating"],
    )


def mentor_satisfaction(*, mentor: User) -> dict:
    """A mentor's satisfaction score: the average of their students' session ratings
    and how many ratings it rests on."""
    return MentoringSession.objects.filter(mentor=mentor, rating__isnull=False).aggregate(
        average=Avg("rating"), ratings=Count("pk")
    )


# --- Matching a student with a mentor -------------------------------------------------


@dataclass(frozen=True)
class MentorSuggestion:
    """One mentor for one student, and why: the programmes the mentor teaches among
    the student's active enrolments, whether they speak the student's language, how
    many hours apart their clocks are now, and how many free places they have."""

    mentor: User
    programmes: list[str]
    speaks_language: bool
    hours_apart: float
    free_places: int
    score: float

    @property
    def at_capacity(self) -> bool:
        return self.free_places <= 0


def _utc_offset_hours(zone_name: str, now: datetime) -> float:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


def _hours_apart(first: str, second: str, now: datetime) -> float:
    difference = abs(_utc_offset_hours(first, now) - _utc_offset_hours(second, now))
    # Clocks wrap around: UTC+12 and UTC−11 are one hour apart, not twenty-three.
    return min(difference, 24 - difference)


def mentor_suggestions(*, student: User, candidates: QuerySet[User]) -> list[MentorSuggestion]:
    """Mentors ranked by fit for ``student``, best first, in three queries (the
    student's programmes, the mentors with their load, their programmes).

    Fit is, in this order of weight: programme expertise (each programme the mentor
    teaches among the student's active enrolments), speaking the student's language,
    then fewer hours between their time zones; free places break ties. Mentors at
    capacity come last whatever their fit, marked as such."""

    programme_ids = set(
        Enrolment.objects.filter(student=student, status=EnrolmentStatus.ACTIVE).values_list(
            "programme_id", flat=True
        )
    )
    mentors = (
        mentors_with_load(candidates)
        .filter(mentor_profile__isnull=False)
        .prefetch_related("mentor_profile__programmes")
    )
    now = datetime.now(tz=zoneinfo.ZoneInfo("UTC"))
    suggestions = []
    for mentor in mentors:
        profile = mentor.mentor_profile
        shared = sorted(
            programme.title
            for programme in profile.programmes.all()
            if programme.pk in programme_ids
        )
        speaks = student.language in (profile.languages or [])
        hours = _hours_apart(student.time_zone, mentor.time_zone, now)
        # Weights keep the order of importance strict: one shared programme outweighs
        # the language, which outweighs any time-zone gap (at most 12 h, 8 points).
        score = 100 * len(shared) + 10 * speaks + (12 - hours) * 2 / 3
        suggestions.append(
            MentorSuggestion(
                mentor=mentor,
                programmes=shared,
                speaks_language=speaks,
                hours_apart=hours,
                free_places=profile.capacity - mentor.current_students,
                score=round(score, 1),
            )
        )
    suggestions.sort(
        key=lambda s: (s.at_capacity, -s.score, -s.free_places, str(s.mentor).lower())
    )
    return suggestions
