"""Reads about students: the mentor's list, one student's file and its timeline.

Who may see a student is ``mentorship.selectors.students_visible_to``; private mentor
notes follow the same rule minus the student themself (``mentor_notes_visible_to``).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
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
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorship.models import (
    Assignment,
    MentoringSession,
    Role,
    SessionStatus,
    StudentStatus,
    User,
)
from mentorship.selectors import sessions_visible_to, students_visible_to
from projects.models import (
    Enrolment,
    EnrolmentStatus,
    Project,
    Recommendation,
    Review,
    Submission,
    SubmissionStatus,
    Verdict,
)
from projects.selectors import ProgrammeProgress, recommendations_visible_to

from .models import DailyActivity, FlagSettings, FlagSeverity, Incident, MentorNote


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

    choices = [
        (NAME, _("Name")),
        (ACTIVITY, _("Last activity")),
        (WAITING, _("Waiting submissions")),
        (NEXT_SESSION, _("Next session")),
    ]


def student_list(
    user: User,
    *,
    status: str = "",
    programme_id: int | None = None,
    sort: str = StudentSort.NAME,
) -> QuerySet[User]:
    """The students this person may see, with what a row of "My students" shows in the
    same query: profile, ``last_activity`` (the latest submission or review),
    ``waiting`` (submissions waiting for review), ``mentor_name`` (their current
    mentor, for supervisors and staff) and the last and next sessions
    (``session_annotations``). Filtered by status and by the programme of an active
    enrolment; sorted by name, last activity (latest first), waiting submissions (most
    first) or next session (soonest first, students without one last)."""
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
            **session_annotations(),
        )
    )
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

    # Seen only by those who look after the student, never by the student themself.
    PRIVATE = (NOTE, INCIDENT)

    choices = [
        (SUBMISSION, _("Submissions")),
        (REVIEW, _("Reviews")),
        (SESSION, _("Sessions")),
        (RECOMMENDATION, _("Recommendations")),
        (ASSIGNMENT, _("Mentor changes")),
        (NOTE, _("Private notes")),
        (INCIDENT, _("Incidents")),
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
    a mentor change at the start of the new assignment. Private notes and incidents
    only when ``with_notes`` (never for the student themself)."""
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
    }
    parts = []
    for value, _label in TimelineKind.visible(with_notes=with_notes):
        if kind not in ("", value):
            continue
        queryset, field = sources[value]
        parts.append(
            queryset.order_by()
            .annotate(kind=Value(value, output_field=CharField()), at=F(field))
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
    }


