"""The filters of ``/api/v1/questions/`` and ``/api/v1/articles/`` for the records
behind a scorecard's figure: a question's asker's mentor when it was asked, when it
was asked, whether anyone answered it; an article's author and when it was published.
Periods are ``_after`` inclusive, ``_before`` exclusive, a date being its midnight in
the caller's zone. They only narrow what the caller may already see.

``mover`` was ``other_mentor``'s student until 15 October 2026, 12:00 UTC, and is
``mentor``'s since; the role fixtures' students have had their mentors all year. Every
question here is private (the asker, their mentor now, that mentor's supervisor,
staff)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from knowledge_base.models import Article, ArticleStatus, Question, QuestionStatus
from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
MOVED = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
ASKED_IN_OCTOBER = "asked_after=2026-10-01T00:00:00Z&asked_before=2026-11-01T00:00:00Z"
PUBLISHED_IN_OCTOBER = "published_after=2026-10-01T00:00:00Z&published_before=2026-11-01T00:00:00Z"


def utc(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def _people(request, *names: str) -> dict[str, int]:
    return {name: request.getfixturevalue(name).pk for name in names}


def _names(client, url_name: str, records: dict, query: str) -> list[str]:
    response = client.get(reverse(url_name) + "?" + query)
    assert response.status_code == 200, response.content
    by_pk = {record.pk: name for name, record in records.items()}
    return sorted(by_pk[row["id"]] for row in response.json()["results"])


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Web development")


@pytest.fixture
def mover(student, other_student, mentor, other_mentor, programme):
    Assignment.objects.update(started_at=JANUARY)  # the fixtures' students, all year
    user = StudentFactory(display_name="Mila Mover")
    Assignment.objects.create(
        student=user, mentor=other_mentor, started_at=JANUARY, ended_at=MOVED
    )
    Assignment.objects.create(student=user, mentor=mentor, started_at=MOVED)
    for person in (student, other_student, user):
        EnrolmentFactory(student=person, programme=programme)
    return user


# --- Questions ------------------------------------------------------------------------


def _question(author, programme, created_at, *, answered_at=None) -> Question:
    return Question.objects.create(
        author=author,
        programme=programme,
        title=f"Asked at {created_at:%Y-%m-%d %H:%M:%S}",
        language="en",
        status=QuestionStatus.ANSWERED if answered_at else QuestionStatus.OPEN,
        created_at=created_at,
        first_answered_at=answered_at,
    )


@pytest.fixture
def questions(student, other_student, mover, programme):
    return {
        # The first moment of October, answered two hours later.
        "early": _question(student, programme, utc(10, 1), answered_at=utc(10, 1, 2)),
        "september": _question(student, programme, utc(9, 30, 23, 59, 59)),
        "november": _question(student, programme, utc(11, 1), answered_at=utc(11, 2)),
        # Asked while other_mentor was mover's mentor.
        "moved_old": _question(mover, programme, utc(10, 5), answered_at=utc(10, 6)),
        "moved_new": _question(mover, programme, utc(10, 20)),
        "theirs": _question(other_student, programme, utc(10, 10), answered_at=utc(10, 10, 5)),
    }


def _questions(client, questions, query: str) -> list[str]:
    return _names(client, "api:question-list", questions, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mentor={mentor}", ["early", "moved_new", "november", "september"]),
        ("mentor={other_mentor}", ["moved_old", "theirs"]),
        ("mentor={student}", []),
        (ASKED_IN_OCTOBER, ["early", "moved_new", "moved_old", "theirs"]),
        ("asked_after=2026-10-10T00:00:00Z", ["moved_new", "november", "theirs"]),
        ("asked_before=2026-10-05T00:00:00Z", ["early", "september"]),
        ("answered=true", ["early", "moved_old", "november", "theirs"]),
        ("answered=false", ["moved_new", "september"]),
        # The time-to-first-answer figure's records: a mentor's answered questions.
        (f"mentor={{mentor}}&answered=true&{ASKED_IN_OCTOBER}", ["early"]),
        (f"mentor={{other_mentor}}&{ASKED_IN_OCTOBER}", ["moved_old", "theirs"]),
        ("status=open&mentor={mentor}", ["moved_new", "september"]),
    ],
)
def test_it_filters_questions_by_each_field(client, as_user, questions, query, expected, request):
    as_user("staff")
    people = _people(request, "mentor", "other_mentor", "student")

    assert _questions(client, questions, query.format(**people)) == expected


def test_it_includes_the_moment_asked_after_and_excludes_the_one_before(
    client, as_user, questions
):
    as_user("staff")

    assert "early" in _questions(client, questions, "asked_after=2026-10-01T00:00:00Z")
    assert "early" not in _questions(client, questions, "asked_before=2026-10-01T00:00:00Z")
    september = _questions(client, questions, "asked_before=2026-10-01T00:00:00Z")
    october = _questions(client, questions, ASKED_IN_OCTOBER)
    november = _questions(client, questions, "asked_after=2026-11-01T00:00:00Z")
    assert (september, november) == (["september"], ["november"])
    assert sorted(september + october + november) == sorted(questions)


def test_it_counts_a_question_for_the_askers_mentor_when_asked(
    client, as_user, questions, mentor, other_mentor
):
    as_user("staff")

    before_the_move = _questions(client, questions, f"mentor={other_mentor.pk}&{ASKED_IN_OCTOBER}")
    after_the_move = _questions(client, questions, f"mentor={mentor.pk}&{ASKED_IN_OCTOBER}")

    assert before_the_move == ["moved_old", "theirs"]
    assert after_the_move == ["early", "moved_new"]


def test_it_reads_a_question_date_in_the_callers_time_zone(client, as_user, questions, staff):
    as_user("staff")
    in_utc = _questions(client, questions, "asked_before=2026-10-01")
    staff.time_zone = "Europe/Moscow"  # UTC+3: 1 October begins at 21:00 UTC on 30 September
    staff.save()

    in_moscow = _questions(client, questions, "asked_before=2026-10-01")
    november_in_moscow = _questions(client, questions, "asked_after=2026-11-01")

    assert in_utc == ["september"]
    assert in_moscow == []
    assert november_in_moscow == ["november"]  # 03:00 on 1 November in Moscow


def test_it_searches_within_the_new_filters(client, as_user, questions, mentor):
    as_user("staff")

    found = _questions(client, questions, f"search=asked&mentor={mentor.pk}&answered=true")

    assert found == ["early", "november"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("mentor=maria", "mentor"),
        ("mentor=0", "mentor"),
        ("asked_after=monday", "asked_after"),
        ("asked_before=2026-10-01T00:00", "asked_before"),
        ("asked_before=2026-06-31", "asked_before"),
        ("answered=perhaps", "answered"),
    ],
)
def test_it_names_a_bad_question_filter(client, as_user, questions, query, field):
    as_user("mentor")

    response = client.get(reverse("api:question-list") + "?" + query)

    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        # mover is mentor's student now: their questions are mentor's to see.
        ("mentor", "mentor={other_mentor}", ["moved_old"]),
        # other_mentor no longer sees mover's, not even the question of their time.
        ("other_mentor", "mentor={other_mentor}", ["theirs"]),
        ("other_mentor", "mentor={mentor}", []),
        ("other_supervisor", "mentor={mentor}", []),
        ("supervisor", "mentor={other_mentor}", ["moved_old"]),
        ("student", "mentor={other_mentor}", []),
        ("student", "mentor={mentor}", ["early", "november", "september"]),
        ("other_student", "mentor={mentor}", []),
    ],
)
def test_it_never_widens_the_questions_the_caller_may_see(
    client, as_user, questions, role, query, expected, request
):
    as_user(role)
    people = _people(request, "mentor", "other_mentor")

    assert _questions(client, questions, query.format(**people)) == expected


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_filters_questions_in_a_constant_number_of_queries(
    client, as_user, mentor, programme, django_assert_max_num_queries, count, role
):
    for index in range(count):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor, started_at=JANUARY)
        day = 1 + index % 28
        _question(student, programme, utc(10, day, 9), answered_at=utc(10, day, 11))
    as_user(role)
    query = f"?mentor={mentor.pk}&answered=true&asked_after=2026-10-01&asked_before=2026-11-01"

    # 1 session, 2 user, 3 count, 4 the page of questions with their askers and
    # answer counts, 5 their topics.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("api:question-list") + query)

    assert response.json()["count"] == count


# --- Articles -------------------------------------------------------------------------


def _article(authors, published_at, *, programmes=(), status=ArticleStatus.PUBLISHED):
    article = Article.objects.create(
        title=f"Published at {published_at}",
        body="Some **text**.",
        status=status,
        published_at=published_at,
    )
    article.authors.set(authors)
    article.programmes.set(programmes)
    return article


@pytest.fixture
def articles(mentor, other_mentor):
    elsewhere = ProgrammeFactory(title="Data analysis")
    return {
        "early": _article([mentor], utc(10, 1)),  # the first moment of October
        "september": _article([mentor], utc(9, 30, 23, 59, 59)),
        "november": _article([mentor], utc(11, 1)),
        "together": _article([mentor, other_mentor], utc(10, 10)),
        "theirs": _article([other_mentor], utc(10, 5)),
        "for_data": _article([mentor], utc(10, 12), programmes=[elsewhere]),
        "draft": _article([other_mentor], None, status=ArticleStatus.DRAFT),
    }


def _articles(client, articles, query: str) -> list[str]:
    return _names(client, "api:article-list", articles, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author={mentor}", ["early", "for_data", "november", "september", "together"]),
        ("author={other_mentor}", ["draft", "theirs", "together"]),
        ("author={student}", []),
        (PUBLISHED_IN_OCTOBER, ["early", "for_data", "theirs", "together"]),
        ("published_after=2026-10-10T00:00:00Z", ["for_data", "november", "together"]),
        ("published_before=2026-10-05T00:00:00Z", ["early", "september"]),
        # The articles-published figure's records: a mentor's articles in October.
        (f"author={{mentor}}&{PUBLISHED_IN_OCTOBER}", ["early", "for_data", "together"]),
        (f"author={{other_mentor}}&{PUBLISHED_IN_OCTOBER}", ["theirs", "together"]),
    ],
)
def test_it_filters_articles_by_each_field(client, as_user, articles, query, expected, request):
    as_user("staff")
    people = _people(request, "mentor", "other_mentor", "student")

    assert _articles(client, articles, query.format(**people)) == expected


def test_it_includes_the_moment_published_after_and_excludes_the_one_before(
    client, as_user, articles
):
    as_user("staff")

    assert "early" in _articles(client, articles, "published_after=2026-10-01T00:00:00Z")
    assert "early" not in _articles(client, articles, "published_before=2026-10-01T00:00:00Z")
    september = _articles(client, articles, "published_before=2026-10-01T00:00:00Z")
    october = _articles(client, articles, PUBLISHED_IN_OCTOBER)
    november = _articles(client, articles, "published_after=2026-11-01T00:00:00Z")
    assert (september, november) == (["september"], ["november"])
    # Only the draft, never published, is in no period.
    assert sorted(september + october + november + ["draft"]) == sorted(articles)


def test_it_reads_an_article_date_in_the_callers_time_zone(client, as_user, articles, staff):
    as_user("staff")
    in_utc = _articles(client, articles, "published_before=2026-10-01")
    staff.time_zone = "America/Sao_Paulo"  # UTC-3: 1 October begins at 03:00 UTC
    staff.save()

    in_sao_paulo = _articles(client, articles, "published_before=2026-10-01")

    assert in_utc == ["september"]
    assert in_sao_paulo == ["early", "september"]  # midnight UTC is 21:00 on 30 September


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("author=maria", "author"),
        ("author=0", "author"),
        ("published_after=2026-10", "published_after"),
        ("published_before=2026-10-01T12:00:00", "published_before"),
    ],
)
def test_it_names_a_bad_article_filter(client, as_user, articles, query, field):
    as_user("student")

    response = client.get(reverse("api:article-list") + "?" + query)

    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        # A draft is its authors' and staff's only.
        ("mentor", "author={other_mentor}", ["theirs", "together"]),
        ("other_mentor", "author={other_mentor}", ["draft", "theirs", "together"]),
        # A student reads the school's articles and their programmes', not the others'.
        ("student", "author={mentor}", ["early", "november", "september", "together"]),
        ("student", "author={other_mentor}", ["theirs", "together"]),
    ],
)
def test_it_never_widens_the_articles_the_caller_may_read(
    client, as_user, articles, mover, role, query, expected, request
):
    as_user(role)
    people = _people(request, "mentor", "other_mentor")

    assert _articles(client, articles, query.format(**people)) == expected


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "mentor", "staff"])
def test_it_filters_articles_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    for index in range(count):
        _article([mentor], utc(10, 1 + index % 28, 9))
    as_user(role)
    query = f"?author={mentor.pk}&published_after=2026-10-01&published_before=2026-11-01"

    # 1 session, 2 user, 3 count, 4 the page of articles with their helpful counts,
    # 5 topics, 6 authors, 7 programmes, 8 projects.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:article-list") + query)

    assert response.json()["count"] == count


# --- Schema ---------------------------------------------------------------------------


def test_it_documents_each_filter_and_its_bounds(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    questions = parameters("/api/v1/questions/")
    articles = parameters("/api/v1/articles/")
    assert {"mentor", "asked_after", "asked_before", "answered"} <= set(questions)
    assert {"author", "published_after", "published_before"} <= set(articles)
    for found, name in ((questions, "asked"), (articles, "published")):
        assert "(inclusive)" in found[f"{name}_after"]["description"]
        assert "(exclusive)" in found[f"{name}_before"]["description"]
