"""Open sign-up is off unless ACCOUNT_OPEN_SIGNUP; people join by invitation."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from mentorship.models import MentorProfile, Role, StudentProfile, User

PASSWORD = "a-long-unusual-passphrase"
FORM = {"email": "newcomer@example.test", "password1": PASSWORD, "password2": PASSWORD}


@pytest.fixture
def open_signup(settings):
    settings.ACCOUNT_OPEN_SIGNUP = True


@pytest.mark.django_db
def test_it_says_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assertTemplateUsed(response, "account/signup_closed.html")
    assertContains(response, "closed")


@pytest.mark.django_db
def test_it_creates_nobody_while_closed(client):
    response = client.post(reverse("account_signup"), FORM)

    assertTemplateUsed(response, "account/signup_closed.html")
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_points_to_invitations_on_the_login_page(client):
    response = client.get(reverse("account_login"))

    assertContains(response, "join through an invitation")
    assertNotContains(response, reverse("account_signup"))


@pytest.mark.django_db
@pytest.mark.usefixtures("open_signup")
def test_it_links_to_sign_up_when_open(client):
    response = client.get(reverse("account_login"))

    assertContains(response, f'href="{reverse("account_signup")}"')


@pytest.mark.django_db
@pytest.mark.usefixtures("open_signup")
def test_it_creates_a_student_with_a_profile_when_open(client):
    response = client.post(reverse("account_signup"), {**FORM, "role": Role.STAFF})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="newcomer@example.test")
    assert user.role == Role.STUDENT
    assert user.check_password(PASSWORD)
    assert StudentProfile.objects.filter(user=user).exists()
    assert not MentorProfile.objects.filter(user=user).exists()
    assert EmailAddress.objects.filter(user=user, verified=False).exists()
    assert [message.to for message in mail.outbox] == [["newcomer@example.test"]]


@pytest.mark.usefixtures("open_signup")
def test_it_neither_duplicates_nor_reveals_an_address_in_use(client, student):
    response = client.post(reverse("account_signup"), {**FORM, "email": student.email})

    # Same answer as a new address, so sign-up cannot be used to find out who is here;
    # the owner of the address gets an e-mail instead.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email=student.email).count() == 1
    assert not User.objects.get(email=student.email).check_password(PASSWORD)
    assert [message.to for message in mail.outbox] == [[student.email]]
