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

from .models import Assignment, MentoringSession, Role, SessionStatus, User


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
