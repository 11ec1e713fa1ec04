"""The bottom layer's data: people and their relationships (users and roles, profiles,
mentor assignments, invitations, API tokens), notifications, and the activity event log
that every app writes to."""

import hashlib
import secrets
import uuid
import zoneinfo
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .messages import message_render

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
            # The learning platform's batches name students by e-mail in any case
            # (``activity._students_named_in``): thousands of probes, not a scan of
            # every person.
            models.Index(Lower("email"), name="user_email_lower_idx"),
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
    call_url = models.URLField(
        _("default call link"),
        max_length=500,
        blank=True,
        # Rows written by raw SQL (the benchmarks' generators) get an empty link too.
        db_default="",
        help_text=_(
            "Your video call room: every session booked or scheduled with you gets it, "
            "and you can change it on each session."
        ),
    )

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
    """What a student brings (goals, hours a week) and where they are: ``status`` is
    their current status, the one every list filters on. It is written only by
    ``mentorship.services.student_status_set``, from the dated history of changes
    (``StudentStatusChange``), which answers what it was on any past day."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="student_profile")
    goals = models.TextField(_("goals"), blank=True)
    weekly_hours = models.PositiveSmallIntegerField(_("hours available per week"), default=10)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StudentStatus.choices,
        default=StudentStatus.ACTIVE,
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


class StudentStatusChange(models.Model):
    """One change of a student's status, dated by the day it took effect on the
    student's own calendar, which may be earlier than the day it was recorded (a
    withdrawal staff learn of late). The latest change on or before a day is the
    status on that day (``mentorship.selectors.student_status_on``); of two changes
    taking effect the same day, the one recorded later wins. Before their first change a
    student is active, as every student starts."""

    # Keyed by the user's id (``to_field``), so that queries over users match their
    # changes without a join, while the admin shows the history under the profile.
    student = models.ForeignKey(
        StudentProfile,
        on_delete=models.CASCADE,
        to_field="user",
        db_column="student_id",
        related_name="status_changes",
        verbose_name=_("student"),
        # The index below starts with the student: a second one would only slow writes.
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=StudentStatus.choices)
    effective_on = models.DateField(
        _("effective from"), help_text=_("The student's local day the status took effect.")
    )
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the portal itself recorded it (a graduation)."),
    )
    reason = models.TextField(_("reason"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        # Newest first: the first row is the current status.
        ordering = ["-effective_on", "-id"]
        indexes = [
            # "The latest change of each student on or before a day": the status on a
            # day (flagging, the backtest), the current one and since when (API, admin).
            models.Index(
                fields=["student", "-effective_on", "-id"], name="statuschange_student_day_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.status} {self.effective_on}"


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
    def pending(self, *, now=None):
        """Invitations that may still be accepted (``Invitation.is_usable``)."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A staff member's invitation for someone to join with a given role. The link in
    the e-mail carries a secret token; only its hash is stored, and a seed from which
    the token is derived again with the server's secret key, so that a sweep can send
    an invitation whose own task was lost (the broker down) without the token ever
    travelling through the broker."""

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
    # Blank for invitations made before the seed existed: their token is only in the
    # task that was queued for them.
    token_seed = models.CharField(max_length=64, blank=True, editable=False)
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

    @staticmethod
    def new_seed() -> str:
        return secrets.token_hex(32)

    @staticmethod
    def token_for(seed: str) -> str:
        """The link's token for a seed: an HMAC with the secret key, so the stored seed
        alone does not open the invitation."""
        return salted_hmac("mentorship.Invitation.token", seed, algorithm="sha256").hexdigest()

    @property
    def token(self) -> str:
        """The link's token, derived again from the seed; empty when it cannot be (no
        seed, or the secret key has changed since)."""
        if not self.token_seed:
            return ""
        token = self.token_for(self.token_seed)
        return token if self.hash_token(token) == self.token_hash else ""

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


class EmailState(models.TextChoices):
    """Where a notification's e-mail stands. The notification row is the outbox: it is
    written in the same transaction as what caused it, so an e-mail that must go out
    is never lost with a broker or a worker (``mentorship.notifications``)."""

    NOT_WANTED = "not_wanted", _("Not wanted")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know: shown in the portal, and e-mailed when they want
    e-mail. Kept as its untranslated message and params (mentorship.messages) and
    rendered in the reader's language whenever it is read: ``title`` and ``body`` are
    in the active language. ``written_title``/``written_body`` are the text as first
    written, in the recipient's language then: what staff search in the admin, and
    what rows from before messages were kept (``message`` empty) show as they are."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    written_title = models.CharField(_("title as written"), max_length=255)
    written_body = models.TextField(_("text as written"), blank=True)
    # {"title": <message>, "body": <message>} (mentorship.messages); null on old rows.
    message = models.JSONField(_("message"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The e-mail's outbox state (mentorship.notifications): pending until a worker
    # has sent it; retried with a pause after a mail-server error, failed after the
    # last attempt. ``emailed_at`` is when it was sent.
    email_state = models.CharField(
        _("e-mail"), max_length=20, choices=EmailState, default=EmailState.NOT_WANTED
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_next_attempt_at = models.DateTimeField(
        _("next e-mail attempt"),
        null=True,
        blank=True,
        help_text=_("When the sweep sends it if nothing has sent it by then."),
    )
    email_claimed_until = models.DateTimeField(_("e-mail claimed until"), null=True, blank=True)
    # Which attempt holds the claim: only it may mark the row sent or failed.
    email_claim = models.CharField(_("e-mail claim"), max_length=32, blank=True)
    email_error = models.TextField(_("last e-mail error"), blank=True)

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
            # The e-mail sweep: pending rows whose next attempt is due
            # (notifications.notifications_email_due). Pending rows are few.
            models.Index(
                fields=["email_next_attempt_at"],
                condition=Q(email_state="pending"),
                name="notification_email_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language."""
        if self.message and self.message.get("title"):
            return message_render(self.message["title"], self.params)
        return self.written_title

    @property
    def body(self) -> str:
        """The text in the active language ("" when there is none)."""
        if self.message is not None:
            body = self.message.get("body")
            return message_render(body, self.params) if body else ""
        return self.written_body


