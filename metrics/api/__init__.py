"""The metrics' API, included by name in the root URLconf's ``api/v1/``."""

from rest_framework.routers import SimpleRouter

from .scorecards import ScorecardViewSet

router = SimpleRouter()
router.register("scorecards", ScorecardViewSet, basename="scorecard")
urlpatterns = router.urls
