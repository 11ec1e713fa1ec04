"""Calibration: on a history whose withdrawals the default red rule misses, the rule
chosen on the training weeks catches more of them on the weeks held out, within the
same budget; applied, the nightly run flags by it."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentorship.models import StudentStatus, StudentStatusChange
from mentorship.services import student_status_set
from mentorship.tests.factories import AssignmentFactory, MentorFactory
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.flags import flag_reason_sentences
from students.models import (
    FlagCalibration,
    FlagSettings,
    FlagSeverity,
    ProgrammeFlagBudget,
    RiskFlag,
)
from students.risk.backtest import backtest_replay
from students.risk.calibration import calibration_apply, flag_calibrate
from students.risk.rules import RedRule, RuleKind
from students.risk.signals import SignalName
from students.tasks import recalibrate_flags_nightly

from .helpers_risk import AS_OF, active_on, enrolled_student, programme_of

pytestmark = pytest.mark.django_db

WEEKS = 6
# The as-of days replayed: the last is AS_OF, the day 29 days before "today".
DAYS = [AS_OF - timedelta(weeks=WEEKS - 1 - week) for week in range(WEEKS)]
TODAY = AS_OF + timedelta(days=29)


@pytest.fixture(autouse=True)
def one_connection(settings):
    """The command and the task replay the history on as many connections as there are
    workers, which would not see a test's transaction: on the test's own one here
    (``test_two_connections_replay_the_same_history`` checks the other way)."""
    settings.FLAG_PARTS = 1


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(12))), tick=False):
        yield


def days_before_as_of(day) -> int:
    return (AS_OF - day).days


@pytest.fixture
def school():
    """One programme of 40 students, a red budget of 20 % (eight):
    - 20 at work every day on a long plan: no signal;
    - 6 "quiet stayers" silent for three weeks or more on a long plan, who never leave:
      red by the default rule (inactivity);
    - 12 "leavers", two per as-of day: far behind a short plan all along, and silent
      the last 10 days before their day (amber inactivity), they withdraw five days
      after it. The default rule never makes them red: only the two signals together
      tell them apart.
    """
    FlagSettings.objects.create(pk=1, red_share_percent=20)
    programme = programme_of(20, 20, 20)
    mentor = MentorFactory()
    people = {"leavers": [], "stayers": []}

    def student(span_days: int, active: range):
        made = enrolled_student(programme, started_days_ago=120, span_days=span_days)
        AssignmentFactory(student=made, mentor=mentor)
        active_on(made, active)
        return made

    for _ in range(20):
        student(400, range(120))
    for _ in range(6):
        people["stayers"].append(student(400, range(days_before_as_of(DAYS[0]) + 21, 120)))
    for day in DAYS:
        for _ in range(2):
            leaver = student(60, range(days_before_as_of(day) + 10, 120))
            student_status_set(
                profile=leaver.student_profile,
                status=StudentStatus.DROPPED,
                effective_on=day + timedelta(days=5),
            )
            people["leavers"].append(leaver)
    return programme, people


def test_the_chosen_rule_catches_more_withdrawals_than_the_default_within_the_budget(school):
    calibration = flag_calibrate(weeks=WEEKS, min_withdrawals=3)

    overall = calibration.overall
    assert calibration.train_days == DAYS[:4]
    assert calibration.held_out_days == DAYS[4:]
    assert overall.training_withdrawals == 8
    before, after = overall.figures_of(overall.current), overall.figures_of(overall.chosen)
    # The four withdrawals of the held-out weeks: none caught red by the default.
    assert (before["withdrawals"], before["caught"]) == (4, 0)
    assert after["caught"] == 4
    assert after["precision"] > before["precision"]
    # Within the budget: at most 8 red of the judged on any held-out day.
    assert after["share_worst"] <= 0.2
    assert overall.current.is_default
    assert not overall.chosen.is_default
    # Its red flags need both signals (a pair, or the learned score that found them).
    leaver_signals = {SignalName.INACTIVITY, SignalName.BEHIND_PLAN}
    if overall.chosen.kind == RuleKind.CONDITIONS:
        assert any(
            {name for name, _level, _at_least in condition.parts} == leaver_signals
            for condition in overall.chosen.conditions
        )


def test_every_kind_of_candidate_is_tried_and_reported(school):
    calibration = flag_calibrate(weeks=WEEKS, min_withdrawals=3)

    described = [rule.describe() for rule, _figures in calibration.overall.candidates]
    assert "any red signal (the default)" in described
    assert "inactive + behind plan" in described
    assert any("inactive ≥ 21" in text for text in described)
    assert any(rule.kind == RuleKind.SCORE for rule, _figures in calibration.overall.candidates)
    # The programme's own choice, judged on its students alone.
    (programme,) = calibration.programmes
    assert programme.programme_id == school[0].pk
    assert programme.figures_of(programme.chosen)["caught"] == 4


def test_a_programme_with_too_little_history_keeps_the_school_rule(school):
    calibration = flag_calibrate(weeks=WEEKS, min_withdrawals=20)

    assert calibration.overall.chosen is None
    assert calibration.overall.fallback == "little_history"
    assert (
        "8 withdrawals in the training weeks, fewer than 20" in calibration.overall.fallback_text
    )
    calibration_apply(calibration)
    assert FlagSettings.current().red_rule == {}
    assert not ProgrammeFlagBudget.objects.exists()


def test_applied_the_nightly_run_flags_by_the_chosen_rule(school):
    _programme, people = school
    calibration_apply(flag_calibrate(weeks=WEEKS, min_withdrawals=3))
    rule = RedRule.from_json(FlagSettings.current().red_rule)
    assert not rule.is_default

    run, chunks = flag_run_start(as_of=DAYS[-1], chunk_size=7)
    for index, student_ids in enumerate(chunks):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        flag_run_finish(run=run)

    leaver = people["leavers"][-1]
    flag = RiskFlag.objects.get(student=leaver)
    assert flag.severity == FlagSeverity.RED
    assert any(
        sentence.endswith("Red by the rule calibrated on the school’s history.")
        for sentence in flag_reason_sentences(flag)
    )
    for stayer in people["stayers"]:
        assert RiskFlag.objects.get(student=stayer).severity == FlagSeverity.AMBER


def test_the_command_reports_and_applies(school):
    out = StringIO()

    call_command("calibrate_flags", "--weeks", str(WEEKS), stdout=out)

    text = out.getvalue()
    assert "4 weeks to learn from" in text
    assert "in force: any red signal (the default)" in text
    assert "Nothing changed" in text
    assert FlagSettings.current().red_rule == {}
    record = FlagCalibration.objects.get()
    assert (record.weeks, record.horizon_days, record.applied_at) == (WEEKS, 28, None)
    assert record.report["overall"]["current"]["rule"] == "any red signal (the default)"


def test_staff_calibrate_from_the_admin_and_read_the_report(
    client, as_user, django_capture_on_commit_callbacks, school
):
    staff = as_user("staff")
    url = reverse("admin:students_flagcalibration_calibrate_now")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, follow=True)
        assert not FlagCalibration.objects.exists()  # nothing runs before the commit

    (callback,) = callbacks
    callback()  # eager in tests: the task runs here
    record = FlagCalibration.objects.get()
    assert (record.triggered_by, record.weeks) == (staff, 52)
    assert record.applied_at is not None
    assert response.redirect_chain == [(reverse("admin:students_flagcalibration_changelist"), 302)]
    page = client.get(reverse("admin:students_flagcalibration_change", args=[record.pk]))
    assertContains(page, "All programmes")
    assertContains(page, "In force:")
    assertContains(page, "<code>any red signal (the default)</code>", html=False)
    # Each rule is described in the reader's language, whatever the one it ran in.
    staff.language = "ru"
    staff.save(update_fields=["language"])
    page = client.get(reverse("admin:students_flagcalibration_change", args=[record.pk]))
    assertContains(page, "<code>любой красный сигнал (по умолчанию)</code>", html=False)
    assertContains(page, "нет активности + отстаёт от плана", html=False)


def test_a_calibration_is_queued_only_on_post(client, as_user, django_capture_on_commit_callbacks):
    as_user("staff")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("admin:students_flagcalibration_calibrate_now"))

    assert response.status_code == 405
    assert callbacks == []


@pytest.mark.parametrize("role", ["mentor", "supervisor", "student"])
def test_other_roles_cannot_calibrate(client, as_user, django_capture_on_commit_callbacks, role):
    as_user(role)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:students_flagcalibration_calibrate_now"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_two_connections_replay_the_same_history(school):
    thresholds = FlagSettings.current()

    apart = backtest_replay(DAYS, thresholds=thresholds, budget=False, workers=2)
    together = backtest_replay(DAYS, thresholds=thresholds, budget=False)

    assert [(day.as_of, day.programmes, day.signals) for day in apart] == [
        (day.as_of, day.programmes, day.signals) for day in together
    ]
    assert sum(len(day.signals) for day in apart) > 0


def test_no_rule_is_chosen_whose_red_flags_tell_nothing(school):
    """Without withdrawals to be right about, no red rule's flags carry information:
    the rule in force stays, and the report says why."""
    StudentStatusChange.objects.filter(status=StudentStatus.DROPPED).delete()

    calibration = flag_calibrate(weeks=WEEKS, min_withdrawals=0)

    assert calibration.overall.chosen is None
    assert calibration.overall.fallback == "no_information"


def test_the_nightly_recalibration_runs_once_a_day_when_staff_switch_it_on(school):
    assert recalibrate_flags_nightly() is None  # off by default
    assert not FlagCalibration.objects.exists()

    FlagSettings.objects.update(recalibrate_nightly=True)
    kept = recalibrate_flags_nightly()

    record = FlagCalibration.objects.get()
    assert (record.pk, record.triggered_by, record.weeks) == (kept, None, 52)
    assert record.applied_at is not None
    assert recalibrate_flags_nightly() is None  # tonight's is kept
    assert FlagCalibration.objects.count() == 1


def test_the_nightly_recalibration_comes_before_the_flagging_run():
    schedule = settings.CELERY_BEAT_SCHEDULE
    calibrate, flag = schedule["recalibrate-flags"], schedule["flag-students"]

    assert calibrate["task"] == "students.tasks.recalibrate_flags_nightly"
    assert (calibrate["schedule"].hour, flag["schedule"].hour) == ({1}, {2})
