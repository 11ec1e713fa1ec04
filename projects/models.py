"""Programmes (learning paths) and their ordered projects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="projects",
        verbose_name=_("programme"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief"), blank=True)
    effort_hours = models.PositiveSmallIntegerField(_("expected effort (hours)"), default=10)
    target_days = models.PositiveSmallIntegerField(_("target duration (days)"), default=14)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="project_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.position}. {self.title}"
