"""``POST /api/v1/events/``: the learning platform pushes activity events with a
staff token; a retried batch records nothing twice, a bad event never drops the good."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from conftest import ROLES
from mentorship import services
from mentorship.models import ActivityEvent, DailyActivity
from mentorship.tests.factories import StudentFactory

URL = reverse("api:event-list")
MORNING = "2026-03-02T09:00:00Z"


def _event(student, external_id: str, **extra) -> dict:
    return {
        "student_email": student.email,
        "kind": "lesson_viewed",
        "occurred_at": MORNING,
        "external_id": external_id,
        **extra,
    }


def _post(client, body, *, token: str | None = None, query: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        URL + query, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def platform_key(staff):
    """A token acting for staff, as the learning platform holds it."""
    _token, key = services.api_token_create(name="Learning platform", user=staff, created_by=staff)
    return key


def _database() -> tuple:
    return (
        sorted(ActivityEvent.objects.values_list("external_id", flat=True)),
        sorted(DailyActivity.objects.values_list("student_id", "day", "events")),
    )


# --- Who may push ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client, student):
    response = _post(client, [_event(student, "e1")])

    assert response.status_code == 401
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("role", [role for role in ROLES if role != "staff"])
def test_it_refuses_everyone_but_staff(client, as_user, student, role):
    as_user(role)

    response = _post(client, [_event(student, "e1")])

    assert response.status_code == 403
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor"])
def test_it_refuses_a_token_acting_for_someone_who_is_not_staff(client, request, staff, role):
    person = request.getfixturevalue(role)
    _token, key = services.api_token_create(name="Scripts", user=person, created_by=staff)

    response = _post(client, [_event(request.getfixturevalue("student"), "e1")], token=key)

    assert response.status_code == 403
    assert not ActivityEvent.objects.exists()


def test_it_refuses_a_revoked_token(client, staff, student):
    token, key = services.api_token_create(name="Old", user=staff, created_by=staff)
    services.api_token_revoke(token=token)

    response = _post(client, [_event(student, "e1")], token=key)

    assert response.status_code == 401
    assert not ActivityEvent.objects.exists()


def test_it_accepts_a_staff_token(client, platform_key, student):
    response = _post(client, [_event(student, "e1", value=3)], token=platform_key)

    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    event = ActivityEvent.objects.get()
    assert (event.student, event.kind, event.source, event.value) == (
        student,
        "lesson_viewed",
        "platform",
        3.0,
    )


def test_it_accepts_a_staff_session(client, as_user, student):
    as_user("staff")

    response = _post(client, [_event(student, "e1")])

    assert response.status_code == 200
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_it_only_takes_posts(client, platform_key, method):
    response = getattr(client, method)(URL, headers={"Authorization": f"Bearer {platform_key}"})

    assert response.status_code == 405


# --- Batches --------------------------------------------------------------------------


def test_it_keeps_the_good_events_of_a_mixed_batch(client, platform_key, student, other_student):
    response = _post(
        client,
        [
            _event(student, "e1"),
            _event(student, "e2", kind="nap"),
            {"student_email": "nobody@example.test", "kind": "quiz_taken", "occurred_at": MORNING},
            _event(other_student, "e3", occurred_at="2026-03-02T09:00:00"),
            _event(other_student, "e4", occurred_at="2026-02-31T09:00:00Z"),
            _event(other_student, "e5", value="lots"),
            "lesson_viewed",
            _event(other_student, "e6"),
        ],
        token=platform_key,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (2, 0)
    assert [(item["index"], list(item["errors"])) for item in body["rejected"]] == [
        (1, ["kind"]),
        (2, ["student_email"]),
        (3, ["occurred_at"]),
        (4, ["occurred_at"]),
        (5, ["value"]),
        (6, ["non_field_errors"]),
    ]
    assert body["rejected"][2]["errors"]["occurred_at"] == [
        "Give the time zone offset, e.g. +03:00 or Z."
    ]
    assert _database()[0] == ["e1", "e6"]


def test_it_names_students_by_their_learning_platform_id(client, platform_key, student):
    student.student_profile.external_id = "lp-42"
    student.student_profile.save()
    item = {"student_external_id": "lp-42", "kind": "quiz_taken", "occurred_at": MORNING}

    response = _post(client, [item, {**item, "student_external_id": "lp-43"}], token=platform_key)

    assert response.json()["accepted"] == 1
    assert response.json()["rejected"] == [
        {"index": 1, "errors": {"student_external_id": ["No student is known by this."]}}
    ]


def test_it_takes_a_reported_day_for_a_platform_that_reports_days(client, platform_key, db):
    student = StudentFactory(time_zone="America/Los_Angeles")
    item = {"student_email": student.email, "kind": "lesson_viewed", "occurred_on": "2026-03-01"}

    response = _post(client, [item, {**item, "occurred_on": "01/03/2026"}], token=platform_key)

    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert response.json()["rejected"] == [
        {"index": 1, "errors": {"occurred_on": ["Give an ISO 8601 date, e.g. 2026-03-01."]}}
    ]
    assert ActivityEvent.objects.get().day == date(2026, 3, 1)


def test_it_records_nothing_twice_when_a_batch_is_retried(client, platform_key, student):
    batch = [_event(student, "e1"), _event(student, "e2"), _event(student, "e2")]
    first = _post(client, batch, token=platform_key)
    before = _database()

    retried = _post(client, batch, token=platform_key)

    assert first.json() == {"accepted": 2, "duplicates": 1, "rejected": []}
    assert retried.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    assert _database() == before


def test_it_takes_the_list_under_events_too(client, platform_key, student):
    response = _post(client, {"events": [_event(student, "e1")]}, token=platform_key)

    assert response.json()["accepted"] == 1


def test_it_keeps_external_ids_apart_by_source(client, platform_key, student):
    _post(client, [_event(student, "e1")], token=platform_key)

    response = _post(client, [_event(student, "e1")], token=platform_key, query="?source=backfill")

    assert response.json()["accepted"] == 1
    assert set(ActivityEvent.objects.values_list("source", flat=True)) == {"platform", "backfill"}


@pytest.mark.parametrize("source", ["portal", "has space", "x" * 65])
def test_it_refuses_a_reserved_or_malformed_source(client, platform_key, student, source):
    response = client.post(
        URL,
        json.dumps([_event(student, "e1")]),
        content_type="application/json",
        headers={"Authorization": f"Bearer {platform_key}"},
        QUERY_STRING=f"source={source}",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["source"]
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("body", [{"kind": "login"}, "events", 7, None, {"events": "e1"}])
def test_it_refuses_a_body_that_is_not_a_list(client, platform_key, body):
    response = _post(client, body, token=platform_key)

    assert response.status_code == 400
    assert list(response.json()) == ["events"]


def test_it_refuses_a_body_that_is_not_json(client, platform_key):
    response = client.post(
        URL,
        "not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {platform_key}"},
    )

    assert response.status_code == 400
    assert not ActivityEvent.objects.exists()


def test_it_refuses_form_encoded_bodies(client, platform_key):
    response = client.post(
        URL, {"kind": "login"}, headers={"Authorization": f"Bearer {platform_key}"}
    )

    assert response.status_code == 415


def _batch(students, size: int) -> list[dict]:
    start = datetime(2025, 3, 1, 8, tzinfo=UTC)
    return [
        _event(
            students[index % len(students)],
            f"e{index}",
            occurred_at=(start + timedelta(hours=index)).isoformat(),
        )
        for index in range(size)
    ]


def test_it_takes_a_batch_of_5000_events(client, platform_key, student, other_student):
    batch = _batch([student, other_student], 5000)

    response = _post(client, batch, token=platform_key)

    assert response.status_code == 200
    assert response.json() == {"accepted": 5000, "duplicates": 0, "rejected": []}
    assert ActivityEvent.objects.count() == 5000


def test_it_refuses_a_batch_of_5001_events_naming_the_field(client, platform_key, student):
    response = _post(client, _batch([student], 5001), token=platform_key)

    assert response.status_code == 400
    assert list(response.json()) == ["events"]
    assert not ActivityEvent.objects.exists()
