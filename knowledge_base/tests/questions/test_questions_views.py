"""The question pages: the list, the queue, asking with suggestions, "this solved it",
one question with its thread and forms, the duplicate picker; per role.

The people and programmes are those of ``knowledge_base/tests/questions/conftest.py``: for a
question of ``student``, ``classmate`` and ``colleague`` see it only when it is public;
``other_student``, ``other_mentor`` and ``other_supervisor`` never see it."""

from datetime import timedelta
from unittest.mock import patch
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from knowledge_base.context_processors import questions as questions_in_navigation
from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    Deflection,
    Question,
    QuestionStatus,
    Topic,
)
from knowledge_base.questions import answer_accept, answer_post, question_mark_duplicate
from knowledge_base.tests.questions.conftest import QUESTION_ROLES, ask
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory

LIST = reverse("knowledge_base:question_list")
QUEUE = reverse("knowledge_base:question_queue")
ASK = reverse("knowledge_base:question_ask")
SUGGEST = reverse("knowledge_base:question_suggest")
SOLVED = reverse("knowledge_base:question_solved")

SEES_PRIVATE = {"student", "mentor", "supervisor", "staff"}
SEES_PUBLIC = SEES_PRIVATE | {"classmate", "colleague"}
STUDENTS = {"student", "classmate", "other_student"}


def detail_url(question, **params) -> str:
    url = reverse("knowledge_base:question", args=[question.pk])
    return f"{url}?{'&'.join(f'{k}={quote(v)}' for k, v in params.items())}" if params else url


def answer_url(question) -> str:
    return reverse("knowledge_base:question_answer", args=[question.pk])


def accept_url(question, answer) -> str:
    return reverse("knowledge_base:answer_accept", args=[question.pk, answer.pk])


def duplicate_url(question) -> str:
    return reverse("knowledge_base:question_duplicate", args=[question.pk])


def duplicate_search_url(question) -> str:
    return reverse("knowledge_base:question_duplicate_search", args=[question.pk])


def _texts(response) -> str:
    return response.content.decode()


@pytest.fixture
def answered_private(private_question, mentor):
    answer_post(question=private_question, author=mentor, body="Use `display: flex`.")
    private_question.refresh_from_db()
    return private_question


@pytest.fixture
def answered_public(public_question, mentor):
    answer_post(question=public_question, author=mentor, body="Grid for layouts.")
    public_question.refresh_from_db()
    return public_question


# --- Access: who reaches which page -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [LIST, QUEUE, ASK, f"{SUGGEST}?title=grid", "/questions/1/", "/questions/1/duplicate/search/"],
)
def test_it_sends_anonymous_people_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "url",
    [SOLVED, "/questions/1/answer/", "/questions/1/answers/1/accept/", "/questions/1/duplicate/"],
)
def test_it_sends_anonymous_posts_to_login(client, db, url):
    response = client.post(url, {"body": "Hi"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_shows_a_question_only_to_those_who_may_see_it(
    as_user, client, private_question, public_question, role
):
    as_user(role)

    private = client.get(detail_url(private_question))
    public = client.get(detail_url(public_question))

    assert private.status_code == (200 if role in SEES_PRIVATE else 404)
    assert public.status_code == (200 if role in SEES_PUBLIC else 404)


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_in_the_queue_only_those_who_answer(as_user, client, role):
    as_user(role)

    assert client.get(QUEUE).status_code == (403 if role in STUDENTS else 200)


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_only_students_ask(as_user, client, role):
    as_user(role)

    assert client.get(ASK).status_code == (200 if role in STUDENTS else 403)
    assert client.get(f"{SUGGEST}?title=grid").status_code == (200 if role in STUDENTS else 403)


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_shows_the_list_to_everyone_signed_in(as_user, client, role):
    as_user(role)

    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "method", "role"),
    [
        ("question_list", "post", "student"),
        ("question_queue", "post", "mentor"),
        ("question_ask", "put", "student"),
        ("question_suggest", "post", "student"),
        ("question_solved", "put", "student"),
        ("search", "post", "student"),
    ],
)
def test_it_refuses_the_wrong_method(as_user, client, url_name, method, role):
    as_user(role)

    response = getattr(client, method)(reverse(f"knowledge_base:{url_name}"))

    assert response.status_code == 405


@pytest.mark.parametrize("url_name", ["question_answer", "question_duplicate"])
def test_it_refuses_a_get_on_a_write(as_user, client, private_question, url_name):
    as_user("mentor")

    response = client.get(reverse(f"knowledge_base:{url_name}", args=[private_question.pk]))

    assert response.status_code == 405


