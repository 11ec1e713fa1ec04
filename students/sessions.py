"""1:1 mentoring sessions: who sees a session and reads its private notes, who may
schedule, log, cancel, rate one or set its call link, and those writes (with their
notifications and the student's activity); a mentor's time taken by their sessions
(one session at a time); a student's next session; the session lists' order and a
mentor's monthly statement. Availability and students' booking are
``students.availability``'s."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.messages import choice_param, moment_param
from mentorship.models import ActivityKind, Assignment, MentorProfile, Role, User
from mentorship.notifications import notification_send
from mentorship.selectors import students_visible_to

from .models import (
    CANCELLATION_NOTICE_HOURS,
    SESSION_MAX_MINUTES,
    SESSION_OUTCOMES,
    SESSION_OUTCOMES_AFTER_START,
    MentoringSession,
    SessionStatus,
    sessions_upcoming_first_order,
)


def sessions_visible_to(user: User) -> QuerySet[MentoringSession]:
    """Sessions a person may see: a student their own, a mentor those they give, a
    supervisor those of their team's mentors, staff all. Pages, exports and the API
    all start from here."""
    condition = _sessions_visible_condition(user)
    if condition is None:
        return MentoringSession.objects.none()
    return MentoringSession.objects.filter(condition)


def _sessions_visible_condition(user: User) -> Q | None:
    """``sessions_visible_to`` as a condition on the session's own row (None: no
    session; an empty Q: every session), so that a list can say of each row whether
    it is visible without a subquery over every session of the school."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.STAFF:
        return Q()
    if user.role == Role.SUPERVISOR:
        team = MentorProfile.objects.filter(supervisor=user).values("user_id")
        return Q(mentor_id__in=team)
    if user.role == Role.MENTOR:
        return Q(mentor=user)
    return Q(student=user)


def _session_notes_condition(user: User) -> Q | None:
    """``session_notes_visible_to`` as a condition on the session's own row (None: no
    session; an empty Q: every session)."""
    if not user.is_authenticated or user.role == Role.STUDENT:
        return None
    visible = _sessions_visible_condition(user)
    if visible is None or not visible:
        # Staff see every session; an inactive person none.
        return visible
    return visible | Q(student_id__in=students_visible_to(user).values("pk"))


def _as_flag(condition: Q | None):
    """A row condition as a yes/no column for ``annotate``."""
    if condition is None:
        return Value(False)
    if not condition:
        return Value(True)
    return ExpressionWrapper(condition, output_field=BooleanField())


def sessions_visible_flag(user: User):
    """Whether each session of a queryset is one ``user`` may see
    (``sessions_visible_to``), as an annotation: ``openable`` on the student's
    timeline."""
    return _as_flag(_sessions_visible_condition(user))


def may_schedule_session(user: User, *, student: User) -> bool:
    """Whether this person may book a session with the student: their current mentor."""
    return (
        user.is_authenticated
        and user.role == Role.MENTOR
        and Assignment.objects.current().filter(student=student, mentor=user).exists()
    )


def may_log_session(user: User, *, session: MentoringSession) -> bool:
    """Whether this person records what happened at the session: its mentor."""
    return user.pk == session.mentor_id


def may_cancel_session(user: User, *, session: MentoringSession) -> bool:
    """Whether this person may call the session off: its mentor or its student."""
    return user.pk in (session.mentor_id, session.student_id)


def may_set_session_call_url(user: User, *, session: MentoringSession) -> bool:
    """Whether this person gives the session its call link: its mentor."""
    return user.pk == session.mentor_id


def may_rate_session(user: User, *, session: MentoringSession) -> bool:
    """Whether this person rates the session: its student."""
    return user.pk == session.student_id


def session_for_user(user: User, pk: int) -> MentoringSession:
    """One session for this person, with both people loaded and whether they read its
    private notes (``with_session_notes_readable``); 404 to outsiders."""
    sessions = sessions_visible_to(user).select_related("mentor", "student")
    return get_object_or_404(with_session_notes_readable(sessions, user=user), pk=pk)


