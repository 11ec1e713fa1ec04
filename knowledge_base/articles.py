"""Knowledge-base articles ("cases"): who reads one (``articles_visible_to``), who may
edit, publish and see the history (``may_*``), the writes, and the reads the pages list.

Students read published articles of their programmes, and those written for the whole
school (no programme); mentors and supervisors every published article and those they
wrote; staff everything.

An article is written by mentors, supervisors or staff: as a draft from scratch, or in
one click from an answered question (``article_draft_from_question``, the asker's name
and e-mail taken out). Its authors and staff edit it (a mentor who did not write it does
not; they can write their own); authors who are mentors or supervisors, and staff,
publish and archive it. Every saved edit keeps the version before it with who and when
(django-simple-history); staff read that history. Reading a published article counts a
view and is a student's activity; "this helped" is said once per person."""

import copy
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.models import ActivityKind, Role, User
from projects.models import Programme, Project

from .expressions import InComputedOnce
from .models import (
    Answer,
    Article,
    ArticleStatus,
    ArticleVote,
    Question,
    QuestionStatus,
    Topic,
)
from .questions import programmes_of, questions_visible_to

# Who writes articles (and promotes questions into them); students read.
WRITER_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)
# The answers a promoted question's article is made of, when none is accepted.
ANSWERING_ROLES = WRITER_ROLES

EDIT_REFUSED = gettext_lazy("Only the article's authors and staff edit it.")
PUBLISH_REFUSED = gettext_lazy("Only the article's authors and staff publish or archive it.")
HISTORY_REFUSED = gettext_lazy("Only staff see an article's earlier versions.")


# --- Who sees, who may ----------------------------------------------------------------


def articles_visible_to(user: User) -> QuerySet[Article]:
    """Articles this person may read (the module docstring says who)."""
    articles = Article.objects.all()
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if user.role == Role.STAFF:
        return articles
    published = Q(status=ArticleStatus.PUBLISHED)
    if user.role == Role.STUDENT:
        # Both sets computed once per query (``InComputedOnce``): a row-by-row test of
        # each article's programmes made PostgreSQL visit every published article.
        links = Article.programmes.through.objects
        school_wide = Article.objects.filter(
            ~Exists(links.filter(article_id=OuterRef("pk")))
        ).values("pk")
        of_my_programmes = links.filter(programme_id__in=programmes_of(user).values("pk")).values(
            "article_id"
        )
        return articles.filter(
            published
            & (Q(InComputedOnce("pk", school_wide)) | Q(InComputedOnce("pk", of_my_programmes)))
        )
    mine = Article.authors.through.objects.filter(article_id=OuterRef("pk"), user_id=user.pk)
    return articles.filter(published | Exists(mine))


def without_published_article(questions: QuerySet[Question]) -> QuerySet[Question]:
    """The questions no published article answers yet, so a reader cannot find their
    answer in the knowledge base (a draft does not count): the question list's "no
    article" filter."""
    answering = Article.questions.through.objects.filter(
        question_id=OuterRef("pk"), article__status=ArticleStatus.PUBLISHED
    )
    return questions.filter(~Exists(answering))


def without_any_article(questions: QuerySet[Question]) -> QuerySet[Question]:
    """The questions no article answers or is being written from, drafts included: the
    patterns page's repeated questions still waiting for someone to write a case (once
    a mentor starts one, the group leaves the page)."""
    answering = Article.questions.through.objects.filter(question_id=OuterRef("pk"))
    return questions.filter(~Exists(answering))


def article_for_user(user: User, pk: int) -> Article:
    """One article for this person; 404 to outsiders."""
    return get_object_or_404(articles_visible_to(user), pk=pk)


def _is_author(user: User, *, article: Article) -> bool:
    # all() reads the prefetched authors when the page loaded them, else one query.
    return any(author.pk == user.pk for author in article.authors.all())


def may_edit_article(user: User, *, article: Article) -> bool:
    """Whether this person may change the article's text and what it relates to: its
    authors (mentors, supervisors or staff) and staff. Another mentor writes an article
    of their own rather than joining this one."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.STAFF:
        return True
    return user.role in WRITER_ROLES and _is_author(user, article=article)


def may_publish_article(user: User, *, article: Article) -> bool:
    """Whether this person may publish the article, or archive it: its authors who are
    mentors or supervisors, and staff."""
    return may_edit_article(user, article=article)


def may_write_articles(user: User) -> bool:
    """Whether this person writes articles (and turns answered questions into them):
    mentors, supervisors and staff; students read."""
    return user.is_authenticated and user.is_active and user.role in WRITER_ROLES


def question_promotable(question: Question) -> bool:
    """Whether a question is ready to become an article: someone has answered it."""
    return question.status in (QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)


def may_see_article_history(user: User) -> bool:
    """Whether this person reads an article's earlier versions: staff."""
    return user.is_authenticated and user.is_active and user.role == Role.STAFF