def test_it_refuses_a_get_on_accept(as_user, client, answered_private):
    as_user("student")
    answer = answered_private.answers.get()

    assert client.get(accept_url(answered_private, answer)).status_code == 405


# --- The list ---------------------------------------------------------------------------


def _listed(client, url=LIST) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [question.title for question, _name in response.context["rows"]]


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lists_only_questions_the_person_may_see(
    as_user, client, private_question, public_question, role
):
    as_user(role)

    titles = _listed(client) + _listed(client, f"{LIST}?tab=programme")

    assert (private_question.title in titles) is (role in SEES_PRIVATE)
    assert (public_question.title in titles) is (role in SEES_PUBLIC)


def test_it_gives_a_student_their_own_and_their_programmes_tabs(
    as_user, client, private_question, public_question, classmate
):
    theirs = ask(classmate, title="Classmate's public", visibility="programme")
    ask(classmate, title="Classmate's private")
    as_user("student")

    assert _listed(client) == [public_question.title, private_question.title]
    assert _listed(client, f"{LIST}?tab=programme") == [theirs.title, public_question.title]


def test_it_hides_a_hidden_askers_name_from_other_students(
    as_user, client, student, project, mentor
):
    ask(student, project=project, visibility="programme", hide_name=True)

    as_user("classmate")
    response = client.get(f"{LIST}?tab=programme")
    assert str(student) not in _texts(response)
    assert "A student" in _texts(response)

    as_user("mentor")
    assert str(student) in _texts(client.get(LIST))


def test_it_shows_status_answers_project_and_age(as_user, client, answered_private):
    as_user("student")

    response = client.get(LIST)

    row = response.context["rows"][0][0]
    assert row.answer_count == 1
    content = _texts(response)
    assert 'data-status="answered"' in content
    assert "Landing page" in content
    assert "1 answer" in content


def test_it_counts_answers_without_follow_ups(as_user, client, answered_private, student):
    answer_post(question=answered_private, author=student, body="Not yet.")
    as_user("student")

    response = client.get(LIST)

    assert response.context["rows"][0][0].answer_count == 1


def test_it_filters_the_list(as_user, client, student, mentor, project, topic):
    tagged = ask(student, project=project, topics=[topic], title="Tagged")
    ask(student, title="Untagged")
    answered = ask(student, title="Answered one")
    answer_post(question=answered, author=mentor, body="Yes.")
    as_user("mentor")

    assert _listed(client, f"{LIST}?project={project.pk}") == [tagged.title]
    assert _listed(client, f"{LIST}?topic={topic.pk}") == [tagged.title]
    assert _listed(client, f"{LIST}?status=answered") == [answered.title]


def test_it_filters_by_dates(as_user, client, student):
    old = ask(student, title="Old one")
    Question.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    ask(student, title="New one")
    as_user("student")
    since = (timezone.localdate() - timedelta(days=10)).isoformat()

    assert _listed(client, f"{LIST}?since={since}") == ["New one"]
    assert _listed(client, f"{LIST}?until={since}") == ["Old one"]


def test_it_lists_questions_no_published_article_answers(as_user, client, student, mentor):
    covered = ask(student, title="Covered")
    drafted = ask(student, title="Drafted")
    ask(student, title="Uncovered")
    published = Article.objects.create(
        title="A", body="B", status=ArticleStatus.PUBLISHED, published_at=timezone.now()
    )
    published.questions.add(covered)
    Article.objects.create(title="Draft", body="B").questions.add(drafted)
    as_user("mentor")

    assert sorted(_listed(client, f"{LIST}?no_article=1")) == ["Drafted", "Uncovered"]


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-13-45",
        "programme=abc",
        "project=999999",
        "topic=-1",
        "status=lost",
        "page=last",
        "since=2026-05-01&until=2026-04-01",
    ],
)
def test_it_ignores_a_bad_filter_and_says_so(as_user, client, private_question, query):
    as_user("student")

    response = client.get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert [question for question, _name in response.context["rows"]] == [private_question]
    if not query.startswith("page"):
        assert 'data-testid="filter-error"' in _texts(response)


def test_it_ignores_a_programme_the_person_is_not_in(
    as_user, client, private_question, other_programme
):
    as_user("student")

    response = client.get(f"{LIST}?programme={other_programme.pk}")

    assert response.context["rows"][0][0] == private_question
    assert 'data-testid="filter-error"' in _texts(response)


