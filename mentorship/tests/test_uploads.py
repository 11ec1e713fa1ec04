"""Uploads: the content check every file passes, files kept from a refused form (only
their sender reads them) and the sweep that drops them after a day."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mentorship.models import PendingUpload
from mentorship.tasks import sweep_pending_uploads
from mentorship.uploads import (
    pending_upload_keep,
    pending_uploads_chosen,
    pending_uploads_sweep,
    upload_problem,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed date: the bytes are in the tests' ids, which pytest-xdist's workers
        # must collect alike (writestr of a name stamps the current time).
        archive.writestr(zipfile.ZipInfo("index.html", (2026, 1, 1, 0, 0, 0)), "<h1>hi</h1>")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _problem(name: str, content: bytes, allowed=("pdf", "png", "jpg", "jpeg", "zip", "py", "md")):
    return upload_problem(
        SimpleUploadedFile(name, content), allowed_extensions=set(allowed), max_size_mb=1
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF),
        ("screen.png", PNG),
        ("photo.jpg", JPEG),
        ("photo.jpeg", JPEG),
        ("site.zip", _zip()),
        ("main.py", b"print('hello')\n"),
        ("README.md", "# Привет\n".encode()),
        ("README.md", b"BM is how this note starts, not a bitmap\n"),
        ("design.fig", b"\x01\x02 some format the sniffer does not know"),
    ],
)
def test_it_accepts_content_that_is_what_its_name_says(name, content):
    assert (
        _problem(name, content, allowed={"pdf", "png", "jpg", "jpeg", "zip", "py", "md", "fig"})
        is None
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", WINDOWS_PROGRAM),
        ("report.pdf", b"just some text, not a PDF"),
        ("screen.png", JPEG),
        ("photo.jpg", PNG),
        ("site.zip", PDF),
        ("main.py", _zip()),
        ("README.md", PDF),
        ("README.md", b"text\x00with a NUL byte"),
        ("design.fig", LINUX_PROGRAM),
    ],
)
def test_it_refuses_content_that_is_not_what_its_name_says(name, content):
    problem = _problem(name, content, allowed={"pdf", "png", "jpg", "zip", "py", "md", "fig"})

    assert problem is not None
    assert name in problem
    assert "content" in problem


def test_it_names_the_type_size_and_emptiness_problems():
    assert "not accepted" in _problem("setup.exe", WINDOWS_PROGRAM)
    assert "larger than 1 MB" in _problem("big.zip", b"PK\x03\x04" + b"x" * (1 << 20))
    assert "empty" in _problem("empty.py", b"")


# --- Kept uploads: only their sender reads them ----------------------------------------


@pytest.fixture
def kept(student, media_root):
    return pending_upload_keep(
        user=student,
        purpose="projects.submission:1",
        upload=SimpleUploadedFile("report.pdf", PDF),
    )


def test_it_keeps_the_file_privately_under_a_random_name(kept, media_root):
    assert kept.file.name.startswith("pending/")
    assert "report" not in kept.file.name
    assert kept.original_name == "report.pdf"
    assert kept.size == len(PDF)
    assert (media_root / kept.file.name).read_bytes() == PDF


def test_it_serves_a_kept_file_to_its_sender_as_a_download(client, as_user, kept):
    as_user("student")

    response = client.get(reverse("mentorship:kept_upload", args=[kept.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "role",
    ["other_student", "mentor", "other_mentor", "supervisor", "other_supervisor", "staff"],
)
def test_it_hides_a_kept_file_from_everyone_else(client, as_user, kept, role):
    as_user(role)

    response = client.get(reverse("mentorship:kept_upload", args=[kept.pk]))

    assert response.status_code == 404


def test_it_sends_anonymous_people_to_login(client, kept):
    path = reverse("mentorship:kept_upload", args=[kept.pk])

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"


def test_it_refuses_post_on_a_kept_file(client, as_user, kept):
    as_user("student")

    response = client.post(reverse("mentorship:kept_upload", args=[kept.pk]))

    assert response.status_code == 405


def test_it_no_longer_serves_a_kept_file_older_than_a_day(client, as_user, kept):
    PendingUpload.objects.filter(pk=kept.pk).update(
        created_at=timezone.now() - timedelta(days=1, seconds=1)
    )
    as_user("student")

    response = client.get(reverse("mentorship:kept_upload", args=[kept.pk]))

    assert response.status_code == 404


def test_it_does_not_let_another_person_choose_a_kept_file(kept, other_student):
    from django.http import Http404

    with pytest.raises(Http404):
        pending_uploads_chosen(user=other_student, purpose=kept.purpose, ids=[str(kept.pk)])


def test_it_does_not_offer_a_kept_file_to_another_form(kept, student):
    from django.http import Http404

    with pytest.raises(Http404):
        pending_uploads_chosen(user=student, purpose="projects.submission:2", ids=[str(kept.pk)])


# --- The sweep ------------------------------------------------------------------------


def _age(upload: PendingUpload, **age) -> None:
    PendingUpload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(**age))


def test_it_sweeps_kept_files_a_day_old_and_their_stored_files(
    student, media_root, django_capture_on_commit_callbacks
):
    old = pending_upload_keep(user=student, purpose="p", upload=SimpleUploadedFile("old.pdf", PDF))
    fresh = pending_upload_keep(
        user=student, purpose="p", upload=SimpleUploadedFile("fresh.pdf", PDF)
    )
    _age(old, days=1, minutes=1)
    _age(fresh, hours=23)

    with django_capture_on_commit_callbacks(execute=True):
        swept = pending_uploads_sweep()

    assert swept == 1
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["fresh.pdf"]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)


def test_it_sweeps_once_when_run_twice(student, media_root, django_capture_on_commit_callbacks):
    old = pending_upload_keep(user=student, purpose="p", upload=SimpleUploadedFile("old.pdf", PDF))
    _age(old, days=2)

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_pending_uploads.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = sweep_pending_uploads.apply().get()

    assert (first, second) == (1, 0)
    assert not PendingUpload.objects.exists()


def test_it_sweeps_a_row_whose_file_is_already_gone(
    student, media_root, django_capture_on_commit_callbacks
):
    old = pending_upload_keep(user=student, purpose="p", upload=SimpleUploadedFile("old.pdf", PDF))
    _age(old, days=2)
    default_storage.delete(old.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        swept = pending_uploads_sweep()

    assert swept == 1
    assert not PendingUpload.objects.exists()


def test_it_is_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "mentorship.tasks.sweep_pending_uploads" in tasks
