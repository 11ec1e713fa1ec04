"""Background jobs of the knowledge base. Thin: call a service."""

from celery import shared_task

from .questions import question_reminders_send


@shared_task(acks_late=True)
def remind_waiting_questions() -> int:
    """Hourly: remind mentors of questions waiting too long for an answer (once each)."""
    return question_reminders_send()
