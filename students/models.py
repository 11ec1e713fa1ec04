"""Working with a student beyond the review loop: private notes, incidents between
students, 1:1 sessions, and at-risk flags with the nightly runs that raise them."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorship.models import Role, User
from projects.models import Programme


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
    # The flag budget: how many students mentors can act on (``students.risk.budget``).
    red_share_percent = models.PositiveSmallIntegerField(
        _("red flags: at most (percent of judged students)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Of the students judged each night in a programme, at most this share is red: "
            "the most at risk. The others whose signals are red are shown amber."
        ),
    )
    amber_shown = models.BooleanField(
        _("amber flags shown"),
        default=True,
        help_text=_(
            "Without amber, only red flags are raised: amber signals alone flag no one, "
            "and red ones beyond the budget are left out."
        ),
    )
    red_rule = models.JSONField(
        _("red rule"),
        default=dict,
        blank=True,
        help_text=_(
            "What makes a flag red, as the calibration on the school's history chose it "
            "(students.risk.rules). Empty: a signal at its red level."
        ),
    )
    recalibrate_nightly = models.BooleanField(
        _("recalibrate every night"),
        default=False,
        help_text=_(
            "Before each night's flagging, calibrate on the last year of history and put "
            "the choice into force (a report is kept each time). Off: only when staff ask."
        ),
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
            models.CheckConstraint(
                condition=Q(red_share_percent__lte=100),
                name="flagsettings_red_share_at_most_all",
            ),
        ]

    def __str__(self) -> str:
        return str(_("At-risk flag settings"))

    @classmethod
    def current(cls) -> "FlagSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class ProgrammeFlagBudget(models.Model):
    """A programme's own flag budget, instead of the one in the flag settings: a
    programme whose mentors have more (or fewer) students, or that wants no amber."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        related_name="flag_budget",
        verbose_name=_("programme"),
    )
    red_share_percent = models.PositiveSmallIntegerField(
        _("red flags: at most (percent of judged students)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: as in the flag settings."),
    )
    amber_shown = models.BooleanField(
        _("amber flags shown"),
        null=True,
        blank=True,
        help_text=_("Empty: as in the flag settings."),
    )
    red_rule = models.JSONField(
        _("red rule"),
        default=dict,
        blank=True,
        help_text=_(
            "What makes a flag red in this programme, as the calibration on its history "
            "chose it. Empty: the flag settings' rule."
        ),
    )

    class Meta:
        verbose_name = _("programme flag budget")
        verbose_name_plural = _("programme flag budgets")
        constraints = [
            models.CheckConstraint(
                condition=Q(red_share_percent__lte=100),
                name="programmeflagbudget_red_share_at_most_all",
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme)


class FlagCalibration(models.Model):
    """One calibration of the red rule on the school's history
    (``students.risk.calibration``): its report, candidate by candidate, for the
    school and each programme, and whether its choice was put into force."""

    created_at = models.DateTimeField(_("calibrated"), default=timezone.now)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    weeks = models.PositiveSmallIntegerField(_("weeks of history"))
    horizon_days = models.PositiveSmallIntegerField(_("horizon (days)"))
    report = models.JSONField(_("report"), default=dict)
    applied_at = models.DateTimeField(_("put into force"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag calibration")
        verbose_name_plural = _("flag calibrations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Calibration of %(day)s") % {"day": self.created_at.date().isoformat()}


class FlagBacktestReport(models.Model):
    """One backtest of the flags on the school's history (``students.risk.backtest``,
    ``flag_backtest``): for all programmes and each, red, amber, any flag and each
    signal scored against the students who withdrew within the horizon. Started from
    the admin and run by a worker; the report is empty until it is done."""

    created_at = models.DateTimeField(_("started"), default=timezone.now)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    weeks = models.PositiveSmallIntegerField(
        _("weeks of history"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("horizon (days)"), validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag backtest")
        verbose_name_plural = _("flag backtests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Backtest of %(day)s") % {"day": self.created_at.date().isoformat()}


class FlagSeverity(models.TextChoices):
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class FlagVerdict(models.TextChoices):
    USEFUL = "useful", _("Useful")
    FALSE_ALARM = "false_alarm", _("False alarm")


def flags_queue_order() -> list:
    """The order people work through open flags in (``flags.flags_in_queue_order``):
    unacknowledged first, then acknowledged ones by when; oldest first within each.
    Written once here so that ``riskflag_open_queue_idx`` indexes exactly these
    expressions ("NULLS FIRST" would say it shorter, but SQLite cannot index it)."""
    return [
        models.Case(
            models.When(acknowledged_at__isnull=True, then=models.Value(0)),
            default=models.Value(1),
        ),
        F("acknowledged_at"),
        F("opened_on"),
        F("id"),
    ]


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
    # The day the flag opened: the day of the run that raised it (its ``as_of``), the
    # one date every page shows as its opening (``created_at`` is when that run wrote
    # it, often the next night).
    opened_on = models.DateField(_("opened on"))
    evaluated_on = models.DateField(_("last evaluated on"))
    # The day the stored ``reasons`` were judged as of: the last run that found
    # signals. Later runs that find them clear move ``evaluated_on`` on, not this.
    reasons_on = models.DateField(_("reasons as of"), null=True, blank=True)
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
            # The at-risk queue and the flags API (flags.flags_in_queue_order): open
            # flags in exactly the queue's order, so a page of the school's queue is read
            # from the index, not sorted from every open flag.
            models.Index(
                *flags_queue_order(),
                condition=Q(status="open"),
                name="riskflag_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.get_severity_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN

    @property
    def reasons_as_of(self) -> date:
        """The day the reasons speak of ("no activity for 23 days" as of this day).
        Flags written before ``reasons_on`` existed: the last day evaluated while
        signals showed, the day before they cleared (the runs are nightly)."""
        if self.reasons_on is not None:
            return self.reasons_on
        if self.clear_since is not None:
            return self.clear_since - timedelta(days=1)
        return self.evaluated_on


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
        _("peers' activity"),
        default=dict,
        blank=True,
        help_text=_(
            "Each peer group's recent activity against its usual, as of the run's day "
            "(c and a cohort's id, or p and a programme's id for its students on their "
            "own pace: ratio); drops, and a cohort's inactivity, are judged against it."
        ),
    )
    red_cuts = models.JSONField(
        _("red budget cuts"),
        default=dict,
        blank=True,
        help_text=_(
            "Per programme whose red candidates exceed its budget: the rank of the last "
            "student kept red (none: no red at all)."
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
    # Programme id: students judged (each under their first programme), for the budget.
    judged = models.JSONField(_("students judged per programme"), default=dict, blank=True)
    # Student id: what the second round settles, once the programmes' activity and the
    # red budget are known (then emptied): an activity drop's figures and the student's
    # other signals, or red signals awaiting the budget's cut; with the programme.
    pending = models.JSONField(_("students to settle"), default=dict, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

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


# --- Mentoring sessions ---------------------------------------------------------------


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    STUDENT_NO_SHOW = "student_no_show", _("Student did not come")
    CANCELLED_BY_STUDENT = "cancelled_by_student", _("Cancelled by the student")
    CANCELLED_BY_MENTOR = "cancelled_by_mentor", _("Cancelled by the mentor")


# The longest a session lasts (its duration's upper bound, checked by the database).
SESSION_MAX_MINUTES = 180

# How much notice a student gives when they call a session off: less than this is a
# late cancellation. It still stands; the mentor is told it came late and the statement
# keeps the hours (``sessions.session_cancel``).
CANCELLATION_NOTICE_HOURS = 24


class StudentSessionStatus(models.TextChoices):
    """A session's status as its student reads it: what happened to them, never the
    mentor's bookkeeping ("To log" is the mentor's; who cancelled is in the details)."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


_STUDENT_STATUS = {
    SessionStatus.SCHEDULED: StudentSessionStatus.SCHEDULED,
    SessionStatus.COMPLETED: StudentSessionStatus.HELD,
    SessionStatus.STUDENT_NO_SHOW: StudentSessionStatus.MISSED,
    SessionStatus.CANCELLED_BY_STUDENT: StudentSessionStatus.CANCELLED,
    SessionStatus.CANCELLED_BY_MENTOR: StudentSessionStatus.CANCELLED,
}


def session_status_for_student(status: str) -> StudentSessionStatus:
    """The one mapping of a session's status to what its student is shown: a session
    started and not yet logged is still "Scheduled" for them (the page, the list, the
    API's ``status_for_student``)."""
    return _STUDENT_STATUS[SessionStatus(status)]


# The outcomes a mentor may log; only the first two need the start time to have passed.
SESSION_OUTCOMES = [status for status in SessionStatus if status != SessionStatus.SCHEDULED]


SESSION_OUTCOMES_AFTER_START = [SessionStatus.COMPLETED, SessionStatus.STUDENT_NO_SHOW]


def sessions_upcoming_first_order() -> list:
    """The session lists' order (``sessions.sessions_upcoming_first``): scheduled
    sessions first, soonest first, then the others newest first. Written once here so
    that ``session_upcoming_first_idx`` indexes exactly these expressions (PostgreSQL
    uses an expression index for an ORDER BY only when they match)."""
    scheduled = Q(status=SessionStatus.SCHEDULED)
    return [
        models.Case(models.When(scheduled, then=models.Value(0)), default=models.Value(1)),
        models.Case(models.When(scheduled, then=F("scheduled_at"))),
        F("scheduled_at").desc(),
        F("id"),
    ]


class MentoringSessionQuerySet(models.QuerySet):
    def due_for_reminder(self, *, now, ahead: timedelta):
        """Scheduled sessions starting within ``ahead`` whose reminder has not gone."""
        return self.filter(
            status=SessionStatus.SCHEDULED,
            reminder_sent_at__isnull=True,
            scheduled_at__gt=now,
            scheduled_at__lte=now + ahead,
        )

    def awaiting_log(self, *, now):
        """Scheduled sessions that have started: the mentor should log what happened
        (``MentoringSession.awaits_log``, asked of many rows at once)."""
        return self.filter(status=SessionStatus.SCHEDULED, scheduled_at__lte=now)


class MentoringSession(models.Model):
    """A one-to-one video session between a mentor and one of their students. The
    mentor schedules it, both are reminded the day before, and afterwards the mentor
    logs what happened: the outcome is what a mentor is paid for, the summary and next
    steps are the student's, the private notes stay among mentors and staff."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="sessions_given",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    student = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="sessions_attended",
        limit_choices_to={"role": Role.STUDENT},
        verbose_name=_("student"),
    )
    scheduled_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=45,
        validators=[MinValueValidator(15), MaxValueValidator(SESSION_MAX_MINUTES)],
    )
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
    )
    cancelled_at = models.DateTimeField(
        _("cancelled"),
        null=True,
        blank=True,
        help_text=_("When the cancellation was made (for the student: when they told)."),
    )
    notice_hours = models.PositiveIntegerField(
        _("notice given (hours)"),
        null=True,
        blank=True,
        help_text=_("For a student's cancellation: whole hours between it and the start."),
    )
    private_notes = models.TextField(
        _("private notes"),
        blank=True,
        help_text=_("Seen by the mentor, their supervisor and staff; never by the student."),
    )
    summary = models.TextField(_("summary"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    logged_at = models.DateTimeField(_("logged"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    call_url = models.URLField(
        _("call link"),
        max_length=500,
        blank=True,
        # Rows written by raw SQL (the benchmarks' generators) get an empty link too.
        db_default="",
        help_text=_("Where the two meet: a video call address both of them open."),
    )

    objects = MentoringSessionQuerySet.as_manager()

    class Meta:
        # Created as mentorship's; the model moved, the table stayed.
        db_table = "mentorship_mentoringsession"
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        ordering = ["-scheduled_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="session_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status=SessionStatus.COMPLETED),
                name="session_rated_only_when_completed",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=180),
                name="session_duration_15_to_180",
            ),
            # Two students booking the same slot at once: the second insert fails here
            # even where ``select_for_update`` does not lock (SQLite); see
            # ``students.availability.session_book``. Cancelled and logged sessions
            # free their time.
            models.UniqueConstraint(
                fields=["mentor", "scheduled_at"],
                condition=Q(status="scheduled"),
                name="session_one_live_per_mentor_start",
            ),
        ]
        indexes = [
            # A mentor's sessions list and monthly statement: by mentor, by start.
            models.Index(fields=["mentor", "scheduled_at"], name="session_mentor_start_idx"),
            # A student's sessions list.
            models.Index(fields=["student", "scheduled_at"], name="session_student_start_idx"),
            # send_session_reminders: scheduled sessions not yet reminded, by start.
            models.Index(
                fields=["scheduled_at"],
                condition=Q(status="scheduled", reminder_sent_at__isnull=True),
                name="session_reminder_due_idx",
            ),
            # The sessions API and the sessions page (sessions_upcoming_first): staff's
            # list of every session of the school is read in this order, a page at a
            # time, instead of sorting them all.
            models.Index(*sessions_upcoming_first_order(), name="session_upcoming_first_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} – {self.student}, {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    @property
    def has_started(self) -> bool:
        return self.scheduled_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def awaits_log(self) -> bool:
        """Scheduled and already started: the mentor should log what happened."""
        return self.is_scheduled and self.has_started

    @property
    def is_late_cancellation(self) -> bool:
        """Called off by the student with less notice than ``CANCELLATION_NOTICE_HOURS``."""
        return (
            self.status == SessionStatus.CANCELLED_BY_STUDENT
            and self.notice_hours is not None
            and self.notice_hours < CANCELLATION_NOTICE_HOURS
        )

    @property
    def cancellation_would_be_late(self) -> bool:
        """Scheduled, and starting within ``CANCELLATION_NOTICE_HOURS``: a student who
        cancels now gives late notice (their session page says so beside the button)."""
        return self.is_scheduled and self.scheduled_at - timezone.now() < timedelta(
            hours=CANCELLATION_NOTICE_HOURS
        )

    @property
    def status_for_student(self) -> "StudentSessionStatus":
        """The status as its student reads it (``session_status_for_student``); its
        ``label`` is the text."""
        return session_status_for_student(self.status)


# --- Mentors' availability ------------------------------------------------------------


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (``date.weekday()``: Monday is 0)."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilitySlot(models.Model):
    """A time a mentor offers every week for sessions their students book: a weekday, a
    start time and a duration on the mentor's own clock (their ``time_zone``), so a slot
    at 18:00 stays at 18:00 for the mentor when their clocks change and moves for a
    student in another zone. ``students.availability`` turns them into the free times
    of the coming weeks."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="availability_slots",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"), help_text=_("In the mentor's time zone."))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=45,
        validators=[MinValueValidator(15), MaxValueValidator(SESSION_MAX_MINUTES)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("availability slot")
        verbose_name_plural = _("availability slots")
        ordering = ["weekday", "start_time"]
        constraints = [
            # Also the index of "a mentor's slots" (availability.free_slots).
            models.UniqueConstraint(
                fields=["mentor", "weekday", "start_time"], name="availability_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="availability_slot_weekday"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=180),
                name="availability_slot_duration_15_to_180",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M} ({self.duration_minutes})"


class AvailabilityBlock(models.Model):
    """Days a mentor is away (a holiday, a conference): none of their slots is offered
    from ``starts_on`` to ``ends_on``, both included, dates on the mentor's calendar.
    Sessions already booked on those days stay; the mentor cancels them if need be."""

    mentor = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="availability_blocks",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), help_text=_("Included."))
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("For you only, e.g. holiday.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked dates")
        verbose_name_plural = _("blocked dates")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="availability_block_dates_in_order"
            ),
        ]
        indexes = [
            # availability.free_slots: a mentor's blocks that end on or after today.
            models.Index(fields=["mentor", "ends_on"], name="availability_block_mentor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"
