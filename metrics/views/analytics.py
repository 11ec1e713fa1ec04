"""Programme analytics, for staff: every programme in one line, and one programme's
projects and rubric criteria as heat maps (the figures are ``metrics.analytics``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required

from .. import analytics
from ..analytics import ANALYTICS_ROLES, AnalyticsOrder
from ..forms import AnalyticsFilterForm
from ..periods import Period, PeriodKind


def _window(request: HttpRequest) -> dict:
    """The filter form and the window it asks for, in the reader's time zone: all
    time unless a valid period is given (a bad one is shown beside the field, and the
    page answers 400)."""
    form = AnalyticsFilterForm(request.GET)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    period = filters.get("period")
    start, end = period.bounds(request.user.zone) if period else (None, None)
    order = filters.get("order") or AnalyticsOrder.HARDEST
    return {
        "form": form,
        "period": period,
        "start": start,
        "end": end,
        "order": order,
        "periods": _quick_periods(request),
    }


def _quick_periods(request: HttpRequest) -> list[Period]:
    """This month and the last, this quarter and the last, on the reader's calendar."""
    today = timezone.localdate(timezone=request.user.zone)
    month = Period.containing(today, PeriodKind.MONTH)
    quarter = Period.containing(today, PeriodKind.QUARTER)
    return [month, month.previous(), quarter, quarter.previous()]


def _query(**params) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value})


@require_GET
@role_required(*ANALYTICS_ROLES)
def programme_analytics_list(request: HttpRequest) -> HttpResponse:
    """Every programme in one line over the window: its projects, approvals and
    drop-outs, and its hardest project."""
    window = _window(request)
    programmes = list(analytics.programmes_for_analytics(request.user))
    figures = analytics.programmes_analytics_cached(
        programmes=programmes, start=window["start"], end=window["end"], zone=request.user.zone
    )
    period_key = window["period"].key if window["period"] else ""
    return render(
        request,
        "metrics/programme_analytics_list.html",
        {
            **window,
            "rows": [figures[programme.pk] for programme in programmes],
            "detail_query": _query(period=period_key),
        },
        status=400 if window["form"].errors else 200,
    )


@require_GET
@role_required(*ANALYTICS_ROLES)
def programme_analytics(request: HttpRequest, pk: int) -> HttpResponse:
    """One programme's projects as a heat map of the measures, hardest first or in
    the programme's order, its rubric criteria hardest first, and what its students say
    in the survey."""
    programme = analytics.programme_for_analytics(request.user, pk)
    window = _window(request)
    figures = analytics.programmes_analytics_cached(
        programmes=[programme], start=window["start"], end=window["end"], zone=request.user.zone
    )[programme.pk]
    period_key = window["period"].key if window["period"] else ""
    return render(
        request,
        "metrics/programme_analytics.html",
        {
            **window,
            "programme": programme,
            "analytics": figures,
            "rows": figures.ordered(window["order"]),
            "criteria": figures.criteria_hardest_first,
            "survey": figures.survey,
            "orders": [
                (value, label, _query(period=period_key, order=value))
                for value, label in AnalyticsOrder.choices
            ],
            "list_query": _query(period=period_key),
            "legend": [analytics.Heat(level) for level in range(analytics.HEAT_LEVELS)],
        },
        status=400 if window["form"].errors else 200,
    )
