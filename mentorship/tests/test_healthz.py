import pytest
from django.db import OperationalError
from django.urls import reverse

from conftest import ROLES
from mentorship import views


@pytest.mark.django_db
def test_it_reports_database_cache_and_broker(client):
    response = client.get(reverse("mentorship:healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert (body["checks"]["database"], body["checks"]["cache"]) == ("ok", "ok")
    # The broker's state depends on the machine (the embedded filesystem broker is
    # always up); it is reported either way.
    assert body["checks"]["broker"] in {"ok", "error"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_signed_in_people_too(client, as_user, role):
    as_user(role)

    response = client.get(reverse("mentorship:healthz"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "_check_database", lambda: "error")

    response = client.get(reverse("mentorship:healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.django_db
def test_it_stays_up_when_only_the_broker_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "_check_broker", lambda: "error")

    response = client.get(reverse("mentorship:healthz"))

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "error"}


def test_it_reports_a_database_error_instead_of_raising(monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", BrokenConnection())

    assert views._check_database() == "error"


@pytest.mark.django_db
def test_it_refuses_post(client):
    response = client.post(reverse("mentorship:healthz"))

    assert response.status_code == 405


@pytest.mark.django_db
def test_it_answers_a_plain_http_probe_where_pages_redirect_to_https(client, settings):
    # Production's redirect (DEBUG off); the exemption is the real settings' own.
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get(reverse("mentorship:healthz"))
    page = client.get(reverse("account_login"))

    assert probe.status_code == 200
    assert probe.json()["status"] == "ok"
    assert page.status_code == 301
    assert page.url.startswith("https://")
