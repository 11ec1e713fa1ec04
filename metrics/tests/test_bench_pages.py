"""``make bench`` (``manage.py bench_pages``, ``metrics.bench_pages``). The benchmark
itself is not a test; these check that every page it loads answers its reader on the
generated school, and that the whole command (gunicorn, wrk, the bare view) runs at a
tiny size, on PostgreSQL only, so that it cannot rot."""

import json
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from mentorship.bench import server_connection
from metrics import bench_pages

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
    assert result["build_seconds"] > 0
    assert output.with_suffix(".md").read_text().startswith("| page | role |")
