"""Journey: the knowledge loop end to end. A student typing a question is shown a
published article, opens it and says it solved the problem (the knowledge base answered
it); later they ask a different question, in Russian, about a project; their mentor
answers it from the queue; the student accepts the answer; the mentor turns it into an
article, retitles and publishes it; a classmate finds the article by searching in
Russian with other word forms, and never sees the private question itself."""

import pytest

from knowledge_base.models import Article, ArticleStatus, Deflection, Question, QuestionStatus
from mentorship.tests.factories import MentorFactory

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


@pytest.fixture
def grid_article(programme):
    author = MentorFactory(display_name="Ada Author")
    article = Article.objects.create(
        title="CSS grid: columns that overflow their container",
        body="Give the columns `minmax(0, 1fr)`: a column never grows past its share.",
        language="en",
        status=ArticleStatus.PUBLISHED,
        published_at="2026-11-01T10:00:00Z",
    )
    article.authors.set([author])
    article.programmes.set([programme])
    return article


def test_a_question_becomes_an_article_a_classmate_finds(
    logged_in_page, student, classmate, mentor, project, grid_article, screenshot
):
    # The student starts typing; the knowledge base suggests the article.
    page = logged_in_page("student")
    page.goto("/")
    page.get_by_test_id("home-ask").click()
    page.get_by_label("Your question in one sentence").press_sequentially("grid columns overflow")
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion.first).to_contain_text("CSS grid: columns that overflow")
    screenshot(page, "1-suggestion")
    with page.expect_popup() as opened:
        suggestion.first.get_by_role("link").click()
    tab = opened.value
    expect(tab.get_by_test_id("article-body")).to_contain_text("minmax(0, 1fr)")
    tab.get_by_role("button", name="Yes, this solved it").click()
    expect(tab.get_by_text("Glad it is solved!")).to_be_visible()
    tab.close()
    deflection = Deflection.objects.get()
    assert (deflection.student, deflection.article) == (student, grid_article)
    assert not Question.objects.exists()

    # Another problem: a private question, in Russian, about the project.
    page.goto(f"/questions/ask/?project={project.pk}")
    page.get_by_label("Your question in one sentence").fill(
        "Как установить пакет requests в виртуальное окружение?"
    )
    page.get_by_label("Details").fill("Пишу `pip install requests`, а импорт не работает.")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_test_id("question-status")).to_have_text("Waiting for an answer")
    question = Question.objects.get()
    assert (question.language, question.project, question.visibility) == (
        "ru",
        project,
        "private",
    )

    # The mentor answers from the queue.
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/questions/queue/")
    mentor_page.get_by_test_id("queue-row").get_by_role("link", name=question.title).click()
    mentor_page.get_by_label("Your answer").fill(
        "Активируйте окружение: `source .venv/bin/activate`, затем `pip install requests`."
    )
    mentor_page.get_by_role("button", name="Answer", exact=True).click()
    expect(mentor_page.get_by_test_id("answer")).to_have_count(1)

    # The student accepts it.
    page.reload()
    page.get_by_role("button", name="This solved it").click()
    expect(page.get_by_test_id("accepted")).to_be_visible()
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED

    # The mentor turns it into an article, retitles it and publishes it.
    mentor_page.reload()
    mentor_page.get_by_test_id("to-article").click()
    body = mentor_page.get_by_label("Text")
    expect(body).to_contain_text("source .venv/bin/activate")
    assert str(student) not in body.input_value()
    mentor_page.get_by_label("Title").fill("Установка пакетов в виртуальное окружение")
    mentor_page.get_by_test_id("article-save").click()
    mentor_page.get_by_test_id("article-publish").click()
    expect(mentor_page.get_by_test_id("article-body")).to_contain_text("pip install requests")
    article = Article.objects.get(questions=question)
    assert article.status == ArticleStatus.PUBLISHED
    screenshot(mentor_page, "2-published")

    # A classmate finds it by searching in Russian, in other word forms.
    other = logged_in_page("classmate")
    other.goto("/search/")
    other.get_by_label("Search").fill("как установить пакет")
    other.get_by_role("button", name="Search").click()
    first = other.get_by_test_id("search-hit").first
    expect(first).to_contain_text("Установка пакетов в виртуальное окружение")
    expect(other.get_by_text(question.title)).to_have_count(0)
    screenshot(other, "3-found")
    first.get_by_role("link").first.click()
    expect(other.get_by_test_id("article-body")).to_contain_text("source .venv/bin/activate")
