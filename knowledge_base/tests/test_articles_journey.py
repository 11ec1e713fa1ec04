"""Journey: an article in the browser, on phones (390 px wide). A mentor writes a draft
for their programme and publishes it; a student finds it from the navigation, reads it
and says it helped. No page grows wider than the screen."""

import pytest

from knowledge_base.models import Article, ArticleStatus, ArticleVote
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    """Asked once the page's own content is visible: a click starts the navigation,
    and evaluating before the new document exists reads an empty one."""
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_writes_publishes_and_reads_an_article_on_a_phone(
    logged_in_page, mentor, student, screenshot
):
    web = ProgrammeFactory(slug="web", title="Web development")
    EnrolmentFactory(student=student, programme=web)
    mentor.mentor_profile.programmes.set([web])

    # The mentor writes a draft for the web programme and publishes it.
    mentor_page = logged_in_page("mentor")
    mentor_page.set_viewport_size(PHONE)
    mentor_page.goto("/")
    mentor_page.get_by_role("button", name="Toggle navigation").click()
    mentor_page.get_by_test_id("nav-knowledge-base").click()
    mentor_page.get_by_test_id("article-create").click()
    expect(mentor_page.get_by_label("Title")).to_be_visible()
    assert fits_the_screen(mentor_page)
    screenshot(mentor_page, "mentor-form")
    mentor_page.get_by_label("Title").fill("Reading a stack trace")
    mentor_page.get_by_label("Text").fill("Start from the **last line**.")
    mentor_page.get_by_label("Programmes").select_option(label="Web development")
    mentor_page.get_by_test_id("article-save").click()
    expect(mentor_page.get_by_test_id("article-draft-note")).to_be_visible()
    mentor_page.get_by_test_id("article-publish").click()
    expect(mentor_page.get_by_text("The article is published.")).to_be_visible()
    article = Article.objects.get()
    assert article.status == ArticleStatus.PUBLISHED

    # A student on a phone finds it, reads it and says it helped.
    student_page = logged_in_page("student")
    student_page.set_viewport_size(PHONE)
    student_page.goto("/")
    student_page.get_by_role("button", name="Toggle navigation").click()
    student_page.get_by_test_id("nav-knowledge-base").click()
    expect(student_page.get_by_role("link", name="Reading a stack trace")).to_be_visible()
    assert fits_the_screen(student_page)
    screenshot(student_page, "student-list")
    student_page.get_by_role("link", name="Reading a stack trace").click()
    expect(student_page.get_by_test_id("article-body").locator("strong")).to_have_text("last line")
    student_page.get_by_test_id("article-helped-button").click()
    expect(student_page.get_by_test_id("article-helped-count")).to_contain_text("Helped 1 person")
    expect(student_page.get_by_text("You said this helped")).to_be_visible()
    assert fits_the_screen(student_page)
    screenshot(student_page, "student-article")

    assert ArticleVote.objects.get().user == student
    article.refresh_from_db()
    assert article.view_count == 1
