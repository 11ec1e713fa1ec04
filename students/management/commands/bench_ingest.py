"""``manage.py bench_ingest``: the learning platform's pushes through the real endpoint
(``students.bench_ingest``), against a gunicorn this command starts on the benchmark's
own database, as the Procfile's ``web`` process (2 workers). Results go to
``var/bench/ingest.json``."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mentorship.bench import bench_database_prepare

from ... import bench_ingest


class Command(BaseCommand):
    help = (
        "Benchmark POST /api/v1/events/ on PostgreSQL: batches of 5,000 events from 4 "
        "clients against gunicorn (2 workers), events per second per million rows of "
        "the events table's growth (10 million by default). Uses its own database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=50_000)
        parser.add_argument("--events", type=int, default=10_000_000, help="Events to send.")
        parser.add_argument("--batch", type=int, default=bench_ingest.BATCH_SIZE)
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
        parser.add_argument(
            "--port", type=int, default=0, help="gunicorn's port (default: a free one)."
        )
        parser.add_argument("--slice", type=int, default=1_000_000, help="Rows per slice.")
        parser.add_argument(
            "--keep-events",
            action="store_true",
            help="Go on from the events already stored instead of an empty table.",
        )
        parser.add_argument(
            "--database",
            default="mentorship_bench_ingest",
            help="Name of the benchmark database on the same server (created if missing).",
        )
        parser.add_argument("--rebuild", action="store_true", help="Regenerate the students.")
        parser.add_argument(
            "--output", default=str(settings.VAR_DIR / "bench" / "ingest.json"), help="JSON file."
        )

    def handle(self, *args, students, events, batch, clients, workers, port, database, **options):
        reuse = bench_database_prepare(
            bench_ingest.DATABASE,
            name=database,
            sizes={"students": students},
            rebuild=options["rebuild"],
            stdout=self.stdout,
            arguments_error=(
                "--students, --events, --clients, --workers and --slice must be positive, "
                "--batch between 1 and 5,000."
                if min(students, events, clients, workers, options["slice"]) < 1
                or not 1 <= batch <= 5000
                else None
            ),
        )
        if not reuse:
            self.stdout.write(f"Generating {students:,} students ...")
            bench_ingest.ingestion_data_prepare(students=students)
            bench_ingest.DATABASE.marker_set(students=students)
        if not options["keep_events"]:
            bench_ingest.ingestion_reset()
        rows_before = bench_ingest.ingestion_table_rows()
        token = bench_ingest.ingestion_token()
        port = port or _free_port()
        # Stopped (kill, or Ctrl+C in a shell that ignores it), the run still stops
        # its gunicorn on the way out.
        signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(1))
        server = _gunicorn_start(database, port, workers)
        try:
            self.stdout.write(
                f"Posting {events:,} events in batches of {batch:,} from {clients} clients "
                f"to gunicorn ({workers} workers, port {port}); table at {rows_before:,} rows."
            )
            result = bench_ingest.ingestion_measure(
                f"http://127.0.0.1:{port}",
                token,
                -(-events // batch),
                clients=clients,
                students=students,
                size=batch,
                rows_before=rows_before,
                slice_rows=options["slice"],
                progress=self.stdout.write,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        result["rollup_mismatches"] = bench_ingest.ingestion_rollup_mismatches()
        result["students"] = students
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(
            f"{result['sent']:,} events in {result['seconds']:.1f}s: "
            f"{result['events_per_second']:,} events/s sent, "
            f"{result['recorded_per_second']:,} recorded/s; batch p50 "
            f"{result['latency_p50_ms']} ms, p95 {result['latency_p95_ms']} ms; "
            f"{result['accepted']:,} recorded, {result['duplicates']:,} duplicates, "
            f"{result['rejected']:,} rejected; rollup mismatches: "
            f"{result['rollup_mismatches']}.\nWritten to {output}."
        )
        if result["failure"]:
            raise CommandError(result["failure"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_start(database: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn as the Procfile's web process, on the benchmark database, plain http."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise CommandError(f"Port {port} is taken: choose another with --port.")
    server = connection.settings_dict
    credentials = server["USER"] or ""
    if server.get("PASSWORD"):
        credentials += f":{server['PASSWORD']}"
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{credentials}@{server['HOST'] or '127.0.0.1'}:"
            f"{server['PORT'] or 5432}/{database}"
        ),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Throughput is what is measured: the API's throttles would answer it 429.
        "API_EVENTS_RATE": "off",
        "API_TOKEN_WRITES_RATE": "off",
    }
    log_path = settings.VAR_DIR / "bench" / "ingest-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, arguments we built)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "mentorship.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "600",
            "--access-logfile",
            "-",
            "--no-control-socket",
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"gunicorn stopped; see {log.name}.")
        try:
            # A worker answers (405 to a GET): the application is loaded.
            link = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            link.request("GET", "/api/v1/events/")
            link.getresponse().read()
            link.close()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise CommandError(f"gunicorn did not listen on port {port} within 60s; see {log.name}.")
