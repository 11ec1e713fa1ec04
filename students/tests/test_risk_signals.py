"""The at-risk signals (``students.selectors.risk_signals``) on built histories: each
signal on both sides of its threshold, time zones, and data after the as-of day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.activity import activity_ingest
from mentorship.models import StudentStatus
from mentorship.services import student_status_set
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.models import Verdict
from projects.services import review_submit
from projects.tests.factories import EnrolmentFactory
from projects.tests.helpers_curriculum import attempt_waiting, curriculum_create
from students.models import FlagSettings
from students.risk.judgement import flaggable_student_ids, risk_judgement, risk_signals
from students.risk.signals import (
    COHORT_MIN_STUDENTS,
    SignalName,
    cohort_activity_add,
    cohort_ratios,
)

from .helpers_risk import (
    AS_OF,
    NO_SHOW,
    active_on,
    approved,
    at,
    enrolled_student,
    programme_of,
    project,
    reviewed,
    session,
    steady,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds():
    return FlagSettings.current()


@pytest.fixture
def programme():
    # Long projects, so that only the signal a test builds shows.
    return programme_of(60, 60, 60)


def signals_of(student, thresholds, *, as_of=AS_OF) -> dict[str, tuple]:
    found = risk_signals(student_ids=[student.pk], as_of=as_of, thresholds=thresholds)
    return {
        signal.name: (signal.severity, signal.observed, signal.baseline, signal.threshold)
        for signal in found.get(student.pk, [])
    }


# --- Inactivity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("idle_days", "expected"),
    [
        (0, None),
        (6, None),
        (7, ("amber", 7, None, 7)),
        (13, ("amber", 13, None, 7)),
        (14, ("red", 14, None, 14)),
        (30, ("red", 30, None, 14)),
    ],
)
def test_it_counts_days_since_the_last_activity(programme, thresholds, idle_days, expected):
    student = enrolled_student(programme, started_days_ago=40)
    active_on(student, [idle_days, idle_days + 1])

    assert signals_of(student, thresholds).get(SignalName.INACTIVITY) == expected


def test_it_counts_a_student_who_never_did_anything_from_their_enrolment(programme, thresholds):
    new = enrolled_student(programme, started_days_ago=3)
    silent = enrolled_student(programme, started_days_ago=10)

    assert SignalName.INACTIVITY not in signals_of(new, thresholds)
    assert signals_of(silent, thresholds)[SignalName.INACTIVITY] == ("amber", 10, None, 7)


def test_it_judges_inactivity_on_the_students_own_calendar(programme, thresholds):
    """The same instant, 23:30 UTC seven days before the as-of day, is already the
    next day in Moscow and still that day in New York."""
    moscow = enrolled_student(programme, started_days_ago=40, time_zone="Europe/Moscow")
    new_york = enrolled_student(programme, started_days_ago=40, time_zone="America/New_York")
    moment = at(7, hour=23).replace(minute=30).isoformat()
    result = activity_ingest(
        source="platform",
        items=[
            {"student_email": student.email, "kind": "lesson_viewed", "occurred_at": moment}
            for student in (moscow, new_york)
        ],
    )
    assert result.accepted == 2

    assert SignalName.INACTIVITY not in signals_of(moscow, thresholds)
    assert signals_of(new_york, thresholds)[SignalName.INACTIVITY][:2] == ("amber", 7)


def test_it_ignores_activity_after_the_as_of_day(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=40)
    active_on(student, [20])
    active_on(student, [-1, -2])  # after the as-of day

    assert signals_of(student, thresholds)[SignalName.INACTIVITY][:2] == ("red", 20)


# --- Activity drop --------------------------------------------------------------------


def baseline_and_recent(student, *, baseline_per_day: int, recent_days: list[int], recent=1):
    """Active every day of the 42-day baseline (days 14 to 55 before), and on
    ``recent_days`` of the last 14 days."""
    active_on(student, range(14, 56), baseline_per_day)
    active_on(student, recent_days, recent)


def test_it_flags_a_drop_against_the_students_own_baseline(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=80)
    # Baseline 21 events a week; the last 14 days, 7 a week: a third of usual.
    baseline_and_recent(student, baseline_per_day=3, recent_days=range(14))

    assert signals_of(student, thresholds)[SignalName.ACTIVITY_DROP] == ("amber", 7.0, 21.0, 50)


def test_it_calls_a_deep_drop_red(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=80)
    baseline_and_recent(student, baseline_per_day=4, recent_days=[0, 3, 6])  # 3 of 56

    severity, observed, baseline, threshold = signals_of(student, thresholds)[
        SignalName.ACTIVITY_DROP
    ]
    assert (severity, observed, baseline, threshold) == ("red", 1.5, 28.0, 25)


def test_it_does_not_flag_activity_exactly_at_half_the_baseline(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=80)
    # Baseline 2 a day; the last 14 days, 1 a day: exactly 50 %.
    baseline_and_recent(student, baseline_per_day=2, recent_days=range(14))

    assert SignalName.ACTIVITY_DROP not in signals_of(student, thresholds)


def test_it_needs_a_meaningful_baseline(programme, thresholds):
    sparse = enrolled_student(programme, started_days_ago=80)
    active_on(sparse, [20, 30, 40, 50, 55], events=10)  # five active days: too few
    newcomer = enrolled_student(programme, started_days_ago=30)  # no full baseline yet
    active_on(newcomer, range(14, 30), events=5)

    assert SignalName.ACTIVITY_DROP not in signals_of(sparse, thresholds)
    assert SignalName.ACTIVITY_DROP not in signals_of(newcomer, thresholds)


# --- Project signals ------------------------------------------------------------------


def test_it_flags_a_project_open_too_long_with_nothing_submitted(thresholds):
    programme = programme_of(14, 14)
    stalled = enrolled_student(programme, started_days_ago=22, span_days=200)
    just_in_time = enrolled_student(programme, started_days_ago=21, span_days=200)
    submitted = enrolled_student(programme, started_days_ago=30, span_days=200)
    reviewed(submitted, project(programme, 1), Verdict.CHANGES_REQUESTED, days_before=5)
    for student in (stalled, just_in_time, submitted):
        steady(student)

    assert signals_of(stalled, thresholds)[SignalName.STALLED_PROJECT] == ("amber", 22, 14, 21.0)
    assert SignalName.STALLED_PROJECT not in signals_of(just_in_time, thresholds)
    assert SignalName.STALLED_PROJECT not in signals_of(submitted, thresholds)


def test_it_does_not_call_a_project_without_a_target_duration_stalled(thresholds):
    # An optional or open-ended project (target 0 days) sets no pace: it was "stalled"
    # the day it opened.
    programme = programme_of(0, 14)
    student = enrolled_student(programme, started_days_ago=3, span_days=200)
    steady(student)

    assert SignalName.STALLED_PROJECT not in signals_of(student, thresholds)


def test_it_counts_the_next_project_open_from_the_approval_of_the_previous(thresholds):
    programme = programme_of(10, 10)
    student = enrolled_student(programme, started_days_ago=60, span_days=200)
    approved(student, project(programme, 1), days_before=16)
    steady(student)

    found = risk_signals(student_ids=[student.pk], as_of=AS_OF, thresholds=thresholds)
    (stalled,) = [s for s in found[student.pk] if s.name == SignalName.STALLED_PROJECT]
    assert (stalled.observed, stalled.threshold) == (16, 15.0)
    assert stalled.project == project(programme, 2).title


def test_it_flags_a_student_more_than_two_weeks_behind_plan(thresholds):
    programme = programme_of(14, 14, 14)
    # Planned over 42 days: the first project fell due 15 and 14 days before the as-of day.
    late = enrolled_student(programme, started_days_ago=29)
    on_the_edge = enrolled_student(programme, started_days_ago=28)
    for student in (late, on_the_edge):
        steady(student)
        reviewed(student, project(programme, 1), Verdict.CHANGES_REQUESTED, days_before=2)

    assert signals_of(late, thresholds)[SignalName.BEHIND_PLAN] == ("amber", 15, None, 14)
    assert SignalName.BEHIND_PLAN not in signals_of(on_the_edge, thresholds)


def test_it_judges_a_student_who_skipped_ahead_by_the_number_of_projects_approved(thresholds):
    programme = programme_of(14, 14, 14)
    # Planned over 42 days, day 35: two projects were due (days 14 and 28).
    skipped = enrolled_student(programme, started_days_ago=35)
    steady(skipped)
    approved(skipped, project(programme, 2), days_before=20)
    approved(skipped, project(programme, 3), days_before=5)
    # Only one approved: behind since the second fell due, 7 days ago; a week later,
    # 14 days: not more than the threshold yet; the day after, 15.
    one = enrolled_student(programme, started_days_ago=35)
    steady(one)
    approved(one, project(programme, 3), days_before=5)

    assert SignalName.BEHIND_PLAN not in signals_of(skipped, thresholds)
    assert SignalName.BEHIND_PLAN not in signals_of(
        one, thresholds, as_of=AS_OF + timedelta(days=7)
    )
    assert signals_of(one, thresholds, as_of=AS_OF + timedelta(days=8))[
        SignalName.BEHIND_PLAN
    ] == ("amber", 15, None, 14)


def test_it_judges_the_plan_from_approvals_made_by_the_as_of_day(thresholds):
    programme = programme_of(14, 14, 14)
    student = enrolled_student(programme, started_days_ago=30)
    steady(student)
    approved(student, project(programme, 1), days_before=-3)  # approved after the day

    assert SignalName.BEHIND_PLAN in signals_of(student, thresholds)
    assert SignalName.BEHIND_PLAN not in signals_of(
        student, thresholds, as_of=AS_OF + timedelta(days=3)
    )


def test_it_flags_a_student_struggling_with_one_project(thresholds):
    programme = programme_of(60, 60)
    struggling = enrolled_student(programme, started_days_ago=50)
    recovered = enrolled_student(programme, started_days_ago=50)
    for student in (struggling, recovered):
        steady(student)
        for attempt, days in enumerate((20, 15, 10), start=1):
            reviewed(
                student,
                project(programme, 1),
                Verdict.CHANGES_REQUESTED,
                days_before=days,
                attempt=attempt,
            )
    reviewed(recovered, project(programme, 1), Verdict.APPROVED, days_before=5, attempt=4)

    assert signals_of(struggling, thresholds)[SignalName.STRUGGLING] == ("amber", 3, None, 3)
    assert SignalName.STRUGGLING not in signals_of(recovered, thresholds)


# --- Missed sessions ------------------------------------------------------------------


def test_it_flags_two_no_shows_within_thirty_days(programme, thresholds):
    mentor = MentorFactory()
    flagged = enrolled_student(programme, started_days_ago=60)
    older = enrolled_student(programme, started_days_ago=60)
    for student in (flagged, older):
        AssignmentFactory(student=student, mentor=mentor)
        steady(student)
        session(student, mentor, NO_SHOW, days_before=3)
    session(flagged, mentor, NO_SHOW, days_before=29)
    session(older, mentor, NO_SHOW, days_before=31)

    assert signals_of(flagged, thresholds)[SignalName.MISSED_SESSIONS] == ("amber", 2, None, 2)
    assert SignalName.MISSED_SESSIONS not in signals_of(older, thresholds)


# --- Who is judged, and at what cost --------------------------------------------------


def test_it_never_judges_paused_graduated_or_dropped_students(programme):
    active = enrolled_student(programme, started_days_ago=40)
    others = []
    for status in (StudentStatus.PAUSED, StudentStatus.GRADUATED, StudentStatus.DROPPED):
        student = enrolled_student(programme, started_days_ago=40)
        student_status_set(
            profile=student.student_profile,
            status=status,
            effective_on=AS_OF - timedelta(days=10),
        )
        others.append(student)

    assert list(flaggable_student_ids(as_of=AS_OF)) == [active.pk]
    # Before they stopped, they were active students like any other.
    assert set(flaggable_student_ids(as_of=AS_OF - timedelta(days=11))) == {
        active.pk,
        *(student.pk for student in others),
    }


def test_it_judges_a_student_by_the_status_they_had_on_the_day(programme):
    """Paused from 20 days before to 5 days before, recorded only now: judged before
    and after the pause, not during it."""
    student = enrolled_student(programme, started_days_ago=40)
    for status, days_before in ((StudentStatus.PAUSED, 20), (StudentStatus.ACTIVE, 5)):
        student_status_set(
            profile=student.student_profile,
            status=status,
            effective_on=AS_OF - timedelta(days=days_before),
        )

    judged = {
        days_before: student.pk in flaggable_student_ids(as_of=AS_OF - timedelta(days=days_before))
        for days_before in (21, 20, 10, 6, 5, 0)
    }

    assert judged == {21: True, 20: False, 10: False, 6: False, 5: True, 0: True}


def test_it_finds_the_students_judged_in_one_query(programme, django_assert_num_queries):
    for _ in range(3):
        student = enrolled_student(programme, started_days_ago=40)
        student_status_set(
            profile=student.student_profile,
            status=StudentStatus.PAUSED,
            effective_on=AS_OF - timedelta(days=3),
        )

    with django_assert_num_queries(1):
        assert len(list(flaggable_student_ids(as_of=AS_OF - timedelta(days=4)))) == 3


def test_it_still_judges_a_student_who_finished_one_of_two_programmes(mentor):
    """Approving the last project of one programme completes that enrolment only: the
    student studies the other and is judged on it; once it too is finished, they have
    graduated and are judged no more."""
    student = StudentFactory()
    AssignmentFactory(student=student, mentor=mentor)
    first, second = (curriculum_create(projects=1, criteria=0) for _ in range(2))
    for curriculum in (first, second):
        EnrolmentFactory(student=student, programme=curriculum.programme)
    today = timezone.localdate()

    review_submit(
        submission=attempt_waiting(student=student, project=first.first),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        feedback="Done",
        criteria={},
    )

    assert list(flaggable_student_ids(as_of=today)) == [student.pk]

    review_submit(
        submission=attempt_waiting(student=student, project=second.first),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        feedback="Done",
        criteria={},
    )

    assert list(flaggable_student_ids(as_of=today)) == []


def test_it_judges_only_students_with_an_enrolment_begun_by_the_day(programme):
    enrolled_student(programme, started_days_ago=-2)  # starts in two days

    assert list(flaggable_student_ids(as_of=AS_OF)) == []


def test_it_leaves_out_students_without_signals(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=40)
    steady(student)

    assert risk_signals(student_ids=[student.pk], as_of=AS_OF, thresholds=thresholds) == {}


@pytest.mark.parametrize("size", [3, 30])
def test_it_runs_four_queries_whatever_the_number_of_students(
    size, thresholds, django_assert_num_queries
):
    programme = programme_of(14, 14, 14)
    mentor = MentorFactory()
    students = []
    for index in range(size):
        student = enrolled_student(programme, started_days_ago=40 + index)
        AssignmentFactory(student=student, mentor=mentor)
        active_on(student, range(index % 20, 60, 3))
        reviewed(student, project(programme, 1), Verdict.CHANGES_REQUESTED, days_before=5)
        session(student, mentor, NO_SHOW, days_before=4)
        students.append(student.pk)

    silent = enrolled_student(programme, started_days_ago=120)
    active_on(silent, [90])  # nothing in the 56 days of the activity windows
    students.append(silent.pk)

    # A row per enrolment (where the student stands in the plan, and the activity
    # windows), the programmes' projects, the older history of the one silent
    # student, and the rounds of changes requested with the no-shows.
    with django_assert_num_queries(4):
        risk_signals(student_ids=students, as_of=AS_OF, thresholds=thresholds)


# --- Against peers --------------------------------------------------------------------


def cohort_of(student_ids: list[int], thresholds) -> dict[int, float]:
    """The programmes' activity among these students, as a run sums it from its
    chunks (here, two)."""
    half = len(student_ids) // 2
    activity: dict[int, list[int]] = {}
    for part in (student_ids[:half], student_ids[half:]):
        judgement = risk_judgement(student_ids=part, as_of=AS_OF, thresholds=thresholds)
        cohort_activity_add(activity, judgement.activity)
    return cohort_ratios(activity, thresholds)


def test_it_sums_the_programmes_activity_over_students_established_and_active(
    programme, thresholds
):
    """A programme's share counts each student enrolled since before the baseline
    began and active in the windows: not the newcomer, not the one silent throughout.
    """
    established = []
    for recent_days in (range(14), range(0, 14, 2)):
        student = enrolled_student(programme, started_days_ago=80)
        baseline_and_recent(student, baseline_per_day=1, recent_days=recent_days)
        established.append(student)
    newcomer = enrolled_student(programme, started_days_ago=20)
    active_on(newcomer, range(14))
    silent = enrolled_student(programme, started_days_ago=80)
    ids = [student.pk for student in [*established, newcomer, silent]]

    judgement = risk_judgement(student_ids=ids, as_of=AS_OF, thresholds=thresholds)
    halves = {}
    for part in (ids[:2], ids[2:]):
        cohort_activity_add(
            halves, risk_judgement(student_ids=part, as_of=AS_OF, thresholds=thresholds).activity
        )

    # Recent: 14 days and 7 days; baseline: 42 days each.
    assert judgement.activity == {f"p{programme.pk}": [21, 84, 2]}
    assert halves == judgement.activity


def test_it_flags_no_one_for_a_week_quiet_for_the_whole_programme(programme, thresholds):
    """Everyone in the programme at 36 % of their usual (a holiday fortnight): judged
    against their own baseline alone they would all be flagged; against their peers,
    no one is."""
    students = []
    for _ in range(COHORT_MIN_STUDENTS):
        student = enrolled_student(programme, started_days_ago=80)
        baseline_and_recent(student, baseline_per_day=1, recent_days=range(0, 14, 3))
        students.append(student.pk)

    cohort = cohort_of(students, thresholds)
    alone = risk_signals(student_ids=students, as_of=AS_OF, thresholds=thresholds)
    with_peers = risk_signals(
        student_ids=students, as_of=AS_OF, thresholds=thresholds, cohort=cohort
    )

    assert cohort == {f"p{programme.pk}": pytest.approx(5 / 14)}
    assert all(SignalName.ACTIVITY_DROP in {s.name for s in alone[pk]} for pk in students)
    assert all(
        SignalName.ACTIVITY_DROP not in {s.name for s in with_peers.get(pk, [])} for pk in students
    )


def test_it_still_flags_a_student_who_dropped_far_more_than_their_peers(programme, thresholds):
    peers = []
    for _ in range(COHORT_MIN_STUDENTS - 1):
        peer = enrolled_student(programme, started_days_ago=80)
        baseline_and_recent(peer, baseline_per_day=2, recent_days=range(14))  # at 50 %
        peers.append(peer.pk)
    student = enrolled_student(programme, started_days_ago=80)
    baseline_and_recent(student, baseline_per_day=2, recent_days=[0, 7])  # at 7 %

    cohort = cohort_of([*peers, student.pk], thresholds)
    found = risk_signals(
        student_ids=[student.pk], as_of=AS_OF, thresholds=thresholds, cohort=cohort
    )

    (drop,) = [s for s in found[student.pk] if s.name == SignalName.ACTIVITY_DROP]
    # 7 % of their usual while the programme is at 46 %: 15 % of the peers' pace.
    assert (drop.severity, drop.observed, drop.baseline, drop.cohort) == ("red", 1.0, 14.0, 46)


def test_it_judges_a_small_programme_without_peers(programme, thresholds):
    students = []
    for _ in range(COHORT_MIN_STUDENTS - 1):
        student = enrolled_student(programme, started_days_ago=80)
        baseline_and_recent(student, baseline_per_day=1, recent_days=range(0, 14, 3))
        students.append(student.pk)

    assert cohort_of(students, thresholds) == {}


def test_it_answers_only_for_the_students_asked_about(programme, thresholds):
    """Chunks are read as id ranges; a student inside the range but not in the chunk
    (paused, say) must not appear."""
    first, middle, last = (enrolled_student(programme, started_days_ago=40) for _ in range(3))
    for student in (first, middle, last):
        active_on(student, [20])

    found = risk_signals(student_ids=[first.pk, last.pk], as_of=AS_OF, thresholds=thresholds)

    assert set(found) == {first.pk, last.pk}


def test_it_finds_the_last_activity_of_a_student_silent_for_months(programme, thresholds):
    student = enrolled_student(programme, started_days_ago=150)
    active_on(student, [90, 91, 120])

    assert signals_of(student, thresholds)[SignalName.INACTIVITY] == ("red", 90, None, 14)
