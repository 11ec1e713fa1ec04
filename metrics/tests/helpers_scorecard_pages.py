"""Figures for the tests of the scorecard and dashboard pages, written as the nightly
snapshot writes them (``MetricSnapshot`` rows and the period's ``SnapshotRun``), so a
page reads closed periods without computing anything."""

from collections.abc import Iterable

from mentorship.models import User
from mentorship.tests.factories import MentorFactory
from metrics.models import MetricSnapshot, SnapshotRun
from metrics.periods import Period

ZONE = "UTC"


def snapshot_runs(periods: Iterable[Period], *, zone: str = ZONE) -> None:
    """Marks periods as computed: pages read their figures from the snapshots (none
    written is "no data")."""
    SnapshotRun.objects.bulk_create(
        [SnapshotRun(period=period.key, zone=zone) for period in periods],
        ignore_conflicts=True,
    )


def snapshot(
    mentor: User,
    period: Period | str,
    metric: str,
    value: float | None,
    *,
    n: int = 20,
    expected: float | None = None,
    percentile: float | None = None,
    zone: str = ZONE,
) -> MetricSnapshot:
    """One figure of a mentor in a closed period (the period marked as computed)."""
    key = period if isinstance(period, str) else period.key
    SnapshotRun.objects.get_or_create(period=key, zone=zone)
    return MetricSnapshot.objects.create(
        mentor=mentor,
        period=key,
        zone=zone,
        metric=metric,
        value=value,
        n=n,
        expected=expected,
        percentile=percentile,
    )


def snapshot_team(
    mentors: list[User], periods: Iterable[Period], *, zone: str = ZONE
) -> list[MetricSnapshot]:
    """A few figures of every mentor in every period, in one statement: a session
    rating, a first-attempt rate beside its expectation and a review time, each with a
    percentile that differs from mentor to mentor."""
    periods = list(periods)
    snapshot_runs(periods, zone=zone)
    rows = []
    for index, mentor in enumerate(mentors):
        for age, period in enumerate(periods):
            percentile = float((index * 7 + age * 3) % 100)
            rows += [
                MetricSnapshot(
                    mentor=mentor,
                    period=period.key,
                    zone=zone,
                    metric="session_rating",
                    value=4.0 + (index % 10) / 10,
                    n=12,
                    expected=4.2,
                    percentile=percentile,
                ),
                MetricSnapshot(
                    mentor=mentor,
                    period=period.key,
                    zone=zone,
                    metric="first_attempt",
                    value=0.5,
                    n=20,
                    expected=0.6,
                    percentile=100 - percentile,
                ),
                MetricSnapshot(
                    mentor=mentor,
                    period=period.key,
                    zone=zone,
                    metric="review_time",
                    value=30.0,
                    n=15,
                    percentile=percentile,
                ),
            ]
    return MetricSnapshot.objects.bulk_create(rows)


def team_of(supervisor: User, size: int, *, name: str = "Mentor") -> list[User]:
    """``size`` mentors in ``supervisor``'s team, named ``Mentor 000``, ``Mentor 001``..."""
    mentors = []
    for index in range(size):
        mentor = MentorFactory(display_name=f"{name} {index:03d}")
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save(update_fields=["supervisor"])
        mentors.append(mentor)
    return mentors
