"""The supervisor's team dashboard (staff: every mentor, or one team) and its CSV: a
mentor per row with their load, waiting reviews, open flags, session rating and
composite, and the team's composite over the last periods; for one team, its review
consistency in the period and the second-reader sample of the page's mentors."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required
from mentorship.exports import csv_response
from mentorship.models import Role
from mentorship.redirects import local_url

from .. import dashboard
from ..charts import team_chart
from ..consistency import (
    CONSISTENCY_CACHE_SECONDS,
    consistency_cache_key,
    review_consistency_cached,
)
from ..forms import DashboardFilterForm
from ..scorecards import TREND_PERIODS, team_figures
from ..second_reading import sample_mentors, second_reading_sample

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.STAFF)
# Reviews per mentor the dashboard offers to read (the second-reading page has more).
SAMPLE_PER_MENTOR = 1
# The largest id a row can have (a bigint): a larger ?mentor= names nobody.
MAX_ID = 2**63 - 1


def _team(request: HttpRequest, *, trend: bool = False):
    """What the page and its CSV share: the filters, the period, the team, its rows
    in the order asked and its figures (over the trend's periods if ``trend``, read
    once for the table and the chart). A search narrows the rows, never the team
    whose figures they are compared with."""
    user = request.user
    form = DashboardFilterForm.from_query(
        request.GET, zone=user.zone, teams=user.role == Role.STAFF
    )
    period = form.chosen_period()
    mentors = list(dashboard.dashboard_mentors(user, supervisor=form.chosen_supervisor()))
    team = team_figures(
        mentors=mentors, period=period, reader=user, count=TREND_PERIODS if trend else 2
    )
    sort = dashboard.dashboard_sort(request.GET.get("sort"))
    rows = dashboard.dashboard_sorted(
        dashboard.dashboard_rows(
            dashboard.dashboard_mentors_matching(
                user, mentors, supervisor=form.chosen_supervisor(), search=form.chosen_search()
            ),
            period=period,
            reader=user,
            team=team,
        ),
        sort,
    )
    return form, period, mentors, sort, rows, team


@require_GET
@role_required(*DASHBOARD_ROLES)
def team_dashboard(request: HttpRequest) -> HttpResponse:
    """The team on one page: a sortable table of mentors and the team's trend."""
    form, period, mentors, sort, rows, team = _team(request, trend=True)
    page = Paginator(rows, dashboard.DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["period"] = period.key
    query["sort"] = sort
    query.pop("page", None)
    supervisor = form.chosen_supervisor()
    # One team on the page (a supervisor's, or the team staff chose): how its mentors
    # review against one another, and a few of their reviews to read as second reader.
    one_team = request.user.role == Role.SUPERVISOR or supervisor is not None
    consistency = consistency_key = sample_url = None
    if one_team:
        start, end = period.bounds(request.user.zone)
        mentor_ids = [mentor.pk for mentor in mentors]
        consistency = review_consistency_cached(mentor_ids=mentor_ids, start=start, end=end)
        # Its summary is rendered once for as long as the figures are kept.
        consistency_key = consistency_cache_key(mentor_ids=mentor_ids, start=start, end=end)
        # The sample is read once the section is in view (htmx): the table comes first.
        sample_url = (
            reverse("metrics:dashboard_sample")
            + "?"
            + urlencode(
                {
                    "mentor": [row.mentor.pk for row in page.object_list],
                    "next": request.get_full_path(),
                },
                doseq=True,
            )
        )
    return render(
        request,
        "metrics/dashboard.html",
        {
            "form": form,
            "picker": dashboard.period_picker(period, reader=request.user),
            "query": query,
            "sort": sort,
            "sorts": dashboard.sort_links(sort),
            "page": page,
            "mentors": len(mentors),
            "search": form.chosen_search(),
            "chart": team_chart(
                dashboard.team_trend(mentors, period=period, reader=request.user, team=team)
            ),
            "show_supervisor": request.user.role == Role.STAFF and supervisor is None,
            "consistency": consistency,
            "consistency_key": consistency_key,
            "consistency_seconds": CONSISTENCY_CACHE_SECONDS,
            "sample_url": sample_url,
        },
    )


@require_GET
@role_required(*DASHBOARD_ROLES)
def team_dashboard_sample(request: HttpRequest) -> HttpResponse:
    """The dashboard's second-reader sample, which the page loads once the section is
    in view: the most recent review not rated yet of each mentor of the page's rows
    (``?mentor=``, repeated, in the table's order), only of mentors whose reviews the
    reader reads (``sample_mentors``); ``?next=``, where a rating without htmx
    returns (the dashboard)."""
    wanted = []
    for value in request.GET.getlist("mentor")[: dashboard.DASHBOARD_PAGE_SIZE]:
        try:
            pk = int(value)
        except ValueError:
            continue
        if 0 < pk <= MAX_ID and pk not in wanted:
            wanted.append(pk)
    readable = {mentor.pk: mentor for mentor in sample_mentors(request.user).filter(pk__in=wanted)}
    sample = second_reading_sample(
        reader=request.user,
        per_mentor=SAMPLE_PER_MENTOR,
        mentors=[readable[pk] for pk in wanted if pk in readable],
    )
    back = local_url(request, request.GET.get("next", ""), reverse("metrics:dashboard"))
    return render(request, "metrics/_second_reading_sample.html", {"sample": sample, "next": back})


@require_GET
@role_required(*DASHBOARD_ROLES)
def team_dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as CSV: the same rows in the same order, every page."""
    _form, period, _mentors, _sort, rows, _figures = _team(request)
    return csv_response(
        filename=f"team-{period.key}.csv",
        header=dashboard.DASHBOARD_CSV_COLUMNS,
        rows=dashboard.dashboard_csv_rows(rows, reader=request.user),
    )
