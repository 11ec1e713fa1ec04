"""``Cache-Control: private, no-store`` on whatever is someone's own: every answer to a
signed-in person and every download (``PrivateCacheMiddleware``)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from conftest import ROLES
from mentorship import services
from mentorship.middleware import PrivateCacheMiddleware

PRIVATE = "private, no-store"


def through_middleware(response, *, user=None):
    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    return PrivateCacheMiddleware(lambda request: response)(request)


@pytest.mark.parametrize("role", ROLES)
def test_it_keeps_signed_in_pages_out_of_every_cache(client, as_user, role):
    as_user(role)

    response = client.get(reverse("metrics:home"), follow=True)

    assert response.status_code == 200
    directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_it_keeps_an_api_answer_to_a_token_out_of_every_cache(client, staff, mentor):
    _token, key = services.api_token_create(name="Reports", user=mentor, created_by=staff)

    response = client.get(reverse("api:me"), headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


def test_it_keeps_the_teams_export_out_of_every_cache(client, as_user):
    as_user("supervisor")

    response = client.get(reverse("metrics:dashboard_csv"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


def test_it_makes_any_download_private_even_without_a_session():
    export = HttpResponse("a,b\n")
    export["Content-Disposition"] = 'attachment; filename="x.csv"'

    assert through_middleware(export).headers["Cache-Control"] == PRIVATE
    assert through_middleware(FileResponse(iter([b"x"]))).headers["Cache-Control"] == PRIVATE


def test_it_leaves_anonymous_pages_their_own_caching():
    page = HttpResponse("<h1>Sign in</h1>")
    page["Cache-Control"] = "public, max-age=60"

    assert through_middleware(page).headers["Cache-Control"] == "public, max-age=60"
    assert "Cache-Control" not in through_middleware(HttpResponse("hello")).headers


def test_it_keeps_what_a_page_said_and_adds_what_is_missing(mentor):
    page = HttpResponse("mine")
    page["Cache-Control"] = "public, max-age=600"

    directives = through_middleware(page, user=mentor).headers["Cache-Control"]

    assert set(directives.split(", ")) == {"max-age=600", "private", "no-store"}
