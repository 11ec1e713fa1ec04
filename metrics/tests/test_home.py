from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from conftest import ROLES
from mentorship.models import User
from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StudentFactory,
    SupervisorFactory,
)
from metrics.selectors import STAFF_HOME_CACHE_KEY, STAFF_HOME_MENTORS
from students.models import RiskFlag


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


def test_it_shows_a_mentor_their_current_students_only(client, as_user, student, other_student):
    mentor = as_user("mentor")
    now = timezone.now()
    AssignmentFactory(
        student=StudentFactory(display_name="Fiona Former"),
        mentor=mentor,
        started_at=now - timedelta(days=30),
        ended_at=now - timedelta(days=1),
    )

    response = client.get(reverse("metrics:home"))

    assertContains(response, "Stas Student")
    assertNotContains(response, "Olga Otherstudent")
    assertNotContains(response, "Fiona Former")
    assert list(response.context["students"]) == [student]


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


def _give_mentor_students(mentor: User, count: int) -> None:
    mentor.mentor_profile.capacity = 100
    mentor.mentor_profile.save()
    for _ in range(count):
        AssignmentFactory(mentor=mentor)


@pytest.mark.parametrize("students", [3, 30])
def test_it_shows_the_mentor_home_in_constant_queries(
    client, as_user, django_assert_max_num_queries, students
):
    mentor = as_user("mentor")
    _give_mentor_students(mentor, students)
    for student in mentor.student_assignments.values_list("student", flat=True):
        RiskFlag.objects.create(
            student_id=student,
            severity="red",
            reasons=[{"signal": "inactivity", "severity": "red", "observed": 15, "threshold": 14}],
            opened_on=timezone.localdate(),
            evaluated_on=timezone.localdate(),
        )

    # 1. the session, 2. the signed-in user, 3. the mentor's profile,
    # 4. the profile's supervisor, 5. current students with their profiles,
    # 6. their open at-risk flags (the first ten), 7. the unread-notifications badge.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("metrics:home"))

    assert len(response.context["students"]) == students
    assert len(response.context["flag_rows"]) == min(students, 10)


def _give_supervisor_mentors(supervisor: User, count: int) -> None:
    for _ in range(count):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        AssignmentFactory(mentor=mentor)
        AssignmentFactory(mentor=mentor)


@pytest.mark.parametrize("mentors", [3, 30])
def test_it_shows_the_supervisor_home_in_constant_queries(
    client, as_user, django_assert_max_num_queries, mentors
):
    supervisor = as_user("supervisor")
    _give_supervisor_mentors(supervisor, mentors)

    # 1. the session, 2. the signed-in user, 3. the team's mentors with their
    # profiles and current-student counts, 4. the team's open flags counted,
    # 5. the unread-notifications badge.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("metrics:home"))

    team = list(response.context["mentors"])
    assert len(team) == mentors
    assert all(mentor.current_students == 2 for mentor in team)


@pytest.mark.parametrize("mentors", [3, 30])
def test_it_shows_the_staff_home_in_constant_queries(
    client, as_user, django_assert_max_num_queries, mentors
):
    as_user("staff")
    supervisor = SupervisorFactory()
    _give_supervisor_mentors(supervisor, mentors)
    for _ in range(mentors):
        StudentFactory()

    # 1. the session, 2. the signed-in user, 3. head counts by role,
    # 4. active students without a mentor, 5. mentors counted by load, 6. the fullest
    # mentors with profiles, supervisors and current-student counts, 7. the
    # unread-notifications badge. And the navbar's count of questions waiting for an
    # answer.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("metrics:home"))

    assert response.context["overview"]["unassigned"] == mentors
    assert len(response.context["mentors"]) == min(mentors, STAFF_HOME_MENTORS)
    # The figures are the school's, taken once a minute: the next visit asks none of
    # them again.
    with django_assert_max_num_queries(4):
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
