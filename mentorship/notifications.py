"""Notifications: kept as untranslated messages with their params, read in the portal in
the reader's language of the moment, and e-mailed from an outbox in the recipient's
language at the time of sending.

The notification row is the outbox. It is written in the same transaction as whatever
caused it, with its e-mail *pending* when the recipient wants e-mail. After commit one
task per batch is queued to send it; if the broker cannot be reached the request still
succeeds and the rows stay pending. A beat task (``send_due_notification_emails``, every
few minutes) sends pending rows that nothing sent within ``EMAIL_SWEEP_GRACE`` and the
retries that are due.

Each attempt first *claims* its rows with one conditional UPDATE (pending, and not held
by another attempt whose claim is still running), so two workers, a task and the sweep,
or two sweeps never send the same row: the second UPDATE finds the rows already taken.
The claim works alike on PostgreSQL and SQLite. A mail-server error puts the row back to
pending with a longer pause each time (``EMAIL_RETRY_PAUSES``); after the last attempt
it is *failed* with the error, and staff may retry it from the admin.

The one duplicate left: a worker that dies after the mail server accepted a message and
before the row is marked sent. Its claim runs out and the sweep sends the message again.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from .messages import message_from_lazy
from .models import (
    EmailState,
    Notification,
    User,
)
from .queueing import task_enqueue

logger = logging.getLogger(__name__)

# A row's own task normally sends it within seconds; the sweep leaves it to that task
# for this long, so the two seldom race (and when they do the claim decides).
EMAIL_SWEEP_GRACE = timedelta(minutes=5)
# How long an attempt holds its rows: far longer than sending one chunk takes (a chunk
# of EMAIL_CHUNK messages, each bounded by the mail connection's timeout). An attempt
# whose worker died gives its rows back when this runs out.
EMAIL_CLAIM_LEASE = timedelta(minutes=15)
EMAIL_CHUNK = 20
# The pause after each failed attempt; the attempt after the last pause is the last.
EMAIL_RETRY_PAUSES = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
EMAIL_MAX_ATTEMPTS = len(EMAIL_RETRY_PAUSES) + 1
# How many rows one sweep sends at most; the next sweep goes on with the rest.
EMAIL_SWEEP_LIMIT = 2000


# --- Writing notifications ------------------------------------------------------------


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
    if they want e-mail. ``title`` and ``body`` are lazy translatable strings of the code
    (``gettext_lazy``, ``ngettext_lazy`` with a named number, ``pgettext_lazy``) with
    named placeholders filled from ``params``: the row keeps them untranslated and each
    reader reads them in their language of the moment (mentorship.messages). ``params``
    are JSON: names and what people typed as plain text (never in ``title`` or
    ``body``: a ``%`` in it would be read as a placeholder), translatable ones as
    ``choice_param``, ``translated_param``, ``date_param``... so they follow the
    reader's language too (a lazy string given as a param is kept as a message; a
    person or anything else not JSON, as its text)."""
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
    title: object  # a lazy translatable string (or plain text, kept as written)
    body: object = ""
    url: str = ""
    params: dict = field(default_factory=dict)


def _message(template, params: dict) -> dict | None:
    """The untranslated message of a title or body; None for plain text, which is
    kept as written. Plain text filled from ``params`` is refused outright: it would
    read a ``%`` someone typed as a placeholder (issue 16)."""
    if isinstance(template, Promise):
        return message_from_lazy(template)
    if params:
        raise TypeError(
            "A notification's title or body filled from params must be a lazy "
            "translatable string; pass what people typed as a parameter."
        )
    return None


def _stored_params(params: dict) -> dict:
    """The params as JSON: a lazy translatable string becomes a message, rendered in
    the reader's language like the title; anything else that is not JSON (a person, a
    date) is stored as its text, as ``%s`` would have shown it."""
    stored = {}
    for name, value in params.items():
        if isinstance(value, Promise):
            stored[name] = {"message": message_from_lazy(value), "params": {}}
        elif value is None or isinstance(value, (str, int, float, bool, dict, list)):
            stored[name] = value
        else:
            stored[name] = str(value)
    return stored


def _notification(message: NotificationMessage, now) -> Notification:
    """The row of one message: its untranslated title and body, and the text as written
    in the recipient's language (rendered under ``translation.override`` by the caller)."""
    title = _message(message.title, message.params)
    body = _message(message.body, message.params) if message.body else None
    wants_email = message.user.email_notifications and message.user.is_active
    if title is None and body is None:
        stored = None
    else:
        stored = {"title": title or {"msgid": str(message.title)}}
        if message.body:
            stored["body"] = body or {"msgid": str(message.body)}
    notification = Notification(
        user=message.user,
        kind=message.kind,
        message=stored,
        params=_stored_params(message.params),
        url=message.url,
        email_state=EmailState.PENDING if wants_email else EmailState.NOT_WANTED,
        email_next_attempt_at=now + EMAIL_SWEEP_GRACE if wants_email else None,
    )
    notification.written_title = notification.title if stored else str(message.title)
    notification.written_body = notification.body if stored else str(message.body or "")
    return notification


