"""Programme analytics (``metrics.analytics``): each figure on a hand-built programme,
with its exact value, no data, n = 1, the window's bounds in the reader's time zone,
the start of a project, the drop-outs' project, hardness and the queries."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from mentorship.models import StudentStatus
from mentorship.tests.factories import MentorFactory, StudentFactory
from metrics.analytics import (
    Average,
    Share,
    heat_level,
    programme_analytics,
    programmes_analytics,
    relative_ranks,
)
from metrics.models import Survey
from metrics.periods import Period
from projects.tests.factories import ProgrammeFactory

from .helpers_analytics import (
    ask,
    at,
    attempt,
    drop,
    enrol,
    project,
    rate,
    withdraw,
)

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year
UTC_ZONE = ZoneInfo("UTC")
OCTOBER = Period.parse("2026-10")


def october(zone: ZoneInfo = MOSCOW) -> dict:
    start, end = OCTOBER.bounds(zone)
    return {"start": start, "end": end, "zone": zone}


@pytest.fixture
def web():
    """A programme of three projects: 1 (target 10 days; Layout, README), 2 (target
    20; API, Tests) and 3 (target 5; Deploy)."""
    programme = ProgrammeFactory(title="Web development")
    project(programme, 1, "Layout", "README", target_days=10)
    project(programme, 2, "API", "Tests", target_days=20)
    project(programme, 3, "Deploy", target_days=5)
    return programme


def projects_of(programme):
    return list(programme.projects.order_by("position"))


@pytest.fixture
def october_records(web):
    """Four students' work around October 2026 (UTC times; Moscow is three hours
    ahead, so October there runs from 30 September 21:00 to 31 October 21:00 UTC)."""
    first, second, third = projects_of(web)
    reviewer = MentorFactory()
    anna = enrol(web, date(2026, 9, 1)).student
    boris = enrol(web, date(2026, 9, 10)).student
    clara = enrol(web, date(2026, 9, 20)).student
    dmitri = enrol(web, date(2026, 10, 1)).student
    # Anna: project 1 in September (two attempts), project 2 in October at once.
    attempt(anna, first, 1, reviewed_at=at(2026, 9, 8), not_met=("Layout",), reviewer=reviewer)
    anna_first = attempt(anna, first, 2, reviewed_at=at(2026, 9, 12), reviewer=reviewer)
    anna_second = attempt(anna, second, 1, reviewed_at=at(2026, 10, 10), reviewer=reviewer)
    # Boris: project 1 in October, on the third attempt.
    attempt(
        boris,
        first,
        1,
        reviewed_at=at(2026, 10, 2),
        not_met=("Layout", "README"),
        reviewer=reviewer,
    )
    attempt(boris, first, 2, reviewed_at=at(2026, 10, 5), not_met=("Layout",), reviewer=reviewer)
    boris_first = attempt(boris, first, 3, reviewed_at=at(2026, 10, 9), reviewer=reviewer)
    # Clara: approved at 22:00 UTC on 30 September, 1 October in Moscow.
    clara_first = attempt(clara, first, 1, reviewed_at=at(2026, 9, 30, 22), reviewer=reviewer)
    # Dmitri: approved at 22:00 UTC on 31 October, 1 November in Moscow.
    attempt(dmitri, first, 1, reviewed_at=at(2026, 10, 31, 22), reviewer=reviewer)

    ask(boris, first, when=at(2026, 9, 30, 20, 59))  # 23:59 on 30 September in Moscow
    ask(boris, first, when=at(2026, 9, 30, 21))  # midnight, 1 October in Moscow
    ask(clara, first, when=at(2026, 10, 20))
    for day in (3, 4, 5):
        ask(anna, third, when=at(2026, 10, day))

    rate(anna_first, 2, when=at(2026, 9, 12))
    rate(boris_first, 4, when=at(2026, 10, 9))
    rate(clara_first, 5, when=at(2026, 10, 1))
    rate(anna_second, 3, when=at(2026, 10, 10))

    # Elena approved project 1 in September and dropped out in October: on project 2.
    elena = enrol(web, date(2026, 9, 1)).student
    attempt(elena, first, 1, reviewed_at=at(2026, 9, 15), reviewer=reviewer)
    drop(elena, on=date(2026, 10, 20))
    # Dmitri drops out in November: not in October.
    drop(dmitri, on=date(2026, 11, 2))
    # Fedor's enrolment was withdrawn (no date): counted for all time only.
    withdraw(enrol(web, date(2026, 9, 1)))
    return web


def by_title(analytics):
    return {row.project.title: row for row in analytics.projects}


# --- Each figure, October in Moscow ---------------------------------------------------


def test_it_measures_attempts_to_approval_in_the_window(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    # Boris (attempt 3) and Clara (attempt 1); Anna's was in September, Dmitri's in
    # November on a Moscow calendar.
    assert rows["Project 1"].attempts == Average(median=2, mean=2, n=2)
    assert rows["Project 2"].attempts == Average(median=1, mean=1, n=1)
    assert rows["Project 3"].attempts == Average(median=None, mean=None, n=0)


def test_it_measures_the_share_of_criteria_not_met(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    first = rows["Project 1"]
    assert {item.criterion.title: item.rejections for item in first.criteria} == {
        "Layout": Share(2, 4),  # Boris's three reviews and Clara's approval
        "README": Share(1, 4),
    }
    assert first.rejections == Share(3, 8)
    assert first.rejections.rate == 0.375
    assert rows["Project 2"].rejections == Share(0, 2)
    assert rows["Project 3"].rejections == Share(0, 0)
    assert rows["Project 3"].rejections.rate is None


def test_it_measures_days_to_approval_against_the_target(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    # Boris from his enrolment on 10 September to 9 October: 29 days; Clara from 20
    # September to 1 October (Moscow): 11 days.
    assert rows["Project 1"].days == Average(median=20, mean=None, n=2)
    assert rows["Project 1"].days_ratio == 2.0
    # Anna from her approval of project 1 on 12 September to 10 October: 28 days.
    assert rows["Project 2"].days == Average(median=28, mean=None, n=1)
    assert rows["Project 2"].days_ratio == 1.4
    assert rows["Project 3"].days == Average.none()
    assert rows["Project 3"].days_ratio is None


def test_it_counts_questions_asked_in_the_window(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    assert [row.questions for row in rows.values()] == [2, 0, 3]


def test_it_averages_difficulty_ratings_given_in_the_window(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    assert rows["Project 1"].difficulty == Average(median=None, mean=4.5, n=2)
    assert rows["Project 2"].difficulty == Average(median=None, mean=3, n=1)
    assert rows["Project 3"].difficulty == Average.none()


def test_it_counts_drop_outs_against_the_project_they_were_on(october_records):
    rows = by_title(programme_analytics(programme=october_records, **october()))

    assert [row.dropouts for row in rows.values()] == [0, 1, 0]


def test_it_orders_projects_hardest_first_by_their_mean_rank(october_records):
    analytics = programme_analytics(programme=october_records, **october())
    rows = by_title(analytics)

    # Project 1 is the hardest on attempts, criteria, days and difficulty (1 each),
    # between on questions (2 of 0, 2 and 3: 0.5) and tied lowest on drop-outs (0.25).
    assert rows["Project 1"].ranks == {
        "attempts": 1,
        "rejections": 1,
        "days": 1,
        "questions": 0.5,
        "difficulty": 1,
        "dropouts": 0.25,
    }
    assert rows["Project 1"].hardness == pytest.approx(4.75 / 6)
    assert rows["Project 2"].hardness == pytest.approx(1 / 6)
    # Project 3 ranks only on questions (1) and drop-outs (0.25).
    assert rows["Project 3"].ranks["attempts"] is None
    assert rows["Project 3"].hardness == pytest.approx(0.625)
    assert [row.project.title for row in analytics.hardest_first] == [
        "Project 1",
        "Project 3",
        "Project 2",
    ]
    assert [row.project.title for row in analytics.projects] == [
        "Project 1",
        "Project 2",
        "Project 3",
    ]
    assert analytics.hardest.project.title == "Project 1"
    assert rows["Project 1"].levels == {
        "attempts": 4,
        "rejections": 4,
        "days": 4,
        "questions": 2,
        "difficulty": 4,
        "dropouts": 1,
    }


def test_it_orders_criteria_hardest_first_across_the_programme(october_records):
    analytics = programme_analytics(programme=october_records, **october())

    criteria = analytics.criteria_hardest_first

    assert [(item.criterion.title, item.rejections) for item in criteria] == [
        ("Layout", Share(2, 4)),
        ("README", Share(1, 4)),
        ("API", Share(0, 1)),
        ("Tests", Share(0, 1)),
        ("Deploy", Share(0, 0)),
    ]
    assert [item.rank for item in criteria] == [
        1,
        pytest.approx(2 / 3),
        pytest.approx(1 / 6),
        pytest.approx(1 / 6),
        None,
    ]
    assert [item.level for item in criteria] == [4, 3, 0, 0, None]


# --- The window's bounds --------------------------------------------------------------


def test_it_reads_the_window_in_the_readers_time_zone(october_records):
    """October in UTC: Clara's approval (30 September 22:00) is out and Dmitri's (31
    October 22:00) in; the question at 21:00 on 30 September is out."""
    rows = by_title(programme_analytics(programme=october_records, **october(UTC_ZONE)))

    first = rows["Project 1"]
    assert first.attempts == Average(median=2, mean=2, n=2)  # Boris 3, Dmitri 1
    # Boris 29 days; Dmitri from 1 October to 31 October: 30.
    assert first.days == Average(median=29.5, mean=None, n=2)
    assert first.questions == 1
    # Clara's rating was given on 1 October at noon, in both calendars.
    assert first.difficulty == Average(median=None, mean=4.5, n=2)


def test_it_counts_a_moment_on_the_start_in_and_one_on_the_end_out(web):
    first = projects_of(web)[0]
    start, end = OCTOBER.bounds(MOSCOW)
    student = enrol(web, date(2026, 9, 1)).student
    ask(student, first, when=start)
    ask(student, first, when=end)

    analytics = programme_analytics(programme=web, start=start, end=end, zone=MOSCOW)

    assert analytics.projects[0].questions == 1


def test_it_counts_a_drop_out_on_the_windows_days(web):
    start, end = OCTOBER.bounds(MOSCOW)
    on_first_day = enrol(web, date(2026, 9, 1)).student
    on_last_day = enrol(web, date(2026, 9, 1)).student
    the_day_after = enrol(web, date(2026, 9, 1)).student
    drop(on_first_day, on=date(2026, 10, 1))
    drop(on_last_day, on=date(2026, 10, 31))
    drop(the_day_after, on=date(2026, 11, 1))

    analytics = programme_analytics(programme=web, start=start, end=end, zone=MOSCOW)

    assert [row.dropouts for row in analytics.projects] == [2, 0, 0]


# --- All time -------------------------------------------------------------------------


def test_it_measures_all_time_without_a_window(october_records):
    rows = by_title(programme_analytics(programme=october_records, zone=MOSCOW))

    # Anna 2, Boris 3, Clara 1, Dmitri 1, Elena 1.
    assert rows["Project 1"].attempts == Average(median=1, mean=1.6, n=5)
    # Anna 11 (1 to 12 September), Boris 29, Clara 11, Dmitri 31 (to 1 November in
    # Moscow), Elena 14.
    assert rows["Project 1"].days == Average(median=14, mean=None, n=5)
    assert rows["Project 1"].questions == 3
    assert rows["Project 1"].difficulty.mean == pytest.approx(11 / 3)
    # The withdrawn Fedor on project 1; Elena and Dmitri (who dropped in November,
    # his project 1 approved) on project 2.
    assert [row.dropouts for row in rows.values()] == [1, 2, 0]


# --- No data and n = 1 ----------------------------------------------------------------


def test_it_says_no_data_for_a_programme_nobody_worked_on(web):
    analytics = programme_analytics(programme=web, **october())

    for row in analytics.projects:
        assert row.attempts == Average.none()
        assert row.days == Average.none()
        assert row.difficulty == Average.none()
        assert row.rejections.rate is None
        assert (row.questions, row.dropouts) == (0, 0)
        assert row.hardness is None
        assert set(row.levels.values()) == {None}
    assert [row.project.position for row in analytics.hardest_first] == [1, 2, 3]
    assert analytics.hardest is None
    assert analytics.approvals == 0


def test_it_says_no_data_for_a_programme_without_projects():
    programme = ProgrammeFactory()

    analytics = programme_analytics(programme=programme)

    assert analytics.projects == []
    assert analytics.criteria_hardest_first == []
    assert analytics.hardest is None


def test_it_measures_a_single_approval(web):
    first = projects_of(web)[0]
    student = enrol(web, date(2026, 10, 1)).student
    approved = attempt(student, first, 1, reviewed_at=at(2026, 10, 8))
    rate(approved, 1, when=at(2026, 10, 8))

    row = programme_analytics(programme=web, **october()).projects[0]

    assert row.attempts == Average(median=1, mean=1, n=1)
    assert row.days == Average(median=7, mean=None, n=1)
    assert row.days_ratio == 0.7
    assert row.difficulty == Average(median=None, mean=1, n=1)
    assert row.rejections == Share(0, 2)
    assert row.rejections.is_small
    # Only project 1 has any data, so nothing ranks against anything.
    assert row.hardness is None


# --- When a student started a project -------------------------------------------------


def test_it_starts_a_skipped_project_at_the_latest_earlier_approval(web):
    """A student allowed to skip ahead: project 1 on 5 October, project 3 on 10
    October, project 2 on 20 October. Project 3 started with the approval of project
    1 (project 2 was approved only later), project 2 with that of project 1 too."""
    first, second, third = projects_of(web)
    student = enrol(web, date(2026, 10, 1), allow_skipping=True).student
    attempt(student, first, 1, reviewed_at=at(2026, 10, 5))
    attempt(student, third, 1, reviewed_at=at(2026, 10, 10))
    attempt(student, second, 1, reviewed_at=at(2026, 10, 20))

    rows = programme_analytics(programme=web, **october()).projects

    assert [row.days.median for row in rows] == [4, 15, 5]


def test_it_starts_the_first_project_at_the_enrolments_start(web):
    first = projects_of(web)[0]
    student = enrol(web, date(2026, 9, 28)).student
    attempt(student, first, 1, reviewed_at=at(2026, 10, 3, 23))  # 4 October in Moscow

    rows = programme_analytics(programme=web, **october()).projects

    assert rows[0].days.median == 6


# --- Drop-outs ------------------------------------------------------------------------


def test_it_counts_a_student_who_dropped_twice_once_on_the_first_drop(web):
    first, second, _third = projects_of(web)
    student = enrol(web, date(2026, 9, 1)).student
    drop(student, on=date(2026, 10, 3))
    drop(student, on=date(2026, 10, 5), status=StudentStatus.ACTIVE)
    attempt(student, first, 1, reviewed_at=at(2026, 10, 10))
    drop(student, on=date(2026, 10, 25))

    rows = programme_analytics(programme=web, **october()).projects

    assert [row.dropouts for row in rows] == [1, 0, 0]


def test_it_counts_an_approval_on_the_day_of_the_drop_as_done(web):
    first = projects_of(web)[0]
    student = enrol(web, date(2026, 9, 1)).student
    attempt(student, first, 1, reviewed_at=at(2026, 10, 3, 20))  # 23:00 in Moscow
    drop(student, on=date(2026, 10, 3))

    rows = programme_analytics(programme=web, **october()).projects

    assert [row.dropouts for row in rows] == [0, 1, 0]


def test_it_does_not_count_a_drop_before_the_enrolment_or_after_the_last_project(web):
    first, second, third = projects_of(web)
    before = enrol(web, date(2026, 10, 10)).student
    drop(before, on=date(2026, 10, 5))
    finished = enrol(web, date(2026, 9, 1)).student
    for position, item in enumerate((first, second, third), start=1):
        attempt(finished, item, 1, reviewed_at=at(2026, 9, position))
    drop(finished, on=date(2026, 10, 2))

    rows = programme_analytics(programme=web, **october()).projects

    assert [row.dropouts for row in rows] == [0, 0, 0]


def test_it_counts_a_withdrawal_for_all_time_only_and_a_student_once(web):
    """Fedor's enrolment was withdrawn and he dropped out too: once, on his drop's
    project. Galina's was withdrawn only: for all time, not in a window."""
    first = projects_of(web)[0]
    fedor_enrolment = enrol(web, date(2026, 9, 1))
    withdraw(fedor_enrolment)
    attempt(fedor_enrolment.student, first, 1, reviewed_at=at(2026, 10, 12))
    drop(fedor_enrolment.student, on=date(2026, 10, 10))
    withdraw(enrol(web, date(2026, 9, 1)))

    in_october = programme_analytics(programme=web, **october()).projects
    all_time = programme_analytics(programme=web).projects

    assert [row.dropouts for row in in_october] == [1, 0, 0]
    assert [row.dropouts for row in all_time] == [2, 0, 0]


