"""Reads about people that span relations, and who may see whom.

``students_visible_to`` is the object-level rule every page, API endpoint and export
uses: a student sees themself, a mentor their current students, a supervisor the
current students of their team's mentors, staff everyone.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from .models import (
    Assignment,
    CaseAudience,
    CaseDiscussion,
    CaseReply,
    MentoringSession,
    Role,
    SessionStatus,
    User,
)


def students_visible_to(user: User) -> QuerySet[User]:
    students = User.objects.filter(role=Role.STUDENT)
    if not user.is_authenticated or not user.is_active:
        return students.none()
    if user.role == Role.STAFF:
        return students
    if user.role == Role.SUPERVISOR:
        return students.filter(
            mentor_assignments__ended_at__isnull=True,
            mentor_assignments__mentor__mentor_profile__supervisor=user,
        )
    if user.role == Role.MENTOR:
        return students.filter(
            mentor_assignments__ended_at__isnull=True,
            mentor_assignments__mentor=user,
        )
    return students.filter(pk=user.pk)


def mentors_visible_to(user: User) -> QuerySet[User]:
    """Mentors a person may look at: staff all, a supervisor their team, a mentor
    themself, a student their current mentor."""
    mentors = User.objects.filter(role=Role.MENTOR)
    if not user.is_authenticated or not user.is_active:
        return mentors.none()
    if user.role == Role.STAFF:
        return mentors
    if user.role == Role.SUPERVISOR:
        return mentors.filter(mentor_profile__supervisor=user)
    if user.role == Role.MENTOR:
        return mentors.filter(pk=user.pk)
    return mentors.filter(
        student_assignments__ended_at__isnull=True,
        student_assignments__student=user,
    )


def current_mentor(*, student: User) -> User | None:
    assignment = (
        Assignment.objects.current().select_related("mentor").filter(student=student).first()
    )
    return assignment.mentor if assignment else None


def mentors_with_load(mentors: QuerySet[User]) -> QuerySet[User]:
    """Mentors annotated with ``current_students`` and their profile (capacity,
    supervisor) in one query, for team and workload lists."""
    return (
        mentors.select_related("mentor_profile", "mentor_profile__supervisor")
        .annotate(
            current_students=Count(
                "student_assignments",
                filter=Q(student_assignments__ended_at__isnull=True),
            )
        )
        .order_by("display_name", "email")
    )


def mentor_current_students(*, mentor: User) -> QuerySet[User]:
    return (
        User.objects.filter(
            role=Role.STUDENT,
            mentor_assignments__ended_at__isnull=True,
            mentor_assignments__mentor=mentor,
        )
        .select_related("student_profile")
        .order_by("display_name", "email")
    )


def unassigned_students() -> QuerySet[User]:
    """Active students with no current mentor: staff's first job of the day."""
    return User.objects.filter(
        role=Role.STUDENT,
        is_active=True,
        student_profile__status="active",
    ).exclude(Exists(Assignment.objects.current().filter(student=OuterRef("pk"))))


def staff_overview() -> dict[str, int]:
    """Head counts for the staff home page, in two queries."""
    counts = User.objects.filter(is_active=True).aggregate(
        students=Count("pk", filter=Q(role=Role.STUDENT)),
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        supervisors=Count("pk", filter=Q(role=Role.SUPERVISOR)),
    )
    counts["unassigned"] = unassigned_students().count()
    return counts


def assignment_history(*, student: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(student=student).select_related("mentor", "assigned_by")


# --- Mentoring sessions -------------------------------------------------------------


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
    zone = zoneinfo.ZoneInfo(mentor.time_zone)
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


# --- Matching and assignment --------------------------------------------------------


def students_assignable_by(user: User) -> QuerySet[User]:
    """Students whose mentor this person may set: staff any student; a supervisor the
    students of their team's mentors and the active students who have no mentor yet."""
    students = User.objects.filter(role=Role.STUDENT)
    if not user.is_authenticated or not user.is_active:
        return students.none()
    if user.role == Role.STAFF:
        return students
    if user.role == Role.SUPERVISOR:
        return students.filter(
            Q(pk__in=students_visible_to(user).values("pk"))
            | Q(pk__in=unassigned_students().values("pk"))
        )
    return students.none()


def mentors_assignable_by(user: User) -> QuerySet[User]:
    """Active mentors this person may give a student to: staff any, a supervisor their
    own team's."""
    if not user.is_authenticated or user.role not in (Role.STAFF, Role.SUPERVISOR):
        return User.objects.none()
    return mentors_visible_to(user).filter(is_active=True)


def student_for_assignment(user: User, pk: int) -> User:
    """One student whose mentor this person may set; 404 to everyone else."""
    return get_object_or_404(students_assignable_by(user).select_related("student_profile"), pk=pk)


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
    from projects.models import Enrolment, EnrolmentStatus

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


# --- Case discussions ---------------------------------------------------------------


def cases_visible_to(user: User) -> QuerySet[CaseDiscussion]:
    """Cases a person may see: the author; the author's supervisor; for cases raised to
    all mentors, every active mentor too; staff all. Students never, so a case about a
    student never reaches them."""
    cases = CaseDiscussion.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.STAFF:
        return cases
    if user.role == Role.SUPERVISOR:
        return cases.filter(author__mentor_profile__supervisor=user)
    if user.role == Role.MENTOR:
        return cases.filter(Q(author=user) | Q(audience=CaseAudience.MENTORS))
    return cases.none()


def case_for_user(user: User, pk: int) -> CaseDiscussion:
    """One case for this person, with its people loaded; 404 to outsiders."""
    return get_object_or_404(
        cases_visible_to(user).select_related("author", "student", "resolved_by"), pk=pk
    )


def cases_open_first(cases: QuerySet[CaseDiscussion]) -> QuerySet[CaseDiscussion]:
    """Open cases first, then resolved ones, newest first within each; people and the
    reply count loaded in the same query."""
    return (
        cases.select_related("author", "student")
        .annotate(reply_count=Count("replies"))
        .order_by(F("resolved_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def case_replies(*, case: CaseDiscussion) -> QuerySet[CaseReply]:
    return case.replies.select_related("author").order_by("created_at", "pk")


def peer_help_counts(*, mentor_ids, since=None) -> dict[int, int]:
    """Peer help: replies each mentor wrote on cases raised by other mentors (replies on
    one's own case do not count), since ``since`` if given; one query. Mentors with none
    are absent."""
    replies = CaseReply.objects.filter(author_id__in=list(mentor_ids)).exclude(
        case__author_id=F("author_id")
    )
    if since is not None:
        replies = replies.filter(created_at__gte=since)
    rows = replies.values("author_id").annotate(count=Count("pk")).order_by()
    return {row["author_id"]: row["count"] for row in rows}
