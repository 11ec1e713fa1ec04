"""The activity drop measured by intensity where the platform sends it: the values its
events carry (minutes, clicks, pages), summed per day by the rollup."""

from datetime import timedelta

import pytest

from mentorship.models import DailyActivity
from students.flags import Reason
from students.models import FlagSettings
from students.risk.judgement import risk_signals
from students.risk.signals import SignalName

from .helpers_risk import AS_OF, enrolled_student, programme_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds():
    return FlagSettings.current()


@pytest.fixture
def programme():
    return programme_of(200)


def days_of(student, days, *, events: int, value: float = 0, valued: int = 0) -> None:
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(
                student=student,
                day=AS_OF - timedelta(days=day),
                events=events,
                value_total=value,
                valued_events=valued,
            )
            for day in days
        ]
    )


def drop_of(student, thresholds):
    found = risk_signals(student_ids=[student.pk], as_of=AS_OF, thresholds=thresholds)
    return next(
        (
            signal
            for signal in found.get(student.pk, [])
            if signal.name == SignalName.ACTIVITY_DROP
        ),
        None,
    )


def test_a_platform_that_sends_one_event_a_day_with_its_minutes_is_judged_by_the_minutes(
    programme, thresholds
):
    student = enrolled_student(programme, started_days_ago=80)
    # One event every day throughout: an hour a day in the baseline, ten minutes in
    # the last fortnight.
    days_of(student, range(14, 56), events=1, value=60, valued=1)
    days_of(student, range(14), events=1, value=10, valued=1)

    drop = drop_of(student, thresholds)

    assert (drop.severity, drop.observed, drop.baseline, drop.measure) == (
        "red",
        70.0,
        420.0,
        "value",
    )
    sentence = Reason.from_stored(drop.as_reason()).sentence
    assert sentence.startswith("Activity has fallen to 70 a week by the learning platform")
    assert "17 % of their usual 420" in sentence


def test_events_without_values_are_judged_by_their_number(programme, thresholds):
    counted, steady = (enrolled_student(programme, started_days_ago=80) for _ in range(2))
    # Three events a day, one of them with a value: the number of events is the measure.
    days_of(counted, range(14, 56), events=3, value=60, valued=1)
    days_of(counted, range(14), events=1, value=60, valued=1)
    # The same number of events every day, fewer minutes: no drop by the count.
    days_of(steady, range(14, 56), events=3, value=60, valued=1)
    days_of(steady, range(14), events=3, value=5, valued=1)

    drop = drop_of(counted, thresholds)

    assert (drop.severity, drop.observed, drop.baseline, drop.measure) == ("amber", 7.0, 21.0, "")
    assert drop_of(steady, thresholds) is None
