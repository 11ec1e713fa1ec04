"""``seed_demo``'s knowledge base (``knowledge_base.demo.seed_knowledge``): questions of
every kind in both languages, answers, articles grown from some, deflections, topics a
programme does not cover; valid, and written once."""

from io import StringIO

import pytest
from django.core.management import call_command

from knowledge_base.models import (
    Answer,
    Article,
    Deflection,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from knowledge_base.patterns import PatternScope, repeated_questions, topics_not_covered
from mentorship.models import User


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def test_it_asks_questions_of_every_kind_in_both_languages(seeded):
    questions = Question.objects.all()

    assert set(questions.values_list("status", flat=True)) == set(QuestionStatus.values)
    assert set(questions.values_list("visibility", flat=True)) == set(QuestionVisibility.values)
    assert set(questions.values_list("language", flat=True)) == {"en", "ru"}
    assert questions.filter(hide_name=True).exists()
    # Asked and answered through the services, then dated back in order.
    for question in questions:
        question.full_clean()
        assert question.waiting_since >= question.created_at
        if question.first_answered_at:
            assert question.first_answered_at > question.created_at
    assert Answer.objects.filter(is_follow_up=True).exists()
    assert Answer.objects.filter(author__role="student", is_follow_up=False).exists()
    duplicate = questions.get(status=QuestionStatus.DUPLICATE)
    assert duplicate.duplicate_of.status == QuestionStatus.ACCEPTED


def test_it_writes_articles_some_grown_from_questions(seeded):
    articles = Article.objects.all()

    assert set(articles.values_list("language", flat=True)) == {"en", "ru"}
    assert set(articles.values_list("status", flat=True)) == {"draft", "published", "archived"}
    assert articles.filter(questions__isnull=False).distinct().count() >= 3
    assert all(article.history.exists() for article in articles)
    assert Deflection.objects.count() >= 3
    assert "Knowledge base: 17 questions, 11 articles" in seeded


def test_it_leaves_topics_no_project_covers(seeded):
    staff = User.objects.get(email="staff@demo.test")

    assert not Topic.objects.get(slug="docker").projects.exists()
    uncovered = topics_not_covered(staff, PatternScope.last(90, user=staff))
    assert {"Docker", "Career"} <= {row.topic for row in uncovered}


def test_it_writes_it_once(seeded):
    counts = (Question.objects.count(), Article.objects.count(), Deflection.objects.count())

    again = _seed()

    assert (Question.objects.count(), Article.objects.count(), Deflection.objects.count()) == (
        counts
    )
    assert "Knowledge base: 0 questions, 0 articles, 0 questions solved" in again


def test_it_gives_the_patterns_page_a_repeated_question(seeded):
    staff = User.objects.get(email="staff@demo.test")

    groups = repeated_questions(staff, PatternScope.last(90, user=staff))

    assert groups
    assert "deploy" in groups[0].query.lower()
