"""Mentors' availability and students' booking.

A mentor publishes the times they offer every week (``AvailabilitySlot``: a weekday, a
start time and a duration on the mentor's own clock) and blocks out the days they are
away (``AvailabilityBlock``). This module owns:

- who manages availability (each mentor their own) and the writes that change it;
- the free times of the coming weeks (``free_slots``): every weekly slot on each day of
  the mentor's calendar, less blocked days, times the mentor's clock skips, and times
  that overlap one of the mentor's live sessions (``sessions.mentor_busy_intervals``),
  read in three queries however many slots and sessions there are;
- a student's booking of one of their current mentor's free times (``session_book``):
  one transaction that locks the mentor's row, checks the time is still free and
  writes the session, so two students cannot both take it (and the database's unique
  ``session_one_live_per_mentor_start`` refuses the second where rows do not lock).

Times are instants in UTC everywhere below; each person reads them in their own time
zone, and a weekly slot keeps its place on the mentor's clock when their clocks change
(a student in another zone sees it move by the hour). A slot whose start does not exist
on a day (the hour the clocks skip) is not offered that day; one whose start happens
twice (the hour repeated) is offered once, at its first occurrence.

The sessions themselves (who sees one, cancelling, logging) are ``students.sessions``'.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.models import ActivityKind, Role, User
from mentorship.selectors import current_mentor

from .models import (
    AvailabilityBlock,
    AvailabilitySlot,
    MentoringSession,
    SessionStatus,
)
from .sessions import (
    mentor_busy_intervals,
    mentor_default_call_url,
    mentor_sessions_lock,
    session_notify,
)

# How far ahead a student looks by default, and at most.
BOOKING_WEEKS = 4
BOOKING_WEEKS_MAX = 8
# A time starting sooner than this is not offered: the mentor should learn of a session
# before it begins.
BOOKING_LEAD = timedelta(hours=2)
# The longest a mentor may block out at once.
BLOCK_MAX_DAYS = 366

WEEK_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class FreeSlot:
    """A time a student may book: its start (UTC) and length."""

    starts_at: datetime
    duration_minutes: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def key(self) -> str:
        """The start as the booking form and the API name it: ISO 8601 in UTC."""
        return self.starts_at.isoformat()


@dataclass(frozen=True)
class BookingOptions:
    """What a student may book: their current mentor (None: they have none) and the
    mentor's free times from ``BOOKING_LEAD`` from now over the next ``weeks``."""

    mentor: User | None
    slots: list[FreeSlot]
    weeks: int


# --- Who may ---------------------------------------------------------------------------


def may_manage_availability(user: User) -> bool:
    """Whether this person publishes weekly slots and blocks out dates: a mentor, their
    own only."""
    return user.is_authenticated and user.is_active and user.role == Role.MENTOR


def may_book_session(user: User, *, mentor: User | None) -> bool:
    """Whether this person books a session: a student, with their current mentor
    (``mentorship.selectors.current_mentor``), who must be there."""
    return user.is_authenticated and user.role == Role.STUDENT and mentor is not None


def _refuse_unless_managing(user: User) -> None:
    if not may_manage_availability(user):
        raise NotAllowed(_("Only mentors publish their availability."))


# --- Reads ----------------------------------------------------------------------------


def availability_slots_of(mentor: User) -> QuerySet[AvailabilitySlot]:
    """A mentor's weekly slots, Monday first, by start time."""
    return AvailabilitySlot.objects.filter(mentor=mentor).order_by("weekday", "start_time")


def availability_blocks_of(
    mentor: User, *, today: date | None = None
) -> QuerySet[AvailabilityBlock]:
    """A mentor's blocked dates that are not over (on the mentor's calendar), soonest
    first."""
    today = today or timezone.localdate(timezone=mentor.zone)
    return AvailabilityBlock.objects.filter(mentor=mentor, ends_on__gte=today).order_by(
        "starts_on", "pk"
    )


def availability_slot_for_user(user: User, pk: int) -> AvailabilitySlot:
    """One of this mentor's own slots; 404 for anyone else's."""
    return get_object_or_404(AvailabilitySlot, pk=pk, mentor_id=user.pk)


def availability_block_for_user(user: User, pk: int) -> AvailabilityBlock:
    """One of this mentor's own blocked dates; 404 for anyone else's."""
    return get_object_or_404(AvailabilityBlock, pk=pk, mentor_id=user.pk)


