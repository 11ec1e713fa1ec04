"""Background jobs about people and notifications. Thin: load by id, call a service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation
from .notifications import notifications_email, notifications_email_due
from .services import invitations_purge_expired
from .task_options import RETRYING

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """E-mail the invitation link once. Does nothing if the invitation is gone, used,
    or already e-mailed (a redelivered task sends no second copy)."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable or invitation.sent_at:
        return False
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("mentorship:invitation_accept", args=[token]),
        }
        subject = render_to_string("mentorship/email/invitation_subject.txt", context)
        body = render_to_string("mentorship/email/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


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
