"""The reviewer's side of the loop: the queue, claiming, the review page with its
drafts and shared notes, posting a verdict, and reassigning a review."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role, User
from mentorship.redirects import local_url

from .. import selectors, services
from ..forms import QueueFilterForm, ReassignForm, ReviewForm, ReviewNoteForm
from ..models import (
    ReviewDraft,
    RubricCriterion,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
)
from .files import IMAGE_TYPES, PDF_TYPE, TEXT_TYPE, preview_type

REVIEWERS = selectors.REVIEWER_ROLES
QUEUE_PAGE_SIZE = 25
# A waiting time is shown amber past this; red past REVIEW_REMINDER_HOURS.
QUEUE_WARNING_AGE = timedelta(hours=24)

# How much of a text file the page shows, and of all of a submission's text files.
TEXT_PREVIEW_BYTES = 200 * 1024
TEXT_PREVIEW_LINES = 3000
TEXT_PREVIEW_TOTAL_BYTES = 1024 * 1024


# --- The queue ------------------------------------------------------------------------


@require_GET
@role_required(*REVIEWERS)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Waiting submissions this person may review, oldest first, filtered by
    programme and project."""
    user = request.user
    # Whose submissions this person sees, read once for the three questions below.
    visible = selectors.submissions_visible_to(user, ids_read_now=True)
    programmes, projects = _queue_filter_choices(user, visible)
    form = QueueFilterForm(request.GET or None, programmes=programmes, projects=projects)
    filters = form.cleaned_data if form.is_valid() else {}
    queue = selectors.review_queue(
        user,
        programme_id=filters.get("programme") or None,
        project_id=filters.get("project") or None,
        visible=visible,
    )
    # COUNT(*) rather than of ids: staff's count is then read from the index of
    # waiting submissions alone.
    summary = queue.order_by().aggregate(waiting=Count("*"), oldest=Min("submitted_at"))
    paginator = Paginator(queue, QUEUE_PAGE_SIZE)
    paginator.count = summary["waiting"]  # counted just above; no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/review_queue.html",
        {
            "form": form,
            "filtered": bool(filters.get("programme") or filters.get("project")),
            "page": page,
            "summary": summary,
            "query": query.urlencode(),
            "warning_before": now - QUEUE_WARNING_AGE,
            "overdue_before": now - timedelta(hours=settings.REVIEW_REMINDER_HOURS),
        },
    )


def _queue_filter_choices(user: User, visible: QuerySet[Submission]) -> tuple[list, list]:
    """The programmes and projects (grouped by programme) that have something in this
    person's queue, in one query."""
    programmes: dict[int, str] = {}
    projects: dict[str, list] = {}
    for project in selectors.review_queue_projects(user, visible=visible):
        programme = project.programme
        programmes[programme.pk] = programme.title
        projects.setdefault(programme.title, []).append(
            (project.pk, f"{project.position}. {project.title}")
        )
    return list(programmes.items()), list(projects.items())


@require_POST
@role_required(*REVIEWERS)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or continue) reviewing: hold the submission so nobody else reviews it."""
    submission = selectors.submission_for_user(request.user, pk)
    try:
        services.submission_claim(submission=submission, reviewer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("projects:queue")
    return redirect("projects:review", pk=submission.pk)


@require_POST
@role_required(*REVIEWERS)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the submission back to the queue (the draft stays)."""
    submission = selectors.submission_for_user(request.user, pk)
    services.submission_release(submission=submission, reviewer=request.user)
    messages.info(request, _("The submission is back in the queue; your draft is kept."))
    return redirect("projects:queue")


# --- The review page ------------------------------------------------------------------


def _submission_for_reviewer(user: User, pk: int) -> Submission:
    """A submission this reviewer may see; students get 404 here like outsiders (their
    own submissions have their own page)."""
    if user.role not in REVIEWERS:
        raise Http404
    return selectors.submission_for_user(user, pk)


@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission_for_reviewer(request.user, pk)
    return _render_review_page(request, submission)


