"""``GET /api/v1/flags/``: the at-risk flags on the students a caller looks after, open
ones by default, each reason with a sentence in the caller's language."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from conftest import ROLES
from mentorship import services
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.flags import Reason, flag_reason_sentences
from students.models import FlagSeverity, FlagStatus, RiskFlag
from students.risk.signals import Signal, SignalName

TODAY = date(2026, 3, 10)
# Whose flags each role sees; students are refused.
VISIBLE = {
    "mentor": {"student"},
    "other_mentor": {"other_student"},
    "supervisor": {"student"},
    "other_supervisor": {"other_student"},
    "staff": {"student", "other_student"},
}
STUDENTS = {"student", "other_student"}
INACTIVE_RED = Signal(SignalName.INACTIVITY, FlagSeverity.RED, 15, 14).as_reason()


def _flag(student, **fields) -> RiskFlag:
    values = {
        "severity": FlagSeverity.RED,
        "reasons": [INACTIVE_RED],
        "opened_on": TODAY,
        "evaluated_on": TODAY,
        **fields,
    }
    return RiskFlag.objects.create(student=student, **values)


def _list(client, query: str = "", **headers):
    return client.get(reverse("api:flag-list") + query, headers=headers)


@pytest.fixture
def flags(student, other_student):
    return {"student": _flag(student), "other_student": _flag(other_student)}


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client):
    assert _list(client).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_flags_of_the_students_the_caller_looks_after(client, as_user, flags, role):
    as_user(role)

    response = _list(client)

    if role in STUDENTS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        flags[whose].pk for whose in VISIBLE[role]
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", sorted(STUDENTS))
def test_it_shows_a_flag_only_to_those_who_may_see_it(client, as_user, flags, role, whose):
    as_user(role)

    response = client.get(reverse("api:flag-detail", args=[flags[whose].pk]))

    if role in STUDENTS:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if whose in VISIBLE[role] else 404)


def test_it_refuses_writes_with_405(client, as_user, flags):
    as_user("staff")
    flag = flags["student"]

    responses = [
        client.post(reverse("api:flag-list"), {}, content_type="application/json"),
        client.patch(
            reverse("api:flag-detail", args=[flag.pk]),
            {"severity": FlagSeverity.AMBER},
            content_type="application/json",
        ),
        client.delete(reverse("api:flag-detail", args=[flag.pk])),
    ]

    assert [response.status_code for response in responses] == [405, 405, 405]
    flag.refresh_from_db()
    assert flag.severity == FlagSeverity.RED


def test_it_stops_showing_a_student_to_their_former_mentor(client, as_user, flags, student):
    student.mentor_assignments.update(ended_at=timezone.now())
    as_user("mentor")

    assert _list(client).json()["results"] == []


def test_it_describes_a_flag_with_its_reasons_worst_first(client, as_user, student):
    drop = Signal(SignalName.ACTIVITY_DROP, FlagSeverity.AMBER, 3.5, 50, baseline=10.0).as_reason()
    flag = _flag(student, reasons=[drop, INACTIVE_RED])
    as_user("mentor")

    response = client.get(reverse("api:flag-detail", args=[flag.pk]))

    texts = flag_reason_sentences(flag)
    assert response.json() == {
        "id": flag.pk,
        "student": {"id": student.pk, "display_name": "Stas Student"},
        "status": "open",
        "severity": "red",
        "opened_on": "2026-03-10",
        "evaluated_on": "2026-03-10",
        "resolved_on": None,
        "acknowledged_at": None,
        "verdict": "",
        "recovered": None,
        "reasons": [
            {
                "signal": "inactivity",
                "severity": "red",
                "observed": 15.0,
                "baseline": None,
                "threshold": 14.0,
                "project": "",
                "text": texts[0],
            },
            {
                "signal": "activity_drop",
                "severity": "amber",
                "observed": 3.5,
                "baseline": 10.0,
                "threshold": 50.0,
                "project": "",
                "text": texts[1],
            },
        ],
        "reasons_as_of": "2026-03-10",
    }
    assert "15" in texts[0]
    assert "3.5" in texts[1]


@pytest.fixture
def language_as_text(monkeypatch):
    """Each reason's sentence becomes the language it was read in."""
    monkeypatch.setattr(Reason, "sentence", property(lambda reason: translation.get_language()))


