"""The metrics' API, one module per resource: ``scorecards`` (mentors' scorecards) and
``analytics`` (a programme's analytics, for staff). The root URLconf includes this
package."""

from django.urls import path

from mentorship.api_routers import IdRouter

from . import analytics
from .scorecards import ScorecardViewSet

router = IdRouter()
router.register("scorecards", ScorecardViewSet, basename="scorecard")

urlpatterns = [
    *router.urls,
    path(
        "programmes/<id:id>/analytics/",
        analytics.programme_analytics,
        name="programme-analytics",
    ),
]
