"""Case discussions: a mentor raises a hard case; peers and the supervisor reply."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import mentor_current_students

from .. import selectors, services
from ..forms import CaseFilterForm, CaseOpenForm, CaseReplyForm

CASE_PAGE_SIZE = 25


CASE_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@role_required(*CASE_ROLES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases this person may see: open ones first, then resolved, newest first."""
    form = CaseFilterForm(request.GET)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    cases = selectors.cases_visible_to(request.user)
    if show == "open":
        cases = cases.filter(resolved_at__isnull=True)
    elif show == "resolved":
        cases = cases.filter(resolved_at__isnull=False)
    elif show == "mine":
        cases = cases.filter(author=request.user)
    page = Paginator(selectors.cases_open_first(cases), CASE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "knowledge_base/case_list.html",
        {"page": page, "show": show, "query": f"show={show}" if show else ""},
    )


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """A mentor raises a case to their supervisor or to all mentors."""
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None,
        students=mentor_current_students(mentor=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your case is raised."))
            return redirect("knowledge_base:case_detail", pk=case.pk)
    return render(
        request,
        "knowledge_base/case_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _render_case(request, case, *, reply_form=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "knowledge_base/case_detail.html",
        {
            "case": case,
            "replies": selectors.case_replies(case=case),
            "reply_form": reply_form or CaseReplyForm(),
            "can_resolve": not case.is_resolved
            and selectors.may_resolve_case(request.user, case=case),
        },
        status=status,
    )


@role_required(*CASE_ROLES)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.case_for_user(request.user, pk))


@role_required(*CASE_ROLES)
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    form = CaseReplyForm(request.POST)
    if form.is_valid():
        services.case_reply(case=case, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your reply is posted."))
        return redirect("knowledge_base:case_detail", pk=case.pk)
    return _render_case(request, case, reply_form=form, status=400)


@role_required(*CASE_ROLES)
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    services.case_resolve(case=case, by=request.user)
    messages.success(request, _("The case is marked resolved."))
    return redirect("knowledge_base:case_detail", pk=case.pk)
