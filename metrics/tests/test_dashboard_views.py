"""The supervisor's team dashboard and its CSV, per role: whose mentors it lists, what
a row says, sorting, the team's chart, the period picker, and a constant number of
queries whatever the number of mentors."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentorship.tests.factories import AssignmentFactory, StudentFactory
from metrics import dashboard
from metrics.periods import Period
from metrics.scorecards import default_period
from metrics.tests.helpers_scorecard_pages import snapshot, snapshot_runs, snapshot_team, team_of
from projects.tests.factories import ProjectFactory, ReviewFactory, SubmissionFactory
from students.tests.helpers_flags import make_flag

DASHBOARD = reverse("metrics:dashboard")
CSV = reverse("metrics:dashboard_csv")
SAMPLE = reverse("metrics:dashboard_sample")
MARCH = Period.parse("2026-03")
SIX_MONTHS = MARCH.last(6)


def rows_of(response) -> list[str]:
    return [str(row.mentor) for row in response.context["page"].object_list]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def closed(db):
    snapshot_runs(SIX_MONTHS)


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client):
    for url in (DASHBOARD, CSV, SAMPLE):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("role", ["student", "other_student", "mentor", "other_mentor"])
def test_it_refuses_students_and_mentors(client, as_user, role):
    as_user(role)

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(CSV).status_code == 403
    assert client.get(SAMPLE).status_code == 403


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        ("supervisor", "Maria Mentor", "Otto Othermentor"),
        ("other_supervisor", "Otto Othermentor", "Maria Mentor"),
    ],
)
def test_it_shows_a_supervisor_their_team_only(
    client, as_user, mentor, other_mentor, closed, role, sees, hidden
):
    as_user(role)

    response = client.get(DASHBOARD + "?period=2026-03")
    exported = client.get(CSV + "?period=2026-03")

    assert rows_of(response) == [sees]
    assertNotContains(response, hidden)
    assert [row[0] for row in csv_rows(exported)[1:]] == [sees]
    assertNotContains(exported, hidden)


def test_it_shows_staff_every_mentor_and_their_supervisor(
    client, as_user, mentor, other_mentor, closed
):
    as_user("staff")

    response = client.get(DASHBOARD + "?period=2026-03")

    assert rows_of(response) == ["Maria Mentor", "Otto Othermentor"]
    assert response.context["show_supervisor"]
    assertContains(response, "Sofia Supervisor")
    assertContains(response, "Oleg Othersupervisor")


def test_it_narrows_staff_to_one_team(client, as_user, supervisor, mentor, other_mentor, closed):
    as_user("staff")

    response = client.get(DASHBOARD + f"?period=2026-03&supervisor={supervisor.pk}")
    exported = client.get(CSV + f"?period=2026-03&supervisor={supervisor.pk}")

    assert rows_of(response) == ["Maria Mentor"]
    assert not response.context["show_supervisor"]
    assert [row[0] for row in csv_rows(exported)[1:]] == ["Maria Mentor"]


def test_it_names_a_team_that_does_not_exist_and_shows_everyone(
    client, as_user, mentor, other_mentor, closed
):
    as_user("staff")

    response = client.get(DASHBOARD + "?period=2026-03&supervisor=999999")

    assert rows_of(response) == ["Maria Mentor", "Otto Othermentor"]
    assertContains(response, "Choose one of the supervisors listed.")


def test_it_offers_supervisors_no_team_filter(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    assert "supervisor" not in response.context["form"].fields


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_refuses_post(client, as_user, role):
    as_user(role)

    assert client.post(DASHBOARD).status_code == 405
    assert client.post(CSV).status_code == 405
    assert client.post(SAMPLE).status_code == 405


# --- A mentor's row -------------------------------------------------------------------


@pytest.fixture
def busy_mentor(mentor, student, closed):
    """``mentor`` with two current students (capacity 10), two submissions waiting
    (the older three days), one open flag, a session rating and composites of 75 in
    March (up from 40 in February); a former student's waiting submission and open
    flag, and a current student's resolved flag, which do not count."""
    now = timezone.now()
    second = StudentFactory(display_name="Sam Second")
    AssignmentFactory(student=second, mentor=mentor)
    former = StudentFactory(display_name="Fred Former")
    AssignmentFactory(
        student=former, mentor=mentor, started_at=now - timedelta(days=60), ended_at=now
    )
    project = ProjectFactory()
    oldest = SubmissionFactory(student=student, project=project, submitted_at=now - timedelta(3))
    SubmissionFactory(student=second, project=project, submitted_at=now - timedelta(days=1))
    SubmissionFactory(student=former, project=project, submitted_at=now - timedelta(days=10))
    make_flag(student)
    make_flag(second, resolved_on=timezone.localdate())
    make_flag(former)
    snapshot(mentor, MARCH, "session_rating", 4.5, n=12, expected=4.2, percentile=70)
    snapshot(mentor, MARCH, "first_attempt", 0.8, n=20, expected=0.6, percentile=80)
    snapshot(mentor, "2026-02", "first_attempt", 0.4, n=20, expected=0.6, percentile=40)
    return oldest


