"""Programmes and projects as everyone reads them, and the student's side of the
review loop: submitting an attempt, reading its review, rating the difficulty."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship import uploads
from mentorship.decorators import role_required
from mentorship.models import Role

from .. import changes, selectors, services
from ..forms import DifficultyRatingForm, SubmissionForm
from ..models import Project, SubmissionStatus


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    """A student's enrolments with their progress; everyone else every programme."""
    user = request.user
    if user.role == Role.STUDENT:
        context = {"progress": selectors.student_progress(student=user)}
    else:
        context = {"programmes": selectors.programmes_for_user(user)}
    return render(request, "projects/programme_list.html", context)


@require_GET
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's projects in order; for a student, where they stand on each and
    when it is due by their plan."""
    user = request.user
    programme = get_object_or_404(selectors.programmes_for_user(user), slug=slug)
    context: dict = {"programme": programme}
    if user.role == Role.STUDENT:
        context["progress"] = _progress_in(programme_id=programme.pk, student=user)
    else:
        context["projects"] = programme.projects.annotate(
            criteria_count=Count("criteria")
        ).order_by("position")
        context["may_see_changes"] = changes.may_see_programme_changes(user, programme=programme)
        if user.role == Role.MENTOR and context["may_see_changes"]:
            context["unread_changes"] = changes.programme_changes_unread_count(
                user, programme=programme
            )
    return render(request, "projects/programme_detail.html", context)


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_for_user(request.user, pk)
    return _render_project(request, project)


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def submission_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new attempt from the project page, then back to it (post/redirect/get).
    Refusals (wrong type, too large, still waiting for review...) come back beside
    the field they concern, with what the student typed kept, and the files that
    passed kept on the server and listed as chosen: the student re-picks only the
    refused one. Kept files of another student's are not found (404)."""
    project = selectors.project_for_user(request.user, pk)
    if request.method == "GET":
        # The address a refused form was shown at, opened again: the project's page.
        return redirect(reverse("projects:project", args=[project.pk]) + "#submit")
    form = SubmissionForm(request.POST, request.FILES, project=project)
    kept_ids = request.POST.getlist("kept")
    kept = uploads.pending_uploads_chosen(
        user=request.user, purpose=services.submission_upload_purpose(project), ids=kept_ids
    )
    kept_error = uploads.pending_uploads_expired(ids=kept_ids, chosen=kept)
    if form.is_valid() and kept_error is None:
        try:
            submission = services.submission_create(
                student=request.user,
                project=project,
                comment=form.cleaned_data["comment"],
                link=form.cleaned_data.get("link", ""),
                files=form.cleaned_data.get("files", []),
                kept=kept,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Attempt %(attempt)d is submitted. Your mentor will review it.")
                % {"attempt": submission.attempt},
            )
            return redirect("projects:project", pk=project.pk)
    if kept_error is not None:
        form.add_service_error(kept_error)
    services.submission_files_keep(
        student=request.user, project=project, files=form.accepted_files, kept=kept
    )
    return _render_project(request, project, form=form)


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One attempt with its files, link and review, for whoever may see it."""
    submission = selectors.submission_for_user(request.user, pk)
    attempt = selectors.project_history(
        student=submission.student, project=submission.project
    ).get(pk=submission.pk)
    services.review_read(reader=request.user, submission=attempt)
    return render(
        request,
        "projects/submission_detail.html",
        {"submission": submission, "attempt": attempt, "project": submission.project},
    )


@role_required(Role.STUDENT)
@require_POST
def difficulty_rate(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_for_user(request.user, pk)
    form = DifficultyRatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how difficult the project was, from 1 to 5."))
    else:
        try:
            services.difficulty_rate(
                submission=submission,
                student=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you! Your rating helps improve the programme."))
    return redirect("projects:project", pk=submission.project_id)


def _progress_in(*, programme_id: int, student):
    """The student's progress in one programme (their enrolment, each project's status
    and due date), or None if they are not enrolled."""
    return next(
        (
            progress
            for progress in selectors.student_progress(student=student)
            if progress.enrolment.programme_id == programme_id
        ),
        None,
    )


def _render_project(
    request: HttpRequest,
    project: Project,
    *,
    form: SubmissionForm | None = None,
) -> HttpResponse:
    """The project page: brief, rubric, deliverables; for the student also where they
    stand, the submit form (or why they cannot submit now) and every attempt."""
    user = request.user
    context: dict = {
        "project": project,
        "criteria": list(project.criteria.all()),
        "allowed_types": ", ".join(sorted(project.allowed_extensions)),
    }
    if user.role == Role.STUDENT:
        history = list(selectors.project_history(student=user, project=project))
        progress = _progress_in(programme_id=project.programme_id, student=user)
        item = progress and next(
            (item for item in progress.projects if item.project.pk == project.pk), None
        )
        try:
            services.submission_check_allowed(student=user, project=project)
        except ValidationError as error:
            context["refusals"] = error.messages
        else:
            context["form"] = form or SubmissionForm(project=project)
            context["kept_files"] = list(
                uploads.pending_uploads_for(
                    user=user, purpose=services.submission_upload_purpose(project)
                )
            )
        approved = next(
            (attempt for attempt in history if attempt.status == SubmissionStatus.APPROVED),
            None,
        )
        if approved is not None and getattr(approved, "difficulty_rating", None) is None:
            context["rating_for"] = approved
            context["rating_form"] = DifficultyRatingForm()
        # The page shows every attempt with its review, newest first: where the
        # notification of a review leads, so where a student mostly reads it.
        reviewed = next((attempt for attempt in history if hasattr(attempt, "review")), None)
        if reviewed is not None:
            services.review_read(reader=user, submission=reviewed)
        context.update(history=history, progress_item=item)
    return render(request, "projects/project_detail.html", context)
