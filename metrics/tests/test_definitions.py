"""Every metric of the scorecard on small hand-built data sets, with the exact figure
and the number of records behind it: no data, one record, the edges of a period on the
reader's calendar, and students who change mentor in the middle of a period.

October 2026 is read on 15 November (``NOW``) unless a test says otherwise. A record at
23:30 UTC on 31 October is already 1 November in Moscow (UTC+3)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from knowledge_base.models import ProposalStatus
from mentorship.models import ActivityEvent, ActivityKind, DailyActivity, StudentStatus
from mentorship.tests.factories import (
    MentorFactory,
    StaffFactory,
    StudentFactory,
    SupervisorFactory,
)
from metrics.definitions import METRICS, METRICS_BY_KEY, Fold, Window, hours_band
from metrics.models import DevelopmentKind, Survey, SurveyContinue
from metrics.scorecards import compute_period, compute_periods, fold
from projects.models import Cohort, CohortDeadline, EnrolmentStatus, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFactory,
)
from students.models import SessionStatus

from .helpers_scorecards import (
    DECEMBER_2,
    MOSCOW,
    NOVEMBER,
    NOW,
    OCTOBER,
    PER_STINT,
    RECORD_AT,
    RECORD_ON,
    SEPTEMBER,
    UTC,
    active_on,
    answer,
    article,
    article_read,
    at,
    case_reply,
    development,
    figure,
    figure_without,
    flag,
    folded,
    further_enrolment,
    judged_flag,
    proposal,
    question,
    recommendation,
    record_ids,
    review,
    second_reading,
    session,
    set_status,
    student_of,
    survey,
    switch_mentor,
    vote,
)

pytestmark = pytest.mark.django_db

# 31 October, 23:30 UTC: still October in London, 1 November 02:30 in Moscow.
LATE_ON_31_OCTOBER = at(31, 23, 30)
# 1 October, 00:00 in Moscow: the first moment of Moscow's October, still September in UTC.
MOSCOW_OCTOBER_BEGINS = datetime(2026, 9, 30, 21, 0, tzinfo=UTC)
# 1 November, 00:00 in Moscow: the end of Moscow's October, not in it.
MOSCOW_OCTOBER_ENDS = at(31, 21, 0)
# The student changes mentor at noon on 15 October.
SWITCH = at(15, 12)


# --- Folding ---------------------------------------------------------------------------


def test_it_folds_no_records_into_no_data_except_a_count_which_is_zero():
    assert fold(Fold.MEAN, []) is None
    assert fold(Fold.SUM, []) is None
    assert fold(Fold.MEDIAN, []) is None
    assert fold(Fold.P90, []) is None
    assert fold(Fold.COUNT, []) == 0.0


def test_it_folds_records_into_a_mean_a_total_a_median_a_90th_percentile_and_a_count():
    outcomes = [1.0, 2.0, 3.0, 10.0]

    assert fold(Fold.MEAN, outcomes) == 4.0
    assert fold(Fold.SUM, outcomes) == 16.0
    assert fold(Fold.MEDIAN, outcomes) == 2.5
    # Interpolated as PostgreSQL's percentile_cont: position 0.9 * 3 = 2.7.
    assert fold(Fold.P90, outcomes) == pytest.approx(3.0 + 0.7 * 7.0)
    assert fold(Fold.COUNT, outcomes) == 4.0
    assert fold(Fold.P90, [5.0]) == 5.0


def test_it_bands_weekly_hours():
    bands = {hours: hours_band(hours) for hours in (1, 5, 6, 10, 11, 20, 21, 40)}

    assert bands == {1: 0, 5: 0, 6: 1, 10: 1, 11: 2, 20: 2, 21: 3, 40: 3}


# --- No data, one record ---------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS, ids=lambda metric: metric.key)
def test_it_has_no_data_for_a_mentor_with_no_records_except_counts_which_are_zero(metric):
    mentor = MentorFactory()

    figures = compute_period(OCTOBER, UTC, now=NOW)[metric.key]

    if metric.fold == Fold.COUNT:
        assert (figures[mentor.pk].value, figures[mentor.pk].n) == (0.0, 0)
    else:
        assert mentor.pk not in figures


def test_every_metric_is_tested_here_for_one_record():
    judged_at_the_end = {"on_track", "regular_learning"}  # their own tests below

    assert set(RECORD_AT) | set(RECORD_ON) | judged_at_the_end == set(METRICS_BY_KEY)


@pytest.mark.parametrize("key", sorted(RECORD_AT))
def test_one_record_makes_a_figure_of_one(key):
    mentor = MentorFactory()
    student = student_of(mentor)
    make, one = RECORD_AT[key]
    make(mentor, student, at(10))

    assert figure(key, mentor) == one


@pytest.mark.parametrize("key", sorted(RECORD_ON))
def test_one_record_of_a_day_makes_a_figure_of_one(key):
    mentor = MentorFactory()
    student = student_of(mentor)
    make, one, _before = RECORD_ON[key]
    make(mentor, student, date(2026, 10, 10))

    assert figure(key, mentor) == one


# --- The edges of a period on the reader's calendar -------------------------------------


@pytest.mark.parametrize("key", sorted(RECORD_AT))
def test_a_record_late_on_31_october_utc_counts_in_november_for_a_reader_in_moscow(key):
    mentor = MentorFactory()
    student = student_of(mentor)
    make, one = RECORD_AT[key]
    make(mentor, student, LATE_ON_31_OCTOBER)

    assert figure(key, mentor, OCTOBER, UTC, now=DECEMBER_2) == one
    assert figure(key, mentor, OCTOBER, MOSCOW, now=DECEMBER_2) == figure_without(key)
    assert figure(key, mentor, NOVEMBER, MOSCOW, now=DECEMBER_2) == one
    assert figure(key, mentor, NOVEMBER, UTC, now=DECEMBER_2) == figure_without(key)


@pytest.mark.parametrize("key", sorted(RECORD_AT))
def test_a_period_starts_at_its_first_moment_and_ends_before_the_next_ones(key):
    mentor = MentorFactory()
    student = student_of(mentor)
    make, one = RECORD_AT[key]
    make(mentor, student, MOSCOW_OCTOBER_BEGINS)  # counts in Moscow's October
    make(mentor, student, MOSCOW_OCTOBER_ENDS)  # does not: it is Moscow's November

    assert figure(key, mentor, OCTOBER, MOSCOW, now=DECEMBER_2) == one
    assert figure(key, mentor, SEPTEMBER, UTC, now=DECEMBER_2) == one
    assert figure(key, mentor, NOVEMBER, MOSCOW, now=DECEMBER_2) == one


@pytest.mark.parametrize("zone", [UTC, MOSCOW], ids=["utc", "moscow"])
@pytest.mark.parametrize("key", sorted(RECORD_ON))
def test_a_record_of_31_october_counts_in_october_and_one_of_1_november_does_not(key, zone):
    mentor = MentorFactory()
    make, one, before = RECORD_ON[key]
    make(mentor, student_of(mentor), date(2026, 10, 31))
    other = MentorFactory()
    make(other, student_of(other), date(2026, 11, 1))

    assert figure(key, mentor, OCTOBER, zone, now=DECEMBER_2) == one
    assert figure(key, other, OCTOBER, zone, now=DECEMBER_2) == before
    assert figure(key, other, NOVEMBER, zone, now=DECEMBER_2) == one


# --- Several calendars computed together -----------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")  # UTC-4 in October, UTC-5 from 1 November
EDGES = [
    MOSCOW_OCTOBER_BEGINS,
    datetime(2026, 10, 1, 2, 0, tzinfo=UTC),  # New York's September, the others' October
    at(10),
    LATE_ON_31_OCTOBER,
    MOSCOW_OCTOBER_ENDS,
    datetime(2026, 11, 1, 2, 0, tzinfo=UTC),  # New York's October, the others' November
]


def test_calendars_computed_together_give_the_figures_each_gives_alone():
    """The windows of a period on several calendars read their records once for all
    of them (``compute_periods``); each calendar's figures are exactly those it has
    computed on its own, records in the hours only some calendars share included."""
    mentor, other = MentorFactory(), MentorFactory()
    student, second = student_of(mentor), student_of(other)
    for moment in EDGES:
        for make, _one in RECORD_AT.values():
            make(mentor, student, moment)
            make(other, second, moment)
    for make, _one, _before in RECORD_ON.values():
        make(mentor, student, date(2026, 10, 31))
        make(other, second, date(2026, 10, 1))
    switch_mentor(second, to=mentor, at_moment=at(20))
    zones = [UTC, MOSCOW, NEW_YORK]

    together = compute_periods(OCTOBER, zones, now=DECEMBER_2)

    alone = [compute_period(OCTOBER, zone, now=DECEMBER_2) for zone in zones]
    assert together == alone
    # The calendars do differ: the edges' records fall in different months.
    assert together[0] != together[1] != together[2]


# --- Students who change mentor in the middle of a period -------------------------------

# Each counts at the record's moment for the mentor the student had then.
FOLLOWS_THE_ASSIGNMENT = [
    "projects_approved",
    "first_attempt",
    "attempts_to_approval",
    "community",
    "articles_read",
    "first_answer_time",
    "flags_acknowledged",
]


@pytest.mark.parametrize("key", FOLLOWS_THE_ASSIGNMENT)
def test_a_record_counts_for_the_mentor_the_student_had_at_its_moment(key):
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    switch_mentor(student, to=second, at_moment=SWITCH)
    make, one = RECORD_AT[key]
    make(first, student, at(10))
    make(second, student, at(20))

    assert figure(key, first) == one
    assert figure(key, second) == one


@pytest.mark.parametrize("key", FOLLOWS_THE_ASSIGNMENT)
def test_a_mentor_who_took_a_student_on_after_their_records_has_none_of_them(key):
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    switch_mentor(student, to=second, at_moment=SWITCH)
    make, one = RECORD_AT[key]
    make(first, student, at(10))

    assert figure(key, first) == one
    assert figure(key, second) == figure_without(key)


# --- Students' success -----------------------------------------------------------------


def _plan():
    """A programme of two projects of 10 days each; an enrolment from 1 September to
    11 October is due to have both approved by 11 October."""
    programme = ProgrammeFactory()
    projects = [
        ProjectFactory(programme=programme, position=position, target_days=10, criteria=0)
        for position in (1, 2)
    ]
    return programme, projects


def _enrol(student, programme, **fields):
    return EnrolmentFactory(
        student=student,
        programme=programme,
        **{"started_on": date(2026, 9, 1), "target_end_on": date(2026, 10, 11), **fields},
    )


def _approve(student, projects, *moments, reviewer):
    for project, moment in zip(projects, moments, strict=False):
        review(student, reviewer=reviewer, reviewed=moment, project=project)


def test_on_track_is_the_share_of_active_students_on_pace_at_the_periods_end():
    mentor = MentorFactory()
    programme, projects = _plan()
    on_pace, behind, dropped, paused, not_enrolled = (student_of(mentor) for _ in range(5))
    for student in (on_pace, behind, dropped, paused):
        _enrol(student, programme)
    _approve(on_pace, projects, at(15, month=9), at(5), reviewer=mentor)
    _approve(behind, projects, at(15, month=9), reviewer=mentor)
    _approve(dropped, projects, at(15, month=9), at(5), reviewer=mentor)
    set_status(dropped, StudentStatus.DROPPED, on=date(2026, 10, 20))
    set_status(paused, StudentStatus.PAUSED, on=date(2026, 10, 20))
    del not_enrolled

    assert figure("on_track", mentor) == (0.5, 2)
    enrolments = {row.student_id: row.record_id for row in _rows("on_track")}
    assert set(enrolments) == {on_pace.pk, behind.pk}


def _rows(key, period=OCTOBER, zone=UTC, now=NOW):
    return list(METRICS_BY_KEY[key].rows(Window(period=period, zone=zone, now=now)))


def test_on_track_counts_a_student_with_one_record_as_a_figure_of_one():
    mentor = MentorFactory()
    programme, projects = _plan()
    student = student_of(mentor)
    _enrol(student, programme)
    _approve(student, projects, at(15, month=9), reviewer=mentor)

    assert figure("on_track", mentor) == (0.0, 1)


def test_on_track_counts_approvals_up_to_the_end_of_the_period_on_the_readers_calendar():
    mentor = MentorFactory()
    programme, projects = _plan()
    student = student_of(mentor)
    _enrol(student, programme)
    # The second approval comes at 23:30 UTC on 31 October: in time in London, not in
    # Moscow, where November has begun.
    _approve(student, projects, at(15, month=9), LATE_ON_31_OCTOBER, reviewer=mentor)

    assert figure("on_track", mentor, OCTOBER, UTC) == (1.0, 1)
    assert figure("on_track", mentor, OCTOBER, MOSCOW) == (0.0, 1)


def test_on_track_judges_a_student_for_the_mentor_they_had_at_the_end_of_the_period():
    first, second, third = MentorFactory(), MentorFactory(), MentorFactory()
    programme, projects = _plan()
    moved, unassigned = student_of(first), student_of(third)
    for student in (moved, unassigned):
        _enrol(student, programme)
        _approve(student, projects, at(15, month=9), at(5), reviewer=first)
    switch_mentor(moved, to=second, at_moment=SWITCH)
    unassigned.mentor_assignments.update(ended_at=at(25))

    assert figure("on_track", first) is None
    assert figure("on_track", second) == (1.0, 1)
    assert figure("on_track", third) is None


def test_on_track_judges_an_enrolment_completed_after_the_period_as_it_stood_then():
    mentor = MentorFactory()
    programme, projects = _plan()
    student = student_of(mentor)
    # One project approved by the end of October, the second in November, when the
    # programme was completed: at the end of October the student was behind.
    _enrol(student, programme, status=EnrolmentStatus.COMPLETED, completed_at=at(5, month=11))
    _approve(student, projects, at(15, month=9), at(3, month=11), reviewer=mentor)

    assert figure("on_track", mentor) == (0.0, 1)


def test_on_track_while_the_period_runs_is_judged_today():
    mentor = MentorFactory()
    programme, projects = _plan()
    student = student_of(mentor)
    _enrol(student, programme)
    _approve(student, projects, at(15, month=9), reviewer=mentor)

    # On 5 October one project was due (21 September); on 31 October both.
    assert figure("on_track", mentor, now=at(5)) == (1.0, 1)
    assert figure("on_track", mentor) == (0.0, 1)


def test_on_track_judges_a_cohorts_students_by_its_deadlines():
    mentor = MentorFactory()
    programme, (first, second) = _plan()
    cohort = Cohort.objects.create(
        programme=programme,
        title="Autumn",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 20),
    )
    # Both projects due together on 20 October: the first handed in and waiting for
    # review, the second approved, is on track; the second only, behind.
    CohortDeadline.objects.create(cohort=cohort, project=first, due_on=date(2026, 10, 20))
    CohortDeadline.objects.create(cohort=cohort, project=second, due_on=date(2026, 10, 20))
    on_time, one_late = student_of(mentor), student_of(mentor)
    for student in (on_time, one_late):
        _enrol(student, programme, cohort=cohort, target_end_on=cohort.ends_on)
    SubmissionFactory(student=on_time, project=first, submitted_at=at(18))
    _approve(on_time, [second], at(19), reviewer=mentor)
    _approve(one_late, [second], at(19), reviewer=mentor)

    assert figure("on_track", mentor) == (0.5, 2)
    # On 15 October nothing was due yet.
    assert figure("on_track", mentor, now=at(15)) == (1.0, 2)


def test_projects_approved_is_the_total_of_projects_each_student_had_approved_with_the_mentor():
    mentor, other = MentorFactory(), MentorFactory()
    busy, idle = student_of(mentor), student_of(mentor)
    review(busy, reviewer=mentor, reviewed=at(5))
    review(busy, reviewer=other, reviewed=at(20))  # whoever reviewed it
    review(busy, reviewer=mentor, reviewed=at(21), verdict=Verdict.CHANGES_REQUESTED)
    review(busy, reviewer=mentor, reviewed=at(30, month=9))  # September
    del idle

    assert figure("projects_approved", mentor) == (2.0, 2)
    assert figure("projects_approved", other) is None


def test_projects_approved_counts_each_stint_for_its_mentor():
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    review(student, reviewer=first, reviewed=at(10))
    review(student, reviewer=first, reviewed=at(12))
    switch_mentor(student, to=second, at_moment=SWITCH)
    review(student, reviewer=second, reviewed=at(20))

    assert figure("projects_approved", first) == (2.0, 1)
    assert figure("projects_approved", second) == (1.0, 1)
    assert record_ids("projects_approved", first) == [student.pk]


def test_first_attempt_is_the_share_of_first_attempts_reviewed_that_were_approved():
    mentor = MentorFactory()
    student = student_of(mentor)
    first_attempts = [
        review(student, reviewer=mentor, reviewed=at(5)),
        review(student, reviewer=mentor, reviewed=at(6)),
        review(student, reviewer=mentor, reviewed=at(7), verdict=Verdict.CHANGES_REQUESTED),
    ]
    review(student, reviewer=mentor, reviewed=at(8), attempt=2)
    review(student, reviewer=mentor, reviewed=at(30, month=9))

    assert figure("first_attempt", mentor) == (pytest.approx(2 / 3), 3)
    assert record_ids("first_attempt", mentor) == sorted(r.submission_id for r in first_attempts)


def test_first_attempt_counts_for_the_mentor_the_student_had_when_they_submitted():
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    switch_mentor(student, to=second, at_moment=SWITCH)
    # Submitted ten minutes before the change, reviewed by the new mentor after it.
    review(student, reviewer=second, reviewed=at(16), submitted=SWITCH - timedelta(minutes=10))

    assert figure("first_attempt", first) == (1.0, 1)
    assert figure("first_attempt", second) is None


def test_attempts_to_approval_is_the_median_attempt_approved():
    mentor, other = MentorFactory(), MentorFactory()
    student, others = student_of(mentor), student_of(other)
    for attempt in (1, 2, 4):
        review(student, reviewer=mentor, reviewed=at(10), attempt=attempt)
    review(student, reviewer=mentor, reviewed=at(11), verdict=Verdict.CHANGES_REQUESTED)
    for attempt in (1, 2):
        review(others, reviewer=other, reviewed=at(10), attempt=attempt)

    assert figure("attempts_to_approval", mentor) == (2.0, 3)
    assert figure("attempts_to_approval", other) == (1.5, 2)


def test_regular_learning_is_the_share_of_active_students_active_in_3_of_the_last_4_weeks():
    mentor = MentorFactory()
    regular, two_weeks, one_week, edges, idle_days, dropped = (
        student_of(mentor) for _ in range(6)
    )
    # The last four weeks of October: 4-10, 11-17, 18-24 and 25-31 October.
    active_on(regular, date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19))
    active_on(two_weeks, date(2026, 10, 3), date(2026, 10, 12), date(2026, 10, 19))
    active_on(one_week, date(2026, 10, 26), date(2026, 10, 27), date(2026, 10, 28))
    active_on(edges, date(2026, 10, 4), date(2026, 10, 17), date(2026, 10, 31))
    active_on(dropped, date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19))
    set_status(dropped, StudentStatus.DROPPED, on=date(2026, 10, 25))
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(student=idle_days, day=date(2026, 10, day), events=0)
            for day in (5, 12, 19)
        ]
    )

    assert figure("regular_learning", mentor) == (0.4, 5)
    assert record_ids("regular_learning", mentor) == sorted(
        s.pk for s in (regular, two_weeks, one_week, edges, idle_days)
    )


def test_regular_learning_counts_a_student_with_one_record_as_a_figure_of_one():
    mentor = MentorFactory()
    student = student_of(mentor)
    active_on(student, date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26))

    assert figure("regular_learning", mentor) == (1.0, 1)


def test_regular_learning_while_the_period_runs_looks_at_the_four_weeks_up_to_today():
    mentor = MentorFactory()
    student = student_of(mentor)
    # The four weeks up to 20 October: 23-29 September, 30 September-6 October, 7-13
    # and 14-20 October.
    active_on(student, date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 8))

    assert figure("regular_learning", mentor, now=at(20)) == (1.0, 1)
    assert figure("regular_learning", mentor) == (0.0, 1)


def test_regular_learning_ends_its_weeks_on_the_readers_today():
    mentor = MentorFactory()
    student = student_of(mentor)
    # 22:00 UTC on 20 October is 01:00 on 21 October in Moscow.
    now = at(20, 22)
    active_on(student, date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 21))

    assert figure("regular_learning", mentor, OCTOBER, MOSCOW, now=now) == (1.0, 1)
    assert figure("regular_learning", mentor, OCTOBER, UTC, now=now) == (0.0, 1)


def test_regular_learning_judges_a_student_for_the_mentor_they_had_at_the_end():
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    active_on(student, date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19))
    switch_mentor(student, to=second, at_moment=SWITCH)

    assert figure("regular_learning", first) is None
    assert figure("regular_learning", second) == (1.0, 1)


def test_retention_is_the_share_of_students_who_did_not_drop_out_with_the_mentor():
    mentor = MentorFactory()
    stayed, dropped, paused, graduated, gone_before, graduated_before = (
        student_of(mentor) for _ in range(6)
    )
    set_status(dropped, StudentStatus.DROPPED, on=date(2026, 10, 10))
    set_status(paused, StudentStatus.PAUSED, on=date(2026, 10, 5))
    set_status(graduated, StudentStatus.GRADUATED, on=date(2026, 10, 20))
    # Gone in September and never unassigned: not students of October.
    set_status(gone_before, StudentStatus.DROPPED, on=date(2026, 9, 20))
    set_status(graduated_before, StudentStatus.GRADUATED, on=date(2026, 9, 30))

    assert figure("retention", mentor) == (0.75, 4)
    assert record_ids("retention", mentor) == sorted(
        student.pk for student in (stayed, dropped, paused, graduated)
    )


def test_retention_counts_a_drop_for_the_mentor_the_student_had_then():
    first, second = MentorFactory(), MentorFactory()
    moved, left = student_of(first), student_of(first)
    switch_mentor(moved, to=second, at_moment=SWITCH)
    set_status(moved, StudentStatus.DROPPED, on=date(2026, 10, 20))
    # Unassigned on 10 October, dropped two days later: the last mentor's.
    left.mentor_assignments.update(ended_at=at(10))
    set_status(left, StudentStatus.DROPPED, on=date(2026, 10, 12))

    assert figure("retention", first) == (0.5, 2)
    assert figure("retention", second) == (0.0, 1)


def test_community_is_public_questions_and_answers_to_others_per_student():
    mentor = MentorFactory()
    engaged, quiet = student_of(mentor), student_of(mentor)
    question(engaged, asked=at(5))
    question(engaged, asked=at(6))
    question(engaged, asked=at(7), public=False)  # private: not the community's
    question(engaged, asked=at(30, month=9))  # September
    someone_elses = question(StudentFactory(), asked=at(1))
    answer(engaged, on=someone_elses, written=at(8))
    own = question(engaged, asked=at(1, month=9))
    answer(engaged, on=own, written=at(9), follow_up=True)  # following up their own
    answer(MentorFactory(), on=own, written=at(9))  # a mentor's answer
    del quiet

    assert figure("community", mentor) == (1.5, 2)


def test_articles_read_is_articles_read_per_student():
    mentor = MentorFactory()
    reader, other = student_of(mentor), student_of(mentor)
    for day in (3, 4, 5):
        article_read(reader, read=at(day))
    article_read(other, read=at(6))
    article_read(other, read=at(30, month=9))
    ActivityEvent.objects.create(
        student=other, kind=ActivityKind.LOGIN, occurred_at=at(7), day=date(2026, 10, 7)
    )

    assert figure("articles_read", mentor) == (2.0, 2)


def test_session_rating_and_top_ratings_are_of_the_rated_sessions_of_the_period():
    mentor, other = MentorFactory(), MentorFactory()
    student = student_of(mentor)
    for day, rating in ((3, 5), (10, 4), (17, 2)):
        session(mentor, student, scheduled=at(day), rating=rating)
    session(mentor, student, scheduled=at(24))  # not rated
    session(mentor, student, scheduled=at(28, month=9), rating=1)  # September
    session(other, student, scheduled=at(25), rating=3)  # held by another mentor

    assert figure("session_rating", mentor) == (pytest.approx(11 / 3), 3)
    assert figure("session_top", mentor) == (pytest.approx(2 / 3), 3)
    assert figure("session_rating", other) == (3.0, 1)
    assert figure("session_top", other) == (0.0, 1)


def test_reengagement_is_the_share_of_judged_flags_recovered_for_whoever_reached_out_first():
    first, second = MentorFactory(), MentorFactory()
    student = student_of(first)
    judged_flag(student, outreach_by=[first], judged_on=date(2026, 10, 5), recovered=True)
    judged_flag(student, outreach_by=[first], judged_on=date(2026, 10, 6), recovered=False)
    judged_flag(student, outreach_by=[second, first], judged_on=date(2026, 10, 7), recovered=True)
    judged_flag(student, outreach_by=[first], judged_on=date(2026, 9, 30), recovered=False)
    judged_flag(student, outreach_by=[], judged_on=date(2026, 10, 8), recovered=False)
    flag(student, opened=at(9))  # not judged yet

    assert figure("reengagement", first) == (0.5, 2)
    assert figure("reengagement", second) == (1.0, 1)


def test_survey_figures_are_of_the_answers_of_the_period():
    mentor = MentorFactory()
    students = [student_of(mentor) for _ in range(5)]
    survey(students[0], mentor, answered=at(3), score=10, plans=SurveyContinue.YES)
    survey(students[1], mentor, answered=at(4), score=7, plans=SurveyContinue.NO)
    survey(students[2], mentor, answered=at(5), score=4, plans=SurveyContinue.UNSURE)
    survey(students[3], mentor, answered=at(6), plans="")  # no answer to either
    survey(students[4], mentor, answered=at(29, month=9), score=0, plans=SurveyContinue.NO)
    survey(students[4], None, answered=at(7), score=0, plans=SurveyContinue.NO)
    Survey.objects.create(student=students[3], mentor=mentor, round=999, sent_at=at(8))

    assert figure("recommend_score", mentor) == (7.0, 3)
    assert figure("plans_to_continue", mentor) == (pytest.approx(1 / 3), 3)


# --- Service ---------------------------------------------------------------------------


def test_review_time_is_the_median_and_90th_percentile_of_hours_to_a_verdict():
    mentor = MentorFactory()
    student = student_of(mentor)
    for hours in (2, 4, 30):
        review(
            student, reviewer=mentor, reviewed=at(10), submitted=at(10) - timedelta(hours=hours)
        )
    review(student, reviewer=mentor, reviewed=at(30, month=9))  # September
    review(student, reviewer=SupervisorFactory(), reviewed=at(12))  # not a mentor's

    assert figure("review_time", mentor) == (4.0, 3)
    # Sorted 2, 4, 30: position 0.9 * 2 = 1.8, between 4 and 30.
    assert figure("review_time_p90", mentor) == (pytest.approx(4 + 0.8 * 26), 3)
    assert figure("reviews_written", mentor) == (3.0, 3)


def test_first_answer_time_is_the_median_of_hours_to_a_first_answer_counting_waiting_time():
    mentor = MentorFactory()
    student = student_of(mentor)
    question(student, asked=at(5), answered=at(5, 14))
    question(student, asked=at(6), public=False, answered=at(6, 18))
    waiting = question(student, asked=at(30))
    question(StudentFactory(), asked=at(7), answered=at(7, 13))  # no mentor

    assert figure("first_answer_time", mentor) == (6.0, 3)
    # The waiting question has waited 16 days by 15 November: the largest.
    rows = {row.record_id: row.outcome for row in _rows("first_answer_time")}
    assert rows[waiting.pk] == 16 * 24


def test_no_show_is_the_share_of_sessions_held_or_missed_that_the_student_missed():
    mentor = MentorFactory()
    student = student_of(mentor)
    session(mentor, student, scheduled=at(3))
    session(mentor, student, scheduled=at(10))
    session(mentor, student, scheduled=at(17), status=SessionStatus.STUDENT_NO_SHOW)
    session(mentor, student, scheduled=at(20), status=SessionStatus.CANCELLED_BY_MENTOR)
    session(mentor, student, scheduled=at(24), status=SessionStatus.SCHEDULED)

    assert figure("no_show", mentor) == (pytest.approx(1 / 3), 3)


def test_flags_acknowledged_is_the_share_acknowledged_within_48_hours():
    mentor = MentorFactory()
    student = student_of(mentor)
    flag(student, opened=at(3), acknowledged=at(3) + timedelta(hours=2))
    flag(student, opened=at(8), acknowledged=at(8) + timedelta(hours=48))
    flag(student, opened=at(13), acknowledged=at(13) + timedelta(hours=49))
    flag(student, opened=at(18))
    flag(StudentFactory(), opened=at(19))  # a student without a mentor

    assert figure("flags_acknowledged", mentor) == (0.5, 4)


def test_flags_acknowledged_leaves_out_flags_younger_than_48_hours():
    mentor = MentorFactory()
    student = student_of(mentor)
    flag(student, opened=at(10))
    flag(student, opened=at(19, 13))  # 47 hours old on 21 October at noon

    assert figure("flags_acknowledged", mentor, now=at(21)) == (0.0, 1)


def test_second_reading_is_the_mean_rating_of_the_mentors_reviews_read():
    mentor, other = MentorFactory(), MentorFactory()
    student = student_of(mentor)
    read = [review(student, reviewer=mentor, reviewed=at(1)) for _ in range(3)]
    second_reading(read[0], rating=5, read=at(5))
    second_reading(read[1], rating=2, read=at(6))
    second_reading(read[2], rating=1, read=at(30, month=9))
    second_reading(review(student, reviewer=other, reviewed=at(1)), rating=4, read=at(7))

    assert figure("second_reading", mentor) == (3.5, 2)
    assert figure("second_reading", other) == (4.0, 1)


# --- Methodology, self-development, further programmes -----------------------------------


def test_articles_published_views_and_helped_votes_count_each_author():
    mentor, coauthor = MentorFactory(), MentorFactory()
    own = article(mentor, published=at(5), views=10)
    shared = article(mentor, coauthor, published=at(6), views=5)
    article(mentor, published=None)  # a draft
    old = article(mentor, published=at(20, month=9), views=100)
    readers = [StudentFactory() for _ in range(3)]
    vote(own, by=readers[0], voted=at(7))
    vote(own, by=readers[1], voted=at(8))
    vote(shared, by=readers[0], voted=at(9))
    vote(old, by=readers[2], voted=at(10))  # an older article, a vote of October
    vote(shared, by=readers[1], voted=at(30, month=9))

    assert figure("articles_published", mentor) == (2.0, 2)
    assert figure("articles_published", coauthor) == (1.0, 1)
    assert figure("article_views", mentor) == (15.0, 2)
    assert figure("article_views", coauthor) == (5.0, 1)
    assert figure("helped_votes", mentor) == (4.0, 4)
    assert figure("helped_votes", coauthor) == (1.0, 1)


def test_answers_promoted_counts_articles_made_from_questions_once_each():
    mentor = MentorFactory()
    student = student_of(mentor)
    asked = [question(student, asked=at(1, month=9)) for _ in range(2)]
    article(mentor, published=at(5), questions=asked)
    article(mentor, published=at(6))

    assert figure("answers_promoted", mentor) == (1.0, 1)


def test_peer_help_counts_replies_on_other_mentors_cases_only():
    mentor = MentorFactory()
    case_reply(mentor, case_author=MentorFactory(), written=at(5))
    case_reply(mentor, case_author=MentorFactory(), written=at(6))
    case_reply(mentor, case_author=mentor, written=at(7))  # their own case

    assert figure("peer_help", mentor) == (2.0, 2)


def test_proposals_count_those_filed_and_those_accepted_in_the_period():
    mentor = MentorFactory()
    proposal(mentor, filed=at(5))
    proposal(mentor, filed=at(6))
    proposal(mentor, filed=at(1, month=9), decided=at(7))
    proposal(mentor, filed=at(1, month=9), decided=at(8), status=ProposalStatus.DONE)
    proposal(mentor, filed=at(1, month=9), decided=at(9), status=ProposalStatus.DECLINED)

    assert figure("proposals_filed", mentor) == (2.0, 2)
    assert figure("proposals_accepted", mentor) == (2.0, 2)


def test_self_development_counts_verified_records_of_the_period():
    mentor = MentorFactory()
    development(
        mentor, kind=DevelopmentKind.PROGRAMME, completed_on=date(2026, 10, 5), verified=at(20)
    )
    development(
        mentor, kind=DevelopmentKind.PROGRAMME, completed_on=date(2026, 10, 6), verified=None
    )
    development(
        mentor, kind=DevelopmentKind.PROGRAMME, completed_on=date(2026, 9, 6), verified=at(2)
    )
    development(mentor, kind=DevelopmentKind.EXPERTISE, verified=at(3))
    development(mentor, kind=DevelopmentKind.COURSE, completed_on=date(2026, 9, 1), verified=at(4))
    development(mentor, kind=DevelopmentKind.EXPERTISE, verified=None)
    development(mentor, kind=DevelopmentKind.EXPERTISE, verified=at(30, month=9))

    assert figure("programmes_completed", mentor) == (1.0, 1)
    assert figure("expertise_verified", mentor) == (2.0, 2)


def test_recommendations_count_those_made_and_those_taken_up_in_the_period():
    mentor = MentorFactory()
    student = student_of(mentor)
    recommendation(mentor, student, made=at(5))
    recommendation(mentor, student, made=at(6), enrolled=at(9))
    recommendation(mentor, student, made=at(1, month=9), enrolled=at(10))
    recommendation(mentor, student, made=at(2, month=9))

    assert figure("recommendations_made", mentor) == (2.0, 2)
    assert figure("recommendations_taken", mentor) == (2.0, 2)


def test_further_enrolments_count_students_starting_another_programme_with_the_mentor():
    first, second = MentorFactory(), MentorFactory()
    moved, newcomer = student_of(first), student_of(first)
    switch_mentor(moved, to=second, at_moment=SWITCH)
    further_enrolment(moved, started_on=date(2026, 10, 20))
    EnrolmentFactory(student=newcomer, started_on=date(2026, 10, 5))  # a first programme

    assert figure("further_enrolments", first) == (0.0, 0)
    assert figure("further_enrolments", second) == (1.0, 1)


# --- The figures of a period ------------------------------------------------------------


def test_compute_period_gives_every_mentor_each_count_and_the_others_only_with_records():
    mentor, idle = MentorFactory(), MentorFactory()
    student = student_of(mentor)
    session(mentor, student, scheduled=at(3), rating=4)
    proposal(mentor, filed=at(4))

    figures = compute_period(OCTOBER, UTC, now=NOW)

    assert set(figures) == set(METRICS_BY_KEY)
    assert set(figures["session_rating"]) == {mentor.pk}
    assert (
        figures["proposals_filed"][mentor.pk].value,
        figures["proposals_filed"][idle.pk].value,
    ) == (
        1.0,
        0.0,
    )
    assert folded("session_rating") == {mentor.pk: (4.0, 1)}


def test_compute_period_makes_figures_for_mentors_only():
    mentor, staff = MentorFactory(), StaffFactory()
    student = student_of(mentor)
    article(mentor, staff, published=at(5), views=3)
    second_reading(review(student, reviewer=staff, reviewed=at(1)), rating=5, read=at(6))
    survey(student, SupervisorFactory(), answered=at(7), score=9)  # a mentor since promoted

    figures = compute_period(OCTOBER, UTC, now=NOW)

    assert {mentor_id for by_mentor in figures.values() for mentor_id in by_mentor} == {mentor.pk}
    assert (figures["article_views"][mentor.pk].value, figures["article_views"][mentor.pk].n) == (
        3.0,
        1,
    )


@pytest.mark.parametrize("key", sorted(PER_STINT))
def test_a_per_student_figure_leaves_out_students_gone_before_the_period(key):
    # Dropped in September and never unassigned: not one of the mentor's students in
    # October, so not a row of 0 there.
    mentor = MentorFactory()
    studying, gone = student_of(mentor), student_of(mentor)
    set_status(gone, StudentStatus.DROPPED, on=date(2026, 9, 20))

    assert figure(key, mentor) == (0.0, 1)
    assert record_ids(key, mentor) == [studying.pk]
