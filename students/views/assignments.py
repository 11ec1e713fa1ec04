"""Giving a student a mentor: finding the student (those without one first), and
ranked suggestions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.redirects import local_url
from mentorship.selectors import (
    assignment_history,
    current_mentor,
    mentors_assignable_by,
    student_for_assignment,
    students_to_assign,
    unassigned_students,
)
from mentorship.services import assignment_announce, assignment_create
from projects.models import Enrolment, EnrolmentStatus

from ..forms import AssignmentForm, StudentSearchForm
from ..matching import mentor_suggestions

ASSIGNERS = (Role.STAFF, Role.SUPERVISOR)


UNASSIGNED_PAGE_SIZE = 25


SUGGESTIONS_SHOWN = 10


@role_required(*ASSIGNERS)
@require_GET
def unassigned_student_list(request: HttpRequest) -> HttpResponse:
    """ "Assign a mentor": the students whose mentor this person may set, found by name
    or e-mail, those waiting for a mentor first (longest waiting first), each with a
    link to assign or change their mentor among ranked suggestions."""
    form = StudentSearchForm(request.GET or None)
    form.is_valid()
    search = getattr(form, "cleaned_data", {}).get("q") or ""
    students = students_to_assign(request.user, search=search).prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related(
                "programme"
            ),
            to_attr="active_enrolments",
        )
    )
    page = Paginator(students, UNASSIGNED_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/assignment_unassigned.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "waiting": unassigned_students().count(),
            "query": query.urlencode(),
            "back": urlencode({"next": request.get_full_path()}),
        },
    )


@role_required(*ASSIGNERS)
@require_http_methods(["GET", "POST"])
def assignment_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign or reassign a student's mentor with a reason, choosing among mentors
    ranked by fit; over capacity only when overridden with a reason."""
    student = student_for_assignment(request.user, pk)
    # Where the person came from (the student list, this search), to go back to.
    back = local_url(request, request.GET.get("next", ""), default="")
    mentors = mentors_assignable_by(request.user)
    form = AssignmentForm(request.POST if request.method == "POST" else None, mentors=mentors)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                assignment = assignment_create(
                    student=student,
                    mentor=form.cleaned_data["mentor"],
                    assigned_by=request.user,
                    reason=form.cleaned_data["reason"],
                    override_capacity=form.cleaned_data["override_capacity"],
                )
                assignment_announce(assignment=assignment)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(mentor)s is now the mentor of %(student)s.")
                % {"mentor": assignment.mentor, "student": student},
            )
            return redirect(back or reverse("students:file", args=[student.pk]))
    current = current_mentor(student=student)
    candidates = mentors.exclude(pk=current.pk) if current else mentors
    suggestions = mentor_suggestions(student=student, candidates=candidates)
    return render(
        request,
        "students/assignment_form.html",
        {
            "student": student,
            "current_mentor": current,
            "assignments": assignment_history(student=student),
            "suggestions": suggestions[:SUGGESTIONS_SHOWN],
            "more_mentors": max(len(suggestions) - SUGGESTIONS_SHOWN, 0),
            "form": form,
            "chosen": str(form["mentor"].value() or ""),
            "back": back,
        },
        status=400 if form.errors else 200,
    )
