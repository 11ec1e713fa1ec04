"""What mentors keep about their students beyond the review loop."""

from django.conf import settings
from django.db import models
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
