"""The article pages: list, article, write, edit, publish, archive, history, "this
helped" and a question turned into a draft, for every role; their query counts."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from knowledge_base.models import Article, ArticleStatus, ArticleVote, QuestionVisibility
from knowledge_base.tests.helpers_articles import (
    build_school,
    make_answer,
    make_article,
    make_outside_student,
    make_question,
    make_topic,
)
from mentorship.models import ActivityEvent, ActivityKind
from mentorship.tests.factories import MentorFactory, StudentFactory
from projects.tests.factories import ProjectFactory

LIST = reverse("knowledge_base:article_list")
NEW = reverse("knowledge_base:article_create")
EVERYONE = [*ROLES, "outside_student"]


def url(name, article):
    return reverse(f"knowledge_base:{name}", args=[article.pk])


@pytest.fixture
def outside_student(db):
    return make_outside_student()


@pytest.fixture
def school(student, other_student, mentor, other_mentor, outside_student):
    return build_school(
        student=student,
        other_student=other_student,
        mentor=mentor,
        other_mentor=other_mentor,
        outside_student=outside_student,
    )


@pytest.fixture
def answered(school, student, mentor):
    """``student``'s private question, answered by their mentor."""
    question = make_question(author=student, programme=school.web, title="Stas is stuck")
    make_answer(question, author=mentor, body="Stas, read the log.")
    return question


def form_data(school, **changes):
    return {
        "title": "Reading logs",
        "body": "Read them **slowly**.",
        "language": "en",
        "topics": [school.topic.pk],
        "programmes": [school.web.pk],
        "projects": [school.web_project.pk],
        **changes,
    }


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [LIST, NEW, "/kb/1/", "/kb/1/edit/", "/kb/1/history/", "/questions/1/to-article/"],
)
def test_it_sends_anonymous_people_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["article_publish", "article_archive", "article_helped"])
def test_it_changes_nothing_for_anonymous_posts(client, school, name):
    response = client.post(url(name, school.for_web))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not ArticleVote.objects.exists()
    assert Article.objects.get(pk=school.for_web.pk).status == ArticleStatus.PUBLISHED


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("student", ["For everyone", "For web"]),
        ("other_student", ["For everyone", "For web"]),
        ("outside_student", ["For data", "For everyone"]),
        ("mentor", ["For data", "For everyone", "For web"]),
        ("other_mentor", ["For data", "For everyone", "For web"]),
        ("supervisor", ["For data", "For everyone", "For web"]),
        ("other_supervisor", ["For data", "For everyone", "For web"]),
        ("staff", ["For data", "For everyone", "For web"]),
    ],
)
def test_it_lists_the_published_articles_each_person_may_read(
    as_user, client, school, role, titles
):
    as_user(role)

    response = client.get(LIST)

    assert response.status_code == 200
    assert sorted(article.title for article in response.context["page"].object_list) == titles