# --- The activity event log -----------------------------------------------------------


class ActivityKind(models.TextChoices):
    """What a student did. The portal records the first kinds itself; the learning
    platform sends the others (and may send any of them)."""

    LOGIN = "login", _("Signed in")
    SUBMISSION = "submission", _("Submitted a project")
    REVIEW_READ = "review_read", _("Read a review")
    QUESTION = "question", _("Asked a question")
    ANSWER = "answer", _("Answered a question")
    ANSWER_ACCEPTED = "answer_accepted", _("Accepted an answer")
    ARTICLE_READ = "article_read", _("Read an article")
    SESSION_BOOKED = "session_booked", _("Booked a session")
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
        # The (student, day) index below starts with the student and serves every
        # query by student (and the deletion of one): a third index would only make
        # each of the learning platform's inserts pay for one more.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("happened"))
    day = models.DateField(_("student's local day"))
    source = models.CharField(_("source"), max_length=64, default="portal")
    external_id = models.CharField(_("external id"), max_length=128, null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        # Created as students's; the model moved, the table stayed.
        db_table = "students_activityevent"
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
        # The unique constraint is what a batch's insert deduplicates on (ON CONFLICT);
        # on PostgreSQL the batches add to the rollup and never recount it.
        indexes = [
            # The rollup's recount of a student's day (``daily_activity_refresh``, and
            # every write on SQLite), a student's events, the deletion of a student.
            models.Index(fields=["student", "day"], name="activityevent_student_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyActivity(models.Model):
    """How many engagement events a student had on one of their local days (and the sum
    of the values they carried), kept current as events arrive, so that signals, charts
    and the backtest never scan the raw events. Days without events have no row."""

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
    # The intensity, where the platform sends it: the sum of the day's engagement
    # events' values (minutes, clicks, pages, ...) and how many of them carried one. A
    # platform that sends one event a day with its minutes is measured by these.
    value_total = models.FloatField(_("sum of values"), default=0, db_default=0)
    valued_events = models.PositiveIntegerField(_("events with a value"), default=0, db_default=0)

    class Meta:
        # Created as students's; the model moved, the table stayed.
        db_table = "students_dailyactivity"
        verbose_name = _("daily activity")
        verbose_name_plural = _("daily activity")
        ordering = ["student_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["student", "day"], name="dailyactivity_student_day"),
        ]
        indexes = [
            # The index of every signal query (a chunk of students over a range of
            # days), with the count and the intensity in it so that PostgreSQL answers
            # from the index alone, without visiting a student's rows scattered over the
            # table. SQLite ignores the included columns (models.W040 is silenced for it).
            models.Index(
                fields=["student", "day"],
                include=["events", "value_total", "valued_events"],
                name="dailyactivity_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.day}: {self.events}"


# The audit trail's table lives with its service (``mentorship.audit``); imported here
# so that Django finds the model with the app's others.
from .audit import AuditEntry  # noqa: E402, F401


def pending_upload_to(instance: "PendingUpload", filename: str) -> str:
    """A random name in a folder of its own: nothing about the person or the original
    name is guessable, and a sweep never touches files that belong to something."""
    suffix = PurePath(filename).suffix.lower()[:16]
    return f"pending/{uuid.uuid4().hex}{suffix}"


class PendingUpload(models.Model):
    """A file that a form accepted while refusing the form as a whole (another file of
    the wrong type, a missing link...), kept for the person who sent it so that they
    re-pick only what was refused. Private like every upload (no public URL; only its
    owner reads it, ``mentorship.uploads``), and swept a day after it was kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    # Which form it waits for, e.g. "projects.submission:12" (the submission form of
    # project 12): a file kept for one form is never offered to another.
    purpose = models.CharField(_("form"), max_length=100)
    file = models.FileField(_("file"), upload_to=pending_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("kept at"), default=timezone.now)

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")
        ordering = ["created_at", "id"]
        indexes = [
            # A form's kept files for its user (``pending_uploads_for``), on every
            # render of that form.
            models.Index(fields=["user", "purpose"], name="pending_upload_user_idx"),
            # The hourly sweep of those kept longer than a day.
            models.Index(fields=["created_at"], name="pending_upload_created_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name
