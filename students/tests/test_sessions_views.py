"""The session pages: list, schedule, detail, log, cancel and rate, per role."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.models import MentoringSession, SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory, completed

LIST = reverse("students:session_list")
SCHEDULE = reverse("students:session_schedule")
DAY = timedelta(days=1)


def detail_url(session):
    return reverse("students:session_detail", args=[session.pk])


def log_url(session):
    return reverse("students:session_log", args=[session.pk])


def cancel_url(session):
    return reverse("students:session_cancel", args=[session.pk])


def rate_url(session):
    return reverse("students:session_rate", args=[session.pk])


@pytest.fixture
def session(mentor, student):
    return MentoringSessionFactory(mentor=mentor, student=student)


@pytest.fixture
def held(mentor, student):
    return completed(mentor, student)


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [LIST, SCHEDULE, "/sessions/1/", "/sessions/1/log/", "/sessions/statement/"]
)
def test_it_sends_anonymous_people_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "sees_own", "sees_other"),
    [
        ("student", True, False),
        ("other_student", False, True),
        ("mentor", True, False),
        ("other_mentor", False, True),
        ("supervisor", True, False),
        ("other_supervisor", False, True),
        ("staff", True, True),
    ],
)
def test_it_lists_only_sessions_the_person_may_see(
    as_user, client, session, mentor, other_mentor, other_student, role, sees_own, sees_other
):
    other = MentoringSessionFactory(mentor=other_mentor, student=other_student)
    as_user(role)

    response = client.get(LIST)

    assert response.status_code == 200
    listed = {row.pk for row in response.context["page"].object_list}
    assert (session.pk in listed) is sees_own
    assert (other.pk in listed) is sees_other


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 404),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_shows_a_session_only_to_whoever_may_see_it(as_user, client, session, role, status):
    as_user(role)

    assert client.get(detail_url(session)).status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_schedule(as_user, client, role):
    as_user(role)

    assert client.get(SCHEDULE).status_code == (200 if role.endswith("mentor") else 403)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_sessions_mentor_log_it(as_user, client, session, role, status):
    MentoringSession.objects.filter(pk=session.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=1)
    )
    as_user(role)

    get = client.get(log_url(session))
    post = client.post(log_url(session), {"status": "completed", "summary": "x"})

    assert get.status_code == status
    session.refresh_from_db()
    if status == 200:
        assert post.status_code == 302
        assert session.status == SessionStatus.COMPLETED
    else:
        assert post.status_code == status
        assert session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize(
    ("role", "status", "outcome"),
    [
        ("student", 302, SessionStatus.CANCELLED_BY_STUDENT),
        ("other_student", 404, SessionStatus.SCHEDULED),
        ("mentor", 302, SessionStatus.CANCELLED_BY_MENTOR),
        ("other_mentor", 404, SessionStatus.SCHEDULED),
        ("supervisor", 403, SessionStatus.SCHEDULED),
        ("other_supervisor", 403, SessionStatus.SCHEDULED),
        ("staff", 403, SessionStatus.SCHEDULED),
    ],
)
def test_it_lets_only_the_two_people_cancel(as_user, client, session, role, status, outcome):
    as_user(role)

    response = client.post(cancel_url(session))

    assert response.status_code == status
    session.refresh_from_db()
    assert session.status == outcome


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 302),
        ("other_student", 404),
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_student_rate(as_user, client, held, role, status):
    as_user(role)

    response = client.post(rate_url(held), {"rating": "5"})

    assert response.status_code == status
    held.refresh_from_db()
    assert held.rating == (5 if status == 302 else None)


@pytest.mark.parametrize(
    ("method", "url_name", "role"),
    [
        ("post", "students:session_list", "mentor"),
        ("post", "students:session_detail", "mentor"),
        ("put", "students:session_log", "mentor"),
        ("get", "students:session_cancel", "mentor"),
        ("get", "students:session_rate", "student"),
        ("post", "students:session_statement", "mentor"),
    ],
)
def test_it_refuses_other_methods(as_user, client, session, method, url_name, role):
    as_user(role)
    args = (
        [] if url_name in ("students:session_list", "students:session_statement") else [session.pk]
    )

    response = getattr(client, method)(reverse(url_name, args=args))

    assert response.status_code == 405


# --- Scheduling -----------------------------------------------------------------------


def test_it_schedules_in_the_mentors_time_zone(as_user, client, mentor, student):
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    as_user("mentor")
    day = timezone.now().date() + timedelta(days=5)

    response = client.post(
        SCHEDULE,
        {
            "student": student.pk,
            "scheduled_at": f"{day:%Y-%m-%d}T14:30",
            "duration_minutes": 60,
            "agenda": "Deployment",
        },
    )

    session = MentoringSession.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(session)
    paris = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert session.scheduled_at == paris
    assert (session.mentor, session.student, session.duration_minutes) == (mentor, student, 60)


def test_it_refuses_a_time_in_the_past_beside_the_field(as_user, client, student):
    as_user("mentor")
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        SCHEDULE,
        {
            "student": student.pk,
            "scheduled_at": f"{yesterday:%Y-%m-%d}T10:00",
            "duration_minutes": 45,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_at"] == ["Choose a time in the future."]
    assert not MentoringSession.objects.exists()


def test_it_offers_only_the_mentors_current_students(as_user, client, student, other_student):
    as_user("mentor")

    response = client.post(
        SCHEDULE,
        {
            "student": other_student.pk,
            "scheduled_at": f"{timezone.localdate() + timedelta(days=2):%Y-%m-%d}T10:00",
            "duration_minutes": 45,
        },
    )

    assert response.status_code == 400
    assert "student" in response.context["form"].errors
    assert not MentoringSession.objects.exists()


# --- Time zones -----------------------------------------------------------------------


def _shown_time(response) -> str:
    match = re.search(r'data-testid="session-when"[^>]*>([^<]+)<', response.content.decode())
    assert match, "the page shows the session's time"
    return match.group(1)


def test_it_shows_each_person_the_time_in_their_own_zone(client, mentor, student):
    student.time_zone = "Europe/Moscow"
    student.save()
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    # 12 January, 09:00 UTC: 12:00 in Moscow (UTC+3), 10:00 in Paris (UTC+1).
    session = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2030, 1, 12, 9, 0, tzinfo=ZoneInfo("UTC")),
    )

    client.force_login(student)
    as_student = client.get(detail_url(session))
    client.force_login(mentor)
    as_mentor = client.get(detail_url(session))

    assert _shown_time(as_student) == "Jan. 12, 2030, noon"
    assert "(Europe/Moscow)" in as_student.content.decode()
    assert _shown_time(as_mentor) == "Jan. 12, 2030, 10 a.m."
    assert "(Europe/Paris)" in as_mentor.content.decode()


# --- Logging, private notes, rating ---------------------------------------------------


def test_it_keeps_private_notes_from_the_student(as_user, client, held):
    as_user("student")

    html = client.get(detail_url(held)).content.decode()

    assert "We reviewed the layout." in html
    assert "Finish the contact page." in html
    assert "SECRET-NOTE" not in html


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_shows_private_notes_to_mentors_and_staff(as_user, client, held, role):
    as_user(role)

    assert "SECRET-NOTE" in client.get(detail_url(held)).content.decode()


def test_it_logs_a_cancellation_by_the_student_with_the_notice(as_user, client, mentor, student):
    start = timezone.now() + timedelta(hours=10)
    session = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=start)
    as_user("mentor")
    told = timezone.localtime(start - timedelta(hours=26))  # told yesterday

    response = client.post(
        log_url(session),
        {"status": "cancelled_by_student", "student_cancelled_at": f"{told:%Y-%m-%dT%H:%M}"},
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED_BY_STUDENT
    assert session.notice_hours == 26  # the form drops the seconds: never fewer


def test_it_refuses_to_log_a_future_session_as_held(as_user, client, session):
    as_user("mentor")

    response = client.post(log_url(session), {"status": "completed"})

    assert response.status_code == 400
    assert response.context["form"].errors["status"]
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_it_takes_a_rating_once(as_user, client, held):
    as_user("student")

    client.post(rate_url(held), {"rating": "4", "comment": "Clear"})
    second = client.post(rate_url(held), {"rating": "1"}, follow=True)

    held.refresh_from_db()
    assert (held.rating, held.rating_comment) == (4, "Clear")
    assert "You have already rated this session." in second.content.decode()
    assert 'data-testid="session-rate"' not in second.content.decode()


def test_it_shows_an_invalid_rating_beside_the_field(as_user, client, held):
    as_user("student")

    response = client.post(rate_url(held), {"rating": "9"})

    assert response.status_code == 400
    assert response.context["rating_form"].errors["rating"]


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_it_lists_sessions_in_constant_queries(
    as_user, client, mentor, count, django_assert_max_num_queries
):
    students = StudentFactory.create_batch(5)
    for each in students:
        AssignmentFactory(student=each, mentor=mentor)
    now = timezone.now()
    MentoringSession.objects.bulk_create(
        MentoringSession(
            mentor=mentor,
            student=students[index % 5],
            scheduled_at=now + timedelta(hours=index - count // 2),
            status=SessionStatus.SCHEDULED if index % 2 else SessionStatus.COMPLETED,
        )
        for index in range(count)
    )
    as_user("mentor")

    # 1 session, 2 user, 3 count for the paginator, 4 the page's sessions (keys only),
    # 5 those sessions with both people, 6 unread notifications (navbar), 7 the
    # navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(7):
        response = client.get(LIST)

    assert response.status_code == 200
    page = response.context["page"].object_list
    assert len(page) == min(count, 25)
    # Upcoming first, soonest first, then the others newest first.
    upcoming = [each for each in page if each.status == SessionStatus.SCHEDULED]
    assert page[: len(upcoming)] == sorted(upcoming, key=lambda each: each.scheduled_at)


def test_it_lists_scheduled_sessions_first_soonest_first(as_user, client, mentor, student):
    now = timezone.now()
    later = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=now + timedelta(3)
    )
    sooner = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=now + timedelta(1)
    )
    old = completed(mentor, student, scheduled_at=now - timedelta(days=9))
    recent = completed(mentor, student, scheduled_at=now - timedelta(days=2))
    as_user("mentor")

    listed = [row.pk for row in client.get(LIST).context["page"].object_list]

    assert listed == [sooner.pk, later.pk, recent.pk, old.pk]
