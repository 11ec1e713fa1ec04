"""The flagging run (``students.services``: flag_run_start, flag_chunk_evaluate, then
flag_run_cohort and flag_chunks_settle for the activity drops, flag_run_finish) and its
tasks: flags open, worsen, resolve; the job is idempotent; the mentor gets one digest
per run; recovery after outreach is judged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import Notification
from mentorship.tests.factories import AssignmentFactory, MentorFactory
from students.flag_runs import (
    flag_chunk_evaluate,
    flag_chunks_settle,
    flag_run_cohort,
    flag_run_finish,
    flag_run_start,
)
from students.flags import reengagement_rates
from students.models import (
    FlagOutreach,
    FlagRun,
    FlagRunChunk,
    FlagStatus,
    OutreachKind,
    RiskFlag,
)
from students.risk.signals import COHORT_MIN_STUDENTS
from students.tasks import flag_students

from .helpers_risk import AS_OF, active_on, at, enrolled_student, programme_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_flag_budget")]


def run_flagging(as_of=AS_OF, chunk_size=2000) -> FlagRun:
    run, chunks = flag_run_start(as_of=as_of, chunk_size=chunk_size)
    for index, student_ids in enumerate(chunks):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        flag_run_finish(run=run)
    if not chunks:
        flag_run_finish(run=run)
    run.refresh_from_db()
    return run


@pytest.fixture
def mentor():
    return MentorFactory()


@pytest.fixture
def programme():
    return programme_of(60, 60, 60)


def student_idle_since(programme, mentor, days: int, *, enrolled_days_ago: int = 30):
    """Active every day from their enrolment until ``days`` ago. Enrolled a month
    ago, their baseline is too short to judge a drop, and their plan is long enough
    that nothing is due: only inactivity can show."""
    student = enrolled_student(programme, started_days_ago=enrolled_days_ago, span_days=400)
    AssignmentFactory(student=student, mentor=mentor)
    active_on(student, range(days, enrolled_days_ago))
    return student


def flag_state(flag: RiskFlag) -> tuple:
    return (flag.status, flag.severity, flag.reasons, flag.opened_on, flag.clear_since)


def test_it_opens_one_flag_with_its_reasons(programme, mentor):
    student = student_idle_since(programme, mentor, 8)
    steady = student_idle_since(programme, mentor, 0)

    run = run_flagging()

    flag = RiskFlag.objects.get()
    assert flag.student == student
    assert (flag.status, flag.severity, flag.opened_on) == (FlagStatus.OPEN, "amber", AS_OF)
    assert flag.reasons == [
        {
            "signal": "inactivity",
            "severity": "amber",
            "observed": 8,
            "baseline": None,
            "threshold": 7,
            "project": "",
        }
    ]
    assert not RiskFlag.objects.filter(student=steady).exists()
    assert (run.status, run.students, run.opened, run.chunks) == ("finished", 2, 1, 1)


def test_it_writes_reasons_with_any_text_as_given(mentor):
    # New flags are written in bulk (``COPY`` on PostgreSQL): tabs, newlines,
    # backslashes, quotes and other scripts in a project's title survive it.
    title = 'Tab\there, new\nline, back\\slash, "quotes" and «ёжик» \\N'
    stalled = programme_of(10, 10)
    stalled.projects.filter(position=1).update(title=title)
    student = enrolled_student(stalled, started_days_ago=16)
    AssignmentFactory(student=student, mentor=mentor)
    active_on(student, range(16))

    run_flagging()

    (reason,) = RiskFlag.objects.get(student=student).reasons
    assert (reason["signal"], reason["project"], reason["observed"]) == (
        "stalled_project",
        title,
        16,
    )


def test_it_gives_every_signal_a_student_shows(programme, mentor):
    # Enrolled long enough for a baseline: idle for 8 of the last 14 days is also
    # a drop to 43 % of their usual activity.
    student_idle_since(programme, mentor, 8, enrolled_days_ago=90)

    run_flagging()

    flag = RiskFlag.objects.get()
    assert [
        (reason["signal"], reason["severity"], reason["observed"], reason["baseline"])
        for reason in flag.reasons
    ] == [("inactivity", "amber", 8, None), ("activity_drop", "amber", 9.0, 21.0)]


def test_it_changes_nothing_when_run_again_for_the_same_day(programme, mentor):
    for days in (8, 15, 0):
        student_idle_since(programme, mentor, days)
    run_flagging()
    before = [flag_state(flag) for flag in RiskFlag.objects.order_by("pk")]
    notifications = Notification.objects.count()

    again = run_flagging()

    assert [flag_state(flag) for flag in RiskFlag.objects.order_by("pk")] == before
    assert (again.opened, again.worsened, again.resolved) == (0, 0, 0)
    assert Notification.objects.count() == notifications


def test_it_raises_the_severity_when_signals_worsen(programme, mentor):
    student = student_idle_since(programme, mentor, 10)
    run_flagging()

    run = run_flagging(AS_OF + timedelta(days=5))  # 15 days idle: red

    flag = RiskFlag.objects.get(student=student)
    assert (flag.severity, flag.opened_on, flag.evaluated_on) == (
        "red",
        AS_OF,
        AS_OF + timedelta(days=5),
    )
    assert flag.worsened_at is not None
    assert run.worsened == 1


def test_it_resolves_a_flag_after_seven_clear_days(programme, mentor):
    student = student_idle_since(programme, mentor, 8)
    run_flagging()
    # Back at work from the next day on.
    active_on(student, range(-1, -12, -1))

    for day in range(1, 7):
        run_flagging(AS_OF + timedelta(days=day))
        flag = RiskFlag.objects.get(student=student)
        assert flag.status == FlagStatus.OPEN
        assert flag.clear_since == AS_OF + timedelta(days=1)

    run = run_flagging(AS_OF + timedelta(days=8))

    flag.refresh_from_db()
    assert (flag.status, flag.resolved_on) == (FlagStatus.RESOLVED, AS_OF + timedelta(days=8))
    assert run.resolved == 1


def test_it_keeps_a_flag_open_when_signals_return_before_it_resolves(programme, mentor):
    student = student_idle_since(programme, mentor, 8)
    run_flagging()
    active_on(student, [-1])  # one active day, then silence again
    run_flagging(AS_OF + timedelta(days=1))
    assert RiskFlag.objects.get().clear_since == AS_OF + timedelta(days=1)

    run_flagging(AS_OF + timedelta(days=8))  # idle 7 days again

    flag = RiskFlag.objects.get()
    assert (flag.status, flag.clear_since) == (FlagStatus.OPEN, None)


def test_it_never_goes_back_in_time(programme, mentor):
    student = student_idle_since(programme, mentor, 15)
    run_flagging()

    run_flagging(AS_OF - timedelta(days=10))  # idle 5 days back then

    flag = RiskFlag.objects.get(student=student)
    assert (flag.status, flag.evaluated_on, flag.severity) == (FlagStatus.OPEN, AS_OF, "red")


def test_it_sends_each_mentor_one_digest_per_run(programme, mentor):
    other_mentor = MentorFactory()
    for days in (8, 9, 10):
        student_idle_since(programme, mentor, days)
    student_idle_since(programme, other_mentor, 20)

    run = run_flagging(chunk_size=2)

    digests = Notification.objects.filter(kind="risk_flags")
    assert sorted(digest.user_id for digest in digests) == sorted([mentor.pk, other_mentor.pk])
    assert "3" in digests.get(user=mentor).title
    assert run.mentors_notified == 2
    assert not RiskFlag.objects.filter(notified_at__isnull=True).exists()


def test_it_tells_the_mentor_again_only_when_a_flag_worsens(programme, mentor):
    student_idle_since(programme, mentor, 10)
    run_flagging()
    run_flagging(AS_OF + timedelta(days=1))  # still amber
    assert Notification.objects.filter(kind="risk_flags").count() == 1

    run_flagging(AS_OF + timedelta(days=4))  # red

    assert Notification.objects.filter(kind="risk_flags").count() == 2


def test_it_does_nothing_again_for_a_chunk_retried_after_it_committed(programme, mentor):
    for days in (8, 9):
        student_idle_since(programme, mentor, days)
    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=1)
    first = flag_chunk_evaluate(run=run, index=0, student_ids=chunks[0])

    again = flag_chunk_evaluate(run=run, index=0, student_ids=chunks[0])

    assert again.pk == first.pk
    assert FlagRunChunk.objects.filter(run=run).count() == 1
    assert not flag_run_finish(run=run)  # chunk 1 is still to come
    flag_chunk_evaluate(run=run, index=1, student_ids=chunks[1])
    assert flag_run_finish(run=run)
    run.refresh_from_db()
    assert (run.status, run.opened) == ("finished", 2)
    assert not flag_run_finish(run=run)  # finishing twice sends nothing twice


def student_slowing(programme, mentor, *, recent_days):
    """Enrolled 80 days ago and active every day since (three events a day until two
    weeks ago, one a day on ``recent_days`` of the last two weeks): at worst a drop.
    """
    student = enrolled_student(programme, started_days_ago=80, span_days=400)
    AssignmentFactory(student=student, mentor=mentor)
    active_on(student, range(14, 80), events=3)
    active_on(student, recent_days, events=1)
    return student


def test_it_judges_a_drop_in_a_second_round_once_every_chunk_is_read(programme, mentor):
    slowing = student_slowing(programme, mentor, recent_days=range(14))
    student_idle_since(programme, mentor, 0)  # steady
    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=1)

    first = flag_chunk_evaluate(run=run, index=0, student_ids=chunks[0])
    # The drop waits for the programme's activity; the chunk keeps what it needs.
    assert not RiskFlag.objects.exists()
    assert first.settled_at is None
    assert first.pending == {
        str(slowing.pk): {
            "programme": programme.pk,
            "recent": 14,
            "baseline": 126,
            "groups": [f"p{programme.pk}"],
            "measure": "",
            "idle": None,
            "idle_groups": [],
            "reasons": [],
        }
    }
    assert flag_run_cohort(run=run) is None  # chunk 1 is still to come
    second = flag_chunk_evaluate(run=run, index=1, student_ids=chunks[1])
    assert (second.pending, second.settled_at is not None) == ({}, True)  # nothing waits

    assert flag_run_cohort(run=run) == [0]
    (settled,) = flag_chunks_settle(run=run, indexes=[0])
    (again,) = flag_chunks_settle(run=run, indexes=[0])

    flag = RiskFlag.objects.get()
    assert flag.student_id == slowing.pk
    assert [(r["signal"], r["severity"], r["observed"], r["baseline"]) for r in flag.reasons] == [
        ("activity_drop", "amber", 7.0, 21.0)
    ]
    assert (settled.opened, again.opened, again.settled_at) == (1, 1, settled.settled_at)
    assert again.pending == {}  # judged: nothing kept
    assert flag_run_cohort(run=run) == []
    assert flag_run_finish(run=run)
    run.refresh_from_db()
    assert (run.status, run.opened, run.cohort) == ("finished", 1, {})


def test_it_flags_no_drop_in_a_fortnight_quiet_for_the_whole_programme(programme, mentor):
    """Every student at a third of their usual: against their own baseline alone each
    would be flagged; the programme's activity, summed over every chunk, excuses it.
    One student, idle for nine days as well, fell further than the programme: the
    drop stays, measured against the programme's 31 %, and so does the inactivity."""
    students = [
        student_slowing(programme, mentor, recent_days=range(14))
        for _ in range(COHORT_MIN_STUDENTS)
    ]
    idle = students[-1]
    idle.daily_activity.filter(day__gt=AS_OF - timedelta(days=9)).delete()

    run = run_flagging(chunk_size=3)

    assert (run.status, run.chunks) == ("finished", 4)
    assert set(run.cohort) == {f"p{programme.pk}"}
    flag = RiskFlag.objects.get()
    assert flag.student_id == idle.pk
    assert [
        (reason["signal"], reason["severity"], reason["observed"], reason.get("cohort"))
        for reason in flag.reasons
    ] == [("inactivity", "amber", 9, None), ("activity_drop", "amber", 2.5, 31)]


