"""Reads about people that span relations, and who may see whom.

``students_visible_to`` is the object-level rule every page, API endpoint and export
uses: a student sees themself, a mentor their current students, a supervisor the
current students of their team's mentors, staff everyone. The other apps' rules about
a student's things (submissions, flags, incidents, private notes) ask it rather than
say it again. Who a student's mentor is, is ``current_mentor`` (one student) and
``current_mentor_assignments`` (many at once, for SQL).

``student_status_on`` is the one answer to "what was this student's status on day D"
(the flagging run, the backtest), ``student_status_since`` to "since when has it been
what it is".
"""

from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Contains
from django.shortcuts import get_object_or_404

from .models import (
    Assignment,
    MentorProfile,
    Role,
    StudentStatus,
    StudentStatusChange,
    User,
)

# --- Finding people -------------------------------------------------------------------

# The longest search taken (a pasted paragraph is not a name) and the most words.
PEOPLE_SEARCH_MAX_LENGTH = 100
PEOPLE_SEARCH_MAX_WORDS = 5


class UnicodeLower(Func):
    """``LOWER`` of any alphabet: PostgreSQL's lowers Cyrillic under a UTF-8 locale;
    SQLite's only ASCII, so there Python's (``unicode_lower``, registered on each
    connection by ``MentorshipConfig``)."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="unicode_lower", **extra)


def people_matching(people: QuerySet[User], text: str, *, person: str = "") -> QuerySet[User]:
    """``people`` narrowed to those a search names: every word of ``text`` found, in any
    case and any alphabet, in their display name or their e-mail address ("ivan
    petrov", "Петров", "@example.org"). The one search of every people list, pages and
    API alike; blank text narrows nothing. ``person`` names the person's relation when
    ``people`` are other rows (``"student"`` for submissions). A scan of the names the
    list already narrowed to, in the list's own query."""
    prefix = f"{person}__" if person else ""
    words = text.strip()[:PEOPLE_SEARCH_MAX_LENGTH].lower().split()[:PEOPLE_SEARCH_MAX_WORDS]
    for word in words:
        people = people.filter(
            Contains(UnicodeLower(f"{prefix}display_name"), word)
            | Contains(UnicodeLower(f"{prefix}email"), word)
        )
    return people


def students_mentored_by(students: QuerySet[User], *, mentor_id: int) -> QuerySet[User]:
    """``students`` narrowed to those whose current mentor is this one
    (``current_mentor_assignments``): the "by mentor" filter of the student lists."""
    current = current_mentor_assignments().filter(mentor_id=mentor_id)
    return students.filter(pk__in=current.values("student_id"))


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


def mentor_at(*, student: str = "student", at: str) -> Subquery:
    """Who the student's mentor was at a moment, for SQL: the mentor of the assignment
    that had started by then and not yet ended (``started_at <= at < ended_at``), for
    records of many students at once, e.g. ``submissions.annotate(mentor_id=
    mentor_at(at="submitted_at"))``; ``student`` and ``at`` name the outer row's
    fields. A student who changed mentor in the middle of a period counts for each
    mentor in turn. None when the student had no mentor then."""
    assignment = Assignment.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef(at)),
        student_id=OuterRef(student),
        started_at__lte=OuterRef(at),
    ).order_by("-started_at")
    return Subquery(assignment.values("mentor_id")[:1])


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


def mentors_by_load(mentors: QuerySet[User]) -> QuerySet[User]:
    """``mentors_with_load``, the fullest first: current students as a share of the
    mentor's capacity (a mentor without one last), then the most students."""
    share = ExpressionWrapper(
        F("current_students") * 1.0 / NullIf(F("mentor_profile__capacity"), 0),
        output_field=FloatField(),
    )
    return mentors_with_load(mentors).order_by(
        OrderBy(share, descending=True, nulls_last=True), "-current_students", "pk"
    )


