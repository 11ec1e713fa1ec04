from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from conftest import ROLES
from knowledge_base.questions import question_ask
from mentorship.models import User
from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StudentFactory,
    SupervisorFactory,
)
from metrics.home import HOME_FLAGS, HOME_SESSIONS_TODAY
from metrics.models import WeeklyReport
from metrics.selectors import STAFF_HOME_CACHE_KEY, STAFF_HOME_MENTORS
from projects.models import ProgrammeChangeReceipt, ProgrammeChangeSet
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFactory,
)
from students.models import FlagSeverity

from .helpers_home import NOON, a_flag, a_session, mentor_day_data


def _login_redirect(path: str) -> str:
    return f"{reverse('account_login')}?next={path}"


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client):
    response = client.get(reverse("metrics:home"))

    assert response.status_code == 302
    assert response.url == _login_redirect("/")


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_role_its_own_page(client, as_user, role):
    user = as_user(role)

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 200
    assertTemplateUsed(response, f"metrics/home_{user.role}.html")


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post(client, as_user, role):
    as_user(role)
    users_before = User.objects.count()

    response = client.post(reverse("metrics:home"), {"display_name": "Changed"})

    assert response.status_code == 405
    assert User.objects.count() == users_before


def test_it_shows_a_student_their_mentor(client, as_user):
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assertContains(response, "Maria Mentor")
    assertNotContains(response, "Otto Othermentor")


@pytest.mark.django_db
def test_it_tells_a_student_without_a_mentor_that_one_is_coming(client):
    student = StudentFactory()
    client.force_login(student)

    response = client.get(reverse("metrics:home"))

    assert response.context["mentor"] is None
    assertContains(response, "No mentor is assigned to you yet")


def test_it_shows_a_supervisor_their_own_team_only(client, as_user, mentor, other_mentor):
    as_user("supervisor")

    response = client.get(reverse("metrics:home"))

    assertContains(response, "Maria Mentor")
    assertNotContains(response, "Otto Othermentor")
    assert list(response.context["mentors"]) == [mentor]


def test_it_shows_staff_the_head_counts(client, as_user, student, other_student):
    as_user("staff")
    StudentFactory()  # active, with a profile, without a mentor

    response = client.get(reverse("metrics:home"))

    assert response.context["overview"] == {
        "students": 3,
        "mentors": 2,
        "supervisors": 2,
        "unassigned": 1,
    }
    assertContains(response, "Maria Mentor")
    assertContains(response, "Otto Othermentor")


def _give_supervisor_mentors(supervisor: User, count: int) -> None:
    """``count`` mentors of two students each; one student of each mentor has a
    submission waiting, a question waiting and a red flag."""
    project = ProjectFactory()
    for index in range(count):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        student = AssignmentFactory(mentor=mentor).student
        AssignmentFactory(mentor=mentor)
        EnrolmentFactory(student=student, programme=project.programme)
        SubmissionFactory(student=student, project=project)
        question_ask(author=student, title=f"Question {index}")
        a_flag(student, now=timezone.now(), acknowledged=False)


@pytest.mark.parametrize("mentors", [3, 30])
def test_it_shows_the_supervisor_home_in_constant_queries(
    client, as_user, django_assert_max_num_queries, mentors
):
    supervisor = as_user("supervisor")
    _give_supervisor_mentors(supervisor, mentors)

    # 1. the session, 2. the signed-in user, 3. the team's open flags counted, 4. the
    # team's students, 5. the team's mentors (whose submissions are visible), 6. the
    # review queue counted, 7. the question queue counted, 8. the team's mentors with
    # their profiles and current-student counts, 9. the unread-notifications badge,
    # 10. the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("metrics:home"))

    team = list(response.context["mentors"])
    assert len(team) == mentors
    assert all(mentor.current_students == 2 for mentor in team)
    queues = response.context["queues"]
    assert (queues.reviews.count, queues.questions.count, queues.red_flags.count) == (
        mentors,
        mentors,
        mentors,
    )


