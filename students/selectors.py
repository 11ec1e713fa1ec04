"""Reads about students: the mentor's list, one student's file and its timeline.

Who may see a student is ``mentorship.selectors.students_visible_to``; private mentor
notes follow the same rule minus the student themself (``mentor_notes_visible_to``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from mentorship.models import Assignment, Role, User
from mentorship.selectors import students_visible_to
from projects.models import Enrolment, EnrolmentStatus, Review, Submission, SubmissionStatus
from projects.selectors import ProgrammeProgress

from .models import MentorNote


def student_for_user(user: User, pk: int) -> User:
    """One student this person may see (see ``students_visible_to``), with their
    profile; 404 otherwise."""
    student = students_visible_to(user).select_related("student_profile").filter(pk=pk).first()
    if student is None:
        raise Http404
    return student


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

    choices = [
        (NAME, _("Name")),
        (ACTIVITY, _("Last activity")),
        (WAITING, _("Waiting submissions")),
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
    ``waiting`` (submissions waiting for review) and ``mentor_name`` (their current
    mentor, for supervisors and staff). Filtered by status and by the
    programme of an active enrolment; sorted by name, last activity (latest first) or
    waiting submissions (most first)."""
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
    NOTE = "note"

    choices = [
        (SUBMISSION, _("Submissions")),
        (REVIEW, _("Reviews")),
        (NOTE, _("Private notes")),
    ]


@dataclass
class TimelineItem:
    kind: str
    at: datetime
    object: Submission | Review | MentorNote


def student_timeline(*, student: User, with_notes: bool, kind: str = "") -> QuerySet:
    """Everything that happened to a student, newest first, as rows of (kind, pk, at):
    one UNION query, so the page can count and slice it before loading the objects
    (``timeline_items``). Private notes only when ``with_notes`` (never for the
    student themself)."""
    label = CharField()
    parts = []
    if kind in ("", TimelineKind.SUBMISSION):
        parts.append(
            Submission.objects.filter(student=student)
            .order_by()
            .annotate(kind=Value(TimelineKind.SUBMISSION, output_field=label))
            .annotate(at=F("submitted_at"))
            .values_list("kind", "pk", "at")
        )
    if kind in ("", TimelineKind.REVIEW):
        parts.append(
            Review.objects.filter(submission__student=student)
            .order_by()
            .annotate(kind=Value(TimelineKind.REVIEW, output_field=label))
            .annotate(at=F("created_at"))
            .values_list("kind", "pk", "at")
        )
    if with_notes and kind in ("", TimelineKind.NOTE):
        parts.append(
            MentorNote.objects.filter(student=student)
            .order_by()
            .annotate(kind=Value(TimelineKind.NOTE, output_field=label))
            .annotate(at=F("created_at"))
            .values_list("kind", "pk", "at")
        )
    if not parts:
        return Submission.objects.none().values_list("pk")
    first, *others = parts
    timeline = first.union(*others, all=True) if others else first
    return timeline.order_by("-at", "-pk")


def timeline_items(rows) -> list[TimelineItem]:
    """The objects behind a page of ``student_timeline`` rows, in the rows' order: one
    query per kind present."""
    rows = list(rows)
    wanted: dict[str, list[int]] = {}
    for kind, pk, _at in rows:
        wanted.setdefault(kind, []).append(pk)
    loaded: dict[tuple[str, int], object] = {}
    if wanted.get(TimelineKind.SUBMISSION):
        for submission in Submission.objects.filter(
            pk__in=wanted[TimelineKind.SUBMISSION]
        ).select_related("project", "project__programme"):
            loaded[(TimelineKind.SUBMISSION, submission.pk)] = submission
    if wanted.get(TimelineKind.REVIEW):
        for review in Review.objects.filter(pk__in=wanted[TimelineKind.REVIEW]).select_related(
            "reviewer", "submission", "submission__project"
        ):
            loaded[(TimelineKind.REVIEW, review.pk)] = review
    if wanted.get(TimelineKind.NOTE):
        for note in MentorNote.objects.filter(pk__in=wanted[TimelineKind.NOTE]).select_related(
            "author"
        ):
            loaded[(TimelineKind.NOTE, note.pk)] = note
    return [
        TimelineItem(kind, at, loaded[(kind, pk)]) for kind, pk, at in rows if (kind, pk) in loaded
    ]
