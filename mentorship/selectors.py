"""Reads about people that span relations, and who may see whom.

``students_visible_to`` is the object-level rule every page, API endpoint and export
uses: a student sees themself, a mentor their current students, a supervisor the
current students of their team's mentors, staff everyone. The other apps' rules about
a student's things (submissions, flags, incidents, private notes) ask it rather than
say it again. Who a student's mentor is, is ``current_mentor`` (one student) and
``current_mentor_assignments`` (many at once, for SQL).
"""

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404

from .models import Assignment, MentorProfile, Role, User


def students_visible_to(user: User) -> QuerySet[User]:
    students = User.objects.filter(role=Role.STUDENT)
    if not user.is_authenticated or not user.is_active:
        return students.none()
    if user.role == Role.STAFF:
        return students
    current = current_mentor_assignments()
    if user.role == Role.SUPERVISOR:
        current = current.filter(mentor__mentor_profile__supervisor=user)
    elif user.role == Role.MENTOR:
        current = current.filter(mentor=user)
    else:
        return students.filter(pk=user.pk)
    return students.filter(pk__in=current.values("student_id"))


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


def current_mentor_assignments() -> QuerySet[Assignment]:
    """Every student's current assignment (at most one each; ended ones are history):
    the one answer to "who is this student's mentor?", for many students at once.
    ``current_mentor`` asks it of one student; the flag digests' SQL is built from it
    (``students.flag_runs``). Unordered, so it can stand inside other queries."""
    return Assignment.objects.current().order_by()


def current_mentor(*, student: User) -> User | None:
    """The student's mentor now, or None (see ``current_mentor_assignments``)."""
    assignment = current_mentor_assignments().select_related("mentor").filter(student=student)
    assignment = assignment.first()
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
    current = current_mentor_assignments().filter(mentor=mentor)
    return (
        User.objects.filter(role=Role.STUDENT, pk__in=current.values("student_id"))
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


# --- Matching and assignment ----------------------------------------------------------


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


def may_assign_mentor(user: User, *, student: User) -> bool:
    """Whether this person may set the student's mentor (``students_assignable_by``)."""
    return students_assignable_by(user).filter(pk=student.pk).exists()


def student_for_assignment(user: User, pk: int) -> User:
    """One student whose mentor this person may set; 404 to everyone else."""
    return get_object_or_404(students_assignable_by(user).select_related("student_profile"), pk=pk)


# --- Weekly reports -------------------------------------------------------------------
#
# A report's week runs from Monday 00:00 to the next Monday 00:00 on the mentor's own
# clock (``User.time_zone``), so "last week" means the same days to the mentor
# wherever they live.


def mentor_supervisor(*, mentor: User) -> User | None:
    """The supervisor whose team the mentor is in, if any."""
    profile = MentorProfile.objects.filter(user_id=mentor.pk).select_related("supervisor").first()
    return profile.supervisor if profile else None
