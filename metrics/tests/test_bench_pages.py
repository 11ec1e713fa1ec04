"""``make bench`` (``manage.py bench_pages``, ``metrics.bench_pages``). The benchmark
itself is not a test; these check that every page it loads answers its reader on the
generated school, and that the whole command (gunicorn, wrk, the bare view) runs at a
tiny size, on PostgreSQL only, so that it cannot rot."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import Count, F, Min, Q, Sum
from django.test import Client
from django.urls import reverse

from mentorship.bench import server_connection
from mentorship.models import ActivityEvent, DailyActivity, Role, User
from mentorship.selectors import mentor_at
from metrics import bench_pages
from metrics.models import WeeklyReport, WeeklyReportStatus
from metrics.selectors import weekly_report_figures
from students.models import Incident, IncidentStatus, MentorNote

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the refusal on SQLite")
def test_it_refuses_to_run_on_sqlite(db):
    with pytest.raises(CommandError, match="needs PostgreSQL|wrk"):
        call_command("bench_pages", "--small", stdout=StringIO())


@postgresql_only
def test_every_page_it_loads_answers_its_reader(db):
    bench_pages.pages_data_generate(
        mentors=8, students=120, today=date.today(), progress=lambda step: None, vacuum=False
    )
    readers = bench_pages.readers_choose()
    pages = bench_pages.pages_of(readers)

    answers = {
        page.label: bench_pages.page_queries(page, readers.of(page.role))[0] for page in pages
    }

    assert {label: status for label, status in answers.items() if status != 200} == {}
    # Each role's home, queue, lists and the API lists are all there.
    assert {"home (student)", "home (mentor)", "home (supervisor)", "home (staff)"} <= set(answers)
    assert len(pages) >= 40


@postgresql_only
def test_its_school_has_a_year_and_what_the_mentors_write(db):
    today = date.today()
    bench_pages.pages_data_generate(
        mentors=8, students=120, today=today, progress=lambda step: None, vacuum=False
    )

    # A year of activity, the rollup summed from its events.
    assert ActivityEvent.objects.aggregate(first=Min("day"))["first"] < today - timedelta(days=330)
    assert DailyActivity.objects.aggregate(events=Sum("events"))["events"] == (
        ActivityEvent.objects.count()
    )

    # Each mentor's report of every week of the year that is over and drafted (Monday
    # noon), consecutive weeks; most sent, with comments, after they were drafted.
    mentors = User.objects.filter(role=Role.MENTOR)
    weeks = sorted(set(WeeklyReport.objects.values_list("week_start", flat=True)))
    assert WeeklyReport.objects.count() == len(weeks) * mentors.count()
    assert len(weeks) >= 51
    assert weeks == [weeks[0] + timedelta(days=7 * k) for k in range(len(weeks))]
    this_monday = today - timedelta(days=today.weekday())
    assert weeks[-1] == this_monday - timedelta(days=7 if today.weekday() else 14)
    sent = WeeklyReport.objects.filter(status=WeeklyReportStatus.SENT)
    assert sent.count() > 0.8 * WeeklyReport.objects.count()
    assert not sent.filter(Q(comments="") | Q(sent_at__lt=F("week_start") + 7)).exists()
    assert WeeklyReport.objects.filter(status=WeeklyReportStatus.DRAFT).exists()

    # The figures are in the shape the portal draws them, and the counts it draws from
    # the same records are the same (whom a student was behind plan and the waiting
    # submissions are the generator's own reckoning: keys only).
    mentor = mentors.annotate(students=Count("student_assignments")).order_by("-students")[0]
    for report in WeeklyReport.objects.filter(mentor=mentor):
        drawn = weekly_report_figures(mentor=mentor, week_start=report.week_start)
        figures = report.figures
        assert {key: set(value) for key, value in figures.items()} == {
            key: set(value) for key, value in drawn.items()
        }
        for section, exact in (
            ("students", ("current", "assigned", "left")),
            ("sessions", ("total", "by_outcome", "unlogged", "ratings", "next_week")),
            ("reviews", ("total", "approved", "changes_requested")),
            ("flags", ("outreach",)),
            ("community", tuple(drawn["community"])),
        ):
            assert {key: figures[section][key] for key in exact} == {
                key: drawn[section][key] for key in exact
            }, (report.week_start, section)
        assert figures["sessions"]["average_rating"] == pytest.approx(
            drawn["sessions"]["average_rating"], abs=0.01
        )
        assert figures["reviews"]["average_turnaround_hours"] == pytest.approx(
            drawn["reviews"]["average_turnaround_hours"], abs=0.1
        )
    report = sent.filter(mentor=mentor).order_by("-week_start").first()
    client = Client()
    client.force_login(mentor)
    assert client.get(reverse("metrics:weekly_report_detail", args=[report.pk])).status_code == 200

    # Notes by the student's mentor of the moment, some by the mentor's supervisor.
    notes = MentorNote.objects.annotate(mentor_then=mentor_at(at="created_at"))
    assert notes.count() > 120
    by_supervisor = notes.exclude(author_id=F("mentor_then"))
    assert not by_supervisor.exclude(author__role=Role.SUPERVISOR).exists()
    assert not notes.filter(body="").exists()

    # Incidents between two or three students, one of them the reporter's, arbitrated
    # by the reporter's supervisor, who resolved the closed ones.
    incidents = Incident.objects.annotate(involved=Count("students"))
    assert incidents.exists()
    for incident in incidents:
        assert incident.involved in (2, 3)
        assert incident.students.filter(mentor_assignments__mentor=incident.reported_by).exists()
        assert incident.arbitrator == incident.reported_by.mentor_profile.supervisor
        assert incident.occurred_on <= incident.created_at.date() < today
        if incident.status == IncidentStatus.RESOLVED:
            assert incident.resolved_by == incident.arbitrator
            assert incident.resolution


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_command_runs_at_a_tiny_size(tmp_path):
    name = f"{connection.settings_dict['NAME']}_bench_pages"
    server = dict(connection.settings_dict)
    output = tmp_path / "pages.json"
    try:
        call_command(
            "bench_pages",
            "--mentors",
            "8",
            "--students",
            "120",
            "--seconds",
            "1",
            "--bare-seconds",
            "1",
            "--only",
            "review queue",
            "--jobs",
            "--calibrate",
            "--ingest-batches",
            "1",
            "--port",
            "8799",
            "--database",
            name,
            "--output",
            str(output),
            stdout=StringIO(),
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
    assert [(page["page"], page["role"]) for page in result["pages"]] == [
        ("review queue", "mentor"),
        ("review queue", "supervisor"),
        ("review queue", "staff"),
    ]
    for page in result["pages"]:
        assert page["status"] == 200
        assert page["load"]["requests"] > 0
        assert page["load"]["errors"] == 0
        assert page["bare"]["requests"] > page["load"]["requests"] / 100
        assert page["queries"] > 0
    assert result["memory"]["peak_rss_mb"] > 0
    # The scheduled jobs, each through the worker, none failed; its memory read.
    assert [job["job"] for job in result["jobs"]] == bench_pages.scheduled_jobs()
    assert all(job["tasks"] >= 1 and job["failed"] == 0 for job in result["jobs"])
    assert result["worker_memory"]["processes"] == 1 + bench_pages.WORKER_CONCURRENCY
    assert result["worker_memory"]["peak_rss_mb"] > 0
    assert result["ingestion"]["rollup_mismatches"] == 0
    # The calibration over the year, timed in a process of its own.
    assert result["calibration"]["seconds"] > 0
    assert result["calibration"]["candidates"] > 1
    assert result["build_seconds"] > 0
    assert output.with_suffix(".md").read_text().startswith("| page | role |")
