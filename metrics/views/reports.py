"""Weekly reports: drafted by the portal, completed by the mentor, read by the supervisor."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import mentor_supervisor

from .. import selectors, services
from ..forms import WeeklyReportFilterForm, WeeklyReportForm

REPORT_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


REPORT_PAGE_SIZE = 25


@role_required(*REPORT_ROLES)
@require_GET
def weekly_report_list(request: HttpRequest) -> HttpResponse:
    """A mentor's own reports, newest week first; for a supervisor (their team) or
    staff (every mentor), one week's reports: who sent theirs and who has not yet."""
    if request.user.role == Role.MENTOR:
        # The list shows weeks and states, not the reports' figures (a few KB each).
        reports = (
            selectors.weekly_reports_visible_to(request.user)
            .defer(*selectors.WEEKLY_REPORT_BODY)
            .order_by("-week_start")
        )
        last_week = selectors.last_complete_week_start(request.user)
        return render(
            request,
            "metrics/weekly_report_list.html",
            {
                "page": Paginator(reports, REPORT_PAGE_SIZE).get_page(request.GET.get("page")),
                "last_week": last_week,
                "last_week_drafted": reports.filter(week_start=last_week).exists(),
            },
        )
    weeks = selectors.weekly_report_weeks(request.user)
    data = request.GET.copy()
    data.setdefault("week", weeks[0].isoformat())
    mentors = list(selectors.mentors_visible_to(request.user).order_by("display_name", "email"))
    form = WeeklyReportFilterForm(data, weeks=weeks, mentors=mentors)
    rows, page, query = [], None, ""
    if form.is_valid():
        week, mentor_id = form.cleaned_data["week"], form.cleaned_data["mentor"]
        shown = selectors.weekly_report_mentors(request.user, week=week)
        if mentor_id:
            shown = shown.filter(pk=mentor_id)
        page = Paginator(shown, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.weekly_report_rows(request.user, week=week, mentors=page.object_list)
        query = urlencode({"week": week.isoformat(), "mentor": mentor_id or ""})
    return render(
        request,
        "metrics/weekly_report_overview.html",
        {"form": form, "rows": rows, "page": page, "query": query},
        status=400 if form.errors else 200,
    )


def _render_weekly_report(request, report, *, form=None, status: int = 200) -> HttpResponse:
    can_edit = (
        selectors.may_write_weekly_report(request.user, report=report) and not report.is_sent
    )
    if can_edit and form is None:
        form = WeeklyReportForm(
            initial={"comments": report.comments, "difficulties": report.difficulties}
        )
    return render(
        request,
        "metrics/weekly_report_detail.html",
        {
            "report": report,
            "figures": report.figures,
            "display": selectors.weekly_report_display(report.figures),
            "form": form if can_edit else None,
            "can_edit": can_edit,
            # A refusal that names no field (the report was sent meanwhile) shows even
            # when the form is no longer offered.
            "refusals": form.non_field_errors() if form is not None else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def weekly_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report's figures, comments and difficulties; its mentor saves the draft's
    text here. Whoever may not read the report gets 404 (students included)."""
    report = selectors.weekly_report_for_user(request.user, pk)
    if request.method == "GET":
        return _render_weekly_report(request, report)
    form = WeeklyReportForm(request.POST)
    if form.is_valid():
        try:
            services.weekly_report_update(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your draft is saved."))
            return redirect("metrics:weekly_report_detail", pk=report.pk)
    return _render_weekly_report(request, report, form=form, status=400)


@require_POST
def weekly_report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor sends their draft, with the text in the form, to their supervisor."""
    report = selectors.weekly_report_for_user(request.user, pk)
    form = WeeklyReportForm(request.POST)
    if form.is_valid():
        text = {name: value for name, value in form.cleaned_data.items() if name in request.POST}
        try:
            report = services.weekly_report_send(report=report, by=request.user, **text)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            supervisor = mentor_supervisor(mentor=request.user)
            if supervisor is not None:
                messages.success(
                    request,
                    _("Your report is sent to %(supervisor)s.") % {"supervisor": supervisor},
                )
            else:
                messages.success(
                    request,
                    _("Your report is sent. You have no supervisor yet, so staff will read it."),
                )
            return redirect("metrics:weekly_report_detail", pk=report.pk)
    return _render_weekly_report(request, report, form=form, status=400)


@require_POST
def weekly_report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor draws a draft's figures again (a session logged late, say)."""
    report = selectors.weekly_report_for_user(request.user, pk)
    try:
        services.weekly_report_refresh(report=report, by=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("The figures are up to date."))
    return redirect("metrics:weekly_report_detail", pk=report.pk)


@role_required(Role.MENTOR)
@require_POST
def weekly_report_draft_now(request: HttpRequest) -> HttpResponse:
    """The mentor drafts the report of their last complete week without waiting for
    Monday's job (or opens it, if it exists)."""
    report = services.weekly_report_draft(
        mentor=request.user, week_start=selectors.last_complete_week_start(request.user)
    )
    return redirect("metrics:weekly_report_detail", pk=report.pk)
