"""A mentor's scorecard for a period, and the records behind each of its figures. The
figures are ``metrics.scorecards``'; how a page reads them is ``metrics.dashboard``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import dashboard, scorecards
from ..forms import PeriodForm

SCORECARD_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def _query(request: HttpRequest, form: PeriodForm):
    """The page's query with the period it shows (a wrong key replaced) and no page,
    for the links that keep it."""
    query = request.GET.copy()
    query["period"] = form.chosen_period().key
    query.pop("page", None)
    return query


@require_GET
@role_required(*SCORECARD_ROLES)
def scorecard_mine(request: HttpRequest) -> HttpResponse:
    """A mentor's own scorecard; supervisors and staff start from their team."""
    if request.user.role == Role.MENTOR:
        url = reverse("metrics:scorecard", args=[request.user.pk])
    else:
        url = reverse("metrics:dashboard")
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@require_GET
@role_required(*SCORECARD_ROLES)
def scorecard(request: HttpRequest, mentor_pk: int) -> HttpResponse:
    """One mentor's scorecard for a period: the composite and its trend, each
    priority's composite, every figure beside what was expected, its percentile and
    trend, each a link to the records behind it."""
    mentor = scorecards.scorecard_mentor_for_user(request.user, mentor_pk)
    form = PeriodForm.from_query(request.GET, zone=request.user.zone)
    period = form.chosen_period()
    card = scorecards.scorecard(mentor=mentor, period=period, reader=request.user)
    return render(
        request,
        "metrics/scorecard.html",
        {
            "mentor": mentor,
            "own": mentor.pk == request.user.pk,
            "form": form,
            "picker": dashboard.period_picker(period, reader=request.user),
            "query": _query(request, form),
            "page": dashboard.scorecard_page(card),
        },
    )


@require_GET
@role_required(*SCORECARD_ROLES)
def scorecard_records(request: HttpRequest, mentor_pk: int, metric_key: str) -> HttpResponse:
    """The records one figure stands on, for that mentor and period, a page at a time;
    a mentor's own survey answers are never listed one by one."""
    mentor = scorecards.scorecard_mentor_for_user(request.user, mentor_pk)
    metric = scorecards.metric_for_key(metric_key)
    form = PeriodForm.from_query(request.GET, zone=request.user.zone)
    period = form.chosen_period()
    card = scorecards.scorecard(mentor=mentor, period=period, reader=request.user)
    records = None
    if dashboard.may_list_records(request.user, mentor=mentor, metric=metric):
        rows = scorecards.metric_rows(metric, period, request.user.zone, mentor=mentor)
        records = dashboard.metric_records(metric=metric, rows=rows, page=request.GET.get("page"))
    return render(
        request,
        "metrics/scorecard_records.html",
        {
            "mentor": mentor,
            "own": mentor.pk == request.user.pk,
            "metric": metric,
            "form": form,
            "picker": dashboard.period_picker(period, reader=request.user),
            "query": _query(request, form),
            "line": dashboard.scorecard_page(card).line(metric.key),
            "records": records,
        },
    )
