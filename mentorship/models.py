"""People and their relationships: users and roles, profiles, mentor assignments,
invitations and API tokens."""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    # Checked against the tz database at run time rather than frozen as choices in
    # a migration, so a tzdata update needs no schema change.
    from django.core.exceptions import ValidationError

    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s.") % {"zone": value})


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    MENTOR = "mentor", _("Mentor")
    SUPERVISOR = "supervisor", _("Supervisor")
    STAFF = "staff", _("Staff")


class ContentLanguage(models.TextChoices):
    """Languages people speak and content is written in (wider than the UI's two)."""

    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")


class UserQuerySet(models.QuerySet):
    def mentors(self):
        return self.filter(role=Role.MENTOR, is_active=True)

    def supervisors(self):
        return self.filter(role=Role.SUPERVISOR, is_active=True)

    def students(self):
        return self.filter(role=Role.STUDENT)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        # `createsuperuser` passes Django's flags; here a superuser is a staff member.
        fields.pop("is_staff", None)
        fields.setdefault("is_superuser", True)
        fields["role"] = Role.STAFF
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in. E-mail is the login; the role decides the home page and,
    with assignments and teams, what the person may see."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="UTC"
    )
    email_notifications = models.BooleanField(
        _("e-mail me notifications"),
        default=True,
        help_text=_("Notifications always appear in the portal; this also e-mails them."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]
        indexes = [
            # "mentors of a team", "all students": the role filters every people list.
            models.Index(fields=["role", "display_name"], name="user_role_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The person's time zone: every "their day", "their week" and "their local
        time" is read in it. ``time_zone`` is validated on save; UTC if it is unknown
        all the same (a row written around the validation)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def is_staff(self) -> bool:
        """Django admin access: staff members (deans, programme managers, admins)."""
        return self.role == Role.STAFF

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    def has_perm(self, perm, obj=None) -> bool:
        # Staff may do everything in the admin; object-level rules live in selectors.
        if self.is_active and self.role == Role.STAFF:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.STAFF:
            return True
        return super().has_module_perms(app_label)


class MentorProfile(models.Model):
    """What a mentor can take on: how many students, which programmes, which languages,
    and the supervisor whose team they belong to."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mentor_profile")
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=10, help_text=_("Most active students at once.")
    )
    programmes = models.ManyToManyField(
        "projects.Programme",
        blank=True,
        related_name="mentor_profiles",
        verbose_name=_("programmes they can mentor"),
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, ru.")
    )
    supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_profiles",
        limit_choices_to={"role": Role.SUPERVISOR},
        verbose_name=_("supervisor"),
    )
    bio = models.TextField(_("about"), blank=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        known = set(ContentLanguage.values)
        if not isinstance(self.languages, list) or not set(self.languages) <= known:
            raise ValidationError(
                {
                    "languages": _("Use a list of language codes among: %(codes)s.")
                    % {"codes": ", ".join(sorted(known))}
                }
            )


class StudentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    GRADUATED = "graduated", _("Graduated")
    DROPPED = "dropped", _("Dropped")


class StudentProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="student_profile")
    goals = models.TextField(_("goals"), blank=True)
    weekly_hours = models.PositiveSmallIntegerField(_("hours available per week"), default=10)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StudentStatus.choices,
        default=StudentStatus.ACTIVE,
    )
    status_changed_at = models.DateTimeField(
        _("status since"),
        null=True,
        blank=True,
        help_text=_(
            "When the status last changed: the backtest needs to know when a student dropped."
        ),
    )
    external_id = models.CharField(
        _("learning platform id"),
        max_length=64,
        blank=True,
        help_text=_("How the learning platform names this student in its events."),
    )

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="student_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class Assignment(models.Model):
    """A student's mentor over a period. Ended rows are kept as history; at most one
    assignment per student is current (``ended_at`` empty)."""

    student = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="mentor_assignments",
        limit_choices_to={"role": Role.STUDENT},
        verbose_name=_("student"),
    )
    mentor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="student_assignments",
        limit_choices_to={"role": Role.MENTOR},
        verbose_name=_("mentor"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    assigned_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(ended_at__isnull=True),
                name="one_current_mentor_per_student",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # "current students of this mentor": capacity checks and mentor home pages.
            models.Index(
                fields=["mentor"],
                condition=Q(ended_at__isnull=True),
                name="assignment_current_mentor_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.mentor}"


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A staff member's invitation for someone to join with a given role. The link in
    the e-mail carries a secret token; only its hash is stored."""

    email = models.EmailField(_("e-mail address"))
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Of the invitation e-mail and, at first, of the portal."),
    )
    supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": Role.SUPERVISOR},
        verbose_name=_("supervisor"),
        help_text=_("For mentors: the team they join."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [
            # purge_expired_invitations: unaccepted rows past their expiry.
            models.Index(
                fields=["expires_at"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_unaccepted_exp_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A credential for an integration (the learning platform, a report job). Staff
    create and revoke tokens in the admin; the secret is shown once and stored hashed.
    Requests made with it act as ``user``."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("acts as")
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know: shown in the portal, and e-mailed when they want
    e-mail. Written in the recipient's language when it is created."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            # The unread badge in the navigation bar, on every page.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            # The notifications page: a person's newest first.
            models.Index(fields=["user", "-created_at"], name="notification_user_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Mentoring sessions -------------------------------------------------------------


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    STUDENT_NO_SHOW = "student_no_show", _("Student did not come")
    CANCELLED_BY_STUDENT = "cancelled_by_student", _("Cancelled by the student")
    CANCELLED_BY_MENTOR = "cancelled_by_mentor", _("Cancelled by the mentor")


# The outcomes a mentor may log; only the first two need the start time to have passed.
SESSION_OUTCOMES = [status for status in SessionStatus if status != SessionStatus.SCHEDULED]
SESSION_OUTCOMES_AFTER_START = [SessionStatus.COMPLETED, SessionStatus.STUDENT_NO_SHOW]


class MentoringSessionQuerySet(models.QuerySet):
    def due_for_reminder(self, *, now, ahead: timedelta):
        """Scheduled sessions starting within ``ahead`` whose reminder has not gone."""
        return self.filter(
            status=SessionStatus.SCHEDULED,
            reminder_sent_at__isnull=True,
            scheduled_at__gt=now,
            scheduled_at__lte=now + ahead,
        )


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
        validators=[MinValueValidator(15), MaxValueValidator(180)],
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

    objects = MentoringSessionQuerySet.as_manager()

    class Meta:
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


# --- Case discussions ---------------------------------------------------------------


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


# --- Weekly reports -----------------------------------------------------------------


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


# --- Self-development ---------------------------------------------------------------


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
