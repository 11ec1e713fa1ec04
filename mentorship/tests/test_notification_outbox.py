"""The notifications' e-mail outbox (issue 16): the row's e-mail state, queueing that
never fails the request, the claim, retries with growing pauses, giving up, the sweep,
staff's retry, and user text that is never read as a template."""

import logging
import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError

from mentorship import notifications as outbox
from mentorship.models import EmailState, Notification
from mentorship.notifications import (
    EMAIL_MAX_ATTEMPTS,
    NotificationMessage,
    notification_send,
    notifications_email,
    notifications_email_due,
    notifications_email_retry,
    notifications_send,
)
from mentorship.tasks import send_notification_emails
from mentorship.tests.factories import StudentFactory


def _notify(user, **kwargs):
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("title", gettext_lazy("Changes requested on “%(project)s”"))
    kwargs.setdefault("params", {"project": "Portfolio"})
    return notification_send(user=user, **kwargs)


def _written(user, **kwargs) -> Notification:
    """A notification written, its own task not run (as when the broker was down)."""
    return _notify(user, **kwargs)


def _row(notification) -> Notification:
    notification.refresh_from_db()
    return notification


@pytest.fixture
def mail_server_down(monkeypatch):
    """The mail server refuses connections; counts the attempts made."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(outbox, "send_mail", refuse)
    return calls


# --- The state a notification is written with -----------------------------------------


def test_it_writes_the_email_pending_only_for_people_who_want_it(db):
    wants, does_not, left = StudentFactory.create_batch(3)
    does_not.email_notifications = False
    left.is_active = False

    sent = notifications_send(
        messages=[
            NotificationMessage(user=user, kind="test", title="Hello")
            for user in (wants, does_not, left)
        ]
    )

    assert [row.email_state for row in sent] == [
        EmailState.PENDING,
        EmailState.NOT_WANTED,
        EmailState.NOT_WANTED,
    ]
    assert sent[0].email_next_attempt_at > timezone.now()
    assert sent[1].email_next_attempt_at is None


def test_it_sends_marks_sent_and_sends_no_second_copy(student):
    notification = _written(student)

    assert notifications_email(notification_ids=[notification.pk]) == 1
    assert notifications_email(notification_ids=[notification.pk]) == 0

    row = _row(notification)
    assert (row.email_state, row.email_attempts, row.email_claim) == (EmailState.SENT, 1, "")
    assert row.emailed_at is not None
    assert row.email_claimed_until is None
    assert [message.to for message in mail.outbox] == [[student.email]]


def test_it_does_not_email_someone_who_turned_email_off_since(student):
    notification = _written(student)
    student.email_notifications = False
    student.save()

    assert notifications_email(notification_ids=[notification.pk]) == 0

    assert _row(notification).email_state == EmailState.NOT_WANTED
    assert mail.outbox == []


# --- Queueing never fails the request -------------------------------------------------


def test_it_leaves_the_rows_pending_and_warns_when_the_broker_is_down(
    student, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_notification_emails, "delay", broker_down)

    with (
        caplog.at_level(logging.WARNING, logger="mentorship.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(student)

    assert _row(notification).email_state == EmailState.PENDING
    assert mail.outbox == []
    assert "stay pending" in caplog.text

    # The sweep sends it once its own task's time is past.
    assert notifications_email_due(now=timezone.now() + timedelta(minutes=6)) == 1
    assert _row(notification).email_state == EmailState.SENT
    assert len(mail.outbox) == 1


def test_it_queues_one_task_for_a_batch(db, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(send_notification_emails, "delay", queued.append)
    users = StudentFactory.create_batch(30)

    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications_send(
            messages=[NotificationMessage(user=user, kind="test", title="Hi") for user in users]
        )

    assert queued == [[row.pk for row in sent]]


# --- The claim ------------------------------------------------------------------------


def test_a_second_claim_of_the_same_rows_gets_none(student):
    rows = [_written(student).pk for _ in range(3)]
    now = timezone.now()

    first_claim, first = outbox._email_claim(rows, now=now)
    second_claim, second = outbox._email_claim(rows, now=now)

    assert first == sorted(rows)
    assert second == []
    assert first_claim != second_claim
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}


def test_a_claim_held_by_another_attempt_is_not_sent_by_the_task(student):
    notification = _written(student)
    outbox._email_claim([notification.pk], now=timezone.now())

    assert notifications_email(notification_ids=[notification.pk]) == 0
    assert mail.outbox == []


def test_a_claim_whose_worker_died_is_taken_again_when_it_runs_out(student):
    notification = _written(student)
    outbox._email_claim([notification.pk], now=timezone.now())  # the worker died here

    later = timezone.now() + outbox.EMAIL_CLAIM_LEASE + timedelta(seconds=1)
    assert notifications_email_due(now=later - timedelta(minutes=1)) == 0  # still held
    assert notifications_email_due(now=later) == 1

    row = _row(notification)
    assert (row.email_state, row.email_attempts) == (EmailState.SENT, 2)


def test_an_attempt_whose_claim_was_taken_over_does_not_mark_the_row(student):
    notification = _written(student)
    old_claim, _ = outbox._email_claim([notification.pk], now=timezone.now())
    later = timezone.now() + outbox.EMAIL_CLAIM_LEASE + timedelta(seconds=1)
    new_claim, won = outbox._email_claim([notification.pk], now=later)
    assert won == [notification.pk]

    outbox._email_release(notification, old_claim, state=EmailState.SENT)

    row = _row(notification)
    assert (row.email_state, row.email_claim) == (EmailState.PENDING, new_claim)


# --- The sweep ------------------------------------------------------------------------


def test_the_sweep_leaves_a_fresh_row_to_its_own_task(student):
    notification = _written(student)

    assert notifications_email_due() == 0
    assert _row(notification).email_state == EmailState.PENDING


def test_sweeping_twice_sends_each_row_once(db):
    users = StudentFactory.create_batch(3)
    for user in users:
        for _ in range(15):  # more than a chunk
            _written(user)
    later = timezone.now() + timedelta(minutes=6)

    assert notifications_email_due(now=later) == 45
    assert notifications_email_due(now=later) == 0

    assert len(mail.outbox) == 45
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_the_sweep_stops_at_its_limit_and_the_next_goes_on(student):
    for _ in range(5):
        _written(student)
    later = timezone.now() + timedelta(minutes=6)

    assert notifications_email_due(now=later, limit=3) == 3
    assert notifications_email_due(now=later, limit=3) == 2
    assert len(mail.outbox) == 5


# --- Mail-server errors: retries and giving up ----------------------------------------


def test_it_retries_with_growing_pauses_then_gives_up(student, mail_server_down):
    notification = _written(student)
    start = notification.email_next_attempt_at  # the sweep's first look

    assert notifications_email_due(now=start) == 0
    row = _row(notification)
    assert (row.email_state, row.email_attempts) == (EmailState.PENDING, 1)
    assert "Connection refused" in row.email_error
    assert row.email_claim == ""

    pauses = []
    moment = start
    while row.email_state == EmailState.PENDING:
        pauses.append(row.email_next_attempt_at - moment)
        # Not before the pause is over...
        assert notifications_email_due(now=row.email_next_attempt_at - timedelta(seconds=1)) == 0
        assert _row(row).email_attempts == len(pauses)
        # ...then once.
        moment = row.email_next_attempt_at
        notifications_email_due(now=moment)
        row = _row(row)

    assert row.email_state == EmailState.FAILED
    assert row.email_attempts == EMAIL_MAX_ATTEMPTS == len(mail_server_down)
    assert "Connection refused" in row.email_error
    assert row.email_next_attempt_at is None
    # Each pause is longer than the one before (5 min, 30 min, 2 h, 12 h).
    assert [round(pause.total_seconds() / 60) for pause in pauses] == [5, 30, 120, 720]
    assert notifications_email_due(now=moment + timedelta(days=30)) == 0
    assert len(mail_server_down) == EMAIL_MAX_ATTEMPTS


def test_a_down_mail_server_costs_one_try_per_batch_not_one_per_row(db, mail_server_down):
    rows = [_written(user).pk for user in StudentFactory.create_batch(50)]

    assert notifications_email(notification_ids=rows) == 0

    assert len(mail_server_down) == 1
    states = Notification.objects.values_list("email_state", "email_attempts")
    # The first chunk was tried and waits for a retry; the rest wait for the sweep.
    assert sorted(set(states)) == [(EmailState.PENDING, 0), (EmailState.PENDING, 1)]


def test_a_refused_recipient_fails_only_their_row(db, monkeypatch):
    refused, fine = StudentFactory.create_batch(2)
    real_send_mail = outbox.send_mail

    def send_mail(subject, body, sender, to):
        if to == [refused.email]:
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"No such user")})
        return real_send_mail(subject, body, sender, to)

    monkeypatch.setattr(outbox, "send_mail", send_mail)
    first, second = _written(refused), _written(fine)

    assert notifications_email(notification_ids=[first.pk, second.pk]) == 1

    assert _row(first).email_state == EmailState.PENDING
    assert "No such user" in _row(first).email_error
    assert _row(second).email_state == EmailState.SENT


def test_it_gives_up_on_a_row_whose_last_attempt_never_finished(student):
    notification = _written(student)
    Notification.objects.filter(pk=notification.pk).update(
        email_attempts=EMAIL_MAX_ATTEMPTS,
        email_claim="dead",
        email_claimed_until=timezone.now() - timedelta(minutes=1),
    )

    assert notifications_email_due() == 0

    row = _row(notification)
    assert row.email_state == EmailState.FAILED
    assert "did not finish" in row.email_error
    assert mail.outbox == []


def test_staff_retry_sends_a_failed_email_again(student, django_capture_on_commit_callbacks):
    notification, sent_already = _written(student), _written(student)
    Notification.objects.filter(pk=notification.pk).update(
        email_state=EmailState.FAILED, email_attempts=EMAIL_MAX_ATTEMPTS, email_error="x"
    )
    Notification.objects.filter(pk=sent_already.pk).update(email_state=EmailState.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        retried = notifications_email_retry(notification_ids=[notification.pk, sent_already.pk])

    assert retried == 1
    row = _row(notification)
    assert (row.email_state, row.email_attempts) == (EmailState.SENT, 1)
    assert len(mail.outbox) == 1


# --- What people typed is never the template ------------------------------------------


@pytest.mark.parametrize("typed", ["100% - done soon", "%(title)s", "%s %d %"])
def test_it_keeps_percent_signs_people_typed(student, typed):
    notification = _notify(
        student,
        title=gettext_lazy("Your proposal “%(title)s” is now: %(status)s"),
        body=gettext_lazy("Reply: %(reply)s"),
        params={"title": "Dark mode", "status": "Accepted", "reply": typed},
    )

    assert notification.body == f"Reply: {typed}"


def test_it_refuses_plain_text_as_a_template_to_fill(student):
    with pytest.raises(TypeError, match="lazy translatable"):
        _notify(student, title="Hello", body="Typed by someone", params={"x": 1})

    assert not Notification.objects.exists()


def test_it_takes_rendered_text_as_it_is(student):
    notification = _notify(student, title="100% done: %(title)s", params={})

    assert notification.title == "100% done: %(title)s"


# --- The admin ------------------------------------------------------------------------


def test_staff_filter_notifications_by_email_state_and_retry_failed_ones(
    client, as_user, student, django_capture_on_commit_callbacks
):
    failed, pending = _written(student), _written(student)
    Notification.objects.filter(pk=failed.pk).update(
        email_state=EmailState.FAILED, email_attempts=EMAIL_MAX_ATTEMPTS, email_error="Refused"
    )
    as_user("staff")
    url = reverse("admin:mentorship_notification_changelist")

    response = client.get(url, {"email_state__exact": EmailState.FAILED})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]
    change = client.get(reverse("admin:mentorship_notification_change", args=[failed.pk]))
    assert change.status_code == 200
    assert "Refused" in change.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "email_retry", "_selected_action": [failed.pk, pending.pk]}
        )

    assert response.status_code == 302
    assert _row(failed).email_state == EmailState.SENT
    assert _row(pending).email_state == EmailState.PENDING  # its own task's business


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor"])
def test_only_staff_see_the_notification_admin(client, as_user, role):
    as_user(role)

    response = client.get(reverse("admin:mentorship_notification_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db(transaction=True)
def test_claims_racing_for_the_same_rows_share_them_out_without_overlap(monkeypatch):
    """Four attempts claim the same fifty rows at the same moment, each in its own
    thread and connection: every row is won by exactly one."""
    monkeypatch.setattr(send_notification_emails, "delay", lambda ids: None)  # no own task
    user = StudentFactory()
    rows = [_written(user).pk for _ in range(50)]
    won: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def claim(index: int) -> None:
        try:
            start.wait()
            won[index] = outbox._email_claim(rows, now=timezone.now())[1]
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(pk for claimed in won for pk in claimed) == sorted(rows)
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_an_outcome_meeting_a_lock_is_written_once_the_lock_is_gone(student, monkeypatch):
    """Outside a transaction, as in a worker: another sweep's lock on the table (SQLite
    locks a whole table) does not lose the outcome of an e-mail already sent, which
    would send it again once the claim runs out."""
    from django.db import OperationalError as DatabaseError
    from django.db.models.query import QuerySet

    real_update = QuerySet.update
    locked = []

    def update_meeting_a_lock(queryset, **changes):
        if changes.get("email_state") == EmailState.SENT and len(locked) < 2:
            locked.append(changes)
            raise DatabaseError("database table is locked: mentorship_notification")
        return real_update(queryset, **changes)

    monkeypatch.setattr(QuerySet, "update", update_meeting_a_lock)
    monkeypatch.setattr(outbox, "LOCKED_PAUSE_SECONDS", 0)

    # Written and committed: its own task (eager here) sends it at once.
    notification = _notify(student)

    assert len(locked) == 2
    assert (_row(notification).email_state, len(mail.outbox)) == (EmailState.SENT, 1)
    assert notifications_email_due(now=timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
