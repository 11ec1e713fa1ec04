"""``make bench`` (``manage.py bench_search``): the search's suggestions and search page
for a student, a mentor and staff against the floor of a bare GIN-indexed match, on a
synthetic knowledge base in a PostgreSQL database of its own (``knowledge_base.bench``).
Results go to ``var/bench/search.json``."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mentorship.bench import bench_database_prepare

from ... import bench


class Command(BaseCommand):
    help = (
        "Benchmark knowledge-base search on PostgreSQL (200,000 questions and 10,000 "
        "articles by default): suggestions and the search page for a student, a mentor "
        "and staff, next to a bare indexed match. Uses its own database, never the "
        "configured one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=200_000)
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--queries", type=int, default=300, help="Queries timed.")
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Timed passes over the queries, after one to warm up (medians reported).",
        )
        parser.add_argument(
            "--database",
            default="mentorship_bench_search",
            help="Name of the benchmark database on the same server (created if missing).",
        )
        parser.add_argument("--rebuild", action="store_true", help="Regenerate the data.")
        parser.add_argument(
            "--output", default=str(settings.VAR_DIR / "bench" / "search.json"), help="JSON file."
        )

    def handle(
        self, *args, questions, articles, queries, rounds, database, rebuild, output, **options
    ):
        reuse = bench_database_prepare(
            bench.DATABASE,
            name=database,
            sizes={"questions": questions, "articles": articles},
            rebuild=rebuild,
            stdout=self.stdout,
            arguments_error=(
                "--questions, --articles, --queries and --rounds must be positive."
                if questions < 1 or articles < 1 or queries < 1 or rounds < 1
                else None
            ),
        )
        if not reuse:
            started = time.monotonic()
            self.stdout.write(f"Generating {questions:,} questions and {articles:,} articles ...")
            bench.bench_data_generate(
                questions=questions,
                articles=articles,
                progress=lambda step: self.stdout.write(
                    f"  [{time.monotonic() - started:6.1f}s] {step}"
                ),
            )
            bench.DATABASE.marker_set(questions=questions, articles=articles)
            self.stdout.write(f"Data ready in {time.monotonic() - started:.1f}s.")
        else:
            self.stdout.write(f"Reusing database {database} ({questions:,} questions).")

        result = bench.bench_run(queries=bench.bench_queries(queries), rounds=rounds)
        bench.bench_results_write(result, Path(output))
        self.stdout.write(_report(result))
        self.stdout.write(f"Written to {output}.")


def _report(result: bench.BenchResult) -> str:
    lines = [
        f"{result.questions:,} questions, {result.articles:,} articles; "
        f"{result.queries} queries, each the median of {result.rounds} passes; "
        "milliseconds p50 / p95 / max over the queries.",
        f"  floor (bare indexed match, LIMIT 20 a table): {_figures(result.floor)}",
    ]
    for role, by_call in result.calls.items():
        visible = result.visible[role]
        lines.append(
            f"  {role} (sees {visible['questions']:,} questions, "
            f"{visible['articles']:,} articles):"
        )
        for call, figures in by_call.items():
            lines.append(f"    {call:<12} {_figures(figures)}")
    verdict = "OK" if result.worst_p95 <= result.target_p95_ms else "OVER"
    lines.append(
        f"  worst p95 {result.worst_p95:.1f} ms (target: within "
        f"{result.target_p95_ms:g} ms) -> {verdict}"
    )
    return "\n".join(lines)


def _figures(figures: bench.Figures) -> str:
    return f"{figures.p50:7.2f} / {figures.p95:7.2f} / {figures.max:7.2f}"
