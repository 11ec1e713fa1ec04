"""The API's throttles (``mentorship.api_throttles``): the activity events endpoint
(bodies up to 6 MB) and every write with an API token are limited per caller, counted
in the shared default cache, and answered 429 with ``Retry-After`` past the limit."""

import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from mentorship import services
from mentorship.api_throttles import ActivityEventsThrottle, TokenWriteThrottle
from mentorship.tests.factories import StaffFactory

EVENTS = reverse("api:event-list")


@pytest.fixture
def rates(settings):
    """Set the throttles' rates for a test: ``rates(events="2/min")``."""

    def set_rates(**given):
        settings.REST_FRAMEWORK = {
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"events": None, "token_writes": None, **given},
        }

    return set_rates


def _push(client, *, key: str | None = None, method: str = "post"):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return getattr(client, method)(
        EVENTS + "?source=lms", json.dumps([]), content_type="application/json", headers=headers
    )


@pytest.fixture
def staff_key(staff):
    return services.api_token_create(name="Learning platform", user=staff, created_by=staff)[1]


@pytest.fixture
def mentor_key(staff, mentor):
    return services.api_token_create(name="Reports", user=mentor, created_by=staff)[1]


def test_it_has_rates_for_both_throttles_by_default():
    assert set(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {
        "events",
        "token_writes",
    }


def test_it_limits_the_events_endpoint_per_caller(client, as_user, rates, staff, staff_key):
    rates(events="2/min")
    as_user("staff")

    answers = [_push(client) for _attempt in range(3)]
    # The same staff member's token counts with their session: one caller.
    with_their_token = _push(client, key=staff_key)
    other = StaffFactory()
    other_key = services.api_token_create(name="Platform", user=other, created_by=staff)[1]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert "detail" in answers[-1].json()
    assert with_their_token.status_code == 429
    assert _push(client, key=other_key).status_code == 200


def test_it_limits_writes_with_a_token(client, rates, staff_key):
    rates(token_writes="2/min")

    answers = [_push(client, key=staff_key) for _attempt in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_counts_every_kind_of_write_with_a_token(client, rates, staff_key, method):
    rates(token_writes="2/min")

    answers = [_push(client, key=staff_key, method=method) for _attempt in range(3)]

    assert [answer.status_code for answer in answers] == [405, 405, 429]


def test_it_leaves_reads_with_a_token_and_writes_in_a_session_alone(
    client, as_user, rates, mentor_key
):
    rates(token_writes="1/min")

    reads = [
        client.get(reverse("api:me"), headers={"Authorization": f"Bearer {mentor_key}"})
        for _attempt in range(3)
    ]
    as_user("staff")
    session_writes = [_push(client) for _attempt in range(3)]

    assert [answer.status_code for answer in reads] == [200, 200, 200]
    assert [answer.status_code for answer in session_writes] == [200, 200, 200]


def test_the_throttles_count_in_the_shared_default_cache():
    # The default cache is Redis, or the database's without it: every process of the
    # portal counts the same requests (test_shared_cache).
    assert ActivityEventsThrottle.cache is cache
    assert TokenWriteThrottle.cache is cache
