"""Journey: staff find where students struggle. From the home page to the programmes'
list, a period picked, a programme's heat map (colours from the stylesheet, no inline
styles, so the strict CSP holds), the order toggled; on a 390 px phone the table
scrolls inside its box instead of widening the page."""

from datetime import date

import pytest

from projects.tests.factories import ProgrammeFactory

from .helpers_analytics import ask, at, attempt, drop, enrol, project, rate

# Without Playwright (a fresh laptop) the module is skipped, like every browser test.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def web():
    programme = ProgrammeFactory(title="Web development")
    first = project(programme, 1, "Layout", "README", target_days=10)
    second = project(programme, 2, "API", "Tests", target_days=20)
    project(programme, 3, "Deploy", target_days=5)
    for number in range(4):
        student = enrol(programme, date(2026, 9, 1)).student
        attempt(student, first, 1, reviewed_at=at(2026, 10, 2), not_met=("Layout",))
        approved = attempt(student, first, 2, reviewed_at=at(2026, 10, 5 + number))
        rate(approved, 2 + number % 3, when=at(2026, 10, 6))
        if number % 2:
            attempt(student, second, 1, reviewed_at=at(2026, 10, 20))
        else:
            ask(student, second, when=at(2026, 10, 12))
    drop(student, on=date(2026, 10, 25))
    return programme


def test_it_leads_staff_to_the_hardest_project(logged_in_page, web, screenshot):
    page = logged_in_page("staff")
    page.goto("/")
    page.get_by_test_id("home-programme-analytics").click()
    expect(page.get_by_role("heading", name="Programme analytics")).to_be_visible()
    page.get_by_role("textbox", name="Period").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("analytics-window-label")).to_contain_text("October 2026")
    row = page.get_by_test_id("programme-row")
    expect(row).to_contain_text("Web development")
    expect(row).to_contain_text("1. Project 1")
    page.get_by_role("link", name="Web development").click()

    table = page.get_by_test_id("projects-table")
    expect(table).to_be_visible()
    first_row = page.get_by_test_id("project-row").first
    expect(first_row).to_contain_text("Project 1")
    # The hardest figures are dark with white text, from app.css.
    expect(first_row.get_by_test_id("cell-attempts")).to_have_css(
        "background-color", "rgb(140, 45, 4)"
    )
    expect(first_row.get_by_test_id("cell-attempts")).to_have_css("color", "rgb(255, 255, 255)")
    expect(page.get_by_test_id("heat-legend")).to_contain_text("Among the hardest")
    screenshot(page, "heat-map")

    page.get_by_role("link", name="Programme order").click()
    expect(page.get_by_test_id("project-row").nth(2)).to_contain_text("Project 3")
    expect(page.get_by_test_id("analytics-window-label")).to_contain_text("October 2026")

    page.set_viewport_size(PHONE)
    widths = table.evaluate(
        "table => ({box: table.parentElement.clientWidth, table: table.scrollWidth,"
        " page: document.documentElement.scrollWidth})"
    )
    assert widths["table"] > widths["box"], widths  # the heat map scrolls in its box
    assert widths["page"] <= 390, widths  # and the page does not scroll sideways
    screenshot(page, "heat-map-phone")


def test_it_shows_a_bad_period_beside_the_field(logged_in_page, web):
    page = logged_in_page("staff")
    page.goto(f"/programmes/{web.pk}/analytics/?period=2026-13")

    expect(page.get_by_test_id("period-error")).to_contain_text("Not a period")
    expect(page.get_by_test_id("analytics-window-label")).to_have_text("All time")
