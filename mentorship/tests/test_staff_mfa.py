"""MFA_REQUIRED_FOR_STAFF: staff set up an authenticator app before anything else
(``StaffTwoFactorMiddleware``)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from conftest import ROLES

NON_STAFF_ROLES = [role for role in ROLES if role != "staff"]


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.parametrize(
    "url_name", ["metrics:home", "mentorship:profile", "mentorship:invitation_list", "admin:index"]
)
def test_it_sends_staff_without_totp_to_set_it_up(client, as_user, url_name):
    as_user("staff")

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.usefixtures("mfa_required")
def test_it_does_not_let_staff_without_totp_write(client, as_user):
    as_user("staff")

    response = client.post(
        reverse("mentorship:invitation_list"), {"email": "x@example.test", "role": "staff"}
    )

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.parametrize(
    "url_name", ["mfa_index", "account_reauthenticate", "account_email", "account_change_password"]
)
def test_it_lets_staff_without_totp_reach_account_pages(client, as_user, url_name):
    as_user("staff")

    response = client.get(reverse(url_name))

    assert response.status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_it_takes_staff_from_signing_in_to_the_totp_form(client, staff):
    signed_in = client.post(
        reverse("account_login"), {"login": staff.email, "password": "password"}, follow=True
    )
    # allauth asks for the password again before adding an authenticator.
    assert [url.split("?")[0] for url, _status in signed_in.redirect_chain] == [
        reverse("metrics:home"),
        reverse("mfa_activate_totp"),
        reverse("account_reauthenticate"),
    ]

    response = client.post(signed_in.redirect_chain[-1][0], {"password": "password"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert response.status_code == 200
    assertTemplateUsed(response, "mfa/totp/activate_form.html")


@pytest.mark.usefixtures("mfa_required")
def test_it_lets_staff_without_totp_sign_out(client, as_user):
    as_user("staff")

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url != reverse("mfa_activate_totp")
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("mfa_required")
def test_it_lets_staff_with_totp_in(client, as_user):
    staff = as_user("staff")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_it_does_not_count_recovery_codes_as_totp(client, as_user):
    staff = as_user("staff")
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_it_leaves_other_roles_alone(client, as_user, role):
    as_user(role)

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 200


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.django_db
def test_it_leaves_anonymous_people_to_the_login_redirect(client):
    response = client.get(reverse("metrics:home"))

    assert response.url.startswith(reverse("account_login"))


def test_it_lets_staff_in_when_mfa_is_not_required(client, as_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    as_user("staff")

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_it_answers_the_api_with_json_for_staff_without_totp(client, as_user):
    as_user("staff")

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
