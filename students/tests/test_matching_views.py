"""The assignment page (people/assign/<pk>/) and the list of students without a
mentor (people/assign/)."""

import pytest
from django.urls import reverse

from mentorship.models import Assignment, Notification
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def assign_url(student):
    return reverse("students:assignment_assign", args=[student.pk])


@pytest.fixture
def teammate(supervisor):
    """A second mentor in the supervisor's team, with free places."""
    user = MentorFactory(display_name="Tina Teammate")
    user.mentor_profile.supervisor = supervisor
    user.mentor_profile.save()
    return user


def current_mentor_of(student):
    return Assignment.objects.current().get(student=student).mentor


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, student):
    response = client.get(assign_url(student))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


@pytest.mark.parametrize("role", ["student", "other_student", "mentor", "other_mentor"])
def test_it_forbids_students_and_mentors(as_user, client, role, student):
    as_user(role)

    assert client.get(assign_url(student)).status_code == 403
    assert client.get(reverse("students:assignment_unassigned")).status_code == 403


def test_it_sends_anonymous_visitors_from_the_list_to_sign_in(client):
    response = client.get(reverse("students:assignment_unassigned"))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_it_hides_another_teams_student_from_a_supervisor(
    as_user, client, student, mentor, other_mentor
):
    as_user("other_supervisor")

    assert client.get(assign_url(student)).status_code == 404
    assert client.post(assign_url(student), {"mentor": other_mentor.pk}).status_code == 404
    assert current_mentor_of(student) == mentor


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_shows_the_page_to_the_supervisor_and_staff(as_user, client, role, student, mentor):
    as_user(role)

    response = client.get(assign_url(student))

    assert response.status_code == 200
    assert str(mentor) in response.content.decode()


def test_it_lets_a_supervisor_assign_a_student_without_mentor(as_user, client, teammate):
    waiting = StudentFactory()
    as_user("supervisor")

    response = client.get(assign_url(waiting))

    assert response.status_code == 200
    assert str(teammate) in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_refuses_other_methods(as_user, client, method, student):
    as_user("staff")

    assert getattr(client, method)(assign_url(student)).status_code == 405
    assert getattr(client, method)(reverse("students:assignment_unassigned")).status_code == 405


def test_it_refuses_a_post_to_the_list(as_user, client):
    as_user("staff")

    assert client.post(reverse("students:assignment_unassigned")).status_code == 405


def test_it_links_the_students_file_to_the_page_for_staff_and_supervisor_only(
    as_user, client, student
):
    file_url = reverse("students:file", args=[student.pk])
    for role, shown in [("supervisor", True), ("staff", True), ("mentor", False)]:
        as_user(role)
        assert (assign_url(student) in client.get(file_url).content.decode()) is shown, role


# --- Assigning ------------------------------------------------------------------------


def test_it_reassigns_keeping_the_history_and_tells_both(
    as_user, client, student, mentor, teammate, supervisor, django_capture_on_commit_callbacks
):
    as_user("supervisor")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            assign_url(student), {"mentor": teammate.pk, "reason": "Closer time zone"}
        )

    assert response.status_code == 302
    assert response.url == reverse("students:file", args=[student.pk])
    history = list(Assignment.objects.filter(student=student).order_by("started_at"))
    assert [a.mentor for a in history] == [mentor, teammate]
    assert history[0].ended_at is not None
    assert history[1].reason == "Closer time zone"
    assert history[1].assigned_by == supervisor
    assert Notification.objects.filter(user=teammate, kind="assignment_mentor").exists()
    assert Notification.objects.filter(user=student, kind="assignment_student").exists()


def test_the_announcement_is_written_with_the_assignment(
    as_user, client, student, teammate, django_capture_on_commit_callbacks
):
    """The notifications are the outbox of their e-mails: written in the assignment's
    transaction, not after it (a process that died between the two lost them)."""
    as_user("supervisor")

    with django_capture_on_commit_callbacks(execute=False):
        client.post(assign_url(student), {"mentor": teammate.pk, "reason": "Closer time zone"})
        # Before anything that runs on commit (only the e-mails' tasks do).
        kinds = set(Notification.objects.values_list("kind", flat=True))

    assert kinds == {"assignment_mentor", "assignment_student"}