def test_it_counts_a_drop_out_in_each_programme_they_were_on(web):
    other = ProgrammeFactory(title="Data analysis")
    project(other, 1, "Cleaning")
    student = StudentFactory()
    enrol(web, date(2026, 9, 1), student=student)
    enrol(other, date(2026, 9, 1), student=student)
    drop(student, on=date(2026, 10, 3))

    analytics = programmes_analytics(programmes=[web, other], **october())

    assert [row.dropouts for row in analytics[web.pk].projects] == [1, 0, 0]
    assert [row.dropouts for row in analytics[other.pk].projects] == [1]


# --- Ranks ----------------------------------------------------------------------------


def test_it_ranks_values_from_zero_to_one_with_ties_in_the_middle():
    assert relative_ranks({1: 0, 2: 0, 3: 0, 4: 2, 5: None}) == {
        1: pytest.approx(1 / 3),
        2: pytest.approx(1 / 3),
        3: pytest.approx(1 / 3),
        4: 1,
        5: None,
    }
    assert relative_ranks({1: 3.0, 2: 1.0}) == {1: 1, 2: 0}


def test_it_ranks_nothing_when_nothing_stands_out():
    assert relative_ranks({1: 2, 2: 2}) == {1: None, 2: None}
    assert relative_ranks({1: 2, 2: None}) == {1: None, 2: None}


