"""How mentors' work is reported and measured: weekly reports to the supervisor and
the mentor's own development."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorship.models import Role, User

# --- Weekly reports -------------------------------------------------------------------


class WeeklyReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


class WeeklyReport(models.Model):
    """A mentor's report of one week to their supervisor. The portal drafts it from
    the mentor's activity (``figures``, a snapshot: students, sessions, reviews, flags,
    proposals); the mentor adds comments and difficulties and sends it. Once sent it is
    frozen: the figures are what the mentor saw when sending."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="weekly_reports",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    week_start = models.DateField(
        _("week of"), help_text=_("The Monday the week starts on, in the mentor's time zone.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WeeklyReportStatus.choices,
        default=WeeklyReportStatus.DRAFT,
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    drafted_at = models.DateTimeField(_("figures as of"), default=timezone.now)
    comments = models.TextField(_("comments"), max_length=10000, blank=True)
    difficulties = models.TextField(_("difficulties"), max_length=10000, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        # Created as mentorship's; the model moved, the table stayed.
        db_table = "mentorship_weeklyreport"
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start", "mentor_id"]
        constraints = [
            # The weekly job may run twice or on two workers: one report per week.
            models.UniqueConstraint(
                fields=["mentor", "week_start"], name="weeklyreport_mentor_week_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=WeeklyReportStatus.DRAFT, sent_at__isnull=True)
                    | Q(status=WeeklyReportStatus.SENT, sent_at__isnull=False)
                ),
                name="weeklyreport_sent_consistently",
            ),
        ]
        indexes = [
            # The supervisor's list: sent reports of a week, newest week first.
            models.Index(fields=["status", "-week_start"], name="weeklyreport_status_week_idx"),
        ]

    def __str__(self) -> str:
        return _("%(mentor)s, week of %(week)s") % {
            "mentor": self.mentor,
            "week": self.week_start.isoformat(),
        }

    @property
    def week_end(self):
        """The Sunday the week ends on (inclusive)."""
        return self.week_start + timedelta(days=6)

    @property
    def is_sent(self) -> bool:
        return self.status == WeeklyReportStatus.SENT


# --- Self-development -----------------------------------------------------------------


class DevelopmentKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme completed as a student")
    COURSE = "course", _("Other course completed")
    EXPERTISE = "expertise", _("Area of expertise")


class DevelopmentRecord(models.Model):
    """A step in a mentor's own development: a programme of ours they completed as a
    student, another course, or an area of expertise. The mentor records it; staff
    verify it. Verified records count in the mentor's scorecard."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="development_records",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DevelopmentKind.choices)
    programme = models.ForeignKey(
        "projects.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("The course or the area.")
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence_url = models.URLField(_("certificate or evidence link"), max_length=500, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        # Created as mentorship's; the model moved, the table stayed.
        db_table = "mentorship_developmentrecord"
        verbose_name = _("self-development record")
        verbose_name_plural = _("self-development records")
        ordering = ["-created_at"]
        constraints = [
            # A programme of ours, or else a title: never both, never neither.
            models.CheckConstraint(
                condition=(
                    Q(kind=DevelopmentKind.PROGRAMME, programme__isnull=False, title="")
                    | (
                        ~Q(kind=DevelopmentKind.PROGRAMME)
                        & Q(programme__isnull=True)
                        & ~Q(title="")
                    )
                ),
                name="development_programme_or_title",
            ),
            models.UniqueConstraint(
                fields=["mentor", "programme"],
                condition=Q(programme__isnull=False),
                name="development_programme_once",
            ),
        ]
        indexes = [
            # Staff's verification list: unverified records, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(verified_at__isnull=True),
                name="development_unverified_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme) if self.programme_id else self.title

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
