"""The review-consistency page per role: whose mentors it compares, the period on the
reader's calendar, bad keys, wrong methods and query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentorship.tests.factories import MentorFactory, StudentFactory
from metrics.consistency import ConsistencyMark, Share
from metrics.tests.helpers_reviews import make_reviews
from projects.tests.factories import ProjectFactory

PAGE = reverse("metrics:review_consistency")

pytestmark = pytest.mark.django_db

OCTOBER = datetime(2026, 10, 10, 12, tzinfo=UTC)


@pytest.fixture
def project(db):
    return ProjectFactory(title="Weather app")


@pytest.fixture
def reviews(mentor, other_mentor, project):
    """In October 2026: ``mentor`` approved 1 of 5 attempts, ``other_mentor`` 5 of 5."""
    student = StudentFactory()
    make_reviews(5, approved=1, student=student, reviewer=mentor, project=project, at=OCTOBER)
    make_reviews(
        5, approved=5, student=student, reviewer=other_mentor, project=project, at=OCTOBER
    )


def compared(response) -> dict:
    return {
        row.mentor.display_name: (row.reviews, row.mark)
        for row in response.context["consistency"].mentors
    }


def test_it_sends_anonymous_people_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_answers_a_post_405(as_user, client):
    as_user("supervisor")

    assert client.post(PAGE).status_code == 405


@pytest.mark.parametrize(
    ("role", "status", "names"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 403, None),
        ("other_mentor", 403, None),
        ("supervisor", 200, {"Maria Mentor"}),
        ("other_supervisor", 200, {"Otto Othermentor"}),
        ("staff", 200, {"Maria Mentor", "Otto Othermentor"}),
    ],
)
def test_it_compares_only_the_mentors_the_person_may_see(
    as_user, client, reviews, role, status, names
):
    as_user(role)

    response = client.get(PAGE, {"period": "2026-10"})

    assert response.status_code == status
    if names is not None:
        assert set(compared(response)) == names


def test_it_compares_staffs_whole_school_or_one_team(as_user, client, reviews, supervisor):
    as_user("staff")

    school = client.get(PAGE, {"period": "2026-10"})
    team = client.get(PAGE, {"period": "2026-10", "team": supervisor.pk})

    # Together: Maria 1 of 5 against Otto's 5 of 5 on the same project.
    assert compared(school) == {
        "Maria Mentor": (Share(1, 5), ConsistencyMark.HARSHER),
        "Otto Othermentor": (Share(5, 5), ConsistencyMark.LENIENT),
    }
    # Maria's team alone has nobody else reviewing her project.
    assert compared(team) == {"Maria Mentor": (Share(1, 5), ConsistencyMark.TOO_FEW)}
    assertContains(team, "Sofia Supervisor's team")


def test_it_shows_rates_marks_and_criteria(as_user, client, reviews):
    as_user("staff")

    response = client.get(PAGE, {"period": "2026-10"})

    assertContains(response, "October 2026")
    assertContains(response, "20% (1 of 5)")
    assertContains(response, "100% (n = 5)")
    assertContains(response, "−80 points")
    assertContains(response, "+80 points")
    assertContains(response, 'data-mark="harsher"')
    assertContains(response, "Harsher than the team")
    assertContains(response, "More lenient than the team")
    assertContains(response, "Weather app:</span> Weather app: criterion 1")
    assertContains(response, 'class="consistency-bar-mentor" x="0" y="2" width="20.0"')
    assertContains(response, 'x1="100.0" x2="100.0"')
    assertContains(response, 'href="?period=2026-09"')
    assertContains(response, 'href="?period=2026-11"')


def test_it_counts_the_month_on_the_readers_calendar(as_user, client, mentor, project):
    supervisor = as_user("supervisor")
    supervisor.time_zone = "Europe/Moscow"
    supervisor.save()
    student = StudentFactory()
    # 21:30 UTC on 30 September is half past midnight on 1 October in Moscow.
    make_reviews(
        1,
        approved=1,
        student=student,
        reviewer=mentor,
        project=project,
        at=datetime(2026, 9, 30, 21, 30, tzinfo=UTC),
    )
    # 21:30 UTC on 31 October is already November in Moscow.
    make_reviews(
        1,
        approved=0,
        student=student,
        reviewer=mentor,
        project=project,
        at=datetime(2026, 10, 31, 21, 30, tzinfo=UTC),
    )

    response = client.get(PAGE, {"period": "2026-10"})

    assert compared(response) == {"Maria Mentor": (Share(1, 1), ConsistencyMark.TOO_FEW)}


def test_it_takes_weeks_and_quarters(as_user, client, reviews):
    as_user("staff")

    week = client.get(PAGE, {"period": "2026-W41"})  # 5 to 11 October
    quarter = client.get(PAGE, {"period": "2026-Q3"})

    assert compared(week)["Maria Mentor"][0] == Share(1, 5)
    assert compared(quarter)["Maria Mentor"] == (Share(0, 0), ConsistencyMark.NO_REVIEWS)


def test_it_defaults_to_the_current_month(as_user, client, mentor, project):
    as_user("supervisor")
    make_reviews(
        1,
        approved=1,
        student=StudentFactory(),
        reviewer=mentor,
        project=project,
        at=timezone.now() - timedelta(seconds=5),
    )

    response = client.get(PAGE)

    assert response.context["period"].key == timezone.localdate(timezone=UTC).strftime("%Y-%m")
    assert compared(response) == {"Maria Mentor": (Share(1, 1), ConsistencyMark.TOO_FEW)}


@pytest.mark.parametrize("key", ["2026-13", "October", "2026-W60", "x" * 20])
def test_it_shows_a_bad_period_beside_the_field(as_user, client, key):
    as_user("supervisor")

    response = client.get(PAGE, {"period": key})

    assertContains(response, "Write the period as a month (2026-10)", status_code=400)
    assertNotContains(response, 'data-testid="review-consistency"', status_code=400)


def test_it_refuses_a_team_that_is_not_listed(as_user, client, mentor):
    as_user("staff")

    response = client.get(PAGE, {"team": mentor.pk})

    assertContains(response, "Choose one of the teams listed.", status_code=400)


def test_it_offers_a_supervisor_no_team_filter(as_user, client, other_supervisor, reviews):
    as_user("supervisor")

    response = client.get(PAGE, {"period": "2026-10", "team": other_supervisor.pk})

    assert "team" not in response.context["form"].fields
    assert set(compared(response)) == {"Maria Mentor"}


def test_it_says_when_nobody_reviewed(as_user, client, mentor):
    as_user("supervisor")

    response = client.get(PAGE, {"period": "2026-10"})

    assertContains(response, "No reviews")
    assertContains(response, "no data")


def add_team(supervisor, size: int):
    projects = [ProjectFactory() for _ in range(2)]
    student = StudentFactory()
    for index in range(size):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        make_reviews(
            index % 3 + 1,
            approved=index % 2,
            student=student,
            reviewer=mentor,
            project=projects[index % 2],
            at=OCTOBER,
        )


@pytest.mark.parametrize("size", [3, 15])
def test_it_runs_a_constant_number_of_queries(
    as_user, client, supervisor, size, django_assert_max_num_queries
):
    add_team(supervisor, size)
    as_user("supervisor")

    # Session and user; the navigation's two counts; the mentors compared; their names;
    # reviews by mentor and project; verdicts by mentor and criterion.
    with django_assert_max_num_queries(8, info="Review consistency: a query per mentor?"):
        response = client.get(PAGE, {"period": "2026-10"})

    assert len(response.context["consistency"].mentors) == size


@pytest.mark.parametrize("size", [3, 15])
def test_it_runs_a_constant_number_of_queries_for_staff(
    as_user, client, supervisor, size, django_assert_max_num_queries
):
    add_team(supervisor, size)
    as_user("staff")

    # As a supervisor's page, and the supervisors for the team filter.
    with django_assert_max_num_queries(9, info="Review consistency: a query per mentor?"):
        response = client.get(PAGE, {"period": "2026-10", "team": supervisor.pk})

    assert response.status_code == 200
