"""``make bench`` (``manage.py bench_flags``): the flagging run against the floor of one
hand-written SQL query, on a synthetic cohort in a PostgreSQL database of its own
(``students.bench``). Results go to ``var/bench/flags.json``."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

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
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://... (it "
                "creates a database of its own on that server and leaves yours alone)."
            )
        if students < 1 or events < 0 or workers < 1 or rounds < 1:
            raise CommandError(
                "--students, --workers and --rounds must be positive, --events not negative."
            )
        server = dict(connection.settings_dict)
        if database == server["NAME"]:
            raise CommandError("The benchmark database must not be the configured database.")
        marker = bench.bench_marker(server, database)
        if marker is False:
            raise CommandError(
                f"Database {database!r} exists and was not made by this benchmark; "
                "choose another name with --database."
            )
        reuse = (
            not rebuild
            and marker is not None
            and marker["ready"]
            and (marker["students"], marker["events"], marker["version"])
            == (students, events, bench.GENERATOR_VERSION)
        )
        if not reuse:
            self.stdout.write(f"Creating database {database} ...")
            bench.bench_database_create(server, database, drop=marker is not None)
        bench.bench_database_use(database)
        # Reused data get the schema's later migrations too (the code measured needs them).
        call_command("migrate", verbosity=0)
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
            bench.bench_marker_set(students=students, events=events)
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
