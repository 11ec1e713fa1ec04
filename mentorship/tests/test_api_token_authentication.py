"""``Authorization: Bearer <token>`` for integrations (``ApiTokenAuthentication`` and
the API token services)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship import services
from mentorship.models import ApiToken


@pytest.fixture
def issued(staff, mentor):
    """A token acting as ``mentor``, and its secret key."""
    return services.api_token_create(name="Learning platform", user=mentor, created_by=staff)


def _me(client, authorization: str):
    return client.get(reverse("api:me"), headers={"Authorization": authorization})


def test_it_returns_the_key_once_and_stores_only_its_hash(issued, mentor, staff):
    token, key = issued

    stored = ApiToken.objects.get()
    assert key.startswith("mp_")
    assert len(key) > 40
    assert stored.key_hash == ApiToken.hash_key(key)
    assert stored.prefix == key[:10]
    assert key not in {str(value) for value in ApiToken.objects.values().get().values()}
    assert (stored.user, stored.created_by, stored.name) == (mentor, staff, "Learning platform")


def test_it_issues_a_different_key_each_time(issued, mentor):
    _token, first = issued

    _token, second = services.api_token_create(name="Reports", user=mentor, created_by=None)

    assert first != second


def test_it_acts_as_the_tokens_user(client, issued, mentor):
    _token, key = issued

    response = _me(client, f"Bearer {key}")

    assert response.status_code == 200
    assert response.json()["email"] == mentor.email


@pytest.mark.parametrize("keyword", ["bearer", "Token"])
def test_it_accepts_either_keyword_in_any_case(client, issued, keyword):
    _token, key = issued

    response = _me(client, f"{keyword} {key}")

    assert response.status_code == 200


def test_it_refuses_a_revoked_token(client, issued):
    token, key = issued
    services.api_token_revoke(token=token)

    response = _me(client, f"Bearer {key}")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_refuses_a_token_of_an_inactive_user(client, issued, mentor):
    _token, key = issued
    mentor.is_active = False
    mentor.save()

    response = _me(client, f"Bearer {key}")

    assert response.status_code == 401


def test_it_refuses_an_unknown_key(client, issued):
    _token, key = issued

    response = _me(client, f"Bearer {key}x")

    assert response.status_code == 401


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer one two", "Token  "])
def test_it_refuses_a_malformed_header(client, issued, authorization):
    response = _me(client, authorization)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_it_ignores_other_schemes(client):
    response = _me(client, "Basic dXNlcjpwYXNz")

    assert response.status_code == 401


def test_it_notes_when_the_token_was_last_used(client, issued):
    token, key = issued
    assert token.last_used_at is None

    _me(client, f"Bearer {key}")

    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_it_writes_last_use_at_most_once_a_minute(client, issued, django_assert_num_queries):
    token, key = issued
    recently = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)

    # 1. the token with its user; no update of last_used_at.
    with django_assert_num_queries(1):
        assert _me(client, f"Bearer {key}").status_code == 200

    token.refresh_from_db()
    assert token.last_used_at == recently


def test_it_updates_last_use_after_a_minute(client, issued):
    token, key = issued
    long_ago = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)

    _me(client, f"Bearer {key}")

    token.refresh_from_db()
    assert token.last_used_at > long_ago


def test_it_answers_405_not_a_csrf_error_to_a_token_write(client, issued):
    _token, key = issued

    response = client.post(
        reverse("api:me"), {"role": "staff"}, headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 405
