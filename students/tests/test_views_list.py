"""My students: access, columns, filters, sorting, pagination and query count."""

from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.activity import activity_record
from mentorship.models import (
    ActivityKind,
    DailyActivity,
    StudentProfile,
    StudentStatus,
)
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.models import Enrolment, EnrolmentStatus, Submission, SubmissionStatus
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import FlagSeverity, MentoringSession, RiskFlag, SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory

LIST = reverse("students:list")


def rows(response):
    return [student.pk for student, _progress in response.context["rows"]]


def progress_of(response, student):
    return {row.pk: progress for row, progress in response.context["rows"]}[student.pk]


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(LIST)}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_lets_in_only_people_who_look_after_students(as_user, client, role, status):
    as_user(role)

    assert client.get(LIST).status_code == status


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("mentor", {"student"}),
        ("other_mentor", {"other_student"}),
        ("supervisor", {"student"}),
        ("other_supervisor", {"other_student"}),
        ("staff", {"student", "other_student"}),
    ],
)
def test_it_lists_the_students_this_person_may_see(
    as_user, client, request, student, other_student, role, visible
):
    as_user(role)

    response = client.get(LIST)

    assert set(rows(response)) == {request.getfixturevalue(name).pk for name in visible}


def test_it_refuses_post(as_user, client):
    as_user("mentor")

    assert client.post(LIST).status_code == 405


def test_it_links_to_the_list_from_the_navigation_bar(as_user, client):
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert f'href="{LIST}"' in response.content.decode()


def test_it_hides_the_link_from_students(as_user, client):
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assert 'data-testid="nav-students"' not in response.content.decode()


# --- Columns --------------------------------------------------------------------------


def test_it_shows_programme_current_project_pace_activity_and_waiting(as_user, client, student):
    programme = ProgrammeFactory(title="Web developer")
    first, second, third = (
        ProjectFactory(
            programme=programme, position=position, title=f"Project number {position}", criteria=0
        )
        for position in (1, 2, 3)
    )
    # 30 days into 90: the first project (due on day 30) is due today, not yet late;
    # started 75 days ago, the first two are late.
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=timezone.localdate() - timedelta(days=75),
        target_end_on=timezone.localdate() + timedelta(days=15),
    )
    reviewed_at = timezone.now() - timedelta(days=2)
    ReviewFactory(
        submission=SubmissionFactory(
            student=student, project=first, submitted_at=timezone.now() - timedelta(days=3)
        ),
        created_at=reviewed_at,
    )
    SubmissionFactory(student=student, project=second, submitted_at=timezone.now())
    DailyActivity.objects.create(student=student, day=date(2026, 3, 2), events=1)
    as_user("mentor")

    response = client.get(LIST)

    progress = progress_of(response, student)
    row = response.context["page"].object_list[0]
    assert progress.enrolment.programme == programme
    assert progress.next_project.project == second
    assert progress.projects_behind == 1
    assert progress.days_behind == 15
    assert row.waiting == 1
    assert row.last_active_on == date(2026, 3, 2)
    content = response.content.decode()
    assert "Web developer" in content
    assert 'data-pace="behind"' in content
    assert third.title not in content


def test_it_takes_the_last_day_of_the_activity_rollup_as_last_activity(as_user, client, student):
    # The student submitted five days ago and read nothing since; the mentor's review
    # an hour ago is the mentor's doing, not the student's.
    submitted_at = timezone.now() - timedelta(days=5)
    submission = SubmissionFactory(student=student, submitted_at=submitted_at)
    activity_record(
        student=student,
        kind=ActivityKind.SUBMISSION,
        occurred_at=submitted_at,
        key=f"submission:{submission.pk}",
    )
    ReviewFactory(submission=submission, created_at=timezone.now() - timedelta(hours=1))
    as_user("mentor")

    response = client.get(LIST)

    row = response.context["page"].object_list[0]
    assert row.last_active_on == submitted_at.astimezone(student.zone).date()
    assert 'data-testid="last-activity"' in response.content.decode()


def test_it_counts_the_learning_platforms_activity_as_activity(as_user, client, student):
    yesterday = timezone.localdate() - timedelta(days=1)
    DailyActivity.objects.create(student=student, day=yesterday, events=4)
    as_user("mentor")

    response = client.get(LIST)

    assert response.context["page"].object_list[0].last_active_on == yesterday
    assert "yesterday" in response.content.decode()


def test_it_shows_no_activity_for_a_new_student(as_user, client, student):
    as_user("mentor")

    response = client.get(LIST)

    assert response.context["page"].object_list[0].last_active_on is None
    assert progress_of(response, student) is None


def test_it_shows_supervisors_each_students_mentor(as_user, client, student, mentor):
    as_user("supervisor")

    response = client.get(LIST)

    assert response.context["page"].object_list[0].mentor_name == "Maria Mentor"
    assert 'data-testid="student-mentor">Maria Mentor<' in response.content.decode()


