"""What mentors keep about their students beyond the review loop."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


# --- Activity -------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    """What a student did. The portal records the first kinds itself; the learning
    platform sends the others (and may send any of them)."""

    LOGIN = "login", _("Signed in")
    SUBMISSION = "submission", _("Submitted a project")
    REVIEW_READ = "review_read", _("Read a review")
    QUESTION = "question", _("Asked a question")
    ANSWER_ACCEPTED = "answer_accepted", _("Accepted an answer")
    ARTICLE_READ = "article_read", _("Read an article")
    SESSION_ATTENDED = "session_attended", _("Attended a session")
    SESSION_MISSED = "session_missed", _("Missed a session")
    LESSON_VIEWED = "lesson_viewed", _("Viewed a lesson")
    QUIZ_TAKEN = "quiz_taken", _("Took a quiz")
    EXERCISE_DONE = "exercise_done", _("Did an exercise")
    VIDEO_WATCHED = "video_watched", _("Watched a video")
    FORUM_POST = "forum_post", _("Posted in the forum")


# A missed session is recorded but is not activity: it must never make a student look
# engaged.
NOT_ENGAGEMENT = frozenset({ActivityKind.SESSION_MISSED})


class ActivityEvent(models.Model):
    """One thing a student did, append-only. ``day`` is the student's local date when
    it happened (their time zone at recording), which is what every signal counts in.
    A source's ``external_id`` is unique, so a batch sent twice records nothing twice."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_events",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("happened"))
    day = models.DateField(_("student's local day"))
    source = models.CharField(_("source"), max_length=64, default="portal")
    external_id = models.CharField(_("external id"), max_length=128, null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=Q(external_id__isnull=False),
                name="activityevent_source_external_unique",
            ),
        ]
        indexes = [
            # The rollup's recount of a student's day, and a student's recent events.
            models.Index(fields=["student", "day"], name="activityevent_student_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyActivity(models.Model):
    """How many engagement events a student had on one of their local days, kept
    current as events arrive, so that signals, charts and the backtest never scan the
    raw events. Days without events have no row."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="daily_activity",
        verbose_name=_("student"),
        # The indexes below start with the student: a third one would only slow writes.
        db_index=False,
    )
    day = models.DateField(_("day"))
    events = models.PositiveIntegerField(_("events"), default=0)

    class Meta:
        verbose_name = _("daily activity")
        verbose_name_plural = _("daily activity")
        ordering = ["student_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["student", "day"], name="dailyactivity_student_day"),
        ]
        indexes = [
            # The index of every signal query (a chunk of students over a range of
            # days), with the count in it so that PostgreSQL answers from the index
            # alone, without visiting a student's rows scattered over the table.
            # SQLite ignores the included column (models.W040 is silenced for it).
            models.Index(
                fields=["student", "day"], include=["events"], name="dailyactivity_covering"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.day}: {self.events}"


# --- At-risk flags --------------------------------------------------------------------


class FlagSettings(models.Model):
    """The thresholds of the at-risk signals: one row, edited by staff in the admin.
    ``FlagSettings.current()`` reads it (creating it with the defaults)."""

    inactivity_amber_days = models.PositiveSmallIntegerField(
        _("inactivity: amber after (days)"), default=7
    )
    inactivity_red_days = models.PositiveSmallIntegerField(
        _("inactivity: red after (days)"), default=14
    )
    drop_window_days = models.PositiveSmallIntegerField(
        _("activity drop: recent window (days)"), default=14
    )
    drop_baseline_days = models.PositiveSmallIntegerField(
        _("activity drop: baseline window (days)"), default=42
    )
    drop_baseline_min_active_days = models.PositiveSmallIntegerField(
        _("activity drop: active days the baseline needs"),
        default=6,
        help_text=_("Below this many active days in the baseline, no drop is judged."),
    )
    drop_amber_percent = models.PositiveSmallIntegerField(
        _("activity drop: amber below (percent of baseline)"), default=50
    )
    drop_red_percent = models.PositiveSmallIntegerField(
        _("activity drop: red below (percent of baseline)"), default=25
    )
    stalled_factor = models.DecimalField(
        _("stalled project: open longer than × target duration"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.5"),
    )
    behind_plan_days = models.PositiveSmallIntegerField(
        _("behind plan: more than (days)"), default=14
    )
    missed_sessions = models.PositiveSmallIntegerField(_("missed sessions: at least"), default=2)
    missed_sessions_window_days = models.PositiveSmallIntegerField(
        _("missed sessions: within (days)"), default=30
    )
    struggling_changes_requested = models.PositiveSmallIntegerField(
        _("struggling: at least this many 'changes requested' on one project"), default=3
    )
    resolve_after_clear_days = models.PositiveSmallIntegerField(
        _("resolve a flag after signals are clear for (days)"), default=7
    )
    recovery_window_days = models.PositiveSmallIntegerField(
        _("recovery: judged within (days) of the first outreach"), default=14
    )

    class Meta:
        verbose_name = _("flag settings")
        verbose_name_plural = _("flag settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(inactivity_red_days__gt=F("inactivity_amber_days")),
                name="flagsettings_inactivity_red_after_amber",
            ),
            models.CheckConstraint(
                condition=Q(drop_red_percent__lt=F("drop_amber_percent")),
                name="flagsettings_drop_red_below_amber",
            ),
        ]

    def __str__(self) -> str:
        return str(_("At-risk flag settings"))

    @classmethod
    def current(cls) -> "FlagSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class FlagSeverity(models.TextChoices):
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class FlagVerdict(models.TextChoices):
    USEFUL = "useful", _("Useful")
    FALSE_ALARM = "false_alarm", _("False alarm")


class RiskFlag(models.Model):
    """A student whose activity is dropping, with the evidence. At most one open flag
    per student: the nightly job opens it, raises its severity when signals worsen and
    resolves it once they stay clear. The mentor acknowledges it, logs outreach and
    says whether it was useful; the portal records whether the student recovered."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="risk_flags",
        verbose_name=_("student"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    severity = models.CharField(_("severity"), max_length=8, choices=FlagSeverity.choices)
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        help_text=_("Each signal: its name, severity, observed value, baseline and threshold."),
    )
    opened_on = models.DateField(_("opened on"))
    evaluated_on = models.DateField(_("last evaluated on"))
    clear_since = models.DateField(_("signals clear since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    worsened_at = models.DateTimeField(_("last worsened"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    verdict = models.CharField(
        _("verdict"), max_length=16, choices=FlagVerdict.choices, blank=True
    )
    verdict_at = models.DateTimeField(_("verdict given"), null=True, blank=True)
    first_outreach_at = models.DateTimeField(_("first outreach"), null=True, blank=True)
    recovered = models.BooleanField(
        _("recovered"),
        null=True,
        blank=True,
        help_text=_("Whether activity recovered within the window after the first outreach."),
    )
    recovery_checked_on = models.DateField(_("recovery judged on"), null=True, blank=True)
    notified_at = models.DateTimeField(
        _("mentor notified"),
        null=True,
        blank=True,
        help_text=_("When the mentor was last told of it (opened or worsened)."),
    )

    class Meta:
        verbose_name = _("at-risk flag")
        verbose_name_plural = _("at-risk flags")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            # Two overlapping runs or workers can never open a second flag.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status="open"),
                name="riskflag_one_open_per_student",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True)
                | Q(status="resolved", resolved_on__isnull=False),
                name="riskflag_resolved_consistently",
            ),
        ]
        indexes = [
            # Supervisors' and mentors' lists: open flags, oldest unacknowledged first.
            models.Index(
                fields=["acknowledged_at", "opened_on"],
                condition=Q(status="open"),
                name="riskflag_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.get_severity_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN


class FlagRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    # Every chunk judged; the programmes' activity is known and the drops that
    # depend on it are being judged.
    SETTLING = "settling", _("Judging drops against the programmes")
    # Every flag up to date; the mentors' digests are being sent, in parts.
    TELLING = "telling", _("Telling mentors")
    FINISHED = "finished", _("Finished")


class FlagRun(models.Model):
    """One run of the flagging job over every active student as of a day, split
    into chunks that workers take in parallel (``FlagRunChunk``), in two rounds: each
    chunk judges its students and sums its programmes' activity; once every chunk has,
    the programmes' activity (``cohort``) is known and each chunk's activity drops are
    judged against it. Then the totals are summed from the chunks and the mentors'
    digests are sent in parts (``FlagRunDigest``), a share of the mentors each."""

    as_of = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=FlagRunStatus.choices, default=FlagRunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    students = models.PositiveIntegerField(_("students evaluated"), default=0)
    opened = models.PositiveIntegerField(_("flags opened"), default=0)
    worsened = models.PositiveIntegerField(_("flags worsened"), default=0)
    resolved = models.PositiveIntegerField(_("flags resolved"), default=0)
    mentors_notified = models.PositiveIntegerField(_("mentors notified"), default=0)
    digest_parts = models.PositiveIntegerField(_("digest parts"), default=0)
    cohort = models.JSONField(
        _("programme activity"),
        default=dict,
        blank=True,
        help_text=_(
            "Each programme's recent activity against its usual, as of the run's day "
            "(programme id: ratio); drops are judged against it."
        ),
    )

    class Meta:
        verbose_name = _("flagging run")
        verbose_name_plural = _("flagging runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return _("Flagging as of %(day)s") % {"day": self.as_of.isoformat()}


class FlagRunChunk(models.Model):
    """One chunk of a run, written in the same transaction as the chunk's flags: a
    chunk retried after it committed finds its row and does nothing again. It keeps
    its students whose activity drop awaits the programmes' activity, with their
    other signals, until they are judged (``settled_at``)."""

    run = models.ForeignKey(
        FlagRun, on_delete=models.CASCADE, related_name="chunk_results", verbose_name=_("run")
    )
    index = models.PositiveIntegerField(_("chunk"))
    students = models.PositiveIntegerField(_("students"), default=0)
    opened = models.PositiveIntegerField(_("flags opened"), default=0)
    worsened = models.PositiveIntegerField(_("flags worsened"), default=0)
    resolved = models.PositiveIntegerField(_("flags resolved"), default=0)
    finished_at = models.DateTimeField(_("finished"), default=timezone.now)
    # Programme id: [recent events, baseline events, students], summed over the run.
    activity = models.JSONField(_("programme activity"), default=dict, blank=True)
    # Student id: the activity drop's figures and the student's other signals, until
    # they are judged (then emptied).
    pending = models.JSONField(_("drops to judge"), default=dict, blank=True)
    settled_at = models.DateTimeField(_("drops judged"), null=True, blank=True)

    class Meta:
        verbose_name = _("flagging run chunk")
        verbose_name_plural = _("flagging run chunks")
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="flagrunchunk_run_index"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index}"


class FlagRunDigest(models.Model):
    """One part of a run's digests, written in the same transaction as its mentors'
    notifications and the flags marked told: a part sent twice finds its row."""

    run = models.ForeignKey(
        FlagRun, on_delete=models.CASCADE, related_name="digests", verbose_name=_("run")
    )
    part = models.PositiveIntegerField(_("part"))
    mentors = models.PositiveIntegerField(_("mentors notified"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("flagging run digest")
        verbose_name_plural = _("flagging run digests")
        ordering = ["run", "part"]
        constraints = [
            models.UniqueConstraint(fields=["run", "part"], name="flagrundigest_run_part"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.part}"


class OutreachKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    CALL = "call", _("Call")
    SESSION_BOOKED = "session_booked", _("Session booked")
    OTHER = "other", _("Other")


class FlagOutreach(models.Model):
    """What the mentor did about a flag."""

    flag = models.ForeignKey(
        RiskFlag, on_delete=models.CASCADE, related_name="outreach", verbose_name=_("flag")
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutreachKind.choices)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"
