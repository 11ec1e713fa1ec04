"""A refused submission keeps what passed: the refused file is named beside the field,
the others are kept on the server for the student and this project and listed as
chosen; the next try sends them with the replacement. Nobody else can read or attach
them."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentorship.models import PendingUpload
from projects.models import Submission, SubmissionFile
from projects.tests.helpers_curriculum import curriculum_create, upload

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture
def curriculum(student, other_student):
    return curriculum_create(projects=2, students=[student, other_student])


def _submit(client, project, **data):
    return client.post(reverse("projects:submit", args=[project.pk]), data)


def _three_files_one_refused():
    return [
        upload("main.py"),
        upload("report.pdf", PDF, "application/pdf"),
        upload("setup.exe", WINDOWS_PROGRAM, "application/octet-stream"),
    ]


def test_it_names_the_refused_file_and_keeps_the_others(client, as_user, curriculum, media_root):
    student = as_user("student")

    response = _submit(
        client, curriculum.first, files=_three_files_one_refused(), comment="My work"
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["files"]
    assert error.startswith("setup.exe: this type of file is not accepted")
    kept = list(PendingUpload.objects.order_by("original_name"))
    assert [(upload.original_name, upload.user) for upload in kept] == [
        ("main.py", student),
        ("report.pdf", student),
    ]
    assert {upload.purpose for upload in kept} == {f"projects.submission:{curriculum.first.pk}"}
    for kept_upload in kept:
        assertContains(response, f'name="kept" value="{kept_upload.pk}"')
        assertContains(response, reverse("mentorship:kept_upload", args=[kept_upload.pk]))
    assertContains(response, "My work")
    assert not Submission.objects.exists()


def test_it_submits_the_kept_files_with_the_replacement_and_redirects(
    client, as_user, curriculum, media_root, django_capture_on_commit_callbacks
):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    kept = list(PendingUpload.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(
            client,
            curriculum.first,
            files=[upload("notes.md", b"# Notes\n")],
            kept=[str(upload.pk) for upload in kept],
        )

    assert response.status_code == 302
    assert response.url == reverse("projects:project", args=[curriculum.first.pk])
    submission = Submission.objects.get()
    files = {file.original_name: file for file in SubmissionFile.objects.all()}
    assert set(files) == {"main.py", "report.pdf", "notes.md"}
    assert files["report.pdf"].submission == submission
    assert files["report.pdf"].file.name.startswith("submissions/")
    assert default_storage.open(files["report.pdf"].file.name).read() == PDF
    assert not PendingUpload.objects.exists()
    assert not any(default_storage.exists(upload.file.name) for upload in kept)


def test_it_lists_the_kept_files_when_the_student_comes_back(client, as_user, curriculum):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())

    page = client.get(reverse("projects:project", args=[curriculum.first.pk]))

    assertContains(page, 'data-testid="kept-files"')
    assertContains(page, "report.pdf")
    other_page = client.get(reverse("projects:project", args=[curriculum.second.pk]))
    assert 'data-testid="kept-files"' not in other_page.content.decode()


def test_it_drops_a_kept_file_the_student_unticked(
    client, as_user, curriculum, media_root, django_capture_on_commit_callbacks
):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    report = PendingUpload.objects.get(original_name="report.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, curriculum.first, kept=[str(report.pk)])

    assert response.status_code == 302
    assert list(SubmissionFile.objects.values_list("original_name", flat=True)) == ["report.pdf"]
    assert not PendingUpload.objects.exists()


def test_it_asks_again_for_a_kept_file_that_expired(client, as_user, curriculum, media_root):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    report = PendingUpload.objects.get(original_name="report.pdf")
    main = PendingUpload.objects.get(original_name="main.py")
    PendingUpload.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )

    response = _submit(client, curriculum.first, kept=[str(report.pk), str(main.pk)])

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "A file kept from your last try has expired; choose it again."
    ]
    assert not Submission.objects.exists()
    # The one still fresh stays chosen.
    assert [upload.pk for upload in response.context["kept_files"]] == [main.pk]


def test_it_does_not_let_another_student_attach_a_kept_file(
    client, as_user, curriculum, media_root
):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    kept = list(PendingUpload.objects.all())
    client.logout()
    as_user("other_student")

    response = _submit(
        client,
        curriculum.first,
        link="https://github.com/other/work",
        kept=[str(upload.pk) for upload in kept],
    )

    assert response.status_code == 404
    assert not Submission.objects.exists()
    assert PendingUpload.objects.count() == 2


def test_it_does_not_let_another_student_read_a_kept_file(client, as_user, curriculum, media_root):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    report = PendingUpload.objects.get(original_name="report.pdf")
    client.logout()
    as_user("other_student")

    response = client.get(reverse("mentorship:kept_upload", args=[report.pk]))

    assert response.status_code == 404


def test_it_does_not_attach_a_file_kept_for_another_project(
    client, as_user, curriculum, media_root
):
    as_user("student")
    _submit(client, curriculum.first, files=_three_files_one_refused())
    report = PendingUpload.objects.get(original_name="report.pdf")

    response = _submit(client, curriculum.second, kept=[str(report.pk)])

    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_it_refuses_a_file_whose_content_is_not_its_type(client, as_user, curriculum, media_root):
    as_user("student")

    response = _submit(
        client, curriculum.first, files=[upload("report.pdf", WINDOWS_PROGRAM, "application/pdf")]
    )

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "report.pdf: its content is not a .pdf file."
    ]
    assert not PendingUpload.objects.exists()


def test_the_api_names_the_refused_file_in_a_400(client, as_user, curriculum, media_root):
    as_user("student")

    response = client.post(
        reverse("api:submission-list"),
        {
            "project": curriculum.first.pk,
            "files": [upload("main.py"), upload("report.pdf", WINDOWS_PROGRAM)],
        },
    )

    assert response.status_code == 400
    assert response.json() == {"files": ["report.pdf: its content is not a .pdf file."]}
    assert not Submission.objects.exists()
    assert not PendingUpload.objects.exists()
