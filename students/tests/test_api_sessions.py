"""``/api/v1/sessions/``: who sees which session (``sessions_visible_to``), private
notes never for the student, filters, ISO-8601 times, constant queries, token auth."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conftest import ROLES
from mentorship import services
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.models import SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory, completed

# Whose session each role sees: "mine" is mentor–student's, "theirs" the other pair's.
VISIBLE = {
    "student": {"mine"},
    "other_student": {"theirs"},
    "mentor": {"mine"},
    "other_mentor": {"theirs"},
    "supervisor": {"mine"},
    "other_supervisor": {"theirs"},
    "staff": {"mine", "theirs"},
}
STUDENTS = {"student", "other_student"}


@pytest.fixture
def sessions(mentor, student, other_mentor, other_student):
    return {
        "mine": completed(mentor, student),
        "theirs": completed(other_mentor, other_student),
    }


def _detail(session) -> str:
    return reverse("api:session-detail", args=[session.pk])


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client, sessions):
    assert client.get(reverse("api:session-list")).status_code == 401
    assert client.get(_detail(sessions["mine"])).status_code == 401


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_changes_sessions_only_through_their_actions(client, as_user, sessions, method):
    # Scheduling, logging, cancelling, rating: test_api_sessions_write.py.
    as_user("mentor")

    response = getattr(client, method)(
        _detail(sessions["mine"]), {}, content_type="application/json"
    )

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_sessions_a_role_may_see(client, as_user, sessions, role):
    as_user(role)

    response = client.get(reverse("api:session-list"))

    assert response.status_code == 200
    assert set(_ids(response)) == {sessions[name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["mine", "theirs"])
def test_it_shows_a_session_only_to_those_who_may_see_it(client, as_user, sessions, role, whose):
    as_user(role)

    response = client.get(_detail(sessions[whose]))

    assert response.status_code == (200 if whose in VISIBLE[role] else 404)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_private_notes_to_mentors_supervisors_and_staff_only(
    client, as_user, sessions, role
):
    as_user(role)
    [name] = sorted(VISIBLE[role])[:1]

    listed = client.get(reverse("api:session-list")).json()["results"]
    detail = client.get(_detail(sessions[name])).json()

    for body in (*listed, detail):
        if role in STUDENTS:
            assert "private_notes" not in body
        else:
            assert body["private_notes"].startswith("SECRET-NOTE")
    if role in STUDENTS:
        raw = client.get(reverse("api:session-list")).content.decode()
        assert "SECRET-NOTE" not in raw


def test_it_describes_a_session_with_iso_times(client, as_user, sessions, mentor, student):
    session = sessions["mine"]
    session.rating, session.rating_comment = 5, "Very helpful"
    session.save()
    as_user("student")

    body = client.get(_detail(session)).json()

    assert parse_datetime(body["scheduled_at"]) == session.scheduled_at
    assert parse_datetime(body["ends_at"]) == session.ends_at
    assert body["scheduled_at"].endswith("Z") or "+" in body["scheduled_at"]
    assert body["mentor"] == {
        "id": mentor.pk,
        "display_name": "Maria Mentor",
        "time_zone": mentor.time_zone,
    }
    assert body["student"]["id"] == student.pk
    assert (body["status"], body["summary"], body["next_steps"]) == (
        "completed",
        "We reviewed the layout.",
        "Finish the contact page.",
    )
    assert (body["rating"], body["rating_comment"]) == (5, "Very helpful")
    assert body["agenda"] == "Go through the portfolio project"


def test_it_filters_by_status_and_upcoming(client, as_user, mentor, student, sessions):
    soon = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(hours=3)
    )
    later = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() + timedelta(days=5)
    )
    awaiting_log = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    no_show = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        status=SessionStatus.STUDENT_NO_SHOW,
        scheduled_at=timezone.now() - timedelta(days=3),
    )
    as_user("mentor")
    url = reverse("api:session-list")

    assert _ids(client.get(url, {"upcoming": "true"})) == [soon.pk, later.pk]
    assert set(_ids(client.get(url, {"upcoming": "false"}))) == {
        awaiting_log.pk,
        no_show.pk,
        sessions["mine"].pk,
    }
    assert _ids(client.get(url, {"status": "student_no_show"})) == [no_show.pk]
    assert client.get(url, {"status": "nope"}).status_code == 400


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lists_sessions_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    for _ in range(count):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        completed(mentor, student)
    as_user(role)

    # 1 session, 2 user, 3 count, 4 the page of sessions with mentor and student.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:session-list"))

    assert len(response.json()["results"]) == min(count, 50)


def test_it_accepts_an_api_token(client, staff, student, sessions):
    _token, key = services.api_token_create(name="Calendar", user=student, created_by=staff)

    response = client.get(reverse("api:session-list"), headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert _ids(response) == [sessions["mine"].pk]
    assert "private_notes" not in response.json()["results"][0]


def test_it_documents_the_endpoints(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    assert {"/api/v1/sessions/", "/api/v1/sessions/{id}/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/sessions/"]["get"]["parameters"]}
    assert {"status", "upcoming", "page"} <= params
