"""Writes of the review loop: enrolling, submitting, claiming, reviewing, notes,
difficulty ratings and reminders. Each rule of the loop lives here once;
recommendations have a module of their own (``recommendations``).

Each write on someone's behalf first asks whether they may (``selectors``:
``may_review_submission``, ``may_reassign_submission``...) and
raises ``NotAllowed`` when not, whichever page or endpoint called it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.audit import AuditAction, audit_record
from mentorship.messages import translated_param
from mentorship.models import (
    ActivityKind,
    PendingUpload,
    Role,
    StudentProfile,
    StudentStatus,
    User,
)
from mentorship.notifications import notification_send
from mentorship.selectors import current_mentor, current_mentor_assignments
from mentorship.services import student_status_set
from mentorship.text import text_language
from mentorship.uploads import (
    pending_upload_keep,
    pending_uploads_release,
    upload_clean_name,
    upload_content_type,
    upload_problem,
)

from .models import (
    Cohort,
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Project,
    Review,
    ReviewDraft,
    ReviewNote,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
)
from .recommendations import recommendations_mark_enrolled
from .selectors import (
    REVIEWER_ROLES,
    may_reassign_submission,
    may_review_submission,
    projects_visible_to,
    review_notes_visible_to,
    submissions_visible_to,
)

# --- Enrolment ------------------------------------------------------------------------


def enrolment_create(
    *,
    student: User,
    programme: Programme,
    started_on: date | None = None,
    target_end_on: date | None = None,
    allow_skipping: bool = False,
    cohort: Cohort | None = None,
) -> Enrolment:
    """Enrol a student in a programme, on their own pace or in one of its cohorts.
    Without a target end date, the plan is the sum of the projects' target durations
    from the start date; a cohort's students end with the cohort and keep its
    deadlines, however late they join (the start date is the day they joined, not
    before the cohort starts). A student may enrol again once the earlier enrolment in
    the programme is over, and once per cohort."""
    if student.role != Role.STUDENT:
        raise ValidationError({"student": _("Only students can enrol in a programme.")})
    if cohort is not None:
        # A cohort of another programme is refused by ``Enrolment.clean``.
        started_on = max(started_on or timezone.localdate(), cohort.starts_on)
        target_end_on = max(target_end_on or cohort.ends_on, started_on)
    started_on = started_on or timezone.localdate()
    if target_end_on is None:
        total = sum(programme.projects.values_list("target_days", flat=True))
        target_end_on = started_on + timedelta(days=total)
    enrolment = Enrolment(
        student=student,
        programme=programme,
        started_on=started_on,
        target_end_on=target_end_on,
        allow_skipping=allow_skipping,
        cohort=cohort,
    )
    enrolment.full_clean()
    enrolment.save()
    recommendations_mark_enrolled(student=student, programme=programme)
    return enrolment


# --- Submitting -----------------------------------------------------------------------


def submission_upload_purpose(project: Project) -> str:
    """The name under which files kept from a refused submission wait for the next
    try at this project (``mentorship.uploads``)."""
    return f"projects.submission:{project.pk}"


def submission_file_problem(*, project: Project, upload: UploadedFile) -> str | None:
    """Why one file is refused for this project, naming it: a type the project does
    not accept, over its size limit, empty, or content that is not what its name says
    (``mentorship.uploads.upload_problem``). None when it is acceptable."""
    return upload_problem(
        upload,
        allowed_extensions=project.allowed_extensions,
        max_size_mb=project.max_file_size_mb,
    )


def submission_files_validate(*, project: Project, files: list[UploadedFile]) -> None:
    """Each file must be acceptable (``submission_file_problem``); every refusal is
    named beside the files."""
    problems = [
        problem
        for upload in files
        if (problem := submission_file_problem(project=project, upload=upload))
    ]
    if problems:
        raise ValidationError({"files": problems})


def submission_files_keep(
    *,
    student: User,
    project: Project,
    files: list[UploadedFile],
    kept: list[PendingUpload],
) -> list[PendingUpload]:
    """After a refused try at a submission: its acceptable new files are kept for the
    student's next try at this project, with the kept files it still listed (``kept``);
    the ones it no longer listed (unticked) are dropped. The student then re-picks only
    what was refused. Files with a problem are never kept."""
    purpose = submission_upload_purpose(project)
    with transaction.atomic():
        pending_uploads_release(user=student, purpose=purpose, keep=kept)
        return [
            pending_upload_keep(user=student, purpose=purpose, upload=upload)
            for upload in files
            if submission_file_problem(project=project, upload=upload) is None
        ]


def submission_check_allowed(*, student: User, project: Project) -> Enrolment:
    """Why a student may not submit this project now, as a ValidationError; or their
    enrolment if they may. Rules: enrolled and active in the programme; nothing of
    theirs waiting for review on this project; not approved already; the previous
    project approved, unless the enrolment may skip ahead or its cohort sets no order
    (``Enrolment.in_order``)."""
    enrolment = (
        Enrolment.objects.filter(
            student=student, programme_id=project.programme_id, status=EnrolmentStatus.ACTIVE
        )
        .select_related("cohort")
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("You are not enrolled in this programme."))
    statuses = set(
        Submission.objects.filter(student=student, project=project).values_list(
            "status", flat=True
        )
    )
    if SubmissionStatus.APPROVED in statuses:
        raise ValidationError(_("This project is already approved."))
    if SubmissionStatus.SUBMITTED in statuses:
        raise ValidationError(
            _("Your previous attempt is waiting for review; you can submit again after it.")
        )
    if enrolment.in_order:
        previous = (
            Project.objects.filter(
                programme_id=project.programme_id, position__lt=project.position
            )
            .order_by("-position")
            .first()
        )
        if (
            previous is not None
            and not Submission.objects.filter(
                student=student, project=previous, status=SubmissionStatus.APPROVED
            ).exists()
        ):
            raise ValidationError(
                _("Finish “%(previous)s” first: it must be approved before this one.")
                % {"previous": previous.title}
            )
    return enrolment


def submission_create(
    *,
    student: User,
    project: Project,
    comment: str = "",
    link: str = "",
    files: list[UploadedFile] | None = None,
    kept: list[PendingUpload] | None = None,
) -> Submission:
    """A student's new attempt at a project, numbered after their earlier ones. Files
    are the ones sent now and those kept from their last refused try (``kept``, theirs
    for this project); all are stored under random names, and the kept ones are dropped
    from the kept files. The mentor is notified after commit."""
    if student.role != Role.STUDENT:
        raise NotAllowed(_("Only students can submit projects."))
    kept = kept or []
    purpose = submission_upload_purpose(project)
    if any(upload.user_id != student.pk or upload.purpose != purpose for upload in kept):
        raise NotAllowed(_("Only files you chose for this project can be submitted."))
    files = files or []
    submission_check_allowed(student=student, project=project)
    if (files or kept) and not project.accepts_files:
        raise ValidationError({"files": _("This project expects a link, not files.")})
    if link and not project.accepts_link:
        raise ValidationError({"link": _("This project expects files, not a link.")})
    # What is missing is named beside its field; "files or a link" names neither.
    missing = {}
    if project.deliverable in ("files", "both") and not (files or kept):
        missing["files"] = _("Add the project's files.")
    if project.deliverable in ("link", "both") and not link.strip():
        missing["link"] = _("Add the link to your work.")
    if missing:
        raise ValidationError(missing)
    if not (files or kept) and not link.strip():
        raise ValidationError(_("Add at least one file or a link."))
    submission_files_validate(project=project, files=files)

    try:
        with transaction.atomic():
            last = Submission.objects.filter(student=student, project=project).aggregate(
                last=Max("attempt")
            )["last"]
            submission = Submission(
                student=student,
                project=project,
                attempt=(last or 0) + 1,
                comment=comment.strip(),
                link=link.strip(),
            )
            submission.full_clean(exclude=["status"], validate_constraints=False)
            submission.save()
            activity_record(
                student=student,
                kind=ActivityKind.SUBMISSION,
                occurred_at=submission.submitted_at,
                key=f"submission:{submission.pk}",
            )
            for upload in files:
                name = upload_clean_name(upload.name)
                SubmissionFile.objects.create(
                    submission=submission,
                    file=upload,
                    original_name=name,
                    size=upload.size,
                    content_type=upload_content_type(name),
                )
            for upload in kept:
                # A copy under the submissions' own folder: the kept file is swept.
                with upload.file.storage.open(upload.file.name, "rb") as stored:
                    SubmissionFile.objects.create(
                        submission=submission,
                        file=File(stored, name=upload.original_name),
                        original_name=upload.original_name,
                        size=upload.size,
                        content_type=upload.content_type,
                    )
            pending_uploads_release(user=student, purpose=purpose, keep=[])
            mentor = current_mentor(student=student)
            if mentor is not None:
                notification_send(
                    user=mentor,
                    kind="submission_new",
                    title=gettext_lazy(
                        "%(student)s submitted “%(project)s” (attempt %(attempt)d)"
                    ),
                    params={
                        "student": str(student),
                        "project": translated_param(project, "title"),
                        "attempt": submission.attempt,
                    },
                    url=reverse("projects:review", args=[submission.pk]),
                )
    except IntegrityError as error:
        # Two submissions raced: the database's one-waiting-per-project rule won.
        raise ValidationError(
            _("Your previous attempt is waiting for review; you can submit again after it.")
        ) from error
    return submission


# --- Claiming -------------------------------------------------------------------------


def claim_duration() -> timedelta:
    return timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)


def _reviewer_check(user: User, *, submission: Submission) -> None:
    """Refuse whoever may not review this submission (``may_review_submission``):
    hidden from those who may not see it, refused to the others (its student)."""
    if not may_review_submission(user, submission=submission):
        raise NotAllowed.unless_visible(
            _("Only mentors, supervisors and staff review submissions."),
            visible=submissions_visible_to(user),
            pk=submission.pk,
        )


def submission_claim(*, submission: Submission, reviewer: User) -> Submission:
    """Take a waiting submission to review it. Another reviewer's live claim is
    respected; an expired one is taken over. Claiming again extends one's own claim.
    Only a reviewer who may see the submission claims it."""
    _reviewer_check(reviewer, submission=submission)
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("This submission has already been reviewed."))
        if submission.claim_is_active(now) and submission.claimed_by_id != reviewer.pk:
            raise ValidationError(
                _("%(reviewer)s is reviewing this submission until %(time)s.")
                % {
                    "reviewer": submission.claimed_by,
                    "time": timezone.localtime(submission.claim_expires_at).strftime("%H:%M"),
                }
            )
        submission.claimed_by = reviewer
        submission.claimed_at = now
        submission.claim_expires_at = now + claim_duration()
        submission.first_claimed_at = submission.first_claimed_at or now
        submission.save(
            update_fields=["claimed_by", "claimed_at", "claim_expires_at", "first_claimed_at"]
        )
    return submission


def submission_release(*, submission: Submission, reviewer: User) -> None:
    """Give a claim back so someone else can review (the draft stays). Only one's own
    claim is given back; giving back nothing changes nothing."""
    _reviewer_check(reviewer, submission=submission)
    Submission.objects.filter(pk=submission.pk, claimed_by=reviewer).update(
        claimed_by=None, claimed_at=None, claim_expires_at=None
    )


def submission_reassign(*, submission: Submission, to_mentor: User, by: User) -> Submission:
    """A supervisor (or staff) who may see the submission hands its waiting review to
    another mentor (a supervisor, to one of their team): the new reviewer holds it
    from now on, and is told."""
    if not may_reassign_submission(by, submission=submission):
        raise NotAllowed.unless_visible(
            _("Only supervisors and staff hand a review to another mentor."),
            visible=submissions_visible_to(by),
            pk=submission.pk,
        )
    if to_mentor.role != Role.MENTOR or not to_mentor.is_active:
        raise ValidationError({"mentor": _("Choose an active mentor.")})
    if by.role == Role.SUPERVISOR and to_mentor.mentor_profile.supervisor_id != by.pk:
        raise ValidationError({"mentor": _("Choose a mentor of your team.")})
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("This submission has already been reviewed."))
        submission.claimed_by = to_mentor
        submission.claimed_at = now
        submission.claim_expires_at = now + claim_duration()
        submission.first_claimed_at = submission.first_claimed_at or now
        submission.save(
            update_fields=["claimed_by", "claimed_at", "claim_expires_at", "first_claimed_at"]
        )
        notification_send(
            user=to_mentor,
            kind="review_reassigned",
            title=gettext_lazy("%(by)s asked you to review “%(project)s” by %(student)s"),
            params={
                "by": str(by),
                "project": translated_param(submission.project, "title"),
                "student": str(submission.student),
            },
            url=reverse("projects:review", args=[submission.pk]),
        )
    return submission


# --- Reviewing ------------------------------------------------------------------------


def review_draft_save(
    *, submission: Submission, reviewer: User, feedback: str, criteria: dict
) -> ReviewDraft:
    """Keep what the reviewer has typed so far (called as they type). The submission
    row is locked, as ``review_submit`` locks it, so a save racing the verdict either
    lands before it (and is deleted with the other drafts) or sees it and is refused.
    Only a reviewer who may see the submission keeps a draft of its review."""
    _reviewer_check(reviewer, submission=submission)
    with transaction.atomic():
        status = (
            Submission.objects.select_for_update()
            .filter(pk=submission.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("This submission has already been reviewed."))
        draft, _created = ReviewDraft.objects.update_or_create(
            submission=submission,
            reviewer=reviewer,
            defaults={"feedback": feedback, "criteria": criteria},
        )
    return draft


@dataclass(frozen=True)
class CriterionInput:
    met: bool
    comment: str = ""


def review_submit(
    *,
    submission: Submission,
    reviewer: User,
    verdict: str,
    feedback: str,
    criteria: dict[int, CriterionInput],
) -> Review:
    """Post the verdict on an attempt: one verdict per rubric criterion, overall
    feedback, approve or request changes. Only by a reviewer who may see the attempt
    (``may_review_submission``), only once per attempt, and only by whoever holds the
    claim (or anyone, if nobody does). Approval needs every criterion met. Approving
    the programme's last project completes the enrolment, and graduates the student
    when it was their last active one. The student is notified after commit."""
    _reviewer_check(reviewer, submission=submission)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose approve or request changes.")})
    if not feedback.strip():
        raise ValidationError({"feedback": _("Write some overall feedback for the student.")})
    now = timezone.now()
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("project", "project__programme", "student")
            .get(pk=submission.pk)
        )
        if submission.status != SubmissionStatus.SUBMITTED or hasattr(submission, "review"):
            raise ValidationError(_("This submission has already been reviewed."))
        if submission.claim_is_active(now) and submission.claimed_by_id != reviewer.pk:
            raise ValidationError(
                _("%(reviewer)s holds this submission; ask them or your supervisor.")
                % {"reviewer": submission.claimed_by}
            )
        rubric = list(submission.project.criteria.all())
        missing = [criterion.title for criterion in rubric if criterion.pk not in criteria]
        if missing:
            raise ValidationError(
                {
                    "criteria": _("Give a verdict on: %(criteria)s.")
                    % {"criteria": ", ".join(missing)}
                }
            )
        if verdict == Verdict.APPROVED and not all(criteria[c.pk].met for c in rubric):
            raise ValidationError(
                {"verdict": _("Every criterion must be met to approve; request changes instead.")}
            )
        review = Review.objects.create(
            submission=submission, reviewer=reviewer, verdict=verdict, feedback=feedback.strip()
        )
        CriterionVerdict.objects.bulk_create(
            [
                CriterionVerdict(
                    review=review,
                    criterion=criterion,
                    met=criteria[criterion.pk].met,
                    comment=criteria[criterion.pk].comment.strip(),
                )
                for criterion in rubric
            ]
        )
        submission.status = (
            SubmissionStatus.APPROVED
            if verdict == Verdict.APPROVED
            else SubmissionStatus.CHANGES_REQUESTED
        )
        submission.reviewed_at = now
        submission.claimed_by = None
        submission.claim_expires_at = None
        submission.first_claimed_at = submission.first_claimed_at or now
        submission.save(
            update_fields=[
                "status",
                "reviewed_at",
                "claimed_by",
                "claim_expires_at",
                "first_claimed_at",
            ]
        )
        ReviewDraft.objects.filter(submission=submission).delete()
        audit_record(
            actor=reviewer,
            action=AuditAction.REVIEW_SUBMITTED,
            target=review,
            before={"status": SubmissionStatus.SUBMITTED},
            after={"status": submission.status, "verdict": verdict},
            subject_id=submission.student_id,
        )
        if verdict == Verdict.APPROVED:
            _complete_programme_if_last(submission=submission, now=now)
            title = gettext_lazy("“%(project)s” is approved")
        else:
            title = gettext_lazy("Changes requested on “%(project)s”")
        notification_send(
            user=submission.student,
            kind="review_posted",
            title=title,
            body=gettext_lazy("%(reviewer)s reviewed attempt %(attempt)d."),
            params={
                "project": translated_param(submission.project, "title"),
                "reviewer": str(reviewer),
                "attempt": submission.attempt,
            },
            url=reverse("projects:project", args=[submission.project_id]),
        )
    return review


def review_read(*, reader: User, submission: Submission) -> None:
    """Someone opened an attempt and its review. The student reading the review of
    their own attempt is activity (``activity_record``), once per review, whether
    they read it on the attempt's page, on the project's page (its newest review,
    where the notification of a review leads) or through the API; a mentor, a
    supervisor or staff reading it is not. ``submission`` comes with its review
    loaded, if any."""
    review = getattr(submission, "review", None)
    if review is None or reader.pk != submission.student_id:
        return
    activity_record(student=reader, kind=ActivityKind.REVIEW_READ, key=f"review_read:{review.pk}")


def _complete_programme_if_last(*, submission: Submission, now) -> None:
    """Once every project of the programme is approved, the student's enrolment in it
    is completed; the student graduates (``student_status_set``, today, recorded by
    the portal) only when no other enrolment is still active: a student finishing one
    of two programmes is still studying the other, and is still flagged and judged
    against its plan."""
    project = submission.project
    approved = set(
        Submission.objects.filter(
            student=submission.student,
            project__programme_id=project.programme_id,
            status=SubmissionStatus.APPROVED,
        ).values_list("project_id", flat=True)
    )
    all_projects = set(project.programme.projects.values_list("pk", flat=True))
    if not all_projects <= approved:
        return
    enrolments = Enrolment.objects.filter(
        student=submission.student, status=EnrolmentStatus.ACTIVE
    )
    enrolments.filter(programme_id=project.programme_id).update(
        status=EnrolmentStatus.COMPLETED,
        completed_at=now,
        ended_on=timezone.localdate(now, submission.student.zone),
    )
    if enrolments.exists():
        return
    profile, _created = StudentProfile.objects.get_or_create(user=submission.student)
    student_status_set(profile=profile, status=StudentStatus.GRADUATED)


# --- Review notes ---------------------------------------------------------------------


def review_note_create(*, project: Project, author: User, title: str, body: str) -> ReviewNote:
    """A reviewer writes a snippet for everyone who reviews this project, in English
    or Russian."""
    if author.role not in REVIEWER_ROLES:
        raise NotAllowed.unless_visible(
            _("Only mentors, supervisors and staff write review notes."),
            visible=projects_visible_to(author),
            pk=project.pk,
        )
    # Into the columns of the language it is written in, whatever the page's: readers
    # of the other language see it too (the fallback) until someone translates it.
    note = ReviewNote(project=project, author=author)
    with translation.override(text_language(f"{title}\n{body}")):
        note.title, note.body = title.strip(), body.strip()
    note.full_clean()
    note.save()
    return note


def review_note_use(*, note: ReviewNote, by: User) -> None:
    """Count one more use of a note (a reviewer inserted it into feedback). Only a
    note the reviewer may use counts (``review_notes_visible_to``); anyone else is
    answered as if it did not exist, so nobody can push a note up the list."""
    updated = review_notes_visible_to(by).filter(pk=note.pk).update(use_count=F("use_count") + 1)
    if not updated:
        raise NotAllowed(hidden=True)


# --- After approval -------------------------------------------------------------------


def difficulty_rate(
    *, submission: Submission, student: User, rating: int, comment: str = ""
) -> DifficultyRating:
    """The student rates how hard an approved project of theirs was; once per
    project."""
    if submission.student_id != student.pk:
        raise NotAllowed.unless_visible(
            _("Only the student who submitted a project rates it."),
            visible=submissions_visible_to(student),
            pk=submission.pk,
        )
    if submission.status != SubmissionStatus.APPROVED:
        raise ValidationError(_("You can rate a project once it is approved."))
    if DifficultyRating.objects.filter(submission=submission).exists():
        raise ValidationError(_("You have already rated this project."))
    rating_row = DifficultyRating(submission=submission, rating=rating, comment=comment.strip())
    rating_row.full_clean()
    rating_row.save()
    return rating_row


# --- Reminders ------------------------------------------------------------------------


def reviews_remind_overdue(*, now=None) -> int:
    """Nudge each mentor whose students' submissions have waited longer than
    REVIEW_REMINDER_HOURS: once per submission, one notification per mentor listing
    how many are overdue. Safe to run again: reminded submissions are marked."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.REVIEW_REMINDER_HOURS)
    mentor = current_mentor_assignments().filter(student=OuterRef("student"))
    overdue = list(
        Submission.objects.waiting()
        .filter(submitted_at__lt=cutoff, reminder_sent_at__isnull=True)
        .annotate(mentor_id=Subquery(mentor.values("mentor_id")[:1]))
        .filter(mentor_id__isnull=False)
        .values_list("pk", "mentor_id")
    )
    by_mentor: dict[int, list[int]] = {}
    for submission_id, mentor_id in overdue:
        by_mentor.setdefault(mentor_id, []).append(submission_id)
    mentors = User.objects.in_bulk(list(by_mentor))
    reminded = 0
    for mentor_id, submission_ids in by_mentor.items():
        with transaction.atomic():
            # Whoever marks the rows first sends the reminder: two overlapping runs
            # cannot both notify.
            marked = Submission.objects.filter(
                pk__in=submission_ids, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not marked:
                continue
            mentor = mentors[mentor_id]
            notification_send(
                user=mentor,
                kind="review_overdue",
                title=ngettext_lazy(
                    "%(count)d submission has waited more than %(hours)d hours for your review",
                    "%(count)d submissions have waited more than %(hours)d hours for your review",
                    "count",
                ),
                params={"count": marked, "hours": settings.REVIEW_REMINDER_HOURS},
                url=reverse("projects:queue"),
            )
            reminded += marked
    return reminded
