"""Every rich-text field of the knowledge base (a question, an answer, an article) goes
through the one sanitiser: each of the XSS payloads, saved in the field, comes out of
the page exactly as ``render_markdown`` renders it, and with nothing active in it; the
search snippets built from those texts hold nothing active either."""

import pytest
from django.urls import reverse

from knowledge_base.models import Answer, Article, ArticleStatus, Question, QuestionVisibility
from knowledge_base.search import search
from mentorship.tests.xss_payloads import XSS_PAYLOADS, assert_no_active_content
from mentorship.text import render_markdown
from projects.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

# A NUL character never reaches a text field (the forms and the API refuse it, and
# PostgreSQL cannot store it): stored here without it. ``render_markdown`` itself meets
# every payload whole in mentorship's sanitiser test.
STORABLE = list(dict.fromkeys(payload.replace("\x00", "") for payload in XSS_PAYLOADS))


@pytest.fixture
def question(student, mentor):
    enrolment = EnrolmentFactory(student=student)
    mentor.mentor_profile.programmes.add(enrolment.programme)
    return Question.objects.create(
        author=student,
        programme=enrolment.programme,
        title="Payloads",
        visibility=QuestionVisibility.PROGRAMME,
    )


def _rendered_in(content: str, payload: str) -> None:
    rendered = str(render_markdown(payload))
    assert rendered in content, f"not rendered by the sanitiser: {payload!r}"
    assert_no_active_content(rendered)


def test_question_bodies_go_through_the_sanitiser(client, as_user, question):
    as_user("mentor")
    url = reverse("knowledge_base:question", args=[question.pk])
    for payload in STORABLE:
        Question.objects.filter(pk=question.pk).update(body=payload)

        _rendered_in(client.get(url).content.decode(), payload)


def test_answers_go_through_the_sanitiser(client, as_user, question, mentor):
    Answer.objects.bulk_create(
        [Answer(question=question, author=mentor, body=payload) for payload in STORABLE]
    )
    as_user("student")

    content = client.get(reverse("knowledge_base:question", args=[question.pk])).content.decode()

    assert len(STORABLE) >= 200
    for payload in STORABLE:
        _rendered_in(content, payload)


def test_article_bodies_go_through_the_sanitiser(client, as_user, mentor):
    article = Article(title="Payloads", body="", status=ArticleStatus.DRAFT)
    article.save()
    article.authors.set([mentor])
    as_user("mentor")
    url = reverse("knowledge_base:article_detail", args=[article.pk])
    for payload in STORABLE:
        # An update, not a save: no version is kept of each payload.
        Article.objects.filter(pk=article.pk).update(body=payload)

        _rendered_in(client.get(url).content.decode(), payload)


def test_search_snippets_hold_nothing_active(student, mentor, question):
    marked = [f"zebra {payload}" for payload in STORABLE]
    Question.objects.bulk_create(
        [
            Question(
                author=question.author,
                programme=question.programme,
                title=f"Payload {number}",
                body=body,
                visibility=QuestionVisibility.PROGRAMME,
            )
            for number, body in enumerate(marked)
        ]
    )

    hits = []
    for offset in range(0, len(marked), 100):
        hits += search(mentor, "zebra", kinds=("question",), limit=100, offset=offset)

    assert len(hits) == len(marked)
    for hit in hits:
        assert_no_active_content(str(hit.snippet))
