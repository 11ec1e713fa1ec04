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


# --- Scorecards -----------------------------------------------------------------------


class ScorecardWeights(models.Model):
    """How much each priority counts in a mentor's overall score, set by staff in the
    admin. One row (``current``). The defaults follow the seed's order: the students'
    success first, then the service they get, the mentor's contribution to the shared
    methodology, their own development, and the further programmes their students take
    up."""

    student_success = models.PositiveSmallIntegerField(_("students' success"), default=40)
    service = models.PositiveSmallIntegerField(_("service to students"), default=25)
    methodology = models.PositiveSmallIntegerField(
        _("contribution to the methodology"), default=20
    )
    self_development = models.PositiveSmallIntegerField(_("self-development"), default=10)
    recommendations = models.PositiveSmallIntegerField(_("further programmes"), default=5)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scorecard weights")
        verbose_name_plural = _("scorecard weights")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="scorecard_weights_single_row"),
        ]

    def __str__(self) -> str:
        return str(_("Scorecard weights"))

    @classmethod
    def current(cls) -> "ScorecardWeights":
        """The weights in force (the defaults until staff change them)."""
        weights, _created = cls.objects.get_or_create(pk=1)
        return weights

    def as_dict(self) -> dict[str, int]:
        return {
            "student_success": self.student_success,
            "service": self.service,
            "methodology": self.methodology,
            "self_development": self.self_development,
            "recommendations": self.recommendations,
        }


class MetricSnapshot(models.Model):
    """One metric of one mentor in one closed period, as the nightly task computed it
    on one calendar (``zone``): the figure, how many records it stands on, what was
    expected of the mentor's students, and the mentor's percentile among the mentors
    of the same programmes. A closed period's figures no longer change, so pages read
    them from here; the current period is computed live."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="metric_snapshots",
        verbose_name=_("mentor"),
    )
    period = models.CharField(_("period"), max_length=10)  # 2026-W42, 2026-10, 2026-Q4
    zone = models.CharField(_("time zone"), max_length=64)
    metric = models.CharField(_("metric"), max_length=40)
    value = models.FloatField(_("value"), null=True, blank=True)
    n = models.PositiveIntegerField(_("records"), default=0)
    expected = models.FloatField(_("expected"), null=True, blank=True)
    percentile = models.FloatField(_("percentile"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "period", "mentor", "metric"], name="metric_snapshot_once"
            ),
        ]
        indexes = [
            # A mentor's trend: their rows of the last periods.
            models.Index(fields=["mentor", "zone", "period"], name="metric_snapshot_mentor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period}: {self.value}"


class SnapshotRun(models.Model):
    """A closed period computed into ``MetricSnapshot`` on one calendar: what the nightly
    task has done, so it does each period once (and the recompute command again)."""

    period = models.CharField(_("period"), max_length=10)
    zone = models.CharField(_("time zone"), max_length=64)
    mentors = models.PositiveIntegerField(_("mentors"), default=0)
    rows = models.PositiveIntegerField(_("figures"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("snapshot run")
        verbose_name_plural = _("snapshot runs")
        constraints = [
            models.UniqueConstraint(fields=["zone", "period"], name="snapshot_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.zone})"


# --- Second reading -------------------------------------------------------------------


class SecondReading(models.Model):
    """A supervisor's reading of one of their mentors' reviews: 1-5 with a comment.
    The ratings feed the mentor's scorecard."""

    review = models.ForeignKey(
        "projects.Review",
        on_delete=models.CASCADE,
        related_name="second_readings",
        verbose_name=_("review"),
    )
    reader = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="second_readings",
        verbose_name=_("second reader"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=[(value, str(value)) for value in range(1, 6)]
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("second reading")
        verbose_name_plural = _("second readings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reader"], name="second_reading_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="second_reading_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.rating}"


# --- Student surveys ------------------------------------------------------------------


class SurveyContinue(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure yet")


class Survey(models.Model):
    """The short satisfaction survey an active student is sent every four weeks: would
    they recommend their mentoring (0-10), do they plan to continue, and a comment. One
    per student per round (``round``: four-week rounds counted from 2024-01-01, each
    student's on their own day of it). ``mentor`` is the mentor it was about when sent.
    The comment reaches the mentor's supervisor, not the mentor."""

    student = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("student"),
    )
    mentor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys_about",
        verbose_name=_("mentor"),
    )
    round = models.PositiveIntegerField(_("round"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("would recommend (0-10)"),
        null=True,
        blank=True,
        choices=[(value, str(value)) for value in range(11)],
    )
    plans_to_continue = models.CharField(
        _("plans to continue"), max_length=8, choices=SurveyContinue.choices, blank=True
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("student survey")
        verbose_name_plural = _("student surveys")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "round"], name="survey_once_per_round"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="survey_score_0_10",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "answered_at"], name="survey_mentor_answered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} #{self.round}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class TeamDigest(models.Model):
    """The weekly e-mail to a supervisor about their team, once per supervisor and
    week (the guard that makes sending it twice impossible)."""

    supervisor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="team_digests",
        verbose_name=_("supervisor"),
    )
    week = models.CharField(_("week"), max_length=10)  # 2026-W42
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("team digest")
        verbose_name_plural = _("team digests")
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "week"], name="team_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor_id} {self.week}"
