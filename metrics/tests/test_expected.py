"""What was expected of a mentor's students: two mentors who do identical work with
different students come out equal.

Mentor A has only students of an easy stratum, mentor B only students of a hard one;
mentor C has five of each and sets each stratum's baseline. A's and B's students do
better than C's in their stratum by the same amount, so A's and B's raw figures differ
but their differences from what was expected, and their percentiles, are equal."""

from datetime import date

import pytest

from mentorship.tests.factories import MentorFactory
from metrics.definitions import METRICS_BY_KEY, Row, Window
from metrics.scorecards import STRATUM_MIN_RECORDS, _expectations, compute_period
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory

from .helpers_scorecards import NOW, OCTOBER, UTC, active_on, at, review, student_of

pytestmark = pytest.mark.django_db

# Each student's outcome, by mentor and stratum, for each metric: A's easy students and
# B's hard ones do better than C's students of the same stratum by the same amount.
OUTCOMES = {
    # Active in 3 of the last 4 weeks (1) or not (0).
    "regular_learning": {
        ("C", "easy"): [1, 1, 1, 0, 0],
        ("A", "easy"): [1, 1, 1, 1, 0],
        ("C", "hard"): [1, 0, 0, 0, 0],
        ("B", "hard"): [1, 1, 0, 0, 0],
    },
    # Projects approved in October.
    "projects_approved": {
        ("C", "easy"): [2] * 5,
        ("A", "easy"): [3] * 5,
        ("C", "hard"): [0] * 5,
        ("B", "hard"): [1] * 5,
    },
    # The attempt approved (lower is better).
    "attempts_to_approval": {
        ("C", "easy"): [2] * 5,
        ("A", "easy"): [1] * 5,
        ("C", "hard"): [4] * 5,
        ("B", "hard"): [3] * 5,
    },
}
# Observed minus expected, in the metric's unit: A's and B's (the same), and C's.
DIFFERENCE = {
    "regular_learning": (0.1, -0.1),
    "projects_approved": (2.5, -5.0),
    "attempts_to_approval": (-0.5, 0.5),
}


def _give(key: str, student, outcome: int, *, programme, reviewer) -> None:
    if key == "regular_learning":
        if outcome:
            active_on(student, date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19))
        return
    if key == "projects_approved":
        for index in range(outcome):
            review(
                student,
                reviewer=reviewer,
                reviewed=at(10 + index),
                project=ProjectFactory(programme=programme, criteria=0),
            )
        return
    review(
        student,
        reviewer=reviewer,
        reviewed=at(10),
        attempt=outcome,
        project=ProjectFactory(programme=programme, criteria=0),
    )


def _student(mentor, programme, *, stratum: str, mix: str):
    """A student of the easy or the hard stratum: by weekly hours (30 against 4), or
    by stage (no project approved yet against two approved before October)."""
    if mix == "hours":
        student = student_of(mentor, weekly_hours=30 if stratum == "easy" else 4)
    else:
        student = student_of(mentor, weekly_hours=12)
        if stratum == "hard":
            for day in (5, 20):
                review(
                    student,
                    reviewer=mentor,
                    reviewed=at(day, month=9),
                    project=ProjectFactory(programme=programme, criteria=0),
                )
    EnrolmentFactory(student=student, programme=programme, started_on=date(2026, 8, 1))
    return student


def _population(key: str, mix: str) -> dict:
    programme = ProgrammeFactory()
    mentors = {}
    for name in "ABC":
        mentors[name] = MentorFactory()
        mentors[name].mentor_profile.programmes.add(programme)
    for (name, stratum), outcomes in OUTCOMES[key].items():
        for outcome in outcomes:
            student = _student(mentors[name], programme, stratum=stratum, mix=mix)
            _give(key, student, outcome, programme=programme, reviewer=mentors[name])
    return mentors


@pytest.mark.parametrize("mix", ["hours", "stage"])
@pytest.mark.parametrize("key", sorted(OUTCOMES))
def test_two_mentors_doing_identical_work_with_different_students_differ_equally(key, mix):
    mentors = _population(key, mix)

    figures = compute_period(OCTOBER, UTC, now=NOW)[key]
    a, b, c = (figures[mentors[name].pk] for name in "ABC")

    assert a.value != pytest.approx(b.value)  # the raw figures differ
    assert (a.n, b.n, c.n) == (5, 5, 10)
    same, baseline = DIFFERENCE[key]
    assert a.difference == pytest.approx(same)
    assert b.difference == pytest.approx(same)
    assert c.difference == pytest.approx(baseline)
    # A and B tie with each other and beat C: (1 + 1/2) of 2 others.
    assert (a.percentile, b.percentile, c.percentile) == (75.0, 75.0, 0.0)