def session_notes_visible_to(user: User) -> QuerySet[MentoringSession]:
    """Sessions whose private notes this person may read. The notes are about the
    student and follow them, as the mentors' private notes do
    (``mentor_notes_visible_to``): whoever looks after the student now reads every
    session's notes, an earlier mentor's included (their current mentor, that mentor's
    supervisor, staff), and so does whoever may see the session itself
    (``sessions_visible_to``: the mentor who gave it and their supervisor). Never a
    student, not even about their own sessions."""
    condition = _session_notes_condition(user)
    if condition is None:
        return MentoringSession.objects.none()
    return MentoringSession.objects.filter(condition)


def with_session_notes_readable(
    sessions: QuerySet[MentoringSession], *, user: User
) -> QuerySet[MentoringSession]:
    """``sessions`` each with ``notes_readable`` (``session_notes_visible_to``) in the
    same query, for the pages and the API that list them: a condition on each row,
    not a subquery over every session (which cost seconds on the school's list)."""
    return sessions.annotate(notes_readable=_as_flag(_session_notes_condition(user)))


def may_read_session_notes(user: User, *, session: MentoringSession) -> bool:
    """Whether this person reads the session's private notes: the one answer for the
    session page, the student's file and the sessions API (see
    ``session_notes_visible_to``). Free for a session loaded through
    ``with_session_notes_readable`` for the same person; one query otherwise."""
    readable = getattr(session, "notes_readable", None)
    if readable is None:
        readable = session_notes_visible_to(user).filter(pk=session.pk).exists()
    return readable


def sessions_upcoming_first(sessions: QuerySet[MentoringSession]) -> QuerySet[MentoringSession]:
    """Scheduled sessions first, soonest first (those already started and waiting to
    be logged lead), then the others newest first; people loaded in the same query.
    The order is ``sessions_upcoming_first_order``, which an index follows."""
    return sessions.select_related("mentor", "student").order_by(*sessions_upcoming_first_order())


def next_session_for_student(student: User, *, now=None) -> MentoringSession | None:
    """The student's next session: the scheduled one that starts soonest among those
    not yet over (one under way counts, so its call link is at hand), with the mentor
    loaded; None if there is none. For the student's home page. One query."""
    now = now or timezone.now()
    # Those that began less than the longest session ago, soonest first; the ones
    # already over are dropped here (a few at most: they await the mentor's log).
    candidates = (
        MentoringSession.objects.filter(
            student=student,
            status=SessionStatus.SCHEDULED,
            scheduled_at__gt=now - timedelta(minutes=SESSION_MAX_MINUTES),
        )
        .select_related("mentor")
        .order_by("scheduled_at", "pk")
    )
    return next((session for session in candidates if session.ends_at > now), None)


def mentor_busy_intervals(*, mentor: User, start, end) -> list[tuple[datetime, datetime]]:
    """When the mentor is already taken between ``start`` and ``end``: the start and
    end of each of their live (scheduled) sessions that overlaps that time, in one
    query. A mentor holds one session at a time, so a time overlapping one of these is
    neither offered to students (``availability.free_slots``) nor scheduled."""
    sessions = MentoringSession.objects.filter(
        mentor=mentor,
        status=SessionStatus.SCHEDULED,
        scheduled_at__lt=end,
        scheduled_at__gt=start - timedelta(minutes=SESSION_MAX_MINUTES),
    ).values_list("scheduled_at", "duration_minutes")
    intervals = []
    for starts_at, minutes in sessions:
        ends_at = starts_at + timedelta(minutes=minutes)
        if ends_at > start:
            intervals.append((starts_at, ends_at))
    return intervals


