"""A student submits an attempt from the project page: files and/or a link and a
comment; refusals come back beside the field with the input kept, as a page (200)
like any form with errors."""

from pathlib import PurePath

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError

from conftest import ROLES
from projects.models import Deliverable, Enrolment, Submission, SubmissionFile, Verdict
from projects.tests.factories import ReviewFactory
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    project_approved,
    upload,
)


@pytest.fixture
def curriculum(student):
    return curriculum_create(projects=3, students=[student])


def _submit(client, project, **data):
    return client.post(reverse("projects:submit", args=[project.pk]), data)


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client, curriculum):
    path = reverse("projects:submit", args=[curriculum.first.pk])

    response = client.post(path, {"link": "https://github.com/me/todo"})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"
    assert not Submission.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_sends_get_to_the_project_page(client, as_user, curriculum, role):
    """The address a refused form was shown at, opened again (Enter in the address
    bar): the project page for its student, refused to the others; nothing saved."""
    as_user(role)

    response = client.get(reverse("projects:submit", args=[curriculum.first.pk]))

    if role == "student":
        assert response.status_code == 302
        assert response.url == reverse("projects:project", args=[curriculum.first.pk]) + "#submit"
    else:
        assert response.status_code in (403, 404)
    assert not Submission.objects.exists()


def test_it_refuses_other_methods(client, as_user, curriculum):
    as_user("student")

    response = client.put(reverse("projects:submit", args=[curriculum.first.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("other_student", 404),  # not enrolled: the project is not theirs to see
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_enrolled_students_submit(client, as_user, curriculum, role, expected):
    as_user(role)

    response = _submit(client, curriculum.first, link="https://github.com/me/todo")

    assert response.status_code == expected
    assert not Submission.objects.exists()


def test_it_saves_files_a_link_and_a_comment_as_attempt_one(
    client, as_user, curriculum, media_root
):
    student = as_user("student")

    response = _submit(
        client,
        curriculum.first,
        files=[upload("main.py"), upload("README.md", b"# Todo\n")],
        link="https://github.com/me/todo",
        comment="My first go",
    )

    url = reverse("projects:project", args=[curriculum.first.pk])
    assert response.status_code == 302
    assert response.url == url
    submission = Submission.objects.get()
    assert (submission.student, submission.attempt, submission.status) == (
        student,
        1,
        "submitted",
    )
    assert (submission.link, submission.comment) == ("https://github.com/me/todo", "My first go")
    assert sorted(f.original_name for f in submission.files.all()) == ["README.md", "main.py"]
    for stored in submission.files.all():
        assert (media_root / stored.file.name).read_bytes() in (b"print('hello')\n", b"# Todo\n")
    page = client.get(url)
    assertContains(page, "Attempt 1 is submitted")
    assertContains(page, "Your previous attempt is waiting for review")


def test_it_accepts_a_link_alone(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, link="github.com/me/todo")

    assert response.status_code == 302
    assert Submission.objects.get().link == "https://github.com/me/todo"


def test_it_refuses_an_oversized_file_and_keeps_the_input(client, as_user, curriculum):
    project = curriculum.first
    project.max_file_size_mb = 1
    project.save()
    as_user("student")

    response = _submit(
        client,
        project,
        files=[upload("big.zip", b"x" * (1024 * 1024 + 1), "application/zip")],
        link="https://github.com/me/todo",
        comment="Sorry it is big",
    )

    assert response.status_code == 200
    assertFormError(response.context["form"], "files", ["big.zip is larger than 1 MB."])
    assertContains(response, "https://github.com/me/todo")
    assertContains(response, "Sorry it is big")
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()


def test_it_refuses_a_file_type_the_project_does_not_allow(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("setup.exe", b"MZ")])

    assert response.status_code == 200
    (error,) = response.context["form"].errors["files"]
    assert error.startswith("setup.exe: this type of file is not accepted (allowed: ")
    assert not Submission.objects.exists()


def test_it_refuses_an_empty_file(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("main.py", b"")])

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not Submission.objects.exists()


def test_it_stores_a_file_named_like_a_path_under_a_random_name(
    client, as_user, curriculum, media_root
):
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("../../x.py")])

    assert response.status_code == 302
    stored = SubmissionFile.objects.get()
    assert stored.original_name == "x.py"
    path = PurePath(stored.file.name)
    assert path.parts[0] == "submissions"
    assert ".." not in path.parts
    assert path.name != "x.py"
    assert len(path.stem) == 32  # a uuid4 hex
    assert (media_root / stored.file.name).is_file()
    assert not (media_root.parent / "x.py").exists()
    page = client.get(reverse("projects:project", args=[curriculum.first.pk]))
    assertContains(page, ">x.py</a>")
    assertContains(page, reverse("projects:file", args=[stored.pk]))


def test_it_refuses_an_empty_submission(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, comment="Forgot everything")

    assert response.status_code == 200
    assertFormError(response.context["form"], None, ["Add at least one file or a link."])
    assertContains(response, "Forgot everything")
    assert not Submission.objects.exists()


