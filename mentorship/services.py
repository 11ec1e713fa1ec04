"""Writes about people: invitations, accounts, profiles, assignments and API tokens.

Every function here is the one place its rule lives; views, the admin, commands and
tasks call these instead of saving models themselves.
"""

import logging
import secrets
import smtplib
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import NotAllowed
from .audit import AuditAction, audit_record
from .models import (
    ApiToken,
    Assignment,
    Invitation,
    MentorProfile,
    Role,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from .notifications import notification_send
from .queueing import task_enqueue_on_commit
from .selectors import (
    current_mentor_assignments,
    may_assign_mentor,
    mentors_visible_to,
    students_visible_to,
)

logger = logging.getLogger(__name__)


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


def student_status_validate(
    *, profile: StudentProfile, status: str, effective_on: date | None = None
) -> date:
    """Check a status change before it is recorded (``student_status_set``); raise a
    ValidationError naming the field otherwise. Returns the day it takes effect: the
    given one, or today on the student's calendar. A change may be dated in the past
    (a withdrawal learnt of late), never in the future: the flagging run would judge
    the student by a status they do not have yet."""
    if status not in StudentStatus.values:
        raise ValidationError({"status": _("Choose one of the statuses offered.")})
    today = timezone.localdate(timezone=profile.user.zone)
    if effective_on is None:
        return today
    if effective_on > today:
        raise ValidationError(
            {
                "effective_on": _(
                    "A status change cannot take effect after today (%(today)s for the student)."
                )
                % {"today": today.isoformat()}
            }
        )
    return effective_on


def student_status_set(
    *,
    profile: StudentProfile,
    status: str,
    effective_on: date | None = None,
    by: User | None = None,
    reason: str = "",
) -> StudentProfile:
    """Record that a student's status changed (active, paused, graduated, dropped) on
    a day of their own calendar: today by default, or an earlier day, never a later
    one (``student_status_validate``). ``by`` is who recorded it, nobody when the
    portal did (a graduation). The flagging run judges a student as the status they
    had on the day judged, and the backtest scores flags against the day a student
    dropped, both from this history.

    The profile's ``status`` is then recomputed from the history, so a change dated
    before a later one is history, not the current status. A change to the status the
    student already had on that day records nothing. A student's first change, when
    they joined before it, is preceded by the status every student starts with, active
    since the day they joined, so their history reads from the start (and the backtest
    can tell a dated drop from one recorded with nothing before it)."""
    effective_on = student_status_validate(
        profile=profile, status=status, effective_on=effective_on
    )
    with transaction.atomic():
        if profile.pk is None:
            profile.full_clean()
            profile.save()
        # Two changes recorded at once queue here; each sees the other's row.
        locked = StudentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        history = StudentStatusChange.objects.filter(student_id=profile.user_id)
        then = history.filter(effective_on__lte=effective_on).values_list("status", flat=True)
        status_then = then.first() or StudentStatus.ACTIVE
        recorded = status_then != status
        if recorded:
            joined_on = timezone.localdate(profile.user.date_joined, profile.user.zone)
            if joined_on < effective_on and not history.exists():
                StudentStatusChange.objects.create(
                    student_id=profile.user_id,
                    status=StudentStatus.ACTIVE,
                    effective_on=joined_on,
                )
            change = StudentStatusChange(
                student_id=profile.user_id,
                status=status,
                effective_on=effective_on,
                recorded_by=by,
                reason=reason.strip(),
            )
            change.full_clean()
            change.save()
        current_before = locked.status if locked is not None else profile.status
        profile.status = history.values_list("status", flat=True).first() or StudentStatus.ACTIVE
        StudentProfile.objects.filter(pk=profile.pk).update(status=profile.status)
        if recorded:
            audit_record(
                actor=by,
                action=AuditAction.STUDENT_STATUS_SET,
                target=profile,
                before={"status": current_before, "status_on_day": status_then},
                after={
                    "status": profile.status,
                    "status_on_day": status,
                    "effective_on": effective_on,
                },
                reason=reason,
                subject_id=profile.user_id,
            )
    return profile


def mentor_profile_update(
    *, user: User, languages: list[str], bio: str, call_url: str = ""
) -> MentorProfile:
    """A mentor states the languages they mentor in, a few words about themself and
    their default call link (given to each session booked or scheduled from then on,
    ``students.availability``). Capacity, programmes and team are staff's to set."""
    profile, _created = MentorProfile.objects.get_or_create(user=user)
    profile.languages = sorted(languages)
    profile.bio = bio
    profile.call_url = call_url.strip()
    profile.full_clean()
    profile.save(update_fields=["languages", "bio", "call_url"])
    return profile


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language a signed-in person picked in the switcher."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Invitations ----------------------------------------------------------------------


def invitation_create(
    *,
    email: str,
    role: str,
    invited_by: User,
    display_name: str = "",
    supervisor: User | None = None,
    language: str = "",
) -> tuple[Invitation, str]:
    """Staff invite someone to join with a role. Returns the invitation and the secret
    token (which is stored only as a hash); the e-mail with the link goes out after
    commit. An earlier unaccepted invitation to the same address is withdrawn."""
    from .tasks import send_invitation_email

    if invited_by.role != Role.STAFF:
        raise NotAllowed(_("Only staff invite people to join."))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone with this e-mail address has already joined.")})
    if role != Role.MENTOR:
        supervisor = None
    seed = Invitation.new_seed()
    token = Invitation.token_for(seed)
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
            token_seed=seed,
        )
        invitation.full_clean()
        invitation.save()
        # Only the id travels through the broker; the task derives the token again. If
        # the broker is down, the sweep (invitations_email_due) sends it.
        task_enqueue_on_commit(send_invitation_email, invitation.pk)
    return invitation, token


