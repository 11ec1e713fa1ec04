"""Journey: a refused file does not cost the others. A student picks three files for a
project, one of a type it does not take, and submits; the page names that file beside
the field and lists the other two as still chosen; the student picks a replacement for
the refused one only and submits again. The attempt holds the three good files, the
address bar is the project page (not the form's POST address), and reloading it sends
nothing again."""

import re

import pytest
from django.urls import reverse

from mentorship.models import PendingUpload
from mentorship.tests.browser import VIEWPORT
from projects.models import Deliverable, Submission
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def project(student):
    programme = ProgrammeFactory(title="Data analysis", slug="data-analysis")
    project = ProjectFactory(
        programme=programme,
        position=1,
        title="Cleaning a dataset",
        deliverable=Deliverable.FILES,
        allowed_file_types="py,md,pdf",
    )
    EnrolmentFactory(student=student, programme=programme)
    return project


def test_it_keeps_the_good_files_when_one_is_refused(
    logged_in_page, student, project, media_root, screenshot
):
    page = logged_in_page("student")
    project_url = reverse("projects:project", args=[project.pk])
    page.goto(project_url)
    form = page.get_by_test_id("submit-form")
    expect(form).to_be_visible()

    # Three files, one of a type the project does not take.
    form.get_by_label("Files").set_input_files(
        [
            {"name": "clean.py", "mimeType": "text/x-python", "buffer": b"import csv\n"},
            {"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "data.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"},
        ]
    )
    form.get_by_label("Comment for your mentor").fill("The cleaned data and my report.")
    form.get_by_role("button", name="Submit for review").click()

    # The refused file is named beside the field; the other two are still chosen.
    files_field = page.locator("#div_id_files")
    expect(files_field).to_contain_text("data.xlsx: this type of file is not accepted")
    kept = page.get_by_test_id("kept-file")
    expect(kept).to_have_count(2)
    expect(kept.nth(0)).to_contain_text("clean.py")
    expect(kept.nth(1)).to_contain_text("report.pdf")
    expect(kept.nth(0).get_by_role("checkbox")).to_be_checked()
    expect(page.get_by_label("Comment for your mentor")).to_have_value(
        "The cleaned data and my report."
    )
    assert not Submission.objects.exists()
    screenshot(page, "refused-one-kept-two")
    # On a phone the error and the kept files fit the screen.
    page.set_viewport_size(PHONE)
    kept.nth(1).scroll_into_view_if_needed()
    expect(kept.nth(1)).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "refused-one-kept-two-phone")
    page.set_viewport_size(VIEWPORT)

    # Only the refused file is picked again.
    page.get_by_test_id("submit-form").get_by_label("Files").set_input_files(
        [{"name": "data.md", "mimeType": "text/markdown", "buffer": b"# The data\n"}]
    )
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_role("alert")).to_contain_text("Attempt 1 is submitted")
    expect(page).to_have_url(re.compile(re.escape(project_url) + "$"))
    attempt = page.locator("#attempt-1")
    for name in ("clean.py", "report.pdf", "data.md"):
        expect(attempt.get_by_test_id("attempt-files")).to_contain_text(name)
    submission = Submission.objects.get()
    assert sorted(submission.files.values_list("original_name", flat=True)) == [
        "clean.py",
        "data.md",
        "report.pdf",
    ]
    assert not PendingUpload.objects.exists()
    screenshot(page, "submitted")

    # Reloading the address shows the page again; nothing is sent twice.
    page.reload()
    expect(page.locator("#attempt-1")).to_be_visible()
    assert Submission.objects.count() == 1