def test_it_names_a_mentor_without_a_display_name_by_e_mail(as_user, client, student, mentor):
    mentor.display_name = ""
    mentor.save()
    as_user("staff")

    response = client.get(LIST)

    assert response.context["page"].object_list[0].mentor_name == mentor.email


def test_it_shows_the_last_session_held_and_the_next_one_planned(as_user, client, student, mentor):
    now = timezone.now()

    def session(status, days):
        return MentoringSessionFactory(
            mentor=mentor, student=student, status=status, scheduled_at=now + timedelta(days=days)
        )

    session(SessionStatus.COMPLETED, -5)
    missed = session(SessionStatus.STUDENT_NO_SHOW, -3)
    session(SessionStatus.CANCELLED_BY_STUDENT, -2)
    session(SessionStatus.SCHEDULED, -1)  # started, not logged yet: not held
    session(SessionStatus.CANCELLED_BY_MENTOR, 1)
    soonest = session(SessionStatus.SCHEDULED, 2)
    session(SessionStatus.SCHEDULED, 6)
    as_user("mentor")

    response = client.get(LIST)

    row = response.context["page"].object_list[0]
    assert row.last_session_at == missed.scheduled_at
    assert row.last_session_status == SessionStatus.STUDENT_NO_SHOW
    assert row.next_session_at == soonest.scheduled_at
    assert 'data-testid="no-show"' in response.content.decode()


def test_it_shows_no_sessions_for_a_new_student(as_user, client, student):
    as_user("mentor")

    response = client.get(LIST)

    row = response.context["page"].object_list[0]
    assert (row.last_session_at, row.next_session_at) == (None, None)
    assert 'data-testid="no-show"' not in response.content.decode()
    assert "None planned" in response.content.decode()


def test_it_shows_session_dates_in_the_viewers_time_zone(as_user, client, student, mentor):
    mentor.time_zone = "Asia/Tokyo"
    mentor.save()
    # 23:30 UTC on 12 January is already 13 January in Tokyo (UTC+9).
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        status=SessionStatus.COMPLETED,
        scheduled_at=datetime(2025, 1, 12, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    as_user("mentor")

    content = client.get(LIST).content.decode()

    assert "Jan. 13, 2025" in content
    assert "Jan. 12, 2025" not in content


# --- Filters and sorting --------------------------------------------------------------


@pytest.fixture
def three_students(mentor):
    """Anna (no activity, 2 waiting sent before the activity log began), Boris (active
    today, paused), Clara (active yesterday, 1 waiting, behind plan)."""
    anna, boris, clara = (StudentFactory(display_name=name) for name in ("Anna", "Boris", "Clara"))
    for student in (anna, boris, clara):
        AssignmentFactory(student=student, mentor=mentor)
    programme = ProgrammeFactory()
    projects = [
        ProjectFactory(programme=programme, position=position, criteria=0)
        for position in (1, 2, 3)
    ]
    long_ago = timezone.now() - timedelta(days=400)
    Submission.objects.bulk_create(
        [
            Submission(student=anna, project=projects[0], attempt=1, submitted_at=long_ago),
            Submission(student=anna, project=projects[1], attempt=1, submitted_at=long_ago),
            Submission(
                student=boris,
                project=projects[0],
                attempt=1,
                status=SubmissionStatus.APPROVED,
                submitted_at=timezone.now() - timedelta(hours=1),
            ),
            Submission(
                student=clara,
                project=projects[0],
                attempt=1,
                submitted_at=timezone.now() - timedelta(days=1),
            ),
        ]
    )
    StudentProfile.objects.filter(user=boris).update(status=StudentStatus.PAUSED)
    today = timezone.localdate()
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(student=boris, day=today, events=2),
            DailyActivity(student=clara, day=today - timedelta(days=1), events=1),
            DailyActivity(student=clara, day=today - timedelta(days=9), events=3),
        ]
    )
    EnrolmentFactory(
        student=clara,
        programme=programme,
        started_on=today - timedelta(days=100),
        target_end_on=today - timedelta(days=10),
    )
    EnrolmentFactory(
        student=boris,
        programme=programme,
        started_on=today,
        target_end_on=today + timedelta(days=90),
    )
    return anna, boris, clara


def test_it_sorts_by_name_by_default(as_user, client, three_students):
    as_user("mentor")

    assert rows(client.get(LIST)) == [student.pk for student in three_students]


def test_it_sorts_by_last_activity_latest_first(as_user, client, three_students):
    anna, boris, clara = three_students
    as_user("mentor")

    assert rows(client.get(LIST, {"sort": "activity"})) == [boris.pk, clara.pk, anna.pk]


