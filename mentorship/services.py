"""Writes about people: invitations, accounts, profiles, assignments and API tokens.

Every function here is the one place its rule lives; views, the admin, commands and
tasks call these instead of saving models themselves.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    SESSION_OUTCOMES,
    SESSION_OUTCOMES_AFTER_START,
    ApiToken,
    Assignment,
    CaseDiscussion,
    CaseReply,
    DevelopmentKind,
    DevelopmentRecord,
    Invitation,
    MentoringSession,
    MentorProfile,
    Notification,
    Role,
    SessionStatus,
    StudentProfile,
    User,
    WeeklyReport,
    WeeklyReportStatus,
)


def user_ensure_profile(*, user: User) -> None:
    """Give a student or mentor the profile their role needs (idempotent)."""
    if user.role == Role.STUDENT:
        StudentProfile.objects.get_or_create(user=user)
    elif user.role == Role.MENTOR:
        MentorProfile.objects.get_or_create(user=user)


def user_update_preferences(
    *,
    user: User,
    display_name: str,
    language: str,
    time_zone: str,
    email_notifications: bool = True,
) -> User:
    """Change how the portal addresses and shows itself to a person."""
    user.display_name = display_name
    user.language = language
    user.time_zone = time_zone
    user.email_notifications = email_notifications
    user.full_clean()
    user.save(update_fields=["display_name", "language", "time_zone", "email_notifications"])
    return user


def student_profile_update(*, user: User, goals: str, weekly_hours: int) -> StudentProfile:
    """A student states their goals and how much time they have each week."""
    profile, _created = StudentProfile.objects.get_or_create(user=user)
    profile.goals = goals
    profile.weekly_hours = weekly_hours
    profile.full_clean()
    profile.save(update_fields=["goals", "weekly_hours"])
    return profile


def student_status_set(*, profile: StudentProfile, status: str) -> StudentProfile:
    """Change a student's status (active, paused, graduated, dropped) and remember when:
    the flagging job judges a student as the status they had on a day, and the
    backtest scores flags against the day a student dropped. Setting the status they
    already have changes nothing."""
    if profile.pk is not None:
        stored = StudentProfile.objects.filter(pk=profile.pk).values_list("status", flat=True)
        if stored.first() == status:
            profile.status = status
            return profile
    profile.status = status
    profile.status_changed_at = timezone.now()
    profile.full_clean()
    profile.save()
    return profile


def mentor_profile_update(*, user: User, languages: list[str], bio: str) -> MentorProfile:
    """A mentor states the languages they mentor in and a few words about themself.
    Capacity, programmes and team are staff's to set."""
    profile, _created = MentorProfile.objects.get_or_create(user=user)
    profile.languages = sorted(languages)
    profile.bio = bio
    profile.full_clean()
    profile.save(update_fields=["languages", "bio"])
    return profile


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language a signed-in person picked in the switcher."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Invitations --------------------------------------------------------------------


