"""Journey: a supervisor on a phone (390 px) finds the second reading from their home
page, rates a review in the sample (htmx swaps the saved rating in), reads another in
full and rates it there (the page reloads with the rating among those given), then
looks at the team's review consistency; nothing spills sideways off the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.tests.factories import MentorFactory, StudentFactory
from metrics.models import SecondReading
from metrics.tests.helpers_reviews import make_review, make_reviews
from projects.tests.factories import ProjectFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Wider than the screen: the page scrolls sideways (tables scroll inside their own box).
OVERFLOWING = "document.documentElement.scrollWidth - window.innerWidth"


def test_it_rates_reviews_and_compares_the_team_on_a_phone(
    logged_in_page, supervisor, mentor, screenshot
):
    project = ProjectFactory(title="Weather app")
    harsh = make_review(
        reviewer=mentor,
        project=project,
        at=timezone.now() - timedelta(minutes=1),
        approved=False,
        feedback="The **tests** are missing.\n\nPlease add them.",
    )
    older = make_review(reviewer=mentor, project=project, at=timezone.now() - timedelta(minutes=2))
    colleague = MentorFactory(display_name="Lena Lenient")
    colleague.mentor_profile.supervisor = supervisor
    colleague.mentor_profile.save()
    student = StudentFactory()
    # Older than those two, so the sample shows them first.
    now = timezone.now() - timedelta(minutes=5)
    make_reviews(5, approved=0, student=student, reviewer=mentor, project=project, at=now)
    make_reviews(5, approved=5, student=student, reviewer=colleague, project=project, at=now)

    page = logged_in_page("supervisor")
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_test_id("home-second-reading").click()
    item = page.locator(f'[data-review="{harsh.pk}"]')
    expect(item.get_by_test_id("second-reading-opening")).to_contain_text("The tests are missing.")
    item.locator("label", has_text="2").click()
    item.get_by_label("Comment (optional)").fill("Says what is missing, not how to add it.")
    item.get_by_test_id("second-reading-submit").click()
    expect(item.get_by_test_id("second-reading-saved")).to_have_text(
        "Your rating is saved: 2 of 5."
    )
    assert page.evaluate(OVERFLOWING) <= 0
    screenshot(page, "sample-rated")
    assert SecondReading.objects.get(review=harsh).rating == 2

    page.locator(f'[data-review="{older.pk}"]').get_by_test_id("second-reading-open").click()
    expect(page.get_by_test_id("second-reading-feedback")).to_be_visible()
    page.locator("label", has_text="5").click()
    page.get_by_test_id("second-reading-submit").click()
    # The review's page reloads: the rating now stands among those given.
    expect(page.get_by_text("Your rating of Weather app is saved: 5 of 5.")).to_be_visible()
    expect(page.get_by_test_id("second-reading-given-row")).to_contain_text("5 of 5")
    expect(page.get_by_test_id("second-reading-mine")).to_be_visible()
    assert page.evaluate(OVERFLOWING) <= 0
    screenshot(page, "review-rated")

    page.goto("/")
    page.get_by_test_id("home-review-consistency").click()
    expect(
        page.locator(f'[data-mentor="{mentor.pk}"] [data-testid="consistency-mark"]')
    ).to_have_text("Harsher than the team")
    page.locator(f'[data-mentor="{mentor.pk}"] summary').click()
    expect(page.locator(f'[data-mentor="{mentor.pk}"] .consistency-bar').first).to_be_visible()
    assert page.evaluate(OVERFLOWING) <= 0
    screenshot(page, "consistency")