def _local_start(day: date, at: time, zone) -> datetime | None:
    """``at`` on ``day`` on the clock of ``zone``, as an instant in UTC; None when the
    clock skips that time that day. A time the clock shows twice is its first one
    (``fold=0``)."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def free_slots(*, mentor: User, start: datetime, end: datetime) -> list[FreeSlot]:
    """The mentor's free times that start at or after ``start`` and before ``end``,
    soonest first: each weekly slot on each day of the mentor's calendar in between,
    unless the day is blocked out, the clock skips the slot's start that day, or the
    time overlaps one of the mentor's live sessions (scheduled by the mentor or booked
    by any student). Three queries: slots, blocks, sessions."""
    zone = mentor.zone
    first_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    by_weekday: dict[int, list[AvailabilitySlot]] = {}
    for slot in availability_slots_of(mentor):
        by_weekday.setdefault(slot.weekday, []).append(slot)
    if not by_weekday:
        return []
    blocks = list(
        AvailabilityBlock.objects.filter(
            mentor=mentor, ends_on__gte=first_day, starts_on__lte=last_day
        ).values_list("starts_on", "ends_on")
    )
    busy = mentor_busy_intervals(
        mentor=mentor, start=start, end=end + timedelta(minutes=_longest_slot_minutes(by_weekday))
    )
    found = []
    day = first_day
    while day <= last_day:
        if not any(starts_on <= day <= ends_on for starts_on, ends_on in blocks):
            for slot in by_weekday.get(day.weekday(), ()):
                starts_at = _local_start(day, slot.start_time, zone)
                if starts_at is None or not start <= starts_at < end:
                    continue
                free = FreeSlot(starts_at=starts_at, duration_minutes=slot.duration_minutes)
                if not any(
                    busy_start < free.ends_at and free.starts_at < busy_end
                    for busy_start, busy_end in busy
                ):
                    found.append(free)
        day += timedelta(days=1)
    found.sort(key=lambda free: free.starts_at)
    return found


def _longest_slot_minutes(by_weekday: dict[int, list[AvailabilitySlot]]) -> int:
    return max(slot.duration_minutes for slots in by_weekday.values() for slot in slots)


def booking_window(*, weeks: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The times a student may book now: from ``BOOKING_LEAD`` ahead to ``weeks``
    weeks ahead (at most ``BOOKING_WEEKS_MAX``)."""
    now = now or timezone.now()
    weeks = max(1, min(weeks, BOOKING_WEEKS_MAX))
    return now + BOOKING_LEAD, now + timedelta(weeks=weeks)


def booking_options(
    *, student: User, weeks: int = BOOKING_WEEKS, now: datetime | None = None
) -> BookingOptions:
    """What ``student`` may book: their current mentor's free times over the next
    ``weeks`` (``free_slots`` within ``booking_window``). Four queries."""
    weeks = max(1, min(weeks, BOOKING_WEEKS_MAX))
    mentor = current_mentor(student=student)
    if mentor is None:
        return BookingOptions(mentor=None, slots=[], weeks=weeks)
    start, end = booking_window(weeks=weeks, now=now)
    return BookingOptions(
        mentor=mentor, slots=free_slots(mentor=mentor, start=start, end=end), weeks=weeks
    )


