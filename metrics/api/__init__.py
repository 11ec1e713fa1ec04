"""The metrics' API, one module per resource: ``scorecards`` (mentors' scorecards) and
``analytics`` (a programme's analytics, for staff). The root URLconf includes this
package."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import analytics
from .scorecards import ScorecardViewSet

router = SimpleRouter()
router.register("scorecards", ScorecardViewSet, basename="scorecard")

urlpatterns = [
    *router.urls,
    path(
        "programmes/<int:id>/analytics/",
        analytics.programme_analytics,
        name="programme-analytics",
    ),
]
