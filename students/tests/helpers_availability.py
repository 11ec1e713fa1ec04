"""Weekly slots and blocked dates for the availability and booking tests."""

from datetime import UTC, datetime, time, timedelta

from students.models import AvailabilityBlock, AvailabilitySlot

MONDAY, TUESDAY, WEDNESDAY, SUNDAY = 0, 1, 2, 6

# A Saturday noon (UTC) a week before the United States put their clocks forward
# (Sunday 14 March 2027); Moscow keeps UTC+3 all year, Berlin moves on 28 March.
BEFORE_US_DST = datetime(2027, 3, 6, 12, 0, tzinfo=UTC)


def weekly_slot(mentor, weekday: int, hour: int, minute: int = 0, minutes: int = 45):
    return AvailabilitySlot.objects.create(
        mentor=mentor, weekday=weekday, start_time=time(hour, minute), duration_minutes=minutes
    )


def blocked(mentor, first_day, last_day=None, note: str = ""):
    return AvailabilityBlock.objects.create(
        mentor=mentor, starts_on=first_day, ends_on=last_day or first_day, note=note
    )


def next_weekday(after: datetime, weekday: int, zone) -> datetime:
    """The first ``weekday`` strictly after ``after``'s day, at midnight in ``zone``."""
    day = after.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=zone)