def test_it_paginates_the_list(as_user, client, student):
    for number in range(23):
        ask(student, title=f"Question {number}")
    as_user("student")

    first = client.get(LIST)
    second = client.get(f"{LIST}?page=2")

    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 3


# --- The queue --------------------------------------------------------------------------


def _queued(client, url=QUEUE) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [question.title for question, _progress in response.context["rows"]]


@pytest.mark.parametrize("role", sorted(set(QUESTION_ROLES) - STUDENTS))
def test_it_queues_only_waiting_questions_the_person_may_see(
    as_user, client, private_question, public_question, answered_private, role
):
    as_user(role)

    titles = _queued(client)

    # answered_private is private_question, answered: it has left the queue.
    assert private_question.title not in titles
    assert (public_question.title in titles) is (role in SEES_PUBLIC)


def test_it_queues_the_longest_waiting_first_with_the_time(as_user, client, student):
    newer = ask(student, title="Newer")
    older = ask(student, title="Older")
    Question.objects.filter(pk=older.pk).update(waiting_since=timezone.now() - timedelta(days=3))
    as_user("mentor")

    response = client.get(QUEUE)

    assert [question for question, _progress in response.context["rows"]] == [older, newer]
    assert "3\xa0days" in _texts(response)
    assert "badge text-bg-danger" in _texts(response)  # waiting past the reminder time


def test_it_shows_each_students_progress_badge(as_user, client, private_question):
    as_user("mentor")

    response = client.get(QUEUE)

    (question, progress), *_ = response.context["rows"]
    assert progress.enrolment.programme_id == question.programme_id
    assert 'data-testid="pace"' in _texts(response)


def test_it_filters_the_queue(as_user, client, student, project, topic):
    tagged = ask(student, project=project, topics=[topic], title="Tagged")
    ask(student, title="Untagged")
    as_user("mentor")

    assert _queued(client, f"{QUEUE}?project={project.pk}") == [tagged.title]
    assert _queued(client, f"{QUEUE}?topic={topic.pk}") == [tagged.title]


def test_it_offers_only_the_persons_programmes_as_filters(
    as_user, client, programme, other_programme, project, other_project
):
    as_user("mentor")

    form = client.get(QUEUE).context["form"]

    assert list(form.fields["programme"].queryset) == [programme]
    assert list(form.fields["project"].queryset) == [project]


def test_it_offers_the_topics_of_the_persons_programmes_as_filters(
    as_user, client, student, project, other_project
):
    covered = Topic.objects.create(name="Grid", slug="grid")
    covered.projects.add(project)
    asked = Topic.objects.create(name="Git", slug="git")
    ask(student, project=project, topics=[asked])
    elsewhere = Topic.objects.create(name="Pandas", slug="pandas")
    elsewhere.projects.add(other_project)
    as_user("mentor")

    form = client.get(QUEUE).context["form"]

    assert list(form.fields["topic"].queryset) == [asked, covered]


def test_it_ignores_a_queue_filter_outside_the_persons_programmes(
    as_user, client, private_question, other_programme
):
    as_user("mentor")

    response = client.get(f"{QUEUE}?programme={other_programme.pk}")

    assert [question for question, _progress in response.context["rows"]] == [private_question]
    assert 'data-testid="filter-error"' in _texts(response)


# --- Query counts -------------------------------------------------------------------------


def _school(count: int, *, mentor, programme, project, topic) -> None:
    """``count`` students of ``mentor`` in ``programme``, each with an open question
    (every other one public, about ``project``, tagged ``topic``) and an answered
    one."""
    students = StudentFactory.create_batch(count)
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
        EnrolmentFactory(student=student, programme=programme)
    now = timezone.now()
    questions = Question.objects.bulk_create(
        Question(
            author=student,
            programme=programme,
            project=project if index % 2 else None,
            title=f"Question {index}-{kind}",
            visibility="programme" if index % 2 else "private",
            status=kind,
            created_at=now - timedelta(hours=index),
            waiting_since=now - timedelta(hours=index),
        )
        for index, student in enumerate(students)
        for kind in (QuestionStatus.OPEN, QuestionStatus.ANSWERED)
    )
    Question.topics.through.objects.bulk_create(
        Question.topics.through(question=question, topic=topic) for question in questions
    )
    Answer.objects.bulk_create(
        Answer(question=question, author=mentor, body="Answer")
        for question in questions
        if question.status == QuestionStatus.ANSWERED
    )


