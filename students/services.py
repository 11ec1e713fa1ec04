"""Writes about students: private notes, incidents and 1:1 sessions. Keyword-only
``<entity>_<verb>`` functions. At-risk flags are written by ``flags`` (what the mentor
does) and ``flag_runs`` (the nightly run).

Each write on someone's behalf first asks the rule in ``selectors`` whether they may
(``may_read_mentor_notes``, ``may_resolve_incident``, ``may_log_session``...) and
raises ``NotAllowed`` when not: hidden from whoever may not see the student, incident
or session, refused to the others."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.models import (
    ActivityKind,
    Role,
    User,
)
from mentorship.notifications import notification_send
from mentorship.selectors import students_visible_to

from .models import (
    SESSION_OUTCOMES,
    SESSION_OUTCOMES_AFTER_START,
    Incident,
    IncidentStatus,
    MentoringSession,
    MentorNote,
    SessionStatus,
)
from .selectors import (
    incident_mentors,
    incidents_visible_to,
    may_cancel_session,
    may_change_arbitrator,
    may_log_session,
    may_rate_session,
    may_read_mentor_notes,
    may_resolve_incident,
    may_schedule_session,
    sessions_visible_to,
)


@transaction.atomic
def mentor_note_create(*, author: User, student: User, body: str) -> MentorNote:
    """A private note about a student by someone who looks after them (their mentor,
    the mentor's supervisor, staff). The student never sees it."""
    if not may_read_mentor_notes(author, student=student):
        raise NotAllowed.unless_visible(
            _("Only those who look after a student write notes about them."),
            visible=students_visible_to(author),
            pk=student.pk,
        )
    note = MentorNote(student=student, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


# --- Incidents between students -------------------------------------------------------

INCIDENT_RECORDER_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def _arbitrator_error(arbitrator: User) -> str | None:
    if not arbitrator.is_active or arbitrator.role == Role.STUDENT:
        return _("Choose an active mentor, supervisor or staff member.")
    return None


def _default_arbitrator(reporter: User) -> User:
    """A mentor's incident goes to their supervisor when they have an active one;
    anyone else arbitrates what they record."""
    if reporter.role == Role.MENTOR:
        profile = getattr(reporter, "mentor_profile", None)
        supervisor = profile.supervisor if profile is not None else None
        if supervisor is not None and supervisor.is_active:
            return supervisor
    return reporter


def _incident_notify(*, incident: Incident, recipients, kind: str, title, params: dict) -> None:
    """Tell each recipient once."""
    told: set[int] = set()
    for user in recipients:
        if user.pk in told:
            continue
        told.add(user.pk)
        notification_send(
            user=user,
            kind=kind,
            title=title,
            url=reverse("students:incident_detail", args=[incident.pk]),
            params=params,
        )


def incident_record(
    *,
    reporter: User,
    title: str,
    description: str,
    occurred_on: date,
    students: list[User],
    arbitrator: User | None = None,
) -> Incident:
    """A mentor, supervisor or staff member records a conflict between two or more
    students, at least one of whom they look after. Without a chosen arbitrator, a
    mentor's supervisor arbitrates (or the reporter, when there is none). The arbitrator
    and the current mentors of the students involved are told; the students never are."""
    if not reporter.is_active or reporter.role not in INCIDENT_RECORDER_ROLES:
        raise NotAllowed(_("Only mentors, supervisors and staff record incidents."))
    involved = list({student.pk: student for student in students}.values())
    errors: dict = {}
    not_students = [str(person) for person in involved if person.role != Role.STUDENT]
    if len(involved) < 2:
        errors["students"] = _("Choose at least two students.")
    elif not_students:
        errors["students"] = _("These people are not students: %(names)s.") % {
            "names": ", ".join(not_students)
        }
    elif not students_visible_to(reporter).filter(pk__in=[s.pk for s in involved]).exists():
        errors["students"] = _("Choose at least one student you look after.")
    if occurred_on is not None and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The incident cannot have happened in the future.")
    if arbitrator is None:
        arbitrator = _default_arbitrator(reporter)
    elif message := _arbitrator_error(arbitrator):
        errors["arbitrator"] = message
    incident = Incident(
        title=title.strip(),
        description=description.strip(),
        occurred_on=occurred_on,
        reported_by=reporter,
        arbitrator=arbitrator,
    )
    try:
        incident.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident.save()
        incident.students.set(involved)
        params = {"reporter": str(reporter), "title": incident.title}
        if arbitrator.pk != reporter.pk:
            _incident_notify(
                incident=incident,
                recipients=[arbitrator],
                kind="incident_arbitrate",
                title=gettext_lazy("%(reporter)s asks you to arbitrate an incident: %(title)s"),
                params=params,
            )
        _incident_notify(
            incident=incident,
            recipients=incident_mentors(incident=incident).exclude(
                pk__in=[reporter.pk, arbitrator.pk]
            ),
            kind="incident_recorded",
            title=gettext_lazy(
                "%(reporter)s recorded an incident involving your student: %(title)s"
            ),
            params=params,
        )
    return incident


def incident_arbitrator_change(*, incident: Incident, by: User, arbitrator: User) -> Incident:
    """Staff, or a supervisor who may see the incident, hands an open incident to
    another arbitrator, who is told. Choosing the current arbitrator changes nothing."""
    if not may_change_arbitrator(by, incident=incident):
        raise NotAllowed.unless_visible(
            _("Only staff and supervisors change an incident's arbitrator."),
            visible=incidents_visible_to(by),
            pk=incident.pk,
        )
    if message := _arbitrator_error(arbitrator):
        raise ValidationError({"arbitrator": message})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_open:
            raise ValidationError(_("A resolved incident keeps its arbitrator; reopen it first."))
        if incident.arbitrator_id == arbitrator.pk:
            return incident
        incident.arbitrator = arbitrator
        incident.full_clean()
        incident.save(update_fields=["arbitrator"])
        if arbitrator.pk != by.pk:
            _incident_notify(
                incident=incident,
                recipients=[arbitrator],
                kind="incident_arbitrate",
                title=gettext_lazy("%(reporter)s asks you to arbitrate an incident: %(title)s"),
                params={"reporter": str(by), "title": incident.title},
            )
    return incident


def _incident_settler_check(user: User, *, incident: Incident) -> None:
    if not may_resolve_incident(user, incident=incident):
        raise NotAllowed.unless_visible(
            _("Only the arbitrator, a supervisor or staff settle an incident."),
            visible=incidents_visible_to(user),
            pk=incident.pk,
        )


def incident_resolve(*, incident: Incident, by: User, resolution: str) -> Incident:
    """The arbitrator, staff or a supervisor who may see the incident writes how it
    ended and closes it. Whoever recorded it and the current mentors of the students
    involved are told (not the person resolving)."""
    _incident_settler_check(by, incident=incident)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the incident was resolved.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_open:
            raise ValidationError(_("This incident is already resolved."))
        incident.status = IncidentStatus.RESOLVED
        incident.resolution = resolution
        incident.resolved_at = timezone.now()
        incident.resolved_by = by
        incident.full_clean()
        incident.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
        recipients = [
            person
            for person in [incident.reported_by, *incident_mentors(incident=incident)]
            if person.pk != by.pk
        ]
        _incident_notify(
            incident=incident,
            recipients=recipients,
            kind="incident_resolved",
            title=gettext_lazy("%(person)s resolved the incident: %(title)s"),
            params={"person": str(by), "title": incident.title},
        )
    return incident


def incident_reopen(*, incident: Incident, by: User) -> Incident:
    """Whoever may resolve an incident reopens a resolved one: it is open again, with
    no resolver or date. The text of the earlier resolution is kept, shown as the
    previous resolution and offered for editing when it is resolved again; the
    arbitrator is told (unless they reopened it)."""
    _incident_settler_check(by, incident=incident)
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().select_related("arbitrator").get(pk=incident.pk)
        )
        if incident.is_open:
            raise ValidationError(_("This incident is open already."))
        incident.status = IncidentStatus.OPEN
        incident.resolved_at = None
        incident.resolved_by = None
        incident.full_clean()
        incident.save(update_fields=["status", "resolved_at", "resolved_by"])
        if incident.arbitrator_id != by.pk:
            _incident_notify(
                incident=incident,
                recipients=[incident.arbitrator],
                kind="incident_reopened",
                title=gettext_lazy("%(person)s reopened the incident: %(title)s"),
                params={"person": str(by), "title": incident.title},
            )
    return incident


# --- Mentoring sessions ---------------------------------------------------------------


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
        url=reverse("students:session_detail", args=[session.pk]),
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
    """A mentor books a session with one of their current students
    (``may_schedule_session``), in the future. The student is told (in their own time
    zone)."""
    if not may_schedule_session(mentor, student=student):
        raise NotAllowed.unless_visible(
            _("Only mentors schedule sessions.")
            if mentor.role != Role.MENTOR
            else _("Choose one of your current students."),
            visible=students_visible_to(mentor),
            pk=student.pk,
        )
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
    if not may_cancel_session(by, session=session):
        raise NotAllowed.unless_visible(
            _("Only the mentor or the student can cancel a session."),
            visible=sessions_visible_to(by),
            pk=session.pk,
        )
    with transaction.atomic():
        session = _session_locked(session)
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
    never shown to them. Only the session's mentor logs it."""
    if not may_log_session(mentor, session=session):
        raise NotAllowed.unless_visible(
            _("Only the session's mentor can log it."),
            visible=sessions_visible_to(mentor),
            pk=session.pk,
        )
    if status not in SESSION_OUTCOMES:
        raise ValidationError({"status": _("Choose what happened.")})
    with transaction.atomic():
        session = _session_locked(session)
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
    if not may_rate_session(student, session=session):
        raise NotAllowed.unless_visible(
            _("Only the session's student can rate it."),
            visible=sessions_visible_to(student),
            pk=session.pk,
        )
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