def notifications_send(*, messages: list[NotificationMessage]) -> list[Notification]:
    """``notification_send`` for many people at once (a nightly digest to thousands of
    mentors): each kept untranslated with the text as written in its recipient's
    language, written in one insert (the e-mail of those who want one pending in the
    same rows), and e-mailed by one task after commit."""
    now = timezone.now()
    by_language: dict[str, list[NotificationMessage]] = {}
    for message in messages:
        by_language.setdefault(message.user.language, []).append(message)
    rendered: dict[int, Notification] = {}
    for language, in_language in by_language.items():
        with translation.override(language):
            for message in in_language:
                rendered[id(message)] = _notification(message, now)
    notifications = [rendered[id(message)] for message in messages]
    Notification.objects.bulk_create(notifications)
    to_email = [
        notification.pk
        for notification in notifications
        if notification.email_state == EmailState.PENDING
    ]
    if to_email:
        transaction.on_commit(lambda: notifications_email_enqueue(notification_ids=to_email))
    return notifications


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read."""
    unread = Notification.objects.unread().filter(user=user)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# --- E-mailing them -------------------------------------------------------------------


def notifications_email_enqueue(*, notification_ids: list[int]) -> bool:
    """Queue one task to e-mail these pending notifications. Called after commit, so
    what caused them is saved whatever happens here: when the broker cannot be
    reached, say so in the log and leave the rows pending for the sweep. Returns
    whether the task was queued."""
    from .tasks import send_notification_emails

    if task_enqueue(send_notification_emails, notification_ids):
        return True
    logger.warning(
        "The e-mails of %d notification(s) stay pending; the sweep will send them.",
        len(notification_ids),
    )
    return False


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail these notifications (a batch's own task), each once: rows already sent,
    held by another attempt, or waiting for a retry's pause are left alone. Returns
    how many were sent."""
    sent = 0
    for start in range(0, len(notification_ids), EMAIL_CHUNK):
        now = timezone.now()
        chunk = Notification.objects.filter(
            Q(email_attempts=0) | Q(email_next_attempt_at__lte=now),
            pk__in=notification_ids[start : start + EMAIL_CHUNK],
        )
        claim, claimed = _email_claim(list(chunk.values_list("pk", flat=True)), now=now)
        chunk_sent, server_down = _email_send_claimed(claim, claimed, now=now)
        sent += chunk_sent
        if server_down:
            break  # the rest stay pending: the sweep sends them once the server is back
    return sent


def notifications_email_due(*, now=None, limit: int = EMAIL_SWEEP_LIMIT) -> int:
    """The sweep: e-mail pending notifications whose time has come (their own task did
    not send them within ``EMAIL_SWEEP_GRACE``, or a retry's pause is over), a chunk at
    a time, at most ``limit``; and give up on rows whose last attempt never finished.
    Safe to run twice or on two workers at once. Returns how many were sent."""
    _email_abandoned_fail(now=now or timezone.now())
    sent = attempted = 0
    while attempted < limit:
        moment = now or timezone.now()
        due_rows = (
            Notification.objects.filter(
                _email_free(moment),
                email_state=EmailState.PENDING,
                email_next_attempt_at__lte=moment,
            )
            .order_by("email_next_attempt_at", "pk")
            .values_list("pk", flat=True)[: min(EMAIL_CHUNK, limit - attempted)]
        )
        due = _despite_locks(partial(list, due_rows))
        if not due:
            break
        attempted += len(due)
        # Another sweep may win some or all of them: the next look skips those.
        claim, claimed = _email_claim(due, now=moment)
        chunk_sent, server_down = _email_send_claimed(claim, claimed, now=moment)
        sent += chunk_sent
        if server_down:
            break
    return sent