def invitation_create(
    *,
    email: str,
    role: str,
    invited_by: User,
    display_name: str = "",
    supervisor: User | None = None,
    language: str = "",
) -> tuple[Invitation, str]:
    """Invite someone to join with a role. Returns the invitation and the secret token
    (which is stored only as a hash); the e-mail with the link goes out after commit.
    An earlier unaccepted invitation to the same address is withdrawn."""
    from .tasks import send_invitation_email

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone with this e-mail address has already joined.")})
    if role != Role.MENTOR:
        supervisor = None
    token = Invitation.new_token()
    with transaction.atomic():
        Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).delete()
        invitation = Invitation(
            email=email,
            role=role,
            display_name=display_name,
            supervisor=supervisor,
            language=language or invited_by.language,
            invited_by=invited_by,
            token_hash=Invitation.hash_token(token),
        )
        invitation.full_clean()
        invitation.save()
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, if it can still be used."""
    invitation = (
        Invitation.objects.select_related("invited_by")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(
    *, invitation: Invitation, password: str, display_name: str, language: str
) -> User:
    """Turn an invitation into an account: the address is verified (the link reached
    it), the role and team come from the invitation."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(_("This invitation has expired or was already used."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("Someone with this e-mail address has already joined."))
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            display_name=display_name or invitation.display_name,
            role=invitation.role,
            language=language,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user_ensure_profile(user=user)
        if invitation.role == Role.MENTOR and invitation.supervisor_id:
            MentorProfile.objects.filter(user=user).update(supervisor_id=invitation.supervisor_id)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw an invitation that has not been accepted: its link stops working."""
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already accepted."))
    invitation.delete()


def invitations_purge_expired(*, grace_days: int = 30) -> int:
    """Delete unaccepted invitations that expired more than ``grace_days`` ago (kept a
    while so staff can see who never joined). Returns how many were deleted."""
    cutoff = timezone.now() - timedelta(days=grace_days)
    deleted, _details = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=cutoff
    ).delete()
    return deleted


# --- Assignments --------------------------------------------------------------------


def assignment_validate(
    *,
    student: User,
    mentor: User,
    reason: str = "",
    override_capacity: bool = False,
) -> None:
    """Check that ``mentor`` may become the student's mentor; raise ValidationError
    naming the field otherwise. A mentor at capacity (current students ≥ capacity) is
    refused unless ``override_capacity`` is set with a reason."""
    if student.role != Role.STUDENT:
        raise ValidationError({"student": _("Only students can be assigned a mentor.")})
    if mentor.role != Role.MENTOR or not mentor.is_active:
        raise ValidationError({"mentor": _("Choose an active mentor.")})
    if override_capacity and not reason.strip():
        raise ValidationError({"reason": _("Say why the mentor's capacity may be exceeded.")})
    current = Assignment.objects.current().filter(student=student).first()
    if current is not None and current.mentor_id == mentor.pk:
        raise ValidationError(
            {"mentor": _("%(mentor)s is already this student's mentor.") % {"mentor": mentor}}
        )
    capacity = MentorProfile.objects.filter(user=mentor).values_list("capacity", flat=True).first()
    if capacity is None:
        capacity = MentorProfile._meta.get_field("capacity").default
    load = Assignment.objects.current().filter(mentor=mentor).count()
    if load >= capacity and not override_capacity:
        raise ValidationError(
            {
                "mentor": _("%(mentor)s is at capacity (%(load)d of %(capacity)d students).")
                % {"mentor": mentor, "load": load, "capacity": capacity}
            }
        )


def assignment_create(
    *,
    student: User,
    mentor: User,
    assigned_by: User | None,
    reason: str = "",
    override_capacity: bool = False,
) -> Assignment:
    """Make ``mentor`` the student's current mentor, ending any earlier assignment
    (history is kept). The rules are ``assignment_validate``'s; they are checked with
    the mentor's profile row locked, so two assignments made at once cannot both take
    the last free place."""
    with transaction.atomic():
        profile, _created = MentorProfile.objects.get_or_create(user=mentor)
        MentorProfile.objects.select_for_update().filter(pk=profile.pk).first()
        assignment_validate(
            student=student,
            mentor=mentor,
            reason=reason,
            override_capacity=override_capacity,
        )
        now = timezone.now()
        Assignment.objects.current().filter(student=student).update(ended_at=now)
        user_ensure_profile(user=student)
        assignment = Assignment(
            student=student,
            mentor=mentor,
            started_at=now,
            reason=reason.strip(),
            assigned_by=assigned_by,
        )
        assignment.full_clean(validate_constraints=False)
        assignment.save()
    return assignment


def assignment_end(*, student: User) -> Assignment | None:
    """End the student's current assignment (graduation, drop-out); history stays."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.current().select_for_update().filter(student=student).first()
        )
        if assignment is not None:
            assignment.ended_at = timezone.now()
            assignment.save(update_fields=["ended_at"])
    return assignment


