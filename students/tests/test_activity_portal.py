"""What students do in the portal records its own activity events (``activity_record``):
signing in (once a day), submitting a project, reading a review (on the attempt's page,
on the project's page where the notification of a review leads, or through the API), a
mentor logging a session they attended or missed."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import ActivityEvent, ActivityKind, DailyActivity
from projects import services as projects_services
from projects.tests.helpers_curriculum import attempt_reviewed, attempt_waiting, curriculum_create
from students.models import SessionStatus
from students.sessions import session_log
from students.tests.helpers_sessions import MentoringSessionFactory


def _events() -> list[tuple]:
    return list(
        ActivityEvent.objects.order_by("pk").values_list(
            "student_id", "kind", "source", "external_id"
        )
    )


# --- Signing in -----------------------------------------------------------------------


def _sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "password"})
    assert response.status_code == 302
    client.logout()


def test_it_records_a_students_sign_in_once_a_day(client, student):
    student.time_zone = "Asia/Tokyo"
    student.save()
    today = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).date()

    _sign_in(client, student)
    _sign_in(client, student)

    assert _events() == [
        (student.pk, ActivityKind.LOGIN, "portal", f"login:{student.pk}:{today.isoformat()}")
    ]
    assert ActivityEvent.objects.get().day == today
    assert DailyActivity.objects.get(student=student).events == 1


@pytest.mark.parametrize("role", ["mentor", "supervisor"])
def test_it_records_no_sign_in_for_other_roles(client, request, role):
    _sign_in(client, request.getfixturevalue(role))

    assert _events() == []


def test_it_records_nothing_for_a_failed_sign_in(client, student):
    client.post(reverse("account_login"), {"login": student.email, "password": "wrong"})

    assert _events() == []


# --- Submitting -----------------------------------------------------------------------


@pytest.fixture
def curriculum(student):
    return curriculum_create(projects=2, students=[student])


def test_it_records_a_submission(student, curriculum):
    submission = projects_services.submission_create(
        student=student, project=curriculum.first, link="https://github.com/stas/page"
    )

    assert _events() == [
        (student.pk, ActivityKind.SUBMISSION, "portal", f"submission:{submission.pk}")
    ]
    assert ActivityEvent.objects.get().occurred_at == submission.submitted_at


# --- Reading a review -----------------------------------------------------------------


def test_it_records_a_student_reading_the_review_of_their_attempt_once(
    client, as_user, student, curriculum
):
    submission = attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")

    client.get(reverse("projects:submission", args=[submission.pk]))
    response = client.get(reverse("projects:submission", args=[submission.pk]))

    assert response.status_code == 200
    assert _events() == [
        (student.pk, ActivityKind.REVIEW_READ, "portal", f"review_read:{submission.review.pk}")
    ]


def test_it_records_a_student_reading_the_review_through_the_api_once(
    client, as_user, student, curriculum
):
    submission = attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")
    url = reverse("api:submission-detail", args=[submission.pk])

    client.get(url)
    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["review"]["id"] == submission.review.pk
    assert _events() == [
        (student.pk, ActivityKind.REVIEW_READ, "portal", f"review_read:{submission.review.pk}")
    ]


@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_records_nothing_when_others_read_the_review_through_the_api(
    client, as_user, student, curriculum, role
):
    submission = attempt_reviewed(student=student, project=curriculum.first)
    as_user(role)

    response = client.get(reverse("api:submission-detail", args=[submission.pk]))

    assert response.status_code == 200
    assert _events() == []


def test_it_records_a_student_reading_the_newest_review_on_the_project_page_once(
    client, as_user, student, curriculum
):
    older = attempt_reviewed(student=student, project=curriculum.first)
    newer = attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")
    url = reverse("projects:project", args=[curriculum.first.pk])

    client.get(url)
    response = client.get(url)

    assert response.status_code == 200
    assert older.review.pk != newer.review.pk
    assert _events() == [
        (student.pk, ActivityKind.REVIEW_READ, "portal", f"review_read:{newer.review.pk}")
    ]


@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_records_nothing_when_others_open_the_project_page(
    client, as_user, student, curriculum, role
):
    attempt_reviewed(student=student, project=curriculum.first)
    as_user(role)

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert response.status_code == 200
    assert _events() == []


def test_it_records_nothing_for_an_attempt_without_a_review(client, as_user, student, curriculum):
    submission = attempt_waiting(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("projects:submission", args=[submission.pk]))

    assert response.status_code == 200
    assert _events() == []


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_records_nothing_when_others_read_the_review(
    client, as_user, student, curriculum, role
):
    submission = attempt_reviewed(student=student, project=curriculum.first)
    as_user(role)

    response = client.get(reverse("projects:submission", args=[submission.pk]))

    assert response.status_code == 200
    assert _events() == []


# --- Sessions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "counted"),
    [
        (SessionStatus.COMPLETED, ActivityKind.SESSION_ATTENDED, 1),
        (SessionStatus.STUDENT_NO_SHOW, ActivityKind.SESSION_MISSED, 0),
    ],
)
def test_it_records_a_session_attended_or_missed_when_logged(
    mentor, student, status, kind, counted
):
    student.time_zone = "America/New_York"
    student.save()
    scheduled_at = timezone.now() - timedelta(days=3)
    session = MentoringSessionFactory(mentor=mentor, student=student, scheduled_at=scheduled_at)

    session_log(session=session, mentor=mentor, status=status)

    assert _events() == [(student.pk, kind, "portal", f"session:{session.pk}")]
    event = ActivityEvent.objects.get()
    local_day = scheduled_at.astimezone(ZoneInfo("America/New_York")).date()
    assert (event.occurred_at, event.day) == (scheduled_at, local_day)
    rollup = DailyActivity.objects.filter(student=student, day=local_day)
    assert sum(rollup.values_list("events", flat=True)) == counted


@pytest.mark.parametrize(
    "status", [SessionStatus.CANCELLED_BY_STUDENT, SessionStatus.CANCELLED_BY_MENTOR]
)
def test_it_records_nothing_for_a_cancelled_session(mentor, student, status):
    session = MentoringSessionFactory(mentor=mentor, student=student)

    session_log(session=session, mentor=mentor, status=status)

    assert _events() == []


def test_it_keeps_the_day_of_a_session_in_the_past(mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
    )

    session_log(session=session, mentor=mentor, status=SessionStatus.COMPLETED)

    assert DailyActivity.objects.get(student=student).day == date(2026, 3, 2)