@pytest.mark.parametrize("mentors", [3, 30])
def test_it_shows_the_staff_home_in_constant_queries(
    client, as_user, django_assert_max_num_queries, mentors
):
    as_user("staff")
    supervisor = SupervisorFactory()
    _give_supervisor_mentors(supervisor, mentors)
    for _ in range(mentors):
        StudentFactory()

    # 1. the session, 2. the signed-in user, 3. the school's open flags counted, 4. the
    # review queue counted, 5. the question queue counted, 6. head counts by role,
    # 7. active students without a mentor, 8. mentors counted by load, 9. the fullest
    # mentors with profiles, supervisors and current-student counts, 10. the
    # unread-notifications badge, 11. the navbar's count of questions waiting for an
    # answer.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("metrics:home"))

    assert response.context["overview"]["unassigned"] == mentors
    assert len(response.context["mentors"]) == min(mentors, STAFF_HOME_MENTORS)
    assert response.context["queues"].reviews.count == mentors
    # The head counts are the school's, taken once a minute: the next visit asks only
    # the queues again.
    with django_assert_max_num_queries(7):
        client.get(reverse("metrics:home"))


def test_it_lists_staff_the_fullest_mentors_first(client, as_user):
    as_user("staff")
    supervisor = SupervisorFactory()
    loads = {}
    for capacity, students in ((10, 2), (4, 4), (5, 6), (0, 1)):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.capacity = capacity
        mentor.mentor_profile.save()
        for _ in range(students):
            AssignmentFactory(mentor=mentor)
        loads[mentor.pk] = (capacity, students)

    response = client.get(reverse("metrics:home"))

    listed = [loads[mentor.pk] for mentor in response.context["mentors"]]
    # Over capacity, then full, then with room; a mentor without a capacity last.
    assert listed == [(5, 6), (4, 4), (10, 2), (0, 1)]
    assert response.context["figures"].load == {"mentors": 4, "full": 2, "over": 1}
    assertContains(response, "Of 4 mentors, 2 at or over capacity (1 over).")


def test_it_takes_the_staff_figures_at_most_once_a_minute(client, as_user, student):
    as_user("staff")
    client.get(reverse("metrics:home"))
    StudentFactory()  # a new student without a mentor

    cached = client.get(reverse("metrics:home"))
    cache.delete(STAFF_HOME_CACHE_KEY)  # what a minute later does
    fresh = client.get(reverse("metrics:home"))

    assert cached.context["overview"]["unassigned"] == 0
    assert fresh.context["overview"]["unassigned"] == 1


def test_it_leaves_deactivated_mentors_off_the_supervisor_team(as_user, mentor, client):
    supervisor = as_user("supervisor")
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])

    response = client.get("/")

    assert response.status_code == 200
    assert mentor.email not in response.content.decode()
    assert supervisor.pk  # the page itself still renders for the supervisor


# --- The mentor's to-do list ----------------------------------------------------------


@pytest.fixture
def second_student(mentor):
    user = StudentFactory(display_name="Sam Second")
    AssignmentFactory(student=user, mentor=mentor)
    return user


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False):
        yield NOON


@pytest.fixture
def day(noon, mentor, student, second_student):
    return mentor_day_data(mentor, student, second_student)


def _todo(response) -> dict[str, tuple[int, str]]:
    return {item.key: (item.queue.count, item.queue.url) for item in response.context["day"].todo}


