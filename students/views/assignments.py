"""Giving a student a mentor: the students without one, and ranked suggestions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import (
    assignment_history,
    current_mentor,
    mentors_assignable_by,
    student_for_assignment,
    unassigned_students,
)
from mentorship.services import assignment_announce, assignment_create
from projects.models import Enrolment, EnrolmentStatus

from ..forms import AssignmentForm
from ..matching import mentor_suggestions

ASSIGNERS = (Role.STAFF, Role.SUPERVISOR)


UNASSIGNED_PAGE_SIZE = 25


SUGGESTIONS_SHOWN = 10


@role_required(*ASSIGNERS)
@require_GET
def unassigned_student_list(request: HttpRequest) -> HttpResponse:
    """Active students without a mentor, longest waiting first, each with a link to
    assign them."""
    students = (
        unassigned_students()
        .select_related("student_profile")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related(
                    "programme"
                ),
                to_attr="active_enrolments",
            )
        )
        .order_by("date_joined", "pk")
    )
    page = Paginator(students, UNASSIGNED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "students/assignment_unassigned.html", {"page": page})


@role_required(*ASSIGNERS)
@require_http_methods(["GET", "POST"])
def assignment_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign or reassign a student's mentor with a reason, choosing among mentors
    ranked by fit; over capacity only when overridden with a reason."""
    student = student_for_assignment(request.user, pk)
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
            return redirect("students:file", pk=student.pk)
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
        },
        status=400 if form.errors else 200,
    )
