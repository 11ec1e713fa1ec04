"""Reads about students: the mentor's list, one student's file and its timeline, and
incidents between students.

Who may see a student is ``mentorship.selectors.students_visible_to``; private mentor
notes follow the same rule minus the student themself (``mentor_notes_visible_to``),
and so do incidents (``incidents_visible_to``). Sessions have their rules in
``sessions``. Who may change each of these is a ``may_<verb>_<object>`` rule beside them, which the
services ask before they write (``mentorship.access``).
The rest of the app's rules have modules of their own: ``risk`` (the signals, the
judgement and the backtest), ``flags`` (a flag once raised), ``flag_runs`` (the nightly
run), ``sessions`` (1:1 sessions), ``charts`` (activity over time) and ``matching``
(mentor suggestions).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorship.activity import last_active_on
from mentorship.models import (
    Assignment,
    Role,
    User,
)
from mentorship.selectors import (
    mentors_visible_to,
    people_matching,
    student_status_since,
    students_mentored_by,
    students_visible_to,
)
from projects.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
    Recommendation,
    Review,
    Submission,
    SubmissionStatus,
)
from projects.recommendations import recommendations_visible_to
from projects.selectors import ProgrammeProgress

from .models import (
    FlagStatus,
    Incident,
    MentoringSession,
    MentorNote,
    RiskFlag,
    SessionStatus,
)
from .risk.signals import SEVERITY_RANK
from .sessions import sessions_visible_flag, with_session_notes_readable


def student_for_user(user: User, pk: int) -> User:
    """One student this person may see (see ``students_visible_to``), with their
    profile, since when their status holds (``status_since``), last activity
    (``last_active_on``) and last and next sessions (``session_annotations``); 404
    otherwise."""
    student = (
        students_visible_to(user)
        .select_related("student_profile")
        .annotate(
            status_since=student_status_since(),
            last_active_on=last_active_on(),
            **session_annotations(),
        )
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
    search: str = "",
    mentor_id: int | None = None,
    status: str = "",
    programme_id: int | None = None,
    flagged: bool = False,
    sort: str = StudentSort.NAME,
) -> QuerySet[User]:
    """The students this person may see, with what a row of "My students" shows in the
    same query: profile, ``last_active_on`` (the student's last activity, the one
    answer of ``mentorship.activity.last_active_on``), ``waiting`` (submissions
    waiting for review), ``mentor_name`` (their current mentor, for supervisors and
    staff), the last and next sessions (``session_annotations``) and the open at-risk
    flag (``flag_severity``, ``flag_acknowledged_at``; empty without one). Filtered by
    a search of name or e-mail (``people_matching``), by current mentor
    (``students_mentored_by``), by status, by the programme of an active enrolment
    and to flagged students; sorted by name, last activity (latest first, students
    never active last), waiting submissions (most first), next session (soonest
    first, students without one last) or flag severity (red, amber, then the
    unflagged; unacknowledged first within each)."""
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
    students = (
        students_visible_to(user)
        .select_related("student_profile")
        .annotate(
            last_active_on=last_active_on(),
            waiting=Coalesce(Subquery(waiting), 0),
            mentor_name=Subquery(current_mentor),
            flag_severity=Subquery(open_flag.values("severity")[:1]),
            flag_acknowledged_at=Subquery(open_flag.values("acknowledged_at")[:1]),
            **session_annotations(),
        )
    )
    students = people_matching(students, search)
    if mentor_id:
        students = students_mentored_by(students, mentor_id=mentor_id)
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
        order = [F("last_active_on").desc(nulls_last=True)]
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


def student_list_programmes(user: User) -> QuerySet[Programme]:
    """The programmes the list's filter offers: those a student this person may see
    is (or was) enrolled on. A semi-join per programme, which stops at the first such
    enrolment, rather than a DISTINCT over every enrolment of the school (staff)."""
    visible = students_visible_to(user).values("pk")
    return Programme.objects.filter(
        Exists(Enrolment.objects.filter(programme=OuterRef("pk"), student__in=visible))
    )


def student_list_mentors(user: User) -> QuerySet[User] | None:
    """The mentors the list's "by mentor" filter offers: a supervisor their team's,
    staff every mentor (``mentors_visible_to``); None for a mentor, who sees only
    their own students and gets no such filter."""
    if user.role not in (Role.SUPERVISOR, Role.STAFF):
        return None
    return mentors_visible_to(user).order_by("display_name", "email")


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
    a mentor change at the start of the new assignment; an at-risk flag at the start
    of the day it opened (``opened_on``) and, once resolved, of the day it was
    resolved. Private notes,
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
        # At the day it opened, the date its card shows (not when the run wrote it).
        TimelineKind.FLAG: (
            RiskFlag.objects.filter(student=student),
            Cast("opened_on", DateTimeField()),
        ),
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
    earlier mentor's are not theirs); sessions ``notes_readable`` too
    (``may_read_session_notes``); a mentor change names the mentor before it."""
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
        TimelineKind.SESSION: with_session_notes_readable(
            MentoringSession.objects.select_related("mentor").annotate(
                openable=sessions_visible_flag(user)
            ),
            user=user,
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
    """Incidents a person may see: staff all; a mentor or a supervisor those
    involving a student they look after (``students_visible_to``: a mentor's current
    students, a supervisor's team's); anyone those they recorded or arbitrate.
    Students never, not even the incidents they are involved in."""
    incidents = Incident.objects.all()
    if not user.is_authenticated or not user.is_active or user.role == Role.STUDENT:
        return incidents.none()
    if user.role == Role.STAFF:
        return incidents
    looked_after = Incident.students.through.objects.filter(
        incident=OuterRef("pk"), user__in=students_visible_to(user).values("pk")
    )
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
