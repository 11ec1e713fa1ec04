"""The backtest: the signals replayed over history, scored against who dropped."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorship.models import StudentStatus, StudentStatusChange, User
from mentorship.services import student_status_set
from students.models import FlagRun, FlagSettings, RiskFlag
from students.risk.backtest import flag_backtest
from students.risk.signals import COHORT_MIN_STUDENTS, SignalName

from .helpers_risk import AS_OF, NO_SHOW, active_on, at, enrolled_student, programme_of, session

# Five as-of days: four weeks before the as-of day, then weekly up to it.
START = AS_OF - timedelta(days=28)


@pytest.fixture
def history(db, mentor):
    """Four students on a long first project (no project signal can fire):
    - ``dropper`` active daily until 30 days before, silent since, dropped 3 days before;
      first flagged 21 days before (inactivity and drop), so the lead time is 18 days;
    - ``steady`` active every day: never flagged;
    - ``quiet`` silent for the last 14 days but still enrolled: a false alarm;
    - ``absent`` active every day but missed two sessions: a false alarm, missed sessions.
    """
    programme = programme_of(200)
    people = {
        name: enrolled_student(programme, started_days_ago=100)
        for name in ("dropper", "steady", "quiet", "absent")
    }
    active_on(people["dropper"], range(30, 100))
    active_on(people["steady"], range(100))
    active_on(people["quiet"], range(15, 100))
    active_on(people["absent"], range(100))
    session(people["absent"], mentor, NO_SHOW, days_before=5)
    session(people["absent"], mentor, NO_SHOW, days_before=12)
    for student in people.values():
        # They joined when they enrolled.
        User.objects.filter(pk=student.pk).update(date_joined=at(100))
        student.refresh_from_db()
    student_status_set(
        profile=people["dropper"].student_profile,
        status=StudentStatus.DROPPED,
        effective_on=AS_OF - timedelta(days=3),
    )
    return people


def test_it_catches_the_student_who_dropped_with_the_lead_time(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)

    assert [day.as_of for day in result.days] == [
        START + timedelta(days=7 * week) for week in range(5)
    ]
    assert result.overall.dropped == 1
    assert result.overall.caught == 1
    assert result.overall.lead_days == [18]
    assert result.overall.median_lead_days == 18


def test_it_counts_the_students_flagged_who_did_not_drop_as_false_alarms(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)

    assert result.overall.not_dropped == 3
    assert result.overall.false_alarms == 2  # quiet and absent; steady never


def test_it_scores_each_signal(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)
    scores = {
        name: (outcome.caught, outcome.median_lead_days, outcome.false_alarms)
        for name, outcome in result.by_signal.items()
    }

    assert scores == {
        SignalName.INACTIVITY: (1, 18, 1),
        SignalName.ACTIVITY_DROP: (1, 18, 1),
        SignalName.MISSED_SESSIONS: (0, None, 1),
        SignalName.STALLED_PROJECT: (0, None, 0),
        SignalName.BEHIND_PLAN: (0, None, 0),
        SignalName.STRUGGLING: (0, None, 0),
    }


def test_it_reports_how_many_students_are_flagged_on_each_day(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)

    # The dropper is judged until they dropped, not on the last day.
    assert [(day.judged, day.flagged) for day in result.days] == [
        (4, 0),
        (4, 1),
        (4, 1),
        (4, 2),
        (3, 2),
    ]
    assert result.days[-1].by_signal[SignalName.MISSED_SESSIONS] == 1
    assert result.share_max == pytest.approx(2 / 3)
    assert result.share_mean == pytest.approx((0 + 0.25 + 0.25 + 0.5 + 2 / 3) / 5)


def test_it_uses_the_thresholds_it_is_given(history):
    lenient = FlagSettings(inactivity_amber_days=20, inactivity_red_days=30)

    result = flag_backtest(start=START, end=AS_OF, every=7, thresholds=lenient)

    # Inactivity now first fires on the as-of day a week before (23 days idle), four
    # days before the drop.
    assert result.by_signal[SignalName.INACTIVITY].lead_days == [4]
    assert result.by_signal[SignalName.INACTIVITY].false_alarms == 0


def test_it_leaves_out_a_dropped_student_without_a_drop_date(history):
    # A drop recorded before the portal kept dates: the migration to the dated history
    # dates it the day the student joined, with nothing before it.
    dropper = history["dropper"]
    StudentStatusChange.objects.filter(student_id=dropper.pk).delete()
    StudentStatusChange.objects.create(
        student_id=dropper.pk, status=StudentStatus.DROPPED, effective_on=at(100).date()
    )

    result = flag_backtest(start=START, end=AS_OF, every=7)

    # With no date they were never judged as an active student either.
    assert result.drop_date_unknown == 1
    assert result.overall.dropped == 0
    assert result.overall.not_dropped == 3
    assert result.overall.false_alarms == 2


def test_it_dates_a_drop_from_the_day_staff_say_it_took_effect(history):
    # Staff learn the dropper had stopped two weeks earlier than first recorded.
    student_status_set(
        profile=history["dropper"].student_profile,
        status=StudentStatus.DROPPED,
        effective_on=AS_OF - timedelta(days=17),
    )

    result = flag_backtest(start=START, end=AS_OF, every=7)

    # First flagged 21 days before, dropped 17 days before; not judged since.
    assert result.overall.lead_days == [4]
    assert [day.judged for day in result.days] == [4, 4, 3, 3, 3]


def test_it_reads_the_drop_dates_in_one_query_whatever_the_number_of_drop_outs(history):
    """Per as-of day: who is judged, then the judgement's queries; then the drop dates
    in one query, whatever the number of students who dropped."""
    for name in ("quiet", "absent"):
        student_status_set(
            profile=history[name].student_profile,
            status=StudentStatus.DROPPED,
            effective_on=AS_OF - timedelta(days=1),
        )
    thresholds = FlagSettings()

    with CaptureQueriesContext(connection) as captured:
        flag_backtest(start=AS_OF, end=AS_OF, thresholds=thresholds)

    status_queries = [
        query["sql"] for query in captured if "mentorship_studentstatuschange" in query["sql"]
    ]
    # Who is judged (their status that day) and when the drop-outs dropped.
    assert len(status_queries) == 2


def test_it_writes_nothing(history):
    flag_backtest(start=START, end=AS_OF, every=7)
    call_command("backtest_flags", "--from", str(START), "--to", str(AS_OF), stdout=StringIO())

    assert RiskFlag.objects.count() == 0
    assert FlagRun.objects.count() == 0
    assert FlagSettings.objects.count() == 0


def test_it_prints_a_table(history):
    out = StringIO()

    call_command("backtest_flags", "--from", str(START), "--to", str(AS_OF), stdout=out)

    text = out.getvalue()
    assert "5 dates evaluated" in text
    assert "max 66.7%" in text
    all_signals = next(line for line in text.splitlines() if line.startswith("all signals"))
    assert all_signals.split()[2:] == ["1/1", "18", "d", "2/3", "33.3%"]


def test_it_prints_json_with_overridden_thresholds(history):
    out = StringIO()

    call_command(
        "backtest_flags",
        "--from",
        str(START),
        "--to",
        str(AS_OF),
        "--every",
        "14",
        "--inactivity-amber",
        "20",
        "--inactivity-red",
        "30",
        "--json",
        stdout=out,
    )

    report = json.loads(out.getvalue())
    assert report["dates_evaluated"] == 3
    assert [day["as_of"] for day in report["days"]] == [
        str(START),
        str(START + timedelta(days=14)),
        str(AS_OF),
    ]
    # Flagged 14 days before (an activity drop), 11 days before they dropped.
    assert report["signals"][SignalName.INACTIVITY]["caught"] == 0
    assert report["overall"] == {
        "dropped": 1,
        "caught": 1,
        "median_lead_days": 11,
        "not_dropped": 3,
        "false_alarms": 2,
    }


@pytest.mark.parametrize(
    "arguments",
    [
        ["--from", "2026-06-31", "--to", "2026-07-01"],
        ["--from", "2026-06-15", "--to", "2026-06-01"],
        ["--from", "2026-06-01", "--to", "2026-06-15", "--every", "0"],
        ["--from", "2026-06-01", "--to", "2026-06-15", "--inactivity-amber", "20"],
    ],
)
def test_it_refuses_bad_arguments(db, arguments):
    with pytest.raises(CommandError):
        call_command("backtest_flags", *arguments, stdout=StringIO())


def test_it_judges_drops_against_the_programmes_activity_as_the_nightly_job_does(db):
    """A fortnight quiet for a whole programme (every student at a third of their
    usual, active every day): no drop, as the nightly job would have judged it."""
    programme = programme_of(200)
    for _ in range(COHORT_MIN_STUDENTS):
        student = enrolled_student(programme, started_days_ago=100)
        active_on(student, range(14, 100), events=3)
        active_on(student, range(14), events=1)

    (day,) = flag_backtest(start=AS_OF, end=AS_OF).days

    assert (day.judged, day.flagged, day.by_signal[SignalName.ACTIVITY_DROP]) == (10, 0, 0)