def mentor_sessions_lock(*, mentor: User) -> None:
    """Inside the caller's transaction: lock the mentor's row until it ends, so that
    whatever else would write a session (or a slot) for this mentor waits and then
    reads what this transaction wrote. Every write that must see the mentor's
    sessions as they stand (booking, scheduling, a new slot) takes it first."""
    User.objects.select_for_update().filter(pk=mentor.pk).values_list("pk").first()


def mentor_time_claim(*, mentor: User, scheduled_at, duration_minutes: int) -> None:
    """Inside the caller's transaction, before a session is written for ``mentor``:
    lock the mentor's row (``mentor_sessions_lock``), so whoever books or schedules
    with the same mentor at the same moment waits for this transaction and then sees
    its session (PostgreSQL), and refuse a time that overlaps one of their live
    sessions. Where rows are not locked (SQLite, which writes one transaction at a
    time anyway) the unique constraint ``session_one_live_per_mentor_start`` still
    refuses a second session at the same start."""
    mentor_sessions_lock(mentor=mentor)
    ends_at = scheduled_at + timedelta(minutes=duration_minutes)
    if mentor_busy_intervals(mentor=mentor, start=scheduled_at, end=ends_at):
        raise ValidationError(
            {"scheduled_at": _("This time is taken by another session; choose another.")}
        )


@dataclass(frozen=True)
class SessionStatement:
    """A mentor's sessions of one calendar month (in the mentor's time zone), what
    they invoice from: every session with its outcome, and counts by outcome."""

    mentor: User
    month: date
    sessions: list[MentoringSession]
    counts: dict[str, int]
    completed_minutes: int
    average_rating: float | None

    @property
    def rows_by_outcome(self) -> list[tuple[str, str, int]]:
        return [
            (status.value, status.label, self.counts[status.value]) for status in SessionStatus
        ]


def session_statement(*, mentor: User, month: date) -> SessionStatement:
    """The monthly statement of ``mentor`` for the month containing ``month``: two
    queries, the sessions and the totals."""
    zone = mentor.zone
    first_day = month.replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(next_month, time.min, tzinfo=zone)
    sessions = MentoringSession.objects.filter(
        mentor=mentor, scheduled_at__gte=start, scheduled_at__lt=end
    )
    totals = sessions.aggregate(
        completed_minutes=Sum("duration_minutes", filter=Q(status=SessionStatus.COMPLETED)),
        average_rating=Avg("rating"),
        **{status.value: Count("pk", filter=Q(status=status)) for status in SessionStatus},
    )
    return SessionStatement(
        mentor=mentor,
        month=first_day,
        sessions=list(sessions.select_related("student").order_by("scheduled_at", "pk")),
        counts={status.value: totals[status.value] for status in SessionStatus},
        completed_minutes=totals["completed_minutes"] or 0,
        average_rating=totals["average_rating"],
    )


def mentor_satisfaction(*, mentor: User) -> dict:
    """A mentor's satisfaction score: the average of their students' session ratings
    and how many ratings it rests on."""
    return MentoringSession.objects.filter(mentor=mentor, rating__isnull=False).aggregate(
        average=Avg("rating"), ratings=Count("pk")
    )


def session_notify(*, session: MentoringSession, user: User, kind: str, title, body="") -> None:
    """Tell one of the two people about the session, its time in their own zone (the
    parameters ``when``, ``mentor``, ``student``, ``outcome``, ``notice`` and
    ``required`` fill ``title`` and ``body``). Never carries the private notes."""
    is_student = user.pk == session.student_id
    notification_send(
        user=user,
        kind=kind,
        title=title,
        body=body,
        url=reverse("students:session_detail", args=[session.pk]),
        params={
            "when": moment_param(session.scheduled_at, user.zone),
            "mentor": str(session.mentor),
            "student": str(session.student),
            # The student reads their own words for it (``session_status_for_student``),
            # a lazy label kept as a message, read in the reader's language.
            "outcome": (
                session.status_for_student.label
                if is_student
                else choice_param(MentoringSession, "status", session.status)
            ),
            "notice": session.notice_hours or 0,
            "required": CANCELLATION_NOTICE_HOURS,
        },
    )


