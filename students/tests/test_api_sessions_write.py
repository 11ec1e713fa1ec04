"""Scheduling, logging, cancelling and rating sessions through ``/api/v1/sessions/``:
who may (404 to those who may not see the session, 403 to those who see it but may
not act), errors naming the field, the database untouched on refusal, private notes
never sent to the student, and the schema still built without warnings."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from conftest import ROLES
from mentorship import services
from mentorship.models import Notification
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.models import MentoringSession, SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory, completed

SECRET = "SECRET-NOTE"
# Roles that may not see the mentor–student pair's sessions at all.
OUTSIDERS = {"other_student", "other_mentor", "other_supervisor"}


def _url(session, verb: str) -> str:
    return reverse(f"api:session-{verb}", args=[session.pk])


def _post(client, url: str, data=None, **kwargs):
    return client.post(url, data or {}, content_type="application/json", **kwargs)


def _row(session) -> dict:
    return MentoringSession.objects.values().get(pk=session.pk)


def _in_three_days(offset: str = "+02:00") -> str:
    """An ISO 8601 start three days from now, on the hour, with a UTC offset."""
    moment = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    hours = int(offset[1:3]) * (1 if offset[0] == "+" else -1)
    return (moment + timedelta(hours=hours)).replace(tzinfo=None).isoformat() + offset


@pytest.fixture
def upcoming(mentor, student):
    """Scheduled in two days; notes set directly so a leak would show."""
    return MentoringSessionFactory(mentor=mentor, student=student, private_notes=SECRET)


@pytest.fixture
def begun(mentor, student):
    """Scheduled for two hours ago: waiting to be logged."""
    return MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(hours=2)
    )


@pytest.fixture
def held(mentor, student):
    """Completed yesterday, with private notes, not rated yet."""
    return completed(mentor, student)


def _schedule_data(student) -> dict:
    return {
        "student": student.pk,
        "scheduled_at": _in_three_days(),
        "duration_minutes": 60,
        "agenda": "  Plan the portfolio  ",
    }


# --- Anonymous callers and wrong methods ----------------------------------------------


@pytest.mark.parametrize("verb", ["log", "cancel", "rate"])
def test_it_answers_anonymous_callers_with_401_json(client, upcoming, verb):
    before = _row(upcoming)

    response = _post(client, _url(upcoming, verb), {"status": "completed", "rating": 5})

    assert response.status_code == 401
    assert "detail" in response.json()
    assert _row(upcoming) == before


def test_it_does_not_let_anonymous_callers_schedule(client, student):
    response = _post(client, reverse("api:session-list"), _schedule_data(student))

    assert response.status_code == 401
    assert "detail" in response.json()
    assert not MentoringSession.objects.exists()


@pytest.mark.parametrize("verb", ["log", "cancel", "rate"])
def test_it_answers_get_on_an_action_with_405(client, as_user, upcoming, verb):
    as_user("mentor")

    assert client.get(_url(upcoming, verb)).status_code == 405


# --- Schedule -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_schedule(client, as_user, student, role):
    as_user(role)
    expected = {"mentor": 201, "other_mentor": 400}.get(role, 403)

    response = _post(client, reverse("api:session-list"), _schedule_data(student))

    assert response.status_code == expected, response.content
    assert MentoringSession.objects.exists() == (expected == 201)
    if expected == 403:
        assert response.json()["detail"] == "Only mentors schedule sessions."


def test_it_refuses_another_mentors_student_naming_the_field(client, as_user, other_student):
    as_user("mentor")

    response = _post(client, reverse("api:session-list"), _schedule_data(other_student))

    assert response.status_code == 400
    assert set(response.json()) == {"student"}
    assert not MentoringSession.objects.exists()
    assert not Notification.objects.exists()


def test_it_refuses_a_former_student(client, as_user, mentor):
    former = StudentFactory()
    AssignmentFactory(
        student=former,
        mentor=mentor,
        started_at=timezone.now() - timedelta(days=30),
        ended_at=timezone.now() - timedelta(days=1),
    )
    as_user("mentor")

    response = _post(client, reverse("api:session-list"), _schedule_data(former))

    assert response.status_code == 400
    assert set(response.json()) == {"student"}


def test_it_schedules_and_answers_with_the_session(client, as_user, mentor, student):
    as_user("mentor")
    data = _schedule_data(student)

    response = _post(client, reverse("api:session-list"), data)

    assert response.status_code == 201
    session = MentoringSession.objects.get()
    body = response.json()
    assert body["id"] == session.pk
    assert (session.mentor, session.student) == (mentor, student)
    assert session.scheduled_at == parse_datetime(data["scheduled_at"])
    assert parse_datetime(body["scheduled_at"]) == session.scheduled_at
    assert (body["status"], body["duration_minutes"], body["agenda"]) == (
        "scheduled",
        60,
        "Plan the portfolio",
    )
    assert body["mentor"]["id"] == mentor.pk
    assert body["private_notes"] == ""
    assert Notification.objects.get().user == student


def test_it_reads_the_offset_of_the_start_time(client, as_user, student):
    as_user("mentor")
    in_berlin = _in_three_days("+02:00")
    same_wall_clock_in_new_york = in_berlin.replace("+02:00", "-05:00")
    data = {**_schedule_data(student), "scheduled_at": same_wall_clock_in_new_york}

    response = _post(client, reverse("api:session-list"), data)

    assert response.status_code == 201
    session = MentoringSession.objects.get()
    assert session.scheduled_at - parse_datetime(in_berlin) == timedelta(hours=7)
    assert parse_datetime(response.json()["scheduled_at"]) == session.scheduled_at


def test_it_uses_the_default_duration_and_an_empty_agenda(client, as_user, student):
    as_user("mentor")

    response = _post(
        client,
        reverse("api:session-list"),
        {"student": student.pk, "scheduled_at": _in_three_days("+00:00")},
    )

    assert response.status_code == 201
    assert (response.json()["duration_minutes"], response.json()["agenda"]) == (45, "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"student": None}, "student"),
        ({"student": "abc"}, "student"),
        ({"scheduled_at": "tomorrow at ten"}, "scheduled_at"),
        ({"scheduled_at": "2030-05-04T14:00:00"}, "scheduled_at"),
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"duration_minutes": 181}, "duration_minutes"),
    ],
)
def test_it_names_the_field_of_bad_schedule_input(client, as_user, student, change, field):
    as_user("mentor")

    response = _post(client, reverse("api:session-list"), {**_schedule_data(student), **change})

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not MentoringSession.objects.exists()


def test_it_explains_a_time_without_offset(client, as_user, student):
    as_user("mentor")
    data = {**_schedule_data(student), "scheduled_at": "2030-05-04T14:00:00"}

    response = _post(client, reverse("api:session-list"), data)

    assert "UTC offset" in response.json()["scheduled_at"][0]


def test_it_refuses_a_time_in_the_past_through_the_service(client, as_user, student):
    as_user("mentor")
    data = {**_schedule_data(student), "scheduled_at": "2020-05-04T14:00:00+02:00"}

    response = _post(client, reverse("api:session-list"), data)

    assert response.status_code == 400
    assert response.json() == {"scheduled_at": ["Choose a time in the future."]}
    assert not MentoringSession.objects.exists()


def test_it_requires_student_and_time(client, as_user):
    as_user("mentor")

    response = _post(client, reverse("api:session-list"), {})

    assert response.status_code == 400
    assert set(response.json()) == {"student", "scheduled_at"}


# --- Log ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_sessions_mentor_log_it(client, as_user, begun, role):
    as_user(role)
    before = _row(begun)
    expected = 200 if role == "mentor" else 404 if role in OUTSIDERS else 403

    response = _post(client, _url(begun, "log"), {"status": "completed", "private_notes": "x"})

    assert response.status_code == expected
    if expected != 200:
        assert _row(begun) == before
        assert not Notification.objects.exists()
        assert "detail" in response.json()


def test_it_logs_a_held_session(client, as_user, begun, student):
    as_user("mentor")

    response = _post(
        client,
        _url(begun, "log"),
        {
            "status": "completed",
            "summary": "Reviewed the layout.",
            "next_steps": "Finish the contact page.",
            "private_notes": f"{SECRET}: tired",
        },
    )

    assert response.status_code == 200
    body = response.json()
    begun.refresh_from_db()
    assert begun.status == SessionStatus.COMPLETED
    assert begun.logged_at is not None
    assert (body["status"], body["summary"], body["private_notes"]) == (
        "completed",
        "Reviewed the layout.",
        f"{SECRET}: tired",
    )
    notification = Notification.objects.get()
    assert notification.user == student
    assert SECRET not in f"{notification.title} {notification.body}"


def test_it_computes_the_notice_of_a_students_cancellation(client, as_user, mentor, student):
    starts = timezone.now() + timedelta(days=1)
    session = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=starts)
    told = (starts - timedelta(hours=30)).isoformat()
    as_user("mentor")

    response = _post(
        client,
        _url(session, "log"),
        {"status": "cancelled_by_student", "student_cancelled_at": told},
    )

    assert response.status_code == 200
    assert response.json()["notice_hours"] == 30
    assert parse_datetime(response.json()["cancelled_at"]) == parse_datetime(told)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "status"),
        ({"status": "scheduled"}, "status"),
        (
            {"status": "completed", "student_cancelled_at": "2030-01-01T10:00:00"},
            "student_cancelled_at",
        ),
    ],
)
def test_it_names_the_field_of_bad_log_input(client, as_user, begun, data, field):
    as_user("mentor")
    before = _row(begun)

    response = _post(client, _url(begun, "log"), data)

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert _row(begun) == before


def test_it_refuses_to_log_as_held_before_the_start(client, as_user, upcoming):
    as_user("mentor")
    before = _row(upcoming)

    response = _post(client, _url(upcoming, "log"), {"status": "completed"})

    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert _row(upcoming) == before


def test_it_refuses_a_students_cancellation_told_in_the_future(client, as_user, upcoming):
    as_user("mentor")
    before = _row(upcoming)
    told = (timezone.now() + timedelta(hours=1)).isoformat()

    response = _post(
        client,
        _url(upcoming, "log"),
        {"status": "cancelled_by_student", "student_cancelled_at": told},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"student_cancelled_at"}
    assert _row(upcoming) == before


def test_it_refuses_to_log_a_session_twice(client, as_user, held):
    as_user("mentor")
    before = _row(held)

    response = _post(client, _url(held, "log"), {"status": "student_no_show"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This session has already been logged."]}
    assert _row(held) == before


# --- Cancel ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_the_mentor_and_the_student_cancel(client, as_user, upcoming, role):
    as_user(role)
    before = _row(upcoming)
    expected = 200 if role in {"mentor", "student"} else 404 if role in OUTSIDERS else 403

    response = _post(client, _url(upcoming, "cancel"))

    assert response.status_code == expected
    if expected != 200:
        assert _row(upcoming) == before
        assert not Notification.objects.exists()


def test_it_records_the_notice_of_a_student_and_keeps_the_notes_from_them(
    client, as_user, upcoming, mentor
):
    as_user("student")

    response = _post(client, _url(upcoming, "cancel"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled_by_student"
    assert body["notice_hours"] in (47, 48)
    assert "private_notes" not in body
    assert SECRET not in response.content.decode()
    assert Notification.objects.get().user == mentor


def test_it_shows_the_mentor_their_notes_after_cancelling(client, as_user, upcoming, student):
    as_user("mentor")

    response = _post(client, _url(upcoming, "cancel"))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled_by_mentor"
    assert response.json()["notice_hours"] is None
    assert response.json()["private_notes"] == SECRET
    assert Notification.objects.get().user == student


@pytest.mark.parametrize("session_name", ["begun", "held"])
def test_it_refuses_to_cancel_a_session_that_began_or_ended(
    client, as_user, request, session_name
):
    session = request.getfixturevalue(session_name)
    as_user("student")
    before = _row(session)

    response = _post(client, _url(session, "cancel"))

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert _row(session) == before


# --- Rate -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_sessions_student_rate_it(client, as_user, held, role):
    as_user(role)
    before = _row(held)
    expected = 200 if role == "student" else 404 if role in OUTSIDERS else 403

    response = _post(client, _url(held, "rate"), {"rating": 4, "comment": "Useful"})

    assert response.status_code == expected
    if expected != 200:
        assert _row(held) == before


def test_it_rates_without_showing_the_student_the_notes(client, as_user, held):
    as_user("student")

    response = _post(client, _url(held, "rate"), {"rating": 5, "comment": " Very helpful "})

    assert response.status_code == 200
    body = response.json()
    assert (body["rating"], body["rating_comment"]) == (5, "Very helpful")
    assert body["rated_at"] is not None
    assert "private_notes" not in body
    assert SECRET not in response.content.decode()
    held.refresh_from_db()
    assert (held.rating, held.rating_comment) == (5, "Very helpful")


@pytest.mark.parametrize(
    "data", [{}, {"rating": 0}, {"rating": 6}, {"rating": "great"}, {"rating": None}]
)
def test_it_names_the_rating_when_it_is_bad(client, as_user, held, data):
    as_user("student")
    before = _row(held)

    response = _post(client, _url(held, "rate"), data)

    assert response.status_code == 400
    assert set(response.json()) == {"rating"}
    assert _row(held) == before


@pytest.mark.parametrize("session_name", ["upcoming", "begun"])
def test_it_refuses_to_rate_a_session_that_did_not_take_place(
    client, as_user, request, session_name
):
    session = request.getfixturevalue(session_name)
    as_user("student")
    before = _row(session)

    response = _post(client, _url(session, "rate"), {"rating": 5})

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Only a session that took place can be rated."]
    }
    assert _row(session) == before


def test_it_refuses_a_second_rating(client, as_user, held):
    as_user("student")
    assert _post(client, _url(held, "rate"), {"rating": 5}).status_code == 200
    before = _row(held)

    response = _post(client, _url(held, "rate"), {"rating": 1})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You have already rated this session."]}
    assert _row(held) == before


# --- Authentication -------------------------------------------------------------------


def test_it_accepts_an_api_token_without_csrf(staff, mentor, student):
    _token, key = services.api_token_create(name="Calendar", user=mentor, created_by=staff)
    client = Client(enforce_csrf_checks=True)

    response = _post(
        client,
        reverse("api:session-list"),
        _schedule_data(student),
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 201
    assert MentoringSession.objects.get().mentor == mentor


def test_it_requires_csrf_from_a_browser_session(mentor, student, upcoming):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    before = _row(upcoming)

    response = _post(client, _url(upcoming, "cancel"))

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert _row(upcoming) == before


def test_it_keeps_the_notes_from_a_student_acting_with_a_token(staff, student, upcoming, client):
    _token, key = services.api_token_create(name="Calendar", user=student, created_by=staff)

    response = _post(client, _url(upcoming, "cancel"), headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


# --- Schema ---------------------------------------------------------------------------


def test_it_documents_the_actions_without_schema_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    paths = schema["paths"]
    body = {
        path: paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        for path in (
            "/api/v1/sessions/",
            "/api/v1/sessions/{id}/log/",
            "/api/v1/sessions/{id}/rate/",
        )
    }
    assert body == {
        "/api/v1/sessions/": {"$ref": "#/components/schemas/SessionSchedule"},
        "/api/v1/sessions/{id}/log/": {"$ref": "#/components/schemas/SessionLog"},
        "/api/v1/sessions/{id}/rate/": {"$ref": "#/components/schemas/SessionRating"},
    }
    assert "requestBody" not in paths["/api/v1/sessions/{id}/cancel/"]["post"]
    assert set(paths["/api/v1/sessions/"]["post"]["responses"]) == {"201", "400", "401", "403"}
    assert paths["/api/v1/sessions/{id}/log/"]["post"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/Session"}
    required = schema["components"]["schemas"]["SessionSchedule"]["required"]
    assert set(required) == {"student", "scheduled_at"}