@pytest.mark.parametrize(
    ("role", "for_web", "for_data", "draft"),
    [
        ("student", 200, 404, 404),
        ("other_student", 200, 404, 404),
        ("outside_student", 404, 200, 404),
        ("mentor", 200, 200, 200),
        ("other_mentor", 200, 200, 404),
        ("supervisor", 200, 200, 404),
        ("other_supervisor", 200, 200, 404),
        ("staff", 200, 200, 200),
    ],
)
def test_it_shows_an_article_only_to_whoever_may_read_it(
    as_user, client, school, role, for_web, for_data, draft
):
    as_user(role)

    assert client.get(url("article_detail", school.for_web)).status_code == for_web
    assert client.get(url("article_detail", school.for_data)).status_code == for_data
    assert client.get(url("article_detail", school.draft)).status_code == draft
    assert client.get(url("article_detail", school.archived)).status_code == draft


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("outside_student", 403),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_lets_mentors_supervisors_and_staff_write(as_user, client, school, role, status):
    as_user(role)
    before = Article.objects.count()

    assert client.get(NEW).status_code == status
    response = client.post(NEW, form_data(school, programmes=[], projects=[]))

    assert response.status_code == (302 if status == 200 else status)
    assert Article.objects.count() == before + (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("role", "published", "draft"),
    [
        ("student", 403, 404),
        ("other_student", 403, 404),
        ("outside_student", 404, 404),
        ("mentor", 200, 200),
        ("other_mentor", 403, 404),
        ("supervisor", 403, 404),
        ("other_supervisor", 403, 404),
        ("staff", 200, 200),
    ],
)
def test_it_lets_only_authors_and_staff_edit(as_user, client, school, role, published, draft):
    as_user(role)

    assert client.get(url("article_edit", school.for_web)).status_code == published
    assert client.get(url("article_edit", school.draft)).status_code == draft
    response = client.post(url("article_edit", school.for_web), form_data(school))

    assert response.status_code == (302 if published == 200 else published)
    edited = Article.objects.get(pk=school.for_web.pk)
    assert (edited.title == "Reading logs") is (published == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_student", 404),
        ("outside_student", 404),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 404),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_authors_and_staff_publish_a_draft(as_user, client, school, role, status):
    as_user(role)

    response = client.post(url("article_publish", school.draft))

    assert response.status_code == status
    published = Article.objects.get(pk=school.draft.pk).status == ArticleStatus.PUBLISHED
    assert published is (status == 302)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("outside_student", 404),
        ("mentor", 302),
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 302),
    ],
)
def test_it_lets_only_authors_and_staff_archive(as_user, client, school, role, status):
    as_user(role)

    response = client.post(url("article_archive", school.for_web))

    assert response.status_code == status
    archived = Article.objects.get(pk=school.for_web.pk).status == ArticleStatus.ARCHIVED
    assert archived is (status == 302)


@pytest.mark.parametrize(
    ("role", "published", "draft"),
    [
        ("student", 403, 404),
        ("other_student", 403, 404),
        ("outside_student", 404, 404),
        ("mentor", 403, 403),
        ("other_mentor", 403, 404),
        ("supervisor", 403, 404),
        ("other_supervisor", 403, 404),
        ("staff", 200, 200),
    ],
)
def test_it_shows_the_history_only_to_staff(as_user, client, school, role, published, draft):
    as_user(role)

    assert client.get(url("article_history", school.for_web)).status_code == published
    assert client.get(url("article_history", school.draft)).status_code == draft


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 302),
        ("other_student", 302),
        ("outside_student", 404),
        ("mentor", 403),  # its author
        ("other_mentor", 302),
        ("supervisor", 302),
        ("other_supervisor", 302),
        ("staff", 302),
    ],
)
def test_it_lets_every_reader_but_the_authors_say_it_helped(as_user, client, school, role, status):
    as_user(role)

    response = client.post(url("article_helped", school.for_web))

    assert response.status_code == status
    assert ArticleVote.objects.filter(article=school.for_web).count() == (status == 302)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),  # the asker: sees the question, may not promote it
        ("other_student", 404),
        ("outside_student", 404),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_who_sees_the_question_and_writes_turn_it_into_a_draft(
    as_user, client, answered, role, status
):
    user = as_user(role)

    response = client.post(reverse("knowledge_base:article_from_question", args=[answered.pk]))

    assert response.status_code == status
    if status == 302:
        article = Article.objects.get(questions=answered)
        assert response.url == url("article_edit", article)
        assert list(article.authors.all()) == [user]
    else:
        assert not Article.objects.filter(questions=answered).exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "article_list"),
        ("put", "article_create"),
        ("post", "article_detail"),
        ("delete", "article_edit"),
        ("get", "article_publish"),
        ("get", "article_archive"),
        ("post", "article_history"),
        ("get", "article_helped"),
        ("get", "article_from_question"),
    ],
)
def test_it_refuses_other_methods(as_user, client, school, method, name):
    as_user("staff")
    args = [] if name in ("article_list", "article_create") else [school.for_web.pk]

    response = getattr(client, method)(reverse(f"knowledge_base:{name}", args=args))

    assert response.status_code == 405


# --- The list -------------------------------------------------------------------------


def test_it_filters_by_programme_project_topic_and_language(as_user, client, school, staff):
    make_article(authors=[staff], title="По-русски", language="ru")
    as_user("mentor")

    def titles(**filters):
        response = client.get(LIST, filters)
        assert response.status_code == 200
        return sorted(article.title for article in response.context["page"].object_list)

    assert titles(programme=school.web.pk) == ["For web"]
    assert titles(project=school.web_project.pk) == ["For web"]
    assert titles(topic=school.topic.pk) == ["For everyone", "For web"]
    assert titles(language="ru") == ["По-русски"]


