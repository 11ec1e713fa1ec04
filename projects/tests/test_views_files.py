"""Submitted files are served only to who may see the submission, and never in a
way the browser could run."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from projects.models import SubmissionFile
from projects.tests.factories import SubmissionFactory, SubmissionFileFactory
from projects.tests.helpers_curriculum import curriculum_create, upload

READERS = {
    "student": 200,
    "other_student": 404,
    "mentor": 200,
    "other_mentor": 404,  # a mentor reading a file of another mentor's student
    "supervisor": 200,
    "other_supervisor": 404,  # the supervisor of the other team
    "staff": 200,
}


@pytest.fixture
def project(student):
    return curriculum_create(projects=1, students=[student]).first


def _file(student, project, name="main.py", content=b"print('hello')\n"):
    submission = SubmissionFactory(student=student, project=project)
    return SubmissionFileFactory(submission=submission, original_name=name, content=content)


def _get(client, stored, **params):
    return client.get(reverse("projects:file", args=[stored.pk]), params)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client, student, project):
    stored = _file(student, project)
    path = reverse("projects:file", args=[stored.pk])

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"


@pytest.mark.parametrize(("role", "expected"), READERS.items())
def test_it_serves_a_file_only_to_who_may_see_the_submission(
    client, as_user, student, project, role, expected
):
    stored = _file(student, project)
    as_user(role)

    response = _get(client, stored)

    assert response.status_code == expected
    if expected == 200:
        assert _body(response) == b"print('hello')\n"


@pytest.mark.parametrize(("role", "expected"), READERS.items())
def test_it_previews_only_for_who_may_see_the_submission(
    client, as_user, student, project, role, expected
):
    stored = _file(student, project)
    as_user(role)

    response = _get(client, stored, inline="1")

    assert response.status_code == expected


def test_it_serves_a_file_to_the_mentor_who_holds_the_review(
    client, as_user, other_student, project
):
    stored = _file(other_student, project)
    submission = stored.submission
    mentor = as_user("mentor")
    submission.claimed_by = mentor
    submission.claim_expires_at = timezone.now() + timedelta(hours=1)
    submission.save()

    response = _get(client, stored)

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_post(client, as_user, student, project, role):
    stored = _file(student, project)
    as_user(role)

    response = client.post(reverse("projects:file", args=[stored.pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_file(client, as_user):
    as_user("staff")

    response = client.get(reverse("projects:file", args=[999999]))

    assert response.status_code == 404


def test_it_answers_404_when_the_stored_file_is_gone(client, as_user, student, project):
    stored = _file(student, project)
    stored.file.storage.delete(stored.file.name)
    as_user("student")

    response = _get(client, stored)

    assert response.status_code == 404


def test_it_downloads_by_default_with_the_original_name(client, as_user, student, project):
    stored = _file(student, project, name="main.py")
    as_user("student")

    response = _get(client, stored)

    assert response.headers["Content-Disposition"] == 'attachment; filename="main.py"'
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(b"print('hello')\n"))


def test_it_shows_code_inline_as_plain_text(client, as_user, student, project):
    stored = _file(student, project, name="main.py")
    as_user("mentor")

    response = _get(client, stored, inline="1")

    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="main.py"'
    assert response.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("inline", [None, "1"])
@pytest.mark.parametrize("name", ["page.html", "page.htm", "drawing.svg", "app.js", "feed.xml"])
def test_it_never_serves_markup_as_something_a_browser_runs(
    client, as_user, student, project, name, inline
):
    stored = _file(student, project, name=name, content=b"<script>alert(1)</script>")
    as_user("mentor")

    response = _get(client, stored, **({"inline": inline} if inline else {}))

    content_type = response.headers["Content-Type"]
    assert content_type == "text/plain; charset=utf-8"
    assert "html" not in content_type
    assert "svg" not in content_type
    assert "javascript" not in content_type
    disposition = "inline" if inline else "attachment"
    assert response.headers["Content-Disposition"] == f'{disposition}; filename="{name}"'
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_it_serves_an_html_upload_as_an_attachment(client, as_user, student, project):
    stored = _file(student, project, name="index.html", content=b"<h1>Hi</h1>")
    as_user("mentor")

    response = _get(client, stored)

    assert response.headers["Content-Disposition"] == 'attachment; filename="index.html"'
    assert not response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("shot.png", "image/png"),
        ("photo.JPG", "image/jpeg"),
        ("photo.jpeg", "image/jpeg"),
        ("anim.gif", "image/gif"),
        ("pic.webp", "image/webp"),
    ],
)
def test_it_previews_images_inline_in_a_sandbox(
    client, as_user, student, project, name, content_type
):
    stored = _file(student, project, name=name, content=b"\x89PNG fake")
    as_user("mentor")

    response = _get(client, stored, inline="1")

    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")


def test_it_previews_a_pdf_inline_in_a_sandbox(client, as_user, student, project):
    stored = _file(student, project, name="report.pdf", content=b"%PDF-1.4 fake")
    as_user("mentor")

    response = _get(client, stored, inline="1")

    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="report.pdf"'
    assert response.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("name", ["work.zip", "data.bin", "notebook", "setup.exe"])
def test_it_only_ever_downloads_files_it_cannot_preview(client, as_user, student, project, name):
    stored = _file(student, project, name=name, content=b"PK\x03\x04")
    as_user("mentor")

    response = _get(client, stored, inline="1")

    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize("inline", ["", "1"], ids=["download", "preview"])
def test_it_keeps_files_out_of_every_cache(client, as_user, student, project, inline):
    stored = _file(student, project)
    as_user("student")

    response = _get(client, stored, inline=inline)

    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cookie" in response.headers["Vary"]


def test_it_encodes_a_non_ascii_file_name(client, as_user, student, project):
    stored = _file(student, project, name="отчёт.pdf", content=b"%PDF-1.4 fake")
    as_user("student")

    response = _get(client, stored)

    assert response.headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
    )


def test_it_serves_an_uploaded_path_name_under_its_clean_name(client, as_user, student, project):
    as_user("student")
    client.post(reverse("projects:submit", args=[project.pk]), {"files": [upload("../../x.py")]})
    stored = SubmissionFile.objects.get()

    response = _get(client, stored)

    assert response.headers["Content-Disposition"] == 'attachment; filename="x.py"'
    assert _body(response) == b"print('hello')\n"


# --- In the browser -------------------------------------------------------------------

PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def _pdf_bytes(text: str = "HELLO PDF") -> bytes:
    """A minimal valid one-page PDF showing ``text``."""
    stream = f"BT /F1 36 Tf 20 90 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_previews_a_pdf_in_the_browser(logged_in_page, student, screenshot):
    """Chromium's PDF viewer runs under the sandbox policy, at the top level and in an
    <iframe> of a portal page (what the review page does)."""
    project = curriculum_create(projects=1, students=[student]).first
    stored = _file(student, project, name="report.pdf", content=_pdf_bytes())
    url = reverse("projects:file", args=[stored.pk]) + "?inline=1"
    page = logged_in_page("student")

    page.goto(url)
    page.wait_for_timeout(1000)
    assert any(frame.url.startswith(PDF_VIEWER) for frame in page.frames)

    page.goto(reverse("projects:project", args=[project.pk]))
    page.evaluate(
        """url => {
            const frame = document.createElement("iframe");
            frame.src = url;
            frame.width = 600;
            frame.height = 400;
            frame.id = "preview";
            document.querySelector("main").prepend(frame);
        }""",
        url,
    )
    page.wait_for_timeout(1500)
    assert any(frame.url.startswith(PDF_VIEWER) for frame in page.frames)
    screenshot(page, "pdf-in-iframe")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_uploaded_html_as_text_in_the_browser(logged_in_page, student):
    project = curriculum_create(projects=1, students=[student]).first
    stored = _file(
        student,
        project,
        name="index.html",
        content=b"<title>x</title><script>document.title = 'pwned'</script><h1>Hi</h1>",
    )
    page = logged_in_page("student")

    page.goto(reverse("projects:file", args=[stored.pk]) + "?inline=1")

    assert page.title() != "pwned"
    assert "<script>document.title = 'pwned'</script>" in page.inner_text("body")
    assert page.locator("h1").count() == 0