def session_schedule(
    *,
    mentor: User,
    student: User,
    scheduled_at,
    duration_minutes: int = 45,
    agenda: str = "",
    call_url: str = "",
) -> MentoringSession:
    """A mentor books a session with one of their current students
    (``may_schedule_session``), in the future, at a time free of their other sessions
    (``mentor_time_claim``). Its call link is the one given, else the mentor's default
    (``mentor_default_call_url``). The student is told (in their own time zone)."""
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
        mentor_time_claim(
            mentor=mentor, scheduled_at=scheduled_at, duration_minutes=duration_minutes
        )
        session = MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            agenda=agenda.strip(),
            call_url=call_url.strip() or mentor_default_call_url(mentor),
        )
        session.full_clean()
        session.save()
        session_notify(
            session=session,
            user=student,
            kind="session_scheduled",
            title=gettext_lazy("%(mentor)s scheduled a session with you on %(when)s"),
        )
    return session


def mentor_default_call_url(mentor: User) -> str:
    """The call link a new session of this mentor gets: the default on their profile
    (``MentorProfile.call_url``), or none."""
    return (
        MentorProfile.objects.filter(user=mentor).values_list("call_url", flat=True).first() or ""
    )


def session_set_call_url(
    *, session: MentoringSession, by: User, call_url: str
) -> MentoringSession:
    """The session's mentor gives it a call link (or takes it away, with an empty one)
    while it is scheduled. The student is told when there is a new link to open."""
    if not may_set_session_call_url(by, session=session):
        raise NotAllowed.unless_visible(
            _("Only the session's mentor sets its call link."),
            visible=sessions_visible_to(by),
            pk=session.pk,
        )
    with transaction.atomic():
        session = _session_locked(session)
        if not session.is_scheduled:
            raise ValidationError({"call_url": _("This session is no longer scheduled.")})
        call_url = call_url.strip()
        if call_url == session.call_url:
            return session
        session.call_url = call_url
        session.full_clean()
        session.save(update_fields=["call_url"])
        if call_url:
            session_notify(
                session=session,
                user=session.student,
                kind="session_call_url",
                title=gettext_lazy("The call link of your session on %(when)s"),
                body=gettext_lazy("Open it from the session's page when the time comes."),
            )
    return session


def _session_locked(session: MentoringSession) -> MentoringSession:
    return (
        MentoringSession.objects.select_for_update()
        .select_related("mentor", "student")
        .get(pk=session.pk)
    )


def session_cancel(*, session: MentoringSession, by: User) -> MentoringSession:
    """The mentor or the student calls off a scheduled session before it starts, and
    its time is free to book again. A student's cancellation records the notice given,
    in whole hours; with less than ``CANCELLATION_NOTICE_HOURS`` it still stands, and
    the mentor is told it came late (``MentoringSession.is_late_cancellation``). A
    mentor's cancellation owes no notice: it is the mentor's. The other person is
    told; a student whose mentor cancelled is pointed to the free times."""
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
        if other.pk == session.student_id:
            body = gettext_lazy(
                "%(mentor)s cancelled it. You can book another time on the sessions page."
            )
        elif session.is_late_cancellation:
            body = ngettext_lazy(
                "%(student)s cancelled it %(notice)d hour before the start, with less than "
                "the %(required)d hours of notice asked.",
                "%(student)s cancelled it %(notice)d hours before the start, with less than "
                "the %(required)d hours of notice asked.",
                "notice",
            )
        else:
            body = ngettext_lazy(
                "%(student)s cancelled it %(notice)d hour before the start.",
                "%(student)s cancelled it %(notice)d hours before the start.",
                "notice",
            )
        session_notify(
            session=session,
            user=other,
            kind="session_cancelled",
            title=gettext_lazy("The session of %(when)s is cancelled"),
            body=body,
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
        session_notify(
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
                session_notify(
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
