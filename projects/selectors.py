"""Reads of the review loop, and who may see which submission.

``submissions_visible_to`` is the object-level rule for submissions, their files and
reviews, used by pages, the API and file downloads alike: whoever may see a student
(``mentorship.selectors.students_visible_to``) sees their submissions; besides, a
mentor sees those they hold and a supervisor those their team's mentors hold.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from mentorship.models import Role, StudentStatus, User
from mentorship.selectors import mentors_visible_to, students_visible_to

from .models import (
    Cohort,
    CriterionVerdict,
    Enrolment,
    EnrolmentStatus,
    PlanPace,
    Programme,
    Project,
    ReviewDraft,
    ReviewNote,
    Submission,
    SubmissionStatus,
    deadline_missed_on,
    deadline_pace,
    plan_pace,
)

# What counts as handing a project in for a cohort's deadline (``deadline_pace``).
HANDED_IN = (SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED)


def submissions_visible_to(user: User, *, ids_read_now: bool = False) -> QuerySet[Submission]:
    """A student their own; a mentor those of their current students and any they
    hold; a supervisor those of their team's current students and any their team's
    mentors hold; staff all. Whose student is whose is ``students_visible_to``'s to
    say, asked as a subquery, so a list stays one query with no duplicate rows.

    With ``ids_read_now`` those students' and mentors' ids are read first (a query
    each) and the submissions filtered on the ids themselves: PostgreSQL answers
    ``student_id IN (...) OR claimed_by_id IN (...)`` from indexes, where the subquery
    form makes it read every submission the rest of the query allows (the whole
    waiting queue, say). For lists over many submissions, read once per request; the
    ids are those of the moment they were read."""
    submissions = Submission.objects.all()
    if not user.is_authenticated or not user.is_active:
        return submissions.none()
    if user.role == Role.STAFF:
        return submissions

    def ids(people: QuerySet[User]):
        people = people.order_by().values_list("pk", flat=True)
        return list(people) if ids_read_now else people

    of_their_students = Q(student__in=ids(students_visible_to(user)))
    if user.role in (Role.MENTOR, Role.SUPERVISOR):
        # A review handed to a mentor outside the student's team stays theirs (and
        # their supervisor's) to see until it is done.
        held = Q(claimed_by__in=ids(mentors_visible_to(user)))
        return submissions.filter(of_their_students | held)
    return submissions.filter(of_their_students)


def submission_for_user(user: User, pk: int) -> Submission:
    """One submission this person may see, with what its pages show; 404 otherwise."""
    submission = (
        submissions_visible_to(user)
        .select_related("student", "project", "project__programme", "claimed_by")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


# Who reviews: mentors, supervisors and staff, each the submissions they may see.
REVIEWER_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def may_review_submission(user: User, *, submission: Submission) -> bool:
    """Whether this person may claim a submission, give it back, draft its review and
    post the verdict: a mentor, supervisor or staff member who may see it. (Whoever
    holds it meanwhile is the review's state, not a right: see ``review_submit``.)"""
    return (
        user.is_authenticated
        and user.role in REVIEWER_ROLES
        and submissions_visible_to(user).filter(pk=submission.pk).exists()
    )


def may_reassign_submission(user: User, *, submission: Submission) -> bool:
    """Whether this person may hand a submission's review to another mentor: a
    supervisor or staff member who may see it."""
    return (
        user.is_authenticated
        and user.role in (Role.SUPERVISOR, Role.STAFF)
        and submissions_visible_to(user).filter(pk=submission.pk).exists()
    )


def may_reassign_now(user: User, *, submission: Submission) -> bool:
    """Whether the review page offers this person to hand the submission's review to
    another mentor: a supervisor or staff, while it waits for review. The submission
    was read through ``submission_for_user`` (it is visible); the service checks again
    (``may_reassign_submission``) when the form is posted."""
    return (
        user.role in (Role.SUPERVISOR, Role.STAFF)
        and submission.status == SubmissionStatus.SUBMITTED
    )


def reassign_mentor_choices(user: User) -> QuerySet[User]:
    """The mentors this person may hand a review to (``services.submission_reassign``
    refuses the others): the active mentors they may see, so a supervisor's team and,
    for staff, every mentor of the school; by name."""
    return mentors_visible_to(user).filter(is_active=True).order_by("display_name", "email")


def projects_visible_to(user: User) -> QuerySet[Project]:
    """Projects are curriculum: everyone signed in may read them. A student sees only
    projects of programmes they are enrolled in."""
    projects = Project.objects.select_related("programme")
    if user.role == Role.STUDENT:
        projects = projects.filter(programme__enrolments__student=user)
    return projects


def project_for_user(user: User, pk: int) -> Project:
    """One project this person may read (see ``projects_visible_to``); 404 otherwise."""
    project = projects_visible_to(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def programmes_for_user(user: User) -> QuerySet[Programme]:
    programmes = Programme.objects.annotate(project_count=Count("projects"))
    if user.role == Role.STUDENT:
        return programmes.filter(enrolments__student=user)
    return programmes


def review_queue(
    user: User,
    *,
    programme_id: int | None = None,
    project_id: int | None = None,
    visible: QuerySet[Submission] | None = None,
) -> QuerySet[Submission]:
    """Waiting submissions this person may review, oldest first, with what a queue row
    shows (student, project, who holds it, how many projects the student has approved)
    loaded in the same query. A page asking several things of the same queue (filter
    choices, count, page) passes ``visible``, ``submissions_visible_to(user,
    ids_read_now=True)`` read once; without it, it is read here."""
    if user.role == Role.STUDENT:
        return Submission.objects.none()
    if visible is None:
        visible = submissions_visible_to(user, ids_read_now=True)
    approved = (
        Submission.objects.filter(student=OuterRef("student"), status=SubmissionStatus.APPROVED)
        .order_by()
        .values("student")
        .annotate(count=Count("pk"))
        .values("count")
    )
    queue = (
        visible.waiting()
        .select_related("student", "project", "project__programme", "claimed_by")
        .annotate(
            approved_count=Coalesce(Subquery(approved), 0),
            has_draft=Exists(ReviewDraft.objects.filter(submission=OuterRef("pk"))),
        )
        .order_by("submitted_at", "pk")
    )
    if programme_id:
        queue = queue.filter(project__programme_id=programme_id)
    if project_id:
        queue = queue.filter(project_id=project_id)
    return queue


def review_queue_projects(
    user: User, *, visible: QuerySet[Submission] | None = None
) -> QuerySet[Project]:
    """The projects with something waiting in this person's queue (``review_queue``),
    with their programme, by programme and position: what the queue may be filtered
    by. Asked project by project, so staff's answer reads a project's oldest waiting
    submission, not the whole queue."""
    queue = review_queue(user, visible=visible).order_by()
    return (
        Project.objects.select_related("programme")
        .only("position", "title", "programme__title")
        .filter(Exists(queue.filter(project=OuterRef("pk"))))
        .order_by("programme__title", "position")
    )


def project_history(*, student: User, project: Project) -> QuerySet[Submission]:
    """Every attempt of a student at a project, newest first, with files, review,
    criterion verdicts and difficulty rating prefetched (a constant number of queries)."""
    return (
        Submission.objects.filter(student=student, project=project)
        .select_related("review", "review__reviewer", "difficulty_rating")
        .prefetch_related(
            "files",
            Prefetch(
                "review__verdicts",
                queryset=CriterionVerdict.objects.select_related("criterion"),
            ),
        )
        .order_by("-attempt")
    )


def review_notes_visible_to(user: User) -> QuerySet[ReviewNote]:
    """The shared review notes a person may read and use. They are the reviewers' own,
    so a student has none; staff have every note; a mentor or supervisor the notes of
    the projects whose submissions they may see (``submissions_visible_to``), since a
    note is read and inserted into feedback on such a submission's review page, and
    the notes they wrote themselves."""
    notes = ReviewNote.objects.all()
    if not user.is_authenticated or user.role not in REVIEWER_ROLES:
        return notes.none()
    if user.role == Role.STAFF:
        return notes
    reviewed = submissions_visible_to(user).order_by().values("project_id")
    return notes.filter(Q(project__in=reviewed) | Q(author=user))


def review_note_for_user(user: User, pk: int) -> ReviewNote:
    """One note this person may use (``review_notes_visible_to``); 404 otherwise."""
    note = review_notes_visible_to(user).filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


def review_notes_for(project: Project, *, user: User) -> QuerySet[ReviewNote]:
    """The notes of a project this person may use, for the review page."""
    return review_notes_visible_to(user).filter(project=project).select_related("author")


@dataclass
class ProjectProgress:
    project: Project
    due_on: date | None
    status: str  # approved, submitted, changes_requested, available, locked
    attempts: int = 0
    # A cohort's project not handed in by its deadline, no longer late but missed
    # (``deadline_pace``).
    missed: bool = False

    @property
    def overdue(self) -> bool:
        """Past its due date and not approved yet (a missed one is shown as missed)."""
        return (
            not self.missed
            and self.status != SubmissionStatus.APPROVED
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Standing:
    """Where a student stands against the plan of one enrolment. Only an active
    student in an active enrolment is judged against the plan: a paused student's plan
    waits for them, and a finished or stopped enrolment has nothing left to be late on."""

    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    PAUSED = "paused"  # the student paused their studies
    FINISHED = (
        "finished"  # every project approved, the enrolment completed or the student graduated
    )
    STOPPED = "stopped"  # the enrolment was withdrawn or the student dropped out

    JUDGED = (AHEAD, ON_TRACK, BEHIND)


@dataclass
class ProgrammeProgress:
    enrolment: Enrolment
    projects: list[ProjectProgress] = field(default_factory=list)
    student_status: str = StudentStatus.ACTIVE

    @property
    def approved_count(self) -> int:
        return sum(1 for item in self.projects if item.status == SubmissionStatus.APPROVED)

    @property
    def next_project(self) -> ProjectProgress | None:
        """The project the student works on next: the first in the programme's order
        not approved; in a cohort, the one due soonest of those not handed in and not
        missed."""
        if self.enrolment.cohort_id is not None:
            open_ = [
                item
                for item in self.projects
                if item.status not in HANDED_IN and not item.missed and item.due_on
            ]
            if open_:
                return min(open_, key=lambda item: (item.due_on, item.project.position))
        return next(
            (item for item in self.projects if item.status != SubmissionStatus.APPROVED), None
        )

    @cached_property
    def plan(self) -> PlanPace:
        """Where the student stands against the plan today, by the one rule
        (``projects.models.plan_pace``; a cohort's deadlines: ``deadline_pace``),
        whether or not they are judged by it."""
        today = timezone.localdate()
        if self.enrolment.cohort_id is not None:
            return deadline_pace(
                due_dates=[item.due_on for item in self.projects],
                handed_in=[item.status in HANDED_IN for item in self.projects],
                today=today,
                ends_on=self.enrolment.cohort.ends_on,
            )
        return plan_pace(
            due_dates=[item.due_on for item in self.projects if item.due_on is not None],
            approved=self.approved_count,
            today=today,
        )

    @property
    def pace(self) -> int:
        """How far the student is from their plan, in projects: those approved minus
        those due before today (``plan_pace``). Above zero they are ahead, below zero
        behind. Whether that counts at all is ``standing``'s call."""
        return self.plan.projects

    @property
    def standing(self) -> str:
        """The one answer to "is this student ahead, on track or behind?" (see
        ``Standing``), by the pace of ``plan_pace``: a student who skipped ahead is
        judged by how many projects they have approved, not by which."""
        if (
            self.enrolment.status == EnrolmentStatus.COMPLETED
            or self.student_status == StudentStatus.GRADUATED
            or (self.projects and self.next_project is None)
        ):
            return Standing.FINISHED
        if (
            self.enrolment.status == EnrolmentStatus.WITHDRAWN
            or self.student_status == StudentStatus.DROPPED
        ):
            return Standing.STOPPED
        if self.student_status == StudentStatus.PAUSED:
            return Standing.PAUSED
        pace = self.pace
        if pace > 0:
            return Standing.AHEAD
        if pace < 0:
            return Standing.BEHIND
        return Standing.ON_TRACK

    @property
    def is_behind(self) -> bool:
        return self.standing == Standing.BEHIND

    @property
    def projects_ahead(self) -> int:
        return self.pace if self.standing == Standing.AHEAD else 0

    @property
    def projects_behind(self) -> int:
        return -self.pace if self.standing == Standing.BEHIND else 0

    @property
    def days_behind(self) -> int:
        """For a student behind plan: days since the plan's due date for one more
        project than they have approved (``plan_pace``), the figure the "behind plan"
        flag reads too. Zero for anyone not behind."""
        return self.plan.days_behind if self.standing == Standing.BEHIND else 0

    @property
    def days_ahead(self) -> int:
        """For a student ahead of plan: days from today to the plan's due date for
        as many projects as they have approved (``plan_pace``). Zero for anyone not
        ahead."""
        return self.plan.days_ahead if self.standing == Standing.AHEAD else 0


def projects_handed_in(*, student_ids, before: datetime) -> dict[int, frozenset[int]]:
    """The projects each of these students had handed in before a moment: approved,
    or waiting for review then (what a cohort's deadline asks, ``deadline_pace``; the
    same as ``HANDED_IN`` for the present). One query, none without students."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    handed: dict[int, set[int]] = {}
    for student_id, project_id in (
        Submission.objects.filter(student_id__in=student_ids, submitted_at__lt=before)
        .filter(
            Q(status=SubmissionStatus.APPROVED)
            | Q(reviewed_at__isnull=True)
            | Q(reviewed_at__gte=before)
        )
        .values_list("student_id", "project_id")
        .distinct()
    ):
        handed.setdefault(student_id, set()).add(project_id)
    return {student_id: frozenset(projects) for student_id, projects in handed.items()}


@dataclass(frozen=True)
class CohortCalendar:
    """A cohort's dates, as plans read them: its end and each project's deadline."""

    ends_on: date
    deadlines: dict[int, date]

    def due_dates(self, project_ids) -> tuple[date | None, ...]:
        """The deadlines of these projects, in their order (``plan_due_dates``)."""
        return tuple(self.deadlines.get(project_id) for project_id in project_ids)


def cohort_calendars(*, cohort_ids) -> dict[int, CohortCalendar]:
    """``CohortCalendar`` of each of these cohorts. One query, none without cohorts."""
    cohort_ids = set(cohort_ids) - {None}
    if not cohort_ids:
        return {}
    ends_on: dict[int, date] = {}
    deadlines: dict[int, dict[int, date]] = {}
    for cohort_id, cohort_end, project_id, due_on in Cohort.objects.filter(
        pk__in=cohort_ids
    ).values_list("pk", "ends_on", "deadlines__project_id", "deadlines__due_on"):
        ends_on[cohort_id] = cohort_end
        into = deadlines.setdefault(cohort_id, {})
        if project_id is not None:
            into[project_id] = due_on
    return {
        cohort_id: CohortCalendar(ends_on[cohort_id], deadlines[cohort_id])
        for cohort_id in ends_on
    }


def student_progress(*, student: User) -> list[ProgrammeProgress]:
    """For each of a student's enrolments, every project with its due date and where
    the student stands on it. Three queries, whatever the number of projects."""
    return students_progress(student_ids=[student.pk]).get(student.pk, [])


def students_progress(*, student_ids) -> dict[int, list[ProgrammeProgress]]:
    """``student_progress`` for many students at once (a list page): each student's
    id to their enrolments' progress, in the same three queries whatever the number
    of students, enrolments and projects (a fourth for cohorts' deadlines).
    ``student_ids`` may be a list or a values queryset."""
    enrolments = list(
        Enrolment.objects.filter(student_id__in=student_ids)
        .select_related("programme", "cohort")
        .annotate(student_status=F("student__student_profile__status"))
        .order_by("student_id", "status", "-started_on")
    )
    # Each programme's projects read once and shared by its enrolments (a page of
    # forty students on two programmes makes twenty projects, not four hundred).
    programme_projects: dict[int, list[Project]] = {}
    for project in (
        Project.objects.filter(
            programme_id__in={enrolment.programme_id for enrolment in enrolments}
        )
        .select_related("programme")
        .order_by("programme_id", "position")
    ):
        programme_projects.setdefault(project.programme_id, []).append(project)
    latest: dict[tuple[int, int], tuple[str, int]] = {}
    for student_id, project_id, status, attempt in (
        Submission.objects.filter(student_id__in=student_ids)
        .order_by("student_id", "project_id", "attempt")
        .values_list("student_id", "project_id", "status", "attempt")
    ):
        latest[(student_id, project_id)] = (status, attempt)
    calendars = cohort_calendars(cohort_ids={enrolment.cohort_id for enrolment in enrolments})
    today = timezone.localdate()
    progress: dict[int, list[ProgrammeProgress]] = {}
    for enrolment in enrolments:
        projects = programme_projects.get(enrolment.programme_id, [])
        plan = {
            item.project.pk: item.due_on
            for item in enrolment.plan(projects, calendars.get(enrolment.cohort_id))
        }
        items, previous_approved = [], True
        for project in projects:
            status, attempts = latest.get((enrolment.student_id, project.pk), (None, 0))
            if status is None:
                unlocked = previous_approved or not enrolment.in_order
                status = (
                    "available"
                    if unlocked and enrolment.status == EnrolmentStatus.ACTIVE
                    else "locked"
                )
            items.append(ProjectProgress(project, plan.get(project.pk), status, attempts))
            previous_approved = status == SubmissionStatus.APPROVED
        if enrolment.cohort_id is not None:
            due_dates = [item.due_on for item in items]
            for item in items:
                item.missed = (
                    item.status not in HANDED_IN
                    and deadline_missed_on(item.due_on, due_dates, enrolment.cohort.ends_on)
                    < today
                )
        progress.setdefault(enrolment.student_id, []).append(
            ProgrammeProgress(enrolment, items, enrolment.student_status or StudentStatus.ACTIVE)
        )
    return progress