# --- API tokens ---------------------------------------------------------------------


def api_token_create(*, name: str, user: User, created_by: User | None) -> tuple[ApiToken, str]:
    """Issue a token for an integration. The secret is returned once and only its
    hash is kept; the prefix lets staff recognise it later."""
    key = "mp_" + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        user=user,
        created_by=created_by,
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Stop a token working from now on; the row stays for the record."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The active token for a presented key, noting when it was last used (at most
    once a minute, so a busy integration does not write on every request)."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Notifications ------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
) -> Notification:
    """Tell someone something in the portal, and by e-mail (after commit, by Celery)
    if they want e-mail. ``title`` and ``body`` are lazy translatable strings with
    named placeholders filled from ``params``, rendered in the recipient's language."""
    (notification,) = notifications_send(
        messages=[
            NotificationMessage(
                user=user, kind=kind, title=title, body=body, url=url, params=params or {}
            )
        ]
    )
    return notification


@dataclass
class NotificationMessage:
    """One notification to send with ``notifications_send``."""

    user: User
    kind: str
    title: object  # a lazy translatable string, or text already in the recipient's language
    body: object = ""
    url: str = ""
    params: dict = field(default_factory=dict)


def notifications_send(*, messages: list[NotificationMessage]) -> list[Notification]:
    """``notification_send`` for many people at once (a nightly digest to thousands of
    mentors): each rendered in its recipient's language, written in one insert, and
    e-mailed by one task after commit."""
    from .tasks import send_notification_emails

    by_language: dict[str, list[NotificationMessage]] = {}
    for message in messages:
        by_language.setdefault(message.user.language, []).append(message)
    rendered: dict[int, Notification] = {}
    for language, in_language in by_language.items():
        with translation.override(language):
            for message in in_language:
                params = message.params
                rendered[id(message)] = Notification(
                    user=message.user,
                    kind=message.kind,
                    # ``lazy % params`` rather than ``str(lazy) % params``: a lazy
                    # plural (ngettext_lazy with a named count) picks its form there.
                    title=str(message.title % params) if params else str(message.title),
                    body=(str(message.body % params) if params else str(message.body))
                    if message.body
                    else "",
                    url=message.url,
                )
    notifications = [rendered[id(message)] for message in messages]
    Notification.objects.bulk_create(notifications)
    to_email = [
        notification.pk
        for notification, message in zip(notifications, messages, strict=True)
        if message.user.email_notifications and message.user.is_active
    ]
    if to_email:
        transaction.on_commit(lambda: send_notification_emails.delay(to_email))
    return notifications


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read."""
    unread = Notification.objects.unread().filter(user=user)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# --- Mentoring sessions -------------------------------------------------------------


def _session_time_for(user: User, moment) -> str:
    """``moment`` as ``user`` reads it: in their language, their time zone, named."""
    with translation.override(user.language):
        text = formats.date_format(timezone.localtime(moment, user.zone), "DATETIME_FORMAT")
    return f"{text} ({user.time_zone})"


def _in_language(user: User, function) -> str:
    with translation.override(user.language):
        return str(function())


def _session_notify(*, session: MentoringSession, user: User, kind: str, title, body="") -> None:
    """Tell one of the two people about the session, its time in their own zone. Never
    carries the private notes."""
    notification_send(
        user=user,
        kind=kind,
        title=title,
        body=body,
        url=reverse("session_detail", args=[session.pk]),
        params={
            "when": _session_time_for(user, session.scheduled_at),
            "mentor": str(session.mentor),
            "student": str(session.student),
            "outcome": _in_language(user, session.get_status_display),
        },
    )


def session_schedule(
    *,
    mentor: User,
    student: User,
    scheduled_at,
    duration_minutes: int = 45,
    agenda: str = "",
) -> MentoringSession:
    """A mentor books a session with one of their current students, in the future.
    The student is told (in their own time zone)."""
    if mentor.role != Role.MENTOR:
        raise ValidationError(_("Only mentors schedule sessions."))
    if not Assignment.objects.current().filter(student=student, mentor=mentor).exists():
        raise ValidationError({"student": _("Choose one of your current students.")})
    if scheduled_at <= timezone.now():
        raise ValidationError({"scheduled_at": _("Choose a time in the future.")})
    with transaction.atomic():
        session = MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            agenda=agenda.strip(),
        )
        session.full_clean()
        session.save()
        _session_notify(
            session=session,
            user=student,
            kind="session_scheduled",
            title=gettext_lazy("%(mentor)s scheduled a session with you on %(when)s"),
        )
    return session


def _session_locked(session: MentoringSession) -> MentoringSession:
    return (
        MentoringSession.objects.select_for_update()
        .select_related("mentor", "student")
        .get(pk=session.pk)
    )


def session_cancel(*, session: MentoringSession, by: User) -> MentoringSession:
    """The mentor or the student calls off a scheduled session before it starts. A
    student's cancellation records the notice given, in whole hours. The other person
    is told."""
    with transaction.atomic():
        session = _session_locked(session)
        if by.pk not in (session.mentor_id, session.student_id):
            raise ValidationError(_("Only the mentor or the student can cancel a session."))
        if not session.is_scheduled:
            raise ValidationError(_("This session is no longer scheduled."))
        now = timezone.now()
        if session.scheduled_at <= now:
            raise ValidationError(
                _("The session has started; the mentor logs what happened instead.")
            )
        session.cancelled_at = now
        if by.pk == session.mentor_id:
            session.status = SessionStatus.CANCELLED_BY_MENTOR
            session.notice_hours = None
            other = session.student
        else:
            session.status = SessionStatus.CANCELLED_BY_STUDENT
            session.notice_hours = _notice_hours(session.scheduled_at, now)
            other = session.mentor
        session.full_clean()
        session.save(update_fields=["status", "cancelled_at", "notice_hours"])
        _session_notify(
            session=session,
            user=other,
            kind="session_cancelled",
            title=gettext_lazy("The session of %(when)s is cancelled"),
        )
    return session


def _notice_hours(scheduled_at, cancelled_at) -> int:
    return max(0, int((scheduled_at - cancelled_at).total_seconds() // 3600))


def session_log(
    *,
    session: MentoringSession,
    mentor: User,
    status: str,
    private_notes: str = "",
    summary: str = "",
    next_steps: str = "",
    student_cancelled_at=None,
) -> MentoringSession:
    """The mentor records what happened: completed or no-show (only once the start
    time has passed), or a cancellation. For a student's cancellation the mentor says
    when the student told them (default: now) and the notice is computed from it.
    The student is told, and reads the summary and next steps; the private notes are
    never shown to them."""
    if status not in SESSION_OUTCOMES:
        raise ValidationError({"status": _("Choose what happened.")})
    with transaction.atomic():
        session = _session_locked(session)
        if session.mentor_id != mentor.pk:
            raise ValidationError(_("Only the session's mentor can log it."))
        if not session.is_scheduled:
            raise ValidationError(_("This session has already been logged."))
        now = timezone.now()
        if status in SESSION_OUTCOMES_AFTER_START and session.scheduled_at > now:
            raise ValidationError(
                {"status": _("A session can be logged as held or missed only once it has begun.")}
            )
        session.status = status
        session.private_notes = private_notes.strip()
        session.summary = summary.strip()
        session.next_steps = next_steps.strip()
        session.logged_at = now
        session.cancelled_at = None
        session.notice_hours = None
        if status == SessionStatus.CANCELLED_BY_STUDENT:
            told_at = student_cancelled_at or now
            if told_at > now:
                raise ValidationError({"student_cancelled_at": _("This cannot be in the future.")})
            session.cancelled_at = told_at
            session.notice_hours = _notice_hours(session.scheduled_at, told_at)
        elif status == SessionStatus.CANCELLED_BY_MENTOR:
            session.cancelled_at = now
        session.full_clean()
        session.save()
        if status in SESSION_OUTCOMES_AFTER_START:
            # students.services imports this module: imported here to break the cycle.
            from students.models import ActivityKind
            from students.services import activity_record

            activity_record(
                student=session.student,
                kind=(
                    ActivityKind.SESSION_ATTENDED
                    if status == SessionStatus.COMPLETED
                    else ActivityKind.SESSION_MISSED
                ),
                occurred_at=session.scheduled_at,
                key=f"session:{session.pk}",
            )
        _session_notify(
            session=session,
            user=session.student,
            kind="session_logged",
            title=(
                gettext_lazy("Your session of %(when)s: the summary and next steps are ready")
                if status == SessionStatus.COMPLETED
                else gettext_lazy("Your session of %(when)s is logged: %(outcome)s")
            ),
        )
    return session


def session_rate(
    *, session: MentoringSession, student: User, rating: int, comment: str = ""
) -> MentoringSession:
    """The student rates a completed session once, 1 to 5 with a comment; it feeds
    the mentor's satisfaction score. The conditional update makes a second rating
    (even a simultaneous one) fail."""
    if session.student_id != student.pk:
        raise ValidationError(_("Only the session's student can rate it."))
    if session.status != SessionStatus.COMPLETED:
        raise ValidationError(_("Only a session that took place can be rated."))
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the session from 1 to 5.")})
    now = timezone.now()
    with transaction.atomic():
        updated = MentoringSession.objects.filter(
            pk=session.pk, status=SessionStatus.COMPLETED, rating__isnull=True
        ).update(rating=rating, rating_comment=comment.strip(), rated_at=now)
        if not updated:
            raise ValidationError(_("You have already rated this session."))
    session.refresh_from_db()
    return session


def sessions_send_reminders(*, now=None) -> int:
    """Remind both people of each session starting within the next 24 hours, once.
    Each session is claimed with a conditional UPDATE before anyone is told, so two
    overlapping runs (or a redelivered task) send a single reminder. Returns how many
    sessions were reminded."""
    now = now or timezone.now()
    due = MentoringSession.objects.due_for_reminder(now=now, ahead=timedelta(hours=24))
    reminded = 0
    for session in due.select_related("mentor", "student").order_by("scheduled_at"):
        with transaction.atomic():
            claimed = MentoringSession.objects.filter(
                pk=session.pk,
                status=SessionStatus.SCHEDULED,
                reminder_sent_at__isnull=True,
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            for user in (session.student, session.mentor):
                _session_notify(
                    session=session,
                    user=user,
                    kind="session_reminder",
                    title=gettext_lazy("Reminder: your session on %(when)s"),
                    body=(
                        gettext_lazy("With %(mentor)s.")
                        if user.pk == session.student_id
                        else gettext_lazy("With %(student)s.")
                    ),
                )
            reminded += 1
    return reminded


# --- Matching and assignment --------------------------------------------------------


def assignment_announce(*, assignment: Assignment) -> None:
    """Tell the new mentor and the student, once the assignment is committed (a
    rolled-back assignment announces nothing)."""

    def send() -> None:
        url = reverse("students:file", args=[assignment.student_id])
        notification_send(
            user=assignment.mentor,
            kind="assignment_mentor",
            title=gettext_lazy("%(student)s is now your student"),
            body=gettext_lazy("Reason: %(reason)s") if assignment.reason else "",
            url=url,
            params={"student": str(assignment.student), "reason": assignment.reason},
        )
        notification_send(
            user=assignment.student,
            kind="assignment_student",
            title=gettext_lazy("%(mentor)s is now your mentor"),
            url=url,
            params={"mentor": str(assignment.mentor)},
        )

    transaction.on_commit(send)


# --- Case discussions ---------------------------------------------------------------


def _case_supervisor(case: CaseDiscussion) -> User | None:
    profile = MentorProfile.objects.filter(user_id=case.author_id).select_related("supervisor")
    profile = profile.first()
    return profile.supervisor if profile else None


def case_open(
    *,
    author: User,
    audience: str,
    title: str,
    body: str,
    student: User | None = None,
) -> CaseDiscussion:
    """A mentor raises a hard case, optionally about one of their current students.
    Their supervisor is told; other mentors are not notified (they find it in the list)."""
    if author.role != Role.MENTOR:
        raise ValidationError(_("Only mentors raise case discussions."))
    if (
        student is not None
        and not Assignment.objects.current().filter(student=student, mentor=author).exists()
    ):
        raise ValidationError({"student": _("Choose one of your current students.")})
    with transaction.atomic():
        case = CaseDiscussion(
            author=author,
            audience=audience,
            title=title.strip(),
            body=body.strip(),
            student=student,
        )
        case.full_clean()
        case.save()
        supervisor = _case_supervisor(case)
        if supervisor is not None and supervisor.is_active:
            notification_send(
                user=supervisor,
                kind="case_opened",
                title=gettext_lazy("%(author)s raised a case: %(title)s"),
                url=reverse("case_detail", args=[case.pk]),
                params={"author": str(author), "title": case.title},
            )
    return case


def case_reply(*, case: CaseDiscussion, author: User, body: str) -> CaseReply:
    """Someone who may see the case answers in its thread; the case's author is told
    unless they wrote the reply. Replies by other mentors count as peer help."""
    from .selectors import cases_visible_to

    if author.role == Role.STUDENT or not cases_visible_to(author).filter(pk=case.pk).exists():
        raise ValidationError(_("You cannot reply to this case."))
    with transaction.atomic():
        reply = CaseReply(case=case, author=author, body=body.strip())
        reply.full_clean()
        reply.save()
        if author.pk != case.author_id:
            notification_send(
                user=case.author,
                kind="case_replied",
                title=gettext_lazy("%(author)s replied to your case: %(title)s"),
                url=reverse("case_detail", args=[case.pk]),
                params={"author": str(author), "title": case.title},
            )
    return reply


def case_can_resolve(*, case: CaseDiscussion, user: User) -> bool:
    """The author, their supervisor or staff may mark a case resolved."""
    if user.role == Role.STAFF or user.pk == case.author_id:
        return True
    return (
        user.role == Role.SUPERVISOR
        and MentorProfile.objects.filter(user_id=case.author_id, supervisor=user).exists()
    )


def case_resolve(*, case: CaseDiscussion, by: User) -> CaseDiscussion:
    """Mark a case resolved; doing it twice changes nothing."""
    if not case_can_resolve(case=case, user=by):
        raise ValidationError(_("Only the author, their supervisor or staff resolve a case."))
    with transaction.atomic():
        case = CaseDiscussion.objects.select_for_update().get(pk=case.pk)
        if case.resolved_at is None:
            case.resolved_at = timezone.now()
            case.resolved_by = by
            case.full_clean()
            case.save(update_fields=["resolved_at", "resolved_by"])
    return case


# --- Self-development ---------------------------------------------------------------


def development_record_add(
    *,
    mentor: User,
    kind: str,
    programme=None,
    title: str = "",
    completed_on=None,
    evidence_url: str = "",
    note: str = "",
) -> DevelopmentRecord:
    """A mentor records a step in their own development: one of our programmes they
    completed as a student (each at most once), another course, or an area of
    expertise. Programmes and courses say when they were completed, never a day after
    today in the mentor's time zone. Staff verify the record later."""
    if mentor.role != Role.MENTOR:
        raise ValidationError(_("Only mentors record their self-development."))
    if kind not in DevelopmentKind.values:
        raise ValidationError({"kind": _("Choose what you are recording.")})
    title = title.strip()
    if kind == DevelopmentKind.PROGRAMME:
        if programme is None:
            raise ValidationError({"programme": _("Choose the programme you completed.")})
        if title:
            raise ValidationError({"title": _("A programme of ours needs no title.")})
    else:
        if programme is not None:
            raise ValidationError(
                {"programme": _("Only a programme completed as a student names a programme.")}
            )
        if not title:
            raise ValidationError({"title": _("Name the course or the area of expertise.")})
    if completed_on is None and kind != DevelopmentKind.EXPERTISE:
        raise ValidationError({"completed_on": _("Say when you completed it.")})
    today = timezone.localdate(timezone=mentor.zone)
    if completed_on is not None and completed_on > today:
        raise ValidationError({"completed_on": _("This cannot be in the future.")})
    already = {"programme": _("You have already recorded this programme.")}
    if (
        programme is not None
        and DevelopmentRecord.objects.filter(mentor=mentor, programme=programme).exists()
    ):
        raise ValidationError(already)
    record = DevelopmentRecord(
        mentor=mentor,
        kind=kind,
        programme=programme,
        title=title,
        completed_on=completed_on,
        evidence_url=evidence_url.strip(),
        note=note.strip(),
    )
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        # The same programme recorded twice at once: the unique constraint decides.
        raise ValidationError(already) from error
    return record


