"""``/api/v1/questions/`` and ``/api/v1/articles/``: who sees what, asking, answering,
accepting, filters, search (best match first) and paging, query counts, the schema.

``student`` and ``classmate`` are in ``programme``; ``other_student`` is in
``other_programme``. ``mentor`` mentors ``student`` and teaches ``programme``;
``programme_mentor`` teaches it without mentoring ``student``; ``other_mentor``
mentors ``other_student`` and teaches ``other_programme``."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from conftest import ROLES
from knowledge_base.api import articles as api_articles
from knowledge_base.api import questions as api_questions
from knowledge_base.api.common import SearchablePagination
from knowledge_base.models import (
    Article,
    ArticleStatus,
    ArticleVote,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from knowledge_base.questions import answer_accept, answer_post, question_ask
from knowledge_base.tests.search_counting import own_queries
from mentorship import services
from mentorship.tests.factories import MentorFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "classmate", "programme_mentor"]
# Who sees a question of ``student``'s, by its visibility.
READERS = {
    QuestionVisibility.PRIVATE: {"student", "mentor", "supervisor", "staff"},
    QuestionVisibility.PROGRAMME: {
        "student",
        "mentor",
        "supervisor",
        "staff",
        "classmate",
        "programme_mentor",
    },
}
STAFF_SIDE = {"mentor", "other_mentor", "programme_mentor", "supervisor", "other_supervisor"}


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Web development")


@pytest.fixture
def other_programme(db):
    return ProgrammeFactory(title="Data analysis")


@pytest.fixture
def classmate(db, programme):
    user = StudentFactory(display_name="Clara Classmate")
    EnrolmentFactory(student=user, programme=programme)
    return user


@pytest.fixture
def programme_mentor(db, programme):
    user = MentorFactory(display_name="Pavel Programmementor")
    user.mentor_profile.programmes.add(programme)
    return user


@pytest.fixture(autouse=True)
def school(db, programme, other_programme, student, other_student, mentor, other_mentor):
    EnrolmentFactory(student=student, programme=programme)
    EnrolmentFactory(student=other_student, programme=other_programme)
    mentor.mentor_profile.programmes.add(programme)
    other_mentor.mentor_profile.programmes.add(other_programme)


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Git", slug="git")


def ask(author, title="How do I rebase?", **fields) -> Question:
    return question_ask(author=author, title=title, body=fields.pop("body", "Details."), **fields)


@pytest.fixture
def questions(student):
    return {
        QuestionVisibility.PRIVATE: ask(student, "Private: my code review"),
        QuestionVisibility.PROGRAMME: ask(
            student, "Public: merge conflicts", visibility=QuestionVisibility.PROGRAMME
        ),
    }


def _list_url(query: str = "") -> str:
    return reverse("api:question-list") + query


def _detail_url(question) -> str:
    return reverse("api:question-detail", args=[question.pk])


def _answers_url(question) -> str:
    return reverse("api:question-answers", args=[question.pk])


def _accept_url(question) -> str:
    return reverse("api:question-accept", args=[question.pk])


def _post(client, url: str, body: dict, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- Anonymous callers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name", "detail"),
    [
        ("get", "api:question-list", False),
        ("post", "api:question-list", False),
        ("get", "api:question-detail", True),
        ("post", "api:question-answers", True),
        ("post", "api:question-accept", True),
        ("get", "api:article-list", False),
        ("get", "api:article-detail", True),
    ],
)
def test_it_answers_anonymous_callers_with_401(client, questions, method, url_name, detail):
    question = questions[QuestionVisibility.PROGRAMME]
    url = reverse(url_name, args=[question.pk] if detail else [])

    response = getattr(client, method)(url)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"


# --- Who sees a question --------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("visibility", list(READERS))
def test_it_shows_a_question_only_to_those_who_may_see_it(
    client, as_user, questions, role, visibility
):
    as_user(role)

    response = client.get(_detail_url(questions[visibility]))

    assert response.status_code == (200 if role in READERS[visibility] else 404)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_it_lists_only_the_questions_the_caller_may_see(client, as_user, questions, role):
    as_user(role)

    listed = set(_ids(client.get(_list_url())))

    assert listed == {
        question.pk for visibility, question in questions.items() if role in READERS[visibility]
    }


@pytest.mark.parametrize("role", ["classmate", "other_student"])
def test_it_never_shows_a_private_question_to_another_student(client, as_user, questions, role):
    private = questions[QuestionVisibility.PRIVATE]
    as_user(role)

    responses = [
        client.get(_list_url()),
        client.get(_list_url("?search=private code review")),
        client.get(_list_url("?search=private&visibility=private")),
        client.get(_detail_url(private)),
    ]

    assert [response.status_code for response in responses] == [200, 200, 200, 404]
    for response in responses:
        assert "my code review" not in response.content.decode()


def test_it_accepts_an_api_token(client, staff, mentor, questions):
    _token, key = services.api_token_create(name="Helpdesk", user=mentor, created_by=staff)

    response = client.get(_list_url(), headers={"Authorization": f"Bearer {key}"})

    assert set(_ids(response)) == {question.pk for question in questions.values()}


def test_it_refuses_a_revoked_or_unknown_token(client, questions):
    response = client.get(_list_url(), headers={"Authorization": "Bearer mp_nothing"})

    assert response.status_code == 401


def test_it_stops_showing_private_questions_to_a_former_mentor(
    client, as_user, questions, student
):
    student.mentor_assignments.update(ended_at=timezone.now())
    as_user("mentor")

    assert _ids(client.get(_list_url())) == [questions[QuestionVisibility.PROGRAMME].pk]


# --- What a question shows -------------------------------------------------------------


def test_it_describes_a_question_with_its_thread(client, as_user, student, mentor, topic):
    question = ask(student, body="It says **detached HEAD**. <script>alert(1)</script>")
    question.topics.add(topic)
    answer = answer_post(question=question, author=mentor, body="Run `git switch -`.")
    follow_up = answer_post(question=question, author=student, body="Thanks, and then?")
    as_user("student")

    data = client.get(_detail_url(question)).json()

    assert data["title"] == "How do I rebase?"
    assert data["asker"] == {"id": student.pk, "display_name": "Stas Student"}
    assert data["body"].startswith("It says **detached HEAD**.")
    assert "<strong>detached HEAD</strong>" in data["body_html"]
    assert "<script>" not in data["body_html"]
    assert data["topics"] == [{"id": topic.pk, "slug": "git", "name": "Git"}]
    assert data["status"] == QuestionStatus.OPEN
    assert data["answer_count"] == 1
    assert data["duplicate_of"] is None
    assert data["answers"] == [
        {
            "id": answer.pk,
            "author": {"id": mentor.pk, "display_name": "Maria Mentor"},
            "body": "Run `git switch -`.",
            "body_html": "<p>Run <code>git switch -</code>.</p>",
            "is_follow_up": False,
            "is_accepted": False,
            "created_at": data["answers"][0]["created_at"],
        },
        {
            "id": follow_up.pk,
            "author": {"id": student.pk, "display_name": "Stas Student"},
            "body": "Thanks, and then?",
            "body_html": "<p>Thanks, and then?</p>",
            "is_follow_up": True,
            "is_accepted": False,
            "created_at": data["answers"][1]["created_at"],
        },
    ]


@pytest.mark.parametrize(
    ("role", "hidden"),
    [("classmate", True), ("student", False), ("programme_mentor", False), ("staff", False)],
)
def test_it_hides_the_askers_name_from_other_students_when_asked(
    client, as_user, student, programme_mentor, role, hidden
):
    question = ask(student, visibility=QuestionVisibility.PROGRAMME, hide_name=True)
    answer_post(question=question, author=programme_mentor, body="Try this.")
    answer_post(question=question, author=student, body="It worked.")
    as_user(role)

    listed = client.get(_list_url()).json()["results"][0]["asker"]
    detail = client.get(_detail_url(question)).json()

    expected = (
        {"display_name": "A student"}
        if hidden
        else {"id": student.pk, "display_name": "Stas Student"}
    )
    assert listed == expected
    assert detail["asker"] == expected
    assert detail["answers"][0]["author"] == {
        "id": programme_mentor.pk,
        "display_name": "Pavel Programmementor",
    }
    assert detail["answers"][1]["author"] == expected
    if hidden:
        assert "Stas" not in client.get(_detail_url(question)).content.decode()


def test_it_points_to_the_original_of_a_duplicate_only_when_visible(
    client, as_user, student, classmate, mentor
):
    original = ask(student, "Private original")
    duplicate = ask(student, "Duplicate", visibility=QuestionVisibility.PROGRAMME)
    Question.objects.filter(pk=duplicate.pk).update(
        status=QuestionStatus.DUPLICATE, duplicate_of=original
    )

    as_user("student")
    assert client.get(_detail_url(duplicate)).json()["duplicate_of"] == original.pk
    as_user("classmate")
    assert client.get(_detail_url(duplicate)).json()["duplicate_of"] is None


# --- Filters ---------------------------------------------------------------------------


def test_it_filters_questions(client, as_user, student, mentor, programme, topic):
    project = ProjectFactory(programme=programme)
    tagged = ask(student, "Tagged", topics=[topic])
    about_project = ask(student, "About the project", project=project)
    public = ask(student, "Public", visibility=QuestionVisibility.PROGRAMME)
    answer_post(question=public, author=mentor, body="Here.")
    as_user("mentor")

    def ids(query):
        return _ids(client.get(_list_url(query)))

    assert ids("?status=answered") == [public.pk]
    assert ids(f"?project={project.pk}") == [about_project.pk]
    assert ids(f"?topic={topic.pk}") == [tagged.pk]
    assert ids("?visibility=programme") == [public.pk]
    assert ids(f"?programme={programme.pk}") == [public.pk, about_project.pk, tagged.pk]
    assert ids(f"?programme={programme.pk + 1000}") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=closed", "status"),
        ("?programme=web", "programme"),
        ("?project=1.5", "project"),
        ("?topic=git", "topic"),
        ("?visibility=public", "visibility"),
        ("?search=" + "x" * 201, "search"),
    ],
)
def test_it_names_a_bad_filter(client, as_user, questions, query, field):
    as_user("student")

    response = client.get(_list_url(query))

    assert response.status_code == 400
    assert set(response.json()) == {field}


# --- Asking ---------------------------------------------------------------------------


def test_it_lets_a_student_ask(client, as_user, student, mentor, programme, topic):
    project = ProjectFactory(programme=programme)
    as_user("student")

    response = _post(
        client,
        _list_url(),
        {
            "title": "Why does my test hang?",
            "body": "It waits **forever**.",
            "project": project.pk,
            "topics": [topic.pk],
            "visibility": "programme",
            "hide_name": True,
        },
    )

    assert response.status_code == 201, response.content
    question = Question.objects.get()
    data = response.json()
    assert data["id"] == question.pk
    assert data["asker"] == {"id": student.pk, "display_name": "Stas Student"}
    assert data["programme"] == programme.pk
    assert data["project"] == project.pk
    assert data["topics"] == [{"id": topic.pk, "slug": "git", "name": "Git"}]
    assert data["language"] == "en"
    assert data["visibility"] == "programme"
    assert data["hide_name"] is True
    assert data["answers"] == []
    assert "<strong>forever</strong>" in data["body_html"]
    assert (question.author, question.programme, question.project) == (
        student,
        programme,
        project,
    )
    assert mentor.notifications.filter(kind="question_asked").count() == 1


def test_it_asks_privately_in_the_students_programme_by_default(client, as_user, programme):
    as_user("student")

    response = _post(client, _list_url(), {"title": "Where do I start?"})

    assert response.status_code == 201, response.content
    question = Question.objects.get()
    assert (question.visibility, question.programme, question.body) == (
        QuestionVisibility.PRIVATE,
        programme,
        "",
    )


def test_it_guesses_russian_from_a_cyrillic_title(client, as_user):
    as_user("student")

    response = _post(client, _list_url(), {"title": "Как сделать ребейз ветки?"})

    assert response.status_code == 201
    assert response.json()["language"] == "ru"
    assert Question.objects.get().language == "ru"


def test_it_keeps_the_language_given(client, as_user):
    as_user("student")

    response = _post(client, _list_url(), {"title": "Как сделать ребейз?", "language": "en"})

    assert response.json()["language"] == "en"


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in ("student", "classmate")])
def test_it_lets_only_enrolled_students_ask(client, as_user, role):
    as_user(role)

    response = _post(client, _list_url(), {"title": "Can I ask?", "visibility": "nope"})

    if role == "other_student":
        # Enrolled in their own programme: may ask, and is told what is wrong.
        assert response.status_code == 400
        assert set(response.json()) == {"visibility"}
    else:
        assert response.status_code == 403
        assert "detail" in response.json()
    assert not Question.objects.exists()


def test_it_speaks_the_callers_language(client, as_user, student, mentor, classmate):
    question = ask(student, visibility=QuestionVisibility.PROGRAMME, hide_name=True)
    for user in (mentor, classmate):
        user.language = "ru"
        user.save(update_fields=["language"])
    as_user("mentor")
    refused = _post(client, _list_url(), {"title": "Can I?"})
    as_user("classmate")
    asker = client.get(_detail_url(question)).json()["asker"]

    assert refused.json() == {
        "detail": "Задавать вопросы могут только студенты, зачисленные на программу."
    }
    assert asker == {"display_name": "Студент"}


def test_it_refuses_a_student_enrolled_nowhere(client):
    client.force_login(StudentFactory())

    response = _post(client, _list_url(), {"title": "Can I ask?"})

    assert response.status_code == 403
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("no_title", "title"),
        ("blank_title", "title"),
        ("long_title", "title"),
        ("bad_visibility", "visibility"),
        ("bad_language", "language"),
        ("other_programmes_project", "project"),
        ("unknown_project", "project"),
        ("other_programme", "programme"),
        ("project_not_in_programme", "project"),
        ("unknown_topic", "topics"),
        ("topics_not_a_list", "topics"),
        ("topic_slug", "topics"),
        ("bad_hide_name", "hide_name"),
        ("body_not_text", "body"),
    ],
)
def test_it_names_each_bad_field(
    client, as_user, programme, other_programme, topic, change, field
):
    body = {"title": "A good title", "body": "Details."}
    if change == "no_title":
        del body["title"]
    elif change == "blank_title":
        body["title"] = "   "
    elif change == "long_title":
        body["title"] = "x" * 201
    elif change == "bad_visibility":
        body["visibility"] = "everyone"
    elif change == "bad_language":
        body["language"] = "fr"
    elif change == "other_programmes_project":
        body["project"] = ProjectFactory(programme=other_programme).pk
    elif change == "unknown_project":
        body["project"] = 999999
    elif change == "other_programme":
        body["programme"] = other_programme.pk
    elif change == "project_not_in_programme":
        EnrolmentFactory(student=as_user("student"), programme=other_programme)
        body["programme"] = other_programme.pk
        body["project"] = ProjectFactory(programme=programme).pk
    elif change == "unknown_topic":
        body["topics"] = [topic.pk, 999999]
    elif change == "topics_not_a_list":
        body["topics"] = topic.pk
    elif change == "topic_slug":
        body["topics"] = ["git"]
    elif change == "bad_hide_name":
        body["hide_name"] = "perhaps"
    else:
        body["body"] = {"text": "nested"}
    as_user("student")

    response = _post(client, _list_url(), body)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}
    assert not Question.objects.exists()


def test_it_asks_which_programme_when_the_student_is_in_several(
    client, as_user, student, other_programme
):
    EnrolmentFactory(student=student, programme=other_programme)
    as_user("student")

    missing = _post(client, _list_url(), {"title": "Which one?"})
    chosen = _post(client, _list_url(), {"title": "This one", "programme": other_programme.pk})

    assert missing.status_code == 400
    assert set(missing.json()) == {"programme"}
    assert chosen.status_code == 201
    assert chosen.json()["programme"] == other_programme.pk


def test_it_refuses_a_malformed_body_with_a_json_error(client, as_user):
    as_user("student")

    response = client.post(_list_url(), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


# --- Answering ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("visibility", list(READERS))
def test_it_lets_those_who_may_answer(client, as_user, questions, role, visibility):
    question = questions[visibility]
    user = as_user(role)

    response = _post(client, _answers_url(question), {"body": "Try `git rebase -i`."})

    if role not in READERS[visibility]:
        assert response.status_code == 404
        assert not question.answers.exists()
        return
    assert response.status_code == 201, response.content
    answer = question.answers.get()
    data = response.json()
    assert data["id"] == answer.pk
    assert data["author"] == {"id": user.pk, "display_name": user.display_name}
    assert data["is_follow_up"] is (role == "student")
    assert data["body_html"] == "<p>Try <code>git rebase -i</code>.</p>"
    question.refresh_from_db()
    assert question.status == (
        QuestionStatus.OPEN if role == "student" else QuestionStatus.ANSWERED
    )


def test_it_reopens_a_question_when_the_asker_follows_up(client, as_user, questions, mentor):
    question = questions[QuestionVisibility.PRIVATE]
    answer = answer_post(question=question, author=mentor, body="Do this.")
    answer_accept(answer=answer, by=question.author)
    as_user("student")

    response = _post(client, _answers_url(question), {"body": "It broke again."})

    assert response.status_code == 201
    question.refresh_from_db()
    assert (question.status, question.accepted_answer) == (QuestionStatus.OPEN, None)


def test_it_refuses_answers_to_a_duplicate_with_403(client, as_user, questions):
    question = questions[QuestionVisibility.PROGRAMME]
    Question.objects.filter(pk=question.pk).update(
        status=QuestionStatus.DUPLICATE, duplicate_of=questions[QuestionVisibility.PRIVATE]
    )
    as_user("mentor")

    response = _post(client, _answers_url(question), {"body": "Late answer."})

    assert response.status_code == 403
    assert not question.answers.exists()


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": None}])
def test_it_names_a_missing_answer_body(client, as_user, questions, body):
    question = questions[QuestionVisibility.PRIVATE]
    as_user("mentor")

    response = _post(client, _answers_url(question), body)

    assert response.status_code == 400
    assert set(response.json()) == {"body"}
    assert not question.answers.exists()


# --- Accepting ------------------------------------------------------------------------


@pytest.fixture
def answered(questions, mentor, classmate):
    """The public question with the mentor's answer and a classmate's."""
    question = questions[QuestionVisibility.PROGRAMME]
    return {
        "question": question,
        "mentor": answer_post(question=question, author=mentor, body="From the mentor."),
        "classmate": answer_post(question=question, author=classmate, body="From a peer."),
    }


def test_it_lets_the_asker_accept_an_answer(client, as_user, answered, classmate):
    question, answer = answered["question"], answered["classmate"]
    as_user("student")

    response = _post(client, _accept_url(question), {"answer": answer.pk})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == QuestionStatus.ACCEPTED
    assert data["accepted_answer"] == answer.pk
    assert [row["is_accepted"] for row in data["answers"]] == [False, True]
    question.refresh_from_db()
    assert question.accepted_answer == answer
    assert classmate.notifications.filter(kind="answer_accepted").exists()


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "student"])
def test_it_lets_only_the_asker_accept(client, as_user, answered, role):
    question = answered["question"]
    as_user(role)

    response = _post(client, _accept_url(question), {"answer": answered["mentor"].pk})

    readers = READERS[QuestionVisibility.PROGRAMME]
    assert response.status_code == (403 if role in readers else 404)
    question.refresh_from_db()
    assert question.accepted_answer is None


@pytest.mark.parametrize(
    "change", ["missing", "unknown", "other_questions_answer", "follow_up", "not_an_id"]
)
def test_it_names_a_bad_answer_to_accept(client, as_user, answered, questions, mentor, change):
    question = answered["question"]
    if change == "missing":
        body = {}
    elif change == "unknown":
        body = {"answer": 999999}
    elif change == "other_questions_answer":
        other = answer_post(
            question=questions[QuestionVisibility.PRIVATE], author=mentor, body="Elsewhere."
        )
        body = {"answer": other.pk}
    elif change == "follow_up":
        body = {"answer": answer_post(question=question, author=question.author, body="Me").pk}
    else:
        body = {"answer": "first"}
    as_user("student")

    response = _post(client, _accept_url(question), body)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"answer"}
    assert not Question.objects.filter(accepted_answer__isnull=False).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", _detail_url),
        ("patch", _detail_url),
        ("delete", _detail_url),
        ("get", _answers_url),
        ("get", _accept_url),
    ],
)
def test_it_refuses_other_methods_with_405(client, as_user, questions, method, url):
    question = questions[QuestionVisibility.PRIVATE]
    as_user("student")

    response = getattr(client, method)(url(question), {}, content_type="application/json")

    assert response.status_code == 405
    assert Question.objects.filter(pk=question.pk, title=question.title).exists()


# --- Search and paging ----------------------------------------------------------------


def test_it_ranks_an_exact_title_match_first(client, as_user, student, classmate):
    # Every word in the body of a classmate's question, only some in another's title
    # and body: matched or not depending on the search's rules, never above the exact
    # title.
    in_body = ask(
        classmate,
        "Branches",
        body="I rebase my feature branch, then main moves on.",
        visibility=QuestionVisibility.PROGRAMME,
    )
    ask(student, "Rebase or merge?", body="When should I rebase a branch on main?")
    exact = ask(student, "Rebase a feature branch", body="Nothing more to say.")
    unrelated = ask(student, "Unrelated", body="CSS grid is confusing.")
    as_user("student")

    response = client.get(_list_url("?search=Rebase a feature branch"))

    results = response.json()["results"]
    ids = [row["id"] for row in results]
    assert ids[0] == exact.pk
    assert in_body.pk in ids
    assert unrelated.pk not in ids
    scores = [row["score"] for row in results]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[ids.index(in_body.pk)]
    assert all(isinstance(row["snippet"], str) for row in results)
    assert any("<mark>" in row["snippet"] for row in results)
    assert response.json()["count"] is None


def test_it_leaves_score_and_snippet_null_without_a_search(client, as_user, questions):
    as_user("student")

    for query in ("", "?search=", "?search=%20%20"):
        rows = client.get(_list_url(query)).json()["results"]
        assert len(rows) == 2
        assert {(row["score"], row["snippet"]) for row in rows} == {(None, None)}


def test_it_searches_within_the_filters(client, as_user, student, mentor):
    answered = ask(student, "Docker volumes", visibility=QuestionVisibility.PROGRAMME)
    ask(student, "Docker networks")
    answer_post(question=answered, author=mentor, body="Use a named volume.")
    as_user("mentor")

    assert _ids(client.get(_list_url("?search=docker&status=answered"))) == [answered.pk]
    assert len(_ids(client.get(_list_url("?search=docker")))) == 2


def test_it_pages_search_results(client, as_user, student, monkeypatch):
    monkeypatch.setattr(SearchablePagination, "page_size", 2)
    found = [ask(student, f"Docker question {n}") for n in range(5)]
    as_user("student")

    pages, url = [], _list_url("?search=docker")
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(_ids(response))
        url = response.json()["next"]

    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(pk for page in pages for pk in page) == sorted(q.pk for q in found)
    second = client.get(_list_url("?search=docker&page=2")).json()
    assert second["previous"].endswith("?search=docker")
    assert client.get(_list_url("?search=docker&page=4")).status_code == 404
    assert client.get(_list_url("?search=docker&page=zero")).status_code == 404


@pytest.mark.parametrize("page", [str(2**63 // 50 - 2), str(2**63 - 1), "9" * 20])
@pytest.mark.parametrize("kind", ["questions", "articles"])
def test_it_answers_404_to_a_search_page_beyond_any_offset(client, as_user, student, kind, page):
    ask(student, "Docker volumes")
    as_user("student")

    response = client.get(f"/api/v1/{kind}/", {"search": "docker", "page": page})

    # On PostgreSQL such an offset was refused by the database (bigint out of range).
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_it_pages_the_list_with_the_project_settings(client, as_user, student, monkeypatch):
    monkeypatch.setattr(SearchablePagination, "page_size", 2)
    asked = [ask(student, f"Question {n}") for n in range(3)]
    as_user("student")

    first = client.get(_list_url()).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [row["id"] for row in first["results"] + second["results"]] == [
        q.pk for q in reversed(asked)
    ]


def _many_questions(count: int, *, student, classmate, mentor, topic) -> None:
    for n in range(count):
        author = student if n % 2 else classmate
        question = ask(
            author,
            f"Docker question {n}",
            visibility=QuestionVisibility.PROGRAMME,
            hide_name=bool(n % 3),
            topics=[topic],
        )
        answer_post(question=question, author=mentor, body="Answer.")


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
@pytest.mark.parametrize("query", ["", "?search=docker"])
def test_it_lists_questions_in_a_constant_number_of_queries(
    client,
    as_user,
    student,
    classmate,
    mentor,
    topic,
    monkeypatch,
    count,
    role,
    query,
):
    _many_questions(count, student=student, classmate=classmate, mentor=mentor, topic=topic)
    as_user(role)

    # 1 session, 2 user, 3 the count (a list), 4 the page of questions with their
    # askers and answer counts, 5 their topics; a search replaces the count.
    with own_queries(monkeypatch, api_questions) as own:
        response = client.get(_list_url(query))

    assert own() <= 5 - bool(query)
    assert own.search.calls == bool(query)

    assert len(response.json()["results"]) == count


# --- Articles -------------------------------------------------------------------------


def article(title, *, status=ArticleStatus.PUBLISHED, programmes=(), authors=(), **fields):
    published_at = fields.pop("published_at", timezone.now())
    item = Article.objects.create(
        title=title,
        body=fields.pop("body", "Some **text**."),
        status=status,
        published_at=None if status == ArticleStatus.DRAFT else published_at,
        **fields,
    )
    item.programmes.set(programmes)
    item.authors.set(authors)
    return item


@pytest.fixture
def articles(programme, other_programme, mentor, programme_mentor):
    now = timezone.now()
    return {
        "programme": article(
            "Git basics",
            programmes=[programme],
            authors=[programme_mentor],
            published_at=now - timedelta(days=3),
        ),
        "school": article("How to ask a good question", published_at=now - timedelta(days=2)),
        "other_programme": article(
            "Pandas basics", programmes=[other_programme], published_at=now - timedelta(days=1)
        ),
        "draft": article("Rebasing, a draft", status=ArticleStatus.DRAFT, authors=[mentor]),
    }


PUBLISHED = {"programme", "school", "other_programme"}
ARTICLE_READERS = {
    "student": {"programme", "school"},
    "classmate": {"programme", "school"},
    "other_student": {"school", "other_programme"},
    "mentor": PUBLISHED | {"draft"},
    "other_mentor": PUBLISHED,
    "programme_mentor": PUBLISHED,
    "supervisor": PUBLISHED,
    "other_supervisor": PUBLISHED,
    "staff": PUBLISHED | {"draft"},
}


def _articles_url(query: str = "") -> str:
    return reverse("api:article-list") + query


def _article_url(item) -> str:
    return reverse("api:article-detail", args=[item.pk])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_it_lists_the_articles_the_caller_may_read_newest_first(client, as_user, articles, role):
    as_user(role)

    listed = _ids(client.get(_articles_url()))

    expected = [
        articles[name].pk
        for name in ("other_programme", "school", "programme", "draft")
        if name in ARTICLE_READERS[role]
    ]
    assert listed == expected


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", ["programme", "school", "other_programme", "draft"])
def test_it_shows_an_article_only_to_those_who_may_read_it(client, as_user, articles, role, name):
    as_user(role)

    response = client.get(_article_url(articles[name]))

    assert response.status_code == (200 if name in ARTICLE_READERS[role] else 404)


def test_it_describes_an_article_without_counting_a_view(
    client, as_user, articles, programme, programme_mentor, topic, student, classmate
):
    item = articles["programme"]
    item.topics.add(topic)
    project = ProjectFactory(programme=programme)
    item.projects.add(project)
    ArticleVote.objects.create(article=item, user=student)
    ArticleVote.objects.create(article=item, user=classmate)
    as_user("student")

    data = client.get(_article_url(item)).json()

    assert data["title"] == "Git basics"
    assert data["body"] == "Some **text**."
    assert data["body_html"] == "<p>Some <strong>text</strong>.</p>"
    assert data["status"] == ArticleStatus.PUBLISHED
    assert data["language"] == "en"
    assert data["topics"] == [{"id": topic.pk, "slug": "git", "name": "Git"}]
    assert data["programmes"] == [programme.pk]
    assert data["projects"] == [project.pk]
    assert data["authors"] == [
        {"id": programme_mentor.pk, "display_name": "Pavel Programmementor"}
    ]
    assert data["helpful_count"] == 2
    assert data["view_count"] == 0
    item.refresh_from_db()
    assert item.view_count == 0


def test_it_sanitises_an_articles_html(client, as_user, articles):
    item = article("Unsafe", body='<img src=x onerror="alert(1)"><script>x()</script>Hi')
    as_user("student")

    html = client.get(_article_url(item)).json()["body_html"]

    assert "onerror" not in html
    assert "<script>" not in html


def test_it_filters_articles(client, as_user, articles, programme, topic):
    project = ProjectFactory(programme=programme)
    articles["school"].projects.add(project)
    articles["school"].topics.add(topic)
    russian = article("Ребейз", language="ru")
    as_user("staff")

    def ids(query):
        return set(_ids(client.get(_articles_url(query))))

    assert ids(f"?programme={programme.pk}") == {articles["programme"].pk}
    assert ids(f"?project={project.pk}") == {articles["school"].pk}
    assert ids(f"?topic={topic.pk}") == {articles["school"].pk}
    assert ids("?language=ru") == {russian.pk}
    assert ids("?status=draft") == {articles["draft"].pk}


def test_it_lists_no_drafts_to_students_who_ask_for_them(client, as_user, articles):
    as_user("student")

    assert _ids(client.get(_articles_url("?status=draft"))) == []
    assert _ids(client.get(_articles_url("?search=draft"))) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=hidden", "status"),
        ("?language=xx", "language"),
        ("?programme=web", "programme"),
        ("?topic=git", "topic"),
        ("?project=1.5", "project"),
    ],
)
def test_it_names_a_bad_article_filter(client, as_user, articles, query, field):
    as_user("student")

    response = client.get(_articles_url(query))

    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_it_ranks_the_article_with_the_exact_title_first(client, as_user, articles):
    near = article("Basics of git branches", body="Git basics, then more git basics.")
    as_user("student")

    response = client.get(_articles_url("?search=Git basics"))

    results = response.json()["results"]
    assert [row["id"] for row in results] == [articles["programme"].pk, near.pk]
    assert results[0]["score"] >= results[1]["score"]
    assert any("<mark>" in row["snippet"] for row in results)


def test_it_searches_only_the_articles_the_caller_may_read(client, as_user, articles):
    as_user("other_student")

    assert _ids(client.get(_articles_url("?search=basics"))) == [articles["other_programme"].pk]


def test_it_refuses_writes_to_articles_with_405(client, as_user, articles):
    as_user("staff")
    item = articles["school"]

    responses = [
        _post(client, _articles_url(), {"title": "New"}),
        client.patch(_article_url(item), {"title": "X"}, content_type="application/json"),
        client.delete(_article_url(item)),
    ]

    assert [response.status_code for response in responses] == [405, 405, 405]
    assert Article.objects.filter(pk=item.pk, title="How to ask a good question").exists()


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "mentor", "staff"])
@pytest.mark.parametrize("query", ["", "?search=basics"])
def test_it_lists_articles_in_a_constant_number_of_queries(
    client,
    as_user,
    programme,
    mentor,
    topic,
    monkeypatch,
    count,
    role,
    query,
):
    project = ProjectFactory(programme=programme)
    for n in range(count):
        item = article(f"Basics {n}", programmes=[programme], authors=[mentor])
        item.topics.add(topic)
        item.projects.add(project)
        ArticleVote.objects.create(article=item, user=mentor)
    as_user(role)

    # 1 session, 2 user, 3 the count (a list), 4 the page of articles with their
    # helpful counts, 5 topics, 6 authors, 7 programmes, 8 projects; a search replaces
    # the count.
    with own_queries(monkeypatch, api_articles) as own:
        response = client.get(_articles_url(query))

    assert own() <= 8 - bool(query)
    assert own.search.calls == bool(query)

    assert len(response.json()["results"]) == count


# --- Schema ---------------------------------------------------------------------------


def test_it_documents_the_endpoints_without_schema_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    paths = schema["paths"]
    assert {
        "/api/v1/questions/",
        "/api/v1/questions/{id}/",
        "/api/v1/questions/{id}/answers/",
        "/api/v1/questions/{id}/accept/",
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
    } <= set(paths)
    questions = {p["name"] for p in paths["/api/v1/questions/"]["get"]["parameters"]}
    assert {"search", "status", "programme", "project", "topic", "visibility", "page"} <= (
        questions
    )
    articles = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert {"search", "programme", "project", "topic", "language", "status", "page"} <= articles
    ask_fields = schema["components"]["schemas"]["QuestionAsk"]["properties"]
    assert set(ask_fields) == {
        "title",
        "body",
        "programme",
        "project",
        "topics",
        "language",
        "visibility",
        "hide_name",
    }
    assert "score" in schema["components"]["schemas"]["Question"]["properties"]
    assert schema["components"]["schemas"]["Author"]["required"] == ["display_name"]
