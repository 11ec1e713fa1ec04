"""``make bench`` (``manage.py bench_search``, ``knowledge_base.bench``). The benchmark
itself is not a test; these check that it refuses SQLite and the configured database,
that its generator builds a knowledge base whose readers see what they should, and that
the whole command runs at a tiny size (the last three on PostgreSQL only), so that it
cannot rot."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from knowledge_base import bench
from knowledge_base.articles import articles_visible_to
from knowledge_base.models import Article, Question
from knowledge_base.questions import questions_visible_to
from mentorship.bench import server_connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the refusal on SQLite")
def test_it_refuses_to_run_on_sqlite(db):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_search", "--questions", "10", "--articles", "2", stdout=StringIO())


@postgresql_only
def test_it_refuses_to_use_the_configured_database_for_the_benchmark(db):
    with pytest.raises(CommandError, match="must not be the configured database"):
        call_command(
            "bench_search", "--database", connection.settings_dict["NAME"], stdout=StringIO()
        )


@postgresql_only
def test_its_generator_builds_a_knowledge_base_for_its_readers(db):
    bench.bench_data_generate(questions=400, articles=50, vacuum=False)

    assert Question.objects.count() == 400
    assert Article.objects.count() == 50
    assert set(Question.objects.values_list("language", flat=True)) == {"en", "ru"}
    assert not Question.objects.filter(search_vector__isnull=True).exists()
    readers = bench.bench_readers()
    student_sees = questions_visible_to(readers["student"])
    # The student's own questions, and the public ones of their two programmes only.
    assert 0 < student_sees.count() < 400
    assert (
        not student_sees.filter(visibility="private").exclude(author=readers["student"]).exists()
    )
    assert questions_visible_to(readers["staff"]).count() == 400
    assert 0 < articles_visible_to(readers["student"]).count() < 50
    assert len(bench.bench_queries(40)) == 40


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_command_runs_at_a_tiny_size(tmp_path):
    name = f"{connection.settings_dict['NAME']}_bench_search"
    server = dict(connection.settings_dict)
    output = tmp_path / "search.json"
    try:
        out = StringIO()
        call_command(
            "bench_search",
            "--questions",
            "300",
            "--articles",
            "30",
            "--queries",
            "8",
            "--rounds",
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
    assert result["questions"] == 300
    assert result["articles"] == 30
    assert result["queries"] == 8
    assert set(result["calls"]) == {"student", "mentor", "staff"}
    assert set(result["calls"]["student"]) == {"suggestions", "search"}
    assert result["floor"]["p95"] >= 0
    assert "worst p95" in out.getvalue()
