"""The programme analytics pages: staff only, the window and its errors, the heat maps
(figures printed, colours by level, "no data"), the order toggle, the staff home's
link and the queries."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship.tests.factories import MentorFactory
from projects.tests.factories import ProgrammeFactory

from .helpers_analytics import ask, at, attempt, drop, enrol, project, rate

pytestmark = pytest.mark.django_db

LIST = reverse("metrics:programme_analytics_list")


def detail(programme) -> str:
    return reverse("metrics:programme_analytics", args=[programme.pk])


@pytest.fixture
def web():
    """Two projects: 1 (target 10; Layout, README) and 2 (target 20; API). In October
    2026 (UTC): Boris approved project 1 on his second attempt, 9 days after his
    start; Clara asked about project 2, twice."""
    programme = ProgrammeFactory(title="Web development")
    first = project(programme, 1, "Layout", "README", target_days=10)
    second = project(programme, 2, "API", target_days=20)
    boris = enrol(programme, date(2026, 10, 1)).student
    clara = enrol(programme, date(2026, 10, 1)).student
    attempt(boris, first, 1, reviewed_at=at(2026, 10, 5), not_met=("Layout",))
    approved = attempt(boris, first, 2, reviewed_at=at(2026, 10, 10))
    rate(approved, 4, when=at(2026, 10, 10))
    ask(clara, second, when=at(2026, 10, 12))
    ask(clara, second, when=at(2026, 10, 13))
    return programme


def rows_of(html: str, testid: str) -> list[str]:
    """The ids in the order the page lists them (``data-project`` and the like)."""
    import re

    return re.findall(rf'data-testid="{testid}" data-\w+="(\d+)"', html)


# --- Who may look ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_sends_anonymous_people_to_sign_in(client, web, page):
    url = LIST if page == "list" else detail(web)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [role for role in ROLES if role != "staff"])
@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_refuses_everyone_but_staff(client, as_user, web, role, page):
    as_user(role)

    response = client.get(LIST if page == "list" else detail(web))

    assert response.status_code == 403


@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_shows_staff_the_pages(client, as_user, web, page):
    as_user("staff")

    response = client.get(LIST if page == "list" else detail(web))

    assert response.status_code == 200
    assert b"Web development" in response.content


@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_answers_a_post_with_405(client, as_user, web, page):
    as_user("staff")

    response = client.post(LIST if page == "list" else detail(web))

    assert response.status_code == 405


def test_it_answers_an_unknown_programme_with_404(client, as_user, web):
    as_user("staff")

    response = client.get(reverse("metrics:programme_analytics", args=[web.pk + 1000]))

    assert response.status_code == 404


def test_it_refuses_a_mentor_an_unknown_programme_as_any_other(client, as_user, web):
    as_user("mentor")

    response = client.get(reverse("metrics:programme_analytics", args=[web.pk + 1000]))

    assert response.status_code == 403


def test_it_is_linked_from_the_staff_home(client, as_user):
    as_user("staff")

    response = client.get(reverse("metrics:home"))

    assert f'href="{LIST}"'.encode() in response.content


# --- The window -----------------------------------------------------------------------


def test_it_shows_all_time_by_default(client, as_user, web):
    as_user("staff")

    response = client.get(detail(web))

    assert response.context["period"] is None
    assert response.context["analytics"].start is None
    assert '<p class="text-body-secondary" data-testid="analytics-window-label">All time</p>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("key", ["2026-10", "2026-Q4", "2026-W42"])
def test_it_reads_a_period_on_the_readers_calendar(client, as_user, web, key, staff):
    staff.time_zone = "Europe/Moscow"
    staff.save()
    as_user("staff")

    response = client.get(detail(web), {"period": key})

    assert response.status_code == 200
    analytics = response.context["analytics"]
    assert (analytics.start, analytics.end) == response.context["period"].bounds(staff.zone)
    assert str(analytics.start.tzinfo) == "Europe/Moscow"


@pytest.mark.parametrize("key", ["2026-13", "october", "2026-W54", "2026-Q5"])
@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_shows_a_bad_period_beside_the_field(client, as_user, web, key, page):
    as_user("staff")

    response = client.get(LIST if page == "list" else detail(web), {"period": key})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="period-error"' in html
    assert "Not a period: write a month as 2026-10" in html
    assert response.context["period"] is None  # all time instead


# --- The heat maps --------------------------------------------------------------------


def test_it_prints_each_figure_with_its_n_and_colours_it(client, as_user, web):
    as_user("staff")

    response = client.get(detail(web), {"period": "2026-10"})

    html = response.content.decode()
    first, second = web.projects.order_by("position")
    # Project 1: attempts median 2 (mean 2.0, n = 1), 1 of 4 criteria not met, 9 days
    # against a target of 10, no question, difficulty 4.0, no drop-out.
    assert '<span class="heat-figure">2</span>' in html
    assert "mean 2.0 · n = 1" in html
    assert '<span class="heat-figure">1 of 4</span>' in html
    assert '<span class="heat-figure">9</span>' in html
    assert "target 10, ×0.9 · n = 1" in html
    assert "of 5 · n = 1" in html
    # Project 2 has no approvals, ratings or verdicts: "no data", never 0.
    # 4 cells and API, and the survey's two figures (no answers).
    assert html.count('<span class="heat-no-data">no data</span>') == 5 + 2
    # Project 1 is harder on questions? No: project 2 drew both questions.
    rows = {row.project.pk: row for row in response.context["rows"]}
    assert rows[first.pk].heat["questions"].css == "heat-0"
    assert rows[second.pk].heat["questions"].css == "heat-4"
    assert rows[first.pk].heat["attempts"].css == "heat-none"  # nothing to compare with
    assert 'class="heat-cell heat-4" data-testid="cell-questions"' in html
    assert "Among the hardest" in html  # the level in words, not only in colour


def test_it_orders_projects_hardest_first_or_in_programme_order(client, as_user, web):
    as_user("staff")
    first, second = web.projects.order_by("position")

    hardest = client.get(detail(web), {"period": "2026-10"}).content.decode()
    in_order = client.get(detail(web), {"period": "2026-10", "order": "programme"})

    # Only questions rank the two projects: project 2 drew them.
    assert rows_of(hardest, "project-row") == [str(second.pk), str(first.pk)]
    assert rows_of(in_order.content.decode(), "project-row") == [str(first.pk), str(second.pk)]
    assert 'aria-current="true">Programme order</a>' in in_order.content.decode()


def test_it_lists_criteria_the_most_often_not_met_first(client, as_user, web):
    as_user("staff")

    response = client.get(detail(web), {"period": "2026-10"})

    titles = [item.criterion.title for item in response.context["criteria"]]
    assert titles == ["Layout", "README", "API"]
    html = response.content.decode()
    assert html.index(">Layout</th>") < html.index(">README</th>") < html.index(">API</th>")


def test_it_says_no_data_for_a_period_with_none(client, as_user, web):
    as_user("staff")

    response = client.get(detail(web), {"period": "2025-Q1"})

    html = response.content.decode()
    assert html.count('<span class="heat-no-data">no data</span>') == 2 * 5 + 3 + 2
    assert '<span class="heat-figure">0</span>' in html  # counts of questions are counts


def test_it_keeps_the_period_in_the_links(client, as_user, web):
    as_user("staff")

    listing = client.get(LIST, {"period": "2026-10"}).content.decode()
    page = client.get(detail(web), {"period": "2026-10"}).content.decode()

    assert f'href="{detail(web)}?period=2026-10"' in listing
    assert 'href="?period=2026-10&amp;order=programme"' in page


def test_it_summarises_each_programme_in_a_line(client, as_user, web):
    empty = ProgrammeFactory(title="Data analysis")
    as_user("staff")

    response = client.get(LIST, {"period": "2026-10"})

    rows = {row.programme.title: row for row in response.context["rows"]}
    assert list(rows) == ["Data analysis", "Web development"]
    assert rows["Web development"].approvals == 1
    assert rows["Web development"].hardest.project.title == "Project 2"
    assert rows["Data analysis"].hardest is None
    assert rows_of(response.content.decode(), "programme-row") == [str(empty.pk), str(web.pk)]


def test_it_shows_the_pages_in_russian(client, as_user, web, staff):
    staff.language = "ru"
    staff.save()
    as_user("staff")

    page = client.get(detail(web), {"period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="ru")
    listing = client.get(LIST, HTTP_ACCEPT_LANGUAGE="ru")

    assert "Где студентам трудно в программе Web development" in page.content.decode()
    assert "нет данных" in page.content.decode()
    assert "Аналитика программ" in listing.content.decode()


# --- Queries --------------------------------------------------------------------------


def _school(programmes: int, students: int) -> None:
    reviewer = MentorFactory()
    for index in range(programmes):
        programme = ProgrammeFactory()
        items = [project(programme, position, "One", "Two") for position in (1, 2, 3)]
        for number in range(students):
            student = enrol(programme, date(2026, 9, 1)).student
            approved = attempt(
                student, items[0], 1, reviewed_at=at(2026, 10, 3), reviewer=reviewer
            )
            rate(approved, 1 + number % 5, when=at(2026, 10, 4))
            ask(student, items[1], when=at(2026, 10, 5))
            if number % 3 == 0:
                drop(student, on=date(2026, 10, 6 + index))


@pytest.mark.parametrize(("programmes", "students"), [(1, 2), (5, 6)])
def test_it_lists_programmes_in_a_constant_number_of_queries(
    client, as_user, django_assert_max_num_queries, programmes, students
):
    _school(programmes, students)
    as_user("staff")

    # The session and its user, the programmes, the analytics' nine, and the
    # navigation's two counts (open questions, unread notifications).
    with django_assert_max_num_queries(14):
        response = client.get(LIST, {"period": "2026-10"})

    assert len(response.context["rows"]) == programmes


@pytest.mark.parametrize("students", [2, 12])
def test_it_shows_a_programme_in_a_constant_number_of_queries(
    client, as_user, django_assert_max_num_queries, students
):
    _school(1, students)
    as_user("staff")
    programme = ProgrammeFactory._meta.model.objects.get()

    # The session and its user, the programme, the analytics' nine, and the
    # navigation's two counts (open questions, unread notifications).
    with django_assert_max_num_queries(14):
        response = client.get(detail(programme), {"period": "2026-10"})

    assert response.context["analytics"].approvals == students
    assert timezone.is_aware(response.context["analytics"].start)


@pytest.mark.parametrize("page", ["list", "detail"])
def test_it_reads_the_figures_again_from_the_cache_for_a_while(
    client, as_user, django_assert_max_num_queries, web, page
):
    as_user("staff")
    url = LIST if page == "list" else detail(web)
    first = client.get(url, {"period": "2026-10"})

    # The session and its user, the programme(s), and the navigation's two counts:
    # none of the analytics' nine.
    with django_assert_max_num_queries(5):
        again = client.get(url, {"period": "2026-10"})

    assert again.status_code == 200
    assert again.context["rows"] == first.context["rows"]
