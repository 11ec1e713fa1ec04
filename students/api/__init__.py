"""The students' API, one module per resource: ``students`` (profile, progress and
activity series), ``events`` (the learning platform's activity), ``flags`` (at-risk
flags) and ``sessions`` (1:1 sessions). The root URLconf includes this package."""

from mentorship.api_routers import IdRouter

from .events import ActivityEventViewSet
from .flags import RiskFlagViewSet
from .sessions import SessionViewSet
from .students import StudentViewSet

router = IdRouter()
router.register("students", StudentViewSet, basename="student")
router.register("events", ActivityEventViewSet, basename="event")
router.register("flags", RiskFlagViewSet, basename="flag")
router.register("sessions", SessionViewSet, basename="session")
urlpatterns = router.urls
