"""Programmes (learning paths), their ordered projects and rubrics; cohorts (runs of a
programme with fixed due dates); enrolments and the plan they imply; submissions,
reviews and what the review loop keeps."""

import bisect
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Deliverable(models.TextChoices):
    FILES = "files", _("Files")
    LINK = "link", _("A link")
    FILES_AND_LINK = "both", _("Files and a link")
    FILES_OR_LINK = "either", _("Files or a link")


DEFAULT_FILE_TYPES = "pdf,zip,png,jpg,jpeg,gif,txt,md,py,html,css,js,json,ipynb,sql,csv"


class Project(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="projects",
        verbose_name=_("programme"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief"), blank=True, help_text=_("Markdown."))
    effort_hours = models.PositiveSmallIntegerField(_("expected effort (hours)"), default=10)
    target_days = models.PositiveSmallIntegerField(_("target duration (days)"), default=14)
    deliverable = models.CharField(
        _("deliverables"),
        max_length=8,
        choices=Deliverable.choices,
        default=Deliverable.FILES_OR_LINK,
    )
    allowed_file_types = models.CharField(
        _("allowed file types"),
        max_length=255,
        default=DEFAULT_FILE_TYPES,
        help_text=_("File extensions separated by commas, e.g. pdf,zip,py."),
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="project_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.position}. {self.title}"

    @property
    def allowed_extensions(self) -> set[str]:
        return {
            extension.strip().lower().lstrip(".")
            for extension in self.allowed_file_types.split(",")
            if extension.strip()
        }

    @property
    def accepts_files(self) -> bool:
        return self.deliverable != Deliverable.LINK

    @property
    def accepts_link(self) -> bool:
        return self.deliverable != Deliverable.FILES

    @property
    def max_file_size(self) -> int:
        return self.max_file_size_mb * 1024 * 1024


class RubricCriterion(models.Model):
    """One thing a reviewer checks; every review gives each criterion met / not met."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("project")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    met_means = models.TextField(_('what "met" means'), blank=True)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="criterion_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Cohort(models.Model):
    """A run of a programme: students who start together and share its due dates
    (``CohortDeadline``), e.g. the October intake with an exam before the end. A
    programme may run as cohorts, on each student's own pace (an enrolment without a
    cohort), or both."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    in_order = models.BooleanField(
        _("projects in order"),
        default=False,
        help_text=_(
            "Each project must be approved before the next can be submitted. Off: the "
            "students work on whatever is due, several projects at once if their dates say so."
        ),
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["programme", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.title}"


class CohortDeadline(models.Model):
    """When a project is due for every student of a cohort. Several projects may be due
    the same day; a project without a deadline is due at its share of the cohort's span
    (``plan_due_dates``)."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("cohort")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("project")
    )
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["cohort", "due_on", "project__position"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "project"], name="deadline_once_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.project.title}: {self.due_on}"

    def clean(self) -> None:
        if (
            self.cohort_id
            and self.project_id
            and self.project.programme_id != (self.cohort.programme_id)
        ):
            raise ValidationError({"project": _("This project is not in the cohort's programme.")})


@dataclass(frozen=True)
class PlanItem:
    project: Project
    due_on: date


class Enrolment(models.Model):
    """A student following a programme from a start date to a target end date, on
    their own pace or in a cohort. The plan (when each project is due) follows from
    those dates and the projects' targets, or from the cohort's deadlines. A student
    may enrol in a programme again (a retake, or a later cohort) once the earlier
    enrolment is over; the projects already approved stay approved."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("student"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("programme")
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        help_text=_("Empty: the student follows the programme at their own pace."),
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    target_end_on = models.DateField(_("target end date"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ACTIVE,
    )
    allow_skipping = models.BooleanField(
        _("may skip ahead"),
        default=False,
        help_text=_("Let the student submit a project before the previous one is approved."),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        help_text=_(
            "The student's last day in the programme: completed, or withdrawn (a "
            "withdrawal learnt of late keeps its real day). Today if left empty when the "
            "enrolment ends."
        ),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "programme"],
                condition=Q(status=EnrolmentStatus.ACTIVE),
                name="enrolment_one_active_per_programme",
                violation_error_message=_("The student is already enrolled in this programme."),
            ),
            models.UniqueConstraint(
                fields=["student", "cohort"],
                name="enrolment_once_per_cohort",
                violation_error_message=_("The student is already in this cohort."),
            ),
            models.CheckConstraint(
                condition=Q(target_end_on__gte=models.F("started_on")),
                name="enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (Q(ended_on__gte=models.F("started_on")) & ~Q(status=EnrolmentStatus.ACTIVE)),
                name="enrolment_ended_after_start_and_over",
                violation_error_message=_(
                    "An enrolment ends on or after its start, once it is completed or withdrawn."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["student", "programme"], name="enrolment_student_prog_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.programme}"

    def clean(self) -> None:
        if self.cohort_id and self.programme_id and self.cohort.programme_id != self.programme_id:
            raise ValidationError({"cohort": _("This cohort is a run of another programme.")})
        # An enrolment that ended has the day it ended: today unless told otherwise.
        if self.status == EnrolmentStatus.ACTIVE:
            self.ended_on = None
        elif self.ended_on is None:
            self.ended_on = timezone.localdate()

    @property
    def in_order(self) -> bool:
        """Whether each project must be approved before the next can be submitted: on
        the student's own pace unless they may skip ahead; in a cohort, as it says."""
        if self.cohort_id is not None:
            return self.cohort.in_order
        return not self.allow_skipping

    def plan(self, projects: list[Project], calendar=None) -> list[PlanItem]:
        """Due date of each project (``plan_due_dates``). ``projects`` are the
        programme's, in position order, and ``calendar`` the cohort's deadlines
        (``projects.selectors.cohort_calendars``; passed in so a list page plans many
        enrolments in a few queries)."""
        due_dates = plan_due_dates(
            self.started_on,
            self.target_end_on,
            tuple(project.target_days for project in projects),
            calendar.due_dates(project.pk for project in projects) if calendar else (),
        )
        return [
            PlanItem(project, due_on) for project, due_on in zip(projects, due_dates, strict=True)
        ]


@functools.lru_cache(maxsize=4096)
def plan_due_dates(
    started_on: date,
    target_end_on: date,
    target_days: tuple[int, ...],
    deadlines: tuple[date | None, ...] = (),
) -> tuple:
    """The due date of each of a programme's projects (their target durations, in
    order) for an enrolment over these dates: the cohort's deadline where it sets one
    (``deadlines``, by project in the same order), otherwise the enrolment's span
    shared out in proportion to the target durations. Cached: the nightly flagging
    run plans a hundred thousand enrolments that start on a few hundred different days."""
    total_days = sum(target_days) or 1
    span = max((target_end_on - started_on).days, 0)
    due_dates, elapsed = [], 0
    for position, days in enumerate(target_days):
        elapsed += days
        fixed = deadlines[position] if position < len(deadlines) else None
        due_dates.append(fixed or started_on + timedelta(days=round(span * elapsed / total_days)))
    return tuple(due_dates)


@dataclass(frozen=True)
class PlanPace:
    """Where a student stands against their plan (``plan_pace``, ``deadline_pace``)."""

    # Projects done minus projects due: above zero ahead, below zero behind.
    projects: int
    days_behind: int = 0
    days_ahead: int = 0
    # Projects of a cohort not handed in by their deadline and no longer late but
    # missed (``deadline_missed_on``).
    missed: int = 0


def plan_pace(*, due_dates: Sequence[date], approved: int, today: date) -> PlanPace:
    """Where a student on their own pace stands against their plan on ``today``: the
    one rule behind the student list, the student's file, the students API, the weekly
    report and the "behind plan" at-risk signal (a cohort's students:
    ``deadline_pace``). ``due_dates`` are the plan's (``plan_due_dates``), in
    the programme's order; ``approved`` is how many of its projects are approved.

    The plan sets a pace, not an order: by the first due date one project should be
    approved, by the second two, and so on. What counts is how many projects are
    approved, not which ones: a student allowed to skip ahead who has the second and
    third projects approved but not the first has done two projects' work, and is as
    far along as a student who did the first two. A project is due from the day after
    its due date (an enrolment that starts today is on track whatever its plan).

    - Projects behind (or ahead): projects due minus projects approved.
    - Days behind: since the plan's due date for one more project than the student has
      approved (the student with two approved is late from the day the third was due).
    - Days ahead: until the plan's due date for as many projects as the student has
      approved (the day the plan would have them where they are).

    The current project, the one a student works on next and a page shows, is the
    first in the programme's order not approved yet. For a student who skipped ahead
    it is the one they left behind, and an overdue one shows as overdue; the plan's
    pace is still judged by the count. (Whether the student is judged against the plan
    at all, e.g. not while paused, is the caller's call: ``Standing``.)"""
    due = bisect.bisect_left(due_dates, today)  # due dates before today; never go back
    if approved < due:
        return PlanPace(approved - due, days_behind=(today - due_dates[approved]).days)
    if approved > due:
        return PlanPace(approved - due, days_ahead=(due_dates[approved - 1] - today).days)
    return PlanPace(0)


def deadline_missed_on(due_on: date, due_dates: Sequence[date], ends_on: date) -> date:
    """The last day a cohort's project not handed in by its deadline counts as late
    rather than missed: the cohort's next due date after it (by then the cohort has
    moved on), or for the last one the cohort's end."""
    later = [day for day in due_dates if day > due_on]
    return min(later) if later else max(ends_on, due_on)


def deadline_pace(
    *, due_dates: Sequence[date], handed_in: Sequence[bool], today: date, ends_on: date
) -> PlanPace:
    """Where a cohort's student stands against the cohort's deadlines on ``today``,
    the counterpart of ``plan_pace`` (read by the same pages and signal). Each project
    is due on its own date, several may be due at once, and what counts is handing it
    in (approved, or waiting for review): a project sent back for changes is the
    review's business, not the deadline's.

    - A project is due from the day after its deadline. Not handed in, it is late
      until the cohort's next deadline has passed (``deadline_missed_on``), then
      missed: a skipped assessment is not a permanent "behind", and the student is
      judged by the work in front of them.
    - Projects behind: those late; days behind: since the oldest late one was due.
    - Projects ahead: those handed in before they are due; days ahead: until the
      latest of them is due."""
    late, ahead, missed = [], [], 0
    for due_on, done in zip(due_dates, handed_in, strict=True):
        if due_on >= today:
            if done:
                ahead.append(due_on)
        elif done:
            continue
        elif deadline_missed_on(due_on, due_dates, ends_on) < today:
            missed += 1
        else:
            late.append(due_on)
    if late:
        return PlanPace(-len(late), days_behind=(today - min(late)).days, missed=missed)
    if ahead:
        return PlanPace(len(ahead), days_ahead=(max(ahead) - today).days, missed=missed)
    return PlanPace(0, missed=missed)


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


class SubmissionQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=SubmissionStatus.SUBMITTED)


class Submission(models.Model):
    """One attempt at a project. Attempts are numbered per student and project; every
    attempt and its review are kept."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("student"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("project")
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    comment = models.TextField(_("comment"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_submissions",
        verbose_name=_("held by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim expires"), null=True, blank=True)
    first_claimed_at = models.DateTimeField(_("first claimed"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "project", "attempt"], name="submission_attempt_unique"
            ),
            # A student waits for one review of a project at a time.
            models.UniqueConstraint(
                fields=["student", "project"],
                condition=Q(status="submitted"),
                name="one_waiting_submission_per_project",
            ),
        ]
        indexes = [
            # The review queue: waiting submissions, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="submitted"),
                name="submission_waiting_idx",
            ),
            # A student's history of a project.
            models.Index(fields=["student", "project", "-attempt"], name="submission_history_idx"),
            # The review queue narrowed to a project or programme (its page, count and
            # oldest), and which projects have anything waiting (the queue's filter
            # choices, asked project by project).
            models.Index(
                fields=["project", "submitted_at"],
                condition=Q(status="submitted"),
                name="submission_waiting_project_idx",
            ),
            # The API's list of submissions, newest first, a cursor page at a time
            # (``projects.api.SubmissionPagination``): staff's, and filters that keep
            # many rows.
            models.Index(fields=["-submitted_at", "-id"], name="submission_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} — {self.student} #{self.attempt}"

    def claim_is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.claimed_by_id and self.claim_expires_at and self.claim_expires_at > now)

    @property
    def time_to_review(self) -> timedelta | None:
        return self.reviewed_at - self.submitted_at if self.reviewed_at else None


def submission_upload_to(instance: "SubmissionFile", filename: str) -> str:
    """A random name under a dated folder: nothing about the student or the original
    name is guessable from the stored path."""
    suffix = PurePath(filename).suffix.lower()[:16]
    return f"submissions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name=_("submission")
    )
    file = models.FileField(_("file"), upload_to=submission_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["original_name"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePath(self.original_name).suffix.lower().lstrip(".")


class Verdict(models.TextChoices):
    """A review's outcome. Its labels name the outcome ("approved"); the review form's
    buttons have their own words, the verbs ("Approve")."""

    APPROVED = "approved", pgettext_lazy("review verdict", "Approved")
    CHANGES_REQUESTED = "changes_requested", pgettext_lazy("review verdict", "Changes requested")


class Review(models.Model):
    """The verdict on one attempt: one per submission, final once posted."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="review", verbose_name=_("submission")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    feedback = models.TextField(_("feedback"), help_text=_("Markdown."))
    created_at = models.DateTimeField(_("reviewed"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        indexes = [
            # A mentor's reviews in a time range, the newest first: the supervisor's
            # second-reading sample and review consistency read a team's this way.
            models.Index(
                fields=["reviewer", "-created_at", "-id"], name="review_reviewer_recent_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} — {self.get_verdict_display()}"


class CriterionVerdict(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    met = models.BooleanField(_("met"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("criterion verdict")
        verbose_name_plural = _("criterion verdicts")
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="one_verdict_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {'✓' if self.met else '✗'}"


class ReviewDraft(models.Model):
    """What a reviewer has typed so far, saved as they type so a closed tab loses
    nothing. ``criteria`` maps criterion id → {"met": true/false/null, "comment": ""}."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("submission")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    feedback = models.TextField(_("feedback"), blank=True)
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("review draft")
        verbose_name_plural = _("review drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer"], name="one_draft_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} — {self.reviewer}"


class ReviewNote(models.Model):
    """A snippet mentors of a project write once and insert into feedback with one
    click; ``use_count`` shows which ones earn their place."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="review_notes", verbose_name=_("project")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")
        ordering = ["-use_count", "title"]

    def __str__(self) -> str:
        return self.title


class DifficultyRating(models.Model):
    """After an approval, the student says how hard the project was (feeds programme
    analytics: the difficult points of programmes)."""

    submission = models.OneToOneField(
        Submission,
        on_delete=models.CASCADE,
        related_name="difficulty_rating",
        verbose_name=_("submission"),
    )
    rating = models.PositiveSmallIntegerField(
        _("difficulty"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("difficulty rating")
        verbose_name_plural = _("difficulty ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="difficulty_between_1_and_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.rating}/5"


# --- Recommendations (a mentor recommends a programme or course to a student) ---------


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ENROLLED = "enrolled", _("Enrolled")


class Recommendation(models.Model):
    """A programme of the school or an external course (exactly one of the two) that
    a mentor recommends to one of their students, and what came of it."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendations_made",
        verbose_name=_("mentor"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("student"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("programme"),
    )
    course_title = models.CharField(_("external course"), max_length=200, blank=True)
    course_url = models.URLField(_("course link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(programme__isnull=False, course_title="", course_url="")
                    | Q(programme__isnull=True) & ~Q(course_title="") & ~Q(course_url="")
                ),
                name="recommendation_programme_xor_course",
                violation_error_message=_(
                    "Recommend either a programme or an external course (title and link)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme) if self.programme_id else self.course_title

    @property
    def target_title(self) -> str:
        return self.programme.title if self.programme_id else self.course_title


# --- Programme changes (``projects.changes``) -----------------------------------------


class ProgrammeChangeSet(models.Model):
    """The edits of one save in the admin that touched a programme's content (the
    programme, its projects and their rubric criteria, its cohorts' dates): what the
    programme's mentors are told of once, and read in its change log."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="change_sets",
        verbose_name=_("programme"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("programme change set")
        verbose_name_plural = _("programme changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            # The programme's change log, newest first (changes.programme_change_sets).
            models.Index(fields=["programme", "-changed_at"], name="changeset_programme_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.changed_at:%Y-%m-%d %H:%M}"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Removed")


class ChangedObject(models.TextChoices):
    """What kind of thing a change is about (the models ``projects.changes`` tracks)."""

    PROGRAMME = "programme", _("Programme")
    PROJECT = "project", _("Project")
    CRITERION = "criterion", _("Rubric criterion")
    COHORT = "cohort", _("Cohort")
    DEADLINE = "deadline", _("Cohort deadline")


class ProgrammeChange(models.Model):
    """One field of one object in a change set, with its value before and after
    (None before for a thing added, after for a thing removed). ``object_label``
    names the object as it read then (it may be gone since); ``field`` is the
    model's field name, shown by its verbose name."""

    change_set = models.ForeignKey(
        ProgrammeChangeSet,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("change set"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ChangeKind.choices)
    object_type = models.CharField(_("object type"), max_length=10, choices=ChangedObject.choices)
    object_id = models.PositiveIntegerField(_("object id"))
    object_label = models.CharField(_("object"), max_length=255)
    field = models.CharField(_("field"), max_length=100)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["change_set", "pk"]

    def __str__(self) -> str:
        return f"{self.object_label}: {self.field}"


class ProgrammeChangeReceipt(models.Model):
    """A mentor of the programme was told of a change set (once, with the
    notification) and has or has not read it yet."""

    change_set = models.ForeignKey(
        ProgrammeChangeSet,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("change set"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_change_receipts",
        verbose_name=_("mentor"),
    )
    notification = models.ForeignKey(
        "mentorship.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notification"),
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme change receipt")
        verbose_name_plural = _("programme change receipts")
        constraints = [
            models.UniqueConstraint(fields=["change_set", "mentor"], name="changereceipt_once")
        ]
        indexes = [
            # A mentor's unread changes on their home page
            # (changes.programme_changes_unread_count).
            models.Index(
                fields=["mentor"],
                condition=Q(read_at__isnull=True),
                name="changereceipt_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor}: {self.change_set}"