def test_it_lists_what_waits_for_the_mentor_longest_waiting_first(client, as_user, day):
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    todo = response.context["day"].todo
    # The review waits 3 days, the report since its week ended 2½ days ago, the new
    # flag since it was raised 2 days ago, the session to log since yesterday, the
    # question 5 hours.
    assert [item.key for item in todo] == ["reviews", "reports", "flags", "sessions", "questions"]
    assert _todo(response) == {
        "reviews": (1, reverse("projects:queue")),
        "reports": (1, reverse("metrics:weekly_report_detail", args=[day.report.pk])),
        "flags": (2, reverse("students:flag_list")),
        "sessions": (1, reverse("students:session_list")),
        "questions": (1, reverse("knowledge_base:question_queue")),
    }
    content = " ".join(response.content.decode().split())
    assert "1 submission waiting for your review" in content
    assert "oldest waiting 3 days" in content
    assert "2 new or worsened at-risk flags" in content
    assert "1 session to log" in content
    assert "1 question waiting for an answer" in content
    assert "1 weekly report to send" in content
    assertNotContains(response, 'data-testid="home-todo-clear"')


def test_it_lists_the_mentor_sessions_of_today_only(client, as_user, day, mentor, student):
    a_session(mentor, student, at=NOON + timedelta(days=1))
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert response.context["day"].sessions_today == [day.session_today]
    assertContains(response, reverse("students:session_detail", args=[day.session_today.pk]))


def test_it_reads_today_on_the_mentor_calendar(client, as_user, noon, mentor, student):
    # At noon UTC it is 22:00 in Vladivostok; 15:00 UTC is 01:00 tomorrow there.
    mentor.time_zone = "Asia/Vladivostok"
    mentor.save(update_fields=["time_zone"])
    a_session(mentor, student, at=NOON + timedelta(hours=3))
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert response.context["day"].sessions_today == []
    assertContains(response, "No session on your calendar today.")


def test_it_names_the_new_and_worsened_flags_only(client, as_user, day, mentor):
    third = StudentFactory(display_name="Tina Third")
    AssignmentFactory(student=third, mentor=mentor)
    seen = a_flag(third, now=NOON, acknowledged=True)
    seen.worsened_at = None
    seen.save(update_fields=["worsened_at"])
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    named = [flag for flag, _reasons in response.context["day"].flags]
    assert named == [day.new_flag, day.worsened_flag]
    content = response.content.decode()
    assert content.count('data-testid="home-flag-new"') == 1
    assert content.count('data-testid="home-flag-worsened"') == 1
    assert "Tina Third" not in content
    assert "No activity for 15 days (red from 14)." in content


def test_it_shows_another_mentor_none_of_it(client, as_user, day):
    as_user("other_mentor")

    response = client.get(reverse("metrics:home"))

    assert response.context["day"].todo == []
    assert response.context["day"].sessions_today == []
    assertContains(response, "The day is clear.")
    assertNotContains(response, "Stas Student")
    assertNotContains(response, "Sam Second")


def test_it_leaves_the_student_table_to_the_student_list(client, as_user, day, student):
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assertNotContains(response, "<table")
    assertNotContains(response, student.email)
    assertContains(response, f'href="{reverse("students:list")}" data-testid="home-students"')
    assert response.context["day"].student_count == 2


def test_it_links_the_report_list_when_several_reports_wait(client, as_user, day, mentor):
    WeeklyReport.objects.create(mentor=mentor, week_start=day.report.week_start - timedelta(7))
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert _todo(response)["reports"] == (2, reverse("metrics:weekly_report_list"))


def _busy_mentor(mentor: User, count: int) -> None:
    """``count`` students for the mentor, each with a submission waiting, a question,
    a session today and one to log, and a new flag; and ``count`` weekly reports."""
    mentor.mentor_profile.capacity = 100
    mentor.mentor_profile.save()
    project = ProjectFactory()
    for index in range(count):
        student = AssignmentFactory(mentor=mentor).student
        EnrolmentFactory(student=student, programme=project.programme)
        SubmissionFactory(student=student, project=project)
        question_ask(author=student, title=f"Question {index}")
        # A mentor holds one session at a time: a minute apart.
        a_session(mentor, student, at=NOON + timedelta(hours=2, minutes=index))
        a_session(mentor, student, at=NOON - timedelta(days=1, minutes=index))
        a_flag(student, now=NOON, acknowledged=index % 2 == 0)
        WeeklyReport.objects.create(
            mentor=mentor, week_start=date(2026, 11, 23) - timedelta(weeks=index)
        )


