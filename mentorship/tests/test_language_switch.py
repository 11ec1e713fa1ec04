import pytest
from django.conf import settings
from django.urls import reverse

from conftest import ROLES
from mentorship.models import User


@pytest.mark.django_db
def test_it_only_sets_the_cookie_for_anonymous_people(client, student):
    response = client.post(
        reverse("mentorship:language_switch"), {"language": "ru", "next": "/profile/"}
    )

    assert response.status_code == 302
    assert response.url == "/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert not User.objects.exclude(language="en").exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_stores_the_language_on_the_account_and_in_the_cookie(client, as_user, role):
    user = as_user(role)

    response = client.post(reverse("mentorship:language_switch"), {"language": "ru", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    user.refresh_from_db()
    assert user.language == "ru"


def test_it_shows_the_next_page_in_the_chosen_language(client, as_user):
    as_user("mentor")
    client.post(reverse("mentorship:language_switch"), {"language": "ru", "next": "/"})
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # the account alone remembers it

    response = client.get(reverse("metrics:home"))

    assert response.headers["Content-Language"] == "ru"


def test_it_ignores_an_unknown_language(client, as_user):
    user = as_user("student")

    response = client.post(reverse("mentorship:language_switch"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == "en"


def test_it_does_not_redirect_to_another_site(client, as_user):
    as_user("student")

    response = client.post(
        reverse("mentorship:language_switch"), {"language": "ru", "next": "https://evil.test/"}
    )

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_it_refuses_get_for_anonymous_people(client):
    response = client.get(reverse("mentorship:language_switch"), {"language": "ru"})

    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_get(client, as_user, role):
    user = as_user(role)

    response = client.get(reverse("mentorship:language_switch"), {"language": "ru"})

    assert response.status_code == 405
    user.refresh_from_db()
    assert user.language == "en"
