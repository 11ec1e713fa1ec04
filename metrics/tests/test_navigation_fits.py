"""The navigation bar fits the screen for every role, in English and Russian, from the
width where it stops folding (1200 px) up: no link is pushed off the page."""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
def test_the_navigation_fits_from_1200_px(logged_in_page, request, role, language):
    user = request.getfixturevalue(role)
    user.language = language
    user.save(update_fields=["language"])
    page = logged_in_page(role)

    for width in (1200, 1280, 1400, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/")
        overflowing = page.evaluate(
            "[...document.querySelectorAll('#main-nav *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".map(e => e.textContent.trim().slice(0, 30))"
        )
        assert page.get_by_test_id("nav-knowledge-base").is_visible()
        assert not overflowing, f"{width} px: {overflowing}"
