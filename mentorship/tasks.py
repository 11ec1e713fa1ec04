"""Background jobs about people and notifications. Thin: load by id, call a service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, Notification
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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_notification_email(notification_id: int) -> bool:
    """E-mail a portal notification once (a redelivered task sends no second copy)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.is_active:
        return False
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    with translation.override(notification.user.language):
        body = render_to_string(
            "mentorship/email/notification_body.txt",
            {"notification": notification, "link": link},
        )
    send_mail(notification.title, body, None, [notification.user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail a batch of portal notifications (a digest run's), each once: a retry
    after a mail-server error skips those already sent."""
    return sum(send_notification_email(notification_id) for notification_id in notification_ids)