@pytest.mark.parametrize("count", [2, 20])
def test_it_shows_the_mentor_home_in_constant_queries(
    client, as_user, noon, django_assert_max_num_queries, count
):
    mentor = as_user("mentor")
    _busy_mentor(mentor, count)

    # 1. the session, 2. the signed-in user, 3. the new or worsened flags counted,
    # 4. the first of them, 5. the reports to send, 6. the students whose submissions
    # are visible, 7. the mentors whose held reviews are, 8. the review queue counted,
    # 9. the question queue counted, 10. the sessions to log counted, 11. today's
    # sessions, 12. the students counted, 13. the mentor's profile, 14. its
    # supervisor, 15. the unread-notifications badge, 16. the navbar's count of
    # questions waiting, 17. the programme changes to read.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("metrics:home"))

    day = response.context["day"]
    assert {item.key: item.queue.count for item in day.todo} == {
        "reviews": count,
        "questions": count,
        "sessions": count,
        "flags": count,
        "reports": count,
    }
    assert len(day.sessions_today) == min(count, HOME_SESSIONS_TODAY)
    assert len(day.flags) == min(count, HOME_FLAGS)


# --- The student's next steps ---------------------------------------------------------


def test_it_shows_the_student_what_comes_next(client, as_user, day, student):
    as_user("student")

    response = client.get(reverse("metrics:home"))

    student_day = response.context["day"]
    assert [step.project.project for step in student_day.next_steps] == [day.project]
    assert student_day.next_session == day.session_today
    assert student_day.submission == day.submission
    assert student_day.question == day.question
    assertContains(response, reverse("students:session_detail", args=[day.session_today.pk]))
    assertContains(response, reverse("projects:submission", args=[day.submission.pk]))
    assertContains(response, reverse("knowledge_base:question", args=[day.question.pk]))
    assertContains(response, reverse("projects:project", args=[day.project.pk]))
    assertContains(response, f'href="{reverse("students:session_book")}" data-testid="home-book"')
    assertContains(
        response, f'href="{reverse("knowledge_base:question_ask")}" data-testid="home-ask"'
    )


def test_it_shows_a_session_in_progress_as_the_next_one(client, as_user, noon, mentor, student):
    a_session(mentor, student, at=NOON - timedelta(minutes=200))  # over
    running = a_session(mentor, student, at=NOON - timedelta(minutes=30))
    a_session(mentor, student, at=NOON + timedelta(days=2))
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assert response.context["day"].next_session == running


def test_it_shows_another_student_none_of_it(client, as_user, day):
    as_user("other_student")

    response = client.get(reverse("metrics:home"))

    student_day = response.context["day"]
    assert (student_day.next_session, student_day.submission, student_day.question) == (
        None,
        None,
        None,
    )
    assertContains(response, "The day is clear.")
    assertNotContains(response, "How do I centre a div?")


def _busy_student(mentor: User, student: User, count: int) -> None:
    """``count`` projects in the student's programme (the first waiting for review),
    questions and sessions to come."""
    programme = ProgrammeFactory()
    EnrolmentFactory(student=student, programme=programme)
    projects = [ProjectFactory(programme=programme) for _ in range(count)]
    SubmissionFactory(student=student, project=projects[0])
    for index in range(count):
        question_ask(author=student, title=f"Question {index}")
        a_session(mentor, student, at=NOON + timedelta(days=index + 1))


