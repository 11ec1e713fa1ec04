"""Improvement proposals: mentors propose, staff take them to a decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import selectors, services
from ..forms import ProposalForm, ProposalUpdateForm

PROPOSAL_PAGE_SIZE = 25


@role_required(Role.MENTOR, Role.SUPERVISOR, Role.STAFF)
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    """A mentor's own proposals, their team's for a supervisor, all for staff."""
    proposals = selectors.proposals_visible_to(request.user)
    page = Paginator(proposals, PROPOSAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge_base/proposal_list.html", {"page": page})


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your proposal is filed. The school will answer it."))
            return redirect("knowledge_base:proposal", pk=proposal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge_base/proposal_form.html", {"form": form}, status=status)


@role_required(Role.MENTOR, Role.SUPERVISOR, Role.STAFF)
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_user(request.user, pk)
    return _render_proposal(request, proposal)


@role_required(Role.STAFF)
@require_POST
def proposal_update(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_user(request.user, pk)
    form = ProposalUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_update(proposal=proposal, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The proposal is updated and its author told."))
            return redirect("knowledge_base:proposal", pk=pk)
    return _render_proposal(request, proposal, form=form, status=400)


def _render_proposal(request, proposal, *, form=None, status=200) -> HttpResponse:
    context = {"proposal": proposal}
    if (
        selectors.may_decide_proposal(request.user)
        and services.PROPOSAL_TRANSITIONS[proposal.status]
    ):
        context["form"] = form or ProposalUpdateForm(
            initial={"status": sorted(services.PROPOSAL_TRANSITIONS[proposal.status])[0]}
        )
    return render(request, "knowledge_base/proposal_detail.html", context, status=status)