def test_the_expected_figure_of_the_example_is_what_the_strata_did():
    mentors = _population("regular_learning", "hours")

    figures = compute_period(OCTOBER, UTC, now=NOW)["regular_learning"]

    # Easy: 7 of 10 active; hard: 3 of 10.
    assert figures[mentors["A"].pk].value == 0.8
    assert figures[mentors["A"].pk].expected == pytest.approx(0.7)
    assert figures[mentors["B"].pk].value == 0.4
    assert figures[mentors["B"].pk].expected == pytest.approx(0.3)
    assert figures[mentors["C"].pk].expected == pytest.approx(0.5)


# --- Falling back to coarser strata ---------------------------------------------------


def _rows(mentor_id: int, first_student: int, outcomes: list[float]) -> list[Row]:
    return [
        Row(mentor_id, first_student + index, outcome, first_student + index)
        for index, outcome in enumerate(outcomes)
    ]


def test_a_stratum_of_enough_records_is_its_own_expectation():
    metric = METRICS_BY_KEY["regular_learning"]
    rows = _rows(1, 100, [1.0] * STRATUM_MIN_RECORDS) + _rows(2, 200, [0.0] * 5)
    strata = dict.fromkeys(range(100, 105), ("P", 0, 3))
    strata |= dict.fromkeys(range(200, 205), ("P", 2, 3))

    assert _expectations(metric, rows, strata) == {1: 1.0, 2: 0.0}


def test_a_small_stratum_falls_back_to_the_programme_and_hours_then_the_programme_then_all():
    metric = METRICS_BY_KEY["regular_learning"]
    # Mentor 1's one student is alone at stage 4: the programme's students with the same
    # hours stand in (four at stage 0, one of them regular, and the student itself).
    rows = _rows(1, 100, [1.0]) + _rows(2, 110, [1.0, 0.0, 0.0, 0.0])
    strata = {100: ("P", 4, 3)} | dict.fromkeys(range(110, 114), ("P", 0, 3))
    # Mentor 3's student is the only one with few hours: the whole programme stands in.
    rows += _rows(3, 120, [0.0])
    strata |= {120: ("P", 0, 0)}
    # Mentor 4's students are in a programme of their own, too few: the whole school.
    rows += _rows(4, 130, [1.0, 1.0])
    strata |= {130: ("Q", 0, 1), 131: ("Q", 0, 1)}

    expected = _expectations(metric, rows, strata)

    assert expected[1] == pytest.approx(2 / 5)  # P with 3 bands: 1, 1, 0, 0, 0
    assert expected[2] == pytest.approx(2 / 5)
    assert expected[3] == pytest.approx(2 / 6)  # P: 1, 1, 0, 0, 0, 0
    assert expected[4] == pytest.approx(4 / 8)  # everyone: 4 of 8


def test_a_mentors_expected_figure_is_weighted_like_their_own_mix():
    metric = METRICS_BY_KEY["regular_learning"]
    # Two strata of five: one all regular, one none; the mentor has 3 of one, 1 of other.
    rows = _rows(9, 100, [1.0] * 5) + _rows(9, 200, [0.0] * 5)
    strata = dict.fromkeys(range(100, 105), ("P", 0, 3))
    strata |= dict.fromkeys(range(200, 205), ("P", 0, 0))
    mine = _rows(1, 100, [1.0] * 3) + _rows(1, 200, [0.0])

    expected = _expectations(metric, rows + mine, strata)

    assert expected[1] == pytest.approx(3 / 4)


def test_the_expectation_follows_the_students_hours_band_in_the_database():
    programme = ProgrammeFactory()
    mentor = MentorFactory()
    students = [student_of(mentor, weekly_hours=hours) for hours in (5, 6, 10, 11, 20, 21)]
    for student in students:
        EnrolmentFactory(student=student, programme=programme, started_on=date(2026, 8, 1))

    strata = Window(period=OCTOBER, zone=UTC, now=NOW).strata

    assert [strata[student.pk] for student in students] == [
        (programme.pk, 0, 0),
        (programme.pk, 0, 1),
        (programme.pk, 0, 1),
        (programme.pk, 0, 2),
        (programme.pk, 0, 2),
        (programme.pk, 0, 3),
    ]


def test_a_students_stratum_is_their_latest_programme_and_their_stage_when_the_period_began():
    first, programme = ProgrammeFactory(), ProgrammeFactory()
    mentor = MentorFactory()
    newcomer, advanced, unenrolled = (student_of(mentor, weekly_hours=12) for _ in range(3))
    EnrolmentFactory(student=newcomer, programme=programme, started_on=date(2026, 10, 10))
    EnrolmentFactory(student=advanced, programme=first, started_on=date(2025, 1, 1))
    EnrolmentFactory(student=advanced, programme=programme, started_on=date(2026, 8, 1))
    for day, month in ((20, 9), (5, 10)):  # the second in October: not yet their stage
        review(
            advanced,
            reviewer=mentor,
            reviewed=at(day, month=month),
            project=ProjectFactory(programme=programme, criteria=0),
        )

    strata = Window(period=OCTOBER, zone=UTC, now=NOW).strata

    assert strata[newcomer.pk] == (programme.pk, 0, 2)
    assert strata[advanced.pk] == (programme.pk, 1, 2)
    assert strata[unenrolled.pk] == (None, 0, 2)