@pytest.mark.parametrize("count", [2, 20])
def test_it_shows_the_student_home_in_constant_queries(
    client, as_user, noon, mentor, django_assert_max_num_queries, count
):
    student = as_user("student")
    _busy_student(mentor, student, count)

    # 1. the session, 2. the signed-in user, 3-5. the student's enrolments, their
    # programmes' projects and the student's submissions (the plan), 6. the next
    # session, 7. the latest submission waiting, 8. how many wait, 9. the latest
    # question not solved, 10. how many, 11. their mentor, 12. their profile, 13. the
    # survey waiting, 14. the unread-notifications badge.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("metrics:home"))

    student_day = response.context["day"]
    assert student_day.questions_open == count
    assert len(student_day.progress[0].projects) == count


# --- Supervisors' and staff's queues --------------------------------------------------


def test_it_shows_the_supervisor_the_team_queues(client, as_user, day):
    as_user("supervisor")

    response = client.get(reverse("metrics:home"))

    queues = response.context["queues"]
    assert (queues.reviews.count, queues.questions.count, queues.red_flags.count) == (1, 1, 2)
    assert queues.reviews.oldest == day.submission.submitted_at
    assert queues.questions.oldest == NOON - timedelta(hours=5)
    assert (queues.open_flags, queues.unacknowledged_flags) == (2, 1)
    content = " ".join(response.content.decode().split())
    assert "1 submission waiting for review" in content
    assert "oldest waiting 3 days" in content
    assert "2 red flags" in content
    assert "2 open flags in all, 1 not acknowledged yet" in content
    assert f'href="{reverse("students:flag_list")}?severity=red"' in content
    assert f'href="{reverse("projects:queue")}"' in content
    assert f'href="{reverse("knowledge_base:question_queue")}"' in content
    assertNotContains(response, "<table")


def test_it_shows_another_supervisor_a_clear_day(client, as_user, day):
    as_user("other_supervisor")

    response = client.get(reverse("metrics:home"))

    queues = response.context["queues"]
    assert (queues.reviews.count, queues.questions.count, queues.red_flags.count) == (0, 0, 0)
    assertContains(response, "Nothing waits in your team's queues")


def test_it_shows_staff_the_school_queues(client, as_user, day, other_student):
    a_flag(other_student, now=NOON, acknowledged=False, severity=FlagSeverity.AMBER)
    as_user("staff")

    response = client.get(reverse("metrics:home"))

    queues = response.context["queues"]
    assert (queues.reviews.count, queues.questions.count, queues.red_flags.count) == (1, 1, 2)
    assert queues.open_flags == 3
    assertContains(response, "The school's queues")
    assertNotContains(response, "<table")


# --- Programme changes to read ---------------------------------------------------------


def _changed(programme, mentor, *, read: bool = False) -> ProgrammeChangeSet:
    change_set = ProgrammeChangeSet.objects.create(programme=programme)
    ProgrammeChangeReceipt.objects.create(
        change_set=change_set, mentor=mentor, read_at=timezone.now() if read else None
    )
    return change_set


def test_it_lists_the_programme_changes_the_mentor_has_not_read(client, as_user, mentor):
    programme = ProgrammeFactory(slug="data")
    mentor.mentor_profile.programmes.add(programme)
    _changed(programme, mentor)
    _changed(programme, mentor)
    _changed(programme, mentor, read=True)
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    count, url = _todo(response)["changes"]
    assert count == 2
    assert url.startswith(reverse("projects:programme_changes", args=["data"]))
    assertContains(response, "2 programme changes to read")


def test_it_links_the_programmes_when_several_have_changed(client, as_user, mentor):
    for slug in ("data", "web"):
        programme = ProgrammeFactory(slug=slug)
        mentor.mentor_profile.programmes.add(programme)
        _changed(programme, mentor)
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert _todo(response)["changes"] == (2, reverse("projects:programmes"))


def test_it_leaves_out_the_changes_of_a_programme_the_mentor_no_longer_teaches(
    client, as_user, mentor
):
    _changed(ProgrammeFactory(), mentor)
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    assert "changes" not in _todo(response)
