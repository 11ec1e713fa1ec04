"""Journey: a weekly report in the browser. A mentor drafts last week's report, writes
their comments and difficulties, sends it; their supervisor finds it on the week's
list and reads it."""

import pytest

from metrics.models import WeeklyReport

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_it_drafts_completes_sends_and_reads_a_weekly_report(
    logged_in_page, mentor, student, supervisor, screenshot
):
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/reports/")
    mentor_page.get_by_test_id("weekly-report-draft-now").click()
    expect(mentor_page.get_by_test_id("weekly-report-students")).to_be_visible()
    mentor_page.get_by_label("Comments").fill("A **calm** week.")
    mentor_page.get_by_label("Difficulties").fill("Two students missed sessions.")
    mentor_page.get_by_test_id("weekly-report-save").click()
    expect(mentor_page.get_by_text("Your draft is saved.")).to_be_visible()
    screenshot(mentor_page, "mentor-draft")
    mentor_page.get_by_test_id("weekly-report-send").click()
    expect(mentor_page.get_by_text("Your report is sent to Sofia Supervisor.")).to_be_visible()
    assert WeeklyReport.objects.get().is_sent

    supervisor_page = logged_in_page("supervisor")
    supervisor_page.goto("/reports/")
    supervisor_page.get_by_role("link", name="Week of").click()
    expect(supervisor_page.locator("strong", has_text="calm")).to_be_visible()
    expect(supervisor_page.get_by_text("Two students missed sessions.")).to_be_visible()
    screenshot(supervisor_page, "supervisor-reads")