def test_it_shows_a_mentor_their_drafts_and_their_own_articles(as_user, client, school):
    as_user("mentor")

    def titles(show):
        response = client.get(LIST, {"status": show})
        return sorted(article.title for article in response.context["page"].object_list)

    assert titles("draft") == ["Draft"]
    assert titles("archived") == ["Archived"]
    assert titles("mine") == ["Archived", "Draft", "For everyone", "For web"]
    assert b"My drafts" in client.get(LIST).content


def test_it_offers_students_no_status_and_only_their_programmes(as_user, client, school):
    as_user("student")

    response = client.get(LIST, {"status": "draft"})

    form = response.context["form"]
    assert "status" not in form.fields
    assert list(form.fields["programme"].queryset) == [school.web]
    assert {article.status for article in response.context["page"].object_list} == {"published"}


def test_it_shows_a_bad_filter_beside_its_field(as_user, client, school):
    as_user("student")

    response = client.get(LIST, {"programme": school.data.pk, "topic": school.topic.pk})

    assert response.status_code == 200
    assert "programme" in response.context["form"].errors
    assert b"text-danger" in response.content
    titles = sorted(article.title for article in response.context["page"].object_list)
    assert titles == ["For everyone", "For web"]


def test_it_links_the_search_page(as_user, client, school):
    as_user("student")

    response = client.get(LIST)

    assert b'action="/search/"' in response.content
    assert b'name="q"' in response.content


def test_it_paginates_by_twenty_keeping_the_filters(as_user, client, mentor, staff):
    topic = make_topic("Git")
    for number in range(45):
        make_article(authors=[mentor], title=f"Article {number}", topics=[topic])
    as_user("staff")

    first = client.get(LIST, {"topic": topic.pk})
    last = client.get(LIST, {"topic": topic.pk, "page": 3})

    assert len(first.context["page"].object_list) == 20
    assert len(last.context["page"].object_list) == 5
    assert f"?topic={topic.pk}&amp;page=2".encode() in first.content
    assert first.context["page"].paginator.count == 45


def _many_articles(count, *, mentor, programme, voters):
    topics = [make_topic(f"Topic {number}") for number in range(3)]
    projects = [ProjectFactory(programme=programme, criteria=0) for _ in range(2)]
    authors = [mentor, *MentorFactory.create_batch(2)]
    for number in range(count):
        article = make_article(
            authors=authors[: 1 + number % 3],
            title=f"Article {number}",
            programmes=[programme],
            projects=projects[: number % 3],
            topics=topics[: 1 + number % 3],
        )
        ArticleVote.objects.bulk_create(
            ArticleVote(article=article, user=voter) for voter in voters[: number % 4]
        )
    return article


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "mentor", "staff"])
def test_it_lists_articles_in_constant_queries(
    as_user, client, school, mentor, student, count, role, django_assert_max_num_queries
):
    voters = StudentFactory.create_batch(3)
    _many_articles(count, mentor=mentor, programme=school.web, voters=voters)
    as_user(role)

    # session, user, unread notifications; the filters' programmes, projects and
    # topics; the count and the page with its helped counts; the page's topics,
    # programmes, projects and authors; for mentors and staff, the navigation's count
    # of open questions.
    with django_assert_max_num_queries(13):
        response = client.get(LIST)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count >= count
    assert len(page.object_list) == min(page.paginator.count, 20)


# --- The article ----------------------------------------------------------------------


def test_it_renders_sanitised_markdown_and_counts_the_reading(as_user, client, school, student):
    school.for_web.body = "**Bold** <script>alert(1)</script>"
    school.for_web.save()
    as_user("student")

    response = client.get(url("article_detail", school.for_web))

    assert b"<strong>Bold</strong>" in response.content
    assert b"<script>alert" not in response.content
    assert Article.objects.get(pk=school.for_web.pk).view_count == 1
    event = ActivityEvent.objects.get()
    assert (event.student, event.kind) == (student, ActivityKind.ARTICLE_READ)


