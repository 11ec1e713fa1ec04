"""Invitations: ``invitation_create``, ``invitation_for_token``, ``invitation_accept``,
``invitation_revoke``, ``invitations_purge_expired`` and the e-mail task."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship import services, tasks
from mentorship.access import NotAllowed
from mentorship.models import Invitation, MentorProfile, Role, StudentProfile, User
from mentorship.tests.factories import InvitationFactory


@pytest.fixture
def invite(staff, django_capture_on_commit_callbacks):
    """``invite(email=..., role=...)`` creates an invitation and runs what happens on
    commit (the e-mail task), as a request would."""

    def create(**kwargs):
        kwargs.setdefault("role", Role.STUDENT)
        kwargs.setdefault("invited_by", staff)
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(**kwargs)

    return create


def _accept(invitation, **kwargs):
    kwargs.setdefault("password", "a-long-unusual-passphrase")
    kwargs.setdefault("display_name", "Nina New")
    kwargs.setdefault("language", "en")
    return services.invitation_accept(invitation=invitation, **kwargs)


# --- Creating -----------------------------------------------------------------------


def test_it_sends_exactly_one_email_with_the_link(invite):
    invitation, token = invite(email="nina@example.test")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    assert message.subject == "You are invited to the Mentorship Portal"
    assert f"{settings.SITE_URL}/invitations/{token}/" in message.body
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_it_sends_nothing_before_the_transaction_commits(staff):
    services.invitation_create(email="nina@example.test", role=Role.STUDENT, invited_by=staff)

    assert mail.outbox == []


def test_it_stores_the_token_only_hashed(invite):
    invitation, token = invite(email="nina@example.test")

    stored = Invitation.objects.values().get(pk=invitation.pk)
    assert stored["token_hash"] == Invitation.hash_token(token)
    assert token not in {str(value) for value in stored.values()}
    assert services.invitation_for_token(token=token) == invitation


def test_it_withdraws_an_earlier_invitation_to_the_same_address(invite):
    _first, first_token = invite(email="nina@example.test")

    second, second_token = invite(email="NINA@example.test", role=Role.MENTOR)

    assert list(Invitation.objects.all()) == [second]
    assert services.invitation_for_token(token=first_token) is None
    assert services.invitation_for_token(token=second_token) == second
    assert len(mail.outbox) == 2


def test_it_refuses_the_address_of_someone_who_already_joined(invite, mentor):
    with pytest.raises(ValidationError) as error:
        invite(email=mentor.email.upper())

    assert list(error.value.message_dict) == ["email"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_keeps_the_team_only_for_mentors(invite, supervisor):
    student_invitation, _token = invite(email="s@example.test", supervisor=supervisor)
    mentor_invitation, _token = invite(
        email="m@example.test", role=Role.MENTOR, supervisor=supervisor
    )

    assert student_invitation.supervisor is None
    assert mentor_invitation.supervisor == supervisor


def test_it_refuses_an_unknown_role(invite):
    with pytest.raises(ValidationError) as error:
        invite(email="nina@example.test", role="wizard")

    assert list(error.value.message_dict) == ["role"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Finding by token ---------------------------------------------------------------


@pytest.mark.django_db
def test_it_finds_no_invitation_for_a_wrong_expired_or_used_token():
    InvitationFactory(token="expired", expires_at=timezone.now() - timedelta(seconds=1))
    InvitationFactory(token="used", accepted_at=timezone.now())
    usable = InvitationFactory(token="usable")

    assert services.invitation_for_token(token="wrong") is None
    assert services.invitation_for_token(token="expired") is None
    assert services.invitation_for_token(token="used") is None
    assert services.invitation_for_token(token="usable") == usable


# --- Accepting ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "profile_model"),
    [
        (Role.STUDENT, StudentProfile),
        (Role.MENTOR, MentorProfile),
        (Role.SUPERVISOR, None),
        (Role.STAFF, None),
    ],
)
def test_it_creates_the_account_with_the_invitations_role(role, profile_model):
    invitation = InvitationFactory(email="nina@example.test", role=role)

    user = _accept(invitation, language="ru")

    user.refresh_from_db()
    assert (user.email, user.role, user.display_name, user.language) == (
        "nina@example.test",
        role,
        "Nina New",
        "ru",
    )
    assert user.check_password("a-long-unusual-passphrase")
    assert EmailAddress.objects.filter(
        user=user, email="nina@example.test", verified=True, primary=True
    ).exists()
    profiles = {
        model
        for model in (StudentProfile, MentorProfile)
        if model.objects.filter(user=user).exists()
    }
    assert profiles == ({profile_model} if profile_model else set())
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.accepted_at is not None
    assert not invitation.is_usable


def test_it_puts_an_invited_mentor_in_the_supervisors_team(supervisor):
    invitation = InvitationFactory(role=Role.MENTOR, supervisor=supervisor)

    user = _accept(invitation)

    assert MentorProfile.objects.get(user=user).supervisor == supervisor


@pytest.mark.django_db
def test_it_uses_the_invited_name_when_none_is_given():
    invitation = InvitationFactory(display_name="Nina From Staff")

    user = _accept(invitation, display_name="")

    assert user.display_name == "Nina From Staff"


@pytest.mark.django_db
def test_it_refuses_to_accept_twice():
    invitation = InvitationFactory(email="nina@example.test")
    _accept(invitation)

    with pytest.raises(ValidationError):
        _accept(invitation, display_name="Second")

    assert User.objects.get(email="nina@example.test").display_name == "Nina New"


@pytest.mark.django_db
def test_it_refuses_an_expired_invitation():
    invitation = InvitationFactory(
        email="nina@example.test", expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(ValidationError):
        _accept(invitation)

    assert not User.objects.filter(email="nina@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_refuses_when_the_address_joined_meanwhile(mentor):
    invitation = InvitationFactory(email=mentor.email)

    with pytest.raises(ValidationError):
        _accept(invitation)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- Withdrawing and purging ----------------------------------------------------------


@pytest.mark.django_db
def test_it_withdraws_a_pending_invitation():
    invitation = InvitationFactory(token="secret")

    services.invitation_revoke(invitation=invitation)

    assert not Invitation.objects.exists()
    assert services.invitation_for_token(token="secret") is None


@pytest.mark.django_db
def test_it_does_not_withdraw_an_accepted_invitation():
    invitation = InvitationFactory(accepted_at=timezone.now())

    with pytest.raises(ValidationError):
        services.invitation_revoke(invitation=invitation)

    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_it_purges_only_long_expired_unaccepted_invitations():
    now = timezone.now()
    long_expired = InvitationFactory(expires_at=now - timedelta(days=31))
    recently_expired = InvitationFactory(expires_at=now - timedelta(days=29))
    pending = InvitationFactory()
    accepted_long_ago = InvitationFactory(
        expires_at=now - timedelta(days=60), accepted_at=now - timedelta(days=70)
    )

    deleted = services.invitations_purge_expired()

    assert deleted == 1
    assert not Invitation.objects.filter(pk=long_expired.pk).exists()
    assert set(Invitation.objects.all()) == {recently_expired, pending, accepted_long_ago}


@pytest.mark.django_db
def test_it_purges_from_the_scheduled_task_safely_twice():
    InvitationFactory(expires_at=timezone.now() - timedelta(days=40))

    assert tasks.purge_expired_invitations.delay().get() == 1
    assert tasks.purge_expired_invitations.delay().get() == 0


# --- The e-mail task ------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_one_email_when_the_task_runs_twice():
    invitation = InvitationFactory(token="secret")

    first = tasks.send_invitation_email(invitation.pk, "secret")
    second = tasks.send_invitation_email(invitation.pk, "secret")

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_sends_nothing_for_a_withdrawn_or_used_invitation():
    used = InvitationFactory(token="used", accepted_at=timezone.now())
    withdrawn = InvitationFactory(token="withdrawn")
    withdrawn_pk = withdrawn.pk
    withdrawn.delete()

    assert tasks.send_invitation_email(used.pk, "used") is False
    assert tasks.send_invitation_email(withdrawn_pk, "withdrawn") is False
    assert mail.outbox == []


def test_it_writes_the_invitation_email_in_the_invitation_language(invite):
    invitation, _token = invite(email="ivan@example.test", language="ru")

    assert invitation.language == "ru"
    assert mail.outbox[0].subject == "Приглашение на Портал менторства"
    assert "приглашает вас" in mail.outbox[0].body


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor"])
def test_it_lets_only_staff_invite(request, role):
    with pytest.raises(NotAllowed) as refused:
        services.invitation_create(
            email="nina@example.test", role=Role.STUDENT, invited_by=request.getfixturevalue(role)
        )

    assert refused.value.hidden is False
    assert not Invitation.objects.exists()
