"""The public page an invitation link opens (``invitation_accept``)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertTemplateUsed

from conftest import ROLES
from mentorship.models import Invitation, MentorProfile, Role, StudentProfile, User
from mentorship.tests.factories import InvitationFactory

PASSWORD = "a-long-unusual-passphrase"
TOKEN = "the-secret"


def _url(token: str = TOKEN) -> str:
    return reverse("mentorship:invitation_accept", args=[token])


def _form(**changes) -> dict:
    data = {
        "display_name": "Nina New",
        "language": "ru",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_it_shows_the_form_to_anonymous_people(client):
    InvitationFactory(token="the-secret", email="nina@example.test", display_name="Nina")

    response = client.get(_url())

    assert response.status_code == 200
    assertTemplateUsed(response, "mentorship/invitation_accept.html")
    assertContains(response, "nina@example.test")
    assert response.context["form"].initial["display_name"] == "Nina"
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_token(client):
    InvitationFactory(token="the-secret")

    response = client.get(_url("a-guess"))

    assert response.status_code == 404


@pytest.mark.django_db
def test_it_answers_404_for_an_expired_invitation(client):
    InvitationFactory(
        token="the-secret",
        email="nina@example.test",
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert client.get(_url()).status_code == 404
    assert client.post(_url(), _form()).status_code == 404
    assert not User.objects.filter(email="nina@example.test").exists()


@pytest.mark.django_db
def test_it_answers_404_for_a_used_invitation(client):
    InvitationFactory(token="the-secret", email="nina@example.test", accepted_at=timezone.now())

    assert client.get(_url()).status_code == 404
    assert client.post(_url(), _form()).status_code == 404
    assert not User.objects.filter(email="nina@example.test").exists()


@pytest.mark.django_db
def test_it_refuses_other_methods(client):
    InvitationFactory(token="the-secret")

    response = client.put(_url())

    assert response.status_code == 405


@pytest.mark.django_db
def test_it_creates_a_student_account_and_signs_them_in(client):
    invitation = InvitationFactory(token="the-secret", email="nina@example.test")

    response = client.post(_url(), _form())

    assert response.status_code == 302
    assert response.url == reverse("metrics:home")
    user = User.objects.get(email="nina@example.test")
    assert (user.role, user.display_name, user.language) == (Role.STUDENT, "Nina New", "ru")
    assert user.check_password(PASSWORD)
    assert StudentProfile.objects.filter(user=user).exists()
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.accepted_at is not None
    assert client.get(reverse("metrics:home")).context["user"] == user


@pytest.mark.django_db
def test_it_puts_a_mentor_in_the_invitations_team(client, supervisor):
    InvitationFactory(
        token="the-secret", email="max@example.test", role=Role.MENTOR, supervisor=supervisor
    )

    client.post(_url(), _form())

    profile = MentorProfile.objects.get(user__email="max@example.test")
    assert profile.supervisor == supervisor


@pytest.mark.django_db
def test_it_works_only_once(client):
    InvitationFactory(token="the-secret", email="nina@example.test")
    client.post(_url(), _form())
    client.logout()

    response = client.post(_url(), _form(display_name="Second Try"))

    assert response.status_code == 404
    assert User.objects.get(email="nina@example.test").display_name == "Nina New"


@pytest.mark.django_db
def test_it_puts_a_password_mismatch_beside_the_field(client):
    invitation = InvitationFactory(token="the-secret", email="nina@example.test")

    response = client.post(_url(), _form(password2="something-else-entirely"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["password2"]
    assert not User.objects.filter(email="nina@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_it_refuses_a_weak_password(client):
    InvitationFactory(token="the-secret", email="nina@example.test")

    response = client.post(_url(), _form(password1="password", password2="password"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["password1"]
    assert not User.objects.filter(email="nina@example.test").exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_tells_a_signed_in_person_to_sign_out_first(client, as_user, role):
    user = as_user(role)
    invitation = InvitationFactory(token="the-secret", email="nina@example.test")

    response = client.get(_url())

    assert response.status_code == 200
    assertTemplateUsed(response, "mentorship/invitation_signed_in.html")
    assertContains(response, user.email)
    assertContains(response, "nina@example.test")
    assert response.context["invitation"] == invitation


@pytest.mark.parametrize("role", ROLES)
def test_it_creates_no_account_for_a_signed_in_person(client, as_user, role):
    as_user(role)
    InvitationFactory(token="the-secret", email="nina@example.test")

    response = client.post(_url(), _form())

    assertTemplateUsed(response, "mentorship/invitation_signed_in.html")
    assert not User.objects.filter(email="nina@example.test").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_404_to_a_signed_in_person_with_a_bad_link(client, as_user, role):
    as_user(role)

    response = client.get(_url("a-guess"))

    assert response.status_code == 404