def test_it_shows_the_details_related_articles_and_visible_questions(
    as_user, client, school, answered, other_student, mentor
):
    public = make_question(
        author=other_student,
        programme=school.web,
        title="A public question",
        visibility=QuestionVisibility.PROGRAMME,
    )
    school.for_web.questions.set([answered, public])
    as_user("other_student")

    response = client.get(url("article_detail", school.for_web))

    content = response.content.decode()
    assert [q.title for q in response.context["questions"]] == ["A public question"]
    assert "Stas is stuck" not in content
    assert f'href="/questions/{public.pk}/"' in content
    assert [a.title for a in response.context["related"]] == ["For everyone"]
    assert "Portfolio site" in content
    assert "Debugging" in content
    assert str(mentor) in content
    assert 'data-testid="article-helped-button"' in content
    assert 'data-testid="article-edit"' not in content
    assert 'data-testid="article-history"' not in content


@pytest.mark.parametrize(
    ("role", "edit", "publish", "archive", "history"),
    [
        ("mentor", True, False, True, False),
        ("other_mentor", False, False, False, False),
        ("staff", True, False, True, True),
    ],
)
def test_it_offers_the_actions_the_rules_allow(
    as_user, client, school, role, edit, publish, archive, history
):
    as_user(role)

    content = client.get(url("article_detail", school.for_web)).content.decode()

    assert ('data-testid="article-edit"' in content) is edit
    assert ('data-testid="article-publish"' in content) is publish
    assert ('data-testid="article-archive"' in content) is archive
    assert ('data-testid="article-history"' in content) is history


def test_it_offers_an_author_to_publish_their_draft(as_user, client, school):
    as_user("mentor")

    response = client.get(url("article_detail", school.draft))

    assert b'data-testid="article-publish"' in response.content
    assert b'data-testid="article-draft-note"' in response.content
    assert b'data-testid="article-helped-button"' not in response.content


def test_it_swaps_the_helped_count_for_htmx_and_counts_once(as_user, client, school):
    as_user("student")

    first = client.post(url("article_helped", school.for_web), headers={"HX-Request": "true"})
    second = client.post(url("article_helped", school.for_web), headers={"HX-Request": "true"})

    assert first.status_code == second.status_code == 200
    assert b"Helped 1 person" in second.content
    assert b"You said this helped" in second.content
    assert b"<html" not in first.content
    assert ArticleVote.objects.count() == 1


def test_it_says_helped_in_russian_with_the_right_plural(as_user, client, school, student):
    voters = StudentFactory.create_batch(4)
    for voter in voters[:2]:
        ArticleVote.objects.create(article=school.for_web, user=voter)
    user = as_user("other_student")
    user.language = "ru"
    user.save()

    two = client.get(url("article_detail", school.for_web)).content.decode()
    for voter in voters[2:]:
        ArticleVote.objects.create(article=school.for_web, user=voter)
    ArticleVote.objects.create(article=school.for_web, user=student)
    five = client.get(url("article_detail", school.for_web)).content.decode()

    assert "Помогла 2 людям" in two
    assert "Помогла 5 людям" in five
    assert "База знаний" in five


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["student", "staff"])
def test_it_shows_an_article_in_constant_queries(
    as_user, client, school, mentor, student, count, role, django_assert_max_num_queries
):
    voters = StudentFactory.create_batch(3)
    article = _many_articles(count, mentor=mentor, programme=school.web, voters=voters)
    for number in range(count):
        question = make_question(
            author=student,
            programme=school.web,
            title=f"Question {number}",
            visibility=QuestionVisibility.PROGRAMME,
        )
        article.questions.add(question)
    as_user(role)

    # session, user, unread notifications; the article; its reading (may they see it,
    # the count in a savepoint; for a student the event in a savepoint of its own: is it
    # new, the profile, the keys, the insert, the day's rollup); topics, programmes,
    # projects, authors; helped; related; questions. On SQLite the event's store also
    # reads which of its keys are stored already, in a savepoint of its own (two more).
    with django_assert_max_num_queries(23 if connection.vendor == "postgresql" else 25):
        response = client.get(url("article_detail", article))

    assert response.status_code == 200
    assert len(response.context["related"]) == min(count - 1, 5)


# --- Writing, editing, publishing, history --------------------------------------------