def development_record_delete(*, record: DevelopmentRecord, by: User) -> None:
    """The mentor withdraws one of their records while it is unverified; staff may
    delete any record (a verified one counts in the scorecard until then)."""
    with transaction.atomic():
        record = DevelopmentRecord.objects.select_for_update().get(pk=record.pk)
        own_unverified = by.pk == record.mentor_id and not record.is_verified
        if by.role != Role.STAFF and not own_unverified:
            raise ValidationError(
                _("Only staff delete a verified record, and only its mentor an unverified one.")
            )
        record.delete()


def _development_record_for_verification(
    record: DevelopmentRecord, *, by: User
) -> DevelopmentRecord:
    if by.role != Role.STAFF:
        raise ValidationError(_("Only staff verify self-development records."))
    return (
        # Lock the record only: the programme is joined on the nullable side.
        DevelopmentRecord.objects.select_for_update(of=("self",))
        .select_related("mentor", "programme")
        .get(pk=record.pk)
    )


def development_record_verify(*, record: DevelopmentRecord, by: User) -> DevelopmentRecord:
    """Staff confirm a record (they saw the certificate or know the expertise): from
    now on it counts in the mentor's scorecard, and the mentor is told. Verifying a
    verified record changes nothing and tells no one."""
    with transaction.atomic():
        record = _development_record_for_verification(record, by=by)
        if record.verified_at is None:
            record.verified_at = timezone.now()
            record.verified_by = by
            record.full_clean()
            record.save(update_fields=["verified_at", "verified_by"])
            notification_send(
                user=record.mentor,
                kind="development_verified",
                title=gettext_lazy("Your self-development record is verified: %(record)s"),
                url=reverse("development_list"),
                params={"record": str(record)},
            )
    return record