def test_it_puts_a_missing_file_beside_the_files_field(client, as_user, student):
    curriculum = curriculum_create(projects=1, students=[student], deliverable=Deliverable.FILES)
    as_user("student")

    response = _submit(client, curriculum.first, comment="Here")

    assert response.status_code == 200
    assertFormError(response.context["form"], "files", ["Add the project's files."])
    assert "link" not in response.context["form"].fields
    assert not Submission.objects.exists()


def test_it_puts_a_missing_link_beside_the_link_field(client, as_user, student):
    curriculum = curriculum_create(projects=1, students=[student], deliverable=Deliverable.LINK)
    as_user("student")

    response = _submit(client, curriculum.first, comment="Here")

    assert response.status_code == 200
    assertFormError(response.context["form"], "link", ["Add the link to your work."])
    assert "files" not in response.context["form"].fields
    assert not Submission.objects.exists()


def test_it_refuses_a_link_that_is_not_a_url(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, link="not a link at all")

    assert response.status_code == 200
    assert response.context["form"].errors["link"]
    assert not Submission.objects.exists()


def test_it_refuses_a_new_attempt_while_one_waits(client, as_user, student, curriculum):
    waiting = attempt_waiting(student=student, project=curriculum.first)
    as_user("student")

    response = _submit(client, curriculum.first, link="https://github.com/me/todo-2")

    assert response.status_code == 200
    assertContains(response, "Your previous attempt is waiting for review")
    assert list(Submission.objects.all()) == [waiting]


def test_it_refuses_a_project_whose_predecessor_is_not_approved(
    client, as_user, student, curriculum
):
    attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")

    response = _submit(client, curriculum.second, link="https://github.com/me/second")

    assert response.status_code == 200
    assertContains(response, "Finish “Project number 1” first")
    assert not Submission.objects.filter(project=curriculum.second).exists()


def test_it_lets_a_student_who_may_skip_ahead_submit_out_of_order(
    client, as_user, student, curriculum
):
    Enrolment.objects.filter(student=student).update(allow_skipping=True)
    as_user("student")

    response = _submit(client, curriculum.projects[2], link="https://github.com/me/third")

    assert response.status_code == 302
    assert Submission.objects.get().project == curriculum.projects[2]


def test_it_unlocks_the_next_project_after_approval(client, as_user, student, curriculum):
    project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = _submit(client, curriculum.second, link="https://github.com/me/second")

    assert response.status_code == 302


def test_it_refuses_a_project_already_approved(client, as_user, student, curriculum):
    project_approved(student=student, project=curriculum.first)
    as_user("student")

    response = _submit(client, curriculum.first, link="https://github.com/me/again")

    assert response.status_code == 200
    assert Submission.objects.count() == 1


def test_it_numbers_attempts_one_two_three(client, as_user, student, curriculum):
    as_user("student")

    for number in (1, 2, 3):
        response = _submit(client, curriculum.first, link=f"https://github.com/me/todo-{number}")
        assert response.status_code == 302
        submission = Submission.objects.get(student=student, status="submitted")
        ReviewFactory(submission=submission, verdict=Verdict.CHANGES_REQUESTED)

    assert list(
        Submission.objects.filter(student=student)
        .order_by("attempt")
        .values_list("attempt", "link")
    ) == [(n, f"https://github.com/me/todo-{n}") for n in (1, 2, 3)]
    page = client.get(reverse("projects:project", args=[curriculum.first.pk]))
    assert [a.attempt for a in page.context["history"]] == [3, 2, 1]


def test_it_names_each_missing_deliverable_beside_its_field(client, as_user, student):
    curriculum = curriculum_create(
        projects=1, students=[student], deliverable=Deliverable.FILES_AND_LINK
    )
    as_user("student")

    response = _submit(client, curriculum.first, link="https://github.com/me/todo")

    assert response.status_code == 200
    assertFormError(response.context["form"], "files", ["Add the project's files."])
    assertFormError(response.context["form"], "link", [])
    assert not Submission.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_takes_a_student_from_a_refused_upload_to_a_submitted_attempt(
    logged_in_page, student, screenshot
):
    curriculum = curriculum_create(projects=2, students=[student])
    page = logged_in_page("student")
    page.goto(reverse("projects:project", args=[curriculum.first.pk]))

    page.set_input_files(
        "input[type=file]",
        [{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}],
    )
    page.fill("input[name=link]", "https://github.com/me/todo")
    page.fill("textarea[name=comment]", "My first go")
    page.get_by_role("button", name="Submit for review").click()

    assert "setup.exe: this type of file is not accepted" in page.inner_text("#submit")
    assert page.input_value("input[name=link]") == "https://github.com/me/todo"
    assert page.input_value("textarea[name=comment]") == "My first go"

    page.set_input_files(
        "input[type=file]",
        [
            {"name": "main.py", "mimeType": "text/x-python", "buffer": b"print('hi')\n"},
            {"name": "README.md", "mimeType": "text/markdown", "buffer": b"# Todo\n"},
        ],
    )
    page.get_by_role("button", name="Submit for review").click()

    assert "Attempt 1 is submitted" in page.inner_text(".messages")
    history = page.get_by_test_id("history")
    assert "Waiting for review" in history.inner_text()
    assert "main.py" in history.inner_text()
    assert "README.md" in history.inner_text()
    assert page.get_by_test_id("submit-form").count() == 0
    screenshot(page, "submitted")
