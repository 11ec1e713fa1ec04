"""The scorecard's sparklines and the team's chart as coordinates (``metrics.charts``)."""

from metrics.charts import TeamPeriod, sparkline, team_chart
from metrics.periods import Period

MONTHS = Period.parse("2026-03").last(6)


def trend(*values):
    return list(zip(MONTHS, values, strict=True))


def test_it_scales_a_sparkline_between_its_bounds():
    line = sparkline(trend(0.0, 0.5, 1.0, 0.25, 0.75, 1.0), low=0.0, high=1.0)

    assert [point.x for point in line.points] == [3.0, 21.0, 39.0, 57.0, 75.0, 93.0]
    assert [point.y for point in line.points] == [21.0, 12.0, 3.0, 16.5, 7.5, 3.0]
    assert line.lines == ["3.0,21.0 21.0,12.0 39.0,3.0 57.0,16.5 75.0,7.5 93.0,3.0"]
    assert line.last.period == MONTHS[-1]


def test_it_scales_a_sparkline_to_its_own_values_by_default():
    line = sparkline(trend(10.0, 20.0, 30.0, 20.0, 10.0, 30.0))

    assert [point.y for point in line.points] == [21.0, 12.0, 3.0, 12.0, 21.0, 3.0]


def test_it_draws_a_flat_line_through_the_middle():
    line = sparkline(trend(4.0, 4.0, 4.0, 4.0, 4.0, 4.0))

    assert {point.y for point in line.points} == {12.0}


def test_it_breaks_the_line_where_a_period_has_no_value():
    line = sparkline(trend(1.0, None, 2.0, 3.0, None, None), text=lambda v: f"v={v}")

    assert line.lines == ["3.0,21.0", "39.0,12.0 57.0,3.0"]
    assert line.last.period == MONTHS[3]
    assert line.summary.startswith("October 2025: v=1.0; November 2025: v=None; ")


def test_it_says_a_sparkline_without_values_is_empty():
    line = sparkline(trend(None, None, None, None, None, None))

    assert line.empty
    assert line.lines == []


def test_it_draws_the_teams_median_and_middle_half():
    periods = [
        TeamPeriod(MONTHS[0], 4, 50.0, 25.0, 75.0),
        TeamPeriod(MONTHS[1], 4, 50.0, 40.0, 60.0),
        TeamPeriod(MONTHS[2], 0, None, None, None),
        TeamPeriod(MONTHS[3], 1, 100.0, 100.0, 100.0),
        TeamPeriod(MONTHS[4], 0, None, None, None),
        TeamPeriod(MONTHS[5], 2, 0.0, 0.0, 0.0),
    ]

    chart = team_chart(periods)

    # x from 30 to 348 in five steps; y from 10 (100) to 156 (0).
    assert [point.x for point in chart.points] == [30.0, 93.6, 157.2, 220.8, 284.4, 348.0]
    assert [point.y for point in chart.points] == [83.0, 83.0, None, 10.0, None, 156.0]
    assert chart.lines == ["30.0,83.0 93.6,83.0", "220.8,10.0", "348.0,156.0"]
    assert chart.band == [
        "30.0,46.5 93.6,68.4 93.6,97.6 30.0,119.5",
        "218.8,10.0 222.8,10.0 222.8,10.0 218.8,10.0",
        "346.0,156.0 350.0,156.0 350.0,156.0 346.0,156.0",
    ]
    assert [(line.value, line.y) for line in chart.grid] == [(0, 156.0), (50, 83.0), (100, 10.0)]
    assert [label.text for label in chart.labels] == ["Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    assert not chart.empty


def test_it_labels_weeks_and_quarters_briefly():
    weeks = team_chart(
        [TeamPeriod(p, 0, None, None, None) for p in Period.parse("2026-W10").last(2)]
    )
    quarters = team_chart(
        [TeamPeriod(p, 0, None, None, None) for p in Period.parse("2026-Q1").last(2)]
    )

    assert [label.text for label in weeks.labels] == ["23 Feb", "2 Mar"]
    assert [label.text for label in quarters.labels] == ["Q4", "Q1"]
    assert weeks.empty