def test_it_writes_a_row_in_the_readers_language(client, as_user, busy_mentor):
    reader = as_user("supervisor")
    reader.language = "ru"
    reader.save(update_fields=["language"])

    response = client.get(DASHBOARD + "?period=2026-03", headers={"accept-language": "ru"})

    assertContains(response, "2 из 10")
    assertContains(response, 'title="Прошлый период: 40"')
    assertContains(response, "рост с 40")
    assertContains(response, "12 встреч")
    assertContains(response, "3\xa0дня назад")


def test_it_counts_waiting_reviews_and_flags_only_of_mentors_the_reader_may_see(
    busy_mentor, mentor, supervisor, other_supervisor, staff
):
    for reader, seen in ((supervisor, True), (staff, True), (other_supervisor, False)):
        waiting = dashboard.oldest_waiting_reviews(reader, mentor_ids=[mentor.pk])
        flags = dashboard.open_flag_counts(reader, mentor_ids=[mentor.pk])
        assert waiting == ({mentor.pk: busy_mentor.submitted_at} if seen else {})
        assert flags == ({mentor.pk: 1} if seen else {})


def test_it_shows_what_each_mentor_is_carrying(client, as_user, busy_mentor):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    (row,) = response.context["page"].object_list
    assert (row.current_students, row.capacity, row.open_flags) == (2, 10, 1)
    assert row.oldest_waiting == busy_mentor.submitted_at
    assert (row.satisfaction.value, row.satisfaction.n) == (4.5, 12)
    assert (row.overall_text, row.previous_text, row.trend) == ("75", "40", 1)
    assertContains(response, "2 of 10")
    assertContains(response, "3\xa0days ago")
    assertContains(response, "12 sessions")
    assertContains(response, 'data-trend="up"')
    assertContains(response, "up from 40")


def test_it_exports_the_table_as_csv(client, as_user, busy_mentor, mentor):
    reader = as_user("supervisor")

    response = client.get(CSV + "?period=2026-03")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="team-2026-03.csv"'
    waiting = busy_mentor.submitted_at.astimezone(reader.zone).isoformat(timespec="minutes")
    assert csv_rows(response) == [
        [
            "mentor",
            "email",
            "supervisor",
            "current_students",
            "capacity",
            "oldest_waiting_review",
            "open_flags",
            "session_rating",
            "rated_sessions",
            "composite",
            "previous_composite",
            "trend",
        ],
        [
            "Maria Mentor",
            mentor.email,
            "Sofia Supervisor",
            "2",
            "10",
            waiting,
            "1",
            "4.5",
            "12",
            "75.0",
            "40.0",
            "up",
        ],
    ]


def test_it_keeps_spreadsheets_from_running_a_cell(client, as_user, mentor, closed):
    mentor.display_name = '=HYPERLINK("http://evil.test","click")'
    mentor.save(update_fields=["display_name"])
    as_user("supervisor")

    response = client.get(CSV + "?period=2026-03")

    assert csv_rows(response)[1][0] == '\'=HYPERLINK("http://evil.test","click")'


