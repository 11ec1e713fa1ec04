"""Background jobs of the review loop. Thin: call a service."""

from celery import shared_task

from .services import reviews_remind_overdue


@shared_task(acks_late=True)
def remind_overdue_reviews() -> int:
    """Hourly: nudge mentors about submissions waiting too long (once each)."""
    return reviews_remind_overdue()
