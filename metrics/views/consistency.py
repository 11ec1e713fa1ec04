"""Review consistency: each mentor's approval rate and criterion verdicts against the
rest of the team's on the same projects (the figures are ``metrics.consistency``)."""

from dataclasses import replace

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required
from mentorship.models import Role, User

from .. import consistency
from ..forms import ConsistencyFilterForm
from ..periods import Period, PeriodKind

# Mentors per page: staff may compare the whole school at once.
CONSISTENCY_MENTORS_PER_PAGE = 25


@require_GET
@role_required(*consistency.CONSISTENCY_ROLES)
def review_consistency(request: HttpRequest) -> HttpResponse:
    """A period's review consistency (``?period=2026-10``, default the current month on
    the reader's calendar) for a supervisor's team, or for staff every mentor or one
    supervisor's team (``?team=``). A period that is no period answers 400, the error
    beside the field."""
    user = request.user
    teams = None
    if user.role == Role.STAFF:
        teams = list(User.objects.filter(role=Role.SUPERVISOR).order_by("display_name", "email"))
    zone = user.zone
    this_month = Period.containing(timezone.localdate(timezone=zone), PeriodKind.MONTH)
    form = ConsistencyFilterForm(
        request.GET or None, teams=teams, initial={"period": this_month.key}
    )
    context: dict = {"form": form, "filtered": form.is_bound}
    if form.is_bound and not form.is_valid():
        return render(request, "metrics/review_consistency.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    period = filters.get("period") or this_month
    start, end = period.bounds(zone)
    supervisor = next((team for team in teams or [] if team.pk == filters.get("team")), None)
    mentor_ids = list(
        consistency.consistency_mentors(
            user, start=start, end=end, supervisor=supervisor
        ).values_list("pk", flat=True)
    )
    result = consistency.review_consistency(mentor_ids=mentor_ids, start=start, end=end)
    page = Paginator(result.mentors, CONSISTENCY_MENTORS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    team = {"team": supervisor.pk} if supervisor is not None else {}
    context.update(
        {
            "period": period,
            "supervisor": supervisor,
            "consistency": replace(result, mentors=list(page.object_list)),
            "page": page,
            "query": urlencode({"period": period.key, **team}),
            "previous_query": urlencode({"period": period.previous().key, **team}),
            "following_query": urlencode({"period": period.following().key, **team}),
        }
    )
    return render(request, "metrics/review_consistency.html", context)