def test_it_says_no_data_for_a_mentor_without_figures(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    (row,) = response.context["page"].object_list
    assert (row.satisfaction, row.overall_text, row.oldest_waiting, row.open_flags) == (
        None,
        "",
        None,
        0,
    )
    assertContains(response, "none waiting")
    table = response.content.decode().split('data-testid="dashboard-trends"')[0]
    assert table.count("no data") == 2  # composite and session rating


def test_it_links_each_mentor_to_their_scorecard(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    url = reverse("metrics:scorecard", args=[mentor.pk])
    assertContains(response, f'href="{url}?period=2026-03"')


# --- Sorting and pages ----------------------------------------------------------------


@pytest.fixture
def three_mentors(supervisor, mentor, closed):
    """Maria (composite 80, no flags), Alex (20, two flags) and Zed (no figures, one
    flag), all in ``supervisor``'s team."""
    alex, zed = team_of(supervisor, 1, name="Alex")[0], team_of(supervisor, 1, name="Zed")[0]
    snapshot(mentor, MARCH, "first_attempt", 0.9, n=20, expected=0.6, percentile=80)
    snapshot(alex, MARCH, "first_attempt", 0.3, n=20, expected=0.6, percentile=20)
    for mentor_of, count in ((alex, 2), (zed, 1)):
        for _index in range(count):
            flagged = StudentFactory()
            AssignmentFactory(student=flagged, mentor=mentor_of)
            make_flag(flagged)
    return mentor, alex, zed


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["Alex 000", "Maria Mentor", "Zed 000"]),
        ("name", ["Alex 000", "Maria Mentor", "Zed 000"]),
        ("-name", ["Zed 000", "Maria Mentor", "Alex 000"]),
        ("composite", ["Alex 000", "Maria Mentor", "Zed 000"]),
        ("-composite", ["Maria Mentor", "Alex 000", "Zed 000"]),
        ("-flags", ["Alex 000", "Zed 000", "Maria Mentor"]),
        ("password", ["Alex 000", "Maria Mentor", "Zed 000"]),
    ],
)
def test_it_sorts_by_the_column_asked(client, as_user, three_mentors, sort, order):
    as_user("supervisor")

    response = client.get(DASHBOARD + f"?period=2026-03&sort={sort}")
    exported = client.get(CSV + f"?period=2026-03&sort={sort}")

    assert rows_of(response) == order
    assert [row[0] for row in csv_rows(exported)[1:]] == order


def test_it_links_the_headers_to_sort_both_ways(client, as_user, three_mentors):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03&sort=-composite")

    assertContains(response, 'href="?period=2026-03&amp;sort=composite"')
    assertContains(response, 'href="?period=2026-03&amp;sort=flags"')
    assertContains(response, 'aria-sort="descending"', count=1)


def test_it_lists_fifty_mentors_a_page(client, as_user, supervisor, closed):
    team_of(supervisor, 51)
    as_user("supervisor")

    first = client.get(DASHBOARD + "?period=2026-03")
    second = client.get(DASHBOARD + "?period=2026-03&page=2")

    assert len(first.context["page"].object_list) == 50
    assert rows_of(second) == ["Mentor 050"]
    assert first.context["mentors"] == 51
    assertContains(first, "?period=2026-03&amp;sort=name&amp;page=2")
    assert len(csv_rows(client.get(CSV + "?period=2026-03"))) == 1 + 51


# --- The team's trend -----------------------------------------------------------------


def test_it_draws_the_teams_trend(client, as_user, supervisor):
    snapshot_team(team_of(supervisor, 3), SIX_MONTHS)
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    chart = response.context["chart"]
    assert [each.period.key for each in chart.periods] == [p.key for p in SIX_MONTHS]
    assert [each.mentors for each in chart.periods] == [3] * 6
    assert all(point.y is not None for point in chart.points)
    assertContains(response, 'data-testid="team-chart-point"', count=6)