def article_programmes_for(user: User, *, article: Article | None = None) -> QuerySet[Programme]:
    """The programmes this person may relate an article to: their own
    (``programmes_of``; staff any) and those the article already has, so an edit never
    has to drop what a co-author or staff chose."""
    programmes = programmes_of(user)
    if article is not None and article.pk and user.role != Role.STAFF:
        programmes = Programme.objects.filter(
            Q(pk__in=programmes.values("pk")) | Q(pk__in=article.programmes.values("pk"))
        )
    return programmes


def article_projects_for(user: User, *, article: Article | None = None) -> QuerySet[Project]:
    """The projects this person may relate an article to: those of the programmes
    ``article_programmes_for`` gives them, and those the article already has."""
    programmes = article_programmes_for(user, article=article).values("pk")
    projects = Q(programme_id__in=programmes)
    if article is not None and article.pk:
        projects |= Q(pk__in=article.projects.values("pk"))
    return Project.objects.filter(projects).select_related("programme")


# --- Writes ---------------------------------------------------------------------------


def _relation_errors(
    *,
    editor: User,
    article: Article | None,
    programmes: list[Programme],
    projects: list[Project],
) -> dict[str, list[str]]:
    """What is wrong with the programmes and projects chosen for an article, by field:
    a programme the editor may not relate it to (``article_programmes_for``), or a
    project outside the article's programmes (for an article for the whole school,
    outside the programmes the editor may choose). What the article has is kept."""
    errors: dict[str, list[str]] = {}
    allowed = set(article_programmes_for(editor, article=article).values_list("pk", flat=True))
    outside = [programme for programme in programmes if programme.pk not in allowed]
    if outside:
        errors["programmes"] = [
            _("You can choose only programmes you belong to; not: %(programmes)s.")
            % {"programmes": ", ".join(str(programme) for programme in outside)}
        ]
    chosen = {programme.pk for programme in programmes}
    kept = set(article.projects.values_list("pk", flat=True)) if article and article.pk else set()
    stray = [
        project
        for project in projects
        if project.pk not in kept
        and (
            (chosen and project.programme_id not in chosen)
            or (not chosen and project.programme_id not in allowed)
        )
    ]
    if stray:
        errors["projects"] = [
            _("Choose projects of the article's programmes; not: %(projects)s.")
            % {"projects": ", ".join(project.title for project in stray)}
        ]
    return errors


def _validate(article: Article, errors: dict[str, list[str]]) -> None:
    """The row's own checks (title, text, language) and the relations' together, so the
    form shows every problem at once."""
    try:
        article.full_clean(exclude=["search_vector"])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)


def article_create(
    *,
    author: User,
    title: str,
    body: str,
    language: str,
    topics: list[Topic],
    programmes: list[Programme],
    projects: list[Project],
) -> Article:
    """A mentor, supervisor or staff member starts a draft article; they are its
    author. Nobody else sees it until it is published."""
    if not may_write_articles(author):
        raise NotAllowed(_("Only mentors, supervisors and staff write articles."))
    article = Article(title=title.strip(), body=body.strip(), language=language)
    _validate(
        article,
        _relation_errors(editor=author, article=None, programmes=programmes, projects=projects),
    )
    with transaction.atomic():
        article._history_user = author
        article.save()
        article.authors.add(author)
        article.topics.set(topics)
        article.programmes.set(programmes)
        article.projects.set(projects)
    return article


def article_update(
    *,
    article: Article,
    editor: User,
    title: str,
    body: str,
    language: str,
    topics: list[Topic],
    programmes: list[Programme],
    projects: list[Project],
) -> Article:
    """An author or staff (``may_edit_article``) changes the article, in whatever
    state it is. A change to the text, title or language keeps the version before it,
    with who made the change and when; saving with nothing changed adds no version."""
    if not may_edit_article(editor, article=article):
        raise NotAllowed.unless_visible(
            str(EDIT_REFUSED), visible=articles_visible_to(editor), pk=article.pk
        )
    errors = _relation_errors(
        editor=editor, article=article, programmes=programmes, projects=projects
    )
    # Checked on a copy, so a refused edit leaves the caller's article as it was.
    edited = copy.copy(article)
    edited.title, edited.body, edited.language = title.strip(), body.strip(), language
    _validate(edited, errors)
    before = (article.title, article.body, article.language)
    article.title, article.body, article.language = edited.title, edited.body, edited.language
    with transaction.atomic():
        article.updated_at = timezone.now()
        if (article.title, article.body, article.language) != before:
            article._history_user = editor
            article.save()
        else:
            # Only what it relates to changed: no new version of the text.
            Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
        article.topics.set(topics)
        article.programmes.set(programmes)
        article.projects.set(projects)
    return article


