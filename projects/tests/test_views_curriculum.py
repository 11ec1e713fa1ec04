"""Programmes, projects and attempts as each role reads them; the difficulty rating."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from conftest import ROLES
from projects.models import DifficultyRating, Enrolment
from projects.tests.factories import (
    DifficultyRatingFactory,
    ProgrammeFactory,
    SubmissionFileFactory,
)
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    project_approved,
)

# Who may read a submission of ``student`` (mentored by ``mentor`` of ``supervisor``'s
# team): the student, their mentor, that supervisor and staff. Everyone else: 404.
SUBMISSION_READERS = {
    "student": 200,
    "other_student": 404,
    "mentor": 200,
    "other_mentor": 404,
    "supervisor": 200,
    "other_supervisor": 404,
    "staff": 200,
}


@pytest.fixture
def curriculum(student):
    """Three projects; ``student`` is enrolled, ``other_student`` is not."""
    return curriculum_create(projects=3, students=[student])


def _login_redirect(path: str) -> str:
    return f"{reverse('account_login')}?next={path}"


# --- programme_list -------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login_from_the_programme_list(client):
    path = reverse("projects:programmes")

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == _login_redirect(path)


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_programmes_for_every_role(client, as_user, role, curriculum):
    as_user(role)

    response = client.get(reverse("projects:programmes"))

    assert response.status_code == 200
    assertTemplateUsed(response, "projects/programme_list.html")


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post_on_the_programme_list(client, as_user, role):
    as_user(role)

    response = client.post(reverse("projects:programmes"))

    assert response.status_code == 405


def test_it_shows_a_student_only_their_enrolments_with_progress(
    client, as_user, student, curriculum
):
    ProgrammeFactory(title="Somebody else's path")
    project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("projects:programmes"))

    assertContains(response, curriculum.programme.title)
    assertNotContains(response, "Somebody else&#x27;s path")
    assertContains(response, '<progress class="programme-progress" value="1" max="3"')
    assertContains(response, "1 of 3 projects approved")
    assertContains(response, "Project number 2")  # the next one


def test_it_tells_a_student_without_enrolments_so(client, as_user, other_student, curriculum):
    as_user("other_student")

    response = client.get(reverse("projects:programmes"))

    assertContains(response, "You are not enrolled in a programme yet")


def test_it_shows_mentors_every_programme_with_its_project_count(client, as_user, curriculum):
    ProgrammeFactory(title="Data analysis")
    as_user("mentor")

    response = client.get(reverse("projects:programmes"))

    assertContains(response, "Data analysis")
    assertContains(response, curriculum.programme.title)
    counts = {p.title: p.project_count for p in response.context["programmes"]}
    assert counts == {curriculum.programme.title: 3, "Data analysis": 0}


@pytest.mark.parametrize("size", [2, 20])
def test_it_lists_programmes_in_constant_queries(
    client, as_user, student, django_assert_max_num_queries, size
):
    for _ in range(size):
        curriculum_create(projects=3, students=[student])
    as_user("student")

    # session, user, enrolments with programmes, their projects, the student's
    # submissions, unread notifications.
    with django_assert_max_num_queries(6, info="Programmes list: did a query run per row?"):
        response = client.get(reverse("projects:programmes"))

    assert len(response.context["progress"]) == size


# --- programme_detail -----------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login_from_a_programme(client):
    programme = ProgrammeFactory()
    path = reverse("projects:programme", args=[programme.slug])

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == _login_redirect(path)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 200),
        ("other_student", 404),  # not enrolled in it
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_shows_a_programme_to_who_may_read_it(client, as_user, curriculum, role, expected):
    as_user(role)

    response = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post_on_a_programme(client, as_user, curriculum, role):
    as_user(role)

    response = client.post(reverse("projects:programme", args=[curriculum.programme.slug]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_programme(client, as_user):
    as_user("staff")

    response = client.get(reverse("projects:programme", args=["no-such-path"]))

    assert response.status_code == 404


def test_it_shows_a_student_their_status_and_due_date_per_project(
    client, as_user, student, curriculum
):
    curriculum = curriculum_create(projects=5, students=[student])
    first, second, third, fourth, fifth = curriculum.projects
    project_approved(student=student, project=first)
    attempt_reviewed(student=student, project=second)
    attempt_waiting(student=student, project=second)
    project_approved(student=student, project=third)
    enrolment = Enrolment.objects.get(student=student, programme=curriculum.programme)
    as_user("student")

    response = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    statuses = [item.status for item in response.context["progress"].projects]
    assert statuses == ["approved", "submitted", "approved", "available", "locked"]
    for item in enrolment.plan(curriculum.projects):
        assertContains(response, f"{item.due_on:%b}")
    content = response.content.decode()
    for label in ("Approved", "Waiting for review", "Available", "Locked"):
        assert label in content
    assertContains(response, "2 attempts")


def test_it_shows_changes_requested_on_a_project(client, as_user, student, curriculum):
    attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    assertContains(response, 'data-status="changes_requested"')


def test_it_shows_staff_each_project_with_effort_target_and_rubric_size(
    client, as_user, curriculum
):
    as_user("staff")

    response = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    projects = list(response.context["projects"])
    assert [p.position for p in projects] == [1, 2, 3]
    assert [p.criteria_count for p in projects] == [2, 2, 2]
    assertContains(response, "14 days")
    assertContains(response, "10 h")


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("role", ["student", "mentor"])
def test_it_shows_a_programme_in_constant_queries(
    client, as_user, student, django_assert_max_num_queries, size, role
):
    curriculum = curriculum_create(projects=size, students=[student])
    for project in curriculum.projects[: size // 2]:
        project_approved(student=student, project=project)
    as_user(role)

    # session, user, programme; for a student: enrolments, their projects, the
    # student's submissions; for others: projects with rubric counts; unread
    # notifications.
    with django_assert_max_num_queries(7, info="Programme page: did a query run per row?"):
        response = client.get(reverse("projects:programme", args=[curriculum.programme.slug]))

    assert response.status_code == 200


# --- project_detail -------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login_from_a_project(client, curriculum):
    path = reverse("projects:project", args=[curriculum.first.pk])

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == _login_redirect(path)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 200),
        ("other_student", 404),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_shows_a_project_to_who_may_read_it(client, as_user, curriculum, role, expected):
    as_user(role)

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post_on_a_project(client, as_user, curriculum, role):
    as_user(role)

    response = client.post(reverse("projects:project", args=[curriculum.first.pk]))

    assert response.status_code == 405


def test_it_renders_the_brief_as_sanitised_markdown_with_the_rubric(client, as_user, curriculum):
    project = curriculum.first
    project.brief = "Build a **todo app**.\n\n<script>alert(1)</script>"
    project.save()
    as_user("mentor")

    response = client.get(reverse("projects:project", args=[project.pk]))

    assertContains(response, "<strong>todo app</strong>", html=True)
    assertNotContains(response, "<script>alert(1)</script>")
    for criterion in project.criteria.all():
        assertContains(response, criterion.title)
    assertContains(response, "The work does what the brief asks.")
    assertContains(response, "20 MB")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "student" and r != "other_student"])
def test_it_shows_no_submit_form_to_readers_who_are_not_students(
    client, as_user, curriculum, role
):
    as_user(role)

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert "form" not in response.context
    assertNotContains(response, 'data-testid="submit-form"')
    assertNotContains(response, 'data-testid="history"')


def test_it_offers_the_student_the_submit_form_with_multiple_files(client, as_user, curriculum):
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assertContains(response, 'data-testid="submit-form"')
    assertContains(response, 'enctype="multipart/form-data"')
    html = response.content.decode()
    assert 'type="file"' in html
    assert "multiple" in html
    assert 'accept=".css,.csv,' in html


def test_it_explains_why_a_student_cannot_submit_while_waiting(
    client, as_user, student, curriculum
):
    attempt_waiting(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert "form" not in response.context
    assertContains(response, "Your previous attempt is waiting for review")
    assertContains(response, 'data-testid="project-status"')


def test_it_tells_the_student_to_finish_the_previous_project_first(client, as_user, curriculum):
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.second.pk]))

    assert "form" not in response.context
    assertContains(response, "Finish “Project number 1” first")


def test_it_shows_every_attempt_newest_first_with_its_review(client, as_user, student, curriculum):
    first = attempt_reviewed(student=student, project=curriculum.first)
    SubmissionFileFactory(submission=first, original_name="first.py")
    first.review.feedback = "Add **tests**, please."
    first.review.save()
    attempt_reviewed(student=student, project=curriculum.first)
    attempt_waiting(student=student, project=curriculum.first, comment="Third time lucky")
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert [a.attempt for a in response.context["history"]] == [3, 2, 1]
    assertContains(response, "Third time lucky")
    assertContains(response, "<strong>tests</strong>", html=True)
    assertContains(response, "first.py")
    assertContains(response, reverse("projects:file", args=[first.files.get().pk]))
    assertContains(response, "Not met")
    assertContains(response, "Not yet.")
    assertContains(response, str(first.review.reviewer))


def test_it_asks_for_a_difficulty_rating_after_an_approval(client, as_user, student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert response.context["rating_for"] == approved
    assertContains(response, reverse("projects:rate", args=[approved.pk]))
    assertContains(response, "This project is already approved.")


def test_it_does_not_ask_twice_for_a_difficulty_rating(client, as_user, student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)
    DifficultyRatingFactory(submission=approved)
    as_user("student")

    response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert "rating_form" not in response.context
    assertNotContains(response, 'data-testid="rating-form"')


@pytest.mark.parametrize("size", [10, 200])
def test_it_shows_the_history_in_constant_queries(
    client, as_user, student, curriculum, django_assert_max_num_queries, size
):
    for _ in range(size - 1):
        attempt = attempt_reviewed(student=student, project=curriculum.first)
        SubmissionFileFactory(submission=attempt)
        SubmissionFileFactory(submission=attempt, original_name="README.md")
    attempt_waiting(student=student, project=curriculum.first)
    as_user("student")

    # session, user, project, rubric; history: attempts with reviews, their files,
    # criterion verdicts; progress: enrolments, projects, submissions; the submit
    # check: enrolment, statuses; unread notifications (13). The newest review read for
    # the first time (projects.services.review_read): already recorded?, then the
    # savepoint, the profile's lock, known keys, the event, the day's recount, its
    # upsert, the release (8), once per review whatever the history's length. On SQLite
    # the event's store also reads the keys stored already, in a savepoint (two more).
    most = 21 if connection.vendor == "postgresql" else 23
    with django_assert_max_num_queries(most, info="Project history: did a query run per row?"):
        response = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assert len(response.context["history"]) == size


# --- submission_detail ----------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login_from_an_attempt(client, student, curriculum):
    submission = attempt_waiting(student=student, project=curriculum.first)
    path = reverse("projects:submission", args=[submission.pk])

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == _login_redirect(path)


@pytest.mark.parametrize(("role", "expected"), SUBMISSION_READERS.items())
def test_it_shows_an_attempt_only_to_who_may_see_it(
    client, as_user, student, curriculum, role, expected
):
    submission = attempt_reviewed(student=student, project=curriculum.first)
    as_user(role)

    response = client.get(reverse("projects:submission", args=[submission.pk]))

    assert response.status_code == expected
    if expected == 200:
        assertContains(response, submission.review.feedback)


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post_on_an_attempt(client, as_user, student, curriculum, role):
    submission = attempt_waiting(student=student, project=curriculum.first)
    as_user(role)

    response = client.post(reverse("projects:submission", args=[submission.pk]))

    assert response.status_code == 405


def test_it_offers_the_mentor_the_review_of_a_waiting_attempt(
    client, as_user, student, curriculum
):
    submission = attempt_waiting(student=student, project=curriculum.first)
    as_user("mentor")

    response = client.get(reverse("projects:submission", args=[submission.pk]))

    assertContains(response, reverse("projects:review", args=[submission.pk]))


# --- difficulty_rate ------------------------------------------------------------------


def test_it_records_a_difficulty_rating_once(client, as_user, student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)
    as_user("student")
    url = reverse("projects:rate", args=[approved.pk])

    first = client.post(url, {"rating": "4", "comment": "Tough but fair"}, follow=True)
    second = client.post(url, {"rating": "1"}, follow=True)

    assert first.redirect_chain == [(reverse("projects:project", args=[curriculum.first.pk]), 302)]
    rating = DifficultyRating.objects.get()
    assert (rating.submission, rating.rating, rating.comment) == (approved, 4, "Tough but fair")
    assertContains(second, "You have already rated this project.")


def test_it_refuses_a_rating_before_approval(client, as_user, student, curriculum):
    waiting = attempt_waiting(student=student, project=curriculum.first)
    as_user("student")

    response = client.post(
        reverse("projects:rate", args=[waiting.pk]), {"rating": "3"}, follow=True
    )

    assertContains(response, "You can rate a project once it is approved.")
    assert not DifficultyRating.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "hard", ""])
def test_it_refuses_a_rating_outside_one_to_five(client, as_user, student, curriculum, rating):
    approved = project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = client.post(
        reverse("projects:rate", args=[approved.pk]), {"rating": rating}, follow=True
    )

    assertContains(response, "Choose how difficult the project was, from 1 to 5.")
    assert not DifficultyRating.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("other_student", 404),  # not theirs
        ("mentor", 403),  # only students rate
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_student_rate_their_project(
    client, as_user, student, curriculum, role, expected
):
    approved = project_approved(student=student, project=curriculum.first)
    as_user(role)

    response = client.post(reverse("projects:rate", args=[approved.pk]), {"rating": "3"})

    assert response.status_code == expected
    assert not DifficultyRating.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_get_on_the_rating(client, as_user, student, curriculum, role):
    approved = project_approved(student=student, project=curriculum.first)
    as_user(role)

    response = client.get(reverse("projects:rate", args=[approved.pk]))

    assert response.status_code in (403, 405)
    assert not DifficultyRating.objects.exists()


# --- the student's home page ----------------------------------------------------------


def test_it_shows_the_student_their_programme_on_the_home_page(
    client, as_user, student, curriculum
):
    project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assertContains(response, 'data-testid="programme-card"')
    assertContains(response, '<progress class="programme-progress" value="1" max="3"')
    assertContains(response, reverse("projects:project", args=[curriculum.second.pk]))
    assertContains(response, 'data-testid="pace"')


def test_it_tells_a_student_behind_plan_by_how_many_projects(client, as_user, student):
    curriculum = curriculum_create(projects=3)
    today = timezone.localdate()
    Enrolment.objects.create(
        student=student,
        programme=curriculum.programme,
        started_on=today - timedelta(days=60),
        target_end_on=today - timedelta(days=1),
    )
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assertContains(response, "Behind plan by 3 projects")


def test_it_tells_a_student_ahead_of_plan(client, as_user, student):
    curriculum = curriculum_create(projects=3, students=[student])
    Enrolment.objects.filter(student=student).update(
        started_on=timezone.localdate(), target_end_on=timezone.localdate() + timedelta(days=90)
    )
    project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assertContains(response, "Ahead of plan by 1 project")


@pytest.mark.parametrize("size", [2, 20])
def test_it_shows_the_student_home_in_constant_queries(
    client, as_user, student, django_assert_max_num_queries, size
):
    curriculum = curriculum_create(projects=size, students=[student])
    for project in curriculum.projects[: size // 2]:
        project_approved(student=student, project=project)
    as_user("student")

    # session, user, current mentor, student profile, enrolments with programmes, their
    # projects, the student's submissions, the next session, the submission waiting
    # for review (and how many), the question not solved (and how many), the survey
    # waiting for an answer, unread notifications (metrics/tests/test_home.py).
    with django_assert_max_num_queries(14, info="Student home: did a query run per project?"):
        response = client.get(reverse("metrics:home"))

    assert response.context["day"].progress[0].approved_count == size // 2