def test_it_writes_the_sentences_in_the_callers_saved_language(
    client, as_user, flags, mentor, language_as_text
):
    mentor.language = "ru"
    mentor.save()
    as_user("mentor")

    (row,) = _list(client, Accept_Language="en").json()["results"]

    assert row["reasons"][0]["text"] == "ru"


def test_it_writes_the_sentences_in_the_accepted_language_for_a_token_without_one(
    client, staff, flags, language_as_text
):
    staff.language = ""
    staff.save()
    _token, key = services.api_token_create(name="Reports", user=staff, created_by=staff)

    response = _list(client, Authorization=f"Bearer {key}", Accept_Language="ru")

    assert {row["reasons"][0]["text"] for row in response.json()["results"]} == {"ru"}


def test_it_lists_open_flags_unless_asked_otherwise(client, as_user, student, other_student):
    open_flag = _flag(student)
    resolved = _flag(
        other_student,
        status=FlagStatus.RESOLVED,
        opened_on=TODAY - timedelta(days=20),
        resolved_on=TODAY,
    )
    as_user("staff")

    listed = {
        query: [row["id"] for row in _list(client, query).json()["results"]]
        for query in ["", "?status=open", "?status=resolved", "?status=all"]
    }

    assert listed == {
        "": [open_flag.pk],
        "?status=open": [open_flag.pk],
        "?status=resolved": [resolved.pk],
        "?status=all": [resolved.pk, open_flag.pk],
    }


def test_it_filters_by_severity(client, as_user, student, other_student):
    _flag(student, severity=FlagSeverity.RED)
    amber = _flag(other_student, severity=FlagSeverity.AMBER)
    as_user("staff")

    response = _list(client, "?severity=amber")

    assert [row["id"] for row in response.json()["results"]] == [amber.pk]


@pytest.mark.parametrize("query", ["?status=closed", "?severity=green"])
def test_it_names_a_bad_filter(client, as_user, flags, query):
    as_user("staff")

    response = _list(client, query)

    assert response.status_code == 400
    assert query[1:].split("=")[0] in response.json()


def test_it_lists_the_oldest_unacknowledged_first(client, as_user, mentor):
    students = [StudentFactory() for _ in range(3)]
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    acknowledged = _flag(
        students[0], opened_on=TODAY - timedelta(days=9), acknowledged_at=timezone.now()
    )
    newer = _flag(students[1], opened_on=TODAY - timedelta(days=1))
    older = _flag(students[2], opened_on=TODAY - timedelta(days=5))
    as_user("mentor")

    response = _list(client)

    assert [row["id"] for row in response.json()["results"]] == [
        older.pk,
        newer.pk,
        acknowledged.pk,
    ]


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lists_flags_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    for _ in range(count):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        _flag(student)
    as_user(role)

    # 1 session, 2 user, 3 count, 4 the page of flags with their students.
    with django_assert_max_num_queries(4):
        response = _list(client)

    assert len(response.json()["results"]) == count


def test_it_accepts_an_api_token(client, staff, mentor, flags):
    _token, key = services.api_token_create(name="Reports", user=mentor, created_by=staff)

    response = _list(client, Authorization=f"Bearer {key}")

    assert [row["id"] for row in response.json()["results"]] == [flags["student"].pk]


def test_it_documents_the_endpoint_without_schema_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    listing = schema["paths"]["/api/v1/flags/"]["get"]
    assert {"status", "severity", "page"} <= {p["name"] for p in listing["parameters"]}
    assert set(listing["responses"]) == {"200", "400", "401", "403", "404"}
    reason = schema["components"]["schemas"]["FlagReason"]
    assert {"signal", "observed", "baseline", "threshold", "text"} <= set(reason["properties"])
