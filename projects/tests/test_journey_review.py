"""Journey: the review loop in the browser. A student hands in a file and a link, their
mentor claims it from the queue, marks the rubric and requests changes; the student reads
the feedback and tries again; the mentor approves, and the student finds the project
approved, the next one open and a question about how hard it was."""

import re
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from django.urls import reverse

from projects.models import (
    Deliverable,
    DifficultyRating,
    Review,
    ReviewDraft,
    Submission,
    SubmissionStatus,
    Verdict,
)
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    RubricCriterionFactory,
)

# Without Playwright (a fresh laptop) the module is skipped, like every browser test.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

RUNS = "The program runs"
README = "The README explains it"


@pytest.fixture
def curriculum(student):
    """Two projects; the first wants files and a link (.py or .md) and has two criteria."""
    programme = ProgrammeFactory(title="Python foundations", slug="python-foundations")
    first = ProjectFactory(
        programme=programme,
        position=1,
        title="Hello, world",
        deliverable=Deliverable.FILES_AND_LINK,
        allowed_file_types="py,md",
        criteria=0,
    )
    RubricCriterionFactory(project=first, position=1, title=RUNS)
    RubricCriterionFactory(project=first, position=2, title=README)
    second = ProjectFactory(programme=programme, position=2, title="Text adventure")
    EnrolmentFactory(student=student, programme=programme)
    return first, second


def criterion(page, title):
    return page.get_by_test_id("criterion").filter(
        has=page.get_by_role("group", name=title, exact=True)
    )


def mark(page, title, *, met: bool, comment: str = ""):
    """Press the criterion's ✓ Met / ✗ Not met button (the radio itself is hidden behind
    its label, Bootstrap's btn-check) and type the comment."""
    row = criterion(page, title)
    label = "✓ Met" if met else "✗ Not met"
    row.get_by_text(label, exact=True).click()
    expect(row.get_by_role("radio", name=label)).to_be_checked()
    if comment:
        row.get_by_placeholder("Comment (optional)").fill(comment)


def write_feedback(page, submission, text: str):
    """Type the overall feedback, leave the field, and wait until the draft (saved as
    the mentor types, and on leaving a field) holds it. Leaving the field here, not by
    clicking a verdict button, keeps the draft's request from racing the verdict's: the
    live server's in-memory SQLite refuses concurrent writes ("table is locked")."""
    draft_url = reverse("projects:draft", args=[submission.pk])

    def saves_text(response):
        posted = unquote_plus(response.request.post_data or "")
        return response.url.endswith(draft_url) and text in posted

    with page.expect_response(saves_text):
        page.get_by_label("Overall feedback").fill(text)
        page.get_by_label("Overall feedback").press("Tab")
    expect(page.get_by_test_id("draft-status")).to_contain_text("Draft saved at")


