"""``GET /api/v1/students/{id}/activity/``: a student's daily series from the rollup,
zero-filled, with weekly totals, for those who may see the student."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship import services
from mentorship.activity import activity_ingest
from mentorship.models import ActivityKind, DailyActivity
from mentorship.tests.factories import StudentFactory

# Which of the two students each role sees.
VISIBLE = {
    "student": {"student"},
    "other_student": {"other_student"},
    "mentor": {"student"},
    "other_mentor": {"other_student"},
    "supervisor": {"student"},
    "other_supervisor": {"other_student"},
    "staff": {"student", "other_student"},
}


def _url(student, query: str = "") -> str:
    return reverse("api:student-activity", args=[student.pk]) + query


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client, student):
    assert client.get(_url(student)).status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["student", "other_student"])
def test_it_shows_the_series_only_to_those_who_may_see_the_student(
    client, as_user, request, role, whose
):
    as_user(role)
    target = request.getfixturevalue(whose)

    response = client.get(_url(target))

    assert response.status_code == (200 if whose in VISIBLE[role] else 404)


def test_it_hides_people_who_are_not_students(client, as_user, mentor):
    as_user("staff")

    assert client.get(_url(mentor)).status_code == 404


def test_it_answers_a_token_like_a_session(client, staff, student):
    _token, key = services.api_token_create(name="Reports", user=staff, created_by=staff)

    response = client.get(_url(student), headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200


def test_it_fills_days_without_events_with_zeros_and_totals_weeks(client, as_user, student):
    # Wednesday 4 March 2026 and Monday 9 March; a missed session does not count.
    activity_ingest(
        source="platform",
        items=[
            {"student_email": student.email, "kind": kind, "occurred_at": moment}
            for kind, moment in [
                (ActivityKind.LESSON_VIEWED, "2026-03-04T10:00:00Z"),
                (ActivityKind.QUIZ_TAKEN, "2026-03-04T11:00:00Z"),
                (ActivityKind.SESSION_MISSED, "2026-03-05T11:00:00Z"),
                (ActivityKind.LESSON_VIEWED, "2026-03-09T10:00:00Z"),
                (ActivityKind.LESSON_VIEWED, "2026-03-11T10:00:00Z"),
            ]
        ],
    )
    as_user("mentor")

    response = client.get(_url(student, "?from=2026-03-03&to=2026-03-10"))

    assert response.status_code == 200
    body = response.json()
    assert (body["student"], body["start"], body["end"], body["total"]) == (
        student.pk,
        "2026-03-03",
        "2026-03-10",
        3,
    )
    assert [(day["day"], day["events"]) for day in body["days"]] == [
        ("2026-03-03", 0),
        ("2026-03-04", 2),
        ("2026-03-05", 0),
        ("2026-03-06", 0),
        ("2026-03-07", 0),
        ("2026-03-08", 0),
        ("2026-03-09", 1),
        ("2026-03-10", 0),
    ]
    assert body["weeks"] == [
        {"week_start": "2026-03-02", "events": 2},
        {"week_start": "2026-03-09", "events": 1},
    ]


def test_it_covers_the_last_90_days_of_the_students_calendar_by_default(client, as_user, db):
    student = StudentFactory(time_zone="Pacific/Kiritimati")
    today = timezone.now().astimezone(timezone.get_fixed_timezone(14 * 60)).date()
    DailyActivity.objects.create(student=student, day=today, events=4)
    DailyActivity.objects.create(student=student, day=today - timedelta(days=90), events=9)
    as_user("staff")

    body = client.get(_url(student)).json()

    assert len(body["days"]) == 90
    assert (body["start"], body["end"]) == (
        (today - timedelta(days=89)).isoformat(),
        today.isoformat(),
    )
    assert body["days"][-1] == {"day": today.isoformat(), "events": 4}
    assert body["total"] == 4
    assert sum(week["events"] for week in body["weeks"]) == 4


def test_it_ends_the_default_range_at_the_day_asked(client, as_user, student):
    as_user("student")

    body = client.get(_url(student, "?to=2026-01-31")).json()

    assert (body["start"], body["end"]) == ("2025-11-03", "2026-01-31")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=2026-03-10&to=2026-03-01", "from"),
        ("?from=2025-01-01&to=2026-03-01", "from"),
        ("?from=yesterday", "from"),
        ("?to=2026-02-30", "to"),
    ],
)
def test_it_refuses_bad_ranges_naming_the_field(client, as_user, student, query, field):
    as_user("student")

    response = client.get(_url(student, query))

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_it_takes_a_full_year(client, as_user, student):
    as_user("student")

    body = client.get(_url(student, "?from=2025-03-02&to=2026-03-02")).json()

    assert len(body["days"]) == 366
    assert date.fromisoformat(body["weeks"][0]["week_start"]).weekday() == 0


@pytest.mark.parametrize("days", [7, 300])
def test_it_reads_the_series_in_constant_queries(
    client, as_user, student, django_assert_max_num_queries, days
):
    start = date(2025, 3, 1)
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=start + timedelta(days=offset), events=offset + 1)
        for offset in range(days)
    )
    as_user("mentor")
    end = (start + timedelta(days=days - 1)).isoformat()

    # Session and user (2), the student among those visible (1), the rollup rows (1).
    with django_assert_max_num_queries(4):
        response = client.get(_url(student, f"?from={start.isoformat()}&to={end}"))

    assert response.json()["total"] == days * (days + 1) // 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(client, as_user, student, method):
    as_user("staff")

    response = getattr(client, method)(_url(student), {}, content_type="application/json")

    assert response.status_code == 405