def invitation_email(*, invitation_id: int, token: str = "") -> bool:
    """E-mail an invitation's link, once: nothing for an invitation gone, used, expired
    or already e-mailed (a redelivered task, or the sweep beside it). ``token`` is given
    only by tasks queued before invitations kept a seed."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable or invitation.sent_at:
        return False
    token = token or invitation.token
    if not token:
        logger.warning(
            "Invitation %s cannot be e-mailed: its token cannot be derived again "
            "(made before invitations kept a seed, or the secret key changed).",
            invitation.pk,
        )
        return False
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("mentorship:invitation_accept", args=[token]),
        }
        subject = render_to_string("mentorship/email/invitation_subject.txt", context)
        body = render_to_string("mentorship/email/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])
    Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True


# An invitation's own task sends it within seconds; the sweep leaves it that long.
INVITATION_EMAIL_GRACE = timedelta(minutes=5)


def invitations_email_due(*, now=None) -> int:
    """The sweep (beat, every few minutes): e-mail the usable invitations whose own task
    did not (the broker was down, the worker died). A mail server that fails stops the
    sweep until its next run. Two sweeps at the same moment may both send one: the same
    link twice, never a second invitation. Returns how many were e-mailed."""
    now = now or timezone.now()
    due = (
        Invitation.objects.pending(now=now)
        .filter(sent_at__isnull=True, created_at__lt=now - INVITATION_EMAIL_GRACE)
        .exclude(token_seed="")
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    sent = 0
    for invitation_id in due[:500]:
        try:
            sent += invitation_email(invitation_id=invitation_id)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("The mail server failed (%s); invitations wait for the sweep.", error)
            break
    return sent


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


# --- Assignments ----------------------------------------------------------------------


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
    (history is kept). A person who assigns (``assigned_by``; None when the portal
    itself does) must be one who may set this student's mentor (staff, or a supervisor
    for their team's students and those without a mentor: ``may_assign_mentor``),
    choosing among the mentors they see (a supervisor, their own team). The rest is
    ``assignment_validate``'s, checked with the mentor's profile row locked, so two
    assignments made at once cannot both take the last free place."""
    if assigned_by is not None:
        if not may_assign_mentor(assigned_by, student=student):
            raise NotAllowed.unless_visible(
                _("Only staff and supervisors choose a student's mentor."),
                visible=students_visible_to(assigned_by),
                pk=student.pk,
            )
        if not mentors_visible_to(assigned_by).filter(pk=mentor.pk).exists():
            raise ValidationError({"mentor": _("Choose a mentor of your team.")})
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
        previous_mentor_id = (
            current_mentor_assignments()
            .filter(student=student)
            .values_list("mentor_id", flat=True)
            .first()
        )
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
        audit_record(
            actor=assigned_by,
            action=AuditAction.ASSIGNMENT_CREATED,
            target=assignment,
            before={"mentor": previous_mentor_id} if previous_mentor_id else None,
            after={"mentor": mentor.pk, "started_at": now, "capacity_exceeded": override_capacity},
            reason=reason,
            subject_id=student.pk,
        )
    return assignment


def assignment_end(
    *, student: User, by: User | None = None, reason: str = ""
) -> Assignment | None:
    """End the student's current assignment (graduation, drop-out); history stays.
    ``by`` is who ended it, nobody when the portal did."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.current().select_for_update().filter(student=student).first()
        )
        if assignment is not None:
            assignment.ended_at = timezone.now()
            assignment.save(update_fields=["ended_at"])
            audit_record(
                actor=by,
                action=AuditAction.ASSIGNMENT_ENDED,
                target=assignment,
                before={"ended_at": None},
                after={"ended_at": assignment.ended_at},
                reason=reason,
                subject_id=student.pk,
            )
    return assignment


# --- API tokens -----------------------------------------------------------------------


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


# --- Matching and assignment ----------------------------------------------------------


def assignment_announce(*, assignment: Assignment) -> None:
    """Tell the new mentor and the student, in the assignment's own transaction: the
    notifications are the outbox of their e-mails (sent after commit), so a rolled-back
    assignment announces nothing and a committed one cannot lose its announcement."""
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
