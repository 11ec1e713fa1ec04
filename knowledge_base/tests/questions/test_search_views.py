"""The search page: the box, results through the one search function, the kind
filter, pages; who finds what."""

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import Answer, Article, ArticleStatus, Question, QuestionStatus
from knowledge_base.questions import answer_post
from knowledge_base.tests.questions.conftest import QUESTION_ROLES, ask
from knowledge_base.tests.search_counting import own_queries
from knowledge_base.views import search as search_views

SEARCH = reverse("knowledge_base:search")

SEES_PRIVATE = {"student", "mentor", "supervisor", "staff"}
SEES_PUBLIC = SEES_PRIVATE | {"classmate", "colleague"}


def _found(response) -> set[tuple[str, int]]:
    assert response.status_code == 200
    return {(hit.kind, hit.pk) for hit in response.context["hits"]}


@pytest.fixture
def article(programme):
    article = Article.objects.create(
        title="Flexbox in depth",
        body="Everything about flexbox alignment.",
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    article.programmes.add(programme)
    return article


def test_it_sends_anonymous_people_to_login(client, db):
    response = client.get(f"{SEARCH}?q=flexbox")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_finds_only_what_the_person_may_see(
    as_user, client, private_question, public_question, role
):
    as_user(role)

    found = _found(client.get(f"{SEARCH}?q=flexbox"))

    assert (("question", private_question.pk) in found) is (role in SEES_PRIVATE)
    assert (("question", public_question.pk) in found) is (role in SEES_PUBLIC)


def test_it_never_shows_a_private_question_to_another_student(as_user, client, private_question):
    as_user("classmate")

    response = client.get(f"{SEARCH}?q=flexbox")

    assert "my flexbox is broken" not in response.content.decode()


def test_it_shows_only_the_box_for_an_empty_query(as_user, client, public_question):
    as_user("student")

    response = client.get(SEARCH)

    assert response.context["hits"] == []
    content = response.content.decode()
    assert 'data-testid="search-form"' in content
    assert 'data-testid="search-hit"' not in content
    assert "Nothing found" not in content


def test_it_links_and_highlights_the_results(as_user, client, public_question, article):
    as_user("student")

    content = client.get(f"{SEARCH}?q=flexbox").content.decode()

    assert f'href="/questions/{public_question.pk}/"' in content
    assert f'href="{reverse("knowledge_base:article_detail", args=[article.pk])}"' in content
    assert "<mark>" in content


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("", {"article", "question"}), ("article", {"article"}), ("question", {"question"})],
)
def test_it_filters_by_kind(as_user, client, public_question, article, kind, expected):
    as_user("student")

    found = _found(client.get(f"{SEARCH}?q=flexbox&kind={kind}"))

    assert {hit_kind for hit_kind, _pk in found} == expected


@pytest.mark.parametrize("query", ["kind=video&q=flexbox", "q=" + "x" * 300, "page=abc&q=flex"])
def test_it_answers_bad_input_without_failing(as_user, client, public_question, query):
    as_user("student")

    response = client.get(f"{SEARCH}?{query}")

    assert response.status_code == 200


def test_it_pages_the_results(as_user, client, student):
    for number in range(23):
        ask(student, title=f"Flexbox question {number}")
    as_user("student")

    first = client.get(f"{SEARCH}?q=flexbox")
    second = client.get(f"{SEARCH}?q=flexbox&page=2")

    assert len(first.context["hits"]) == 20
    assert first.context["next_page"] == 2
    assert 'data-testid="next-page"' in first.content.decode()
    assert len(second.context["hits"]) == 3
    assert second.context["next_page"] is None
    assert not _found(first) & _found(second)


def _school(count: int, *, students, mentor, programme) -> None:
    """``count`` answered public questions about flexbox, and as many articles."""
    questions = Question.objects.bulk_create(
        Question(
            author=students[index % len(students)],
            programme=programme,
            title=f"Flexbox question {index}",
            body="Why does flexbox wrap?",
            visibility="programme",
            status=QuestionStatus.ANSWERED,
        )
        for index in range(count)
    )
    Answer.objects.bulk_create(
        Answer(question=question, author=mentor, body="Because.") for question in questions
    )
    Article.objects.bulk_create(
        Article(
            title=f"Flexbox article {index}",
            body="Flexbox explained.",
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        for index in range(count)
    )


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "mentor"])
def test_it_searches_in_constant_queries(
    as_user,
    client,
    student,
    classmate,
    mentor,
    programme,
    role,
    count,
    monkeypatch,
):
    _school(count, students=[student, classmate], mentor=mentor, programme=programme)
    answer_post(question=ask(student, title="Flexbox"), author=mentor, body="Yes.")
    as_user(role)

    # session, user; the navigation's badges; then the search's own (a few, whatever
    # the number of hits).
    with own_queries(monkeypatch, search_views, "search_knowledge_base") as own:
        response = client.get(f"{SEARCH}?q=flexbox")

    assert own() <= 5, "Search page: a query per result?"
    assert own.search.calls == 1

    assert len(response.context["hits"]) == min(2 * count + 1, 20)