@pytest.mark.parametrize("count", [3, 30])
def test_it_queues_in_constant_queries(
    as_user, client, mentor, programme, project, topic, count, django_assert_max_num_queries
):
    _school(count, mentor=mentor, programme=programme, project=project, topic=topic)
    as_user("mentor")

    # session, user; count (the navigation's badge too), page with asker, programme
    # and project; their topics; progress (enrolments, projects, submissions); unread
    # notifications; filter choices (programmes, projects, topics).
    with django_assert_max_num_queries(12, info="Question queue: a query per row?"):
        response = client.get(QUEUE)

    assert len(response.context["rows"]) == min(count, 20)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["mentor", "student"])
def test_it_lists_in_constant_queries(
    as_user,
    client,
    request,
    mentor,
    programme,
    project,
    topic,
    count,
    role,
    django_assert_max_num_queries,
):
    _school(count, mentor=mentor, programme=programme, project=project, topic=topic)
    as_user(role)
    url = LIST if role == "mentor" else f"{LIST}?tab=programme"

    # session, user; count, page with asker, programme, project and answer counts;
    # the navigation's badges (unread notifications; a mentor's open questions);
    # filter choices (programmes, projects, topics).
    with django_assert_max_num_queries(9, info="Question list: a query per row?"):
        response = client.get(f"{url}&topic={topic.pk}" if "?" in url else url)

    expected = Question.objects.filter(visibility="programme" if role == "student" else "")
    assert len(response.context["rows"]) == min(
        count * 2 if role == "mentor" else expected.count(), 20
    )


# --- Asking -----------------------------------------------------------------------------


def test_it_asks_and_opens_the_question(as_user, client, student, project, topic):
    as_user("student")

    response = client.post(
        ASK,
        {
            "title": "Why is my grid uneven?",
            "body": "```css\n.grid { display: grid }\n```",
            "project": project.pk,
            "topics": [topic.pk],
            "visibility": "programme",
            "hide_name": "on",
        },
    )

    question = Question.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(question)
    assert (question.author, question.project, question.visibility, question.hide_name) == (
        student,
        project,
        "programme",
        True,
    )
    assert list(question.topics.all()) == [topic]


def test_it_keeps_what_was_typed_beside_the_error(as_user, client, project):
    as_user("student")

    response = client.post(ASK, {"title": "", "body": "My long details", "visibility": "x"})

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "visibility"}
    assert "My long details" in _texts(response)
    assert not Question.objects.exists()


def test_it_refuses_a_project_of_another_programme(as_user, client, other_project):
    as_user("student")

    response = client.post(
        ASK, {"title": "Grid", "project": other_project.pk, "visibility": "private"}
    )

    assert response.status_code == 400
    assert "project" in response.context["form"].errors


def test_it_puts_a_service_refusal_beside_its_field(
    as_user, client, student, other_programme, project
):
    EnrolmentFactory(student=student, programme=other_programme)
    as_user("student")

    response = client.post(
        ASK,
        {
            "title": "Grid",
            "programme": other_programme.pk,
            "project": project.pk,
            "visibility": "private",
        },
    )

    assert response.status_code == 400
    assert "project" in response.context["form"].errors


def test_it_preselects_the_project_from_its_page(as_user, client, project):
    as_user("student")

    form = client.get(f"{ASK}?project={project.pk}").context["form"]

    assert form["project"].value() == project.pk


@pytest.mark.parametrize("value", ["abc", "999999", "-1", ""])
def test_it_ignores_a_bad_project_to_preselect(as_user, client, project, value):
    as_user("student")

    response = client.get(f"{ASK}?project={value}")

    assert response.status_code == 200


def test_it_offers_only_the_students_programmes_projects(as_user, client, project, other_project):
    as_user("student")

    form = client.get(ASK).context["form"]

    assert list(form.fields["project"].queryset) == [project]
    assert "programme" not in form.fields


def test_it_asks_for_the_programme_of_a_student_with_several(
    as_user, client, student, programme, other_programme
):
    EnrolmentFactory(student=student, programme=other_programme)
    as_user("student")

    form = client.get(ASK).context["form"]

    assert set(form.fields["programme"].queryset) == {programme, other_programme}


def test_it_tells_a_student_not_enrolled_they_cannot_ask_yet(client, db):
    client.force_login(StudentFactory())

    response = client.get(ASK)

    assert response.status_code == 200
    assert 'data-testid="ask-refused"' in _texts(response)


