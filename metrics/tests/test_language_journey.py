"""Journey: a mentor reads their notifications in English, switches to Russian from the
navigation bar (folded on a phone, open on a laptop) and reads the same page in Russian,
the notification written before the switch included; the choice holds on the next page
and on the next visit, on the account; switching back gives English again. In metrics,
the top layer: the notification is a submission's (projects)."""

import re

import pytest

from mentorship.models import User
from projects import services
from projects.tests.helpers_curriculum import curriculum_create

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

ENGLISH = "Stas Student submitted “Project number 1” (attempt 1)"
RUSSIAN = "Новая работа: Stas Student, «Project number 1» (попытка 1)"


@pytest.fixture
def submitted(student):
    """The mentor's notification, written in English (the default) before any switch."""
    curriculum = curriculum_create(projects=1, students=[student])
    services.submission_create(
        student=student, project=curriculum.first, link="https://example.test/work"
    )


def switch_to(page, language: str) -> None:
    """Through the navigation bar's language menu, unfolding the bar first on a phone."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # Unfolded once Bootstrap's transition has ended: a click on the menu while
        # the bar still slides open may miss it.
        expect(page.locator("#main-nav.show")).to_be_visible()
    page.get_by_test_id("language-menu").click()
    choice = page.get_by_role("button", name=language, exact=True)
    expect(choice).to_be_visible()
    choice.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
def test_it_switches_a_mentor_to_russian_and_back(
    logged_in_page, mentor, submitted, width, screenshot
):
    page = logged_in_page("mentor")
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/notifications/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text(ENGLISH)).to_be_visible()

    switch_to(page, "Русский")

    # Back on the same page, in Russian, the older notification too.
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Уведомления")
    expect(page.get_by_text(RUSSIAN)).to_be_visible()
    expect(page.get_by_text(ENGLISH)).to_have_count(0)
    screenshot(page, f"notifications-ru-{width}")
    # The next page too; and the choice is the account's, so a new visit from another
    # browser (no language cookie) opens in Russian as well.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert User.objects.get(pk=mentor.pk).language == "ru"
    elsewhere = logged_in_page(mentor)
    elsewhere.goto("/notifications/")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "ru")

    switch_to(page, "English")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/notifications/")
    expect(page.get_by_text(ENGLISH)).to_be_visible()
    assert User.objects.get(pk=mentor.pk).language == "en"
