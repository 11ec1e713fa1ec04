"""Background jobs of the knowledge base. Thin: call a service."""

from celery import shared_task

from mentorship.task_options import RETRYING

from .questions import question_reminders_send


@shared_task(**RETRYING)
def remind_waiting_questions() -> int:
    """Hourly: remind mentors of questions waiting too long for an answer, once each
    (claimed by a conditional update before the mentor is told, as the reviews')."""
    return question_reminders_send()