@pytest.mark.parametrize(
    ("rank", "level"), [(None, None), (0, 0), (0.19, 0), (0.2, 1), (0.5, 2), (0.99, 4), (1, 4)]
)
def test_it_colours_a_rank_in_five_levels(rank, level):
    assert heat_level(rank) == level


# --- Queries --------------------------------------------------------------------------


def _school(programmes: int, students: int) -> list:
    made = []
    reviewer = MentorFactory()
    for index in range(programmes):
        programme = ProgrammeFactory()
        items = [project(programme, position, "One", "Two") for position in (1, 2, 3)]
        for number in range(students):
            student = enrol(programme, date(2026, 9, 1)).student
            attempt(
                student,
                items[0],
                1,
                reviewed_at=at(2026, 10, 2),
                not_met=("One",),
                reviewer=reviewer,
            )
            approved = attempt(
                student, items[0], 2, reviewed_at=at(2026, 10, 3 + number % 5), reviewer=reviewer
            )
            rate(approved, 1 + number % 5, when=at(2026, 10, 4))
            ask(student, items[1], when=at(2026, 10, 5))
            if number % 3 == 0:
                drop(student, on=date(2026, 10, 6 + index))
        made.append(programme)
    return made


@pytest.mark.parametrize(("programmes", "students"), [(1, 2), (3, 8)])
def test_it_measures_any_number_of_programmes_in_nine_queries(
    django_assert_num_queries, programmes, students
):
    school = _school(programmes, students)

    # The projects, their criteria, then one query per measure: attempts, days,
    # questions, difficulty, drop-outs and criterion verdicts; the survey's answers.
    with django_assert_num_queries(9):
        analytics = programmes_analytics(programmes=school, **october())

    assert sum(result.approvals for result in analytics.values()) == programmes * students


