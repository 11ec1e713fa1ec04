"""A mentor's self-development records, and staff's verification of them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import selectors, services
from ..forms import DevelopmentFilterForm, DevelopmentRecordForm
from ..models import DevelopmentKind

DEVELOPMENT_PAGE_SIZE = 25


DEVELOPMENT_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def _development_list_url(request: HttpRequest) -> str:
    """Back to the list with the filters and page the action was taken from."""
    query = request.GET.urlencode()
    return reverse("metrics:development_list") + (f"?{query}" if query else "")


def _render_development(
    request: HttpRequest, *, form: DevelopmentRecordForm | None = None, status: int = 200
) -> HttpResponse:
    """The self-development page as the viewer's role sees it: a mentor their own
    records by kind and the form to add one; a supervisor their team's, by mentor;
    staff all, those awaiting verification first of all."""
    user = request.user
    records = selectors.development_records_visible_to(user)
    context: dict = {"form": None, "filter_form": None, "query": ""}
    if user.role == Role.MENTOR:
        context["form"] = form or DevelopmentRecordForm()
    else:
        mentors = list(selectors.mentors_visible_to(user).order_by("display_name", "email"))
        filter_form = DevelopmentFilterForm(
            request.GET, mentors=mentors, verification=user.role == Role.STAFF
        )
        filter_form.is_valid()
        mentor_id = filter_form.cleaned_data.get("mentor")
        if mentor_id:
            records = records.filter(mentor_id=mentor_id)
        filters = {"mentor": mentor_id or ""}
        if user.role == Role.STAFF:
            show = filter_form.cleaned_data.get("show") or DevelopmentFilterForm.AWAITING
            if show == DevelopmentFilterForm.AWAITING:
                records = records.filter(verified_at__isnull=True)
            filters["show"] = show
        context["filter_form"] = filter_form
        context["query"] = urlencode(filters)
    page = Paginator(
        selectors.development_records_listed(records), DEVELOPMENT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context["page"] = page
    if user.role == Role.MENTOR:
        headings = {
            DevelopmentKind.PROGRAMME: _("Programmes completed as a student"),
            DevelopmentKind.COURSE: _("Other courses"),
            DevelopmentKind.EXPERTISE: _("Areas of expertise"),
        }
        groups = [
            (heading, [record for record in page.object_list if record.kind == kind])
            for kind, heading in headings.items()
        ]
        context["groups"] = [(heading, rows) for heading, rows in groups if rows]
    return render(request, "metrics/development_list.html", context, status=status)


@role_required(*DEVELOPMENT_ROLES)
@require_GET
def development_list(request: HttpRequest) -> HttpResponse:
    return _render_development(request)


@role_required(Role.MENTOR)
@require_POST
def development_add(request: HttpRequest) -> HttpResponse:
    form = DevelopmentRecordForm(request.POST)
    if form.is_valid():
        try:
            services.development_record_add(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Recorded. Staff will verify it."))
            return redirect("metrics:development_list")
    return _render_development(request, form=form, status=400)


@role_required(Role.MENTOR, Role.STAFF)
@require_POST
def development_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    services.development_record_delete(record=record, by=request.user)
    messages.success(request, _("The record is deleted."))
    return redirect(_development_list_url(request))


@role_required(Role.STAFF)
@require_POST
def development_verify(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    services.development_record_verify(record=record, by=request.user)
    messages.success(request, _("Verified: %(record)s.") % {"record": record})
    return redirect(_development_list_url(request))


@role_required(Role.STAFF)
@require_POST
def development_unverify(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    services.development_record_unverify(record=record, by=request.user)
    messages.success(request, _("No longer verified: %(record)s.") % {"record": record})
    return redirect(_development_list_url(request))
