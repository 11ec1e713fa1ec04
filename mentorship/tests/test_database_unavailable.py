"""A database that cannot be reached answers 503, not 500 (``mentorship.views.
server_error``, the project's ``handler500``): JSON for the API and /healthz, a short
page otherwise, whether the error came from a view or from the middleware that reads
the session before any view. Any other error is still a 500."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from mentorship import views


@pytest.fixture
def client_seeing_errors():
    return Client(raise_request_exception=False)


def _database_down(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1 refused")


@pytest.mark.django_db
def test_it_answers_a_page_503_when_the_session_cannot_be_read(client_seeing_errors, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", _database_down)
    client_seeing_errors.cookies["sessionid"] = "a-signed-in-person"

    response = client_seeing_errors.get(reverse("mentorship:notifications"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_it_answers_the_api_503_in_json(client_seeing_errors, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", _database_down)
    client_seeing_errors.cookies["sessionid"] = "a-signed-in-person"

    response = client_seeing_errors.get("/api/v1/students/")

    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["detail"]


@pytest.mark.django_db
def test_it_answers_healthz_503_in_json(client_seeing_errors, monkeypatch):
    monkeypatch.setattr(views, "_check_database", lambda: "error")

    response = client_seeing_errors.get(reverse("mentorship:healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.parametrize(
    ("error", "status"), [(OperationalError, 503), (RuntimeError, 500)], ids=["database", "bug"]
)
def test_it_answers_503_only_for_a_database_error_in_a_view(
    client, as_user, monkeypatch, error, status
):
    as_user("mentor")
    client.raise_request_exception = False

    def failing(*args, **kwargs):
        raise error("boom")

    monkeypatch.setattr(views, "Paginator", failing)

    response = client.get(reverse("mentorship:notifications"))

    assert response.status_code == status
