"""The free times and booking through ``/api/v1/sessions/slots/`` and
``/api/v1/sessions/book/``: who may, what the student reads (their mentor's times on
their own clock), errors naming the field, and the new fields of a session."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from conftest import ROLES
from students.availability import booking_options
from students.models import MentoringSession, SessionStatus
from students.tests.helpers_availability import MONDAY, TUESDAY, weekly_slot
from students.tests.helpers_sessions import MentoringSessionFactory

SLOTS = reverse("api:session-slots")
BOOK = reverse("api:session-book")


def _post(client, url: str, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def slots(mentor, other_mentor):
    weekly_slot(mentor, MONDAY, 18)
    weekly_slot(other_mentor, TUESDAY, 9)


def test_it_answers_anonymous_callers_with_401_or_403(db, client):
    assert client.get(SLOTS).status_code in (401, 403)
    assert _post(client, BOOK, {"scheduled_at": "2030-01-07T15:00:00Z"}).status_code in (
        401,
        403,
    )
    assert not MentoringSession.objects.exists()


@pytest.mark.parametrize(
    ("role", "status", "weekday"),
    [
        ("student", 200, MONDAY),  # their mentor's
        ("other_student", 200, TUESDAY),  # theirs, not this mentor's
        ("mentor", 200, MONDAY),  # their own
        ("other_mentor", 200, TUESDAY),
        ("supervisor", 403, None),
        ("other_supervisor", 403, None),
        ("staff", 403, None),
    ],
)
def test_it_lists_free_times_to_students_and_mentors_each_their_own(
    as_user, client, slots, mentor, role, status, weekday
):
    user = as_user(role)

    response = client.get(SLOTS, {"weeks": 2})

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["weeks"] == 2
        assert body["time_zone"] == user.time_zone
        assert len(body["slots"]) == 2
        zone = ZoneInfo(body["mentor"]["time_zone"])
        starts = [datetime.fromisoformat(slot["scheduled_at"]) for slot in body["slots"]]
        assert {start.astimezone(zone).weekday() for start in starts} == {weekday}


def test_it_gives_each_start_on_the_students_own_clock(as_user, client, mentor, student):
    mentor.time_zone = "Europe/Moscow"
    mentor.save()
    student.time_zone = "America/New_York"
    student.save()
    weekly_slot(mentor, MONDAY, 18)
    as_user("student")

    body = client.get(SLOTS, {"weeks": 1}).json()

    (slot,) = body["slots"]
    start = datetime.fromisoformat(slot["scheduled_at"])
    local = datetime.fromisoformat(slot["local_start"])
    assert local == start
    assert local.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    assert (local.hour, local.minute) in ((10, 0), (11, 0))
    assert body["mentor"] == {
        "id": mentor.pk,
        "display_name": "Maria Mentor",
        "time_zone": "Europe/Moscow",
    }
    assert slot["duration_minutes"] == 45
    assert slot["ends_at"]


@pytest.mark.parametrize("weeks", ["0", "9", "abc"])
def test_it_names_a_bad_weeks(as_user, client, slots, weeks):
    as_user("student")

    response = client.get(SLOTS, {"weeks": weeks})

    assert response.status_code == 400
    assert "weeks" in response.json()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 201),
        ("other_student", 400),  # not a time of their own mentor's
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_mentors_students_book_the_mentors_time(
    as_user, client, slots, student, role, status
):
    free = booking_options(student=student, weeks=2).slots[0]
    as_user(role)

    response = _post(client, BOOK, {"scheduled_at": free.key, "agenda": "CV"})

    assert response.status_code == status
    if status == 201:
        body = response.json()
        session = MentoringSession.objects.get()
        assert body["id"] == session.pk
        assert (body["status"], body["status_for_student"]) == ("scheduled", "scheduled")
        assert datetime.fromisoformat(body["scheduled_at"]) == free.starts_at
        assert "private_notes" not in body
    else:
        assert not MentoringSession.objects.exists()
    if status == 400:
        assert "scheduled_at" in response.json()


def test_it_answers_a_time_taken_meanwhile_on_the_field(as_user, client, slots, student, mentor):
    free = booking_options(student=student, weeks=2).slots[0]
    MentoringSessionFactory(mentor=mentor, scheduled_at=free.starts_at)
    as_user("student")

    response = _post(client, BOOK, {"scheduled_at": free.key})

    assert response.status_code == 400
    assert response.json()["scheduled_at"] == ["This time is no longer free; choose another."]
    assert MentoringSession.objects.filter(student=student).count() == 0


@pytest.mark.parametrize(
    "payload",
    [{}, {"scheduled_at": "tomorrow"}, {"scheduled_at": "2030-01-07T15:00:00"}],
)
def test_it_names_bad_input(as_user, client, slots, payload):
    as_user("student")

    response = _post(client, BOOK, payload)

    assert response.status_code == 400
    assert "scheduled_at" in response.json()


def test_it_shows_each_person_the_call_link_and_the_students_status(
    as_user, client, mentor, student
):
    session = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=timezone.now() - timedelta(hours=1),
        call_url="https://meet.example.test/maria",
    )
    url = reverse("api:session-detail", args=[session.pk])

    for role in ROLES:
        as_user(role)
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.json()
        assert body["call_url"] == "https://meet.example.test/maria"
        assert (body["status"], body["status_for_student"]) == ("scheduled", "scheduled")

    session.status = SessionStatus.STUDENT_NO_SHOW
    session.save()
    as_user("student")
    assert client.get(url).json()["status_for_student"] == "missed"


def test_it_schedules_with_a_call_link_through_the_api(as_user, client, mentor, student):
    as_user("mentor")
    when = (timezone.now() + timedelta(days=3)).replace(microsecond=0).astimezone(UTC)

    response = _post(
        client,
        reverse("api:session-list"),
        {
            "student": student.pk,
            "scheduled_at": when.isoformat(),
            "call_url": "https://meet.example.test/own",
        },
    )

    assert response.status_code == 201
    assert response.json()["call_url"] == "https://meet.example.test/own"


def test_it_documents_slots_and_booking_without_schema_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    paths = schema["paths"]
    assert paths["/api/v1/sessions/book/"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/SessionBooking"}
    assert "weeks" in {
        parameter["name"] for parameter in paths["/api/v1/sessions/slots/"]["get"]["parameters"]
    }
    assert paths["/api/v1/sessions/slots/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/FreeSlots"}
