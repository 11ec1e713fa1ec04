"""The team dashboard's search of mentors by name or e-mail: the table's rows only
(the team's figures stay the whole team's), kept through sorting and pages and in the
CSV, in a constant number of queries."""

import pytest
from django.urls import reverse

from mentorship.models import User
from metrics.periods import Period
from metrics.tests.helpers_scorecard_pages import snapshot_runs, team_of

DASHBOARD = reverse("metrics:dashboard")
MARCH = Period.parse("2026-03")


@pytest.fixture
def closed(db):
    snapshot_runs(MARCH.last(6))


def names(response) -> list[str]:
    return [str(row.mentor) for row in response.context["page"].object_list]


def test_it_finds_mentors_by_name_in_any_case_and_alphabet(client, as_user, supervisor, closed):
    team_of(supervisor, 2)
    team_of(supervisor, 1, name="Ольга Ершова")
    as_user("supervisor")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": "ершова"})

    assert names(response) == ["Ольга Ершова 000"]
    assert response.context["mentors"] == 3  # the team's figures stay the team's
    assert "1 found among 3 mentors" in response.content.decode()


def test_it_finds_mentors_by_email(client, as_user, supervisor, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": mentor.email.upper()})

    assert names(response) == ["Maria Mentor"]


def test_it_never_finds_another_teams_mentor(client, as_user, supervisor, other_mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": "otto"})

    assert names(response) == []
    assert "No mentor matches this search." in response.content.decode()


def test_it_lets_staff_search_every_team(client, as_user, mentor, other_mentor, closed):
    as_user("staff")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": "othermentor"})

    assert names(response) == ["Otto Othermentor"]


def test_it_keeps_the_search_in_the_sort_links_pages_and_csv(client, as_user, supervisor, closed):
    for index, mentor in enumerate(team_of(supervisor, 60)):
        # Addresses without the factory's sequence number, which "00" could match.
        User.objects.filter(pk=mentor.pk).update(email=f"mentor.{index:03d}@example.test")
    as_user("supervisor")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": "mentor 0"})
    page = response.content.decode()
    csv = client.get(reverse("metrics:dashboard_csv"), {"period": "2026-03", "q": "mentor 00"})

    assert response.context["page"].paginator.count == 60
    assert "?period=2026-03&amp;q=mentor+0&amp;sort=name&amp;page=2" in page
    assert 'href="?period=2026-03&amp;q=mentor+0&amp;sort=composite"' in page
    assert len(csv.content.decode().strip().splitlines()) == 1 + 10


def test_it_names_a_too_long_search_beside_the_field(client, as_user, supervisor, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD, {"period": "2026-03", "q": "x" * 101})

    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert names(response) == ["Maria Mentor"]


@pytest.mark.parametrize("size", [5, 100])
def test_it_searches_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, closed, django_assert_max_num_queries
):
    team_of(supervisor, size)
    as_user("supervisor")

    # The closed period's dashboard (see test_dashboard_views) and the mentors the
    # search finds.
    with django_assert_max_num_queries(17, info="Dashboard search: a query per mentor?"):
        response = client.get(DASHBOARD, {"period": "2026-03", "q": "MENTOR 0"})

    assert response.context["page"].paginator.count == size
