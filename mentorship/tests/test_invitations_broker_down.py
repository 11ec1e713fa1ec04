"""An invitation survives a broker that is down (issue 16): the staff member's request
succeeds, and the sweep e-mails the link later. The token never travels through the
broker: the sweep derives it again from the invitation's seed and the secret key."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from mentorship import services, tasks
from mentorship.models import Invitation, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_invitation_email, "delay", refuse)


def test_staff_invite_while_the_broker_is_down_and_the_sweep_sends_the_link(
    client, as_user, broker_down, django_capture_on_commit_callbacks
):
    as_user("staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:invitation_list"),
            {"email": "nina@example.test", "role": Role.STUDENT, "language": "en"},
        )

    assert response.status_code == 302  # was a 500: the e-mail's task could not be queued
    invitation = Invitation.objects.get()
    assert (invitation.sent_at, mail.outbox) == (None, [])

    # Within its own task's few minutes the sweep leaves it alone; after, it sends it.
    assert services.invitations_email_due() == 0
    later = timezone.now() + timedelta(minutes=6)
    assert services.invitations_email_due(now=later) == 1
    assert services.invitations_email_due(now=later) == 0  # once
    (message,) = mail.outbox
    link = message.body.split(settings.SITE_URL, 1)[1].split()[0]
    token = link.removeprefix("/invitations/").strip("/")
    assert services.invitation_for_token(token=token) == invitation
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_task_carries_only_the_invitation_id(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        tasks.send_invitation_email, "delay", lambda *args, **kwargs: queued.append((args, kwargs))
    )

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            email="nina@example.test", role=Role.STUDENT, invited_by=staff
        )

    assert queued == [((invitation.pk,), {})]
    assert token not in repr(queued)
    assert token not in repr(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_the_sweep_leaves_used_expired_and_seedless_invitations(staff):
    used, _token = services.invitation_create(
        email="used@example.test", role=Role.STUDENT, invited_by=staff
    )
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    expired, _token = services.invitation_create(
        email="late@example.test", role=Role.STUDENT, invited_by=staff
    )
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )
    older, _token = services.invitation_create(
        email="older@example.test", role=Role.STUDENT, invited_by=staff
    )
    # Made before invitations kept a seed: its token was only in its own task.
    Invitation.objects.filter(pk=older.pk).update(token_seed="")

    assert services.invitations_email_due(now=timezone.now() + timedelta(minutes=6)) == 0
    assert mail.outbox == []


def test_a_changed_secret_key_sends_no_link_that_would_not_open(staff):
    invitation, _token = services.invitation_create(
        email="nina@example.test", role=Role.STUDENT, invited_by=staff
    )

    with override_settings(SECRET_KEY="another-key-" + "x" * 50):
        sent = services.invitations_email_due(now=timezone.now() + timedelta(minutes=6))

    assert (sent, mail.outbox) == (0, [])


def test_a_task_queued_by_the_previous_release_still_sends_its_token(staff):
    invitation, token = services.invitation_create(
        email="nina@example.test", role=Role.STUDENT, invited_by=staff
    )
    Invitation.objects.filter(pk=invitation.pk).update(token_seed="")

    assert tasks.send_invitation_email(invitation.pk, token) is True
    assert f"/invitations/{token}/" in mail.outbox[0].body