def test_it_writes_a_draft_and_opens_it(as_user, client, school, mentor):
    as_user("mentor")

    response = client.post(NEW, form_data(school))

    article = Article.objects.get(title="Reading logs")
    assert response.url == url("article_detail", article)
    assert article.status == ArticleStatus.DRAFT
    assert list(article.authors.all()) == [mentor]
    assert list(article.projects.all()) == [school.web_project]


def test_it_shows_bad_input_beside_each_field(as_user, client, school):
    as_user("mentor")
    before = Article.objects.count()

    response = client.post(NEW, form_data(school, title="", programmes=[school.data.pk]))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "programmes"}
    assert Article.objects.count() == before


def test_it_explains_a_project_outside_the_programmes_beside_the_field(
    as_user, client, school, staff
):
    data_project = ProjectFactory(programme=school.data, title="Dashboards", criteria=0)
    as_user("staff")

    response = client.post(NEW, form_data(school, projects=[data_project.pk]))

    assert response.status_code == 400
    assert "Dashboards" in response.context["form"].errors["projects"][0]


def test_it_edits_and_keeps_who_changed_what(as_user, client, school, staff):
    as_user("staff")

    response = client.post(url("article_edit", school.for_web), form_data(school))
    history = client.get(url("article_history", school.for_web))

    assert response.url == url("article_detail", school.for_web)
    versions = list(history.context["page"].object_list)
    assert [version.title for version in versions] == ["Reading logs", "For web"]
    assert versions[0].history_user == staff
    assert b"Stella Staff" in history.content
    assert b"<strong>slowly</strong>" in history.content
    admin_history = reverse("admin:knowledge_base_article_history", args=[school.for_web.pk])
    assert admin_history.encode() in history.content


def test_it_shows_staff_the_admin_history(as_user, client, school):
    as_user("staff")

    response = client.get(
        reverse("admin:knowledge_base_article_history", args=[school.for_web.pk])
    )

    assert response.status_code == 200


def test_it_publishes_and_archives_with_a_message(as_user, client, school):
    as_user("mentor")

    published = client.post(url("article_publish", school.draft), follow=True)
    archived = client.post(url("article_archive", school.draft), follow=True)

    assert b"The article is published." in published.content
    assert b"The article is archived" in archived.content
    article = Article.objects.get(pk=school.draft.pk)
    assert article.status == ArticleStatus.ARCHIVED
    assert article.published_at <= timezone.now()


def test_it_explains_why_a_draft_is_not_archived(as_user, client, school):
    as_user("mentor")

    response = client.post(url("article_archive", school.draft), follow=True)

    assert b"nothing to archive" in response.content
    assert Article.objects.get(pk=school.draft.pk).status == ArticleStatus.DRAFT


def test_it_opens_the_draft_from_a_question_without_the_asker(as_user, client, answered):
    as_user("mentor")

    response = client.post(
        reverse("knowledge_base:article_from_question", args=[answered.pk]), follow=True
    )

    form = response.context["form"]
    assert form.initial["title"] == "the student is stuck"
    assert "Stas" not in form.initial["body"]
    assert response.context["article"].questions.get() == answered


def test_it_sends_an_unanswered_question_back_with_a_reason(as_user, client, school, student):
    question = make_question(author=student, programme=school.web, status="open")
    as_user("mentor")

    response = client.post(
        reverse("knowledge_base:article_from_question", args=[question.pk]),
        headers={"referer": f"http://testserver/questions/{question.pk}/"},
    )

    assert response.status_code == 302
    assert response.url == f"http://testserver/questions/{question.pk}/"
    assert not Article.objects.filter(questions=question).exists()


def test_it_does_not_follow_a_referer_elsewhere(as_user, client, school, student):
    question = make_question(author=student, programme=school.web, status="open")
    as_user("mentor")

    response = client.post(
        reverse("knowledge_base:article_from_question", args=[question.pk]),
        headers={"referer": "https://evil.example/"},
    )

    assert response.url == LIST


# --- Navigation -----------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_it_links_the_knowledge_base_from_the_navigation(as_user, client, school, role):
    as_user(role)

    response = client.get(reverse("metrics:home"), follow=True)

    assert b'data-testid="nav-knowledge-base"' in response.content
    assert f'href="{LIST}"'.encode() in response.content
