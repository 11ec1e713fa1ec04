"""``make bench`` (``manage.py bench_scorecards``, ``metrics.bench``). The benchmark
itself is not a test; these check that it refuses SQLite and the configured database,
that its generator builds a school whose records feed every metric of the scorecard
(each record where its rule says it belongs), and that the whole command runs at a tiny
size (the last three on PostgreSQL only), so that it cannot rot."""

import json
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F

from knowledge_base.models import Answer, Question
from mentorship.bench import server_connection
from mentorship.models import (
    ActivityEvent,
    Assignment,
    DailyActivity,
    Role,
    StudentProfile,
    User,
)
from mentorship.selectors import mentor_at, student_statuses_on
from metrics import bench
from metrics.definitions import METRICS
from metrics.periods import Period
from metrics.scorecards import compute_period
from projects.models import Review, Submission
from students.models import MentoringSession

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the refusal on SQLite")
def test_it_refuses_to_run_on_sqlite(db):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_scorecards", "--mentors", "20", "--students", "50", stdout=StringIO())


@postgresql_only
def test_it_refuses_to_use_the_configured_database_for_the_benchmark(db):
    with pytest.raises(CommandError, match="must not be the configured database"):
        call_command(
            "bench_scorecards", "--database", connection.settings_dict["NAME"], stdout=StringIO()
        )


@postgresql_only
def test_its_generator_builds_a_school_whose_records_feed_every_metric(db):
    bench.bench_data_generate(mentors=20, students=300, vacuum=False)

    counts = {
        role: User.objects.filter(email__startswith="bench-sc-", role=role).count()
        for role in Role.values
    }
    assert counts == {"student": 300, "mentor": 20, "supervisor": 1, "staff": 1}
    students = User.objects.filter(role=Role.STUDENT)
    # Each student has a profile, a first mentor from the start, and some a second.
    assert StudentProfile.objects.count() == 300
    assert Assignment.objects.values("student_id").distinct().count() == 300
    assert 300 < Assignment.objects.count() < 330
    # Statuses as the history says on the last day, of every kind but paused at least.
    last_day = bench.HISTORY_END - timedelta(days=1)
    statuses = student_statuses_on(day=last_day, student_ids=students.values("pk"))
    assert statuses == dict(StudentProfile.objects.values_list("user_id", "status"))
    assert {"active", "dropped", "graduated"} <= set(statuses.values())
    # The rollup is summed from the events.
    assert sum(DailyActivity.objects.values_list("events", flat=True)) == (
        ActivityEvent.objects.count()
    )
    # Reviews, sessions and mentors' answers are by the mentor of the moment.
    assert not (
        Submission.objects.filter(reviewed_at__isnull=False)
        .annotate(mentor_then=mentor_at(at="reviewed_at"))
        .exclude(review__reviewer_id=F("mentor_then"))
        .exists()
    )
    assert Review.objects.count() == Submission.objects.filter(reviewed_at__isnull=False).count()
    assert not (
        MentoringSession.objects.annotate(mentor_then=mentor_at(at="scheduled_at"))
        .exclude(mentor_id=F("mentor_then"))
        .exists()
    )
    assert Answer.objects.filter(author__role=Role.MENTOR).exists()
    assert Question.objects.filter(first_answered_at__isnull=True).exists()
    # Nothing after the history.
    end = datetime.combine(bench.HISTORY_END, time.min, tzinfo=UTC)
    assert not Submission.objects.filter(submitted_at__gte=end).exists()

    # Every metric has records in the history's two quarters.
    with_records = {
        key
        for quarter in ("2024-Q1", "2024-Q2")
        for key, by_mentor in compute_period(
            Period.parse(quarter), ZoneInfo(settings.TIME_ZONE)
        ).items()
        if any(computed.n for computed in by_mentor.values())
    }
    without_records = sorted({metric.key for metric in METRICS} - with_records)
    assert without_records == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_command_runs_at_a_tiny_size(tmp_path):
    name = f"{connection.settings_dict['NAME']}_bench_scorecards"
    server = dict(connection.settings_dict)
    output = tmp_path / "scorecards.json"
    try:
        out = StringIO()
        call_command(
            "bench_scorecards",
            "--mentors",
            "20",
            "--students",
            "200",
            "--zones",
            "2",
            "--requests",
            "5",
            # In this process: a pool forked from the test run (its connections and
            # state) failed in CI's full run ("no results to fetch"); the pool is what
            # `make bench` runs from a process of its own.
            "--workers",
            "1",
            "--database",
            name,
            "--output",
            str(output),
            stdout=out,
        )
    finally:
        # The command points the connection at its own database: back to the test's.
        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = server["NAME"]
        connections["default"].settings_dict["NAME"] = server["NAME"]
        admin = server_connection(server, "postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    result = json.loads(output.read_text())
    assert (result["mentors"], result["students"]) == (20, 200)
    # The demo's first two calendars and the school's.
    assert result["calendars"] == sorted(["Europe/Moscow", "Europe/Paris", settings.TIME_ZONE])
    assert result["usual_night"]["periods"] == ["2024-W25"]
    assert result["worst_night"]["periods"] == ["2024-W26", "2024-06", "2024-Q2"]
    assert result["worst_night"]["computations"] == 9
    # Every period on every calendar, a task a period and share.
    assert result["worst_night"]["workers"] == 1
    assert result["worst_night"]["tasks"] == 3
    assert len(result["worst_night"]["by_calendar"]) == 9
    assert set(result["breakdown"]) == {"2024-W26", "2024-06", "2024-Q2"}
    assert result["dashboard_team"] == 20
    # The page itself, answered 200 to the signed-in supervisor every time.
    assert result["dashboard_mode"] == "the page metrics:dashboard through the test client"
    assert result["dashboard"]["p95"] > 0
    assert result["dashboard_unfrozen"]["p95"] > 0
    # The sample the page loads, with a review to read for each mentor (moved into the
    # last days for the measurement): the reviews, their figures, session and reader.
    assert result["dashboard_sample"]["p95"] > 0
    assert result["dashboard_sample_queries"] == 5
    assert result["build_seconds"] > 0
    assert "worst night" in out.getvalue()