def test_it_says_when_the_team_has_no_scores_yet(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03")

    assert response.context["chart"].empty
    assertContains(response, "No composite scores in these periods yet.")


# --- The period picker ----------------------------------------------------------------


def test_it_opens_on_the_last_closed_month(client, as_user, mentor):
    reader = as_user("supervisor")

    response = client.get(DASHBOARD)

    assert response.context["picker"].period == default_period(reader.zone)


def test_it_names_a_wrong_period_and_shows_the_default(client, as_user, mentor):
    reader = as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-13&sort=-composite")
    exported = client.get(CSV + "?period=2026-13")

    default = default_period(reader.zone)
    assert response.status_code == 200
    assert response.context["picker"].period == default
    assertContains(response, "Write a week, a month or a quarter")
    # The links carry the period shown, not the wrong key, and keep the order.
    assertContains(response, f'href="?period={default.previous().key}&amp;sort=-composite"')
    assert exported["Content-Disposition"] == f'attachment; filename="team-{default.key}.csv"'


def test_it_keeps_the_order_when_the_period_changes(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(DASHBOARD + "?period=2026-03&sort=-composite")

    assertContains(response, 'href="?period=2026-02&amp;sort=-composite"')
    assertContains(response, 'href="?period=2026-Q1&amp;sort=-composite"')
    assertContains(response, '<input type="hidden" name="sort" value="-composite">', html=True)


def test_it_says_the_current_period_is_still_running(client, as_user, mentor):
    reader = as_user("supervisor")
    current = Period.containing(timezone.now().astimezone(reader.zone).date(), "month")

    response = client.get(DASHBOARD + f"?period={current.key}")

    assertContains(response, "This period is still running")


# --- Where it is linked from ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url_name", "links"),
    [
        ("supervisor", "metrics:dashboard", 2),
        # Staff also reach every mentor from the fullest mentors' summary.
        ("staff", "metrics:dashboard", 3),
        ("mentor", "metrics:scorecard_mine", 2),
    ],
)
def test_it_is_linked_from_the_home_page_and_the_navigation(
    client, as_user, role, url_name, links
):
    as_user(role)

    response = client.get(reverse("metrics:home"))

    assertContains(response, f'href="{reverse(url_name)}"', count=links)


def test_it_is_not_offered_to_students(client, as_user):
    as_user("student")

    response = client.get(reverse("metrics:home"))

    assertNotContains(response, f'href="{DASHBOARD}"')
    assertNotContains(response, f'href="{reverse("metrics:scorecard_mine")}"')


# --- Queries --------------------------------------------------------------------------


def busy_team(supervisor, size: int) -> list:
    """``size`` mentors, each with a current student who has a submission waiting and
    an open flag."""
    team = team_of(supervisor, size)
    project = ProjectFactory()
    for mentor in team:
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        SubmissionFactory(student=student, project=project)
        make_flag(student)
    return team


@pytest.mark.parametrize("size", [5, 100])
def test_it_reads_a_closed_period_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    snapshot_team(busy_team(supervisor, size), SIX_MONTHS)
    as_user("supervisor")

    # Session, reader, the mentors with their load, the oldest waiting reviews, the
    # open flags; for the composites and the chart at once the snapshot runs, the
    # snapshots and the weights (the first reading of the weights creates them: a
    # savepoint and an insert); the team's review consistency (its mentors, their
    # reviews, their verdicts); the navigation's two counts. The second-reading sample
    # comes with a request of its own.
    with django_assert_max_num_queries(16, info="Dashboard: a query per mentor?"):
        response = client.get(DASHBOARD + "?period=2026-03&sort=-composite")

    assert response.context["mentors"] == size
    assert {row.open_flags for row in response.context["page"].object_list} == {1}


@pytest.mark.parametrize("size", [5, 100])
def test_it_computes_the_current_period_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    team = busy_team(supervisor, size)
    reader = as_user("supervisor")
    current = Period.containing(timezone.now().astimezone(reader.zone).date(), "month")
    snapshot_team(team, current.last(6)[:-1])

    # The closed period's sixteen, and the live month computed once for every mentor.
    with django_assert_max_num_queries(57, info="Live dashboard: a query per mentor?"):
        response = client.get(DASHBOARD + f"?period={current.key}")

    assert response.context["mentors"] == size
    assert response.context["picker"].live


@pytest.mark.parametrize("size", [5, 20])
def test_it_samples_a_page_of_mentors_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    team = busy_team(supervisor, size)
    recent = timezone.now() - timedelta(days=1)
    for mentor in team:
        ReviewFactory(
            submission=SubmissionFactory(submitted_at=recent), reviewer=mentor, created_at=recent
        )
    as_user("supervisor")

    # Session, reader, the mentors, their reviews, their second-reading figures.
    with django_assert_max_num_queries(5, info="Sample: a query per mentor?"):
        response = client.get(SAMPLE, {"mentor": [mentor.pk for mentor in team]})

    assert [len(group.reviews) for group in response.context["sample"].groups] == [1] * size


@pytest.mark.parametrize("size", [5, 100])
def test_it_exports_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    snapshot_team(busy_team(supervisor, size), SIX_MONTHS)
    as_user("supervisor")

    # The page's queries but the chart's (its snapshot runs, snapshots and weights)
    # and the navigation's counts.
    with django_assert_max_num_queries(11, info="CSV: a query per mentor?"):
        response = client.get(CSV + "?period=2026-03")

    assert len(csv_rows(response)) == 1 + size


# --- One team: review consistency and second reading ----------------------------------


def test_it_shows_a_team_its_review_consistency_and_reviews_to_read(
    client, as_user, mentor, student, closed
):
    project = ProjectFactory()
    recent = timezone.now() - timedelta(days=2)
    submission = SubmissionFactory(student=student, project=project, submitted_at=recent)
    review = ReviewFactory(submission=submission, reviewer=mentor, created_at=recent)
    as_user("supervisor")

    current = Period.containing(timezone.now().date(), "month")
    response = client.get(DASHBOARD + f"?period={current.key}")

    consistency = response.context["consistency"]
    assert [row.mentor for row in consistency.mentors] == [mentor]
    # The reviews to read come once the section is in view, for the page's mentors.
    sample_url = response.context["sample_url"]
    assert sample_url.startswith(SAMPLE + f"?mentor={mentor.pk}&next=")
    assertContains(response, 'hx-trigger="revealed"')
    assertContains(response, 'data-testid="second-reading-loading"')

    sample = client.get(sample_url, headers={"hx-request": "true"})

    [group] = sample.context["sample"].groups
    assert [item.review for item in group.reviews] == [review]
    assertContains(sample, 'data-testid="second-reading-review"')
    assertContains(sample, reverse("metrics:second_reading_review", args=[review.pk]))
    # A rating posted without htmx comes back to the dashboard as it was.
    assertContains(sample, f'name="next" value="{DASHBOARD}?period={current.key}"')


@pytest.fixture
def recent_reviews(mentor, other_mentor, student, other_student):
    """A review each of ``mentor`` and ``other_mentor`` (different teams), two days ago."""
    recent = timezone.now() - timedelta(days=2)
    reviews = {}
    for reviewer, author in ((mentor, student), (other_mentor, other_student)):
        submission = SubmissionFactory(student=author, submitted_at=recent)
        reviews[reviewer] = ReviewFactory(
            submission=submission, reviewer=reviewer, created_at=recent
        )
    return reviews


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("supervisor", ["mentor"]),
        ("other_supervisor", ["other_mentor"]),
        ("staff", ["other_mentor", "mentor"]),
    ],
)
def test_it_samples_only_mentors_the_reader_reads_in_the_order_asked(
    request, client, as_user, mentor, other_mentor, recent_reviews, role, shown
):
    as_user(role)

    response = client.get(SAMPLE, {"mentor": [other_mentor.pk, mentor.pk, other_mentor.pk]})

    expected = [request.getfixturevalue(name) for name in shown]
    groups = response.context["sample"].groups
    assert [group.mentor for group in groups] == expected
    assert [group.reviews[0].review for group in groups] == [recent_reviews[m] for m in expected]
    for hidden in {mentor, other_mentor} - set(expected):
        assertNotContains(response, str(recent_reviews[hidden].submission.project.title))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"mentor": "abc"},
        {"mentor": "-1"},
        {"mentor": str(2**70)},
        {"mentor": "²"},
        {"mentor": "999999"},
    ],
)
def test_it_samples_nobody_for_mentors_it_cannot_read(client, as_user, recent_reviews, query):
    as_user("supervisor")

    response = client.get(SAMPLE, query)

    assert response.status_code == 200
    assert response.context["sample"].groups == []
    assertContains(response, "No mentors to show.")


@pytest.mark.parametrize(
    ("given", "back"),
    [
        ("/team/?period=2026-03&sort=-composite", "/team/?period=2026-03&amp;sort=-composite"),
        ("https://evil.example/", "/team/"),
        ("//evil.example/team/", "/team/"),
        ("", "/team/"),
    ],
)
def test_it_sends_a_plain_rating_back_to_the_dashboard_only(
    client, as_user, mentor, recent_reviews, given, back
):
    as_user("supervisor")

    response = client.get(SAMPLE, {"mentor": mentor.pk, "next": given})

    assertContains(response, f'name="next" value="{back}"')


def test_it_renders_the_teams_consistency_once_in_each_language(
    client, as_user, mentor, student, closed
):
    recent = timezone.now() - timedelta(days=2)
    submission = SubmissionFactory(student=student, submitted_at=recent)
    ReviewFactory(submission=submission, reviewer=mentor, created_at=recent)
    reader = as_user("supervisor")
    current = Period.containing(timezone.now().date(), "month")
    url = DASHBOARD + f"?period={current.key}"

    english = client.get(url)
    again = client.get(url)
    reader.language = "ru"
    reader.save(update_fields=["language"])
    russian = client.get(url, headers={"accept-language": "ru"})

    for response in (english, again):
        assertContains(response, "Team on the same projects")
    assertContains(russian, "Команда на тех же проектах")
    assertNotContains(russian, "Team on the same projects")


def test_it_asks_staff_to_choose_a_team_before_comparing_mentors(
    client, as_user, mentor, other_mentor, closed
):
    as_user("staff")

    response = client.get(DASHBOARD + "?period=2026-03")

    assert response.context["consistency"] is None
    assert response.context["sample_url"] is None
    assertContains(response, "Choose a team to compare")
