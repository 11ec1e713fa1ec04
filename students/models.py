"""What mentors keep about their students beyond the review loop."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MentorNote(models.Model):
    """A private note about a student, in Markdown, for the people who look after them:
    the student's mentor, the mentor's supervisor and staff. Never shown to the student."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_notes",
        verbose_name=_("student"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"), max_length=10000, help_text=_("Markdown."))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("private mentor note")
        verbose_name_plural = _("private mentor notes")
        ordering = ["-created_at"]
        indexes = [
            # The student's file timeline: a student's notes, newest first.
            models.Index(fields=["student", "-created_at"], name="mentornote_student_recent_idx"),
        ]

    def __str__(self) -> str:
        return _("Note about %(student)s") % {"student": self.student}


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Incident(models.Model):
    """A conflict between students: who was involved, what happened, who arbitrates and
    how it ended. Seen by the mentors of the students involved, their supervisors, the
    arbitrator and staff; never by students."""

    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("what happened"), max_length=10000, help_text=_("Markdown."))
    occurred_on = models.DateField(_("when it happened"), default=timezone.localdate)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="incidents",
        verbose_name=_("students involved"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_reported",
        verbose_name=_("recorded by"),
    )
    arbitrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_arbitrated",
        verbose_name=_("arbitrator"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    resolution = models.TextField(
        _("resolution"), max_length=10000, blank=True, help_text=_("Markdown.")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("incident between students")
        verbose_name_plural = _("incidents between students")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=IncidentStatus.OPEN, resolved_at__isnull=True)
                    | Q(
                        status=IncidentStatus.RESOLVED,
                        resolved_at__isnull=False,
                        resolved_by__isnull=False,
                    )
                ),
                name="incident_resolved_consistently",
            ),
        ]
        indexes = [
            # The incident list: open ones first, newest first.
            models.Index(fields=["status", "-created_at"], name="incident_status_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN
