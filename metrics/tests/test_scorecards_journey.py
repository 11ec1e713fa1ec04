"""Journey: a supervisor opens the team dashboard, sorts it by composite, opens the best
mentor's scorecard and drills from the first-attempt approval rate to the submissions
behind it, then back on the dashboard rates one of the mentor's recent reviews as second
reader; the charts render, on a desktop and on a 390 px phone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mentorship.tests.factories import AssignmentFactory, StudentFactory
from metrics.models import SecondReading
from metrics.periods import Period
from metrics.tests.helpers_scorecard_pages import snapshot, snapshot_team, team_of
from projects.models import Verdict
from projects.tests.factories import ProjectFactory, ReviewFactory, SubmissionFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

MARCH = Period.parse("2026-03")


def assert_fits(page, width: int) -> None:
    """Nothing pushes the page sideways (wide tables scroll inside their own box)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {width} px"


@pytest.fixture
def team(supervisor, mentor):
    """Three mentors with six months of figures; ``mentor`` the best in March, with a
    first attempt approved and one sent back behind her first-attempt rate."""
    others = team_of(supervisor, 2, name="Colleague")
    snapshot_team(others, MARCH.last(6))
    for month in MARCH.last(6):
        snapshot(mentor, month, "first_attempt", 0.5, n=2, expected=0.6, percentile=95)
    student = StudentFactory(display_name="Ada Student")
    AssignmentFactory(student=student, mentor=mentor, started_at=datetime(2026, 1, 1, tzinfo=UTC))
    for title, verdict, day in (
        ("Landing page", Verdict.APPROVED, 6),
        ("Blog", Verdict.CHANGES_REQUESTED, 12),
    ):
        ReviewFactory(
            submission=SubmissionFactory(
                student=student,
                project=ProjectFactory(title=title),
                submitted_at=datetime(2026, 3, day - 1, tzinfo=UTC),
            ),
            reviewer=mentor,
            verdict=verdict,
            created_at=datetime(2026, 3, day, tzinfo=UTC),
        )
    # Last week's review: the dashboard offers it to read as second reader.
    ReviewFactory(
        submission=SubmissionFactory(
            student=student,
            project=ProjectFactory(title="Portfolio"),
            submitted_at=timezone.now() - timedelta(days=3),
        ),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        created_at=timezone.now() - timedelta(days=2),
    )
    return mentor


@pytest.mark.parametrize("width", [1280, 390])
def test_a_supervisor_drills_from_the_dashboard_to_the_records(
    logged_in_page, team, screenshot, width
):
    page = logged_in_page("supervisor")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/team/?period=2026-03")
    expect(page.get_by_test_id("team-chart-point")).to_have_count(6)
    page.get_by_test_id("sort-composite").click()
    page.get_by_test_id("sort--composite").click()
    expect(page.get_by_test_id("dashboard-row").first).to_contain_text("Maria Mentor")
    screenshot(page, f"dashboard-{width}")
    assert_fits(page, width)

    page.get_by_role("link", name="Maria Mentor").click()
    expect(page.get_by_role("heading", name="Scorecard of Maria Mentor")).to_be_visible()
    first_attempt = page.locator('[data-metric="first_attempt"]')
    expect(first_attempt.get_by_test_id("figure-value")).to_have_text("1 of 2")
    expect(first_attempt.get_by_test_id("sparkline")).to_be_visible()
    screenshot(page, f"scorecard-{width}")
    assert_fits(page, width)

    first_attempt.get_by_test_id("figure-link").click()
    expect(page.get_by_role("heading", name="Approved at the first attempt")).to_be_visible()
    expect(page.get_by_test_id("record")).to_have_count(2)
    expect(page.get_by_test_id("record").first).to_contain_text("Blog, attempt 1")
    screenshot(page, f"records-{width}")
    assert_fits(page, width)

    page.goto("/team/")
    # The reviews to read load once their section comes into view.
    page.get_by_test_id("second-reading-loading").scroll_into_view_if_needed()
    expect(page.get_by_test_id("second-reading-loading")).to_have_count(0)
    item = page.get_by_test_id("second-reading-review").filter(has_text="Portfolio")
    item.locator("label", has_text="4").click()
    item.get_by_label("Comment (optional)").fill("Clear, and kind about what is left to do.")
    item.get_by_test_id("second-reading-submit").click()
    expect(item.get_by_test_id("second-reading-saved")).to_have_text(
        "Your rating is saved: 4 of 5."
    )
    screenshot(page, f"second-reading-{width}")
    assert_fits(page, width)
    reading = SecondReading.objects.get(review__submission__project__title="Portfolio")
    assert (reading.rating, reading.reader.email) == (4, team.mentor_profile.supervisor.email)
