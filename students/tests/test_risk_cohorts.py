"""The at-risk signals for how schools work: a cohort's fixed and parallel deadlines,
a skipped assessment missed rather than behind for good, the end of a course, work
waiting for review, a retake, and a week quiet for the whole cohort."""

from datetime import timedelta

import pytest

from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.models import Cohort, CohortDeadline, Enrolment, EnrolmentStatus, Verdict
from projects.tests.factories import EnrolmentFactory, SubmissionFactory
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.flags import Reason
from students.models import FlagSettings, RiskFlag
from students.risk.judgement import risk_judgement, risk_signals
from students.risk.signals import (
    COHORT_MIN_STUDENTS,
    SignalName,
    cohort_activity_add,
    cohort_ratios,
)

from .helpers_risk import (
    AS_OF,
    active_on,
    approved,
    at,
    enrolled_student,
    programme_of,
    project,
    reviewed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds():
    return FlagSettings.current()


@pytest.fixture
def programme():
    return programme_of(20, 20, 20)


def cohort_of(programme, *, started_days_ago: int, ends_in: int, due_days_ago: list[int]):
    """A cohort whose projects are due these many days before the as-of day (in the
    programme's order; negative: after it)."""
    cohort = Cohort.objects.create(
        programme=programme,
        title="Spring",
        starts_on=AS_OF - timedelta(days=started_days_ago),
        ends_on=AS_OF + timedelta(days=ends_in),
    )
    for position, days_ago in enumerate(due_days_ago, start=1):
        CohortDeadline.objects.create(
            cohort=cohort,
            project=project(programme, position),
            due_on=AS_OF - timedelta(days=days_ago),
        )
    return cohort


def in_cohort(cohort, **fields):
    student = StudentFactory(**fields)
    EnrolmentFactory(
        student=student,
        programme=cohort.programme,
        cohort=cohort,
        started_on=cohort.starts_on,
        target_end_on=cohort.ends_on,
    )
    return student


def handed_in(student, programme, position: int, *, days_before: int):
    """A submission waiting for review."""
    return SubmissionFactory(
        student=student, project=project(programme, position), submitted_at=at(days_before)
    )


def signals_of(student, thresholds, *, as_of=AS_OF) -> dict[str, tuple]:
    found = risk_signals(student_ids=[student.pk], as_of=as_of, thresholds=thresholds)
    return {
        signal.name: (signal.severity, signal.observed) for signal in found.get(student.pk, [])
    }


def test_projects_due_in_parallel_are_judged_each_against_its_date(programme, thresholds):
    # The first two were due together 20 days ago, the third is due in 10 days.
    cohort = cohort_of(programme, started_days_ago=60, ends_in=20, due_days_ago=[20, 20, -10])
    both = in_cohort(cohort)
    one = in_cohort(cohort)
    for student in (both, one):
        active_on(student, range(30))
    handed_in(both, programme, 1, days_before=22)
    handed_in(both, programme, 2, days_before=21)
    approved(one, project(programme, 2), days_before=21)

    assert SignalName.BEHIND_PLAN not in signals_of(both, thresholds)
    # The first one's deadline passed 20 days ago, and the third's is still ahead.
    assert signals_of(one, thresholds)[SignalName.BEHIND_PLAN] == ("amber", 20)


def test_a_skipped_assessment_is_missed_not_behind_for_good(programme, thresholds):
    # The first was due 40 days ago, the second 20 days ago, the third in 10 days.
    cohort = cohort_of(programme, started_days_ago=60, ends_in=20, due_days_ago=[40, 20, -10])
    skipped_first = in_cohort(cohort)
    active_on(skipped_first, range(45))
    handed_in(skipped_first, programme, 2, days_before=21)

    # On the student's own pace this would be 40 days behind plan, and stay so until
    # the first project is approved; in the cohort it is missed and nothing is late.
    assert SignalName.BEHIND_PLAN not in signals_of(skipped_first, thresholds)
    assert signals_of(skipped_first, thresholds, as_of=AS_OF - timedelta(days=25)) == {
        SignalName.BEHIND_PLAN: ("amber", 15)
    }


def test_a_cohort_does_not_stall_a_project_on_its_target_duration(thresholds):
    programme = programme_of(0, 5, 5)
    cohort = cohort_of(programme, started_days_ago=30, ends_in=60, due_days_ago=[-20, -40, -60])
    student = in_cohort(cohort)
    active_on(student, range(30))

    assert signals_of(student, thresholds) == {}


def test_after_the_last_deadline_a_quiet_student_is_not_inactive(programme, thresholds):
    cohort = cohort_of(programme, started_days_ago=120, ends_in=10, due_days_ago=[80, 50, 20])
    finished = in_cohort(cohort)
    active_on(finished, range(21, 100))  # worked until the last deadline, then stopped
    for position, days in ((1, 81), (2, 51), (3, 21)):
        handed_in(finished, programme, position, days_before=days)
    skipped_the_last = in_cohort(cohort)
    active_on(skipped_the_last, range(21, 100))
    for position, days in ((1, 81), (2, 51)):
        handed_in(skipped_the_last, programme, position, days_before=days)

    assert signals_of(finished, thresholds) == {}
    # The cohort's work is over for the one who skipped the last project as well: it
    # is late until the cohort ends, and silence is no sign of risk.
    assert signals_of(skipped_the_last, thresholds) == {SignalName.BEHIND_PLAN: ("amber", 20)}
    # Before the last deadline, silence is inactivity: one who stopped 41 days ago.
    gone = in_cohort(cohort)
    active_on(gone, range(41, 100))
    handed_in(gone, programme, 1, days_before=81)
    assert signals_of(gone, thresholds, as_of=AS_OF - timedelta(days=25))[
        SignalName.INACTIVITY
    ] == ("red", 16)
    assert SignalName.INACTIVITY not in signals_of(gone, thresholds)


def test_a_student_whose_work_all_waits_for_review_is_not_inactive(thresholds):
    programme = programme_of(20, 20)
    waiting = enrolled_student(programme, started_days_ago=60)
    stopped = enrolled_student(programme, started_days_ago=60)
    for student in (waiting, stopped):
        active_on(student, range(30, 60))
        approved(student, project(programme, 1), days_before=45)
    handed_in(waiting, programme, 2, days_before=31)
    # The other's second attempt was sent back: the next move is the student's.
    reviewed(stopped, project(programme, 2), Verdict.CHANGES_REQUESTED, days_before=31)

    assert SignalName.INACTIVITY not in signals_of(waiting, thresholds)
    assert signals_of(stopped, thresholds)[SignalName.INACTIVITY] == ("red", 30)


def test_a_retake_is_judged_on_the_enrolment_in_force(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=200)
    student.enrolments.update(status=EnrolmentStatus.WITHDRAWN)
    cohort = cohort_of(programme, started_days_ago=30, ends_in=60, due_days_ago=[5, -20, -40])
    EnrolmentFactory(
        student=student,
        programme=programme,
        cohort=cohort,
        started_on=cohort.starts_on,
        target_end_on=cohort.ends_on,
    )
    active_on(student, range(-10, 20))

    # Not 200 days behind on the old plan: 5 days late on the cohort's first deadline,
    # within the threshold.
    assert signals_of(student, thresholds) == {}
    assert signals_of(student, thresholds, as_of=AS_OF + timedelta(days=10)) == {
        SignalName.BEHIND_PLAN: ("amber", 15)
    }


# --- Peers: the same run of the programme -------------------------------------------


def judged_with_peers(student_ids: list[int], thresholds) -> dict[int, dict[str, tuple]]:
    """Every student's signals as the nightly run judges them: the peer groups'
    activity summed over the chunks (here, two), then the waiting signals resolved."""
    half = len(student_ids) // 2
    activity: dict[str, list[int]] = {}
    judgements = [
        risk_judgement(student_ids=part, as_of=AS_OF, thresholds=thresholds)
        for part in (student_ids[:half], student_ids[half:])
    ]
    for judgement in judgements:
        cohort_activity_add(activity, judgement.activity)
    ratios = cohort_ratios(activity, thresholds)
    found = {}
    for judgement in judgements:
        for student_id, signals in judgement.resolve(cohort=ratios, thresholds=thresholds).items():
            found[student_id] = {signal.name: signal for signal in signals}
    return found


def test_a_fortnight_quiet_for_the_whole_cohort_is_not_held_against_anyone(programme, thresholds):
    """A cohort's break: every student stopped 14 days ago, after a month of daily
    work. Judged alone, each is red for inactivity; against the cohort, no one is,
    and one who stopped 25 days ago, long before the break, is still flagged (amber,
    the break's days not counted) with the cohort's quiet in the reason."""
    cohort = cohort_of(programme, started_days_ago=90, ends_in=60, due_days_ago=[-5, -30, -55])
    on_break = []
    for _ in range(COHORT_MIN_STUDENTS):
        student = in_cohort(cohort)
        active_on(student, range(14, 60))
        on_break.append(student)
    gone_earlier = in_cohort(cohort)
    active_on(gone_earlier, range(25, 60))
    ids = sorted(student.pk for student in [*on_break, gone_earlier])

    alone = risk_signals(student_ids=ids, as_of=AS_OF, thresholds=thresholds)
    with_peers = judged_with_peers(ids, thresholds)

    assert {signals[0].name for signals in alone.values()} == {SignalName.INACTIVITY}
    assert len(alone) == COHORT_MIN_STUDENTS + 1
    assert set(with_peers) == {gone_earlier.pk}
    inactivity = with_peers[gone_earlier.pk][SignalName.INACTIVITY]
    window = thresholds.drop_window_days
    assert (inactivity.severity, inactivity.observed, inactivity.threshold, inactivity.cohort) == (
        "amber",
        25,
        thresholds.inactivity_amber_days + window,
        0,
    )
    sentence = Reason.from_stored(inactivity.as_reason()).sentence
    assert "Their cohort was quiet too (0 % of its usual activity), so those" in sentence


def test_the_cohorts_quiet_excuses_only_its_own_students(programme, thresholds):
    """Peers are the same run's students: a busy cohort excuses no one, and a quiet
    cohort does not excuse a student of the same programme on their own pace."""
    quiet = cohort_of(programme, started_days_ago=90, ends_in=60, due_days_ago=[-5, -30, -55])
    busy = cohort_of(programme, started_days_ago=90, ends_in=60, due_days_ago=[-5, -30, -55])
    for _ in range(COHORT_MIN_STUDENTS):
        active_on(in_cohort(quiet), range(14, 60))
        active_on(in_cohort(busy), range(60))
    idle_in_busy = in_cohort(busy)
    active_on(idle_in_busy, range(14, 60))
    own_pace = enrolled_student(programme, started_days_ago=90)
    active_on(own_pace, range(14, 60))
    ids = sorted(
        Enrolment.objects.filter(programme=programme).values_list("student_id", flat=True)
    )

    with_peers = judged_with_peers(ids, thresholds)

    assert set(with_peers) == {idle_in_busy.pk, own_pace.pk}
    for student in (idle_in_busy, own_pace):
        inactivity = with_peers[student.pk][SignalName.INACTIVITY]
        assert (inactivity.severity, inactivity.observed, inactivity.cohort) == ("red", 14, None)


@pytest.mark.usefixtures("no_flag_budget")
def test_the_nightly_run_judges_a_cohorts_inactivity_once_every_chunk_is_read(
    programme, thresholds
):
    cohort = cohort_of(programme, started_days_ago=90, ends_in=60, due_days_ago=[-5, -30, -55])
    mentor = MentorFactory()
    students = []
    for _ in range(COHORT_MIN_STUDENTS):
        student = in_cohort(cohort)
        AssignmentFactory(student=student, mentor=mentor)
        active_on(student, range(14, 60))
        students.append(student)
    gone_earlier = in_cohort(cohort)
    AssignmentFactory(student=gone_earlier, mentor=mentor)
    active_on(gone_earlier, range(30, 60))

    run, chunks = flag_run_start(as_of=AS_OF, chunk_size=4)
    first = flag_chunk_evaluate(run=run, index=0, student_ids=chunks[0])
    # The cohort's students wait for the cohort's activity, their days idle kept.
    assert {entry["idle"] for entry in first.pending.values()} == {14}
    assert not RiskFlag.objects.exists()
    for index, student_ids in enumerate(chunks[1:], start=1):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
    flag_run_finish(run=run)

    [flag] = RiskFlag.objects.all()
    assert flag.student == gone_earlier
    assert (flag.severity, flag.reasons[0]["observed"], flag.reasons[0]["cohort"]) == (
        "red",
        30,
        0,
    )


def test_a_withdrawal_is_judged_up_to_its_day_in_a_replay(thresholds):
    """Withdrawn from one programme on a known day, still studying another: the
    replay judges the first up to that day and not after, whenever it was recorded."""
    late = programme_of(20)  # its only project 40 days late on the as-of day
    other = programme_of(200)
    student = enrolled_student(late, started_days_ago=60)
    EnrolmentFactory(
        student=student,
        programme=other,
        started_on=AS_OF - timedelta(days=60),
        target_end_on=AS_OF + timedelta(days=200),
    )
    active_on(student, range(60))
    student.enrolments.filter(programme=late).update(
        status=EnrolmentStatus.WITHDRAWN, ended_on=AS_OF - timedelta(days=10)
    )

    def replayed(as_of):
        judged = risk_judgement(
            student_ids=[student.pk], as_of=as_of, thresholds=thresholds, replay=True
        )
        return {
            signal.name
            for signal in judged.resolve(cohort={}, thresholds=thresholds).get(student.pk, [])
        }, judged.programmes[student.pk]

    assert replayed(AS_OF - timedelta(days=11)) == (
        {SignalName.BEHIND_PLAN, SignalName.STALLED_PROJECT},
        (late.pk, other.pk),
    )
    assert replayed(AS_OF) == (set(), (other.pk,))
