"""``GET /api/v1/scorecards/``: mentors' scorecards for a period, to the people who may
read them, each metric with its key, value, n, expected, percentile and trend."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from conftest import ROLES
from mentorship.tests.factories import MentorFactory
from metrics.definitions import METRICS
from metrics.models import MetricSnapshot, ScorecardWeights, SnapshotRun
from metrics.periods import Period

# Whose scorecards each role reads; students are refused.
VISIBLE = {
    "mentor": {"mentor"},
    "other_mentor": {"other_mentor"},
    "supervisor": {"mentor"},
    "other_supervisor": {"other_mentor"},
    "staff": {"mentor", "other_mentor"},
}
OCTOBER = Period.parse("2026-10")


def _list(client, query: str = ""):
    return client.get(reverse("api:scorecard-list") + query)


def _snapshot(mentor, period: Period, metric: str, **fields):
    SnapshotRun.objects.get_or_create(zone="UTC", period=period.key)
    return MetricSnapshot.objects.create(
        mentor=mentor, zone="UTC", period=period.key, metric=metric, **fields
    )


@pytest.fixture
def snapshots(mentor, other_mentor):
    """October and September on the UTC calendar, from the snapshots."""
    for user, value in ((mentor, 0.75), (other_mentor, 0.5)):
        _snapshot(user, OCTOBER, "first_attempt", value=value, n=8, expected=0.6, percentile=80)
        _snapshot(user, OCTOBER.previous(), "first_attempt", value=0.4, n=5, percentile=20)
    return {"mentor": mentor, "other_mentor": other_mentor}


@pytest.mark.django_db
def test_it_answers_anonymous_callers_with_401(client):
    assert _list(client).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_scorecards_the_caller_may_read(client, as_user, snapshots, role):
    as_user(role)
    response = _list(client, "?period=2026-10")
    if role not in VISIBLE:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = {item["mentor"]["id"] for item in response.json()["results"]}
    assert ids == {snapshots[name].pk for name in VISIBLE[role]}


@pytest.mark.django_db
def test_it_gives_each_metric_its_figure_expectation_percentile_and_trend(
    client, as_user, snapshots
):
    as_user("supervisor")
    [card] = _list(client, "?period=2026-10").json()["results"]
    assert card["period"] == "2026-10"
    assert card["starts_on"] == "2026-10-01"
    assert card["ends_before"] == "2026-11-01"
    assert card["final"] is True
    assert [metric["key"] for metric in card["metrics"]] == [
        metric.key for metric in sorted(METRICS, key=lambda m: _priority_order(m.priority))
    ]
    first = next(metric for metric in card["metrics"] if metric["key"] == "first_attempt")
    assert first["value"] == 0.75
    assert first["n"] == 8
    assert first["expected"] == 0.6
    assert first["difference"] == pytest.approx(0.15)
    assert first["percentile"] == 80
    assert first["unit"] == "share"
    assert first["higher_is_better"] is True
    assert [point["period"] for point in first["trend"]] == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert [point["value"] for point in first["trend"]][-2:] == [0.4, 0.75]
    # Only the first-attempt rate is ranked: success is its percentile, the others none.
    assert card["composites"]["student_success"] == 80
    assert card["composites"]["service"] is None
    assert card["composites"]["overall"] == 80


def _priority_order(priority: str) -> int:
    return [
        "student_success",
        "service",
        "methodology",
        "self_development",
        "recommendations",
    ].index(priority)


@pytest.mark.django_db
def test_it_says_no_data_as_null_not_zero(client, as_user, snapshots):
    as_user("mentor")
    [card] = _list(client, "?period=2026-10").json()["results"]
    rating = next(metric for metric in card["metrics"] if metric["key"] == "session_rating")
    assert rating["value"] is None
    assert rating["n"] == 0


@pytest.mark.django_db
def test_it_narrows_to_one_mentor(client, as_user, snapshots):
    as_user("staff")
    response = _list(client, f"?period=2026-10&mentor={snapshots['other_mentor'].pk}")
    assert [item["mentor"]["id"] for item in response.json()["results"]] == [
        snapshots["other_mentor"].pk
    ]


@pytest.mark.parametrize("role", ["mentor", "supervisor"])
def test_it_hides_a_mentor_the_caller_may_not_see(client, as_user, snapshots, role):
    as_user(role)
    response = _list(client, f"?period=2026-10&mentor={snapshots['other_mentor'].pk}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"), [("?period=2026-13", "period"), ("?mentor=abc", "mentor")]
)
def test_it_names_the_field_of_a_bad_filter(client, as_user, snapshots, query, field):
    as_user("staff")
    response = _list(client, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_it_follows_the_weights_staff_set(client, as_user, snapshots):
    _snapshot(snapshots["mentor"], OCTOBER, "review_time", value=10, n=5, percentile=20)
    weights = ScorecardWeights.current()
    as_user("mentor")
    [card] = _list(client, "?period=2026-10").json()["results"]
    # 40 x 80 + 25 x 20 over 65
    assert card["composites"]["overall"] == pytest.approx(round((40 * 80 + 25 * 20) / 65, 1))
    weights.service = 0
    weights.save()
    [card] = _list(client, "?period=2026-10").json()["results"]
    assert card["composites"]["overall"] == 80


@pytest.mark.django_db
def test_it_computes_the_current_period_live(client, as_user, mentor):
    as_user("mentor")
    now = datetime.now(UTC)
    current = Period.containing(now.date(), "month")
    [card] = _list(client, f"?period={current.key}").json()["results"]
    assert card["final"] is False
    counts = {metric["key"]: metric["value"] for metric in card["metrics"]}
    assert counts["reviews_written"] == 0  # a count: none is a figure
    assert counts["first_attempt"] is None  # a rate without records: no data


@pytest.mark.django_db
def test_it_runs_a_constant_number_of_queries(
    client, as_user, staff, django_assert_max_num_queries
):
    as_user("staff")
    for period in OCTOBER.last(6):  # closed periods: read from the snapshots
        SnapshotRun.objects.create(zone="UTC", period=period.key)

    def create(count):
        for _index in range(count):
            user = MentorFactory()
            _snapshot(user, OCTOBER, "first_attempt", value=0.5, n=4, percentile=50)

    create(3)
    with django_assert_max_num_queries(12):
        assert _list(client, "?period=2026-10").status_code == 200
    create(30)
    with django_assert_max_num_queries(12):
        response = _list(client, "?period=2026-10")
    assert response.json()["count"] == 33


def test_it_is_described_in_the_schema_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    listing = schema["paths"]["/api/v1/scorecards/"]["get"]
    assert {"period", "mentor", "page"} <= {p["name"] for p in listing["parameters"]}
    assert set(listing["responses"]) == {"200", "400", "401", "403", "404"}
    figure = schema["components"]["schemas"]["MetricFigure"]
    assert {"key", "value", "n", "expected", "percentile", "trend"} <= set(figure["properties"])