# --- The students' survey -------------------------------------------------------------


def _answer(student, moment, score, plans=""):
    return Survey.objects.create(
        student=student,
        round=Survey.objects.filter(student=student).count() + 1,
        sent_at=moment,
        answered_at=moment,
        score=score,
        plans_to_continue=plans,
    )


def test_it_gathers_what_the_programme_students_say_in_the_survey(web):
    other = ProgrammeFactory()
    anna = enrol(web, date(2026, 9, 1)).student
    boris = enrol(web, date(2026, 9, 1)).student
    enrol(other, date(2026, 9, 1), student=boris)  # in both programmes: counts in both
    _answer(anna, at(2026, 10, 5), 9, "yes")
    _answer(boris, at(2026, 10, 20), 6, "unsure")
    _answer(boris, at(2026, 10, 25), 8)  # did not say whether they continue
    _answer(anna, at(2026, 11, 2), 2, "no")  # November in Moscow

    figures = programmes_analytics(programmes=[web, other], **october())

    assert figures[web.pk].survey.score == Average(median=None, mean=23 / 3, n=3)
    assert figures[web.pk].survey.continuing == Share(1, 2)
    assert figures[other.pk].survey.score == Average(median=None, mean=7.0, n=2)
    assert figures[other.pk].survey.continuing == Share(0, 1)


def test_it_says_no_data_when_no_student_answered(web):
    enrol(web, date(2026, 9, 1))

    survey = programme_analytics(programme=web, **october()).survey

    assert (survey.score.mean, survey.score.n, survey.continuing.n) == (None, 0, 0)
