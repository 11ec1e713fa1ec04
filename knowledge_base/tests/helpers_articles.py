"""A small school for the article tests: two programmes, people in them, a topic, and
an article of each kind.

``student`` and ``other_student`` (the root conftest's) study the web programme, which
``mentor`` and ``other_mentor`` teach; ``outside_student`` studies data only. ``mentor``
wrote every article but the data programme's, which ``other_mentor`` wrote."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from mentorship.models import User
from projects.models import Programme, Project
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory


def make_article(
    *,
    authors: list[User],
    title: str = "How to read a stack trace",
    body: str = "Start from the **bottom**.",
    status: str = ArticleStatus.PUBLISHED,
    programmes=(),
    projects=(),
    topics=(),
    language: str = "en",
    published_at=None,
) -> Article:
    if status != ArticleStatus.DRAFT and published_at is None:
        published_at = timezone.now()
    article = Article.objects.create(
        title=title, body=body, status=status, language=language, published_at=published_at
    )
    article.authors.set(authors)
    article.programmes.set(programmes)
    article.projects.set(projects)
    article.topics.set(topics)
    return article


def make_topic(name: str = "Debugging") -> Topic:
    return Topic.objects.create(name=name, slug=name.lower().replace(" ", "-"))


def make_question(
    *,
    author: User,
    programme: Programme,
    title: str = "My tests fail",
    body: str = "",
    visibility: str = QuestionVisibility.PRIVATE,
    status: str = QuestionStatus.ANSWERED,
    language: str = "en",
    project: Project | None = None,
) -> Question:
    return Question.objects.create(
        author=author,
        programme=programme,
        project=project,
        title=title,
        body=body,
        visibility=visibility,
        status=status,
        language=language,
    )


def make_answer(
    question: Question,
    *,
    author: User,
    body: str = "Run them one by one.",
    follow_up: bool = False,
    minutes_later: int = 1,
) -> Answer:
    return Answer.objects.create(
        question=question,
        author=author,
        body=body,
        is_follow_up=follow_up,
        created_at=question.created_at + timedelta(minutes=minutes_later),
    )


def make_outside_student(data: Programme | None = None) -> User:
    """A student of the data programme only."""
    enrolment = EnrolmentFactory(
        programme=data or ProgrammeFactory(slug="data", title="Data analysis")
    )
    return enrolment.student


@dataclass
class School:
    web: Programme
    data: Programme
    web_project: Project
    topic: Topic
    for_web: Article
    for_school: Article
    for_data: Article
    draft: Article
    archived: Article


def build_school(*, student, other_student, mentor, other_mentor, outside_student) -> School:
    web = ProgrammeFactory(slug="web", title="Web development")
    data = outside_student.enrolments.get().programme
    for person in (student, other_student):
        EnrolmentFactory(student=person, programme=web)
    for person in (mentor, other_mentor):
        person.mentor_profile.programmes.set([web])
    web_project = ProjectFactory(programme=web, title="Portfolio site", criteria=0)
    topic = make_topic()
    return School(
        web=web,
        data=data,
        web_project=web_project,
        topic=topic,
        for_web=make_article(
            authors=[mentor],
            title="For web",
            programmes=[web],
            projects=[web_project],
            topics=[topic],
        ),
        for_school=make_article(authors=[mentor], title="For everyone", topics=[topic]),
        for_data=make_article(authors=[other_mentor], title="For data", programmes=[data]),
        draft=make_article(
            authors=[mentor], title="Draft", status=ArticleStatus.DRAFT, programmes=[web]
        ),
        archived=make_article(authors=[mentor], title="Archived", status=ArticleStatus.ARCHIVED),
    )
