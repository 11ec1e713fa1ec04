"""Background jobs about people and notifications. Thin: load by id, call a service."""

from celery import shared_task

from .notifications import notifications_email, notifications_email_due
from .services import invitation_email, invitations_email_due, invitations_purge_expired
from .task_options import RETRYING
from .uploads import pending_uploads_sweep


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_invitation_email(invitation_id: int, token: str = "") -> bool:
    """E-mail the invitation link once (``invitation_email``): a redelivered task sends
    no second copy. ``token`` only in messages queued by an older release."""
    return invitation_email(invitation_id=invitation_id, token=token)


@shared_task(acks_late=True, ignore_result=True)
def send_due_invitation_emails() -> int:
    """Beat, every few minutes: invitations whose own task was lost (the broker was
    down). Safe to run twice: an invitation e-mailed is skipped."""
    return invitations_email_due()


@shared_task(**RETRYING)
def purge_expired_invitations() -> int:
    """Housekeeping: drop invitations that expired long ago. Safe to run twice or at
    once: a second delete finds nothing left."""
    return invitations_purge_expired()


# The e-mail tasks do not retry themselves: a row a mail-server error left pending is
# retried by the sweep after its pause (mentorship.notifications). Nobody reads their
# results.
@shared_task(acks_late=True, ignore_result=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail a batch of pending notifications (one request's, or a digest run's),
    each once: rows already sent or held by another attempt are skipped, so a
    redelivered task, or the sweep running beside it, sends no second copy."""
    return notifications_email(notification_ids=notification_ids)


@shared_task(acks_late=True, ignore_result=True)
def send_notification_email(notification_id: int) -> int:
    """One notification's e-mail; kept so that messages queued by an older release
    still run."""
    return notifications_email(notification_ids=[notification_id])


@shared_task(acks_late=True, ignore_result=True)
def send_due_notification_emails() -> int:
    """Beat, every few minutes: the outbox's sweep, sending pending e-mails that their
    own task did not (the broker was down, the worker died) and retries whose pause is
    over. Safe to run twice or on two workers at once."""
    return notifications_email_due()


@shared_task(ignore_result=True, **RETRYING)
def sweep_pending_uploads() -> int:
    """Beat, hourly: drop the files kept from refused forms once a day old
    (``mentorship.uploads``). Safe to run twice or at once: a second sweep finds
    nothing left, and a file already gone is no error."""
    return pending_uploads_sweep()