def article_publish(*, article: Article, by: User) -> Article:
    """An author or staff (``may_publish_article``) publishes a draft, or an archived
    article again (it keeps its first publication date). Publishing a published
    article changes nothing."""
    if not may_publish_article(by, article=article):
        raise NotAllowed.unless_visible(
            str(PUBLISH_REFUSED), visible=articles_visible_to(by), pk=article.pk
        )
    if article.status == ArticleStatus.PUBLISHED:
        return article
    _validate(article, {})
    now = timezone.now()
    article.status = ArticleStatus.PUBLISHED
    article.published_at = article.published_at or now
    article.updated_at = now
    with transaction.atomic():
        article._history_user = by
        article.save(update_fields=["status", "published_at", "updated_at"])
    return article


def article_archive(*, article: Article, by: User) -> Article:
    """An author or staff takes a published article out of the knowledge base: readers
    no longer find it; its authors and staff still do, and may publish it again.
    A draft cannot be archived (it was never out); archiving twice changes nothing."""
    if not may_publish_article(by, article=article):
        raise NotAllowed.unless_visible(
            str(PUBLISH_REFUSED), visible=articles_visible_to(by), pk=article.pk
        )
    if article.status == ArticleStatus.DRAFT:
        raise ValidationError(_("A draft is not published, so there is nothing to archive."))
    if article.status == ArticleStatus.ARCHIVED:
        return article
    article.status = ArticleStatus.ARCHIVED
    article.updated_at = timezone.now()
    with transaction.atomic():
        article._history_user = by
        article.save(update_fields=["status", "updated_at"])
    return article


# --- A question promoted into an article ----------------------------------------------


def _answer_to_promote(question: Question) -> Answer | None:
    """The accepted answer, or else the latest answer by a mentor (supervisor, staff):
    never a follow-up by the asker, never a fellow student's."""
    if question.accepted_answer_id is not None:
        return question.accepted_answer
    return (
        question.answers.filter(is_follow_up=False, author__role__in=ANSWERING_ROLES)
        .order_by("-created_at", "-pk")
        .first()
    )


def _identifying_words(person: User) -> list[str]:
    """What names the asker in a text: their e-mail and its local part, their full name
    and each part of it; longest first, so a full name goes before its parts."""
    words = {person.email, person.email.split("@")[0], person.display_name}
    words.update(person.display_name.split())
    return sorted((word for word in words if len(word) >= 2), key=len, reverse=True)


def anonymise(text: str, *, person: User, replacement: str) -> str:
    """``text`` with every mention of ``person`` (see ``_identifying_words``), in any
    case, as a whole word, replaced by ``replacement``."""
    words = _identifying_words(person)
    if not words or not text:
        return text
    alternatives = "|".join(re.escape(word) for word in words)
    pattern = rf"(?<![\w@.])(?:{alternatives})(?![\w@])"
    return re.sub(pattern, lambda _match: replacement, text, flags=re.IGNORECASE)


