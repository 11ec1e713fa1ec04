"""``/api/v1/students/``: who sees whom (``students_visible_to``), profile, current
mentor and progress, constant queries, token auth; private notes never appear."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship import services
from mentorship.models import DailyActivity, StudentStatus, StudentStatusChange
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.tests.helpers_curriculum import curriculum_create, project_approved
from students.models import MentorNote
from students.tests.helpers_sessions import completed

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
NOTE_TEXT = "PRIVATE-NOTE-TEXT: family trouble, go gently"


@pytest.fixture
def both(student, other_student):
    return {"student": student, "other_student": other_student}


def _detail(student) -> str:
    return reverse("api:student-detail", args=[student.pk])


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client, student):
    assert client.get(reverse("api:student-list")).status_code == 401
    assert client.get(_detail(student)).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(client, as_user, student, method):
    as_user("staff")
    url = reverse("api:student-list") if method == "post" else _detail(student)

    response = getattr(client, method)(url, {}, content_type="application/json")

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_students_a_role_may_see(client, as_user, both, role):
    as_user(role)

    response = client.get(reverse("api:student-list"))

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {both[name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["student", "other_student"])
def test_it_shows_a_student_only_to_those_who_may_see_them(client, as_user, both, role, whose):
    as_user(role)

    response = client.get(_detail(both[whose]))

    assert response.status_code == (200 if whose in VISIBLE[role] else 404)


def test_it_describes_a_student_with_profile_mentor_and_progress(client, as_user, student, mentor):
    curriculum = curriculum_create(projects=2, students=[student])
    project_approved(student=student, project=curriculum.first)
    student.time_zone = "Europe/Moscow"
    student.save()
    as_user("mentor")

    body = client.get(_detail(student)).json()

    assert body["display_name"] == "Stas Student"
    assert body["time_zone"] == "Europe/Moscow"
    assert body["language"] == student.language
    assert body["profile"] == {
        "goals": "Become a web developer",
        "weekly_hours": 12,
        "status": "active",
        # Never changed: active since they joined, on their calendar.
        "status_since": timezone.localdate(student.date_joined, student.zone).isoformat(),
    }
    assert body["current_mentor"] == {"id": mentor.pk, "display_name": "Maria Mentor"}
    [progress] = body["progress"]
    assert progress["programme"] == {
        "id": curriculum.programme.pk,
        "title": curriculum.programme.title,
    }
    assert progress["enrolment_status"] == "active"
    assert (progress["approved_count"], progress["project_count"]) == (1, 2)
    assert progress["next_project"]["id"] == curriculum.second.pk
    assert {"pace", "projects_ahead", "projects_behind", "days_behind"} <= set(progress)


def test_it_shows_no_mentor_and_no_progress_when_there_is_none(client, as_user, db):
    loner = StudentFactory()
    as_user("staff")

    body = client.get(_detail(loner)).json()

    assert body["current_mentor"] is None
    assert body["progress"] == []


def test_it_gives_the_last_day_of_the_activity_rollup_as_last_activity(
    client, as_user, student, other_student
):
    DailyActivity.objects.create(student=student, day=date(2026, 3, 2), events=2)
    as_user("staff")

    body = client.get(reverse("api:student-list")).json()

    last = {item["id"]: item["last_active_on"] for item in body["results"]}
    assert last == {student.pk: "2026-03-02", other_student.pk: None}
    assert client.get(_detail(student)).json()["last_active_on"] == "2026-03-02"


def test_it_filters_by_status(client, as_user, student, other_student):
    other_student.student_profile.status = "paused"
    other_student.student_profile.save()
    as_user("staff")

    response = client.get(reverse("api:student-list"), {"status": "paused"})

    assert [row["id"] for row in response.json()["results"]] == [other_student.pk]
    assert client.get(reverse("api:student-list"), {"status": "nope"}).status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_it_never_shows_private_notes(client, as_user, both, mentor, other_mentor, role):
    for name, author in (("student", mentor), ("other_student", other_mentor)):
        MentorNote.objects.create(student=both[name], author=author, body=NOTE_TEXT)
        completed(author, both[name])
    as_user(role)

    listed = client.get(reverse("api:student-list")).content.decode()
    details = [client.get(_detail(both[name])).content.decode() for name in VISIBLE[role]]

    for text in (listed, *details):
        assert NOTE_TEXT not in text
        assert "SECRET-NOTE" not in text
        assert "note" not in json.dumps(json.loads(text)).lower()


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lists_students_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    students = [StudentFactory() for _ in range(count)]
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    curriculum = curriculum_create(projects=3, students=students)
    for student in students[::3]:
        project_approved(student=student, project=curriculum.first)
    as_user(role)

    # 1 session, 2 user, 3 count, 4 the page of students with profiles, 5 their
    # current assignments with mentors, 6 enrolments with programmes, 7 projects,
    # 8 submissions.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:student-list"))

    assert len(response.json()["results"]) == min(count, 50)


def test_it_accepts_an_api_token(client, staff, mentor, student):
    _token, key = services.api_token_create(name="Reports", user=mentor, created_by=staff)

    response = client.get(reverse("api:student-list"), headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [student.pk]


def test_it_documents_the_endpoints(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    assert {"/api/v1/students/", "/api/v1/students/{id}/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/students/"]["get"]["parameters"]}
    assert {"status", "page"} <= params


# --- Recording a change of status ---------------------------------------------------------

# Who may record a change of ``student``'s status: staff. Those who see the student are
# told 403, the others 404 (they may not know the student exists).
STATUS_ANSWERS = {
    "student": 403,
    "other_student": 404,
    "mentor": 403,
    "other_mentor": 404,
    "supervisor": 403,
    "other_supervisor": 404,
    "staff": 201,
}
WITHDRAWN_ON = date(2026, 10, 1)


def _status_url(student) -> str:
    return reverse("api:student-status", args=[student.pk])


def _withdrawal(**changes) -> dict:
    return {
        "status": "dropped",
        "effective_on": WITHDRAWN_ON.isoformat(),
        "reason": "Wrote to say they moved abroad.",
        **changes,
    }


@pytest.fixture
def joined_long_ago(student):
    student.date_joined = timezone.now() - timedelta(days=400)
    student.save()
    return student


@pytest.mark.django_db
def test_it_answers_anonymous_status_changes_with_401(client, student):
    response = client.post(_status_url(student), _withdrawal(), content_type="application/json")

    assert response.status_code == 401
    assert not StudentStatusChange.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_record_a_status_change(client, as_user, student, role):
    as_user(role)

    response = client.post(_status_url(student), _withdrawal(), content_type="application/json")

    assert response.status_code == STATUS_ANSWERS[role]
    student.student_profile.refresh_from_db()
    if role == "staff":
        assert student.student_profile.status == StudentStatus.DROPPED
    else:
        assert student.student_profile.status == StudentStatus.ACTIVE
        assert not StudentStatusChange.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_it_only_takes_posted_status_changes(client, as_user, student, method):
    as_user("staff")

    response = getattr(client, method)(_status_url(student), {}, content_type="application/json")

    assert response.status_code == 405


def test_it_records_a_past_withdrawal_and_answers_with_the_history(
    client, as_user, joined_long_ago
):
    student = joined_long_ago
    staff = as_user("staff")

    response = client.post(_status_url(student), _withdrawal(), content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    joined = timezone.localdate(student.date_joined, student.zone)
    assert (body["student"], body["status"], body["status_since"]) == (
        student.pk,
        "dropped",
        WITHDRAWN_ON.isoformat(),
    )
    assert [
        (change["status"], change["effective_on"], change["recorded_by"], change["reason"])
        for change in body["history"]
    ] == [
        (
            "dropped",
            WITHDRAWN_ON.isoformat(),
            {"id": staff.pk, "display_name": "Stella Staff"},
            "Wrote to say they moved abroad.",
        ),
        ("active", joined.isoformat(), None, ""),
    ]
    detail = client.get(_detail(student)).json()
    assert (detail["profile"]["status"], detail["profile"]["status_since"]) == (
        "dropped",
        WITHDRAWN_ON.isoformat(),
    )


def test_it_keeps_a_later_status_current_when_an_earlier_one_is_recorded(
    client, as_user, joined_long_ago
):
    student = joined_long_ago
    as_user("staff")
    client.post(_status_url(student), {"status": "paused"}, content_type="application/json")

    response = client.post(_status_url(student), _withdrawal(), content_type="application/json")

    today = timezone.localdate(timezone=student.zone)
    assert (response.json()["status"], response.json()["status_since"]) == (
        "paused",
        today.isoformat(),
    )
    assert [change["status"] for change in response.json()["history"]] == [
        "paused",
        "dropped",
        "active",
    ]


def test_it_refuses_a_future_day_naming_the_field(client, as_user, student):
    as_user("staff")
    tomorrow = timezone.localdate(timezone=student.zone) + timedelta(days=1)

    response = client.post(
        _status_url(student),
        _withdrawal(effective_on=tomorrow.isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"effective_on"}
    student.student_profile.refresh_from_db()
    assert student.student_profile.status == StudentStatus.ACTIVE
    assert not StudentStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "vanished"}, "status"), ({"effective_on": "someday"}, "effective_on")],
)
def test_it_refuses_bad_input_naming_the_field(client, as_user, student, body, field):
    as_user("staff")

    response = client.post(
        _status_url(student), _withdrawal(**body), content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not StudentStatusChange.objects.exists()


def test_it_documents_the_status_endpoint(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/students/{id}/status/"]
    assert set(operation) >= {"post"}
    assert {"201", "400", "403", "404"} <= set(operation["post"]["responses"])
