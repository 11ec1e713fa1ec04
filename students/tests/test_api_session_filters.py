"""``/api/v1/sessions/``'s filters for the records behind a scorecard's figure: the
session's mentor, its student, a period by its start (``scheduled_after`` inclusive,
``scheduled_before`` exclusive, a date being its midnight in the caller's zone) and
whether the student rated it. They only narrow what the caller may already see.

``mover`` met ``other_mentor`` before changing to ``mentor``: each session stays its
own mentor's."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.models import SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory

pytestmark = pytest.mark.django_db

OCTOBER = "scheduled_after=2026-10-01T00:00:00Z&scheduled_before=2026-11-01T00:00:00Z"


def utc(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def _held(mentor, student, scheduled_at, rating=None):
    return MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=scheduled_at,
        status=SessionStatus.COMPLETED,
        logged_at=scheduled_at,
        rating=rating,
        rated_at=scheduled_at if rating else None,
    )


@pytest.fixture
def mover(mentor):
    user = StudentFactory(display_name="Mila Mover")
    AssignmentFactory(student=user, mentor=mentor)
    return user


@pytest.fixture
def sessions(mentor, student, other_mentor, other_student, mover):
    return {
        "first": _held(mentor, student, utc(10, 1), rating=5),  # the first moment of October
        "unrated": _held(mentor, student, utc(10, 15, 10)),
        "september": _held(mentor, student, utc(9, 30, 23, 59, 59), rating=4),
        "november": _held(mentor, student, utc(11, 1)),
        "moved_old": _held(other_mentor, mover, utc(10, 5), rating=2),
        "moved_new": _held(mentor, mover, utc(10, 20)),
        "theirs": _held(other_mentor, other_student, utc(10, 10), rating=3),
    }


def _names(client, sessions, query: str) -> list[str]:
    response = client.get(reverse("api:session-list") + "?" + query)
    assert response.status_code == 200, response.content
    by_pk = {session.pk: name for name, session in sessions.items()}
    return sorted(by_pk[row["id"]] for row in response.json()["results"])


def _people(request, *names: str) -> dict[str, int]:
    return {name: request.getfixturevalue(name).pk for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mentor={mentor}", ["first", "moved_new", "november", "september", "unrated"]),
        ("mentor={other_mentor}", ["moved_old", "theirs"]),
        ("student={student}", ["first", "november", "september", "unrated"]),
        ("student={mover}", ["moved_new", "moved_old"]),
        (OCTOBER, ["first", "moved_new", "moved_old", "theirs", "unrated"]),
        ("scheduled_after=2026-10-15T10:00:00Z", ["moved_new", "november", "unrated"]),
        ("scheduled_before=2026-10-05T00:00:00Z", ["first", "september"]),
        ("rated=true", ["first", "moved_old", "september", "theirs"]),
        ("rated=false", ["moved_new", "november", "unrated"]),
        # The satisfaction figure's records: a mentor's rated sessions in October.
        (f"mentor={{mentor}}&rated=true&{OCTOBER}", ["first"]),
        (f"mentor={{other_mentor}}&rated=true&{OCTOBER}", ["moved_old", "theirs"]),
    ],
)
def test_it_filters_each_field(client, as_user, sessions, query, expected, request):
    as_user("staff")
    people = _people(request, "mentor", "other_mentor", "student", "mover")

    assert _names(client, sessions, query.format(**people)) == expected


def test_it_includes_the_after_moment_and_excludes_the_before_moment(client, as_user, sessions):
    as_user("staff")

    assert "first" in _names(client, sessions, "scheduled_after=2026-10-01T00:00:00Z")
    assert "first" not in _names(client, sessions, "scheduled_before=2026-10-01T00:00:00Z")
    september = _names(client, sessions, "scheduled_before=2026-10-01T00:00:00Z")
    october = _names(client, sessions, OCTOBER)
    november = _names(client, sessions, "scheduled_after=2026-11-01T00:00:00Z")
    assert (september, november) == (["september"], ["november"])
    assert sorted(september + october + november) == sorted(sessions)


def test_it_reads_a_date_as_midnight_in_the_callers_time_zone(client, as_user, sessions, staff):
    as_user("staff")
    in_utc = _names(client, sessions, "scheduled_before=2026-10-01")
    staff.time_zone = "Asia/Tokyo"  # UTC+9: 1 October begins at 15:00 UTC on 30 September
    staff.save()

    in_tokyo = _names(client, sessions, "scheduled_before=2026-10-01")
    october_in_tokyo = _names(
        client, sessions, "scheduled_after=2026-10-01&scheduled_before=2026-11-01"
    )

    assert in_utc == ["september"]
    assert in_tokyo == []
    # 30 September 23:59:59 UTC is 1 October in Tokyo; 1 November 00:00 UTC is not October.
    assert october_in_tokyo == [
        "first",
        "moved_new",
        "moved_old",
        "september",
        "theirs",
        "unrated",
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("mentor=maria", "mentor"),
        ("student=0", "student"),
        ("scheduled_after=soon", "scheduled_after"),
        ("scheduled_before=2026-10-01T10:00:00", "scheduled_before"),
        ("scheduled_before=2026-02-29", "scheduled_before"),
        ("rated=maybe", "rated"),
    ],
)
def test_it_names_a_bad_filter(client, as_user, sessions, query, field):
    as_user("mentor")

    response = client.get(reverse("api:session-list") + "?" + query)

    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        ("mentor", "mentor={other_mentor}", []),
        ("mentor", "student={other_student}", []),
        # mover is mentor's student now; the earlier session stays other_mentor's.
        ("mentor", "student={mover}", ["moved_new"]),
        ("other_mentor", "student={mover}", ["moved_old"]),
        ("other_mentor", "mentor={mentor}", []),
        ("supervisor", "mentor={other_mentor}", []),
        ("other_supervisor", "mentor={mentor}", []),
        ("student", "student={other_student}", []),
        ("student", "mentor={mentor}", ["first", "november", "september", "unrated"]),
        ("other_student", "mentor={mentor}", []),
    ],
)
def test_it_never_widens_what_the_caller_may_see(
    client, as_user, sessions, role, query, expected, request
):
    as_user(role)
    people = _people(request, "mentor", "other_mentor", "other_student", "mover")

    assert _names(client, sessions, query.format(**people)) == expected


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_filters_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    for index in range(count):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        _held(mentor, student, utc(10, 1 + index % 28, 9), rating=1 + index % 5)
    as_user(role)
    query = (
        f"?mentor={mentor.pk}&rated=true&scheduled_after=2026-10-01&scheduled_before=2026-11-01"
    )

    # 1 session, 2 user, 3 count, 4 the page of sessions with mentor and student.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:session-list") + query)

    assert response.json()["count"] == count


def test_it_documents_each_filter_and_its_bounds(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/sessions/"]["get"]["parameters"]}
    assert {"mentor", "student", "scheduled_after", "scheduled_before", "rated"} <= set(parameters)
    assert "(inclusive)" in parameters["scheduled_after"]["description"]
    assert "(exclusive)" in parameters["scheduled_before"]["description"]
    assert parameters["rated"]["schema"] == {"type": "boolean", "nullable": True}
