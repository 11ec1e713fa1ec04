"""Journey: a brief with a fenced Python block, read on a 390 px phone. The code is
coloured by the server's Pygments classes (code.css, no inline styles, so the strict CSP
holds) and a long line scrolls inside its block instead of widening the page."""

import pytest
from django.urls import reverse

from projects.tests.helpers_curriculum import curriculum_create

# Without Playwright (a fresh laptop) the module is skipped, like every browser test.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

LONG_LINE = "result = compute(" + ", ".join(f"argument_{n}" for n in range(30)) + ")"
BRIEF = f"Start from this:\n\n```python\nimport os\n{LONG_LINE}\n```\n"


def test_it_colours_the_code_and_scrolls_a_long_line_inside_its_block(student, logged_in_page):
    project = curriculum_create(projects=1, students=[student], brief=BRIEF).first
    page = logged_in_page("student")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(reverse("projects:project", args=[project.pk]))

    brief = page.get_by_test_id("brief")
    keyword = brief.locator(".codehilite span.kn", has_text="import")
    expect(keyword).to_have_css("color", "rgb(0, 128, 0)")  # code.css: .codehilite .kn
    block = brief.locator(".codehilite pre")
    widths = block.evaluate(
        "pre => ({pre: pre.clientWidth, code: pre.scrollWidth,"
        " page: document.documentElement.scrollWidth})"
    )
    assert widths["code"] > widths["pre"], widths  # the long line is wider than its block
    assert widths["page"] <= 390, widths  # and the page itself does not scroll sideways
