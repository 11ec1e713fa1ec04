"""``GET /api/v1/programmes/{id}/analytics/``: staff only, the same figures as the page
with their n, null for no data, a bad period named, the schema and the queries."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import ROLES
from mentorship.services import api_token_create
from mentorship.tests.factories import MentorFactory
from projects.tests.factories import ProgrammeFactory

from .helpers_analytics import ask, at, attempt, drop, enrol, project, rate

pytestmark = pytest.mark.django_db


def url(programme_id: int) -> str:
    return reverse("api:programme-analytics", kwargs={"id": programme_id})


@pytest.fixture
def web():
    """Project 1 (target 10; Layout, README): Boris's second attempt approved in
    October 2026 (UTC), 9 days after his start, rated 4. Project 2 (target 20; API):
    two questions, and Clara dropped out on it."""
    programme = ProgrammeFactory(title="Web development")
    first = project(programme, 1, "Layout", "README", target_days=10)
    second = project(programme, 2, "API", target_days=20)
    boris = enrol(programme, date(2026, 10, 1)).student
    clara = enrol(programme, date(2026, 9, 1)).student
    attempt(boris, first, 1, reviewed_at=at(2026, 10, 5), not_met=("Layout",))
    approved = attempt(boris, first, 2, reviewed_at=at(2026, 10, 10))
    rate(approved, 4, when=at(2026, 10, 10))
    ask(clara, second, when=at(2026, 10, 12))
    ask(clara, second, when=at(2026, 10, 13))
    attempt(clara, first, 1, reviewed_at=at(2026, 9, 20))
    drop(clara, on=date(2026, 10, 20))
    return programme


# --- Who may call ---------------------------------------------------------------------


def test_it_answers_anonymous_callers_with_json(client, web):
    response = client.get(url(web.pk))

    assert response.status_code in (401, 403)
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("role", [role for role in ROLES if role != "staff"])
def test_it_refuses_everyone_but_staff(client, as_user, web, role):
    as_user(role)

    response = client.get(url(web.pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff see programme analytics."}


def test_it_refuses_a_mentor_an_unknown_programme_as_any_other(client, as_user, web):
    as_user("mentor")

    response = client.get(url(web.pk + 1000))

    assert response.status_code == 403


def test_it_answers_an_unknown_programme_with_404(client, as_user, web):
    as_user("staff")

    response = client.get(url(web.pk + 1000))

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_answers_other_methods_with_405(client, as_user, web, method):
    as_user("staff")

    response = getattr(client, method)(url(web.pk))

    assert response.status_code == 405


def test_it_serves_a_staff_token(client, staff, web):
    _token, key = api_token_create(user=staff, name="Dashboard", created_by=staff)

    response = client.get(url(web.pk), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert response.json()["programme"]["id"] == web.pk


# --- What it answers ------------------------------------------------------------------


def test_it_answers_the_figures_of_a_period(client, as_user, web):
    as_user("staff")
    first, second = web.projects.order_by("position")
    layout, readme = first.criteria.order_by("position")
    (api,) = second.criteria.all()

    response = client.get(url(web.pk), {"period": "2026-10"})

    assert response.status_code == 200
    body = response.json()
    assert body["programme"] == {"id": web.pk, "title": "Web development"}
    assert body["period"] == {
        "key": "2026-10",
        "label": "October 2026",
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-11-01T00:00:00Z",
    }
    assert body["time_zone"] == "UTC"
    one, two = body["projects"]
    assert one == {
        "id": first.pk,
        "position": 1,
        "title": "Project 1",
        # Project 1 is the harder on attempts? Only it has data: no rank. Questions
        # (0 of 2) and drop-outs (0 of 1) rank it the easier.
        "hardness": 0.0,
        "hardest_position": 2,
        "attempts": {"median": 2.0, "mean": 2.0, "n": 1},
        "criteria_not_met": {"not_met": 1, "n": 4, "rate": 0.25},
        "days_to_approval": {"median": 9.0, "n": 1, "target_days": 10, "ratio": 0.9},
        "questions": 0,
        "difficulty": {"mean": 4.0, "n": 1},
        "dropouts": 0,
        "ranks": {
            "attempts": None,
            "rejections": None,
            "days": None,
            "questions": 0.0,
            "difficulty": None,
            "dropouts": 0.0,
        },
        "criteria": [
            {
                "id": layout.pk,
                "project": first.pk,
                "position": 1,
                "title": "Layout",
                "not_met": {"not_met": 1, "n": 2, "rate": 0.5},
                "rank": 1.0,
            },
            {
                "id": readme.pk,
                "project": first.pk,
                "position": 2,
                "title": "README",
                "not_met": {"not_met": 0, "n": 2, "rate": 0.0},
                "rank": 0.0,
            },
        ],
    }
    # No data is null with n = 0, never 0.
    assert two["attempts"] == {"median": None, "mean": None, "n": 0}
    assert two["criteria_not_met"] == {"not_met": 0, "n": 0, "rate": None}
    assert two["days_to_approval"] == {"median": None, "n": 0, "target_days": 20, "ratio": None}
    assert two["difficulty"] == {"mean": None, "n": 0}
    assert (two["questions"], two["dropouts"], two["hardness"]) == (2, 1, 1.0)
    assert body["hardest_first"] == [second.pk, first.pk]
    assert [item["id"] for item in body["criteria_hardest_first"]] == [
        layout.pk,
        readme.pk,
        api.pk,
    ]


def test_it_reads_the_period_on_the_callers_calendar(client, as_user, web, staff):
    staff.time_zone = "Europe/Moscow"
    staff.save()
    as_user("staff")

    body = client.get(url(web.pk), {"period": "2026-Q4"}).json()

    assert body["time_zone"] == "Europe/Moscow"
    assert body["period"]["start"] == "2026-10-01T00:00:00+03:00"
    assert body["period"]["end"] == "2027-01-01T00:00:00+03:00"


def test_it_answers_all_time_without_a_period(client, as_user, web):
    as_user("staff")

    body = client.get(url(web.pk)).json()

    assert body["period"] is None
    # Boris's approval, and Clara's in September.
    assert body["projects"][0]["attempts"] == {"median": 1.5, "mean": 1.5, "n": 2}


@pytest.mark.parametrize("key", ["2026-13", "soon", "2026-W60"])
def test_it_names_the_field_of_a_bad_period(client, as_user, web, key):
    as_user("staff")

    response = client.get(url(web.pk), {"period": key})

    assert response.status_code == 400
    assert response.json() == {
        "period": [
            "Not a period: write a month as 2026-10, a quarter as 2026-Q4 or a week as 2026-W42."
        ]
    }


def test_it_answers_a_programme_without_projects(client, as_user):
    programme = ProgrammeFactory()
    as_user("staff")

    body = client.get(url(programme.pk)).json()

    assert (body["projects"], body["hardest_first"], body["criteria_hardest_first"]) == (
        [],
        [],
        [],
    )


# --- Schema ---------------------------------------------------------------------------


def test_it_documents_the_endpoint(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/programmes/{id}/analytics/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"id", "period"}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404"}
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/ProgrammeAnalytics"}
    fields = schema["components"]["schemas"]["ProjectAnalytics"]["properties"]
    assert {
        "attempts",
        "criteria_not_met",
        "days_to_approval",
        "questions",
        "difficulty",
        "dropouts",
        "hardness",
    } <= set(fields)


# --- Queries --------------------------------------------------------------------------


def _programme(students: int):
    reviewer = MentorFactory()
    programme = ProgrammeFactory()
    items = [project(programme, position, "One", "Two") for position in (1, 2, 3)]
    for number in range(students):
        student = enrol(programme, date(2026, 9, 1)).student
        approved = attempt(student, items[0], 1, reviewed_at=at(2026, 10, 3), reviewer=reviewer)
        rate(approved, 1 + number % 5, when=at(2026, 10, 4))
        ask(student, items[1], when=at(2026, 10, 5))
        if number % 3 == 0:
            drop(student, on=date(2026, 10, 6))
    return programme


@pytest.mark.parametrize("students", [2, 12])
def test_it_answers_in_a_constant_number_of_queries(
    client, as_user, django_assert_max_num_queries, students
):
    programme = _programme(students)
    as_user("staff")

    # The session and its user, the programme, then the analytics' nine.
    with django_assert_max_num_queries(12):
        response = client.get(url(programme.pk), {"period": "2026-10"})

    assert sum(row["attempts"]["n"] for row in response.json()["projects"]) == students