def development_record_unverify(*, record: DevelopmentRecord, by: User) -> DevelopmentRecord:
    """Staff withdraw a verification given by mistake; the record stops counting in
    the scorecard and its mentor may again delete it."""
    with transaction.atomic():
        record = _development_record_for_verification(record, by=by)
        if record.verified_at is not None:
            record.verified_at = None
            record.verified_by = None
            record.save(update_fields=["verified_at", "verified_by"])
    return record


# --- Weekly reports -----------------------------------------------------------------


def _weekly_report_locked(report: WeeklyReport, *, by: User) -> WeeklyReport:
    """The report, locked, if ``by`` is its mentor and it is still a draft."""
    report = WeeklyReport.objects.select_for_update().select_related("mentor").get(pk=report.pk)
    if by.pk != report.mentor_id:
        raise ValidationError(_("Only the report's mentor can change or send it."))
    if report.is_sent:
        raise ValidationError(_("This report has been sent and can no longer change."))
    return report


def _weekly_report_week(report: WeeklyReport) -> str:
    return formats.date_format(report.week_start, "DATE_FORMAT")


def weekly_report_draft(*, mentor: User, week_start: date) -> WeeklyReport:
    """Draft the mentor's report of the week starting on Monday ``week_start`` (a week
    that is over on the mentor's clock), or refresh the figures of a draft; a sent
    report is returned untouched. Safe to repeat and to run on two workers at once:
    the unique (mentor, week) constraint decides who creates it, and only the creator
    tells the mentor the report is ready to complete."""
    from .selectors import week_bounds, weekly_report_figures

    if mentor.role != Role.MENTOR:
        raise ValidationError(_("Only mentors write weekly reports."))
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": _("A report's week starts on a Monday.")})
    now = timezone.now()
    if week_bounds(mentor=mentor, week_start=week_start)[1] > now:
        raise ValidationError({"week_start": _("This week is not over yet.")})
    figures = weekly_report_figures(mentor=mentor, week_start=week_start, now=now)
    with transaction.atomic():
        report = WeeklyReport.objects.filter(mentor=mentor, week_start=week_start).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = WeeklyReport(
                        mentor=mentor, week_start=week_start, figures=figures, drafted_at=now
                    )
                    report.full_clean(validate_constraints=False)
                    report.save()
                    with translation.override(mentor.language):
                        week = _weekly_report_week(report)
                    notification_send(
                        user=mentor,
                        kind="weekly_report_drafted",
                        title=gettext_lazy(
                            "Your report for the week of %(week)s is ready to complete"
                        ),
                        body=gettext_lazy(
                            "Add your comments and difficulties, then send it to your supervisor."
                        ),
                        url=reverse("weekly_report_detail", args=[report.pk]),
                        params={"week": week},
                    )
                    return report
            except IntegrityError:
                # Another worker drafted it a moment ago: theirs stands.
                report = WeeklyReport.objects.get(mentor=mentor, week_start=week_start)
        WeeklyReport.objects.filter(pk=report.pk, status=WeeklyReportStatus.DRAFT).update(
            figures=figures, drafted_at=now
        )
        report.refresh_from_db()
    return report


