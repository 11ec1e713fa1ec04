"""What the layout needs from the knowledge base on every page."""

import logging

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from mentorship.models import Role, User

from .questions import question_queue

logger = logging.getLogger(__name__)

# The navigation's badge may lag this long behind the queue (the queue page itself
# always counts afresh): at 200,000 questions the count costs a mentor or a supervisor
# about 100 ms, too much to pay on every page.
OPEN_QUESTIONS_SECONDS = 60


def open_questions_count(user: User) -> int:
    """How many questions wait in this person's queue, counted at most once a minute."""
    key = f"knowledge_base:open-questions:{user.pk}"
    try:
        count = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache being down must never fail a page)
        logger.warning("The cache did not answer; counting the open questions afresh.")
        return question_queue(user).count()
    if count is None:
        count = question_queue(user).count()
        try:
            cache.set(key, count, OPEN_QUESTIONS_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("The cache did not answer; the open questions are not kept.")
    return count


def questions(request) -> dict:
    """For those who answer questions: how many wait in their queue (the navigation's
    badge), evaluated only if the layout renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role == Role.STUDENT:
        return {}
    return {"open_questions": SimpleLazyObject(lambda: open_questions_count(user))}