def timeline_items(rows, *, user: User) -> list[TimelineItem]:
    """The objects behind a page of ``student_timeline`` rows, in the rows' order, as
    ``user`` sees them: one query per kind present."""
    rows = list(rows)
    wanted: dict[str, list[int]] = {}
    for kind, pk, _at in rows:
        wanted.setdefault(kind, []).append(pk)
    querysets = _timeline_querysets(user)
    loaded: dict[tuple[str, int], object] = {}
    for kind, pks in wanted.items():
        for item in querysets[kind].filter(pk__in=pks):
            loaded[(kind, item.pk)] = item
    return [
        TimelineItem(kind, at, loaded[(kind, pk)]) for kind, pk, at in rows if (kind, pk) in loaded
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

    def as_reason(self) -> dict:
        return {
            "signal": self.name,
            "severity": self.severity,
            "observed": self.observed,
            "baseline": self.baseline,
            "threshold": self.threshold,
            "project": self.project,
        }


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


def risk_signals(
    *, student_ids: list[int], as_of: date, thresholds: FlagSettings
) -> dict[int, list[Signal]]:
    """Every signal each of these students shows as of a day, from data up to that
    day only (activity by the student's local days, the rest up to the end of the day
    in UTC). Students with no signal are left out. Seven set-based queries whatever the
    number of students; callers pass ``flaggable_student_ids`` in chunks."""
    if not student_ids:
        return {}
    signals: dict[int, list[Signal]] = {}

    def add(student_id: int, signal: Signal) -> None:
        signals.setdefault(student_id, []).append(signal)

    cutoff = end_of_day(as_of)
    enrolments = _active_enrolments(student_ids=student_ids, as_of=as_of, cutoff=cutoff)
    reviews = _reviews_up_to(student_ids=student_ids, cutoff=cutoff)
    submitted = set(
        Submission.objects.filter(student_id__in=student_ids, submitted_at__lt=cutoff)
        .values_list("student_id", "project_id")
        .distinct()
    )

    # Inactivity and activity drop, from the rollup.
    window, base = thresholds.drop_window_days, thresholds.drop_baseline_days
    recent_from = as_of - timedelta(days=window - 1)
    base_from = recent_from - timedelta(days=base)
    activity = {
        row["student_id"]: row
        for row in DailyActivity.objects.filter(
            student_id__in=student_ids, day__gte=base_from, day__lte=as_of
        )
        .values("student_id")
        .annotate(
            recent=Sum("events", filter=Q(day__gte=recent_from), default=0),
            baseline=Sum("events", filter=Q(day__lt=recent_from), default=0),
            baseline_days=Count("pk", filter=Q(day__lt=recent_from)),
        )
        .order_by()
    }
    last_active = dict(
        DailyActivity.objects.filter(student_id__in=student_ids, day__lte=as_of)
        .values("student_id")
        .annotate(last=Max("day"))
        .order_by()
        .values_list("student_id", "last")
    )
    for student_id in student_ids:
        starts = [enrolment.started_on for enrolment in enrolments.get(student_id, [])] or [as_of]
        # Enrolling is a sign of life too: a student who enrolled three days ago and
        # has done nothing since has been idle three days, not since they signed up.
        last = max(filter(None, [last_active.get(student_id), max(starts)]))
        idle = (as_of - last).days
        if idle >= thresholds.inactivity_red_days:
            severity, threshold = FlagSeverity.RED, thresholds.inactivity_red_days
        elif idle >= thresholds.inactivity_amber_days:
            severity, threshold = FlagSeverity.AMBER, thresholds.inactivity_amber_days
        else:
            severity = None
        if severity:
            add(student_id, Signal(SignalName.INACTIVITY, severity, idle, threshold))

        row = activity.get(student_id)
        if (
            row
            and row["baseline_days"] >= thresholds.drop_baseline_min_active_days
            and min(starts) <= base_from
        ):
            per_week_recent = row["recent"] * 7 / window
            per_week_base = row["baseline"] * 7 / base
            percent = 100 * per_week_recent / per_week_base
            if percent < thresholds.drop_red_percent:
                severity, threshold = FlagSeverity.RED, thresholds.drop_red_percent
            elif percent < thresholds.drop_amber_percent:
                severity, threshold = FlagSeverity.AMBER, thresholds.drop_amber_percent
            else:
                severity = None
            if severity:
                add(
                    student_id,
                    Signal(
                        SignalName.ACTIVITY_DROP,
                        severity,
                        round(per_week_recent, 1),
                        threshold,
                        baseline=round(per_week_base, 1),
                    ),
                )

    # Project signals: the plan as it stood on the day.
    for student_id, student_enrolments in enrolments.items():
        approved_at = reviews["approved_at"].get(student_id, {})
        for enrolment in student_enrolments:
            projects = enrolment.projects
            current = next((p for p in projects if p.pk not in approved_at), None)
            if current is None:
                continue
            # Behind plan: the oldest project past its due date and not approved.
            overdue = [
                item.due_on
                for item in enrolment.plan(projects)
                if item.project.pk not in approved_at and item.due_on < as_of
            ]
            if overdue and (late := (as_of - min(overdue)).days) > thresholds.behind_plan_days:
                add(
                    student_id,
                    Signal(
                        SignalName.BEHIND_PLAN,
                        FlagSeverity.AMBER,
                        late,
                        thresholds.behind_plan_days,
                    ),
                )
            # Stalled: the current project open too long with nothing submitted.
            index = projects.index(current)
            opened_on = (
                approved_at[projects[index - 1].pk].date()
                if index and projects[index - 1].pk in approved_at
                else enrolment.started_on
            )
            limit = float(thresholds.stalled_factor) * current.target_days
            open_days = (as_of - opened_on).days
            if (student_id, current.pk) not in submitted and open_days > limit:
                add(
                    student_id,
                    Signal(
                        SignalName.STALLED_PROJECT,
                        FlagSeverity.AMBER,
                        open_days,
                        round(limit, 1),
                        baseline=current.target_days,
                        project=current.title,
                    ),
                )

    # Struggling: many "changes requested" on a project still not approved.
    for (student_id, project_id), count in reviews["changes_requested"].items():
        if count >= thresholds.struggling_changes_requested and project_id not in reviews[
            "approved_at"
        ].get(student_id, {}):
            add(
                student_id,
                Signal(
                    SignalName.STRUGGLING,
                    FlagSeverity.AMBER,
                    count,
                    thresholds.struggling_changes_requested,
                    project=reviews["titles"].get(project_id, ""),
                ),
            )

    # Missed sessions.
    missed = (
        MentoringSession.objects.filter(
            student_id__in=student_ids,
            status=SessionStatus.STUDENT_NO_SHOW,
            scheduled_at__lt=cutoff,
            scheduled_at__gte=cutoff - timedelta(days=thresholds.missed_sessions_window_days),
        )
        .values("student_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("student_id", "count")
    )
    for student_id, count in missed:
        if count >= thresholds.missed_sessions:
            add(
                student_id,
                Signal(
                    SignalName.MISSED_SESSIONS,
                    FlagSeverity.AMBER,
                    count,
                    thresholds.missed_sessions,
                ),
            )
    return signals


def _active_enrolments(*, student_ids, as_of: date, cutoff: datetime) -> dict[int, list]:
    """Each student's enrolments that were active on the day, with the programme's
    projects in order on ``enrolment.projects``. Two queries."""
    enrolments = (
        Enrolment.objects.filter(student_id__in=student_ids, started_on__lte=as_of)
        .filter(Q(status=EnrolmentStatus.ACTIVE) | Q(completed_at__gte=cutoff))
        .prefetch_related(
            Prefetch("programme__projects", queryset=Project.objects.order_by("position"))
        )
        .select_related("programme")
    )
    by_student: dict[int, list] = {}
    for enrolment in enrolments:
        enrolment.projects = list(enrolment.programme.projects.all())
        by_student.setdefault(enrolment.student_id, []).append(enrolment)
    return by_student


def _reviews_up_to(*, student_ids, cutoff: datetime) -> dict:
    """From the reviews posted before ``cutoff``: when each student's projects were
    approved, and how many times changes were requested on each project. One query."""
    approved_at: dict[int, dict[int, datetime]] = {}
    changes: dict[tuple[int, int], int] = {}
    titles: dict[int, str] = {}
    for student_id, project_id, title, verdict, created_at in Review.objects.filter(
        submission__student_id__in=student_ids, created_at__lt=cutoff
    ).values_list(
        "submission__student_id",
        "submission__project_id",
        "submission__project__title",
        "verdict",
        "created_at",
    ):
        titles[project_id] = title
        if verdict == Verdict.APPROVED:
            approved_at.setdefault(student_id, {})[project_id] = created_at
        else:
            changes[(student_id, project_id)] = changes.get((student_id, project_id), 0) + 1
    return {"approved_at": approved_at, "changes_requested": changes, "titles": titles}


def flag_severity(signals: list[Signal]) -> str:
    """A flag is as severe as its worst signal."""
    return max((signal.severity for signal in signals), key=SEVERITY_RANK.__getitem__)
