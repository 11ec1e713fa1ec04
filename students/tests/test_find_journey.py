"""Journey: staff find a student on the student list by a Cyrillic name, change the
mentor from the student's row, and come back to the same search, which shows the new
mentor; at phone width the row's link is within reach."""

import re

import pytest
from django.urls import reverse

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_it_lets_staff_find_a_student_and_change_the_mentor_from_the_row(
    logged_in_page, mentor, staff, screenshot
):
    irina = StudentFactory(display_name="Ирина Соколова")
    AssignmentFactory(student=irina, mentor=mentor)
    for number in range(5):
        AssignmentFactory(student=StudentFactory(display_name=f"Other {number}"), mentor=mentor)
    MentorFactory(display_name="Nadia Newmentor")

    page = logged_in_page("staff")
    page.goto(reverse("students:list"))
    page.get_by_label("Name or e-mail").fill("соколова")
    page.get_by_role("button", name="Apply").click()

    rows = page.get_by_test_id("student-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ирина Соколова")
    screenshot(page, "student-list-search")
    rows.first.get_by_test_id("row-assign").click()

    expect(page).to_have_url(
        re.compile(re.escape(reverse("students:assignment_assign", args=[irina.pk])))
    )
    page.get_by_test_id("suggestion").filter(has_text="Nadia Newmentor").get_by_role(
        "radio"
    ).check()
    page.get_by_label("Reason").fill("Lighter load")
    page.get_by_role("button", name="Assign this mentor").click()

    expect(page).to_have_url(re.compile(r"/students/\?q=%D1%81%D0%BE"))
    expect(page.get_by_role("alert")).to_contain_text("Nadia Newmentor is now the mentor of")
    expect(page.get_by_label("Name or e-mail")).to_have_value("соколова")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("student-mentor")).to_contain_text("Nadia Newmentor")
    assert Assignment.objects.current().get(student=irina).mentor.display_name == (
        "Nadia Newmentor"
    )


def test_it_keeps_the_row_link_within_reach_on_a_phone(logged_in_page, student, screenshot):
    page = logged_in_page("staff")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("students:assignment_unassigned") + "?q=stas")

    link = page.get_by_role("link", name="Change the mentor")
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    screenshot(page, "assign-search-390")