def test_it_refuses_a_mentor_at_capacity_without_override(as_user, client, student, teammate):
    teammate.mentor_profile.capacity = 1
    teammate.mentor_profile.save()
    AssignmentFactory(mentor=teammate)
    as_user("staff")

    response = client.post(assign_url(student), {"mentor": teammate.pk, "reason": "Asked"})

    assert response.status_code == 400
    assert "at capacity" in str(response.context["form"].errors["mentor"])
    assert current_mentor_of(student) != teammate


def test_it_needs_a_reason_to_exceed_capacity(as_user, client, student, mentor, teammate):
    teammate.mentor_profile.capacity = 0
    teammate.mentor_profile.save()
    as_user("staff")

    response = client.post(assign_url(student), {"mentor": teammate.pk, "override_capacity": "on"})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert "reason-error" in response.content.decode()
    assert current_mentor_of(student) == mentor


def test_it_exceeds_capacity_with_a_reason(as_user, client, student, teammate):
    teammate.mentor_profile.capacity = 0
    teammate.mentor_profile.save()
    as_user("staff")

    response = client.post(
        assign_url(student),
        {"mentor": teammate.pk, "override_capacity": "on", "reason": "Only Ruby mentor"},
    )

    assert response.status_code == 302
    assert current_mentor_of(student) == teammate


def test_it_keeps_a_supervisor_to_their_own_team(
    as_user, client, student, mentor, other_mentor, django_capture_on_commit_callbacks
):
    as_user("supervisor")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(assign_url(student), {"mentor": other_mentor.pk, "reason": "Swap"})

    assert response.status_code == 400
    assert response.context["form"].errors["mentor"]
    assert current_mentor_of(student) == mentor
    assert not Notification.objects.exists()


def test_it_refuses_the_same_mentor_again(as_user, client, student, mentor):
    as_user("staff")

    response = client.post(assign_url(student), {"mentor": mentor.pk})

    assert response.status_code == 400
    assert "already" in str(response.context["form"].errors["mentor"])
    assert Assignment.objects.filter(student=student).count() == 1


def test_it_suggests_the_best_fit_first_with_why(as_user, client, student, teammate):
    web = ProgrammeFactory(title="Web Developer")
    EnrolmentFactory(student=student, programme=web)
    teammate.mentor_profile.programmes.set([web])
    as_user("staff")

    response = client.get(assign_url(student))

    suggestions = response.context["suggestions"]
    assert suggestions[0].mentor == teammate
    assert "teaches Web Developer" in response.content.decode()


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_it_builds_the_page_in_constant_queries(
    as_user, client, student, count, django_assert_max_num_queries
):
    for _ in range(count):
        MentorFactory()
    as_user("staff")

    # 1. session, 2. user, 3. student, 4. current mentor, 5. the student's programmes,
    # 6. mentors with profile and load, 7. their programmes, 8. unread notifications
    # (navbar), 9. history of mentors.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(10):
        response = client.get(assign_url(student))

    assert len(response.context["suggestions"]) == 10


@pytest.mark.parametrize("count", [10, 200])
def test_it_lists_students_without_a_mentor_in_constant_queries(
    as_user, client, count, django_assert_max_num_queries
):
    programme = ProgrammeFactory()
    for _ in range(count):
        EnrolmentFactory(student=StudentFactory(), programme=programme)
    as_user("supervisor")

    # 1. session, 2. user, 3. count, 4. unread notifications (navbar), 5. the page of
    # students with profiles and current mentors, 6. their active enrolments with
    # programmes, 7. how many students wait for a mentor.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("students:assignment_unassigned"))

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="unassigned-row"') == min(count, 25)


def test_it_lists_students_waiting_for_a_mentor_first(as_user, client, student):
    waiting = StudentFactory(display_name="Wanda Waiting")
    as_user("staff")

    response = client.get(reverse("students:assignment_unassigned"))

    assert list(response.context["page"].object_list) == [waiting, student]
    assert response.context["waiting"] == 1


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_links_the_list_from_the_home_page(as_user, client, role):
    as_user(role)

    assert (
        reverse("students:assignment_unassigned")
        in client.get(reverse("metrics:home")).content.decode()
    )


def test_it_names_the_student_language_in_each_suggestion(client, as_user, student, other_mentor):
    as_user("staff")

    response = client.get(reverse("students:assignment_assign", args=[student.pk]))

    assert response.status_code == 200
    assert "speaks English" in response.content.decode()
