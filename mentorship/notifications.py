"""Notifications: written in the portal in the recipient's language, e-mailed by a
Celery task once the transaction that caused them commits."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation

from .models import (
    Notification,
    User,
)


def notification_send(
    *,
    user: User,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
) -> Notification:
    """Tell someone something in the portal, and by e-mail (after commit, by Celery)
    if they want e-mail. ``title`` and ``body`` are lazy translatable strings with
    named placeholders filled from ``params``, rendered in the recipient's language."""
    (notification,) = notifications_send(
        messages=[
            NotificationMessage(
                user=user, kind=kind, title=title, body=body, url=url, params=params or {}
            )
        ]
    )
    return notification


@dataclass
class NotificationMessage:
    """One notification to send with ``notifications_send``."""

    user: User
    kind: str
    title: object  # a lazy translatable string, or text already in the recipient's language
    body: object = ""
    url: str = ""
    params: dict = field(default_factory=dict)


def notifications_send(*, messages: list[NotificationMessage]) -> list[Notification]:
    """``notification_send`` for many people at once (a nightly digest to thousands of
    mentors): each rendered in its recipient's language, written in one insert, and
    e-mailed by one task after commit."""
    from .tasks import send_notification_emails

    by_language: dict[str, list[NotificationMessage]] = {}
    for message in messages:
        by_language.setdefault(message.user.language, []).append(message)
    rendered: dict[int, Notification] = {}
    for language, in_language in by_language.items():
        with translation.override(language):
            for message in in_language:
                params = message.params
                rendered[id(message)] = Notification(
                    user=message.user,
                    kind=message.kind,
                    # ``lazy % params`` rather than ``str(lazy) % params``: a lazy
                    # plural (ngettext_lazy with a named count) picks its form there.
                    title=str(message.title % params) if params else str(message.title),
                    body=(str(message.body % params) if params else str(message.body))
                    if message.body
                    else "",
                    url=message.url,
                )
    notifications = [rendered[id(message)] for message in messages]
    Notification.objects.bulk_create(notifications)
    to_email = [
        notification.pk
        for notification, message in zip(notifications, messages, strict=True)
        if message.user.email_notifications and message.user.is_active
    ]
    if to_email:
        transaction.on_commit(lambda: send_notification_emails.delay(to_email))
    return notifications


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read."""
    unread = Notification.objects.unread().filter(user=user)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
