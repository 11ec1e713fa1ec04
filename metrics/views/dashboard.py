"""The supervisor's team dashboard (staff: every mentor, or one team) and its CSV: a
mentor per row with their load, waiting reviews, open flags, session rating and
composite, and the team's composite over the last periods; for one team, its review
consistency in the period and the second-reader sample of the page's mentors."""

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import dashboard
from ..charts import team_chart
from ..consistency import review_consistency_cached
from ..forms import DashboardFilterForm
from ..second_reading import second_reading_sample

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.STAFF)
# Reviews per mentor the dashboard offers to read (the second-reading page has more).
SAMPLE_PER_MENTOR = 1


def _team(request: HttpRequest):
    """What the page and its CSV share: the filters, the period, the team and its
    rows in the order asked."""
    user = request.user
    form = DashboardFilterForm.from_query(
        request.GET, zone=user.zone, teams=user.role == Role.STAFF
    )
    period = form.chosen_period()
    mentors = list(dashboard.dashboard_mentors(user, supervisor=form.chosen_supervisor()))
    sort = dashboard.dashboard_sort(request.GET.get("sort"))
    rows = dashboard.dashboard_sorted(
        dashboard.dashboard_rows(mentors, period=period, reader=user), sort
    )
    return form, period, mentors, sort, rows


@require_GET
@role_required(*DASHBOARD_ROLES)
def team_dashboard(request: HttpRequest) -> HttpResponse:
    """The team on one page: a sortable table of mentors and the team's trend."""
    form, period, mentors, sort, rows = _team(request)
    page = Paginator(rows, dashboard.DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["period"] = period.key
    query["sort"] = sort
    query.pop("page", None)
    supervisor = form.chosen_supervisor()
    # One team on the page (a supervisor's, or the team staff chose): how its mentors
    # review against one another, and a few of their reviews to read as second reader.
    one_team = request.user.role == Role.SUPERVISOR or supervisor is not None
    consistency = sample = None
    if one_team:
        start, end = period.bounds(request.user.zone)
        consistency = review_consistency_cached(
            mentor_ids=[mentor.pk for mentor in mentors], start=start, end=end
        )
        page_mentors = [row.mentor for row in page.object_list]
        sample = second_reading_sample(
            reader=request.user, per_mentor=SAMPLE_PER_MENTOR, mentors=page_mentors
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
            "chart": team_chart(dashboard.team_trend(mentors, period=period, reader=request.user)),
            "show_supervisor": request.user.role == Role.STAFF and supervisor is None,
            "consistency": consistency,
            "sample": sample,
        },
    )


@require_GET
@role_required(*DASHBOARD_ROLES)
def team_dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as CSV: the same rows in the same order, every page."""
    _form, period, _mentors, _sort, rows = _team(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team-{period.key}.csv"'
    writer = csv.writer(response)
    writer.writerow(dashboard.DASHBOARD_CSV_COLUMNS)
    writer.writerows(dashboard.dashboard_csv_rows(rows, reader=request.user))
    return response
