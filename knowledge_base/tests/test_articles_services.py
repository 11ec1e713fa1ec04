"""Articles' rules, writes and reads (knowledge_base/articles.py): who reads, edits,
publishes and sees the history; drafts, versions, publication and archive; a question
promoted into a draft with the asker taken out; views, "this helped", related articles."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from knowledge_base.articles import (
    article_archive,
    article_create,
    article_draft_from_question,
    article_helped,
    article_publish,
    article_questions_for,
    article_read,
    article_related,
    article_update,
    article_versions,
    article_vote,
    articles_browse,
    articles_visible_to,
    may_edit_article,
    may_publish_article,
    may_see_article_history,
)
from knowledge_base.models import (
    Article,
    ArticleStatus,
    ArticleVote,
    QuestionStatus,
    QuestionVisibility,
)
from knowledge_base.tests.helpers_articles import (
    build_school,
    make_answer,
    make_article,
    make_outside_student,
    make_question,
    make_topic,
)
from mentorship.access import NotAllowed
from mentorship.models import ActivityEvent, ActivityKind
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory, ProjectFactory


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


def new_draft(author, **changes):
    values = {
        "title": "Reading stack traces",
        "body": "Start at the bottom.",
        "language": "en",
        "topics": [],
        "programmes": [],
        "projects": [],
        **changes,
    }
    return article_create(author=author, **values)


def edit(article, editor, **changes):
    values = {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "topics": list(article.topics.all()),
        "programmes": list(article.programmes.all()),
        "projects": list(article.projects.all()),
        **changes,
    }
    return article_update(article=article, editor=editor, **values)


# --- Who reads, who may ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("student", {"For web", "For everyone"}),
        ("other_student", {"For web", "For everyone"}),
        ("outside_student", {"For data", "For everyone"}),
        ("mentor", {"For web", "For everyone", "For data", "Draft", "Archived"}),
        ("other_mentor", {"For web", "For everyone", "For data"}),
        ("supervisor", {"For web", "For everyone", "For data"}),
        ("other_supervisor", {"For web", "For everyone", "For data"}),
        ("staff", {"For web", "For everyone", "For data", "Draft", "Archived"}),
    ],
)
def test_it_shows_each_person_the_articles_they_may_read(request, school, role, titles):
    user = request.getfixturevalue(role)

    assert {article.title for article in articles_visible_to(user)} == titles


@pytest.mark.parametrize(
    ("role", "may_edit", "may_publish", "may_see_history"),
    [
        ("student", False, False, False),
        ("mentor", True, True, False),
        ("other_mentor", False, False, False),
        ("supervisor", False, False, False),
        ("staff", True, True, True),
    ],
)
def test_it_lets_authors_and_staff_edit_and_publish_and_staff_read_the_history(
    request, school, role, may_edit, may_publish, may_see_history
):
    user = request.getfixturevalue(role)

    assert may_edit_article(user, article=school.for_web) is may_edit
    assert may_publish_article(user, article=school.for_web) is may_publish
    assert may_see_article_history(user) is may_see_history


def test_it_lets_a_supervisor_who_wrote_an_article_edit_and_publish_it(supervisor):
    article = new_draft(supervisor)

    assert may_edit_article(supervisor, article=article)
    assert may_publish_article(supervisor, article=article)


# --- Drafts and edits -----------------------------------------------------------------


def test_it_starts_a_draft_by_its_author(school, mentor):
    article = new_draft(
        mentor,
        title="  Reading stack traces ",
        topics=[school.topic],
        programmes=[school.web],
        projects=[school.web_project],
    )

    assert article.status == ArticleStatus.DRAFT
    assert article.published_at is None
    assert article.title == "Reading stack traces"
    assert list(article.authors.all()) == [mentor]
    assert list(article.programmes.all()) == [school.web]
    assert list(article.projects.all()) == [school.web_project]
    assert article.history.get().history_user == mentor


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_refuses_a_draft_from_a_student(request, role):
    with pytest.raises(NotAllowed) as refused:
        new_draft(request.getfixturevalue(role))

    assert refused.value.hidden is False
    assert not Article.objects.exists()


def test_it_names_each_bad_field_of_a_draft(school, mentor):
    with pytest.raises(ValidationError) as invalid:
        new_draft(mentor, title=" ", body="", language="xx", programmes=[school.data])

    assert set(invalid.value.message_dict) == {"title", "body", "language", "programmes"}
    assert "Data analysis" in invalid.value.message_dict["programmes"][0]
    assert not Article.objects.filter(authors=mentor, status=ArticleStatus.DRAFT).exclude(
        pk=school.draft.pk
    )


def test_it_refuses_a_project_outside_the_articles_programmes(school, mentor):
    data_project = ProjectFactory(programme=school.data, title="Dashboards", criteria=0)

    with pytest.raises(ValidationError) as invalid:
        new_draft(mentor, programmes=[school.web], projects=[data_project])

    assert list(invalid.value.message_dict) == ["projects"]
    assert "Dashboards" in invalid.value.message_dict["projects"][0]


def test_it_lets_staff_relate_an_article_to_any_programme(school, staff):
    article = new_draft(staff, programmes=[school.data])

    assert list(article.programmes.all()) == [school.data]


def test_it_keeps_every_version_with_who_edited_it(school, mentor, staff):
    article = new_draft(mentor, programmes=[school.web])
    article_publish(article=article, by=mentor)
    created_at = article.updated_at

    article = edit(Article.objects.get(pk=article.pk), staff, body="Start at the **top**.")

    versions = list(article_versions(article=article))
    assert [version.history_user for version in versions] == [staff, mentor, mentor]
    assert [version.body for version in versions] == [
        "Start at the **top**.",
        "Start at the bottom.",
        "Start at the bottom.",
    ]
    assert [version.status for version in versions] == ["published", "published", "draft"]
    assert article.updated_at > created_at
    assert Article.objects.get(pk=article.pk).body == "Start at the **top**."


def test_it_adds_no_version_when_only_the_relations_change(school, mentor):
    article = new_draft(mentor)

    edit(article, mentor, topics=[school.topic])

    assert article.history.count() == 1
    assert list(Article.objects.get(pk=article.pk).topics.all()) == [school.topic]


def test_it_keeps_programmes_a_co_author_chose_outside_the_editors(school, mentor, staff):
    article = new_draft(staff, programmes=[school.data])
    article.authors.add(mentor)

    edit(article, mentor, title="Better title")

    assert list(article.programmes.all()) == [school.data]


@pytest.mark.parametrize(
    ("role", "article_name", "hidden"),
    [
        ("other_mentor", "for_web", False),
        ("supervisor", "for_web", False),
        ("student", "for_web", False),
        ("outside_student", "for_web", True),
        ("other_mentor", "draft", True),
        ("student", "draft", True),
    ],
)
def test_it_refuses_an_edit_by_anyone_but_authors_and_staff(
    request, school, role, article_name, hidden
):
    article = getattr(school, article_name)

    with pytest.raises(NotAllowed) as refused:
        edit(article, request.getfixturevalue(role), title="Mine now")

    assert refused.value.hidden is hidden
    assert Article.objects.get(pk=article.pk).title == article.title


def test_it_leaves_the_article_as_it_was_when_an_edit_is_invalid(school, mentor):
    with pytest.raises(ValidationError):
        edit(school.for_web, mentor, title="")

    assert school.for_web.title == "For web"
    assert school.for_web.history.count() == 1


# --- Publish and archive --------------------------------------------------------------


def test_it_publishes_a_draft_once(school, mentor):
    article = article_publish(article=school.draft, by=mentor)
    published_at = article.published_at

    article_publish(article=article, by=mentor)

    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_at == published_at is not None
    assert article.history.first().history_user == mentor
    assert article.history.count() == 2


def test_it_archives_a_published_article_and_publishes_it_again_with_its_date(
    school, mentor, student
):
    first_published = school.for_web.published_at

    article_archive(article=school.for_web, by=mentor)
    assert not articles_visible_to(student).filter(pk=school.for_web.pk).exists()
    article_archive(article=school.for_web, by=mentor)
    article_publish(article=school.for_web, by=mentor)

    school.for_web.refresh_from_db()
    assert school.for_web.status == ArticleStatus.PUBLISHED
    assert school.for_web.published_at == first_published


def test_it_does_not_archive_a_draft(school, mentor):
    with pytest.raises(ValidationError):
        article_archive(article=school.draft, by=mentor)

    assert Article.objects.get(pk=school.draft.pk).status == ArticleStatus.DRAFT


@pytest.mark.parametrize(
    ("role", "hidden"),
    [("other_mentor", True), ("supervisor", True), ("student", True)],
)
def test_it_refuses_to_publish_someone_elses_draft(request, school, role, hidden):
    with pytest.raises(NotAllowed) as refused:
        article_publish(article=school.draft, by=request.getfixturevalue(role))

    assert refused.value.hidden is hidden
    assert Article.objects.get(pk=school.draft.pk).status == ArticleStatus.DRAFT


@pytest.mark.parametrize("role", ["other_mentor", "supervisor", "student"])
def test_it_refuses_to_archive_someone_elses_article(request, school, role):
    with pytest.raises(NotAllowed) as refused:
        article_archive(article=school.for_web, by=request.getfixturevalue(role))

    assert refused.value.hidden is False
    assert Article.objects.get(pk=school.for_web.pk).status == ArticleStatus.PUBLISHED


# --- A question promoted into a draft -------------------------------------------------


@pytest.fixture
def asker(school, mentor):
    """A student of the web programme named Anna Petrova, mentored by ``mentor``."""
    person = StudentFactory(display_name="Anna Petrova", email="anna.petrova@example.test")
    AssignmentFactory(student=person, mentor=mentor)
    EnrolmentFactory(student=person, programme=school.web)
    return person


@pytest.fixture
def answered(school, asker, mentor, student):
    question = make_question(
        author=asker,
        programme=school.web,
        project=school.web_project,
        title="Anna's tests fail on CI",
        body="Hi, I am Anna PETROVA (anna.petrova@example.test). My tests fail. Annabel helps.",
    )
    question.topics.set([school.topic])
    make_answer(question, author=mentor, body="Anna, pin the versions. Petrova's setup is old.")
    make_answer(question, author=asker, body="Thanks", follow_up=True, minutes_later=2)
    make_answer(question, author=student, body="Me too", minutes_later=3)
    return question


def test_it_makes_a_draft_from_an_answered_question_without_the_asker(school, answered, mentor):
    article = article_draft_from_question(question=answered, by=mentor)

    assert article.status == ArticleStatus.DRAFT
    assert article.title == "the student's tests fail on CI"
    assert "Anna" not in article.body.replace("Annabel", "")
    assert "Petrova" not in article.body
    assert "PETROVA" not in article.body
    assert "anna.petrova@example.test" not in article.body
    assert "Annabel helps" in article.body  # whole words only
    assert "the student, pin the versions" in article.body
    assert "the student (the student)" in article.body
    assert "## The answer" in article.body
    assert "Thanks" not in article.body
    assert "Me too" not in article.body
    assert list(article.authors.all()) == [mentor]
    assert list(article.questions.all()) == [answered]
    assert list(article.topics.all()) == [school.topic]
    assert list(article.programmes.all()) == [school.web]
    assert list(article.projects.all()) == [school.web_project]
    assert article.history.get().history_user == mentor


def test_it_prefers_the_accepted_answer(answered, mentor, supervisor):
    accepted = answered.answers.get(author=mentor)
    make_answer(answered, author=supervisor, body="A later answer", minutes_later=9)
    answered.accepted_answer = accepted
    answered.status = QuestionStatus.ACCEPTED
    answered.save()

    article = article_draft_from_question(question=answered, by=mentor)

    assert "pin the versions" in article.body
    assert "A later answer" not in article.body


def test_it_writes_a_russian_draft_in_russian(school, mentor, staff):
    asker = StudentFactory(display_name="Анна Петрова", email="anna@example.test")
    question = make_question(
        author=asker,
        programme=school.web,
        title="Анна не может запустить тесты",
        body="Пишет Анна Петрова",
        language="ru",
    )
    make_answer(question, author=mentor, body="Анна, обновите пакеты.")

    article = article_draft_from_question(question=question, by=staff)

    assert article.language == "ru"
    assert article.title == "студент не может запустить тесты"
    assert "Пишет студент" in article.body
    assert "## Ответ" in article.body
    assert "студент, обновите пакеты." in article.body


def test_it_gives_back_the_draft_already_made_from_the_question(answered, mentor, staff):
    first = article_draft_from_question(question=answered, by=mentor)

    again = article_draft_from_question(question=answered, by=mentor)
    by_staff = article_draft_from_question(question=answered, by=staff)

    assert again == first
    assert by_staff != first
    assert Article.objects.filter(questions=answered).count() == 2


@pytest.mark.parametrize("status", [QuestionStatus.OPEN, QuestionStatus.DUPLICATE])
def test_it_promotes_only_an_answered_question(school, answered, mentor, status):
    answered.status = status
    answered.duplicate_of = make_question(author=answered.author, programme=school.web)
    answered.save()

    with pytest.raises(ValidationError):
        article_draft_from_question(question=answered, by=mentor)

    assert not Article.objects.filter(questions=answered).exists()


def test_it_promotes_no_question_a_mentor_has_not_answered(school, asker, student, mentor):
    question = make_question(author=asker, programme=school.web)
    make_answer(question, author=student, body="A classmate's guess")

    with pytest.raises(ValidationError):
        article_draft_from_question(question=question, by=mentor)


@pytest.mark.parametrize(
    ("role", "visibility", "hidden"),
    [
        ("student", QuestionVisibility.PROGRAMME, False),
        ("student", QuestionVisibility.PRIVATE, True),
        ("outside_student", QuestionVisibility.PROGRAMME, True),
        ("other_mentor", QuestionVisibility.PRIVATE, True),
        ("other_supervisor", QuestionVisibility.PRIVATE, True),
    ],
)
def test_it_refuses_a_promotion_by_who_may_not(request, answered, role, visibility, hidden):
    answered.visibility = visibility
    answered.save()

    with pytest.raises(NotAllowed) as refused:
        article_draft_from_question(question=answered, by=request.getfixturevalue(role))

    assert refused.value.hidden is hidden
    assert not Article.objects.filter(questions=answered).exists()


def test_it_lets_a_mentor_of_the_programme_promote_a_public_question(answered, other_mentor):
    answered.visibility = QuestionVisibility.PROGRAMME
    answered.save()

    article = article_draft_from_question(question=answered, by=other_mentor)

    assert list(article.authors.all()) == [other_mentor]


def test_it_shows_only_the_questions_the_reader_may_see(school, answered, asker, student, mentor):
    public = make_question(
        author=asker, programme=school.web, visibility=QuestionVisibility.PROGRAMME
    )
    school.for_web.questions.set([answered, public])

    assert list(article_questions_for(student, article=school.for_web)) == [public]
    assert set(article_questions_for(asker, article=school.for_web)) == {answered, public}
    assert set(article_questions_for(mentor, article=school.for_web)) == {answered, public}


# --- Reading and "this helped" --------------------------------------------------------


def test_it_counts_a_view_without_a_new_version(school, other_mentor):
    versions = school.for_web.history.count()

    article_read(article=school.for_web, reader=other_mentor)
    article_read(article=school.for_web, reader=other_mentor)

    school.for_web.refresh_from_db()
    assert school.for_web.view_count == 2
    assert school.for_web.history.count() == versions
    assert not ActivityEvent.objects.exists()


def test_it_records_a_students_reading_once_a_day(school, student):
    article_read(article=school.for_web, reader=student)
    article_read(article=school.for_web, reader=student)

    event = ActivityEvent.objects.get()
    assert (event.student, event.kind) == (student, ActivityKind.ARTICLE_READ)
    assert event.external_id == f"article_read:{school.for_web.pk}:{event.day.isoformat()}"
    assert Article.objects.get(pk=school.for_web.pk).view_count == 2


def test_it_does_not_count_its_authors_readings(school, mentor, staff):
    article_read(article=school.draft, reader=mentor)
    article_read(article=school.draft, reader=staff)
    article_read(article=school.for_web, reader=mentor)

    assert Article.objects.get(pk=school.draft.pk).view_count == 0
    assert Article.objects.get(pk=school.for_web.pk).view_count == 0


def test_it_refuses_a_reading_of_an_article_the_person_may_not_see(school, outside_student):
    with pytest.raises(NotAllowed) as refused:
        article_read(article=school.for_web, reader=outside_student)

    assert refused.value.hidden is True
    assert Article.objects.get(pk=school.for_web.pk).view_count == 0


def test_it_counts_this_helped_once_per_person(school, student, other_student):
    assert article_vote(article=school.for_web, user=student) is True
    assert article_vote(article=school.for_web, user=student) is False
    article_vote(article=school.for_web, user=other_student)

    assert ArticleVote.objects.count() == 2
    assert article_helped(student, article=school.for_web) == (2, True)
    assert article_helped(school.for_web.authors.get(), article=school.for_web) == (2, False)


@pytest.mark.parametrize(
    ("role", "article_name", "error"),
    [
        ("outside_student", "for_web", "hidden"),
        ("other_mentor", "draft", "hidden"),
        ("mentor", "for_web", "refused"),  # its author
        ("staff", "draft", "invalid"),
    ],
)
def test_it_refuses_a_vote_that_does_not_count(request, school, role, article_name, error):
    user = request.getfixturevalue(role)
    raised = ValidationError if error == "invalid" else NotAllowed

    with pytest.raises(raised) as refused:
        article_vote(article=getattr(school, article_name), user=user)

    if error != "invalid":
        assert refused.value.hidden is (error == "hidden")
    assert not ArticleVote.objects.exists()


# --- Browsing and related articles ----------------------------------------------------


def test_it_browses_newest_first_with_the_helped_count(school, student, other_student):
    school.for_school.published_at = timezone.now() + timedelta(minutes=1)
    school.for_school.save()
    article_vote(article=school.for_web, user=student)
    article_vote(article=school.for_web, user=other_student)

    articles = list(articles_browse(student))

    assert [(a.title, a.helped_count) for a in articles] == [
        ("For everyone", 0),
        ("For web", 2),
    ]


def test_it_browses_by_programme_project_topic_language_status_and_author(school, mentor, staff):
    russian = make_article(authors=[staff], title="По-русски", language="ru")

    def titles(user=staff, **filters):
        return {article.title for article in articles_browse(user, **filters)}

    assert titles(programme=school.web) == {"For web", "Draft"}
    assert titles(project=school.web_project) == {"For web"}
    assert titles(topic=school.topic) == {"For web", "For everyone"}
    assert titles(language="ru") == {russian.title}
    assert titles(status=ArticleStatus.DRAFT) == {"Draft"}
    assert titles(mentor, author=mentor) == {"For web", "For everyone", "Draft", "Archived"}
    assert titles(mentor, status=ArticleStatus.PUBLISHED, programme=school.web) == {"For web"}


def test_it_ranks_related_articles_by_shared_topics_and_projects_then_help(
    school, mentor, student, other_student
):
    other_topic = make_topic("Testing")
    school.for_web.topics.add(other_topic)
    both = make_article(authors=[mentor], title="Both topics", topics=[school.topic, other_topic])
    project_and_topic = make_article(
        authors=[mentor],
        title="Project and topic",
        projects=[school.web_project],
        topics=[school.topic],
        programmes=[school.web],
    )
    one_helpful = make_article(authors=[mentor], title="One, helpful", topics=[other_topic])
    article_vote(article=one_helpful, user=other_student)
    make_article(authors=[mentor], title="Unrelated")
    make_article(
        authors=[mentor], title="Related draft", status=ArticleStatus.DRAFT, topics=[school.topic]
    )

    related = article_related(student, article=school.for_web)

    assert [article.title for article in related] == [
        project_and_topic.title,
        both.title,
        one_helpful.title,
        "For everyone",
    ]
    assert [article.title for article in article_related(student, article=both, limit=2)] == [
        "For web",
        one_helpful.title,
    ]


def test_it_leaves_out_related_articles_the_reader_may_not_see(school, outside_student, staff):
    school.for_data.topics.set([school.topic])

    related = article_related(outside_student, article=school.for_school)

    assert [article.title for article in related] == ["For data"]
    assert {a.title for a in article_related(staff, article=school.for_school)} == {
        "For data",
        "For web",
    }
