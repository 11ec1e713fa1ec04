"""The knowledge base's API, one module per resource: ``questions`` (students ask,
mentors and classmates answer, the asker accepts) and ``articles`` (read-only). Both
lists search through ``knowledge_base.search.search`` with ``?search=``, best match
first (``common``). The root URLconf includes this package."""

from mentorship.api_routers import IdRouter

from .articles import ArticleViewSet
from .questions import QuestionViewSet

router = IdRouter()
router.register("questions", QuestionViewSet, basename="question")
router.register("articles", ArticleViewSet, basename="article")
urlpatterns = router.urls
