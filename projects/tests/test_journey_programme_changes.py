"""Journey: staff edit a project's brief in the admin; the programme's mentor is told,
opens the change log from the notification, reads what the brief was and is, and
marks the change read."""

import pytest

from projects.models import ProgrammeChangeReceipt
from projects.tests.factories import ProgrammeFactory, ProjectFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_it_tells_the_mentor_of_a_brief_edited_in_the_admin(
    logged_in_page, mentor, staff, screenshot
):
    data = ProgrammeFactory(slug="data", title="Data analysis")
    project = ProjectFactory(
        programme=data,
        position=1,
        title="Load a CSV",
        brief="Read the file with pandas.\nPlot the monthly totals.",
    )
    mentor.mentor_profile.programmes.set([data])

    # Staff edit the brief in the admin.
    staff_page = logged_in_page("staff")
    staff_page.goto(f"/admin/projects/project/{project.pk}/change/")
    brief = staff_page.locator("#id_brief_en")
    expect(brief).to_be_visible()
    brief.fill("Read the file with polars.\nPlot the monthly totals.")
    staff_page.locator("input[name=_save]").click()
    expect(staff_page.locator(".messagelist .success")).to_be_visible()

    # The mentor sees the notification and follows it to the change log.
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/")
    mentor_page.get_by_test_id("nav-notifications").click()
    mentor_page.get_by_text("The programme Data analysis has changed").click()
    change_set = mentor_page.get_by_test_id("change-set")
    expect(change_set).to_be_visible()
    expect(change_set.get_by_text("Stella Staff")).to_be_visible()
    diff = change_set.get_by_test_id("diff")
    expect(diff.locator("del")).to_have_text("pandas.")
    expect(diff.locator("ins")).to_have_text("polars.")
    expect(diff).to_contain_text("Plot the monthly totals.")
    screenshot(mentor_page, "mentor-change-log")

    # ... and, on a phone, marks it read: the page fits, the button is on screen.
    mentor_page.set_viewport_size(PHONE)
    expect(change_set.get_by_test_id("mark-read")).to_be_in_viewport()
    assert mentor_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(mentor_page, "mentor-change-log-phone")
    change_set.get_by_test_id("mark-read").click()
    expect(
        mentor_page.get_by_test_id("change-set").get_by_text("Read", exact=True)
    ).to_be_visible()
    expect(mentor_page.get_by_test_id("mark-read")).to_have_count(0)
    expect(mentor_page.get_by_test_id("unread-count")).to_have_count(0)
    screenshot(mentor_page, "mentor-change-log-read")

    receipt = ProgrammeChangeReceipt.objects.get()
    assert receipt.mentor == mentor
    assert receipt.read_at is not None
    assert receipt.notification.read_at is not None
