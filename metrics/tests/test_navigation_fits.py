"""The navigation bar fits the screen for every role, in English and Russian, from the
width where it stops folding (1200 px) up: no link is pushed off the page, and the
links leave room between them and the icons on the right for the badges' counts
(waiting questions, unread notifications) to grow a digit or two."""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

pytestmark = pytest.mark.browser

# The people here have no badges. The demo's supervisor has two (8 questions waiting,
# 3 notifications unread), about 50 px: room for them, and for each to gain a digit.
ROOM_FOR_BADGES = 80


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
def test_the_navigation_fits_from_1200_px(logged_in_page, request, role, language):
    user = request.getfixturevalue(role)
    user.language = language
    user.save(update_fields=["language"])
    page = logged_in_page(role)

    for width in (1200, 1280, 1400, 1600, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/")
        overflowing = page.evaluate(
            "[...document.querySelectorAll('#main-nav *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".map(e => e.textContent.trim().slice(0, 30))"
        )
        # The links' own widths (a squeezed item is narrower than its link), against
        # the bar's: what is left between the links on the left and the icons.
        room = page.evaluate(
            """() => {
                const bar = document.querySelector("#main-nav");
                const needed = [...bar.querySelectorAll(":scope > ul > li")].reduce(
                    (sum, item) => sum + Math.max(
                        item.getBoundingClientRect().width, item.firstElementChild.scrollWidth
                    ), 0);
                return bar.getBoundingClientRect().width - needed;
            }"""
        )
        assert page.get_by_test_id("nav-knowledge-base").is_visible()
        assert not overflowing, f"{width} px: {overflowing}"
        assert room >= ROOM_FOR_BADGES, f"{width} px: {room:.0f} px left"
