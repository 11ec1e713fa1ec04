"""Scorecards: percentiles among the mentors of the same programmes, composites by the
staff's weights, the snapshots of closed periods and the live current one, what a
scorecard shows to whom, and who may read whose."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.utils import timezone

from conftest import ROLES
from mentorship.tests.factories import MentorFactory
from metrics import scorecards, tasks
from metrics.definitions import METRICS_BY_KEY, Priority
from metrics.models import MetricSnapshot, ScorecardWeights, SnapshotRun
from metrics.periods import Period, PeriodKind
from metrics.scorecards import (
    COMPOSITE_MIN_RECORDS,
    TREND_PERIODS,
    Computed,
    SnapshotWork,
    _percentiles,
    composites,
    compute_period,
    metric_rows,
    period_figures,
    periods_to_snapshot,
    scorecard,
    scorecard_mentor_for_user,
    scorecard_mentors_visible_to,
    snapshot_closed_periods,
    snapshot_period,
    snapshot_work_do,
    snapshots_due,
    team_composites,
)
from projects.tests.factories import ProgrammeFactory

from .helpers_scorecards import UTC, proposal, session, student_of, survey

pytestmark = pytest.mark.django_db

# The periods as the portal reads them today (these tests run on the real clock): the
# month that runs now and the last closed one.
CURRENT = Period.containing(timezone.now().astimezone(UTC).date(), PeriodKind.MONTH)
CLOSED = CURRENT.previous()


def _in(period: Period, days: int = 1) -> datetime:
    """A moment ``days`` days into a period, in UTC (noon)."""
    return period.bounds(UTC)[0] + timedelta(days=days, hours=12)


def _long_ago() -> datetime:
    return CLOSED.bounds(UTC)[0] - timedelta(days=400)


# --- Percentiles -----------------------------------------------------------------------


def _ranked(key: str, figures: dict, programmes: dict) -> dict:
    computed = {
        mentor: Computed(value=value, n=n, expected=expected)
        for mentor, (value, n, expected) in figures.items()
    }
    _percentiles(METRICS_BY_KEY[key], computed, programmes)
    return {mentor: figure.percentile for mentor, figure in computed.items()}


def test_a_mentor_is_ranked_among_the_mentors_who_share_a_programme_ties_counting_half():
    p1, p2, p3 = 101, 102, 103
    ranked = _ranked(
        "second_reading",
        {
            1: (4.0, 3, None),
            2: (3.0, 3, None),
            3: (5.0, 3, None),
            4: (3.0, 3, None),
            5: (2.0, 3, None),
            6: (5.0, COMPOSITE_MIN_RECORDS - 1, None),
        },
        {
            1: frozenset({p1}),
            2: frozenset({p1}),
            3: frozenset({p2}),
            4: frozenset({p1, p2}),
            5: frozenset({p3}),
            6: frozenset({p1}),
        },
    )

    assert ranked == {
        1: 100.0,  # above 2 and 4, its peers in p1
        2: 25.0,  # level with 4, below 1: half of one of two
        3: 100.0,  # above 4, its one peer in p2
        4: 16.7,  # peers 1, 2, 3: level with 2 only
        5: None,  # alone in its programme
        6: None,  # too few records to rank; nobody is ranked against it either
    }


def test_a_mentor_without_programmes_is_ranked_among_every_mentor():
    ranked = _ranked(
        "second_reading",
        {1: (3.0, 3, None), 2: (4.0, 3, None), 3: (2.0, 3, None)},
        {2: frozenset({101}), 3: frozenset({102})},
    )

    assert ranked[1] == 50.0


def test_the_faster_mentor_ranks_higher_where_lower_is_better():
    programmes = {1: frozenset({101}), 2: frozenset({101})}

    ranked = _ranked("review_time", {1: (2.0, 3, None), 2: (10.0, 3, None)}, programmes)

    assert ranked == {1: 100.0, 2: 0.0}


def test_students_success_is_ranked_on_the_difference_from_what_was_expected():
    programmes = {1: frozenset({101}), 2: frozenset({101})}

    ranked = _ranked("first_attempt", {1: (0.9, 3, 0.9), 2: (0.5, 3, 0.3)}, programmes)

    assert ranked == {1: 0.0, 2: 100.0}


def test_a_count_of_none_is_ranked_as_zero():
    programmes = {1: frozenset({101}), 2: frozenset({101})}

    ranked = _ranked("proposals_filed", {1: (0.0, 0, None), 2: (2.0, 2, None)}, programmes)

    assert ranked == {1: 0.0, 2: 100.0}


def test_compute_period_ranks_mentors_among_those_of_their_programmes():
    python, design = ProgrammeFactory(), ProgrammeFactory()
    strong, weak, elsewhere = MentorFactory(), MentorFactory(), MentorFactory()
    strong.mentor_profile.programmes.add(python)
    weak.mentor_profile.programmes.add(python)
    elsewhere.mentor_profile.programmes.add(design)
    for mentor, count in ((strong, 2), (weak, 1), (elsewhere, 3)):
        for day in range(count):
            proposal(mentor, filed=_in(CLOSED, day))

    figures = compute_period(CLOSED, UTC)["proposals_filed"]

    assert {m: (figures[m.pk].value, figures[m.pk].percentile) for m in (strong, weak)} == {
        strong: (2.0, 100.0),
        weak: (1.0, 0.0),
    }
    assert figures[elsewhere.pk].percentile is None  # alone in its programme


# --- Composites ------------------------------------------------------------------------


def _with_percentiles(mentor_id: int, **percentiles) -> dict:
    return {
        key: {mentor_id: Computed(value=1.0, n=5, percentile=percentile)}
        for key, percentile in percentiles.items()
    }


FIGURES = _with_percentiles(
    7,
    on_track=80.0,
    first_attempt=60.0,
    review_time=40.0,
    reviews_written=0.0,  # context, not in the composite
    recommend_score=None,  # not ranked
)


def test_a_composite_is_the_mean_percentile_per_priority_and_the_weighted_mean_overall():
    weights = ScorecardWeights.current().as_dict()  # 40, 25, 20, 10, 5

    scores = composites(FIGURES, 7, weights)

    assert scores == {
        Priority.STUDENT_SUCCESS: 70.0,
        Priority.SERVICE: 40.0,
        Priority.METHODOLOGY: None,
        Priority.SELF_DEVELOPMENT: None,
        Priority.RECOMMENDATIONS: None,
        # Weights renormalised over the priorities with data: (40 * 70 + 25 * 40) / 65.
        "overall": 58.5,
    }


def test_a_zero_weight_leaves_a_priority_out_of_the_overall_score():
    weights = ScorecardWeights.current()
    weights.service = 0
    weights.save()

    scores = composites(FIGURES, 7, ScorecardWeights.current().as_dict())

    assert (scores[Priority.SERVICE], scores["overall"]) == (40.0, 70.0)


def test_there_is_no_composite_without_ranked_figures():
    weights = ScorecardWeights.current().as_dict()

    assert set(composites({}, 7, weights).values()) == {None}
    only_zero_weights = dict.fromkeys(weights, 0)
    assert composites(FIGURES, 7, only_zero_weights)["overall"] is None


# --- Snapshots -------------------------------------------------------------------------


def _snapshot_rows() -> list[tuple]:
    return list(
        MetricSnapshot.objects.order_by("zone", "period", "mentor_id", "metric").values_list(
            "zone", "period", "mentor_id", "metric", "value", "n", "expected", "percentile"
        )
    )


def _two_mentors():
    mentor, other = MentorFactory(), MentorFactory()
    student = student_of(mentor, since=_long_ago())
    rated = session(mentor, student, scheduled=_in(CLOSED, 2), rating=4)
    proposal(other, filed=_in(CLOSED, 3))
    return mentor, other, rated


def test_a_snapshot_holds_the_figures_of_the_period():
    mentor, other, _rated = _two_mentors()

    written = snapshot_period(CLOSED, "UTC")

    rows = {(row[2], row[3]): row[4:6] for row in _snapshot_rows()}
    assert written == len(rows)
    assert rows[(mentor.pk, "session_rating")] == (4.0, 1)
    assert rows[(other.pk, "proposals_filed")] == (1.0, 1)
    assert rows[(mentor.pk, "proposals_filed")] == (0.0, 0)
    assert (other.pk, "session_rating") not in rows
    live = compute_period(CLOSED, UTC)
    assert written == sum(len(figures) for figures in live.values())
    run = SnapshotRun.objects.get()
    assert (run.zone, run.period, run.mentors, run.rows) == ("UTC", CLOSED.key, 2, written)


def test_a_snapshot_taken_twice_leaves_the_same_rows():
    _two_mentors()
    first = snapshot_period(CLOSED, "UTC")
    rows = _snapshot_rows()

    again = snapshot_period(CLOSED, "UTC")

    assert again == first
    assert _snapshot_rows() == rows
    assert SnapshotRun.objects.count() == 1


def test_a_snapshot_taken_again_drops_the_figures_that_no_longer_exist():
    mentor, _other, rated = _two_mentors()
    snapshot_period(CLOSED, "UTC")
    rated.delete()

    snapshot_period(CLOSED, "UTC")

    metrics = set(MetricSnapshot.objects.filter(mentor=mentor).values_list("metric", flat=True))
    assert not metrics & {"session_rating", "session_top", "no_show"}
    assert "proposals_filed" in metrics


def test_the_periods_to_snapshot_are_the_closed_ones_the_trends_need_not_done_yet():
    SnapshotRun.objects.create(zone="UTC", period="2026-10")
    SnapshotRun.objects.create(zone="Europe/Moscow", period="2026-09")

    periods = periods_to_snapshot("UTC", today=date(2026, 11, 15))

    assert [period.key for period in periods] == [
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-Q3",
        "2026-08",
        "2026-09",
        "2026-W40",
        "2026-W41",
        "2026-W42",
        "2026-W43",
        "2026-W44",
        "2026-W45",
    ]


def test_a_period_is_kept_only_once_final_two_days_after_it_ends():
    # A flag opened on 31 October has until 2 November to be acknowledged.
    def months(today):
        return [p.key for p in periods_to_snapshot("UTC", today=today) if p.kind == "month"]

    assert months(date(2026, 11, 1))[-1] == "2026-09"
    assert months(date(2026, 11, 2))[-1] == "2026-09"
    assert months(date(2026, 11, 3))[-1] == "2026-10"


def test_the_nightly_snapshot_computes_only_the_periods_missing_on_every_calendar():
    MentorFactory(time_zone="Europe/Moscow")
    today = timezone.now().astimezone(UTC).date()

    first = snapshot_closed_periods(today=today)
    again = snapshot_closed_periods(today=today)
    SnapshotRun.objects.filter(zone="Europe/Moscow", period=CLOSED.key).delete()
    redone = snapshot_closed_periods(today=today)

    assert first == 2 * 3 * TREND_PERIODS  # two calendars, weeks, months and quarters
    assert again == 0
    assert redone == 1
    assert set(SnapshotRun.objects.values_list("zone", flat=True)) == {"Europe/Moscow", "UTC"}


def test_a_night_is_planned_longest_first_calendars_with_the_same_bounds_sharing_one():
    # Paris and Berlin start and end every period at the same moments; Moscow does not.
    for zone in ("Europe/Paris", "Europe/Berlin", "Europe/Moscow"):
        MentorFactory(time_zone=zone)
    today = date(2026, 7, 3)  # June and the second quarter became final today

    due = snapshots_due(today=today)
    tonight = [work for work in due if work.period_key in ("2026-W26", "2026-06", "2026-Q2")]

    assert [work.period_key for work in tonight] == ["2026-Q2", "2026-06", "2026-W26"]
    june = tonight[1]
    assert sorted(june.calendars) == [
        ("Europe/Berlin", "Europe/Paris"),
        ("Europe/Moscow",),
        ("UTC",),
    ]
    kinds = [Period.parse(work.period_key).kind for work in due]
    assert kinds == sorted(kinds, key=["quarter", "month", "week"].index)
    # In shares, one a worker process: every calendar in one of them, once.
    shared = [work for work in snapshots_due(today=today, parts=2) if work.period_key == "2026-06"]
    assert [len(work.calendars) for work in shared] == [2, 1]
    assert sorted(name for work in shared for name in work.zone_names) == sorted(june.zone_names)


def test_the_beat_task_hands_the_night_to_tasks_in_shares(monkeypatch, settings):
    settings.SNAPSHOT_PARTS = 2
    MentorFactory(time_zone="Europe/Moscow")
    handed = []
    real = tasks.snapshot_scorecard_period.run

    def one(period_key, calendars):
        handed.append((period_key, calendars))
        return real(period_key, calendars)

    monkeypatch.setattr(tasks.snapshot_scorecard_period, "run", one)
    due = snapshots_due(parts=2)

    assert tasks.snapshot_scorecards.delay().get() == len(due) == 2 * 3 * TREND_PERIODS
    assert handed == [(work.period_key, [list(names) for names in work.calendars]) for work in due]
    assert SnapshotRun.objects.count() == 2 * 3 * TREND_PERIODS
    assert tasks.snapshot_scorecards.delay().get() == 0


def test_a_share_delivered_twice_is_done_once_and_redone_for_a_calendar_it_lacks():
    mentor, _other, _rated = _two_mentors()
    work = SnapshotWork(CLOSED.key, (("Europe/Berlin", "Europe/Paris"), ("Europe/Moscow",)))

    first = snapshot_work_do(work)
    calendars = [list(names) for names in work.calendars]
    again = tasks.snapshot_scorecard_period.delay(work.period_key, calendars).get()
    SnapshotRun.objects.filter(zone="Europe/Paris").delete()
    MetricSnapshot.objects.filter(zone="Europe/Paris").delete()
    redone = snapshot_work_do(work)

    assert first > 0
    assert again == 0
    assert redone == first
    for zone in work.zone_names:
        kept = MetricSnapshot.objects.get(
            zone=zone, period=CLOSED.key, mentor=mentor, metric="session_rating"
        )
        assert (kept.value, kept.n) == (4.0, 1)


def test_period_figures_reads_closed_periods_from_snapshots_and_computes_the_current_one():
    mentor, other, _rated = _two_mentors()
    snapshot_period(CLOSED, "UTC")
    student = student_of(mentor, since=_long_ago())
    # Came after the snapshot: the closed period's figure stays as it was kept.
    session(mentor, student, scheduled=_in(CLOSED, 4), rating=2)
    session(mentor, student, scheduled=CURRENT.bounds(UTC)[0], rating=5)
    earlier = CLOSED.previous()
    session(mentor, student, scheduled=_in(earlier, 4), rating=3)

    figures = period_figures([earlier, CLOSED, CURRENT], UTC, mentor_ids=[mentor.pk])

    def rating(period):
        found = figures[period.key]["session_rating"][mentor.pk]
        return (found.value, found.n)

    assert rating(CLOSED) == (4.0, 1)  # the snapshot
    assert rating(CURRENT) == (5.0, 1)  # live
    assert rating(earlier) == (3.0, 1)  # closed, never snapshotted: computed
    assert other.pk not in figures[CLOSED.key]["proposals_filed"]
    assert other.pk not in figures[CURRENT.key]["proposals_filed"]


def test_period_figures_reads_the_snapshots_of_closed_periods_in_one_query(
    django_assert_num_queries,
):
    mentor, _other, _rated = _two_mentors()
    periods = CLOSED.last(3)
    for period in periods:
        snapshot_period(period, "UTC")

    # The snapshot runs of those periods, then their rows.
    with django_assert_num_queries(2):
        figures = period_figures(periods, UTC, mentor_ids=[mentor.pk])

    assert figures[CLOSED.key]["session_rating"][mentor.pk].value == 4.0


def test_it_keeps_a_live_period_one_mentor_an_entry_and_reads_only_those_asked(monkeypatch):
    mentor, other, _rated = _two_mentors()
    student = student_of(mentor, since=_long_ago())
    session(mentor, student, scheduled=CURRENT.bounds(UTC)[0], rating=5)
    first = period_figures([CURRENT], UTC, mentor_ids=[mentor.pk])

    def not_again(*args, **kwargs):
        raise AssertionError("computed again instead of read from the cache")

    monkeypatch.setattr(scorecards, "compute_period", not_again)
    again = period_figures([CURRENT], UTC, mentor_ids=[mentor.pk])

    assert again[CURRENT.key]["session_rating"] == first[CURRENT.key]["session_rating"]
    assert again[CURRENT.key]["session_rating"][mentor.pk].value == 5.0
    assert all(other.pk not in by_mentor for by_mentor in again[CURRENT.key].values())
    live_key = scorecards._live_key(CURRENT, "UTC")
    assert mentor.pk in cache.get(live_key)
    assert "session_rating" in cache.get(scorecards._live_mentor_key(live_key, mentor.pk))


def test_it_computes_a_live_period_again_when_a_mentors_entry_is_gone():
    mentor, _other, _rated = _two_mentors()
    student = student_of(mentor, since=_long_ago())
    session(mentor, student, scheduled=CURRENT.bounds(UTC)[0], rating=5)
    period_figures([CURRENT], UTC, mentor_ids=[mentor.pk])
    live_key = scorecards._live_key(CURRENT, "UTC")
    cache.delete(scorecards._live_mentor_key(live_key, mentor.pk))

    figures = period_figures([CURRENT], UTC, mentor_ids=[mentor.pk])

    assert figures[CURRENT.key]["session_rating"][mentor.pk].value == 5.0
    assert cache.get(scorecards._live_mentor_key(live_key, mentor.pk)) is not None


@pytest.mark.django_db(transaction=True)
def test_two_snapshots_of_a_period_at_once_leave_the_same_rows(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's shared in-memory test database refuses a second "
            "writer instead of making it wait"
        )
    _two_mentors()
    snapshot_period(CLOSED, "UTC")
    expected = _snapshot_rows()
    MetricSnapshot.objects.all().delete()
    SnapshotRun.objects.all().delete()
    # Both compute first, then write together.
    barrier = threading.Barrier(2)
    compute = scorecards.compute_period

    def compute_then_wait(*args, **kwargs):
        figures = compute(*args, **kwargs)
        barrier.wait(timeout=30)
        return figures

    monkeypatch.setattr(scorecards, "compute_period", compute_then_wait)
    outcomes: dict = {}

    def run(name):
        try:
            outcomes[name] = snapshot_period(CLOSED, "UTC")
        except Exception as error:  # reported by the test, in the main thread
            outcomes[name] = error
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a snapshot never finished"
    assert outcomes == {"first": len(expected), "second": len(expected)}
    assert _snapshot_rows() == expected
    assert SnapshotRun.objects.count() == 1


# --- A scorecard -----------------------------------------------------------------------


def _figure(card, key):
    return next(
        figure for group in card.groups for figure in group.figures if figure.metric.key == key
    )


def _surveyed(mentor, period, answers: int) -> None:
    for index in range(answers):
        student = student_of(mentor, since=_long_ago())
        survey(student, mentor, answered=_in(period, index), score=8, plans="yes")


def test_the_mentor_sees_survey_figures_only_over_enough_answers_their_supervisor_always(
    mentor, supervisor
):
    _surveyed(mentor, CLOSED, 2)

    own = _figure(scorecard(mentor=mentor, period=CLOSED, reader=mentor), "recommend_score")
    supervised = _figure(
        scorecard(mentor=mentor, period=CLOSED, reader=supervisor), "recommend_score"
    )

    assert (own.hidden, own.value, own.expected, own.percentile, own.n) == (
        True,
        None,
        None,
        None,
        2,
    )
    assert (supervised.hidden, supervised.value, supervised.n) == (False, 8.0, 2)


def test_the_mentor_sees_survey_figures_over_three_answers(mentor):
    _surveyed(mentor, CLOSED, METRICS_BY_KEY["recommend_score"].mentor_min_n)

    own = _figure(scorecard(mentor=mentor, period=CLOSED, reader=mentor), "recommend_score")

    assert (own.hidden, own.value, own.n) == (False, 8.0, 3)


def test_the_trend_covers_six_periods_ending_with_the_one_shown(mentor, supervisor):
    student = student_of(mentor, since=_long_ago())
    three_before = CLOSED.last(4)[0]
    session(mentor, student, scheduled=_in(three_before), rating=3)
    session(mentor, student, scheduled=_in(CLOSED), rating=5)

    card = scorecard(mentor=mentor, period=CLOSED, reader=supervisor)

    trend = _figure(card, "session_rating").trend
    assert [period for period, _value in trend] == CLOSED.last(TREND_PERIODS)
    assert [value for _period, value in trend] == [None, None, 3.0, None, None, 5.0]
    assert [period for period, _score in card.overall_trend] == CLOSED.last(TREND_PERIODS)
    assert card.live is False


def test_the_mentors_trend_hides_each_period_with_too_few_survey_answers(mentor, supervisor):
    _surveyed(mentor, CLOSED, 3)
    _surveyed(mentor, CLOSED.previous(), 1)

    own = _figure(scorecard(mentor=mentor, period=CLOSED, reader=mentor), "recommend_score")
    supervised = _figure(
        scorecard(mentor=mentor, period=CLOSED, reader=supervisor), "recommend_score"
    )

    assert [value for _period, value in own.trend][-2:] == [None, 8.0]
    assert [value for _period, value in supervised.trend][-2:] == [8.0, 8.0]


def test_the_current_period_is_computed_live(mentor):
    student = student_of(mentor, since=_long_ago())
    session(mentor, student, scheduled=CURRENT.bounds(UTC)[0], rating=4)

    card = scorecard(mentor=mentor, period=CURRENT, reader=mentor)

    assert card.live is True
    assert _figure(card, "session_rating").value == 4.0


def test_the_scorecard_reads_periods_on_the_readers_calendar(mentor, supervisor):
    student = student_of(mentor, since=_long_ago())
    # 23:30 UTC on the closed month's last day: the next month in Moscow.
    late = CLOSED.bounds(UTC)[1] - timedelta(minutes=30)
    session(mentor, student, scheduled=late, rating=4)
    supervisor.time_zone = "Europe/Moscow"
    supervisor.save()

    in_utc = _figure(scorecard(mentor=mentor, period=CLOSED, reader=mentor), "session_rating")
    in_moscow = _figure(
        scorecard(mentor=mentor, period=CLOSED, reader=supervisor), "session_rating"
    )

    assert (in_utc.value, in_moscow.value) == (4.0, None)
    assert supervisor.zone == ZoneInfo("Europe/Moscow")


def test_the_team_table_shows_the_composites_the_scorecards_show(supervisor):
    programme = ProgrammeFactory()
    mentors = [MentorFactory(), MentorFactory()]
    for mentor in mentors:
        mentor.mentor_profile.programmes.add(programme)
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
    # The first files more proposals than the second this month, fewer the month before.
    for mentor, before, now in ((mentors[0], 0, 2), (mentors[1], 1, 1)):
        for day in range(before):
            proposal(mentor, filed=_in(CLOSED.previous(), day))
        for day in range(now):
            proposal(mentor, filed=_in(CLOSED, day))

    rows = team_composites(mentors=mentors, period=CLOSED, reader=supervisor)

    for mentor in mentors:
        card = scorecard(mentor=mentor, period=CLOSED, reader=supervisor)
        assert (rows[mentor.pk].overall, rows[mentor.pk].previous) == (
            card.overall,
            card.previous_overall,
        )
    assert [rows[mentor.pk].trend for mentor in mentors] == [1, -1]
    assert rows[mentors[0].pk].overall > rows[mentors[1].pk].overall


def test_the_records_behind_a_figure_are_the_mentors_own(mentor):
    student = student_of(mentor, since=_long_ago())
    other = MentorFactory()
    held = [session(mentor, student, scheduled=_in(CLOSED, day), rating=4) for day in (1, 2)]
    session(other, student, scheduled=_in(CLOSED, 3), rating=5)

    rows = metric_rows(METRICS_BY_KEY["session_rating"], CLOSED, UTC, mentor=mentor)

    assert sorted(row.record_id for row in rows) == sorted(s.pk for s in held)
    assert len(rows) == compute_period(CLOSED, UTC)["session_rating"][mentor.pk].n


# --- Who reads whose scorecard ------------------------------------------------------------

VISIBLE = {
    "student": set(),
    "other_student": set(),
    "mentor": {"mentor"},
    "other_mentor": {"other_mentor"},
    "supervisor": {"mentor"},
    "other_supervisor": {"other_mentor"},
    "staff": {"mentor", "other_mentor"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_scorecards_it_may(role, request):
    people = {name: request.getfixturevalue(name) for name in ROLES}

    visible = set(scorecard_mentors_visible_to(people[role]))

    assert visible == {people[name] for name in VISIBLE[role]}


def test_nobody_signed_out_or_deactivated_reads_a_scorecard(mentor, supervisor):
    supervisor.is_active = False
    supervisor.save()

    assert not scorecard_mentors_visible_to(AnonymousUser()).exists()
    assert not scorecard_mentors_visible_to(supervisor).exists()


def test_a_supervisor_loads_their_teams_scorecard_and_not_another_teams(
    supervisor, mentor, other_mentor
):
    assert scorecard_mentor_for_user(supervisor, mentor.pk) == mentor
    with pytest.raises(Http404):
        scorecard_mentor_for_user(supervisor, other_mentor.pk)


def test_a_mentor_loads_only_their_own_scorecard(mentor, other_mentor, student):
    assert scorecard_mentor_for_user(mentor, mentor.pk) == mentor
    with pytest.raises(Http404):
        scorecard_mentor_for_user(mentor, other_mentor.pk)
    with pytest.raises(Http404):
        scorecard_mentor_for_user(student, mentor.pk)
