"""Journey: a mentor finds a student behind plan in "Students", opens their file and
writes a private note; the student opens their own file and sees their progress and
history, never the note."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFactory,
)
from students.models import MentorNote
from students.tests.helpers_sessions import MentoringSessionFactory, completed

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

SECRET = "Lost their job last month; keep deadlines flexible."


def test_it_lets_a_mentor_keep_private_notes_the_student_never_sees(
    logged_in_page, student, mentor, screenshot
):
    programme = ProgrammeFactory(title="Python foundations")
    first = ProjectFactory(programme=programme, position=1, title="Hello, world", criteria=0)
    ProjectFactory(programme=programme, position=2, title="Text adventure", criteria=0)
    today = timezone.localdate()
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=today - timedelta(days=40),
        target_end_on=today + timedelta(days=10),
    )
    SubmissionFactory(student=student, project=first)
    held = completed(mentor, student, scheduled_at=timezone.now() - timedelta(days=2))
    MentoringSessionFactory(mentor=mentor, student=student)

    # --- The mentor finds the student behind plan -------------------------------------
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/")
    mentor_page.locator("#main-nav").get_by_role("link", name="Students").click()
    mentor_page.get_by_label("Behind plan only").check()
    mentor_page.get_by_role("button", name="Apply").click()
    row = mentor_page.get_by_test_id("student-row").filter(has_text=str(student))
    expect(row).to_contain_text("Python foundations")
    expect(row.get_by_test_id("pace")).to_have_text("Behind by 1 project")
    expect(row.get_by_test_id("next-session")).not_to_contain_text("None planned")
    screenshot(mentor_page, "student-list")

    # --- Opens the file and writes a note ---------------------------------------------
    row.get_by_role("link", name=str(student)).click()
    expect(mentor_page).to_have_url(
        re.compile(re.escape(reverse("students:file", args=[student.pk])))
    )
    expect(mentor_page.get_by_test_id("mentor-history")).to_contain_text(str(mentor))
    expect(mentor_page.get_by_test_id("timeline")).to_contain_text(held.private_notes)
    expect(mentor_page.get_by_test_id("schedule-session")).to_be_visible()
    mentor_page.get_by_label("Private note").fill(SECRET)
    mentor_page.get_by_role("button", name="Save the note").click()
    expect(mentor_page.get_by_role("alert")).to_contain_text("Note saved.")
    # Newest first: the upcoming session, then the note just written.
    expect(mentor_page.get_by_test_id("timeline-item").nth(1)).to_contain_text(SECRET)
    screenshot(mentor_page, "student-file-mentor")
    assert MentorNote.objects.get().author == mentor

    # --- The student sees their own file without the note -----------------------------
    student_page = logged_in_page("student")
    student_page.goto(reverse("students:file", args=[student.pk]))
    expect(student_page.get_by_test_id("student-enrolments")).to_contain_text("Python foundations")
    # The submission, both sessions and the mentor's assignment; not the note.
    expect(student_page.get_by_test_id("timeline-item")).to_have_count(4)
    expect(student_page.get_by_test_id("timeline")).to_contain_text(held.summary)
    expect(student_page.get_by_test_id("timeline")).to_contain_text("Hello, world")
    expect(student_page.get_by_test_id("note-form")).to_have_count(0)
    assert SECRET not in student_page.content()
    assert held.private_notes not in student_page.content()
    screenshot(student_page, "student-file-student")
