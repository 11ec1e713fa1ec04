"""The school's shared knowledge: hard cases mentors discuss among themselves, and
mentors' proposals to improve programmes and the platform."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mentorship.models import ContentLanguage, Role
from projects.models import Programme, Project

# --- Case discussions -----------------------------------------------------------------


class CaseAudience(models.TextChoices):
    SUPERVISOR = "supervisor", _("My supervisor only")
    MENTORS = "mentors", _("All mentors")


# The case list's order (``selectors.cases_open_first``): open cases first, then the
# resolved, newest first within each. Written once, so ``case_open_first_idx`` indexes
# exactly what the list sorts by (as an expression: SQLite's indexes know no NULLS
# FIRST).
CASE_LIST_ORDER = (
    models.Case(
        models.When(resolved_at__isnull=True, then=models.Value(0)),
        default=models.Value(1),
    ).asc(),
    F("created_at").desc(),
    F("id").desc(),
)


class CaseDiscussion(models.Model):
    """A hard case a mentor raises with their supervisor or with all mentors, optionally
    about one of their students (who never sees it). Replies by other mentors count as
    peer help."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_raised",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("author"),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=CaseAudience.choices, default=CaseAudience.SUPERVISOR
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Markdown."))
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_about",
        limit_choices_to={"role": Role.STUDENT},
        verbose_name=_("student"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        # Created as mentorship's; the model moved, the table stayed.
        db_table = "mentorship_casediscussion"
        verbose_name = _("case discussion")
        verbose_name_plural = _("case discussions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False),
                name="case_resolved_by_someone",
            ),
        ]
        indexes = [
            # The case list: open first, newest first ("mine" filters by author).
            models.Index(fields=["author", "created_at"], name="case_author_created_idx"),
            # The same list for a mentor, who sees every case open to mentors: read in
            # this order, a page at a time, rather than sorting thousands.
            models.Index(*CASE_LIST_ORDER, name="case_open_first_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class CaseReply(models.Model):
    """One reply in a case's thread, ordered by time."""

    case = models.ForeignKey(
        CaseDiscussion, on_delete=models.CASCADE, related_name="replies", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_replies",
        verbose_name=_("author"),
    )
    body = models.TextField(_("body"), help_text=_("Markdown."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        # Created as mentorship's; the model moved, the table stayed.
        db_table = "mentorship_casereply"
        verbose_name = _("case reply")
        verbose_name_plural = _("case replies")
        ordering = ["created_at", "pk"]
        indexes = [
            # A case's thread, and peer_help_counts by author.
            models.Index(fields=["case", "created_at"], name="casereply_case_created_idx"),
            models.Index(fields=["author", "created_at"], name="casereply_author_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.case}"


# --- Improvement proposals (a mentor proposes, staff decide) --------------------------


class ProposalSubject(models.TextChoices):
    PROGRAMME = "programme", _("A programme")
    PROJECT = "project", _("A project")
    PLATFORM = "platform", _("The platform")


class ProposalStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class ImprovementProposal(models.Model):
    """A mentor's proposal to improve a programme, a project or the platform, and the
    staff's decision on it."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("author"),
    )
    subject = models.CharField(_("about"), max_length=10, choices=ProposalSubject.choices)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("programme"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("project"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.NEW
    )
    reply = models.TextField(_("reply from the school"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        # Created as projects's; the model moved, the table stayed.
        db_table = "projects_improvementproposal"
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


# --- Topics ---------------------------------------------------------------------------


class Topic(models.Model):
    """A tag on questions and articles. Staff map each topic to the projects that teach
    it; a topic students ask about with no project of their programme is a gap in the
    programme."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    projects = models.ManyToManyField(
        Project,
        blank=True,
        related_name="topics",
        verbose_name=_("projects that cover it"),
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Questions and answers ------------------------------------------------------------


class QuestionVisibility(models.TextChoices):
    PRIVATE = "private", _("Private: me, my mentor, their supervisor and staff")
    PROGRAMME = "programme", _("Public to my programme: its students and mentors")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Solved")
    DUPLICATE = "duplicate", _("Duplicate")


class Question(models.Model):
    """A student's question: private (the student, their mentor, the mentor's
    supervisor, staff) or public to the programme. ``waiting_since`` is when it last
    started waiting for an answer: when asked, or at the asker's last follow-up."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="questions",
        limit_choices_to={"role": Role.STUDENT},
        verbose_name=_("asked by"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("programme"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("project"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True, help_text=_("Markdown."))
    language = models.CharField(
        _("language"), max_length=2, choices=ContentLanguage.choices, default="en"
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="questions", verbose_name=_("topics")
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=QuestionVisibility.choices,
        default=QuestionVisibility.PRIVATE,
    )
    hide_name = models.BooleanField(
        _("hide my name from other students"),
        default=False,
        help_text=_("Mentors and staff still see who asked."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    accepted_answer = models.OneToOneField(
        "Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted answer"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    reminded_at = models.DateTimeField(_("mentor reminded"), null=True, blank=True)
    # Kept current by a trigger on PostgreSQL (title weighted A, body B, in the
    # configuration of the question's language); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="question_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")),
                name="question_not_duplicate_of_itself",
            ),
        ]
        indexes = [
            # The mentor's queue: open questions by programme, oldest waiting first.
            models.Index(
                fields=["status", "programme", "waiting_since"], name="question_queue_idx"
            ),
            models.Index(fields=["author", "created_at"], name="question_author_idx"),
            models.Index(fields=["programme", "created_at"], name="question_programme_idx"),
            # The queue (``question_queue``): open questions, longest waiting first, read
            # off this index down to a page...
            models.Index(
                fields=["waiting_since", "id"],
                condition=Q(status="open"),
                name="question_waiting_idx",
            ),
            # ...and counted as the asker's (by author) or the programme's public ones.
            models.Index(
                fields=["programme", "waiting_since"],
                condition=Q(status="open", visibility="programme"),
                name="question_waiting_public_idx",
            ),
            # Newest first (``-created_at, -pk``): the question list and the API's
            # questions, read backwards down to a page (staff: no scan of every row).
            models.Index(fields=["created_at", "id"], name="question_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == QuestionVisibility.PROGRAMME


class Answer(models.Model):
    """One post in a question's thread: an answer by a mentor or (on public questions)
    a fellow student, or a follow-up by the asker, which reopens the question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("author"),
    )
    body = models.TextField(_("answer"), help_text=_("Markdown."))
    is_follow_up = models.BooleanField(_("follow-up by the asker"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["question", "created_at"], name="answer_question_idx"),
            # Peer help and answer counts by author over a period.
            models.Index(fields=["author", "created_at"], name="answer_author_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.question}"


# --- Articles -------------------------------------------------------------------------


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    """A knowledge-base article (a "case"): written by mentors, often grown from an
    answered question. Students read published articles of their programmes (or of
    none: school-wide); mentors every published article and their own drafts."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    language = models.CharField(
        _("language"), max_length=2, choices=ContentLanguage.choices, default="en"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="articles", verbose_name=_("topics")
    )
    programmes = models.ManyToManyField(
        Programme,
        blank=True,
        related_name="articles",
        verbose_name=_("programmes"),
        help_text=_("Leave empty for an article for the whole school."),
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="articles", verbose_name=_("projects")
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="articles", verbose_name=_("authors")
    )
    questions = models.ManyToManyField(
        Question,
        blank=True,
        related_name="articles",
        verbose_name=_("questions it answers"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Every saved edit keeps the version before it, with who and when (staff read it).
    history = HistoricalRecords(
        excluded_fields=["search_vector", "view_count"],
        verbose_name=_("historical article"),
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleVote(models.Model):
    """Someone said "this helped" about an article: once per person."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="votes", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="article_votes",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("voted"), default=timezone.now)

    class Meta:
        verbose_name = _("helpful vote")
        verbose_name_plural = _("helpful votes")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} found {self.article} helpful"


class Deflection(models.Model):
    """A question the knowledge base answered before anyone had to: while typing a
    question, the student opened a suggested article or answered public question and
    said it solved the problem. Counted once per student and item."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deflections",
        verbose_name=_("student"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("programme"),
    )
    query = models.CharField(_("what they were typing"), max_length=200, blank=True)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("article"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("answered question"),
    )
    created_at = models.DateTimeField(_("solved"), default=timezone.now)

    class Meta:
        verbose_name = _("question solved by the knowledge base")
        verbose_name_plural = _("questions solved by the knowledge base")
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, question__isnull=True)
                | Q(article__isnull=True, question__isnull=False),
                name="deflection_one_item",
            ),
            models.UniqueConstraint(
                fields=["student", "article"],
                condition=Q(article__isnull=False),
                name="deflection_once_per_article",
            ),
            models.UniqueConstraint(
                fields=["student", "question"],
                condition=Q(question__isnull=False),
                name="deflection_once_per_question",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "created_at"], name="deflection_programme_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.article or self.question}"
