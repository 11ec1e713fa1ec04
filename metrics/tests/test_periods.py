"""Periods: weeks, months and quarters on the reader's calendar, as keys and words."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from metrics.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("day", "kind", "start", "end", "key"),
    [
        (date(2026, 10, 14), "week", date(2026, 10, 12), date(2026, 10, 19), "2026-W42"),
        (date(2026, 10, 12), "week", date(2026, 10, 12), date(2026, 10, 19), "2026-W42"),
        (date(2026, 10, 18), "week", date(2026, 10, 12), date(2026, 10, 19), "2026-W42"),
        # ISO weeks: the first days of January may belong to last year's last week.
        (date(2027, 1, 1), "week", date(2026, 12, 28), date(2027, 1, 4), "2026-W53"),
        (date(2026, 10, 31), "month", date(2026, 10, 1), date(2026, 11, 1), "2026-10"),
        (date(2026, 12, 5), "month", date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
        (date(2026, 2, 28), "month", date(2026, 2, 1), date(2026, 3, 1), "2026-02"),
        (date(2026, 11, 30), "quarter", date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        (date(2026, 1, 1), "quarter", date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
    ],
)
def test_a_day_falls_in_one_period_of_each_kind(day, kind, start, end, key):
    period = Period.containing(day, kind)

    assert (period.start, period.end, period.key) == (start, end, key)
    assert Period.parse(key) == period


@pytest.mark.parametrize("key", ["", "2026", "2026-13", "2026-00", "2026-Q5", "2025-W53", "x"])
def test_it_refuses_what_is_not_a_period(key):
    with pytest.raises(ValueError, match="Not a period"):
        Period.parse(key)


def test_it_steps_back_and_forth_across_years():
    december = Period.parse("2026-12")

    assert december.following().key == "2027-01"
    assert december.following().previous() == december
    assert [period.key for period in Period.parse("2027-Q1").last(3)] == [
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
    ]
    assert [period.key for period in Period.parse("2027-W01").last(2)] == ["2026-W53", "2027-W01"]


def test_its_moments_are_the_readers():
    october = Period.parse("2026-10")

    moscow = october.bounds(ZoneInfo("Europe/Moscow"))
    london = october.bounds(ZoneInfo("Europe/London"))

    assert moscow[0] == datetime(2026, 9, 30, 21, 0, tzinfo=ZoneInfo("UTC"))
    assert london[0] == datetime(2026, 9, 30, 23, 0, tzinfo=ZoneInfo("UTC"))
    # London leaves summer time on 25 October: the month ends at midnight GMT.
    assert london[1] == datetime(2026, 11, 1, 0, 0, tzinfo=ZoneInfo("UTC"))


def test_it_is_closed_once_its_last_day_is_over():
    october = Period.parse("2026-10")

    assert not october.is_closed(date(2026, 10, 31))
    assert october.is_closed(date(2026, 11, 1))


def test_it_names_itself_in_the_readers_language():
    with translation.override("en"):
        assert Period.parse("2026-10").label == "October 2026"
        assert Period.parse("2026-Q4").label == "Q4 2026"
        assert Period.parse("2026-W42").label == "Week of 12 October 2026"
    with translation.override("ru"):
        assert Period.parse("2026-10").label == "Октябрь 2026"
        assert Period.parse("2026-W42").label == "Неделя с 12 октября 2026"
        assert Period.parse("2026-Q4").label == "4-й квартал 2026"
    assert PeriodKind.QUARTER.label