def test_it_sorts_by_waiting_submissions_most_first(as_user, client, three_students):
    anna, boris, clara = three_students
    as_user("mentor")

    assert rows(client.get(LIST, {"sort": "waiting"})) == [anna.pk, clara.pk, boris.pk]


def test_it_sorts_by_next_session_soonest_first_and_none_last(
    as_user, client, mentor, three_students
):
    anna, boris, clara = three_students
    now = timezone.now()
    MentoringSessionFactory(mentor=mentor, student=clara, scheduled_at=now + timedelta(days=1))
    MentoringSessionFactory(mentor=mentor, student=anna, scheduled_at=now + timedelta(days=4))
    MentoringSessionFactory(
        mentor=mentor,
        student=boris,
        scheduled_at=now + timedelta(hours=1),
        status=SessionStatus.CANCELLED_BY_STUDENT,
    )
    as_user("mentor")

    assert rows(client.get(LIST, {"sort": "next_session"})) == [clara.pk, anna.pk, boris.pk]


def test_it_filters_by_status(as_user, client, three_students):
    _anna, boris, _clara = three_students
    as_user("mentor")

    assert rows(client.get(LIST, {"status": "paused"})) == [boris.pk]


def test_it_filters_by_programme_of_an_active_enrolment(as_user, client, three_students):
    _anna, boris, clara = three_students
    programme = Enrolment.objects.get(student=clara).programme
    Enrolment.objects.filter(student=boris).update(status=EnrolmentStatus.WITHDRAWN)
    as_user("mentor")

    assert rows(client.get(LIST, {"programme": programme.pk})) == [clara.pk]


def test_it_filters_students_behind_plan(as_user, client, three_students):
    _anna, _boris, clara = three_students
    as_user("mentor")

    response = client.get(LIST, {"behind": "on", "sort": "name"})

    assert rows(response) == [clara.pk]
    assert progress_of(response, clara).projects_behind == 3


def test_it_ignores_an_unknown_programme(as_user, client, three_students, other_student):
    as_user("mentor")

    response = client.get(LIST, {"programme": 999999})

    assert response.status_code == 200
    assert len(rows(response)) == 3


def test_it_paginates_and_keeps_the_filters(as_user, client, mentor):
    for index in range(30):
        AssignmentFactory(
            student=StudentFactory(display_name=f"Student {index:02}"), mentor=mentor
        )
    as_user("mentor")

    first = client.get(LIST, {"status": "active"})
    second = client.get(LIST, {"status": "active", "page": 2})

    assert len(rows(first)) == 25
    assert len(rows(second)) == 5
    assert "?status=active&amp;page=2" in first.content.decode()
    assert not set(rows(first)) & set(rows(second))


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    "params",
    [{}, {"behind": "on", "sort": "activity"}, {"flagged": "on", "sort": "flag"}],
)
def test_it_keeps_the_number_of_queries_constant(
    as_user, client, mentor, django_assert_max_num_queries, count, params
):
    programmes = ProgrammeFactory.create_batch(2)
    projects = [
        ProjectFactory(programme=programme, position=position, criteria=0)
        for programme in programmes
        for position in (1, 2, 3)
    ]
    students = StudentFactory.create_batch(count)
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    today = timezone.localdate()
    Enrolment.objects.bulk_create(
        Enrolment(
            student=student,
            programme=programmes[index % 2],
            started_on=today - timedelta(days=60),
            target_end_on=today + timedelta(days=30),
        )
        for index, student in enumerate(students)
    )
    Submission.objects.bulk_create(
        Submission(student=student, project=project, attempt=1)
        for student in students
        for project in projects[:2]
    )
    now = timezone.now()
    # The mentor holds one session at a time: each student's an hour after the last's.
    MentoringSession.objects.bulk_create(
        MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=now + days + timedelta(hours=index),
            status=status,
        )
        for index, student in enumerate(students)
        for days, status in (
            (timedelta(days=-7), SessionStatus.COMPLETED),
            (timedelta(days=-1), SessionStatus.STUDENT_NO_SHOW),
            (timedelta(days=3), SessionStatus.SCHEDULED),
        )
    )
    RiskFlag.objects.bulk_create(
        RiskFlag(
            student=student,
            severity=FlagSeverity.RED if index % 3 else FlagSeverity.AMBER,
            reasons=[],
            opened_on=today,
            evaluated_on=today,
        )
        for index, student in enumerate(students)
        if index % 2
    )
    as_user("mentor")

    # 1 session, 2 user, 3 programme choices, 4 count, 5 page of students with
    # profile, last activity, waiting, last and next sessions and open flag, 6-8 progress
    # (enrolments, their projects, submissions), 9 unread notifications (navbar); with
    # "behind plan", progress is computed for everyone before the count and page queries.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(10):
        response = client.get(LIST, params)

    assert response.status_code == 200
