"""``make bench`` (``manage.py bench_flags``): the flagging run against the floor of one
hand-written SQL query, on a synthetic cohort in a PostgreSQL database of its own
(``students.bench``). Results go to ``var/bench/flags.json``."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mentorship.bench import bench_database_prepare

from ... import bench


class Command(BaseCommand):
    help = (
        "Benchmark the at-risk flagging run on PostgreSQL (100,000 students and 10 "
        "million events by default) against one hand-written SQL query computing the "
        "inactivity and drop signals. Uses its own database, never the configured one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=10_000_000)
        parser.add_argument(
            "--database",
            default="mentorship_bench",
            help="Name of the benchmark database on the same server (created if missing).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help=(
                "Evaluate chunks in a pool of this many processes (default: one per CPU, "
                "as a Celery worker's pool; 1: sequentially, in one process)."
            ),
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Rounds of floor, first run and next night, interleaved (medians reported).",
        )
        parser.add_argument("--rebuild", action="store_true", help="Regenerate the data.")
        parser.add_argument(
            "--output", default=str(settings.VAR_DIR / "bench" / "flags.json"), help="JSON file."
        )

    def handle(
        self, *args, students, events, database, workers, rounds, rebuild, output, **options
    ):
        reuse = bench_database_prepare(
            bench.DATABASE,
            name=database,
            sizes={"students": students, "events": events},
            rebuild=rebuild,
            stdout=self.stdout,
            arguments_error=(
                "--students, --workers and --rounds must be positive, --events not negative."
                if students < 1 or events < 0 or workers < 1 or rounds < 1
                else None
            ),
        )
        if not reuse:
            started = time.monotonic()
            self.stdout.write(f"Generating {students:,} students and {events:,} events ...")
            bench.bench_data_generate(
                students=students,
                events=events,
                progress=lambda step: self.stdout.write(
                    f"  [{time.monotonic() - started:6.1f}s] {step}"
                ),
            )
            bench.DATABASE.marker_set(students=students, events=events)
            self.stdout.write(f"Data ready in {time.monotonic() - started:.1f}s.")
        else:
            self.stdout.write(f"Reusing database {database} ({students:,} students).")

        result = bench.bench_run(students=students, events=events, workers=workers, rounds=rounds)
        bench.bench_results_write(result, Path(output))
        verdict = "OK" if result.ratio <= bench.TARGET_RATIO else "OVER"
        self.stdout.write(
            f"As of {result.as_of}: {result.judged:,} students judged, "
            f"{result.daily_rows:,} daily rows; medians of {result.rounds} rounds.\n"
            f"  floor (one SQL query, inactivity + drop): {result.floor_seconds:.3f}s "
            f"(rounds: {_seconds(result.floor_runs)}; "
            f"{result.floor_flagged:,} students with either signal; without the peer "
            f"comparison: {result.floor_without_peers_seconds:.3f}s)\n"
            f"  flagging run ({result.run_mode}, {result.chunks} chunks): "
            f"{result.run_seconds:.3f}s (rounds: {_seconds(result.run_runs)}), "
            f"peak memory {result.peak_rss_mb:.0f} MB, {result.flags_opened:,} flags opened\n"
            f"  the next night's run (those flags open): {result.next_night_seconds:.3f}s "
            f"(rounds: {_seconds(result.next_night_runs)}), "
            f"{result.next_night_changed:,} flags opened, worsened or resolved\n"
            f"  ratio {result.ratio:.2f}x the floor (target: within "
            f"{bench.TARGET_RATIO:g}x) -> {verdict}\n"
            f"Written to {output}."
        )


def _seconds(runs: list[float]) -> str:
    return ", ".join(f"{seconds:.3f}" for seconds in runs)