def article_draft_from_question(*, question: Question, by: User) -> Article:
    """A mentor (supervisor, staff) who may see an answered question turns it into a
    draft article in one step: its title, its text and its accepted answer (or else the
    latest mentor's answer) with the asker's name and e-mail taken out; its language,
    topics, programme and project; the question linked; the promoter as author. Asked
    again, it gives back the draft this person already made from the question."""
    visible = questions_visible_to(by)
    if not may_write_articles(by):
        raise NotAllowed.unless_visible(
            _("Only mentors, supervisors and staff turn a question into an article."),
            visible=visible,
            pk=question.pk,
        )
    if not visible.filter(pk=question.pk).exists():
        raise NotAllowed(hidden=True)
    existing = (
        Article.objects.filter(status=ArticleStatus.DRAFT, questions=question, authors=by)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    answer = _answer_to_promote(question)
    if not question_promotable(question) or not answer:
        raise ValidationError(_("Only a question a mentor has answered becomes an article."))
    asker = question.author
    with translation.override(question.language):
        neutral = _("the student")
        heading = _("The answer")
    parts = [question.body.strip(), f"## {heading}", answer.body.strip()]
    body = "\n\n".join(part for part in parts if part)
    article = Article(
        title=anonymise(question.title, person=asker, replacement=neutral)[:200],
        body=anonymise(body, person=asker, replacement=neutral),
        language=question.language,
    )
    _validate(article, {})
    with transaction.atomic():
        article._history_user = by
        article.save()
        article.authors.add(by)
        article.questions.add(question)
        article.topics.set(question.topics.all())
        article.programmes.add(question.programme_id)
        if question.project_id is not None:
            article.projects.add(question.project_id)
    return article


# --- Reading and "this helped" --------------------------------------------------------


def article_read(*, article: Article, reader: User) -> None:
    """Someone opened a published article: one more view (counted in the table, not
    as a new version), and for a student an activity event, once a day per article.
    Its authors' own readings are not views, nor are readings of drafts and archived
    articles (only authors and staff see those)."""
    if not articles_visible_to(reader).filter(pk=article.pk).exists():
        raise NotAllowed(hidden=True)
    if article.status != ArticleStatus.PUBLISHED or _is_author(reader, article=article):
        return
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
        article.view_count += 1
        day = timezone.now().astimezone(reader.zone).date()
        activity_record(
            student=reader,
            kind=ActivityKind.ARTICLE_READ,
            key=f"article_read:{article.pk}:{day.isoformat()}",
        )


def article_vote(*, article: Article, user: User) -> bool:
    """Someone who may read a published article says "this helped", once: a second time
    changes nothing. Its authors do not vote for it. True when the vote is new."""
    if not articles_visible_to(user).filter(pk=article.pk).exists():
        raise NotAllowed(hidden=True)
    if _is_author(user, article=article):
        raise NotAllowed(_("You wrote this article, so you cannot vote for it."))
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError(_("Only a published article can be marked as helpful."))
    with transaction.atomic():
        _vote, created = ArticleVote.objects.get_or_create(article=article, user=user)
    return created


# --- Reads for the pages --------------------------------------------------------------


def helped_count() -> Coalesce:
    """How many people said an article helped, as a subquery (no GROUP BY over the
    article's other relations)."""
    votes = (
        ArticleVote.objects.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(votes, output_field=IntegerField()), 0)


def articles_browse(
    user: User,
    *,
    programme: Programme | None = None,
    project: Project | None = None,
    topic: Topic | None = None,
    language: str | None = None,
    status: str | None = None,
    author: User | None = None,
) -> QuerySet[Article]:
    """The articles this person may read, narrowed by programme, project, topic,
    language, status and author (``None``: any), each with ``helped_count``, and with
    its topics, programmes, projects and authors loaded; newest published first (drafts,
    never published, before them, last edited first)."""
    articles = articles_visible_to(user)
    if programme is not None:
        articles = articles.filter(programmes=programme)
    if project is not None:
        articles = articles.filter(projects=project)
    if topic is not None:
        articles = articles.filter(topics=topic)
    if language:
        articles = articles.filter(language=language)
    if status:
        articles = articles.filter(status=status)
    if author is not None:
        articles = articles.filter(authors=author)
    return (
        articles.annotate(helped_count=helped_count())
        .prefetch_related("topics", "programmes", "projects", "authors")
        .order_by(F("published_at").desc(nulls_first=True), "-updated_at", "-pk")
    )


def article_related(user: User, *, article: Article, limit: int = 5) -> list[Article]:
    """Published articles this person may read that share topics or projects with
    ``article``: the most shared first, then the most helpful, then the newest; never
    the article itself. One query; their text is not loaded (a list of titles)."""
    topic_links = Article.topics.through.objects
    project_links = Article.projects.through.objects
    topics = topic_links.filter(article_id=article.pk).values("topic_id")
    projects = project_links.filter(article_id=article.pk).values("project_id")

    def shared(links, field: str, of_article) -> Coalesce:
        rows = (
            links.filter(article_id=OuterRef("pk"), **{f"{field}__in": of_article})
            .order_by()
            .values("article_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    candidates = articles_visible_to(user).filter(
        Q(pk__in=topic_links.filter(topic_id__in=topics).values("article_id"))
        | Q(pk__in=project_links.filter(project_id__in=projects).values("article_id")),
        status=ArticleStatus.PUBLISHED,
    )
    return list(
        candidates.exclude(pk=article.pk)
        .defer("body", "search_vector")
        .annotate(
            overlap=shared(topic_links, "topic_id", topics)
            + shared(project_links, "project_id", projects),
            helped_count=helped_count(),
        )
        .order_by("-overlap", "-helped_count", "-published_at", "-pk")[:limit]
    )


class Helped(NamedTuple):
    """How many people said the article helped, and whether this person did."""

    count: int
    by_me: bool


def article_helped(user: User, *, article: Article) -> Helped:
    """The "this helped" count of an article, and this person's own vote; one query."""
    votes = ArticleVote.objects.filter(article_id=article.pk).aggregate(
        count=Count("pk"), mine=Count("pk", filter=Q(user_id=user.pk))
    )
    return Helped(votes["count"], votes["mine"] > 0)


def article_questions_for(user: User, *, article: Article) -> QuerySet[Question]:
    """The questions the article answers that this person may see: a student never
    sees another student's private question through an article."""
    return questions_visible_to(user).filter(articles=article).order_by("-created_at", "-pk")


def article_versions(*, article: Article) -> QuerySet:
    """The article's saved versions (django-simple-history records), newest first, each
    with the person who saved it."""
    return article.history.select_related("history_user").order_by("-history_date", "-history_id")
