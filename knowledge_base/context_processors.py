"""What the layout needs from the knowledge base on every page."""

from django.utils.functional import SimpleLazyObject

from mentorship.models import Role

from .questions import question_queue


def questions(request) -> dict:
    """For those who answer questions: how many wait in their queue (the navigation's
    badge). One COUNT, evaluated only if the layout renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role == Role.STUDENT:
        return {}
    return {"open_questions": SimpleLazyObject(lambda: question_queue(user).count())}
