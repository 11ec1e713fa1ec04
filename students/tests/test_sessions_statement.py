"""The monthly statement of a mentor's sessions, on the page and as CSV."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from students.models import MentoringSession, SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory

STATEMENT = reverse("students:session_statement")
UTC = ZoneInfo("UTC")


def at(day, hour=10, minute=0):
    return datetime(2030, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def march(mentor, student):
    """A March of ``mentor``: 2 held (rated 4 and 2), a no-show, a late cancellation
    by the student, one by the mentor, and a session of February that stays out."""
    sessions = [
        MentoringSessionFactory(
            mentor=mentor,
            student=student,
            scheduled_at=at(3),
            status=SessionStatus.COMPLETED,
            duration_minutes=60,
            rating=4,
            private_notes="SECRET-NOTE one",
            summary="SUMMARY-TEXT",
        ),
        MentoringSessionFactory(
            mentor=mentor,
            student=student,
            scheduled_at=at(10),
            status=SessionStatus.COMPLETED,
            duration_minutes=30,
            rating=2,
        ),
        MentoringSessionFactory(
            mentor=mentor,
            student=student,
            scheduled_at=at(17),
            status=SessionStatus.STUDENT_NO_SHOW,
            private_notes="SECRET-NOTE two",
        ),
        MentoringSessionFactory(
            mentor=mentor,
            student=student,
            scheduled_at=at(20),
            status=SessionStatus.CANCELLED_BY_STUDENT,
            notice_hours=3,
        ),
        MentoringSessionFactory(
            mentor=mentor,
            student=student,
            scheduled_at=at(24),
            status=SessionStatus.CANCELLED_BY_MENTOR,
        ),
    ]
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2030, 2, 27, 10, tzinfo=UTC),
        status=SessionStatus.COMPLETED,
    )
    return sessions


def _get(client, mentor, month="2030-03", **extra):
    return client.get(STATEMENT, {"mentor": mentor.pk, "month": month, **extra})


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "own_team", "other_team"),
    [
        ("student", 403, 403),
        ("other_student", 403, 403),
        ("mentor", 200, 404),
        ("other_mentor", 404, 200),
        ("supervisor", 200, 404),
        ("other_supervisor", 404, 200),
        ("staff", 200, 200),
    ],
)
@pytest.mark.parametrize("csv_format", [False, True])
def test_it_shows_a_statement_only_to_whoever_may_see_the_mentor(
    as_user, client, mentor, other_mentor, role, own_team, other_team, csv_format
):
    as_user(role)
    extra = {"format": "csv"} if csv_format else {}

    assert _get(client, mentor, **extra).status_code == own_team
    assert _get(client, other_mentor, **extra).status_code == other_team


def test_it_shows_a_mentor_their_own_statement_by_default(as_user, client, mentor, march):
    as_user("mentor")

    response = client.get(STATEMENT, {"month": "2030-03"})

    assert response.status_code == 200
    assert response.context["statement"].mentor == mentor


def test_it_shows_a_supervisor_a_mentor_of_their_team_by_default(
    as_user, client, mentor, other_mentor
):
    as_user("supervisor")

    response = client.get(STATEMENT)

    assert response.context["statement"].mentor == mentor


def test_it_refuses_a_month_it_cannot_read(as_user, client, mentor):
    as_user("mentor")

    response = _get(client, mentor, month="March")

    assert response.status_code == 400
    assert response.context["statement"] is None


# --- Content --------------------------------------------------------------------------


def test_it_counts_the_months_sessions_by_outcome(as_user, client, mentor, march):
    as_user("supervisor")

    statement = _get(client, mentor).context["statement"]

    assert statement.counts == {
        "scheduled": 0,
        "completed": 2,
        "student_no_show": 1,
        "cancelled_by_student": 1,
        "cancelled_by_mentor": 1,
    }
    assert statement.completed_minutes == 90
    assert statement.average_rating == 3
    assert [session.pk for session in statement.sessions] == [s.pk for s in march]


def test_it_shows_the_mentors_satisfaction_over_all_months(as_user, client, mentor, march):
    MentoringSessionFactory(
        mentor=mentor,
        student=march[0].student,
        scheduled_at=datetime(2029, 12, 1, tzinfo=UTC),
        status=SessionStatus.COMPLETED,
        rating=5,
    )
    as_user("mentor")

    response = _get(client, mentor)

    assert response.context["satisfaction"] == {"average": pytest.approx(11 / 3), "ratings": 3}
    assert "3.7 from 3 ratings" in response.content.decode()


def test_it_keeps_private_notes_out_of_the_page_and_the_export(as_user, client, mentor, march):
    as_user("mentor")

    page = _get(client, mentor).content.decode()
    export = _get(client, mentor, format="csv").content.decode()

    for text in (page, export):
        assert "SECRET-NOTE" not in text
    assert "SUMMARY-TEXT" not in export


def test_it_exports_the_statement_as_csv(as_user, client, mentor, student, march):
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    as_user("staff")

    response = _get(client, mentor, format="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="sessions-{mentor.pk}-2030-03.csv"'
    )
    rows = _csv_rows(response)
    assert [row["outcome"] for row in rows] == [
        "completed",
        "completed",
        "student_no_show",
        "cancelled_by_student",
        "cancelled_by_mentor",
    ]
    assert rows[0] == {
        "date": "2030-03-03",
        "time": "11:00",  # 10:00 UTC in Paris (winter time)
        "time_zone": "Europe/Paris",
        "student": "Stas Student",
        "student_email": student.email,
        "duration_minutes": "60",
        "outcome": "completed",
        "notice_hours": "",
        "rating": "4",
    }
    assert rows[3]["notice_hours"] == "3"


def test_it_keeps_spreadsheets_from_running_a_students_name(
    as_user, client, mentor, student, march
):
    student.display_name = '=HYPERLINK("http://evil.test","click")'
    student.save(update_fields=["display_name"])
    as_user("mentor")

    response = _get(client, mentor, format="csv")

    rows = _csv_rows(response)
    assert rows[0]["student"] == '\'=HYPERLINK("http://evil.test","click")'
    assert rows[0]["duration_minutes"] == "60"  # numbers stay numbers
    assert response["Cache-Control"] == "private, no-store"


def test_it_cuts_months_in_the_mentors_time_zone(as_user, client, mentor, student):
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    # 31 March 22:30 UTC is already 1 April 00:30 in Paris (summer time).
    late = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=at(31, 22, 30), status="completed"
    )
    as_user("mentor")

    march = _get(client, mentor).context["statement"]
    april = _get(client, mentor, month="2030-04").context["statement"]

    assert late not in march.sessions
    assert late in april.sessions


@pytest.mark.parametrize("count", [10, 200])
def test_it_builds_the_statement_in_constant_queries(
    as_user, client, mentor, student, count, django_assert_max_num_queries
):
    MentoringSession.objects.bulk_create(
        MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=at(1) + timedelta(hours=index),
            status=SessionStatus.COMPLETED,
        )
        for index in range(count)
    )
    as_user("mentor")

    # 1 session, 2 user, 3 the mentors this person may see (choices and lookup),
    # 4 totals by outcome, 5 the sessions with their student, 6 the satisfaction score,
    # 7 unread notifications (navbar).
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(8):
        response = _get(client, mentor)

    assert len(response.context["statement"].sessions) == count