def slots_by_day(
    slots: list[FreeSlot], zone
) -> list[tuple[date, list[tuple[FreeSlot, datetime]]]]:
    """Free times grouped by day on the reader's calendar (``zone``), each with its
    start on the reader's clock: how a student reads them."""
    days: dict[date, list[tuple[FreeSlot, datetime]]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        days.setdefault(local.date(), []).append((slot, local))
    return list(days.items())


# --- Writes: the mentor's availability ------------------------------------------------


def _week_interval(weekday: int, start_time: time, minutes: int) -> tuple[int, int]:
    start = weekday * 24 * 60 + start_time.hour * 60 + start_time.minute
    return start, start + minutes


def _overlapping_slot(
    mentor: User, weekday: int, start_time: time, minutes: int
) -> AvailabilitySlot | None:
    """The mentor's slot that would overlap a new one, on the week's circle (a slot late
    on Sunday runs into Monday)."""
    new_start, new_end = _week_interval(weekday, start_time, minutes)
    for slot in availability_slots_of(mentor):
        start, end = _week_interval(slot.weekday, slot.start_time, slot.duration_minutes)
        for shift in (-WEEK_MINUTES, 0, WEEK_MINUTES):
            if new_start < end + shift and start + shift < new_end:
                return slot
    return None


def availability_slot_add(
    *, mentor: User, weekday: int, start_time: time, duration_minutes: int
) -> AvailabilitySlot:
    """A mentor offers a time every week, on their own clock (whole minutes). It may
    not overlap another of their slots. Students of theirs see it among the free times
    at once."""
    _refuse_unless_managing(mentor)
    start_time = start_time.replace(second=0, microsecond=0)
    with transaction.atomic():
        mentor_sessions_lock(mentor=mentor)
        clash = _overlapping_slot(mentor, weekday, start_time, duration_minutes)
        if clash is not None:
            raise ValidationError(
                {
                    "start_time": _("This overlaps your slot on %(day)s at %(time)s.")
                    % {
                        "day": clash.get_weekday_display(),
                        "time": clash.start_time.strftime("%H:%M"),
                    }
                }
            )
        slot = AvailabilitySlot(
            mentor=mentor,
            weekday=weekday,
            start_time=start_time,
            duration_minutes=duration_minutes,
        )
        slot.full_clean()
        slot.save()
    return slot


def availability_slot_remove(*, slot: AvailabilitySlot, mentor: User) -> None:
    """A mentor stops offering a weekly time. Sessions already booked in it stay."""
    _refuse_unless_managing(mentor)
    if slot.mentor_id != mentor.pk:
        raise NotAllowed(_("This is not your slot."), hidden=True)
    slot.delete()


def availability_block_add(
    *, mentor: User, starts_on: date, ends_on: date, note: str = ""
) -> AvailabilityBlock:
    """A mentor blocks out days (their calendar, both ends included): none of their
    slots is offered on them. Sessions already booked then stay; the mentor cancels
    those they will not hold."""
    _refuse_unless_managing(mentor)
    today = timezone.localdate(timezone=mentor.zone)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day comes on or after the first.")})
    if ends_on < today:
        raise ValidationError({"ends_on": _("These days are over already.")})
    if (ends_on - starts_on).days >= BLOCK_MAX_DAYS:
        raise ValidationError(
            {
                "ends_on": ngettext(
                    "Block out at most %(days)d day at once.",
                    "Block out at most %(days)d days at once.",
                    BLOCK_MAX_DAYS,
                )
                % {"days": BLOCK_MAX_DAYS}
            }
        )
    block = AvailabilityBlock(
        mentor=mentor, starts_on=starts_on, ends_on=ends_on, note=note.strip()
    )
    block.full_clean()
    block.save()
    return block


def availability_block_remove(*, block: AvailabilityBlock, mentor: User) -> None:
    """A mentor takes back blocked dates: their slots are offered on those days again."""
    _refuse_unless_managing(mentor)
    if block.mentor_id != mentor.pk:
        raise NotAllowed(_("These are not your dates."), hidden=True)
    block.delete()


# --- Writes: booking ------------------------------------------------------------------


def _slot_taken_error() -> ValidationError:
    return ValidationError({"scheduled_at": _("This time is no longer free; choose another.")})


def session_book(
    *, student: User, scheduled_at: datetime, agenda: str = "", now: datetime | None = None
) -> MentoringSession:
    """A student books one of their current mentor's free times (``free_slots``), from
    ``BOOKING_LEAD`` to ``BOOKING_WEEKS_MAX`` weeks ahead. The session is scheduled for
    the slot's length with the mentor's default call link; booking is the student's
    activity; both are told, each in their own time zone.

    Atomic against a second booking: the mentor's row is locked first
    (``sessions.mentor_sessions_lock``), so a student booking the same mentor at the
    same moment waits, then finds the time taken; where rows do not lock, the unique
    ``session_one_live_per_mentor_start`` refuses the second insert, answered the same
    way (the time is no longer free)."""
    mentor = current_mentor(student=student) if student.role == Role.STUDENT else None
    if not may_book_session(student, mentor=mentor):
        raise NotAllowed(
            _("Only students book sessions; mentors schedule them.")
            if student.role != Role.STUDENT
            else _("You have no mentor yet; sessions are booked with your mentor.")
        )
    now = now or timezone.now()
    start, end = booking_window(weeks=BOOKING_WEEKS_MAX, now=now)
    if scheduled_at < start:
        raise ValidationError(
            {
                "scheduled_at": ngettext(
                    "Book at least %(hours)d hour ahead.",
                    "Book at least %(hours)d hours ahead.",
                    int(BOOKING_LEAD.total_seconds() // 3600),
                )
                % {"hours": int(BOOKING_LEAD.total_seconds() // 3600)}
            }
        )
    if scheduled_at >= end:
        raise ValidationError(
            {
                "scheduled_at": ngettext(
                    "Book within the next %(weeks)d week.",
                    "Book within the next %(weeks)d weeks.",
                    BOOKING_WEEKS_MAX,
                )
                % {"weeks": BOOKING_WEEKS_MAX}
            }
        )
    with transaction.atomic():
        mentor_sessions_lock(mentor=mentor)
        slot = next(
            (
                free
                for free in free_slots(
                    mentor=mentor, start=scheduled_at, end=scheduled_at + timedelta(seconds=1)
                )
                if free.starts_at == scheduled_at
            ),
            None,
        )
        if slot is None:
            raise _slot_taken_error()
        session = MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            agenda=agenda.strip(),
            call_url=mentor_default_call_url(mentor),
            created_at=now,
        )
        # The time was found free under the lock; the insert below is the unique
        # constraint's own check, answered as "taken" when it fails.
        session.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:
            if MentoringSession.objects.filter(
                mentor=mentor, scheduled_at=slot.starts_at, status=SessionStatus.SCHEDULED
            ).exists():
                raise _slot_taken_error() from None
            raise
        activity_record(
            student=student,
            kind=ActivityKind.SESSION_BOOKED,
            occurred_at=now,
            key=f"session_booked:{session.pk}",
        )
        session_notify(
            session=session,
            user=mentor,
            kind="session_booked",
            title=gettext_lazy("%(student)s booked a session with you on %(when)s"),
        )
        session_notify(
            session=session,
            user=student,
            kind="session_booked",
            title=gettext_lazy("Your session with %(mentor)s on %(when)s is booked"),
        )
    return session
