"""``/api/v1/flags/``'s filters for the records behind a scorecard's figure: the
student's mentor when the flag was opened, a period by its opening (``opened_after``
inclusive, ``opened_before`` exclusive, a date being its midnight in the caller's
zone) and whether it was acknowledged. They only narrow what the caller may already
see; ``status=all`` keeps the resolved flags in.

``mover`` was ``other_mentor``'s student until 15 October 2026, 12:00 UTC, and is
``mentor``'s since; the role fixtures' students have had their mentors all year."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.models import FlagSeverity, FlagStatus, RiskFlag
from students.risk.signals import Signal, SignalName

pytestmark = pytest.mark.django_db

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
MOVED = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
OCTOBER = "opened_after=2026-10-01T00:00:00Z&opened_before=2026-11-01T00:00:00Z"
INACTIVE_RED = Signal(SignalName.INACTIVITY, FlagSeverity.RED, 15, 14).as_reason()


def utc(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def _flag(student, created_at, *, acknowledged_at=None, resolved=True) -> RiskFlag:
    """A flag the nightly job opened at ``created_at``; resolved a week later unless
    it is still open (one open flag per student)."""
    opened_on = created_at.date()
    return RiskFlag.objects.create(
        student=student,
        severity=FlagSeverity.RED,
        reasons=[INACTIVE_RED],
        opened_on=opened_on,
        evaluated_on=opened_on,
        created_at=created_at,
        acknowledged_at=acknowledged_at,
        status=FlagStatus.RESOLVED if resolved else FlagStatus.OPEN,
        resolved_on=opened_on + timedelta(days=7) if resolved else None,
    )


@pytest.fixture
def mover(student, other_student, mentor, other_mentor):
    Assignment.objects.update(started_at=JANUARY)  # the fixtures' students, all year
    user = StudentFactory(display_name="Mila Mover")
    Assignment.objects.create(
        student=user, mentor=other_mentor, started_at=JANUARY, ended_at=MOVED
    )
    Assignment.objects.create(student=user, mentor=mentor, started_at=MOVED)
    return user


@pytest.fixture
def flags(student, other_student, mover):
    return {
        # The first moment of October, acknowledged that day.
        "early": _flag(student, utc(10, 1), acknowledged_at=utc(10, 1, 12)),
        "september": _flag(student, utc(9, 30, 23, 59, 59)),
        "november": _flag(student, utc(11, 1), resolved=False),
        # Opened while other_mentor was mover's mentor.
        "moved_old": _flag(mover, utc(10, 5), acknowledged_at=utc(10, 6)),
        "moved_new": _flag(mover, utc(10, 20), resolved=False),
        "theirs": _flag(other_student, utc(10, 10), acknowledged_at=utc(10, 11), resolved=False),
    }


def _names(client, flags, query: str) -> list[str]:
    response = client.get(reverse("api:flag-list") + "?" + query)
    assert response.status_code == 200, response.content
    by_pk = {flag.pk: name for name, flag in flags.items()}
    return sorted(by_pk[row["id"]] for row in response.json()["results"])


def _people(request, *names: str) -> dict[str, int]:
    return {name: request.getfixturevalue(name).pk for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=all&mentor={mentor}", ["early", "moved_new", "november", "september"]),
        ("status=all&mentor={other_mentor}", ["moved_old", "theirs"]),
        ("mentor={mentor}", ["moved_new", "november"]),  # open ones by default
        (f"status=all&{OCTOBER}", ["early", "moved_new", "moved_old", "theirs"]),
        ("status=all&opened_after=2026-10-10T00:00:00Z", ["moved_new", "november", "theirs"]),
        ("status=all&opened_before=2026-10-05T00:00:00Z", ["early", "september"]),
        ("status=all&acknowledged=true", ["early", "moved_old", "theirs"]),
        ("status=all&acknowledged=false", ["moved_new", "november", "september"]),
        ("acknowledged=false", ["moved_new", "november"]),
        # The acknowledgement figure's records: a mentor's flags opened in October.
        (f"status=all&mentor={{mentor}}&{OCTOBER}", ["early", "moved_new"]),
        (
            f"status=all&mentor={{other_mentor}}&acknowledged=true&{OCTOBER}",
            ["moved_old", "theirs"],
        ),
    ],
)
def test_it_filters_each_field(client, as_user, flags, query, expected, request):
    as_user("staff")
    people = _people(request, "mentor", "other_mentor")

    assert _names(client, flags, query.format(**people)) == expected


def test_it_includes_the_after_moment_and_excludes_the_before_moment(client, as_user, flags):
    as_user("staff")

    assert "early" in _names(client, flags, "status=all&opened_after=2026-10-01T00:00:00Z")
    assert "early" not in _names(client, flags, "status=all&opened_before=2026-10-01T00:00:00Z")
    september = _names(client, flags, "status=all&opened_before=2026-10-01T00:00:00Z")
    october = _names(client, flags, f"status=all&{OCTOBER}")
    november = _names(client, flags, "status=all&opened_after=2026-11-01T00:00:00Z")
    assert (september, november) == (["september"], ["november"])
    assert sorted(september + october + november) == sorted(flags)


def test_it_counts_a_student_who_changed_mentor_for_the_mentor_of_each_moment(
    client, as_user, flags, mentor, other_mentor
):
    as_user("staff")

    before_the_move = _names(client, flags, f"status=all&mentor={other_mentor.pk}&{OCTOBER}")
    after_the_move = _names(client, flags, f"status=all&mentor={mentor.pk}&{OCTOBER}")

    assert before_the_move == ["moved_old", "theirs"]
    assert after_the_move == ["early", "moved_new"]


def test_it_reads_a_date_as_midnight_in_the_callers_time_zone(client, as_user, flags, staff):
    as_user("staff")
    in_utc = _names(client, flags, "status=all&opened_before=2026-10-01")
    staff.time_zone = "America/New_York"  # UTC-4 in October: 1 October begins at 04:00 UTC
    staff.save()

    in_new_york = _names(client, flags, "status=all&opened_before=2026-10-01")
    november_in_new_york = _names(client, flags, "status=all&opened_after=2026-11-01")

    assert in_utc == ["september"]
    assert in_new_york == ["early", "september"]  # midnight UTC is 20:00 on 30 September
    assert november_in_new_york == []  # the first moment of November UTC is still October


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("mentor=maria", "mentor"),
        ("mentor=-1", "mentor"),
        ("opened_after=last week", "opened_after"),
        ("opened_before=2026-10-01T10:00:00", "opened_before"),
        ("opened_before=2026-04-31", "opened_before"),
        ("acknowledged=maybe", "acknowledged"),
    ],
)
def test_it_names_a_bad_filter(client, as_user, flags, query, field):
    as_user("mentor")

    response = client.get(reverse("api:flag-list") + "?" + query)

    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        # mover is mentor's student now: their flags are mentor's to see.
        ("mentor", "mentor={other_mentor}", ["moved_old"]),
        # other_mentor no longer sees mover, not even the flag of their time.
        ("other_mentor", "mentor={other_mentor}", ["theirs"]),
        ("other_mentor", "mentor={mentor}", []),
        ("supervisor", "mentor={other_mentor}", ["moved_old"]),
        ("other_supervisor", "mentor={mentor}", []),
    ],
)
def test_it_never_widens_what_the_caller_may_see(
    client, as_user, flags, role, query, expected, request
):
    as_user(role)
    people = _people(request, "mentor", "other_mentor")

    assert _names(client, flags, "status=all&" + query.format(**people)) == expected


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_still_refuses_students_whatever_the_filters(client, as_user, flags, role, mentor):
    as_user(role)

    response = client.get(reverse("api:flag-list") + f"?status=all&mentor={mentor.pk}")

    assert response.status_code == 403


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_filters_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    for index in range(count):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor, started_at=JANUARY)
        _flag(student, utc(10, 1 + index % 28, 2), acknowledged_at=utc(10, 1 + index % 28, 9))
    as_user(role)
    query = (
        f"?status=all&mentor={mentor.pk}&acknowledged=true&"
        "opened_after=2026-10-01&opened_before=2026-11-01"
    )

    # 1 session, 2 user, 3 count, 4 the page of flags with their students.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:flag-list") + query)

    assert response.json()["count"] == count


def test_it_documents_each_filter_and_its_bounds(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    list_ = schema["paths"]["/api/v1/flags/"]["get"]
    parameters = {p["name"]: p for p in list_["parameters"]}
    assert {"mentor", "opened_after", "opened_before", "acknowledged"} <= set(parameters)
    assert "(inclusive)" in parameters["opened_after"]["description"]
    assert "(exclusive)" in parameters["opened_before"]["description"]
    assert "while the student was theirs" in parameters["mentor"]["description"]
    assert "`status=all`" in list_["description"]