@require_POST
@role_required(*REVIEWERS)
def draft_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep what the reviewer has typed (htmx, as they type); answers a status line."""
    submission = selectors.submission_for_user(request.user, pk)
    criteria = list(submission.project.criteria.all())
    try:
        draft = services.review_draft_save(
            submission=submission,
            reviewer=request.user,
            feedback=request.POST.get("feedback", "")[:20000],
            criteria=ReviewForm.draft_from_data(request.POST, criteria),
        )
    except ValidationError as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:review", pk=submission.pk)
        return render(
            request, "projects/_review_draft_status.html", {"error": " ".join(error.messages)}
        )
    if not request.htmx:
        # Not the page's own way (it saves as the reviewer types): back to the page.
        messages.success(request, _("Your draft is saved."))
        return redirect("projects:review", pk=submission.pk)
    return render(request, "projects/_review_draft_status.html", {"draft": draft})


@require_POST
@role_required(*REVIEWERS)
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Post the verdict. Invalid or refused: the page again, with everything typed."""
    submission = selectors.submission_for_user(request.user, pk)
    criteria = list(submission.project.criteria.all())
    form = ReviewForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            review = services.review_submit(
                submission=submission,
                reviewer=request.user,
                verdict=form.cleaned_data["verdict"],
                feedback=form.cleaned_data["feedback"],
                criteria=form.criterion_inputs(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if review.verdict == Verdict.APPROVED:
                text = _("Approved “%(project)s” by %(student)s.")
            else:
                text = _("Requested changes to “%(project)s” by %(student)s.")
            messages.success(
                request,
                text % {"project": submission.project.title, "student": submission.student},
            )
            return redirect("projects:queue")
    return _render_review_page(request, submission, form=form, criteria=criteria, status=400)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR, Role.STAFF)
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor (their team's mentors) or staff (any mentor) hands a review over.
    GET shows the form on its own (staff's review page links to it rather than
    rendering a choice of every mentor of the school on each visit; htmx swaps it into
    the page)."""
    submission = selectors.submission_for_user(request.user, pk)
    mentors = selectors.reassign_mentor_choices(request.user)
    if request.method == "GET":
        if not selectors.may_reassign_now(request.user, submission=submission):
            raise Http404
        context = {"submission": submission, "reassign_form": ReassignForm(mentors=mentors)}
        if request.htmx:
            return render(request, "projects/_review_reassign.html", context)
        return render(request, "projects/reassign.html", context)
    form = ReassignForm(request.POST, mentors=mentors)
    if form.is_valid():
        mentor = form.cleaned_data["mentor"]
        try:
            services.submission_reassign(submission=submission, to_mentor=mentor, by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(mentor)s now holds the review of “%(project)s” by %(student)s.")
                % {
                    "mentor": mentor,
                    "project": submission.project.title,
                    "student": submission.student,
                },
            )
            return redirect("projects:queue")
    return _render_review_page(request, submission, reassign_form=form, status=400)


@dataclass
class FilePreview:
    """How the review page shows one submitted file: ``text`` (its lines), ``image``,
    ``pdf`` or ``download``."""

    file: SubmissionFile
    kind: str
    lines: list[str] = field(default_factory=list)
    truncated: bool = False
    missing: bool = False
    too_much: bool = False


def _file_previews(files: list[SubmissionFile]) -> list[FilePreview]:
    """Text and code are read from storage (a bounded amount, decoded leniently) so
    the page can show them with line numbers; images and PDFs are previewed by the
    browser from the file view; anything else is a download."""
    previews, budget = [], TEXT_PREVIEW_TOTAL_BYTES
    for submitted in files:
        # What the file view serves inline decides what is previewed here; text and
        # code (notebooks too, as their raw JSON) are shown with line numbers.
        content_type = preview_type(submitted.extension)
        if content_type in IMAGE_TYPES.values():
            previews.append(FilePreview(submitted, "image"))
        elif content_type == PDF_TYPE:
            previews.append(FilePreview(submitted, "pdf"))
        elif content_type != TEXT_TYPE:
            previews.append(FilePreview(submitted, "download"))
        elif budget <= 0:
            previews.append(FilePreview(submitted, "download", too_much=True))
        else:
            limit = min(TEXT_PREVIEW_BYTES, budget)
            try:
                with submitted.file.open("rb") as handle:
                    data = handle.read(limit + 1)
            except OSError:
                previews.append(FilePreview(submitted, "download", missing=True))
                continue
            truncated = len(data) > limit
            data = data[:limit]
            budget -= len(data)
            lines = data.decode("utf-8", errors="replace").splitlines()
            if len(lines) > TEXT_PREVIEW_LINES:
                lines, truncated = lines[:TEXT_PREVIEW_LINES], True
            previews.append(FilePreview(submitted, "text", lines=lines, truncated=truncated))
    # Code and text first (what is reviewed most), then what the browser previews,
    # then downloads; by name within each.
    order = {"text": 0, "image": 1, "pdf": 2, "download": 3}
    return sorted(previews, key=lambda preview: order[preview.kind])


def _render_review_page(
    request: HttpRequest,
    submission: Submission,
    *,
    form: ReviewForm | None = None,
    reassign_form: ReassignForm | None = None,
    criteria: list[RubricCriterion] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page: the brief, the attempt and its files, the earlier attempts on
    the left; the claim, the review form, shared notes and reassigning on the right."""
    user = request.user
    project = submission.project
    history = list(selectors.project_history(student=submission.student, project=project))
    current = next(attempt for attempt in history if attempt.pk == submission.pk)
    earlier = [attempt for attempt in history if attempt.attempt < submission.attempt]
    waiting = submission.status == SubmissionStatus.SUBMITTED
    claim_active = submission.claim_is_active()
    held_by_me = claim_active and submission.claimed_by_id == user.pk
    held_by_other = claim_active and not held_by_me
    context = {
        "submission": submission,
        "project": project,
        "current": current,
        "earlier": earlier,
        "previews": _file_previews(list(current.files.all())),
        "waiting": waiting,
        "held_by_me": held_by_me,
        "held_by_other": held_by_other,
        "can_reassign": selectors.may_reassign_now(user, submission=submission),
    }
    draft = None
    if waiting:
        draft = ReviewDraft.objects.filter(submission=submission, reviewer=user).first()
    # The form is shown to whoever holds the submission, and again to anyone whose
    # post was refused, so nothing they typed is lost.
    show_form = waiting and (held_by_me or (form is not None and form.is_bound))
    if show_form or form is not None:
        if form is None:
            criteria = criteria if criteria is not None else list(project.criteria.all())
            form = ReviewForm(initial=ReviewForm.initial_from_draft(draft), criteria=criteria)
        context.update(
            form=form,
            show_form=show_form,
            notes=selectors.review_notes_for(project, user=user),
            note_form=ReviewNoteForm(),
        )
    context["draft"] = draft
    # A supervisor chooses among their team, on the page; staff among every mentor of
    # the school, on the form's own page (``reassign``), unless a refused choice is
    # shown again.
    if reassign_form is None and context["can_reassign"] and user.role == Role.SUPERVISOR:
        reassign_form = ReassignForm(mentors=selectors.reassign_mentor_choices(user))
    context["reassign_form"] = reassign_form
    return render(request, "projects/review_page.html", context, status=status)


# --- Shared review notes ----------------------------------------------------------------


@require_POST
@role_required(*REVIEWERS)
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a note for everyone reviewing this project (htmx); answers the notes list."""
    project = selectors.project_for_user(request.user, pk)
    form = ReviewNoteForm(request.POST)
    if form.is_valid():
        try:
            services.review_note_create(
                project=project,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if not request.htmx:
                messages.success(request, _("The note is shared with this project's reviewers."))
                return redirect(_back(request))
            form = ReviewNoteForm()
    return render(
        request,
        "projects/_review_notes.html",
        {
            "project": project,
            "notes": selectors.review_notes_for(project, user=request.user),
            "note_form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*REVIEWERS)
def note_use(request: HttpRequest, pk: int) -> HttpResponse:
    """Count one use of a note (inserted into feedback); answers the new count."""
    note = selectors.review_note_for_user(request.user, pk)
    services.review_note_use(note=note, by=request.user)
    if not request.htmx:
        return redirect(_back(request))
    note.refresh_from_db(fields=["use_count"])
    return render(request, "projects/_review_note_uses.html", {"note": note})


def _back(request: HttpRequest) -> str:
    """Where a plain (not htmx) post of a review page's part returns: the page it came
    from, else the queue."""
    return local_url(request, request.headers.get("Referer", ""), reverse("projects:queue"))
