"""Incidents between students: recorded, arbitrated, resolved."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role, User
from mentorship.selectors import students_visible_to

from .. import selectors, services
from ..forms import (
    IncidentArbitratorForm,
    IncidentFilterForm,
    IncidentRecordForm,
    IncidentResolveForm,
)
from ..models import Incident
from .students import LOOKING_AFTER_STUDENTS

INCIDENT_PAGE_SIZE = 25


@require_GET
@role_required(*LOOKING_AFTER_STUDENTS)
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents this person may see: open ones first, newest first; filtered by
    status and by "I arbitrate"."""
    form = IncidentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    incidents = selectors.incidents_visible_to(request.user)
    if filters.get("status"):
        incidents = incidents.filter(status=filters["status"])
    if filters.get("arbitrating"):
        incidents = incidents.filter(arbitrator=request.user)
    page = Paginator(selectors.incidents_open_first(incidents), INCIDENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/incident_list.html",
        {
            "form": form,
            "filtered": bool(filters.get("status") or filters.get("arbitrating")),
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*LOOKING_AFTER_STUDENTS)
def incident_record(request: HttpRequest) -> HttpResponse:
    """Record a conflict between students. Mentors and supervisors tick the students
    they look after and name others by e-mail; staff name them all by e-mail."""
    user = request.user
    looked_after = (
        None
        if user.role == Role.STAFF
        else students_visible_to(user).order_by("display_name", "email")
    )
    if request.method == "GET":
        form = IncidentRecordForm(
            initial=_incident_initial(user, request.GET.get("student", "")),
            looked_after=looked_after,
        )
        return render(request, "students/incident_form.html", {"form": form})
    form = IncidentRecordForm(request.POST, looked_after=looked_after)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                reporter=user,
                title=data["title"],
                description=data["description"],
                occurred_on=data["occurred_on"],
                students=data["involved"],
                arbitrator=data["arbitrator"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("students:incident_detail", pk=incident.pk)
    return render(request, "students/incident_form.html", {"form": form}, status=400)


def _incident_initial(user: User, student_pk: str) -> dict:
    """``?student=<pk>`` pre-selects a student this person may see: a ticked box, or
    for staff their e-mail address."""
    if not student_pk.isdigit():
        return {}
    student = students_visible_to(user).filter(pk=student_pk).first()
    if student is None:
        return {}
    if user.role == Role.STAFF:
        return {"other_students": student.email}
    return {"students": [student.pk]}


def _render_incident(
    request: HttpRequest,
    incident: Incident,
    *,
    resolve_form: IncidentResolveForm | None = None,
    arbitrator_form: IncidentArbitratorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_settle = selectors.may_resolve_incident(user, incident=incident)
    return render(
        request,
        "students/incident_detail.html",
        {
            "incident": incident,
            "students": incident.students.all(),
            "may_resolve": incident.is_open and may_settle,
            "may_reopen": not incident.is_open and may_settle,
            "may_change_arbitrator": incident.is_open
            and selectors.may_change_arbitrator(user, incident=incident),
            "resolve_form": resolve_form
            or IncidentResolveForm(initial={"resolution": incident.resolution}),
            "arbitrator_form": arbitrator_form
            or IncidentArbitratorForm(initial={"arbitrator": incident.arbitrator_id}),
        },
        status=status,
    )


@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident for those who may see it; students never (404)."""
    return _render_incident(request, selectors.incident_for_user(request.user, pk))


@require_POST
def incident_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    form = IncidentResolveForm(request.POST)
    if form.is_valid():
        try:
            services.incident_resolve(
                incident=incident, by=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _incident_refused(request, incident, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("The incident is resolved."))
            return redirect("students:incident_detail", pk=incident.pk)
    return _render_incident(request, incident, resolve_form=form, status=400)


@require_POST
def incident_arbitrator(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    form = IncidentArbitratorForm(request.POST)
    if form.is_valid():
        try:
            services.incident_arbitrator_change(
                incident=incident, by=request.user, arbitrator=form.cleaned_data["arbitrator"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _incident_refused(request, incident, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("The arbitrator is changed."))
            return redirect("students:incident_detail", pk=incident.pk)
    return _render_incident(request, incident, arbitrator_form=form, status=400)


@require_POST
def incident_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    try:
        services.incident_reopen(incident=incident, by=request.user)
    except ValidationError as error:
        return _incident_refused(request, incident, error)
    messages.success(request, _("The incident is open again."))
    return redirect("students:incident_detail", pk=incident.pk)


def _incident_refused(
    request: HttpRequest, incident: Incident, error: ValidationError
) -> HttpResponse:
    # The incident changed under the form (resolved or reopened meanwhile): say why
    # and show it as it is now.
    messages.error(request, " ".join(error.messages))
    return redirect("students:incident_detail", pk=incident.pk)
