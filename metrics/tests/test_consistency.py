"""Review consistency (metrics.consistency) on a hand-built team, with exact values: a
harsh mentor, a lenient one, one with too few reviews, one with none, two in line."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from mentorship.tests.factories import MentorFactory, StudentFactory
from metrics.consistency import (
    ConsistencyMark,
    Share,
    TeamRate,
    consistency_mark,
    consistency_mentors,
    review_consistency,
)
from metrics.tests.helpers_reviews import make_review, make_reviews
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
DAY = START + timedelta(days=10)


def team_mentor(supervisor, name):
    mentor = MentorFactory(display_name=name)
    mentor.mentor_profile.supervisor = supervisor
    mentor.mentor_profile.save()
    return mentor


@pytest.fixture
def team(supervisor):
    """Projects P1 and P2 (two criteria each; a review's first criterion is met when it
    approves, the second always), and P3 only Lena reviews. In October:

    ======  ==============  ==============  =========
    mentor  P1 (approved)   P2 (approved)   P3
    ======  ==============  ==============  =========
    Anna    10 (6)
    Boris   10 (6)          10 (4)
    Hugo    5 (1)           5 (0)
    Lena                    6 (6)           2 (0)
    Fedor   3 (3)
    Nina    none
    ======  ==============  ==============  =========
    """
    p1, p2, p3 = (ProjectFactory(title=title) for title in ("P1", "P2", "P3"))
    mentors = {
        name: team_mentor(supervisor, name)
        for name in ("Anna", "Boris", "Hugo", "Lena", "Fedor", "Nina")
    }
    student = StudentFactory()
    plan = [
        ("Anna", p1, 10, 6),
        ("Boris", p1, 10, 6),
        ("Boris", p2, 10, 4),
        ("Hugo", p1, 5, 1),
        ("Hugo", p2, 5, 0),
        ("Lena", p2, 6, 6),
        ("Lena", p3, 2, 0),
        ("Fedor", p1, 3, 3),
    ]
    for name, project, count, approved in plan:
        make_reviews(
            count,
            approved=approved,
            student=student,
            reviewer=mentors[name],
            project=project,
            at=DAY,
        )
    return {"projects": (p1, p2, p3), **mentors}


def rows_by_name(result):
    return {row.mentor.display_name: row for row in result.mentors}


def test_it_marks_the_harsh_mentor_against_the_team_on_the_same_projects(team):
    result = review_consistency(
        mentor_ids=[team[name].pk for name in ("Anna", "Boris", "Hugo", "Lena", "Fedor", "Nina")],
        start=START,
        end=END,
    )

    hugo = rows_by_name(result)["Hugo"]
    # P1 others: Anna 6/10, Boris 6/10, Fedor 3/3 = 15/23; P2 others: Boris 4/10, Lena 6/6
    # = 10/16. Hugo wrote 5 of each: (5 * 15/23 + 5 * 10/16) / 10.
    assert hugo.reviews == Share(1, 10)
    assert hugo.compared == Share(1, 10)
    assert hugo.team == TeamRate(Fraction(235, 368), 39)
    assert hugo.difference == Fraction(1, 10) - Fraction(235, 368)
    assert hugo.difference_points == -54
    assert hugo.mark == ConsistencyMark.HARSHER


def test_it_marks_the_lenient_mentor_and_leaves_out_projects_nobody_else_reviewed(team):
    result = review_consistency(
        mentor_ids=[team[name].pk for name in ("Anna", "Boris", "Hugo", "Lena", "Fedor", "Nina")],
        start=START,
        end=END,
    )

    lena = rows_by_name(result)["Lena"]
    # P2 others: Boris 4/10, Hugo 0/5 = 4/15. P3: nobody else, not compared.
    assert lena.reviews == Share(6, 8)
    assert lena.compared == Share(6, 6)
    assert lena.left_out == 2
    assert lena.team == TeamRate(Fraction(4, 15), 15)
    assert lena.difference_points == 73
    assert lena.mark == ConsistencyMark.LENIENT


def test_it_finds_the_others_in_line_too_few_or_without_reviews(team):
    result = review_consistency(
        mentor_ids=[team[name].pk for name in ("Anna", "Boris", "Hugo", "Lena", "Fedor", "Nina")],
        start=START,
        end=END,
    )

    rows = rows_by_name(result)
    # Anna: P1 others Boris 6/10, Hugo 1/5, Fedor 3/3 = 10/18.
    assert (rows["Anna"].team, rows["Anna"].mark) == (
        TeamRate(Fraction(5, 9), 18),
        ConsistencyMark.IN_LINE,
    )
    assert rows["Anna"].difference_points == 4
    # Boris: P1 others 10/18 (Anna, Hugo, Fedor), P2 others 6/11 (Hugo, Lena); 10 each.
    assert rows["Boris"].team == TeamRate(Fraction(109, 198), 29)
    assert rows["Boris"].mark == ConsistencyMark.IN_LINE
    assert rows["Boris"].difference_points == -5
    # Fedor: 3 reviews, however different from the others' 13/25.
    assert rows["Fedor"].reviews == Share(3, 3)
    assert rows["Fedor"].team == TeamRate(Fraction(13, 25), 25)
    assert rows["Fedor"].mark == ConsistencyMark.TOO_FEW
    assert rows["Fedor"].difference_points is None
    # Nina wrote nothing: no rate, no team to compare with.
    assert rows["Nina"].reviews == Share(0, 0)
    assert rows["Nina"].team == TeamRate(None, 0)
    assert rows["Nina"].mark == ConsistencyMark.NO_REVIEWS
    assert rows["Nina"].reviews.rate is None
    assert [row.mentor.display_name for row in result.mentors] == [
        "Anna",
        "Boris",
        "Fedor",
        "Hugo",
        "Lena",
        "Nina",
    ]


def test_it_compares_each_criterion_with_the_rest_of_the_team(team):
    result = review_consistency(
        mentor_ids=[team[name].pk for name in ("Anna", "Boris", "Hugo", "Lena", "Fedor", "Nina")],
        start=START,
        end=END,
    )

    hugo = rows_by_name(result)["Hugo"]
    assert [(c.project_title, c.position, c.mentor, c.team) for c in hugo.criteria] == [
        ("P1", 1, Share(1, 5), Share(15, 23)),
        ("P1", 2, Share(5, 5), Share(23, 23)),
        ("P2", 1, Share(0, 5), Share(10, 16)),
        ("P2", 2, Share(5, 5), Share(16, 16)),
    ]
    lena = rows_by_name(result)["Lena"]
    assert [(c.project_title, c.position, c.mentor, c.team) for c in lena.criteria] == [
        ("P2", 1, Share(6, 6), Share(4, 15)),
        ("P2", 2, Share(6, 6), Share(15, 15)),
        ("P3", 1, Share(0, 2), Share(0, 0)),
        ("P3", 2, Share(2, 2), Share(0, 0)),
    ]
    assert rows_by_name(result)["Nina"].criteria == []


def test_it_compares_only_with_the_mentors_given(team):
    # Without Anna and Fedor, Hugo's P1 is compared with Boris alone (6/10).
    result = review_consistency(
        mentor_ids=[team["Boris"].pk, team["Hugo"].pk], start=START, end=END
    )

    hugo = rows_by_name(result)["Hugo"]
    # P1: Boris 6/10; P2: Boris 4/10; 5 each.
    assert hugo.team == TeamRate(Fraction(1, 2), 20)
    assert hugo.mark == ConsistencyMark.HARSHER
    assert [row.mentor.display_name for row in result.mentors] == ["Boris", "Hugo"]


def test_it_counts_the_reviews_written_in_the_period(supervisor):
    project = ProjectFactory()
    first, second = team_mentor(supervisor, "First"), team_mentor(supervisor, "Second")
    make_review(reviewer=first, project=project, at=START)  # the first moment: in
    make_review(reviewer=first, project=project, at=END - timedelta(microseconds=1))  # in
    make_review(reviewer=first, project=project, at=END, approved=False)  # after: out
    make_review(reviewer=first, project=project, at=START - timedelta(microseconds=1))  # out
    make_review(reviewer=second, project=project, at=DAY, approved=False)

    result = review_consistency(mentor_ids=[first.pk, second.pk], start=START, end=END)

    rows = rows_by_name(result)
    assert rows["First"].reviews == Share(2, 2)
    assert rows["First"].team == TeamRate(Fraction(0), 1)
    assert rows["Second"].team == TeamRate(Fraction(1), 2)


def test_it_answers_no_mentors_without_asking(django_assert_num_queries):
    with django_assert_num_queries(0):
        result = review_consistency(mentor_ids=[], start=START, end=END)

    assert result.mentors == []


@pytest.mark.parametrize("size", [3, 12])
def test_it_runs_three_queries_whatever_the_team(supervisor, size, django_assert_num_queries):
    projects = [ProjectFactory() for _ in range(3)]
    student = StudentFactory()
    mentors = [team_mentor(supervisor, f"Mentor {index}") for index in range(size)]
    for index, mentor in enumerate(mentors):
        for offset in range(index % 3 + 1):
            make_review(
                reviewer=mentor,
                project=projects[offset],
                student=student,
                at=DAY,
                approved=index % 2 == 0,
            )

    # The mentors; reviews by mentor and project; verdicts by mentor and criterion.
    with django_assert_num_queries(3):
        result = review_consistency(
            mentor_ids=[mentor.pk for mentor in mentors], start=START, end=END
        )

    assert len(result.mentors) == size
    assert sum(row.reviews.whole for row in result.mentors) == sum(
        index % 3 + 1 for index in range(size)
    )


# --- The rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("compared", "team", "mark"),
    [
        # Exactly 20 points either way is still in line; a point more is not.
        (Share(2, 5), TeamRate(Fraction(3, 5), 5), ConsistencyMark.IN_LINE),
        (Share(4, 5), TeamRate(Fraction(3, 5), 5), ConsistencyMark.IN_LINE),
        (Share(2, 5), TeamRate(Fraction(61, 100), 5), ConsistencyMark.HARSHER),
        (Share(4, 5), TeamRate(Fraction(59, 100), 5), ConsistencyMark.LENIENT),
        # Fewer than five reviews on either side: too few to tell.
        (Share(0, 4), TeamRate(Fraction(1), 50), ConsistencyMark.TOO_FEW),
        (Share(0, 50), TeamRate(Fraction(1), 4), ConsistencyMark.TOO_FEW),
        (Share(3, 3), TeamRate(None, 0), ConsistencyMark.TOO_FEW),
    ],
)
def test_it_marks_by_the_threshold_only_with_five_reviews_a_side(compared, team, mark):
    assert consistency_mark(compared=compared, team=team, reviews=compared.whole) == mark


def test_it_marks_a_mentor_without_reviews_apart():
    assert (
        consistency_mark(compared=Share(0, 0), team=TeamRate(None, 0), reviews=0)
        == ConsistencyMark.NO_REVIEWS
    )


def test_it_shows_a_percentage_only_from_five():
    assert (Share(3, 4).percent, Share(3, 5).percent, Share(0, 0).rate) == (None, 60, None)
    assert (TeamRate(Fraction(2, 3), 4).percent, TeamRate(Fraction(2, 3), 5).percent) == (
        None,
        67,
    )


# --- Whose reviews --------------------------------------------------------------------


def test_it_compares_a_supervisors_team_and_staffs_choice(
    supervisor, other_supervisor, staff, mentor, other_mentor, student
):
    left = team_mentor(supervisor, "Left with reviews")
    left.is_active = False
    left.save()
    make_review(reviewer=left, project=ProjectFactory(), at=DAY)
    gone = team_mentor(supervisor, "Left without")
    gone.is_active = False
    gone.save()

    def mentors(user, **kwargs):
        return set(consistency_mentors(user, start=START, end=END, **kwargs))

    assert mentors(supervisor) == {mentor, left}
    assert mentors(other_supervisor) == {other_mentor}
    assert mentors(staff) == {mentor, left, other_mentor}
    assert mentors(staff, supervisor=other_supervisor) == {other_mentor}
    assert mentors(mentor) == set()
    assert mentors(student) == set()
