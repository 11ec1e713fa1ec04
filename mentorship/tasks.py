"""Background jobs about people. Thin: load by id, call a service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, Notification, User
from .selectors import last_complete_week_start
from .services import invitations_purge_expired, sessions_send_reminders, weekly_report_draft

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
            "url": settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token]),
        }
        subject = render_to_string("mentorship/email/invitation_subject.txt", context)
        body = render_to_string("mentorship/email/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


@shared_task(acks_late=True)
def purge_expired_invitations() -> int:
    """Housekeeping: drop invitations that expired long ago. Safe to run twice."""
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


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Every 15 minutes: remind both people of sessions starting within 24 hours.
    Each session is reminded once, however often this runs or overlaps."""
    return sessions_send_reminders()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def draft_weekly_reports() -> int:
    """Mondays: draft each active mentor's report of their last complete week (or
    refresh it while it is a draft). Running twice changes nothing. One mentor's
    failure does not stop the others: it is logged, and a database error makes the
    whole run retry once the others are done (drafting is idempotent). Returns how
    many reports were drafted or refreshed."""
    now = timezone.now()
    drafted, retry_error = 0, None
    for mentor_id in User.objects.mentors().order_by("pk").values_list("pk", flat=True):
        try:
            mentor = User.objects.get(pk=mentor_id)
            weekly_report_draft(mentor=mentor, week_start=last_complete_week_start(mentor, now))
        except OperationalError as error:
            logger.warning("Database error drafting the weekly report of mentor %s", mentor_id)
            retry_error = error
        except Exception:
            logger.exception("Could not draft the weekly report of mentor %s", mentor_id)
        else:
            drafted += 1
    if retry_error is not None:
        raise retry_error
    return drafted