def test_it_suggests_while_the_title_is_typed(as_user, client):
    as_user("student")

    content = _texts(client.get(ASK))

    assert f'hx-get="{SUGGEST}"' in content
    assert 'hx-trigger="input changed delay:400ms, keyup changed delay:400ms"' in content
    assert 'hx-target="#suggestions"' in content


# --- Suggestions and "this solved it" -------------------------------------------------------


@pytest.fixture
def classmates_questions(classmate, colleague):
    """An answered public question and an answered private one, both about grids."""
    public = ask(classmate, title="Grid columns overflow", visibility="programme")
    private = ask(classmate, title="Grid columns secret")
    for question in (public, private):
        answer_post(question=question, author=colleague, body="Use minmax.")
    return public, private


def test_it_suggests_answered_public_questions_and_articles(
    as_user, client, classmates_questions, programme
):
    public, private = classmates_questions
    article = Article.objects.create(
        title="Grid basics",
        body="Columns and rows.",
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    as_user("student")

    response = client.get(f"{SUGGEST}?title=grid columns", HTTP_HX_REQUEST="true")

    content = _texts(response)
    assert "<html" not in content  # a partial
    suggested = {(hit.kind, hit.pk) for hit in response.context["suggestions"]}
    assert ("question", public.pk) in suggested
    assert ("article", article.pk) in suggested
    assert ("question", private.pk) not in suggested
    assert "secret" not in content
    assert f"{detail_url(public)}?from_ask=grid%20columns" in content


def test_it_suggests_nothing_for_a_short_title(as_user, client, classmates_questions):
    as_user("student")

    response = client.get(f"{SUGGEST}?title=gr")

    assert response.context["suggestions"] == []
    assert 'data-testid="suggestion"' not in _texts(response)


def test_it_offers_the_solved_box_on_a_suggestion(as_user, client, classmates_questions):
    public, _private = classmates_questions
    as_user("student")

    content = _texts(client.get(detail_url(public, from_ask="grid columns")))

    assert 'data-testid="solved-box"' in content
    assert 'name="query" value="grid columns"' in content


@pytest.mark.parametrize("from_ask", ["", "grid"])
def test_it_offers_no_solved_box_without_a_suggestion_or_to_the_asker(
    as_user, client, classmates_questions, from_ask
):
    public, _private = classmates_questions
    as_user("classmate" if from_ask else "student")

    url = detail_url(public, from_ask=from_ask) if from_ask else detail_url(public)

    assert 'data-testid="solved-box"' not in _texts(client.get(url))


def test_it_counts_a_solved_problem_and_thanks(as_user, client, student, classmates_questions):
    public, _private = classmates_questions
    as_user("student")

    response = client.post(SOLVED, {"kind": "question", "pk": public.pk, "query": "grid cols"})

    assert response.status_code == 302
    assert response.url == f"{SOLVED}?kind=question&pk={public.pk}&query=grid+cols"
    response = client.get(response.url)
    assert response.status_code == 200
    deflection = Deflection.objects.get()
    assert (deflection.student, deflection.question, deflection.query) == (
        student,
        public,
        "grid cols",
    )
    assert f"{ASK}?title=grid+cols" in _texts(response)


def test_it_counts_an_article_that_solved_it(as_user, client, student):
    article = Article.objects.create(
        title="Grid", body="B", status=ArticleStatus.PUBLISHED, published_at=timezone.now()
    )
    as_user("student")

    response = client.post(
        SOLVED, {"kind": "article", "pk": article.pk, "query": "grid"}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[0][1] == 302
    assert Deflection.objects.get().article == article
    # Reloading the thank-you page counts nothing again.
    reload = client.get(response.redirect_chain[0][0])
    assert reload.status_code == 200
    assert Deflection.objects.count() == 1


def test_it_has_no_thank_you_page_without_an_item(as_user, client):
    as_user("student")

    assert client.get(SOLVED).status_code == 404
    assert client.get(f"{SOLVED}?kind=video&pk=1").status_code == 404


def test_it_hides_an_item_the_student_may_not_see(as_user, client, classmates_questions):
    _public, private = classmates_questions
    as_user("student")

    response = client.post(SOLVED, {"kind": "question", "pk": private.pk, "query": "grid"})

    assert response.status_code == 404
    assert not Deflection.objects.exists()


@pytest.mark.parametrize("data", [{}, {"kind": "video", "pk": 1}, {"kind": "question", "pk": "x"}])
def test_it_answers_a_bad_solved_form_with_a_message(as_user, client, data):
    as_user("student")

    response = client.post(SOLVED, data, follow=True)

    assert response.status_code == 200
    assert not Deflection.objects.exists()
    assert list(response.context["messages"])


def test_it_refuses_a_solved_question_without_an_answer(as_user, client, classmate):
    waiting = ask(classmate, title="Waiting", visibility="programme")
    as_user("student")

    response = client.post(SOLVED, {"kind": "question", "pk": waiting.pk}, follow=True)

    assert not Deflection.objects.exists()
    assert list(response.context["messages"])


@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_counts_solved_problems_only_for_students(as_user, client, classmates_questions, role):
    public, _private = classmates_questions
    as_user(role)

    response = client.post(SOLVED, {"kind": "question", "pk": public.pk})

    assert response.status_code == 403
    assert not Deflection.objects.exists()


# --- One question -----------------------------------------------------------------------


def test_it_shows_the_question_with_its_thread(as_user, client, answered_private, topic):
    answered_private.topics.add(topic)
    answered_private.body = "**Bold** <script>alert(1)</script>"
    answered_private.save()
    as_user("student")

    response = client.get(detail_url(answered_private))

    content = _texts(response)
    assert "<strong>Bold</strong>" in content
    assert "<script>alert" not in content
    assert "<code>display: flex</code>" in content
    assert "Landing page" in content
    assert "CSS" in content
    assert 'data-testid="answer"' in content


def test_it_offers_the_asker_a_follow_up_and_accepting(as_user, client, answered_private):
    as_user("student")

    response = client.get(detail_url(answered_private))

    content = _texts(response)
    assert "Add details or say it is not solved yet" in content
    assert 'data-testid="accept"' in content
    assert 'data-testid="duplicate-form"' not in content
    assert 'data-testid="to-article"' not in content


def test_it_offers_a_mentor_answering_duplicates_and_an_article(as_user, client, answered_private):
    as_user("mentor")

    content = _texts(client.get(detail_url(answered_private)))

    assert 'data-testid="answer-form"' in content
    assert 'data-testid="duplicate-form"' in content
    assert 'data-testid="accept"' not in content
    to_article = reverse("knowledge_base:article_from_question", args=[answered_private.pk])
    assert f'action="{to_article}"' in content


def test_it_offers_no_article_for_a_question_still_waiting(as_user, client, private_question):
    as_user("mentor")

    assert 'data-testid="to-article"' not in _texts(client.get(detail_url(private_question)))


def test_it_lets_a_classmate_answer_a_public_question_only(
    as_user, client, answered_public, classmate
):
    as_user("classmate")

    content = _texts(client.get(detail_url(answered_public)))

    assert 'data-testid="answer-form"' in content
    assert 'data-testid="accept"' not in content
    assert 'data-testid="duplicate-form"' not in content


def test_it_keeps_a_hidden_name_hidden_in_the_thread(as_user, client, student, project, mentor):
    question = ask(student, project=project, visibility="programme", hide_name=True)
    answer_post(question=question, author=student, body="More details.")
    as_user("classmate")

    content = _texts(client.get(detail_url(question)))

    assert str(student) not in content
    assert "A student added" in content


def test_it_highlights_the_accepted_answer(as_user, client, answered_private, student):
    answer_accept(answer=answered_private.answers.get(), by=student)
    as_user("classmate" if answered_private.is_public else "mentor")

    content = _texts(client.get(detail_url(answered_private)))

    assert 'data-testid="accepted"' in content


def test_it_lists_the_published_articles_that_answer_it(as_user, client, answered_private):
    published = Article.objects.create(
        title="Flexbox guide",
        body="B",
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    draft = Article.objects.create(title="Draft guide", body="B")
    published.questions.add(answered_private)
    draft.questions.add(answered_private)
    as_user("student")

    content = _texts(client.get(detail_url(answered_private)))

    assert "Flexbox guide" in content
    assert "Draft guide" not in content


def test_it_points_a_duplicate_to_its_original_only_for_those_who_see_it(
    as_user, client, student, mentor, project
):
    original = ask(student, project=project, title="The private original")
    duplicate = ask(student, project=project, title="Public duplicate", visibility="programme")
    question_mark_duplicate(question=duplicate, original=original, by=mentor)

    as_user("student")
    content = _texts(client.get(detail_url(duplicate)))
    assert 'data-testid="duplicate-link"' in content
    assert "The private original" in content

    as_user("classmate")
    content = _texts(client.get(detail_url(duplicate)))
    assert 'data-testid="duplicate-notice"' in content
    assert "The private original" not in content


# --- Answering, following up, accepting ---------------------------------------------------

POSTS_PRIVATE = {role: 302 if role in SEES_PRIVATE else 404 for role in QUESTION_ROLES}
POSTS_PUBLIC = {role: 302 if role in SEES_PUBLIC else 404 for role in QUESTION_ROLES}


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_only_those_who_see_it_post_in_the_thread(
    as_user, client, private_question, public_question, role
):
    as_user(role)

    private = client.post(answer_url(private_question), {"body": "Try this."})
    public = client.post(answer_url(public_question), {"body": "Try this."})

    assert private.status_code == POSTS_PRIVATE[role]
    assert public.status_code == POSTS_PUBLIC[role]
    assert Answer.objects.filter(question=private_question).exists() is (role in SEES_PRIVATE)


def test_it_posts_an_answer(as_user, client, private_question, mentor):
    as_user("mentor")

    response = client.post(answer_url(private_question), {"body": "Use flexbox."})

    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.author, answer.is_follow_up) == (mentor, False)
    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.ANSWERED


def test_it_posts_the_askers_follow_up(as_user, client, answered_private):
    as_user("student")

    client.post(answer_url(answered_private), {"body": "Still broken."})

    answered_private.refresh_from_db()
    assert answered_private.status == QuestionStatus.OPEN
    assert Answer.objects.filter(is_follow_up=True).count() == 1


def test_it_keeps_an_answer_too_long_beside_the_field(as_user, client, private_question):
    as_user("mentor")
    body = "x" * 20001

    response = client.post(answer_url(private_question), {"body": body})

    assert response.status_code == 400
    assert "body" in response.context["answer_form"].errors
    assert body in _texts(response)
    assert not Answer.objects.exists()


def test_it_refuses_an_empty_answer_beside_the_field(as_user, client, private_question):
    as_user("mentor")

    response = client.post(answer_url(private_question), {"body": "   "})

    assert response.status_code == 400
    assert "body" in response.context["answer_form"].errors


def test_it_refuses_answers_on_a_duplicate(
    as_user, client, private_question, public_question, mentor
):
    question_mark_duplicate(question=private_question, original=public_question, by=mentor)
    as_user("mentor")

    response = client.post(answer_url(private_question), {"body": "Late answer"})

    assert response.status_code == 403
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 302),
        ("classmate", 403),
        ("other_student", 404),
        ("mentor", 403),
        ("colleague", 403),
        ("other_mentor", 404),
        ("supervisor", 403),
        ("other_supervisor", 404),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_asker_accept(as_user, client, answered_public, role, status):
    answer = answered_public.answers.get()
    as_user(role)

    response = client.post(accept_url(answered_public, answer))

    assert response.status_code == status
    answered_public.refresh_from_db()
    assert (answered_public.accepted_answer == answer) is (status == 302)


def test_it_refuses_to_accept_a_follow_up_with_a_message(
    as_user, client, answered_private, student
):
    follow_up = answer_post(question=answered_private, author=student, body="More")
    as_user("student")

    response = client.post(accept_url(answered_private, follow_up))

    assert response.status_code == 400
    assert 'data-testid="accept-error"' in _texts(response)


def test_it_hides_an_answer_of_another_question(
    as_user, client, answered_private, answered_public
):
    other = answered_public.answers.get()
    as_user("student")

    assert client.post(accept_url(answered_private, other)).status_code == 404


# --- Duplicates -------------------------------------------------------------------------


@pytest.fixture
def classmates_private(classmate):
    return ask(classmate, title="Flexbox centring private")


@pytest.fixture
def classmates_public(classmate):
    return ask(classmate, title="Flexbox centring public", visibility="programme")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("classmate", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("colleague", 404),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_lets_only_mentors_search_for_the_original(
    as_user, client, private_question, role, status
):
    as_user(role)

    response = client.get(f"{duplicate_search_url(private_question)}?q=flexbox")

    assert response.status_code == status


def test_it_finds_only_originals_the_asker_may_see(
    as_user, client, private_question, classmates_private, classmates_public
):
    as_user("staff")

    response = client.get(
        f"{duplicate_search_url(private_question)}?q=flexbox", HTTP_HX_REQUEST="true"
    )

    found = {hit.pk for hit in response.context["hits"]}
    assert classmates_public.pk in found
    assert classmates_private.pk not in found
    assert private_question.pk not in found
    assert "<html" not in _texts(response)
    assert "centring private" not in _texts(response)


def test_it_finds_nothing_for_an_empty_search(as_user, client, private_question):
    as_user("mentor")

    response = client.get(duplicate_search_url(private_question))

    assert response.context["hits"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("classmate", 403),
        ("mentor", 302),
        ("colleague", 404),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_mentors_mark_a_duplicate(
    as_user, client, private_question, classmates_public, role, status
):
    as_user(role)

    response = client.post(duplicate_url(private_question), {"original": classmates_public.pk})

    assert response.status_code == status
    private_question.refresh_from_db()
    assert (private_question.duplicate_of == classmates_public) is (status == 302)


def test_it_refuses_an_original_the_asker_may_not_see_beside_the_field(
    as_user, client, private_question, classmates_private
):
    as_user("staff")

    response = client.post(
        duplicate_url(private_question), {"original": classmates_private.pk, "q": "flexbox"}
    )

    assert response.status_code == 400
    assert 'data-testid="duplicate-error"' in _texts(response)
    assert 'value="flexbox"' in _texts(response)
    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.OPEN


@pytest.mark.parametrize("original", ["", "abc", "999999"])
def test_it_refuses_a_missing_or_unknown_original(as_user, client, private_question, original):
    as_user("mentor")

    response = client.post(duplicate_url(private_question), {"original": original})

    assert response.status_code == 400
    assert 'data-testid="duplicate-error"' in _texts(response)


def test_it_refuses_a_loop_of_duplicates_beside_the_field(
    as_user, client, student, mentor, private_question
):
    other = ask(student, title="Other")
    question_mark_duplicate(question=other, original=private_question, by=mentor)
    as_user("mentor")

    response = client.post(duplicate_url(private_question), {"original": other.pk})

    assert response.status_code == 400
    assert "duplicate of this one" in _texts(response)


# --- Entry points -----------------------------------------------------------------------


def test_it_puts_asking_in_a_students_navigation_and_home(as_user, client):
    as_user("student")

    content = _texts(client.get(reverse("metrics:home")))

    assert 'data-testid="nav-ask"' in content
    assert 'data-testid="home-ask"' in content
    assert f'href="{ASK}"' in content


def test_it_asks_about_a_project_from_its_page(as_user, client, project):
    as_user("student")

    content = _texts(client.get(reverse("projects:project", args=[project.pk])))

    assert f'href="{ASK}?project={project.pk}"' in content


def test_it_gives_mentors_the_queue_with_its_count(as_user, client, private_question):
    as_user("mentor")

    response = client.get(LIST)

    content = _texts(response)
    assert f'href="{QUEUE}" data-testid="nav-questions"' in content
    assert 'data-testid="nav-ask"' not in content
    assert response.context["open_questions"] == 1


def test_it_counts_the_open_questions_in_one_query(rf, mentor, django_assert_num_queries):
    request = rf.get("/")
    request.user = mentor

    context = questions_in_navigation(request)
    with django_assert_num_queries(1):
        assert int(str(context["open_questions"])) == 0


def test_it_counts_the_open_questions_once_a_minute(
    rf, mentor, private_question, django_assert_num_queries
):
    request = rf.get("/")
    request.user = mentor
    assert int(str(questions_in_navigation(request)["open_questions"])) == 1
    ask(private_question.author, title="Another one")

    with django_assert_num_queries(0):
        assert int(str(questions_in_navigation(request)["open_questions"])) == 1
    cache.clear()
    assert int(str(questions_in_navigation(request)["open_questions"])) == 2


def test_it_counts_afresh_when_the_cache_does_not_answer(rf, mentor, private_question):
    request = rf.get("/")
    request.user = mentor

    with patch.object(cache, "get", side_effect=ConnectionError("cache down")):
        assert int(str(questions_in_navigation(request)["open_questions"])) == 1


def test_it_speaks_russian_with_its_plurals(as_user, client, student, mentor):
    for number in range(2):
        ask(student, title=f"Вопрос {number}")
    mentor.language = "ru"
    mentor.save()
    as_user("mentor")

    content = _texts(client.get(QUEUE))

    assert "Вопросы, ждущие ответа" in content
    assert "2 ждут ответа" in content