@pytest.mark.parametrize(("active_after", "recovered"), [(True, True), (False, False)])
def test_it_judges_recovery_fourteen_days_after_the_first_outreach(
    programme, mentor, active_after, recovered
):
    student = student_idle_since(programme, mentor, 9)
    run_flagging()
    flag = RiskFlag.objects.get()
    first_outreach = at(-1)  # the day after the as-of day
    FlagOutreach.objects.create(
        flag=flag, mentor=mentor, kind=OutreachKind.CALL, at=first_outreach
    )
    RiskFlag.objects.filter(pk=flag.pk).update(first_outreach_at=first_outreach)
    if active_after:
        active_on(student, range(-2, -16, -1))

    run_flagging(AS_OF + timedelta(days=14))
    flag.refresh_from_db()
    assert flag.recovered is None  # the window is not over yet

    run_flagging(AS_OF + timedelta(days=16))

    flag.refresh_from_db()
    assert flag.recovered is recovered
    assert flag.recovery_checked_on == AS_OF + timedelta(days=15)


def test_the_task_fans_out_in_chunks_and_finishes_the_run(programme, mentor, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for days in (8, 20, 0):
        student_idle_since(programme, mentor, days)

    run_id = flag_students.delay(as_of=AS_OF.isoformat()).get()

    run = FlagRun.objects.get(pk=run_id)
    assert (run.status, run.chunks, run.opened) == ("finished", 1, 2)
    assert RiskFlag.objects.filter(status=FlagStatus.OPEN).count() == 2
    assert run.finished_at <= timezone.now()


def test_it_gives_each_mentor_their_re_engagement_rate(
    programme, mentor, django_assert_num_queries
):
    other_mentor = MentorFactory()
    silent_mentor = MentorFactory()
    outcomes = [(mentor, True), (mentor, True), (mentor, False), (other_mentor, False)]
    for index, (who, recovered) in enumerate(outcomes):
        student = student_idle_since(programme, who, 8 + index)
        flag = RiskFlag.objects.create(
            student=student,
            severity="amber",
            opened_on=AS_OF,
            evaluated_on=AS_OF,
            recovered=recovered,
            first_outreach_at=at(0),
        )
        FlagOutreach.objects.create(flag=flag, mentor=who, kind=OutreachKind.MESSAGE, at=at(0))
    unjudged = RiskFlag.objects.create(
        student=student_idle_since(programme, mentor, 20),
        severity="red",
        opened_on=AS_OF,
        evaluated_on=AS_OF,
    )
    FlagOutreach.objects.create(flag=unjudged, mentor=mentor, kind=OutreachKind.CALL, at=at(0))

    with django_assert_num_queries(1):
        rates = reengagement_rates(mentor_ids=[mentor.pk, other_mentor.pk, silent_mentor.pk])

    assert rates == {
        mentor.pk: {"judged": 3, "recovered": 2, "rate": 2 / 3},
        other_mentor.pk: {"judged": 1, "recovered": 0, "rate": 0.0},
        silent_mentor.pk: {"judged": 0, "recovered": 0, "rate": None},
    }
