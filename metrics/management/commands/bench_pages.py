import argparse
import json
import shutil
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentorship.bench import bench_database_prepare
from metrics import bench_pages

# --small: a two-minute check that the pages answer under load (not figures to quote).
SMALL = {"mentors": 40, "students": 2_000, "seconds": 1.0, "bare_seconds": 1.0}


class Command(BaseCommand):
    help = (
        "Every page and API list under load (gunicorn as in the Procfile, wrk with 20 "
        "connections) on a school of 100,000 students in a PostgreSQL database of the "
        "benchmark's own, each beside a bare view measured right before it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=2_000)
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument("--seconds", type=float, default=8.0, help="Load on each page.")
        parser.add_argument(
            "--bare-seconds", type=float, default=4.0, help="Load on the bare view before it."
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="A two-minute check: 2,000 students, a second on each page.",
        )
        parser.add_argument(
            "--only",
            help="Only the pages whose 'name (role)' contains this (or one of these, "
            "comma-separated).",
        )
        parser.add_argument(
            "--ingest-batches",
            type=int,
            default=None,
            help=(
                "5,000-event batches pushed after the pages (default 100; 10 with "
                "--small; none with --only)."
            ),
        )
        parser.add_argument(
            "--jobs",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "Run the scheduled jobs through a Celery worker after the pages and read its "
                "memory (default: yes; no with --only)."
            ),
        )
        parser.add_argument(
            "--calibrate",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Time the at-risk calibration over the year (default: yes; no with --only).",
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--database", default="mentorship_bench_pages")
        parser.add_argument("--rebuild", action="store_true", help="Regenerate the data.")
        parser.add_argument(
            "--output", default=str(settings.VAR_DIR / "bench" / "pages.json"), help="JSON file."
        )

    def handle(
        self,
        *args,
        small,
        database,
        rebuild,
        output,
        only,
        port,
        ingest_batches,
        jobs,
        calibrate,
        **options,
    ):
        if shutil.which("wrk") is None:
            raise CommandError("The load comes from wrk: apt-get install wrk.")
        sizes = {
            name: options[name] for name in ("mentors", "students", "seconds", "bare_seconds")
        }
        if small:
            sizes = SMALL
            database = f"{database}_small"
            output = str(Path(output).with_name("pages-small.json"))
        reuse = bench_database_prepare(
            bench_pages.DATABASE,
            name=database,
            sizes={"mentors": sizes["mentors"], "students": sizes["students"]},
            rebuild=rebuild,
            stdout=self.stdout,
            arguments_error=(
                "--mentors must be at least 4, --students at least --mentors, and the "
                "seconds at least 1."
                if sizes["mentors"] < 4
                or sizes["students"] < sizes["mentors"]
                or min(sizes["seconds"], sizes["bare_seconds"]) < 1
                else None
            ),
        )
        started = time.monotonic()

        def progress(line: str) -> None:
            self.stdout.write(f"  [{time.monotonic() - started:6.1f}s] {line}")

        build_seconds, snapshot_seconds = None, {}
        if not reuse:
            self.stdout.write(
                f"Generating {sizes['mentors']:,} mentors and {sizes['students']:,} students ..."
            )
            snapshot_seconds = bench_pages.pages_data_generate(
                mentors=sizes["mentors"],
                students=sizes["students"],
                today=date.today(),
                progress=progress,
            )
            bench_pages.DATABASE.marker_set(mentors=sizes["mentors"], students=sizes["students"])
            build_seconds = round(time.monotonic() - started, 1)
            self.stdout.write(
                f"Data ready in {build_seconds:.1f}s, of which the snapshots "
                f"{sum(snapshot_seconds.values()):.1f}s: {snapshot_seconds}."
            )
        else:
            self.stdout.write(f"Reusing database {database}.")
        result = bench_pages.bench_run(
            mentors=sizes["mentors"],
            students=sizes["students"],
            seconds=sizes["seconds"],
            bare_seconds=sizes["bare_seconds"],
            port=port,
            warm=not small,
            only=only,
            ingest_batches=(
                ingest_batches
                if ingest_batches is not None
                else 0
                if only
                else 10
                if small
                else 100
            ),
            jobs=not only if jobs is None else jobs,
            calibrate=not only if calibrate is None else calibrate,
            progress=progress,
        )
        result.build_seconds = build_seconds
        result.snapshot_seconds = snapshot_seconds
        bench_pages.bench_results_write(result, Path(output))
        self.stdout.write(result.markdown())
        if result.ingestion:
            self.stdout.write(f"Ingestion: {json.dumps(result.ingestion)}")
        self.stdout.write(
            f"Web workers: {result.memory}. Celery worker: {result.worker_memory}. "
            f"Written to {output}."
        )