def weekly_report_update(
    *, report: WeeklyReport, by: User, comments: str, difficulties: str
) -> WeeklyReport:
    """The mentor writes their comments and difficulties into a draft."""
    with transaction.atomic():
        report = _weekly_report_locked(report, by=by)
        report.comments = comments.strip()
        report.difficulties = difficulties.strip()
        report.full_clean(validate_constraints=False)
        report.save(update_fields=["comments", "difficulties"])
    return report


def weekly_report_send(
    *,
    report: WeeklyReport,
    by: User,
    comments: str | None = None,
    difficulties: str | None = None,
) -> WeeklyReport:
    """The mentor sends a draft (with the comments and difficulties given, if any):
    the figures are drawn one last time and frozen with it, and the supervisor is
    told in the portal and by e-mail. A mentor with no supervisor may still send;
    staff read it."""
    from .selectors import mentor_supervisor, weekly_report_figures

    with transaction.atomic():
        report = _weekly_report_locked(report, by=by)
        now = timezone.now()
        if comments is not None:
            report.comments = comments.strip()
        if difficulties is not None:
            report.difficulties = difficulties.strip()
        report.figures = weekly_report_figures(
            mentor=report.mentor, week_start=report.week_start, now=now
        )
        report.drafted_at = now
        report.status = WeeklyReportStatus.SENT
        report.sent_at = now
        report.full_clean(validate_constraints=False)
        report.save()
        supervisor = mentor_supervisor(mentor=report.mentor)
        if supervisor is not None and supervisor.is_active:
            with translation.override(supervisor.language):
                week = _weekly_report_week(report)
            notification_send(
                user=supervisor,
                kind="weekly_report_sent",
                title=gettext_lazy("%(mentor)s sent their report for the week of %(week)s"),
                url=reverse("weekly_report_detail", args=[report.pk]),
                params={"mentor": str(report.mentor), "week": week},
            )
    return report
