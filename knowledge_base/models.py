"""The school's shared knowledge: hard cases mentors discuss among themselves, and
mentors' proposals to improve programmes and the platform."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorship.models import Role
from projects.models import Programme, Project

# --- Case discussions -----------------------------------------------------------------


class CaseAudience(models.TextChoices):
    SUPERVISOR = "supervisor", _("My supervisor only")
    MENTORS = "mentors", _("All mentors")


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
