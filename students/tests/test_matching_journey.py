"""Journey: a supervisor opens a student's file, reassigns the student using the
ranked suggestions, and the file shows the new mentor and the history."""

import re

import pytest
from django.urls import reverse

from mentorship.models import Assignment
from mentorship.tests.factories import MentorFactory
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def team_mentor(supervisor, name, *, programmes=(), languages=("en",)):
    mentor = MentorFactory(display_name=name)
    profile = mentor.mentor_profile
    profile.supervisor = supervisor
    profile.languages = list(languages)
    profile.save()
    profile.programmes.set(programmes)
    return mentor


def test_it_lets_a_supervisor_reassign_a_student_with_the_ranked_suggestions(
    logged_in_page, student, mentor, supervisor, screenshot
):
    web = ProgrammeFactory(title="Web Developer")
    EnrolmentFactory(student=student, programme=web)
    best = team_mentor(supervisor, "Bella Bestfit", programmes=[web])
    team_mentor(supervisor, "Lars Lessfit")

    page = logged_in_page("supervisor")
    page.goto(reverse("students:file", args=[student.pk]))
    expect(page.get_by_test_id("mentor-history")).to_contain_text(str(mentor))
    page.get_by_test_id("reassign").click()

    expect(page).to_have_url(
        re.compile(re.escape(reverse("students:assignment_assign", args=[student.pk])))
    )
    expect(page.get_by_test_id("current-mentor")).to_contain_text(str(mentor))
    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(2)
    expect(suggestions.first).to_contain_text("Bella Bestfit")
    expect(suggestions.first.get_by_test_id("suggestion-why")).to_contain_text(
        "teaches Web Developer"
    )
    screenshot(page, "assignment-suggestions")

    suggestions.first.get_by_role("radio").check()
    page.get_by_label("Reason").fill("Teaches the student's programme")
    page.get_by_role("button", name="Assign this mentor").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("students:file", args=[student.pk]))))
    expect(page.get_by_role("alert")).to_contain_text("Bella Bestfit is now the mentor of")
    history = page.get_by_test_id("mentor-history")
    expect(history.locator("li").first).to_contain_text("Bella Bestfit")
    expect(history.locator("li").first).to_contain_text("Current")
    expect(history).to_contain_text("Teaches the student's programme")
    expect(history.locator("li").nth(1)).to_contain_text(str(mentor))
    screenshot(page, "student-file-reassigned")
    assert Assignment.objects.current().get(student=student).mentor == best