def mentor_load_counts(mentors: QuerySet[User]) -> dict[str, int]:
    """How many mentors there are, and how many of those with a capacity are at or over
    it, in one query."""
    loads = mentors_with_load(mentors).order_by()
    has_capacity = Q(mentor_profile__capacity__gt=0)
    return loads.aggregate(
        mentors=Count("pk"),
        full=Count(
            "pk",
            filter=has_capacity & Q(current_students__gte=F("mentor_profile__capacity")),
        ),
        over=Count(
            "pk", filter=has_capacity & Q(current_students__gt=F("mentor_profile__capacity"))
        ),
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


# --- A student's status over time -----------------------------------------------------


def student_status_on(*, day: date) -> Coalesce:
    """The status a student had on ``day`` (their local calendar day), as an expression
    to annotate or filter a queryset of users with: the latest change taking effect on
    or before the day, the one recorded later when two take effect the same day; active
    before their first change. A subquery per user, answered from
    ``statuschange_student_day_idx``: one query for any number of students."""
    latest = (
        StudentStatusChange.objects.filter(student_id=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    return Coalesce(Subquery(latest), Value(StudentStatus.ACTIVE), output_field=CharField())


def student_statuses_on(*, day: date, student_ids=None) -> dict[int, str]:
    """Each student's status on ``day`` (``student_status_on``), by user id: these
    students (a list or a values queryset), or every student. One query."""
    students = User.objects.filter(role=Role.STUDENT, student_profile__isnull=False)
    if student_ids is not None:
        students = students.filter(pk__in=student_ids)
    return dict(
        students.annotate(status_then=student_status_on(day=day))
        .order_by()
        .values_list("pk", "status_then")
    )


def student_status_since() -> Subquery:
    """The day a student's current status took effect, as an expression to annotate a
    queryset of users with: the first of the changes since the last one to another
    status, so a withdrawal recorded again with an earlier date counts from that date.
    Empty for a student whose status never changed (active since they joined)."""
    later_to_another_status = StudentStatusChange.objects.filter(
        Q(effective_on__gt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), pk__gt=OuterRef("pk")),
        student_id=OuterRef("student_id"),
    ).exclude(status=OuterRef("status"))
    current_run = (
        StudentStatusChange.objects.filter(student_id=OuterRef("pk"))
        .exclude(Exists(later_to_another_status))
        .order_by("effective_on", "id")
        .values("effective_on")[:1]
    )
    return Subquery(current_run)


def student_status_history(*, student: User) -> QuerySet[StudentStatusChange]:
    """Every change of a student's status, newest first, with who recorded it."""
    return StudentStatusChange.objects.filter(student_id=student.pk).select_related("recorded_by")


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


def assigns_mentors(user: User) -> bool:
    """Whether this person gives students their mentors at all (staff, supervisors).
    Every student they see is one whose mentor they may set (``students_assignable_by``),
    so a list of those students offers it on each row."""
    return user.is_authenticated and user.is_active and user.role in (Role.STAFF, Role.SUPERVISOR)


def students_to_assign(user: User, *, search: str = "") -> QuerySet[User]:
    """The "Assign a mentor" page: the students whose mentor this person may set
    (``students_assignable_by``), narrowed by a search of name or e-mail
    (``people_matching``), those waiting for a mentor first (``unassigned_students``,
    longest waiting first), then everyone else by name. Each carries ``waiting`` and
    ``mentor_name`` (their current mentor, empty without one). One query."""
    current = current_mentor_assignments().filter(student=OuterRef("pk"))
    waiting = Exists(unassigned_students().filter(pk=OuterRef("pk")))
    students = people_matching(students_assignable_by(user), search)
    return (
        students.select_related("student_profile")
        .annotate(
            waiting=waiting,
            mentor_name=Subquery(
                current.annotate(
                    name=Coalesce(
                        NullIf("mentor__display_name", Value("")),
                        "mentor__email",
                        output_field=CharField(),
                    )
                ).values("name")[:1]
            ),
        )
        .order_by(
            F("waiting").desc(),
            Case(When(waiting=True, then=F("date_joined"))).asc(nulls_last=True),
            "display_name",
            "email",
            "pk",
        )
    )


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