def notifications_email_retry(*, notification_ids: list[int]) -> int:
    """Staff send failed e-mails again (the admin's action): they are pending once more
    with their attempts counted afresh, and queued after commit. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        failed = Notification.objects.select_for_update().filter(
            pk__in=notification_ids, email_state=EmailState.FAILED
        )
        ids = list(failed.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(
            email_state=EmailState.PENDING,
            email_attempts=0,
            email_next_attempt_at=now + EMAIL_SWEEP_GRACE,
            email_claim="",
            email_claimed_until=None,
        )
        if ids:
            transaction.on_commit(lambda: notifications_email_enqueue(notification_ids=ids))
    return len(ids)


def _email_free(now) -> Q:
    """Rows no attempt holds: never claimed, or the claim ran out (its worker died),
    and not past their last attempt."""
    return Q(email_attempts__lt=EMAIL_MAX_ATTEMPTS) & (
        Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now)
    )


def _email_claim(notification_ids: list[int], *, now) -> tuple[str, list[int]]:
    """Take those of these rows that are still free for this attempt, in one
    conditional UPDATE (pending, and ``_email_free``), counting the attempt. Two
    attempts that race for a row both run the UPDATE; the database lets one through
    and the other's condition no longer holds when it reaches the row, so it gets
    none. Returns the claim and the rows won."""
    claim = uuid.uuid4().hex
    if not notification_ids:
        return claim, []
    _despite_locks(
        lambda: Notification.objects.filter(
            _email_free(now), pk__in=notification_ids, email_state=EmailState.PENDING
        ).update(
            email_claim=claim,
            email_claimed_until=now + EMAIL_CLAIM_LEASE,
            email_attempts=F("email_attempts") + 1,
        )
    )
    won = Notification.objects.filter(pk__in=notification_ids, email_claim=claim)
    return claim, sorted(_despite_locks(lambda: list(won.values_list("pk", flat=True))))


def _email_send_claimed(claim: str, notification_ids: list[int], *, now) -> tuple[int, bool]:
    """Send the rows this attempt claimed, marking each sent as soon as the mail server
    took it. A recipient refused fails that row; any other mail error means the server
    is down: the rest of the chunk fails this attempt too and the caller stops. Returns
    (sent, server down). A retry's pause counts from ``now``, when the rows were
    claimed."""
    sent = 0
    notifications = Notification.objects.filter(
        pk__in=notification_ids, email_claim=claim
    ).select_related("user")
    remaining = sorted(
        _despite_locks(partial(list, notifications)), key=lambda notification: notification.pk
    )
    while remaining:
        notification = remaining.pop(0)
        user = notification.user
        if not (user.is_active and user.email_notifications and user.email):
            # They left, or turned e-mail off, since: their wish of now counts.
            _email_release(notification, claim, state=EmailState.NOT_WANTED)
            continue
        try:
            _email_deliver(notification)
        except smtplib.SMTPRecipientsRefused as error:
            _email_failed(notification, claim, error, now=now)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("The mail server failed (%s); e-mails wait for a retry.", error)
            for unsent in [notification, *remaining]:
                _email_failed(unsent, claim, error, now=now)
            return sent, True
        else:
            _email_release(notification, claim, state=EmailState.SENT, emailed_at=timezone.now())
            sent += 1
    return sent, False


def _email_deliver(notification: Notification) -> None:
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    # In the recipient's language of now, which may not be the one of when it was sent.
    with translation.override(notification.user.language):
        subject = notification.title
        body = render_to_string(
            "mentorship/email/notification_body.txt",
            {"notification": notification, "link": link},
        )
    send_mail(subject, body, None, [notification.user.email])


# A statement of the outbox that meets a lock (SQLite locks a whole table while another
# sweep writes it) is tried again this many times, a moment apart, rather than failing
# the sweep: above all the outcome of an e-mail the mail server has already taken,
# which, not written, would send it again once the claim runs out.
LOCKED_TRIES = 5
LOCKED_PAUSE_SECONDS = 0.2


def _despite_locks(statement):
    """``statement()``, tried again while the database answers that it is locked;
    only outside a transaction, where a failed statement can be run again alone."""
    outside_transaction = not transaction.get_connection().in_atomic_block
    for tried in range(1, LOCKED_TRIES + 1):
        try:
            return statement()
        except OperationalError as error:
            if tried == LOCKED_TRIES or not outside_transaction or "locked" not in str(error):
                raise
            time.sleep(LOCKED_PAUSE_SECONDS * tried)
    return None  # not reached: the last try returns or raises


def _email_release(notification: Notification, claim: str, *, state, **changes) -> None:
    """Record the outcome, only if this attempt still holds the row."""
    next_attempt_at = changes.pop("email_next_attempt_at", None)
    _despite_locks(
        lambda: Notification.objects.filter(pk=notification.pk, email_claim=claim).update(
            email_state=state,
            email_claim="",
            email_claimed_until=None,
            email_next_attempt_at=next_attempt_at,
            **changes,
        )
    )


def _email_failed(notification: Notification, claim: str, error: Exception, *, now) -> None:
    """A failed attempt: pending again after the next pause, or failed for good after
    the last attempt. The error is kept for staff."""
    text = f"{type(error).__name__}: {error}"[:2000]
    attempts = notification.email_attempts  # counted when claimed
    if attempts >= EMAIL_MAX_ATTEMPTS:
        _email_release(notification, claim, state=EmailState.FAILED, email_error=text)
    else:
        _email_release(
            notification,
            claim,
            state=EmailState.PENDING,
            email_error=text,
            email_next_attempt_at=now + EMAIL_RETRY_PAUSES[attempts - 1],
        )


def _email_abandoned_fail(*, now) -> int:
    """Rows whose last attempt was claimed and never finished (its worker died each
    time) are failed, not claimed again forever."""
    return _despite_locks(
        partial(
            Notification.objects.filter(
                email_state=EmailState.PENDING,
                email_attempts__gte=EMAIL_MAX_ATTEMPTS,
                email_claimed_until__lt=now,
            ).update,
            email_state=EmailState.FAILED,
            email_claim="",
            email_claimed_until=None,
            email_next_attempt_at=None,
            email_error="The last attempt did not finish (its worker stopped).",
        )
    )
