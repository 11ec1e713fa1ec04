"""Background jobs of the review loop. Thin: call a service."""

from celery import shared_task

from mentorship.task_options import RETRYING

from .services import reviews_remind_overdue


@shared_task(**RETRYING)
def remind_overdue_reviews() -> int:
    """Hourly: nudge mentors about submissions waiting too long, once each: a
    submission is marked reminded in the transaction that notifies, by a conditional
    update, so a repeat or a second worker at once finds it taken."""
    return reviews_remind_overdue()
