"""The flag budget: at most a share of a programme's judged students red each night (the
most at risk), the rest of the red shown amber or not at all; the same cut in the
nightly run, whatever the chunks, and in the backtest."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mentorship.tests.factories import AssignmentFactory, MentorFactory
from students.admin import FlagSettingsForm
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.flags import flag_reason_sentences
from students.models import FlagSettings, FlagSeverity, ProgrammeFlagBudget, RiskFlag
from students.risk.backtest import RuleName, flag_backtest
from students.risk.budget import (
    Budget,
    FlagBudgets,
    budget_signals,
    red_cuts,
    risk_rank,
)
from students.risk.signals import Signal, SignalName

from .helpers_risk import AS_OF, active_on, enrolled_student, programme_of

pytestmark = pytest.mark.django_db

# Twenty students of a programme: eight idle long enough for red (14 days or more),
# the longest idle the most at risk; four amber (7 to 13 days); the rest active.
RED_IDLE = [14, 15, 16, 17, 18, 19, 20, 21]
AMBER_IDLE = [7, 8, 9, 10]


def idle_since(programme, mentor, days: int):
    """Enrolled a month ago (too soon for a drop; nothing due): only inactivity shows."""
    student = enrolled_student(programme, started_days_ago=30, span_days=400)
    AssignmentFactory(student=student, mentor=mentor)
    active_on(student, range(days, 30))
    return student


@pytest.fixture
def school():
    programme = programme_of(60, 60, 60)
    mentor = MentorFactory()
    idle = RED_IDLE + AMBER_IDLE + [0] * (20 - len(RED_IDLE) - len(AMBER_IDLE))
    students = {days: idle_since(programme, mentor, days) for days in idle if days}
    for _ in range(idle.count(0)):
        idle_since(programme, mentor, 0)
    return programme, students


def run_flagging(chunk_size: int = 2000):
    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=chunk_size)
    for index, student_ids in enumerate(chunks):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        flag_run_finish(run=run)
    run.refresh_from_db()
    return run


def severities(students: dict) -> dict[int, str | None]:
    """Idle days: the student's open flag's severity (None: no flag)."""
    flags = dict(RiskFlag.objects.values_list("student_id", "severity"))
    return {days: flags.get(student.pk) for days, student in students.items()}


@pytest.mark.parametrize("chunk_size", [2000, 3])
def test_it_keeps_red_to_the_share_of_the_programme_most_at_risk(school, chunk_size):
    programme, students = school

    run = run_flagging(chunk_size=chunk_size)

    # 10 % of 20 judged: the two idle longest are red, the other six red by their
    # thresholds are shown amber; the amber ones stay amber. Exact across chunks.
    assert severities(students) == {
        **dict.fromkeys(RED_IDLE[:-2] + AMBER_IDLE, FlagSeverity.AMBER),
        20: FlagSeverity.RED,
        21: FlagSeverity.RED,
    }
    assert run.status == "finished"
    assert run.opened == len(RED_IDLE) + len(AMBER_IDLE)
    assert list(run.red_cuts) == [str(programme.pk)]


def test_a_red_beyond_the_budget_says_so_in_its_reasons(school):
    _programme, students = school

    run_flagging()

    (reason,) = RiskFlag.objects.get(student=students[19]).reasons
    assert (reason["signal"], reason["severity"], reason["observed"]) == (
        SignalName.INACTIVITY,
        FlagSeverity.AMBER,
        19,
    )
    assert (reason["crossed"], reason["because"]) == (FlagSeverity.RED, "budget")
    # The mentor reads which threshold it crossed, and why it is amber.
    (sentence,) = flag_reason_sentences(RiskFlag.objects.get(student=students[19]))
    assert sentence == (
        "No activity for 19 days (red from 14). Shown amber: the programme’s red flags went "
        "to students more at risk."
    )
    (kept,) = RiskFlag.objects.get(student=students[21]).reasons
    assert (kept["severity"], "crossed" in kept) == (FlagSeverity.RED, False)
    (amber,) = RiskFlag.objects.get(student=students[7]).reasons
    assert "crossed" not in amber


def test_without_amber_only_the_red_within_the_budget_are_flagged(school):
    _programme, students = school
    FlagSettings.objects.create(pk=1, red_share_percent=20, amber_shown=False)

    run_flagging()

    assert {days: severity for days, severity in severities(students).items() if severity} == {
        18: FlagSeverity.RED,
        19: FlagSeverity.RED,
        20: FlagSeverity.RED,
        21: FlagSeverity.RED,
    }


def test_a_programme_budget_of_its_own_is_used_instead(school):
    programme, students = school
    other_programme, other_students = programme_of(60), {}
    mentor = MentorFactory()
    for days in [14, 15, 16, 0, 0, 0, 0, 0, 0, 0]:
        other_students[days] = idle_since(other_programme, mentor, days)
    ProgrammeFlagBudget.objects.create(programme=programme, red_share_percent=25)

    run_flagging()

    # 25 % of 20: five red; the other programme at the settings' 10 % of 10: one.
    shown = severities(students)
    assert [days for days, severity in shown.items() if severity == FlagSeverity.RED] == [
        17,
        18,
        19,
        20,
        21,
    ]
    assert severities({days: other_students[days] for days in (14, 15, 16)}) == {
        14: FlagSeverity.AMBER,
        15: FlagSeverity.AMBER,
        16: FlagSeverity.RED,
    }


def test_a_budget_of_none_allows_no_red(school):
    _programme, students = school
    FlagSettings.objects.create(pk=1, red_share_percent=0)

    run_flagging()

    assert set(severities(students).values()) == {FlagSeverity.AMBER}


def test_a_flag_shown_amber_tonight_is_red_when_its_student_ranks_within_the_budget(school):
    """The budget is judged each night: once the two idle longest are back at work,
    the next two most at risk are red."""
    _programme, students = school
    run_flagging()
    for days in (20, 21):
        active_on(students[days], [0])

    run_flagging()

    shown = severities(students)
    assert (shown[18], shown[19]) == (FlagSeverity.RED, FlagSeverity.RED)
    assert shown[17] == FlagSeverity.AMBER


def test_the_backtest_scores_the_flags_within_the_budget(school):
    result = flag_backtest(start=AS_OF, end=AS_OF)

    overall = result.overall
    assert overall.judged_by_day == [20]
    assert overall.rules[RuleName.RED].flagged_by_day == [2]
    assert overall.rules[RuleName.AMBER].flagged_by_day == [10]
    # Each signal is scored as shown: the inactivity behind every flag.
    assert overall.rules[SignalName.INACTIVITY].flagged == 12


def test_the_backtest_tries_a_budget_without_saving_it(school):
    thresholds = FlagSettings(red_share_percent=30, amber_shown=False)

    overall = flag_backtest(start=AS_OF, end=AS_OF, thresholds=thresholds).overall

    assert overall.rules[RuleName.RED].flagged_by_day == [6]
    assert overall.rules[RuleName.AMBER].flagged_by_day == [0]
    assert not FlagSettings.objects.exists()


def test_the_most_at_risk_come_first():
    inactivity = Signal(SignalName.INACTIVITY, FlagSeverity.RED, 20, 14)
    drop = Signal(SignalName.ACTIVITY_DROP, FlagSeverity.RED, 1.0, 25, baseline=20.0)
    behind = Signal(SignalName.BEHIND_PLAN, FlagSeverity.AMBER, 30, 14)
    longer = Signal(SignalName.INACTIVITY, FlagSeverity.RED, 30, 14)

    ranked = sorted(
        [
            ([longer], 1),
            ([inactivity, drop], 2),
            ([inactivity, behind], 3),
            ([inactivity], 4),
            ([inactivity], 5),
        ],
        key=lambda each: risk_rank(*each),
        reverse=True,
    )

    # Two red signals, then a red and an amber, then the longest idle, then by id.
    assert [student_id for _signals, student_id in ranked] == [2, 3, 1, 4, 5]


def test_the_cut_allows_the_share_rounded_down():
    budgets = FlagBudgets(Budget(10, True), {7: Budget(50, True)})
    ranks = [[1, 1, days, -days] for days in range(14, 20)]

    cuts = red_cuts({1: ranks, 2: ranks[:1], 7: ranks}, {1: 29, 2: 10, 7: 6}, budgets)

    # 10 % of 29: two; 10 % of 10: one, as many as there are; 50 % of 6: three.
    assert cuts == {1: [1, 1, 18, -18], 7: [1, 1, 17, -17]}
    assert red_cuts({1: ranks}, {1: 9}, budgets) == {1: None}


def test_amber_signals_alone_are_not_shown_without_amber():
    amber = [Signal(SignalName.BEHIND_PLAN, FlagSeverity.AMBER, 30, 14)]
    budgets = FlagBudgets(Budget(10, False), {})

    shown = budget_signals(
        amber, rank=risk_rank(amber, 1), programme_id=1, cuts={}, budgets=budgets
    )

    assert shown == []


def test_the_settings_form_checks_the_share(admin_client):
    defaults = {
        name: FlagSettings._meta.get_field(name).get_default()
        for name in FlagSettingsForm._meta.fields
    }
    data = {name: "on" if value is True else value for name, value in defaults.items()}

    response = admin_client.post(
        "/admin/students/flagsettings/add/", {**data, "red_share_percent": "150"}
    )

    assert response.status_code == 200
    assert "red_share_percent" in response.context["adminform"].form.errors
    assert not FlagSettings.objects.exists()
    assert (
        admin_client.post(
            "/admin/students/flagsettings/add/", {**data, "red_share_percent": "15"}
        ).status_code
        == 302
    )
    assert FlagSettings.current().red_share_percent == 15


def test_staff_set_a_programme_budget_in_the_admin(admin_client):
    programme = programme_of(60)

    response = admin_client.post(
        "/admin/students/programmeflagbudget/add/",
        {"programme": programme.pk, "red_share_percent": "20", "amber_shown": "false"},
    )

    assert response.status_code == 302
    budget = ProgrammeFlagBudget.objects.get()
    assert (budget.programme, budget.red_share_percent, budget.amber_shown) == (
        programme,
        20,
        False,
    )


def test_the_command_tries_a_budget(school):
    out = StringIO()

    call_command(
        "backtest_flags",
        "--from",
        str(AS_OF),
        "--to",
        str(AS_OF),
        "--red-share",
        "20",
        "--no-amber",
        "--json",
        stdout=out,
    )

    rules = json.loads(out.getvalue())["groups"][0]["rules"]
    assert (rules["red"]["flagged"], rules["amber"]["flagged"]) == (4, 0)
    with pytest.raises(CommandError):
        call_command("backtest_flags", "--red-share", "101", stdout=StringIO())
