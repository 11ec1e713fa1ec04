"""The staff page that sends and withdraws invitations (``invitation_list`` and
``invitation_revoke``)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from conftest import ROLES
from mentorship.models import Invitation, Role
from mentorship.tests.factories import InvitationFactory

NON_STAFF_ROLES = [role for role in ROLES if role != "staff"]


def _login_redirect(path: str) -> str:
    return f"{reverse('account_login')}?next={path}"


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client):
    response = client.get(reverse("mentorship:invitation_list"))

    assert response.status_code == 302
    assert response.url == _login_redirect("/people/invitations/")


@pytest.mark.django_db
def test_it_does_not_invite_for_anonymous_people(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:invitation_list"),
            {"email": "new@example.test", "role": Role.STUDENT, "language": "en"},
        )

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_it_forbids_the_page_to_other_roles(client, as_user, role):
    as_user(role)

    response = client.get(reverse("mentorship:invitation_list"))

    assert response.status_code == 403


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_it_forbids_other_roles_to_invite(
    client, as_user, role, django_capture_on_commit_callbacks
):
    as_user(role)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:invitation_list"),
            {"email": "new@example.test", "role": Role.STAFF, "language": "en"},
        )

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_lists_invitations_to_staff(client, as_user):
    as_user("staff")
    InvitationFactory(email="pending@example.test")
    InvitationFactory(email="accepted@example.test", accepted_at=timezone.now())

    response = client.get(reverse("mentorship:invitation_list"))

    assert response.status_code == 200
    assertContains(response, "pending@example.test")
    assertContains(response, "accepted@example.test")


def test_it_refuses_other_methods(client, as_user):
    as_user("staff")

    response = client.put(reverse("mentorship:invitation_list"))

    assert response.status_code == 405


def test_it_sends_an_invitation(client, as_user, supervisor, django_capture_on_commit_callbacks):
    staff = as_user("staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:invitation_list"),
            {
                "email": "New.Mentor@Example.test",
                "display_name": "Nina New",
                "role": Role.MENTOR,
                "language": "ru",
                "supervisor": supervisor.pk,
            },
        )

    assert response.status_code == 302
    assert response.url == reverse("mentorship:invitation_list")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.supervisor, invitation.invited_by) == (
        "new.mentor@example.test",
        Role.MENTOR,
        supervisor,
        staff,
    )
    assert [message.to for message in mail.outbox] == [["new.mentor@example.test"]]
    assert invitation.language == "ru"


def test_it_refuses_someone_who_already_joined(
    client, as_user, mentor, django_capture_on_commit_callbacks
):
    as_user("staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:invitation_list"),
            {"email": mentor.email.upper(), "role": Role.MENTOR, "language": "en"},
        )

    assert response.status_code == 400
    assertContains(response, "already joined", status_code=400)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_puts_an_invalid_address_error_beside_the_field(client, as_user):
    as_user("staff")

    response = client.post(
        reverse("mentorship:invitation_list"),
        {"email": "not-an-address", "role": "x", "language": "en"},
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["email", "role"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("invitations", [3, 30])
def test_it_lists_invitations_in_constant_queries(
    client, as_user, supervisor, django_assert_max_num_queries, invitations
):
    as_user("staff")
    InvitationFactory.create_batch(invitations, role=Role.MENTOR, supervisor=supervisor)

    # 1. the session, 2. the signed-in user, 3. supervisors for the form's choices,
    # 4. invitations with who invited, the supervisor and who accepted,
    # 5. the unread-notifications badge.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("mentorship:invitation_list"))

    assert len(response.context["invitations"]) == invitations


# --- Withdrawing --------------------------------------------------------------------


@pytest.mark.django_db
def test_it_does_not_withdraw_for_anonymous_people(client):
    invitation = InvitationFactory()

    response = client.post(reverse("mentorship:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 302
    assert response.url == _login_redirect(f"/people/invitations/{invitation.pk}/revoke/")
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_it_forbids_other_roles_to_withdraw(client, as_user, role):
    as_user(role)
    invitation = InvitationFactory()

    response = client.post(reverse("mentorship:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_it_withdraws_only_on_post(client, as_user):
    as_user("staff")
    invitation = InvitationFactory()

    response = client.get(reverse("mentorship:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 405
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_it_withdraws_an_invitation(client, as_user):
    as_user("staff")
    invitation = InvitationFactory(token="secret")
    kept = InvitationFactory()

    response = client.post(reverse("mentorship:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 302
    assert response.url == reverse("mentorship:invitation_list")
    assert list(Invitation.objects.all()) == [kept]
    assert client.get(reverse("mentorship:invitation_accept", args=["secret"])).status_code == 404


def test_it_does_not_withdraw_an_accepted_invitation(client, as_user):
    as_user("staff")
    invitation = InvitationFactory(accepted_at=timezone.now())

    response = client.post(reverse("mentorship:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_it_answers_404_for_an_unknown_invitation(client, as_user):
    as_user("staff")

    response = client.post(reverse("mentorship:invitation_revoke", args=[4040]))

    assert response.status_code == 404
