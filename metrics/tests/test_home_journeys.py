"""Journeys: each role starts its day on the home page and reaches every item of the
day in one click, on a phone (390 px wide). The mentor has one of each thing waiting
(a review, a question, a session today and one to log, a new and a worsened flag, a
weekly report); the student sees the same work from their side; the supervisor their
team's queues, staff the school's. Each click lands on a page that shows the item, and
no home page is wider than the screen."""

import pytest
from django.utils import timezone

from mentorship.tests.factories import AssignmentFactory, StudentFactory
from metrics.tests.helpers_home import mentor_day_data

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def second_student(mentor):
    user = StudentFactory(display_name="Sam Second")
    AssignmentFactory(student=user, mentor=mentor)
    return user


@pytest.fixture
def day(mentor, student, second_student):
    return mentor_day_data(mentor, student, second_student, now=timezone.now())


def fits_the_screen(page) -> bool:
    """Asked once the page's own content is visible (see test_articles_journey)."""
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_home(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert fits_the_screen(page)


def click_from_home(page, testid: str):
    """Back on the home page, one click on the item's line."""
    open_home(page)
    page.get_by_test_id(testid).first.click()
    page.wait_for_load_state()


def test_it_takes_the_mentor_to_each_item_of_the_day(logged_in_page, day, screenshot):
    page = logged_in_page("mentor")
    page.set_viewport_size(PHONE)
    open_home(page)
    todo = page.get_by_test_id("home-todo")
    for key in ("reviews", "reports", "flags", "sessions", "questions"):
        expect(todo.get_by_test_id(f"home-todo-{key}")).to_be_visible()
    expect(todo.get_by_test_id("home-todo-reviews")).to_contain_text("oldest waiting 3")
    # The longest waiting first: the review (3 days) before the session to log (a day)
    # before the question (5 hours).
    lines = [line.get_attribute("data-testid") for line in todo.locator("a.list-group-item").all()]
    reviews, sessions, questions = (
        lines.index(f"home-todo-{key}") for key in ("reviews", "sessions", "questions")
    )
    assert reviews < sessions < questions
    screenshot(page, "mentor-home")

    click_from_home(page, "home-todo-reviews")
    expect(page.locator("main")).to_contain_text("Landing page")
    expect(page.locator("main")).to_contain_text("Stas Student")

    click_from_home(page, "home-todo-questions")
    expect(page.locator("main")).to_contain_text("How do I centre a div?")

    click_from_home(page, "home-todo-sessions")
    to_log = page.locator("main").get_by_text("To log").first
    expect(to_log).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sam Second")

    click_from_home(page, "home-todo-flags")
    for flag in (day.new_flag, day.worsened_flag):
        expect(page.locator(f'[data-flag="{flag.pk}"]')).to_be_visible()

    click_from_home(page, "home-todo-reports")
    assert page.url.endswith(f"/reports/{day.report.pk}/")
    expect(page.get_by_test_id("weekly-report-send")).to_be_visible()

    click_from_home(page, "home-session-today")
    assert page.url.endswith(f"/sessions/{day.session_today.pk}/")
    expect(page.locator("main")).to_contain_text("Stas Student")

    open_home(page)
    page.get_by_test_id("home-flag").filter(has_text="Sam Second").get_by_role(
        "link", name="Sam Second"
    ).click()
    expect(page.get_by_test_id("flag-card")).to_be_visible()


def test_it_takes_the_student_to_each_item_of_the_day(logged_in_page, day, screenshot):
    page = logged_in_page("student")
    page.set_viewport_size(PHONE)
    open_home(page)
    expect(page.get_by_test_id("home-next-session")).to_contain_text("Maria Mentor")
    screenshot(page, "student-home")

    click_from_home(page, "home-next-step")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Landing page")

    click_from_home(page, "home-next-session-link")
    assert page.url.endswith(f"/sessions/{day.session_today.pk}/")
    expect(page.locator("main")).to_contain_text("Maria Mentor")

    click_from_home(page, "home-submission")
    assert page.url.endswith(f"/submissions/{day.submission.pk}/")
    expect(page.locator("main")).to_contain_text("Landing page")

    click_from_home(page, "home-question")
    expect(page.get_by_role("heading", level=1)).to_contain_text("How do I centre a div?")

    click_from_home(page, "home-book")
    expect(page.get_by_role("heading", name="Book a session")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Maria Mentor")

    click_from_home(page, "home-ask")
    expect(page.get_by_test_id("ask-form")).to_be_visible()


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_takes_the_supervisor_and_staff_to_their_queues(logged_in_page, day, screenshot, role):
    page = logged_in_page(role)
    page.set_viewport_size(PHONE)
    open_home(page)
    queues = page.get_by_test_id("home-queues")
    expect(queues.get_by_test_id("home-queue-reviews")).to_contain_text("oldest waiting 3")
    expect(queues.get_by_test_id("home-queue-red-flags")).to_contain_text("2 red flags")
    screenshot(page, f"{role}-home")

    click_from_home(page, "home-queue-reviews")
    expect(page.locator("main")).to_contain_text("Landing page")
    expect(page.locator("main")).to_contain_text("Stas Student")

    click_from_home(page, "home-queue-questions")
    expect(page.locator("main")).to_contain_text("How do I centre a div?")

    click_from_home(page, "home-queue-red-flags")
    for flag in (day.new_flag, day.worsened_flag):
        expect(page.locator(f'[data-flag="{flag.pk}"]')).to_be_visible()
