"""Journey: a student stuck on a phone (390 px wide). Typing a question's title shows
an answered question of a classmate (htmx, debounced); it opens in a new tab and
"this solved it" is counted. A second question is asked after all; the mentor finds it
in their queue with the student's progress, answers it, and the student accepts the
answer."""

import pytest

from knowledge_base.models import Deflection, Question, QuestionStatus
from knowledge_base.questions import answer_post
from knowledge_base.tests.questions.conftest import ask

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_takes_a_stuck_student_to_an_answer(
    logged_in_page, student, classmate, colleague, mentor, project
):
    solved_before = ask(classmate, title="Grid columns overflow", visibility="programme")
    answer_post(question=solved_before, author=colleague, body="Use `minmax(0, 1fr)`.")

    # The student starts from their home page.
    page = logged_in_page("student")
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_test_id("home-ask").click()
    expect(page.get_by_role("heading", name="Ask a question")).to_be_visible()
    assert _fits_the_screen(page)

    # Typing the title suggests the classmate's answered question.
    page.get_by_label("Your question in one sentence").press_sequentially("grid columns")
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Grid columns overflow")

    # It opens in a new tab, where the student says it solved that problem.
    with page.expect_popup() as opened:
        suggestion.get_by_role("link").click()
    tab = opened.value
    tab.set_viewport_size(PHONE)
    expect(tab.get_by_test_id("solved-box")).to_be_visible()
    tab.get_by_role("button", name="Yes, this solved it").click()
    expect(tab.get_by_text("Glad it is solved!")).to_be_visible()
    deflection = Deflection.objects.get()
    assert (deflection.question, deflection.query) == (solved_before, "grid columns")
    tab.close()

    # Another problem, though: the form kept what was typed; they ask it.
    title = page.get_by_label("Your question in one sentence")
    expect(title).to_have_value("grid columns")
    title.fill("My grid has a gap on the right")
    page.get_by_label("Details").fill("```css\n.grid { display: grid; }\n```")
    page.get_by_label("About a project (optional)").select_option(label=str(project))
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_test_id("question-status")).to_have_text("Waiting for an answer")
    assert _fits_the_screen(page)
    question = Question.objects.get(title="My grid has a gap on the right")

    # Their mentor finds it in the queue, with the student's progress, and answers.
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/questions/queue/")
    row = mentor_page.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("pace")).to_be_visible()
    row.get_by_role("link", name="My grid has a gap on the right").click()
    mentor_page.get_by_label("Your answer").fill("Remove the `width: 100vw`.")
    mentor_page.get_by_role("button", name="Answer", exact=True).click()
    expect(mentor_page.get_by_test_id("answer")).to_have_count(1)

    # The student accepts it.
    page.reload()
    page.get_by_role("button", name="This solved it").click()
    expect(page.get_by_test_id("accepted")).to_be_visible()
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED
