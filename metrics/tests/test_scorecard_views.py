"""The scorecard page and the records behind a figure, per role: who sees whose, the
figures as they read, the period picker, and a constant number of queries whatever
the number of mentors."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from metrics.models import Survey, SurveyContinue
from metrics.periods import Period
from metrics.scorecards import default_period
from metrics.tests.helpers_scorecard_pages import snapshot, snapshot_runs, snapshot_team, team_of
from projects.models import Verdict
from projects.tests.factories import ProjectFactory, ReviewFactory, SubmissionFactory

MARCH = Period.parse("2026-03")
SIX_MONTHS = MARCH.last(6)  # 2025-10 .. 2026-03


def card_url(mentor, period: str | None = MARCH.key) -> str:
    url = reverse("metrics:scorecard", args=[mentor.pk])
    return f"{url}?period={period}" if period else url


def records_url(mentor, metric: str = "first_attempt", period: str = MARCH.key, **query) -> str:
    url = reverse("metrics:scorecard_records", args=[mentor.pk, metric])
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return f"{url}?period={period}{extra}"


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def closed(db):
    """The six months up to March 2026 are computed (no figures: "no data")."""
    snapshot_runs(SIX_MONTHS)


def mentored_since_january(mentor, **fields):
    """A student of ``mentor``'s since 1 January 2026 (so March's records are theirs)."""
    student = StudentFactory(**fields)
    AssignmentFactory(student=student, mentor=mentor, started_at=at(1, month=1))
    return student


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, mentor):
    for url in (reverse("metrics:scorecard_mine"), card_url(mentor), records_url(mentor)):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_refuses_students(client, as_user, role, mentor, closed):
    as_user(role)

    for url in (reverse("metrics:scorecard_mine"), card_url(mentor), records_url(mentor)):
        assert client.get(url).status_code == 403


def test_it_shows_a_mentor_their_own_scorecard_only(client, as_user, mentor, other_mentor, closed):
    as_user("mentor")

    assert client.get(card_url(mentor)).status_code == 200
    assert client.get(records_url(mentor)).status_code == 200
    assert client.get(card_url(other_mentor)).status_code == 404
    assert client.get(records_url(other_mentor)).status_code == 404


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        ("supervisor", "mentor", "other_mentor"),
        ("other_supervisor", "other_mentor", "mentor"),
    ],
)
def test_it_shows_a_supervisor_their_team_only(
    client, as_user, request, role, sees, hidden, closed
):
    as_user(role)
    visible, invisible = request.getfixturevalue(sees), request.getfixturevalue(hidden)

    assert client.get(card_url(visible)).status_code == 200
    assert client.get(records_url(visible)).status_code == 200
    assert client.get(card_url(invisible)).status_code == 404
    assert client.get(records_url(invisible)).status_code == 404


def test_it_shows_staff_every_mentor(client, as_user, mentor, other_mentor, closed):
    as_user("staff")

    for each in (mentor, other_mentor):
        assert client.get(card_url(each)).status_code == 200
        assert client.get(records_url(each)).status_code == 200


def test_it_answers_404_for_a_metric_that_does_not_exist(client, as_user, mentor, closed):
    as_user("staff")

    assert client.get(records_url(mentor, metric="charisma")).status_code == 404


def test_it_answers_404_for_a_person_who_is_no_mentor(client, as_user, supervisor, closed):
    as_user("staff")

    assert client.get(card_url(supervisor)).status_code == 404


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_refuses_post(client, as_user, role, mentor):
    as_user(role)

    for url in (reverse("metrics:scorecard_mine"), card_url(mentor), records_url(mentor)):
        assert client.post(url).status_code == 405


def test_it_takes_a_mentor_to_their_own_scorecard(client, as_user):
    mentor = as_user("mentor")

    response = client.get(reverse("metrics:scorecard_mine") + "?period=2026-03")

    assert response.status_code == 302
    assert response.url == card_url(mentor)


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_takes_supervisors_and_staff_to_the_dashboard(client, as_user, role):
    as_user(role)

    response = client.get(reverse("metrics:scorecard_mine"))

    assert response.status_code == 302
    assert response.url == reverse("metrics:dashboard")


# --- Figures --------------------------------------------------------------------------


def test_it_shows_each_figure_in_its_unit(client, as_user, mentor, closed):
    snapshot(mentor, MARCH, "first_attempt", 0.75, n=20, expected=0.6, percentile=80)
    snapshot(mentor, MARCH, "on_track", 0.75, n=4, expected=0.5)
    snapshot(mentor, MARCH, "review_time", 30.0, n=15, percentile=60)
    snapshot(mentor, MARCH, "articles_published", 2.0, n=2, percentile=50)
    snapshot(mentor, MARCH, "session_rating", 4.5, n=12, expected=4.2, percentile=70)
    as_user("supervisor")

    response = client.get(card_url(mentor))

    page = response.context["page"]
    first = page.line("first_attempt")
    assert (first.value, first.expected, first.difference, first.verdict) == (
        "75%",
        "60%",
        "+15 pp",
        "better",
    )
    assert first.percentile == "80"
    small = page.line("on_track")
    assert (small.value, small.expected, small.difference, small.verdict) == (
        "3 of 4",
        "50%",
        "",
        "better",
    )
    assert page.line("review_time").value == "1\xa0day, 6\xa0hours"
    assert page.line("articles_published").value == "2"
    assert page.line("session_rating").value == "4.5 of 5"
    assert page.line("retention").value == "no data"
    assertContains(response, "3 of 4")
    assertContains(response, "+15 pp")
    assertContains(response, '<span class="small">better</span>', html=True)


def test_it_says_when_a_figure_is_worse_than_expected(client, as_user, mentor, closed):
    # Fewer attempts are better: 2 where 1.5 was expected is worse.
    snapshot(mentor, MARCH, "attempts_to_approval", 2.0, n=20, expected=1.5, percentile=30)
    as_user("supervisor")

    response = client.get(card_url(mentor))

    line = response.context["page"].line("attempts_to_approval")
    assert (line.difference, line.direction, line.verdict) == ("+0.5", "up", "worse")
    assertContains(response, 'data-verdict="worse"')
    assertContains(response, '<span class="small">worse</span>', html=True)


def test_it_links_every_figure_to_its_records(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(card_url(mentor))

    for group in response.context["page"].groups:
        for line in group.lines:
            assertContains(response, f'href="{records_url(mentor, line.metric.key)}"')


def test_it_shows_the_mentor_survey_figures_only_over_three_answers(
    client, as_user, mentor, closed
):
    snapshot(mentor, MARCH, "recommend_score", 9.0, n=2, expected=8.0)
    snapshot(mentor, MARCH, "plans_to_continue", 1.0, n=3, expected=0.8)
    client.force_login(mentor)

    own = client.get(card_url(mentor))

    assert own.context["page"].line("recommend_score").figure.hidden
    assertContains(own, "shown from 3 answers", count=1)
    assert own.context["page"].line("plans_to_continue").value == "3 of 3"


def test_it_shows_the_supervisor_survey_figures_on_few_answers(client, as_user, mentor, closed):
    snapshot(mentor, MARCH, "recommend_score", 9.0, n=2, expected=8.0)
    as_user("supervisor")

    response = client.get(card_url(mentor))

    assert response.context["page"].line("recommend_score").value == "9 of 10"
    assertNotContains(response, "shown from")


def test_it_weighs_the_priorities_into_the_composite(client, as_user, mentor, closed):
    snapshot(mentor, MARCH, "first_attempt", 0.75, n=20, expected=0.6, percentile=80)
    snapshot(mentor, MARCH, "review_time", 30.0, n=15, percentile=60)
    as_user("supervisor")

    response = client.get(card_url(mentor))

    page = response.context["page"]
    # Students' success 80 weighing 40, service 60 weighing 25: (3200 + 1500) / 65.
    assert page.overall == "72"
    assert [group.composite for group in page.groups] == ["80", "60", "", "", ""]
    assertContains(response, 'data-testid="overall">72 <span')


def test_it_draws_the_trend_of_the_last_six_periods(client, as_user, mentor, closed):
    for month, value in (("2025-10", 0.5), ("2025-11", 0.25), ("2026-01", 1.0), ("2026-03", 0.75)):
        snapshot(mentor, month, "first_attempt", value, n=20, expected=0.6, percentile=50)
    as_user("supervisor")

    response = client.get(card_url(mentor))

    trend = response.context["page"].line("first_attempt").trend
    assert [point.period.key for point in trend.points] == [p.key for p in SIX_MONTHS]
    assert [point.value for point in trend.points] == [0.5, 0.25, None, 1.0, None, 0.75]
    # Shares are drawn on 0 to 1: 100 % at the top (y 3), 25 % three quarters down.
    assert [point.y for point in trend.points] == [12.0, 16.5, None, 3.0, None, 7.5]
    assert len(trend.lines) == 3  # broken where a month has no figure
    # The composite's and this figure's; the figures without any value get a dash.
    assertContains(response, 'data-testid="sparkline"', count=2)


# --- The period picker ----------------------------------------------------------------


def test_it_offers_the_neighbouring_periods(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(card_url(mentor))

    picker = response.context["picker"]
    assert (picker.previous.key, picker.following.key) == ("2026-02", "2026-04")
    assert [choice.period.key for choice in picker.kinds] == ["2026-W14", "2026-03", "2026-Q1"]
    assertContains(response, 'href="?period=2026-02"')
    assertContains(response, 'href="?period=2026-W14"')
    assertContains(response, 'href="?period=2026-Q1"')
    assertNotContains(response, "still running")


def test_it_opens_on_the_last_closed_month(client, as_user, mentor):
    reader = as_user("supervisor")

    response = client.get(card_url(mentor, period=None))

    assert response.context["picker"].period == default_period(reader.zone)


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("2026-13", "Write a week, a month or a quarter"),
        ("March", "Write a week, a month or a quarter"),
        ("2099-01", "January 2099 has not begun yet."),
    ],
)
def test_it_names_a_wrong_period_and_shows_the_default(client, as_user, mentor, key, error):
    reader = as_user("supervisor")

    for url in (card_url(mentor, period=key), records_url(mentor, period=key)):
        response = client.get(url)

        assert response.status_code == 200
        assert response.context["picker"].period == default_period(reader.zone)
        assertContains(response, error)
        assertContains(response, 'data-testid="period-error"')


def test_it_says_the_current_period_is_still_running(client, as_user, mentor):
    reader = as_user("supervisor")
    current = Period.containing(timezone.now().astimezone(reader.zone).date(), "month")

    response = client.get(card_url(mentor, period=current.key))

    assert response.status_code == 200
    assert response.context["picker"].following is None
    assertContains(response, "This period is still running")


# --- The records behind a figure ------------------------------------------------------


@pytest.fixture
def first_attempts(mentor, other_mentor):
    """Two first attempts of ``mentor``'s student reviewed in March (one approved, one
    sent back) and one of another mentor's student."""
    student = mentored_since_january(mentor, display_name="Ada Student")
    approved = ReviewFactory(
        submission=SubmissionFactory(
            student=student, project=ProjectFactory(title="Landing page"), submitted_at=at(5)
        ),
        verdict=Verdict.APPROVED,
        created_at=at(6),
    )
    sent_back = ReviewFactory(
        submission=SubmissionFactory(
            student=student, project=ProjectFactory(title="Blog"), submitted_at=at(10)
        ),
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=at(12),
    )
    ReviewFactory(
        submission=SubmissionFactory(
            student=mentored_since_january(other_mentor, display_name="Otto's Student"),
            submitted_at=at(7),
        ),
        created_at=at(8),
    )
    return approved.submission, sent_back.submission


def test_it_lists_the_records_behind_a_figure(client, as_user, mentor, first_attempts, closed):
    approved, sent_back = first_attempts
    as_user("supervisor")

    response = client.get(records_url(mentor, "first_attempt"))

    records = response.context["records"]
    assert records.total == 2
    lines = list(records.page.object_list)
    assert [(line.what, line.outcome) for line in lines] == [
        ("Blog, attempt 1: Changes requested", "no"),
        ("Landing page, attempt 1: Approved", "yes"),
    ]
    assert [line.url for line in lines] == [
        reverse("projects:submission", args=[sent_back.pk]),
        reverse("projects:submission", args=[approved.pk]),
    ]
    assert {str(line.student) for line in lines} == {"Ada Student"}
    assertContains(response, "Approved at the first attempt")
    assertContains(response, "Share of first attempts reviewed in the period")
    assertNotContains(response, "Otto&#x27;s Student")


def test_it_shows_a_mentor_the_records_behind_their_own_figure(
    client, as_user, mentor, first_attempts, closed
):
    as_user("mentor")

    response = client.get(records_url(mentor, "first_attempt"))

    assert response.context["records"].total == 2


def test_it_says_when_no_record_stands_behind_a_figure(client, as_user, mentor, closed):
    as_user("supervisor")

    response = client.get(records_url(mentor, "first_attempt"))

    assert response.context["records"].total == 0
    assertContains(response, "No records stand behind this figure in this period.")


@pytest.fixture
def survey_answers(mentor):
    student = mentored_since_january(mentor, display_name="Sasha Surveyed")
    return Survey.objects.create(
        student=student,
        mentor=mentor,
        round=30,
        sent_at=at(2),
        answered_at=at(3),
        score=9,
        plans_to_continue=SurveyContinue.YES,
        comment="PRIVATE-COMMENT",
    )


def test_it_never_lists_survey_answers_to_the_mentor(
    client, as_user, mentor, survey_answers, closed
):
    as_user("mentor")

    response = client.get(records_url(mentor, "recommend_score"))

    assert response.context["records"] is None
    assertContains(response, 'data-testid="records-private"')
    assertNotContains(response, "Sasha Surveyed")


def test_it_lists_survey_answers_to_the_supervisor_without_comments(
    client, as_user, mentor, survey_answers, closed
):
    as_user("supervisor")

    response = client.get(records_url(mentor, "recommend_score"))

    (line,) = response.context["records"].page.object_list
    assert (str(line.student), line.what, line.outcome) == (
        "Sasha Surveyed",
        "would recommend: 9 of 10; plans to continue: Yes",
        "9",
    )
    assertNotContains(response, "PRIVATE-COMMENT")


def test_it_lists_records_fifty_a_page(client, as_user, mentor, closed):
    for index in range(51):
        mentored_since_january(mentor, display_name=f"Student {index:02d}")
    as_user("supervisor")

    first = client.get(records_url(mentor, "retention"))
    second = client.get(records_url(mentor, "retention", page=2))

    assert first.context["records"].total == 51
    assert len(first.context["records"].page.object_list) == 50
    assert [str(line.student) for line in second.context["records"].page.object_list] == [
        "Student 50"
    ]
    assertContains(first, "?period=2026-03&amp;page=2")


# --- Queries --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 100])
def test_it_reads_a_closed_scorecard_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    team = team_of(supervisor, size)
    snapshot_team(team, SIX_MONTHS)
    as_user("supervisor")

    # Session, reader, the mentor, the snapshot runs, the snapshots, the weights (and
    # the savepoint and insert of their first reading), the navigation's two counts.
    with django_assert_max_num_queries(11, info="Scorecard: did a query run per mentor?"):
        response = client.get(card_url(team[0]))

    assert response.status_code == 200
    assert response.context["page"].line("first_attempt").value == "50%"


@pytest.mark.parametrize("size", [5, 100])
def test_it_computes_the_current_period_in_a_constant_number_of_queries(
    client, as_user, supervisor, size, django_assert_max_num_queries
):
    team = team_of(supervisor, size)
    reader = as_user("supervisor")
    current = Period.containing(timezone.now().astimezone(reader.zone).date(), "month")
    snapshot_team(team, current.last(6)[:-1])
    for mentor in team:
        mentored_since_january(mentor)

    # The page's eleven, and the live month: a few queries per metric, for every
    # mentor at once.
    with django_assert_max_num_queries(52, info="Live scorecard: a query per mentor?"):
        response = client.get(card_url(team[0], period=current.key))

    assert response.status_code == 200
    assert response.context["page"].card.live


@pytest.mark.parametrize("size", [5, 60])
def test_it_lists_records_in_a_constant_number_of_queries(
    client, as_user, mentor, size, django_assert_max_num_queries
):
    snapshot_runs(SIX_MONTHS)
    for _index in range(size):
        mentored_since_january(mentor)
    as_user("supervisor")

    # The scorecard's eleven, the metric's rows (stints, students gone before the
    # period, status changes), then the records' order and the page of them.
    with django_assert_max_num_queries(16, info="Records: a query per record?"):
        response = client.get(records_url(mentor, "retention"))

    assert response.context["records"].total == size
    assert Assignment.objects.filter(mentor=mentor).count() == size
