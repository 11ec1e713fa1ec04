"""The backtest: the signals replayed over history, scored against who withdrew within
the horizon after each as-of day."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorship.models import StudentStatus, StudentStatusChange, User
from mentorship.services import student_status_set
from projects.models import EnrolmentStatus
from students.models import FlagRun, FlagSettings, RiskFlag
from students.risk.backtest import RuleName, backtest_days, flag_backtest, withdrawal_days
from students.risk.signals import COHORT_MIN_STUDENTS, SignalName

from .helpers_risk import AS_OF, NO_SHOW, active_on, at, enrolled_student, programme_of, session

pytestmark = pytest.mark.usefixtures("no_flag_budget")

# Five as-of days: four weeks before the as-of day, then weekly up to it.
START = AS_OF - timedelta(days=28)


@pytest.fixture
def history(db, mentor):
    """Four students on a long first project (no project signal can fire), judged on
    five as-of days (28, 21, 14 and 7 days before the as-of day, and on it):
    - ``dropper`` active daily until 30 days before, silent since, withdrew 3 days
      before: flagged amber 21 days before (inactivity and drop), red 14 and 7 days
      before; each of its four days judged is followed by the withdrawal within 28 days;
    - ``steady`` active every day: never flagged;
    - ``quiet`` silent for the last 14 days but still enrolled: amber 7 days before,
      red on the day, never withdrew;
    - ``absent``, in a second programme, active every day but missed two sessions:
      amber (missed sessions) on the day, never withdrew.
    """
    programme = programme_of(200)
    people = {
        name: enrolled_student(programme, started_days_ago=100)
        for name in ("dropper", "steady", "quiet")
    }
    people["absent"] = enrolled_student(programme_of(200), started_days_ago=100)
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


def _scores(group, rule):
    score = group.rules[rule]
    return score.flagged, score.hits, score.caught, score.lead_days


def test_it_scores_each_severity_against_the_withdrawals_within_the_horizon(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)
    overall = result.overall

    assert result.days == [START + timedelta(days=7 * week) for week in range(5)]
    # 4 + 4 + 4 + 4 + 3 judged (the dropper not after withdrawing); the dropper's four
    # days are each followed by the withdrawal within 28 days.
    assert (overall.judged, overall.positives, overall.withdrawals) == (19, 4, 1)
    assert overall.base_rate == pytest.approx(4 / 19)
    # (flagged student-days, of them followed by a withdrawal, withdrawals caught, leads)
    assert _scores(overall, RuleName.ANY) == (6, 3, 1, [18])
    assert _scores(overall, RuleName.RED) == (3, 2, 1, [11])
    assert _scores(overall, RuleName.AMBER) == (3, 1, 1, [18])
    assert overall.precision(RuleName.ANY) == pytest.approx(0.5)
    assert overall.lift(RuleName.ANY) == pytest.approx(0.5 / (4 / 19))
    assert overall.recall(RuleName.RED) == 1
    assert overall.median_lead_days(RuleName.RED) == 11
    # Amber: a third of its flags right, 1.6 times the base rate: below 2 times.
    assert overall.amber_informative is False


def test_it_reports_the_share_flagged_on_each_day_its_mean_and_worst(history):
    overall = flag_backtest(start=START, end=AS_OF, every=7).overall

    assert overall.judged_by_day == [4, 4, 4, 4, 3]
    assert overall.rules[RuleName.ANY].flagged_by_day == [0, 1, 1, 2, 2]
    assert overall.rules[RuleName.RED].flagged_by_day == [0, 0, 1, 1, 1]
    assert overall.share_worst(RuleName.ANY) == pytest.approx(2 / 3)
    assert overall.share_mean(RuleName.ANY) == pytest.approx((0 + 0.25 + 0.25 + 0.5 + 2 / 3) / 5)


def test_it_scores_each_signal(history):
    overall = flag_backtest(start=START, end=AS_OF, every=7).overall

    assert {name: _scores(overall, name)[:3] for name in SignalName.ALL} == {
        SignalName.INACTIVITY: (5, 3, 1),
        SignalName.ACTIVITY_DROP: (5, 3, 1),
        SignalName.MISSED_SESSIONS: (1, 0, 0),
        SignalName.STALLED_PROJECT: (0, 0, 0),
        SignalName.BEHIND_PLAN: (0, 0, 0),
        SignalName.STRUGGLING: (0, 0, 0),
    }
    assert overall.precision(SignalName.BEHIND_PLAN) is None


def test_it_scores_each_programme_apart(history):
    result = flag_backtest(start=START, end=AS_OF, every=7)
    first, second = (
        next(
            group
            for group in result.groups
            if group.programme_id == student.enrolments.get().programme_id
        )
        for student in (history["dropper"], history["absent"])
    )

    assert len(result.groups) == 3
    assert (first.judged, first.positives, first.withdrawals) == (14, 4, 1)
    assert _scores(first, RuleName.ANY) == (5, 3, 1, [18])
    assert (second.judged, second.positives, second.withdrawals) == (5, 0, 0)
    assert _scores(second, RuleName.AMBER) == (1, 0, 0, [])
    assert second.recall(RuleName.AMBER) is None
    assert second.title == history["absent"].enrolments.get().programme.title


def test_a_flag_long_before_the_withdrawal_is_not_counted_right(history):
    """With a horizon of a week, only the day 7 days before is followed by the
    withdrawal (3 days before): the flags of 21 and 14 days before were too early."""
    overall = flag_backtest(start=START, end=AS_OF, every=7, horizon=7).overall

    assert (overall.positives, overall.withdrawals) == (1, 1)
    assert _scores(overall, RuleName.ANY) == (6, 1, 1, [4])


def test_it_dates_a_withdrawal_from_the_day_staff_say_it_took_effect(history):
    # Staff learn the dropper had stopped two weeks earlier than first recorded.
    student_status_set(
        profile=history["dropper"].student_profile,
        status=StudentStatus.DROPPED,
        effective_on=AS_OF - timedelta(days=17),
    )

    overall = flag_backtest(start=START, end=AS_OF, every=7).overall

    # Judged 28 and 21 days before only; first flagged 21 days before.
    assert overall.judged_by_day == [4, 4, 3, 3, 3]
    assert _scores(overall, RuleName.ANY) == (4, 1, 1, [4])


def test_a_student_who_came_back_and_left_again_withdrew_twice(history):
    profile = history["steady"].student_profile
    for status, days_before in (
        (StudentStatus.DROPPED, 60),
        (StudentStatus.ACTIVE, 50),
        (StudentStatus.DROPPED, 10),
        # Recorded again, a day earlier: the same withdrawal.
        (StudentStatus.DROPPED, 11),
    ):
        student_status_set(
            profile=profile, status=status, effective_on=AS_OF - timedelta(days=days_before)
        )

    withdrawals = withdrawal_days()

    assert withdrawals[history["steady"].pk] == [
        AS_OF - timedelta(days=60),
        AS_OF - timedelta(days=11),
    ]
    assert withdrawals[history["dropper"].pk] == [AS_OF - timedelta(days=3)]


def test_a_closed_account_is_judged_up_to_its_withdrawal(history):
    """The account of a student who withdrew is closed since: the nights before, it was
    open and judged. A closed account still "active" has no date to stop at: left out."""
    User.objects.filter(pk__in=[history["dropper"].pk, history["steady"].pk]).update(
        is_active=False
    )

    overall = flag_backtest(start=START, end=AS_OF, every=7).overall

    assert overall.judged_by_day == [3, 3, 3, 3, 2]
    assert _scores(overall, RuleName.ANY) == (6, 3, 1, [18])


def test_an_enrolment_withdrawn_since_was_open_while_its_student_was_active(history):
    """Staff withdraw the enrolment of a student who left; it keeps no date, and the
    days before the student left are judged as they were."""
    history["dropper"].enrolments.update(status=EnrolmentStatus.WITHDRAWN)

    overall = flag_backtest(start=START, end=AS_OF, every=7).overall

    assert overall.judged_by_day == [4, 4, 4, 4, 3]
    assert _scores(overall, RuleName.ANY) == (6, 3, 1, [18])


def test_it_counts_the_withdrawals_no_rule_could_catch(history):
    # A drop recorded before the portal kept dates: the migration to the dated history
    # dates it the day the student joined, with nothing before it.
    dropper = history["dropper"]
    StudentStatusChange.objects.filter(student_id=dropper.pk).delete()
    StudentStatusChange.objects.create(
        student_id=dropper.pk, status=StudentStatus.DROPPED, effective_on=at(100).date()
    )
    # A withdrawal in the span by a student paused before it: never judged then.
    quiet = history["quiet"].student_profile
    student_status_set(profile=quiet, status=StudentStatus.PAUSED, effective_on=at(40).date())
    student_status_set(profile=quiet, status=StudentStatus.DROPPED, effective_on=at(10).date())

    result = flag_backtest(start=START, end=AS_OF, every=7)

    assert result.withdrawals_not_judged == 1  # the one before the span is not counted
    assert (result.overall.withdrawals, result.overall.positives) == (0, 0)
    assert result.overall.recall(RuleName.ANY) is None
    assert result.overall.lift(RuleName.ANY) is None


def test_it_scores_only_the_days_whose_horizon_is_over(db):
    today = date.today()

    days, left_out = backtest_days(
        start=today - timedelta(days=56), end=today, every=7, horizon=28
    )

    # Up to yesterday's withdrawals are known: a day is scored once 28 days follow it.
    assert days == [
        today - timedelta(days=56),
        today - timedelta(days=49),
        today - timedelta(days=42),
        today - timedelta(days=35),
    ]
    assert left_out == 5


def test_it_reads_the_withdrawals_in_one_query_whatever_their_number(history):
    """Per as-of day: who is judged, then the judgement's queries; then the
    withdrawals in one query, whatever the number of students who withdrew."""
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
    # Who is judged (their status that day) and the withdrawals.
    assert len(status_queries) == 2


def test_it_writes_nothing(history):
    settings_row = list(FlagSettings.objects.values())

    flag_backtest(start=START, end=AS_OF, every=7)
    call_command("backtest_flags", "--from", str(START), "--to", str(AS_OF), stdout=StringIO())

    assert RiskFlag.objects.count() == 0
    assert FlagRun.objects.count() == 0
    assert list(FlagSettings.objects.values()) == settings_row


def test_it_prints_a_table_per_programme(history):
    out = StringIO()

    call_command("backtest_flags", "--from", str(START), "--to", str(AS_OF), stdout=out)

    text = out.getvalue()
    assert "Backtest of 5 as-of dates" in text
    assert "withdraws within 28 days" in text
    assert "All programmes: 19 student-days judged, 1 withdrawals, base rate 21.1%." in text
    # Amber: precision 1/3 against a base rate of 4/19, 1.6 times.
    assert "Amber carried little information here" in text
    assert "1.6x as likely to withdraw as any, below 2x" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("any ")]
    assert len(rows) == 3  # all programmes, then each
    # precision, recall (caught/withdrawals), lift, mean share, worst, lead
    assert rows[0][1:] == ["50.0%", "100.0%", "1/1", "2.4x", "33.3%", "66.7%", "18", "d"]


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
        "--horizon",
        "21",
        "--inactivity-amber",
        "20",
        "--inactivity-red",
        "30",
        "--json",
        stdout=out,
    )

    report = json.loads(out.getvalue())
    assert (report["dates_evaluated"], report["horizon_days"]) == (3, 21)
    assert [day["as_of"] for day in report["days"]] == [
        str(START),
        str(START + timedelta(days=14)),
        str(AS_OF),
    ]
    overall = report["groups"][0]
    assert (overall["programme"], overall["student_days"], overall["withdrawals"]) == (None, 11, 1)
    # Flagged 14 days before (an activity drop), 11 days before the withdrawal; the
    # inactivity not yet at 20 days.
    assert overall["rules"][SignalName.INACTIVITY]["caught"] == 0
    # The dropper 14 days before; the quiet student (a drop) and the absent one on the
    # day.
    assert overall["rules"]["any"] == {
        "flagged": 3,
        "hits": 1,
        "caught": 1,
        "precision": round(1 / 3, 4),
        "recall": 1.0,
        "lift": round((1 / 3) / (1 / 11), 4),
        "share_mean": round((0 + 0.25 + 2 / 3) / 3, 4),
        "share_worst": round(2 / 3, 4),
        "median_lead_days": 11,
    }


@pytest.mark.parametrize(
    "arguments",
    [
        ["--from", "2026-06-31", "--to", "2026-07-01"],
        ["--from", "2026-06-15", "--to", "2026-06-01"],
        ["--from", "2026-06-01", "--to", "2026-06-15", "--every", "0"],
        ["--from", "2026-06-01", "--to", "2026-06-15", "--horizon", "0"],
        ["--from", "2026-06-01", "--to", "2026-06-15", "--inactivity-amber", "20"],
        # Nothing whose horizon is over.
        ["--from", str(date.today())],
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

    overall = flag_backtest(start=AS_OF, end=AS_OF).overall

    assert overall.judged_by_day == [10]
    assert overall.rules[SignalName.ACTIVITY_DROP].flagged == 0
    assert overall.rules[RuleName.ANY].flagged == 0
