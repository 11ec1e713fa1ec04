"""``students.availability``: the free times a student is offered (time zones, daylight
saving, blocked dates, clashes), the mentor's writes, and booking."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.models import ActivityEvent, ActivityKind, Notification
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.availability import (
    BOOKING_LEAD,
    availability_block_add,
    availability_slot_add,
    availability_slot_remove,
    booking_options,
    free_slots,
    session_book,
    slots_by_day,
)
from students.models import AvailabilitySlot, MentoringSession, SessionStatus
from students.sessions import session_cancel
from students.tests.helpers_availability import (
    BEFORE_US_DST,
    MONDAY,
    SUNDAY,
    TUESDAY,
    blocked,
    weekly_slot,
)
from students.tests.helpers_sessions import MentoringSessionFactory

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def moscow_mentor(mentor):
    mentor.time_zone = "Europe/Moscow"
    mentor.save()
    return mentor


@pytest.fixture
def new_york_student(student):
    student.time_zone = "America/New_York"
    student.save()
    return student


def _starts(slots):
    return [slot.starts_at for slot in slots]


# --- Time zones -----------------------------------------------------------------------


def test_it_offers_a_moscow_slot_to_a_new_york_student_an_hour_later_after_us_dst(
    moscow_mentor, new_york_student
):
    weekly_slot(moscow_mentor, MONDAY, 18)  # 15:00 UTC all year: Moscow has no DST

    options = booking_options(student=new_york_student, weeks=2, now=BEFORE_US_DST)

    assert options.mentor == moscow_mentor
    assert _starts(options.slots) == [
        datetime(2027, 3, 8, 15, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 15, 0, tzinfo=UTC),
    ]
    days = slots_by_day(options.slots, new_york_student.zone)
    # 10:00 EST before the change, 11:00 EDT after it, on the student's Mondays.
    assert [(day, [local.time() for _slot, local in day_slots]) for day, day_slots in days] == [
        (date(2027, 3, 8), [time(10, 0)]),
        (date(2027, 3, 15), [time(11, 0)]),
    ]


def test_it_shows_a_slot_on_the_students_own_day(moscow_mentor, new_york_student):
    # Tuesday 02:00 in Moscow is Monday 18:00 in New York (EST).
    weekly_slot(moscow_mentor, TUESDAY, 2)

    options = booking_options(student=new_york_student, weeks=1, now=BEFORE_US_DST)
    days = slots_by_day(options.slots, new_york_student.zone)

    assert _starts(options.slots) == [datetime(2027, 3, 8, 23, 0, tzinfo=UTC)]
    assert [(day, local.time()) for day, ((_slot, local),) in days] == [
        (date(2027, 3, 8), time(18, 0))
    ]


def test_it_keeps_a_slot_on_the_mentors_clock_across_their_dst_change(mentor, student):
    mentor.time_zone = "Europe/Berlin"
    mentor.save()
    weekly_slot(mentor, MONDAY, 18)

    slots = free_slots(
        mentor=mentor,
        start=datetime(2027, 3, 20, tzinfo=UTC),
        end=datetime(2027, 4, 1, tzinfo=UTC),
    )

    # 18:00 in Berlin both times: 17:00 UTC in winter time, 16:00 UTC in summer time.
    assert _starts(slots) == [
        datetime(2027, 3, 22, 17, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 16, 0, tzinfo=UTC),
    ]
    assert {slot.starts_at.astimezone(BERLIN).time() for slot in slots} == {time(18, 0)}


def test_it_skips_a_slot_the_clock_jumps_over_and_offers_a_repeated_one_once(mentor):
    mentor.time_zone = "Europe/Berlin"
    mentor.save()
    weekly_slot(mentor, SUNDAY, 2, 30)

    spring = free_slots(
        mentor=mentor,
        start=datetime(2027, 3, 20, tzinfo=UTC),
        end=datetime(2027, 4, 1, tzinfo=UTC),
    )
    autumn = free_slots(
        mentor=mentor,
        start=datetime(2027, 10, 30, tzinfo=UTC),
        end=datetime(2027, 11, 1, tzinfo=UTC),
    )

    # 28 March 2027 has no 02:30 in Berlin; 31 October has two, the first is offered.
    assert _starts(spring) == [datetime(2027, 3, 21, 1, 30, tzinfo=UTC)]
    assert _starts(autumn) == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]


# --- What is free ---------------------------------------------------------------------


def test_it_leaves_out_blocked_dates_on_the_mentors_calendar(moscow_mentor, new_york_student):
    weekly_slot(moscow_mentor, MONDAY, 18)
    weekly_slot(moscow_mentor, TUESDAY, 2)  # Monday evening for the student
    # The mentor's Tuesday 9 March is blocked: the student's Monday 8 March evening goes.
    blocked(moscow_mentor, date(2027, 3, 9), note="Conference")

    options = booking_options(student=new_york_student, weeks=1, now=BEFORE_US_DST)

    assert _starts(options.slots) == [datetime(2027, 3, 8, 15, 0, tzinfo=UTC)]


def test_it_leaves_out_every_day_of_a_blocked_range(moscow_mentor, student):
    weekly_slot(moscow_mentor, MONDAY, 18)
    blocked(moscow_mentor, date(2027, 3, 7), date(2027, 3, 15))

    options = booking_options(student=student, weeks=3, now=BEFORE_US_DST)

    assert _starts(options.slots) == [datetime(2027, 3, 22, 15, 0, tzinfo=UTC)]


def test_it_leaves_out_a_slot_overlapping_a_live_session_of_the_mentor(
    moscow_mentor, student, other_student
):
    weekly_slot(moscow_mentor, MONDAY, 18)
    weekly_slot(moscow_mentor, MONDAY, 19)
    # A session the mentor scheduled from 18:30 to 19:00 Moscow time takes the 18:00
    # slot (18:00-18:45), not the 19:00 one.
    MentoringSessionFactory(
        mentor=moscow_mentor,
        student=student,
        scheduled_at=datetime(2027, 3, 8, 15, 30, tzinfo=UTC),
        duration_minutes=30,
    )
    # Cancelled sessions free their time; other mentors' sessions are not this one's.
    MentoringSessionFactory(
        mentor=moscow_mentor,
        student=student,
        scheduled_at=datetime(2027, 3, 8, 16, 0, tzinfo=UTC),
        status=SessionStatus.CANCELLED_BY_STUDENT,
    )
    MentoringSessionFactory(
        student=other_student, scheduled_at=datetime(2027, 3, 8, 16, 0, tzinfo=UTC)
    )

    options = booking_options(student=student, weeks=1, now=BEFORE_US_DST)

    assert _starts(options.slots) == [datetime(2027, 3, 8, 16, 0, tzinfo=UTC)]


def test_it_offers_nothing_sooner_than_the_lead_time(moscow_mentor, student):
    # Saturday 15:00 in Moscow: the 16:00 slot starts within two hours, the 18:00 not.
    weekly_slot(moscow_mentor, 5, 16)
    weekly_slot(moscow_mentor, 5, 18)

    options = booking_options(student=student, weeks=2, now=BEFORE_US_DST)

    assert timedelta(hours=2) == BOOKING_LEAD
    assert _starts(options.slots) == [
        datetime(2027, 3, 6, 15, 0, tzinfo=UTC),
        datetime(2027, 3, 13, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 13, 15, 0, tzinfo=UTC),
    ]


def test_it_offers_a_student_without_a_mentor_nothing(db):
    loner = StudentFactory()

    options = booking_options(student=loner)

    assert (options.mentor, options.slots) == (None, [])


def test_it_reads_the_free_times_in_four_queries_however_many(
    moscow_mentor, student, django_assert_num_queries
):
    for weekday in range(7):
        for hour in (9, 12, 15, 18):
            weekly_slot(moscow_mentor, weekday, hour)
    for day in range(1, 20):
        blocked(moscow_mentor, date(2027, 4, day))
        MentoringSessionFactory(
            mentor=moscow_mentor,
            student=student,
            scheduled_at=datetime(2027, 3, 8, 6, 0, tzinfo=UTC) + timedelta(days=day),
        )

    # 1 the current mentor, 2 the slots, 3 the blocked dates, 4 the live sessions.
    with django_assert_num_queries(4):
        options = booking_options(student=student, weeks=8, now=BEFORE_US_DST)

    assert len(options.slots) > 100


# --- The mentor's availability --------------------------------------------------------


def test_it_adds_a_weekly_slot_in_whole_minutes(mentor):
    slot = availability_slot_add(
        mentor=mentor, weekday=MONDAY, start_time=time(18, 0, 42), duration_minutes=60
    )

    assert (slot.weekday, slot.start_time, slot.duration_minutes) == (MONDAY, time(18, 0), 60)


@pytest.mark.parametrize(
    ("weekday", "start", "minutes", "overlaps"),
    [
        (MONDAY, time(18, 30), 45, True),
        (MONDAY, time(17, 30), 31, True),
        (MONDAY, time(17, 30), 30, False),
        (MONDAY, time(18, 45), 45, False),
        (TUESDAY, time(18, 0), 45, False),
        # A slot late on Sunday runs into Monday morning.
        (SUNDAY, time(23, 30), 60, True),
    ],
)
def test_it_refuses_a_slot_overlapping_another(mentor, weekday, start, minutes, overlaps):
    weekly_slot(mentor, MONDAY, 18)
    weekly_slot(mentor, MONDAY, 0, 15)

    if overlaps:
        with pytest.raises(ValidationError) as error:
            availability_slot_add(
                mentor=mentor, weekday=weekday, start_time=start, duration_minutes=minutes
            )
        assert "start_time" in error.value.error_dict
        assert AvailabilitySlot.objects.count() == 2
    else:
        availability_slot_add(
            mentor=mentor, weekday=weekday, start_time=start, duration_minutes=minutes
        )
        assert AvailabilitySlot.objects.count() == 3


@pytest.mark.parametrize("role", ["student", "supervisor", "staff"])
def test_it_lets_only_mentors_publish_availability(request, role):
    person = request.getfixturevalue(role)

    with pytest.raises(NotAllowed):
        availability_slot_add(
            mentor=person, weekday=MONDAY, start_time=time(18, 0), duration_minutes=45
        )

    assert not AvailabilitySlot.objects.exists()


def test_it_hides_another_mentors_slot_from_removal(mentor, other_mentor):
    slot = weekly_slot(mentor, MONDAY, 18)

    with pytest.raises(NotAllowed) as refused:
        availability_slot_remove(slot=slot, mentor=other_mentor)

    assert refused.value.hidden is True
    assert AvailabilitySlot.objects.filter(pk=slot.pk).exists()


def test_it_keeps_booked_sessions_when_a_slot_is_removed(moscow_mentor, student):
    slot = weekly_slot(moscow_mentor, MONDAY, 18)
    session = session_book(
        student=student, scheduled_at=datetime(2027, 3, 8, 15, 0, tzinfo=UTC), now=BEFORE_US_DST
    )

    availability_slot_remove(slot=slot, mentor=moscow_mentor)

    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (1, 0, "ends_on"),  # the wrong way round
        (-3, -1, "ends_on"),  # over already
        (0, 400, "ends_on"),  # too long
    ],
)
def test_it_refuses_blocked_dates_that_make_no_sense(mentor, first, last, field):
    today = timezone.localdate(timezone=mentor.zone)

    with pytest.raises(ValidationError) as error:
        availability_block_add(
            mentor=mentor,
            starts_on=today + timedelta(days=first),
            ends_on=today + timedelta(days=last),
        )

    assert field in error.value.error_dict


# --- Booking --------------------------------------------------------------------------


def test_it_books_a_free_slot_and_tells_both(moscow_mentor, new_york_student):
    moscow_mentor.mentor_profile.call_url = "https://meet.example.test/maria"
    moscow_mentor.mentor_profile.save()
    weekly_slot(moscow_mentor, MONDAY, 18, minutes=60)
    when = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)

    session = session_book(
        student=new_york_student, scheduled_at=when, agenda="  My portfolio ", now=BEFORE_US_DST
    )

    assert (session.mentor, session.student, session.scheduled_at) == (
        moscow_mentor,
        new_york_student,
        when,
    )
    assert (session.status, session.duration_minutes) == (SessionStatus.SCHEDULED, 60)
    assert session.agenda == "My portfolio"
    assert session.call_url == "https://meet.example.test/maria"
    to_mentor = Notification.objects.get(user=moscow_mentor, kind="session_booked")
    to_student = Notification.objects.get(user=new_york_student, kind="session_booked")
    # Each reads the time on their own clock.
    assert "(Europe/Moscow)" in to_mentor.title
    assert "6 p.m." in to_mentor.title
    assert "Stas Student" in to_mentor.title
    assert "(America/New_York)" in to_student.title
    assert "11 a.m." in to_student.title
    assert to_student.url == f"/sessions/{session.pk}/"
    assert ActivityEvent.objects.filter(
        student=new_york_student, kind=ActivityKind.SESSION_BOOKED
    ).exists()
    # The time is taken now.
    options = booking_options(student=new_york_student, weeks=2, now=BEFORE_US_DST)
    assert when not in _starts(options.slots)


def test_it_refuses_a_time_taken_and_frees_it_again_when_cancelled(moscow_mentor, student):
    weekly_slot(moscow_mentor, MONDAY, 18)
    second = StudentFactory()
    AssignmentFactory(student=second, mentor=moscow_mentor)
    # The next Monday 18:00 in Moscow more than two hours ahead: cancelling needs a
    # session that has not begun.
    when = booking_options(student=student, weeks=2).slots[0].starts_at
    first = session_book(student=student, scheduled_at=when)

    with pytest.raises(ValidationError) as error:
        session_book(student=second, scheduled_at=when)

    assert "scheduled_at" in error.value.error_dict
    session_cancel(session=first, by=student)
    again = session_book(student=second, scheduled_at=when)
    assert again.student == second
    assert MentoringSession.objects.filter(status=SessionStatus.SCHEDULED).count() == 1


@pytest.mark.parametrize(
    "when",
    [
        datetime(2027, 3, 8, 15, 15, tzinfo=UTC),  # not a slot's start
        datetime(2027, 3, 9, 15, 0, tzinfo=UTC),  # not a slot's day
        datetime(2027, 3, 6, 13, 0, tzinfo=UTC),  # within the lead time
        datetime(2027, 6, 7, 15, 0, tzinfo=UTC),  # beyond the weeks one may book
    ],
)
def test_it_refuses_a_time_that_is_no_free_slot(moscow_mentor, student, when):
    weekly_slot(moscow_mentor, MONDAY, 18)
    weekly_slot(moscow_mentor, 5, 16)  # Saturday 16:00 Moscow: 13:00 UTC

    with pytest.raises(ValidationError) as error:
        session_book(student=student, scheduled_at=when, now=BEFORE_US_DST)

    assert "scheduled_at" in error.value.error_dict
    assert not MentoringSession.objects.exists()


def test_it_refuses_a_slot_of_another_mentor(moscow_mentor, other_student):
    weekly_slot(moscow_mentor, MONDAY, 18)

    with pytest.raises(ValidationError):
        session_book(
            student=other_student,
            scheduled_at=datetime(2027, 3, 8, 15, 0, tzinfo=UTC),
            now=BEFORE_US_DST,
        )

    assert not MentoringSession.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lets_only_students_book(request, moscow_mentor, role):
    weekly_slot(moscow_mentor, MONDAY, 18)
    person = request.getfixturevalue(role)

    with pytest.raises(NotAllowed):
        session_book(
            student=person,
            scheduled_at=datetime(2027, 3, 8, 15, 0, tzinfo=UTC),
            now=BEFORE_US_DST,
        )

    assert not MentoringSession.objects.exists()


def test_it_refuses_a_student_without_a_mentor(db):
    with pytest.raises(NotAllowed):
        session_book(student=StudentFactory(), scheduled_at=timezone.now() + timedelta(days=1))