def test_it_takes_a_project_from_upload_through_changes_to_approval(
    logged_in_page, student, mentor, curriculum, media_root, screenshot
):
    first, second = curriculum

    # --- The student hands in attempt 1 ---------------------------------------------
    student_page = logged_in_page("student")
    student_page.goto("/")
    student_page.locator("#main-nav").get_by_role("link", name="Programmes").click()
    enrolment = student_page.get_by_test_id("enrolment").filter(has_text="Python foundations")
    expect(enrolment.get_by_test_id("next-project")).to_contain_text("Hello, world")
    enrolment.get_by_test_id("next-project").get_by_role("link", name="Hello, world").click()
    expect(student_page).to_have_url(
        re.compile(re.escape(reverse("projects:project", args=[first.pk])))
    )
    expect(student_page.get_by_test_id("project-status")).to_have_text("Available")
    expect(student_page.get_by_test_id("rubric")).to_contain_text(RUNS)

    form = student_page.get_by_test_id("submit-form")
    form.get_by_label("Files").set_input_files(
        [{"name": "main.py", "mimeType": "text/x-python", "buffer": b"print('hello')\n"}]
    )
    form.get_by_label("Link", exact=True).fill("https://github.com/stas/hello")
    form.get_by_label("Comment for your mentor").fill("My first program.")
    form.get_by_role("button", name="Submit for review").click()

    expect(student_page.get_by_role("alert")).to_contain_text("Attempt 1 is submitted")
    expect(student_page.get_by_test_id("project-status")).to_have_text("Waiting for review")
    attempt_1 = student_page.locator("#attempt-1")
    expect(attempt_1).to_contain_text("Waiting for review")
    expect(attempt_1.get_by_test_id("attempt-files")).to_contain_text("main.py")
    expect(attempt_1.get_by_test_id("attempt-link")).to_have_text("https://github.com/stas/hello")
    # No second attempt while this one waits.
    expect(student_page.get_by_test_id("submit-form")).to_have_count(0)
    expect(student_page.get_by_test_id("submit-refused")).to_be_visible()

    submission_1 = Submission.objects.get(student=student, project=first)
    assert (submission_1.attempt, submission_1.status) == (1, SubmissionStatus.SUBMITTED)
    assert submission_1.link == "https://github.com/stas/hello"
    assert submission_1.comment == "My first program."
    stored = submission_1.files.get()
    assert stored.original_name == "main.py"
    # Stored under a random name in this test's media folder (projects/tests/conftest.py).
    assert Path(stored.file.path).is_relative_to(media_root)
    assert Path(stored.file.path).read_bytes() == b"print('hello')\n"

    # --- The mentor claims it from the queue and requests changes --------------------
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/")
    mentor_page.locator("#main-nav").get_by_role("link", name="Review queue").click()
    expect(mentor_page).to_have_url(re.compile(re.escape(reverse("projects:queue")) + "$"))
    row = mentor_page.get_by_test_id("queue-row").filter(has_text=str(student))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1. Hello, world")
    expect(row).to_contain_text("not started")
    row.get_by_role("button", name="Start review").click()

    expect(mentor_page).to_have_url(
        re.compile(re.escape(reverse("projects:review", args=[submission_1.pk])) + "$")
    )
    expect(mentor_page.get_by_text("You hold this review until")).to_be_visible()
    submission_1.refresh_from_db()
    assert submission_1.claimed_by == mentor
    assert submission_1.first_claimed_at is not None

    expect(mentor_page.get_by_test_id("submission-link")).to_have_attribute(
        "href", "https://github.com/stas/hello"
    )
    expect(mentor_page.get_by_text("My first program.")).to_be_visible()
    # The code is shown inline, one numbered line (an <ol>'s markers) per source line.
    code_file = mentor_page.get_by_test_id("review-file").filter(has_text="main.py")
    expect(code_file).to_have_attribute("data-kind", "text")
    lines = code_file.locator("ol.code-lines > li")
    expect(lines).to_have_count(1)
    expect(lines.first).to_have_text("print('hello')")
    assert lines.first.evaluate("li => getComputedStyle(li).display") == "list-item"

    mark(mentor_page, RUNS, met=True)
    mark(mentor_page, README, met=False, comment="Say how to run it.")
    # What the mentor types is kept as a draft as they type.
    write_feedback(mentor_page, submission_1, "A good start. **Add a README.**")
    draft = ReviewDraft.objects.get(submission=submission_1, reviewer=mentor)
    assert draft.feedback == "A good start. **Add a README.**"

    screenshot(mentor_page, "review-page")
    mentor_page.get_by_role("button", name="Request changes").click()

    expect(mentor_page).to_have_url(re.compile(re.escape(reverse("projects:queue")) + "$"))
    expect(mentor_page.get_by_role("alert")).to_contain_text(
        f"Requested changes to “Hello, world” by {student}."
    )
    expect(mentor_page.get_by_test_id("queue-row")).to_have_count(0)

    submission_1.refresh_from_db()
    assert submission_1.status == SubmissionStatus.CHANGES_REQUESTED
    assert submission_1.reviewed_at is not None
    review_1 = Review.objects.get(submission=submission_1)
    assert (review_1.reviewer, review_1.verdict) == (mentor, Verdict.CHANGES_REQUESTED)
    assert review_1.feedback == "A good start. **Add a README.**"
    assert [(v.criterion.title, v.met, v.comment) for v in review_1.verdicts.all()] == [
        (RUNS, True, ""),
        (README, False, "Say how to run it."),
    ]

    # --- The student reads the feedback and hands in attempt 2 -----------------------
    student_page.reload()
    expect(student_page.get_by_test_id("project-status")).to_have_text("Changes requested")
    review = student_page.locator("#attempt-1").get_by_test_id("review")
    expect(review).to_contain_text("Changes requested")
    expect(review).to_contain_text(str(mentor))
    # The feedback is markdown, rendered.
    expect(review.locator("strong")).to_have_text("Add a README.")
    unmet = review.get_by_test_id("criterion-verdict").filter(has_text=README)
    expect(unmet.locator(".badge")).to_have_text("Not met")
    expect(unmet).to_contain_text("Say how to run it.")
    met = review.get_by_test_id("criterion-verdict").filter(has_text=RUNS)
    expect(met.locator(".badge")).to_have_text("Met")

    form = student_page.get_by_test_id("submit-form")
    form.get_by_label("Files").set_input_files(
        [
            {"name": "main.py", "mimeType": "text/x-python", "buffer": b"print('hello')\n"},
            {
                "name": "README.md",
                "mimeType": "text/markdown",
                "buffer": b"Run `python main.py`.\n",
            },
        ]
    )
    form.get_by_label("Link", exact=True).fill("https://github.com/stas/hello")
    form.get_by_label("Comment for your mentor").fill("Added a README.")
    form.get_by_role("button", name="Submit for review").click()

    expect(student_page.get_by_role("alert")).to_contain_text("Attempt 2 is submitted")
    expect(student_page.get_by_test_id("project-status")).to_have_text("Waiting for review")
    expect(student_page.get_by_test_id("attempt")).to_have_count(2)
    submission_2 = Submission.objects.get(student=student, project=first, attempt=2)
    assert submission_2.status == SubmissionStatus.SUBMITTED
    assert sorted(f.original_name for f in submission_2.files.all()) == ["README.md", "main.py"]

    # --- The mentor approves attempt 2 ------------------------------------------------
    mentor_page.locator("#main-nav").get_by_role("link", name="Review queue").click()
    row = mentor_page.get_by_test_id("queue-row").filter(has_text=str(student))
    expect(row).to_contain_text("attempt 2")
    row.get_by_role("button", name="Start review").click()
    expect(mentor_page).to_have_url(
        re.compile(re.escape(reverse("projects:review", args=[submission_2.pk])) + "$")
    )
    expect(mentor_page.get_by_test_id("review-file")).to_have_count(2)
    earlier = mentor_page.get_by_test_id("earlier-attempt")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("Attempt 1")
    expect(earlier).to_contain_text("Changes requested")

    mark(mentor_page, RUNS, met=True)
    mark(mentor_page, README, met=True)
    write_feedback(mentor_page, submission_2, "Clear and complete. Well done!")
    mentor_page.get_by_role("button", name="Approve").click()

    expect(mentor_page.get_by_role("alert")).to_contain_text(
        f"Approved “Hello, world” by {student}."
    )
    submission_2.refresh_from_db()
    assert submission_2.status == SubmissionStatus.APPROVED
    review_2 = Review.objects.get(submission=submission_2)
    assert (review_2.reviewer, review_2.verdict) == (mentor, Verdict.APPROVED)
    assert all(v.met for v in review_2.verdicts.all())
    assert review_2.verdicts.count() == 2
    # Attempt 1 and its review are kept as they were.
    assert Review.objects.filter(submission__project=first).count() == 2
    assert Submission.objects.get(pk=submission_1.pk).status == SubmissionStatus.CHANGES_REQUESTED

    # --- The student sees the approval, rates the difficulty, moves on ----------------
    student_page.reload()
    expect(student_page.get_by_test_id("project-status")).to_have_text("Approved")
    expect(student_page.locator("#attempt-2").get_by_test_id("review")).to_contain_text(
        "Clear and complete. Well done!"
    )
    expect(student_page.get_by_test_id("submit-refused")).to_be_visible()
    rating = student_page.get_by_test_id("rating-form")
    expect(
        student_page.get_by_role("heading", name="How difficult was this project?")
    ).to_be_visible()
    rating.get_by_label("4 — hard").check()
    rating.get_by_role("button", name="Send").click()
    expect(student_page.get_by_role("alert")).to_contain_text("Thank you!")
    expect(student_page.get_by_test_id("rating-form")).to_have_count(0)
    assert DifficultyRating.objects.get(submission=submission_2).rating == 4

    student_page.locator("#main-nav").get_by_role("link", name="Programmes").click()
    enrolment = student_page.get_by_test_id("enrolment").filter(has_text="Python foundations")
    expect(enrolment).to_contain_text("1 of 2 projects approved")
    next_project = enrolment.get_by_test_id("next-project")
    expect(next_project).to_contain_text("Text adventure")
    expect(next_project).to_contain_text("Available")
    next_project.get_by_role("link", name="Text adventure").click()
    expect(student_page.get_by_test_id("project-status")).to_have_text("Available")
    expect(student_page.get_by_test_id("submit-form")).to_be_visible()
    assert not Submission.objects.filter(project=second).exists()
