"""``make bench`` (``manage.py bench_scorecards``): the nightly scorecard snapshots and the
supervisor's dashboard beside floors measured in the same run, on a synthetic school in
a PostgreSQL database of its own (``metrics.bench``). Results go to
``var/bench/scorecards.json``."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mentorship.bench import bench_database_prepare

from ... import bench


class Command(BaseCommand):
    help = (
        "Benchmark the nightly scorecard snapshots and the supervisor's dashboard on "
        "PostgreSQL (2,000 mentors and 100,000 students with six months of history by "
        "default), beside a SELECT 1 round trip and plain counts. Uses its own database, "
        "never the configured one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=2_000)
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument(
            "--zones",
            type=int,
            default=len(bench.TIME_ZONES),
            help=(
                "How many of the demo's time zones mentors, supervisors and staff live in "
                "(each calendar is computed, those sharing a period's bounds together; "
                "the school's is always one). 0: everyone on the school's calendar."
            ),
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=1,
            help="Rounds of the usual and the worst night (medians reported).",
        )
        parser.add_argument(
            "--requests", type=int, default=200, help="Timed requests of the dashboard."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help=(
                "Processes sharing a night's computations, as the Celery worker's do "
                "(the Procfile's CELERY_CONCURRENCY, 2). 1: one after another."
            ),
        )
        parser.add_argument(
            "--parts",
            type=int,
            default=None,
            help="Shares a period's calendars are computed in (default: --workers).",
        )
        parser.add_argument(
            "--database",
            default="mentorship_bench_scorecards",
            help="Name of the benchmark database on the same server (created if missing).",
        )
        parser.add_argument("--rebuild", action="store_true", help="Regenerate the data.")
        parser.add_argument(
            "--output",
            default=str(settings.VAR_DIR / "bench" / "scorecards.json"),
            help="JSON file.",
        )

    def handle(
        self,
        *args,
        mentors,
        students,
        zones,
        rounds,
        requests,
        workers,
        parts,
        database,
        rebuild,
        output,
        **options,
    ):
        reuse = bench_database_prepare(
            bench.DATABASE,
            name=database,
            sizes={"mentors": mentors, "students": students},
            rebuild=rebuild,
            stdout=self.stdout,
            arguments_error=(
                "--mentors must be at least 4, --students at least --mentors, --zones not "
                "negative, and --rounds, --requests and --workers positive."
                if mentors < 4
                or students < mentors
                or zones < 0
                or min(rounds, requests, workers, parts or 1) < 1
                else None
            ),
        )
        build_seconds = None
        if not reuse:
            started = time.monotonic()
            self.stdout.write(f"Generating {mentors:,} mentors and {students:,} students ...")
            bench.bench_data_generate(
                mentors=mentors,
                students=students,
                progress=lambda step: self.stdout.write(
                    f"  [{time.monotonic() - started:6.1f}s] {step}"
                ),
            )
            bench.DATABASE.marker_set(mentors=mentors, students=students)
            build_seconds = round(time.monotonic() - started, 1)
            self.stdout.write(f"Data ready in {build_seconds:.1f}s.")
        else:
            self.stdout.write(f"Reusing database {database} ({students:,} students).")

        result = bench.bench_run(
            zones=zones, rounds=rounds, requests=requests, workers=workers, parts=parts
        )
        result.build_seconds = build_seconds
        bench.bench_results_write(result, Path(output))
        self.stdout.write(_report(result))
        self.stdout.write(f"Written to {output}.")


def _report(result: bench.BenchResult) -> str:
    rows = ", ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in result.rows.items())
    lines = [
        f"{result.mentors:,} mentors, {result.students:,} students ({rows}); "
        f"{len(result.calendars)} calendars ({', '.join(result.calendars)}).",
        f"  floors: SELECT 1 p50 / p95 {result.floor_select_1.p50:.2f} / "
        f"{result.floor_select_1.p95:.2f} ms; count(*) of the assignments "
        f"{result.floor_count_assignments_ms:.1f} ms, of the activity events "
        f"{result.floor_count_events_ms:.1f} ms",
        f"  one month on one calendar (snapshot_period): "
        f"{result.one_month_one_calendar_seconds:.2f}s",
    ]
    for label, night in (("usual", result.usual_night), ("worst", result.worst_night)):
        lines.append(
            f"  {label} night {night.today} ({', '.join(night.periods)}; "
            f"{night.computations} computations on {night.workers} processes, "
            f"{night.snapshot_rows:,} snapshot rows): "
            f"{night.seconds:.2f}s (rounds: {', '.join(f'{each:.2f}' for each in night.runs)})"
        )
    for key, pieces in result.breakdown.items():
        shared = sum(pieces["shared"].values())
        slowest = sorted(pieces["rows"].items(), key=lambda item: -item[1]["seconds"])[:6]
        lines.append(
            f"  {key} on the reader's calendar: compute_period {pieces['compute_period']:.2f}s "
            f"(window's shared reads {shared:.2f}s, folding {pieces['folding']:.2f}s; "
            "slowest rows: "
            + ", ".join(f"{name} {each['seconds']:.2f}s" for name, each in slowest)
            + ")"
        )
    verdict = "OK" if result.worst_night.seconds <= result.target_night_seconds else "OVER"
    lines.append(
        f"  worst night {result.worst_night.seconds:.1f}s (target: within "
        f"{result.target_night_seconds:g}s) -> {verdict}"
    )
    dashboard = result.dashboard
    verdict = "OK" if dashboard.p95 <= result.target_dashboard_p95_ms else "OVER"
    lines.append(
        f"  dashboard, {result.dashboard_mode}, team of {result.dashboard_team}, "
        f"{result.dashboard_queries} queries: p50 / p95 / max {dashboard.p50:.1f} / "
        f"{dashboard.p95:.1f} / {dashboard.max:.1f} ms over {result.dashboard_requests} "
        f"requests (target: p95 within {result.target_dashboard_p95_ms:g} ms) -> {verdict}; "
        f"the first request {result.dashboard_first_ms:.1f} ms"
    )
    sample = result.dashboard_sample
    lines.append(
        f"    the second-reader sample it loads once in view, {result.dashboard_sample_queries} "
        f"queries: p50 / p95 / max {sample.p50:.1f} / {sample.p95:.1f} / {sample.max:.1f} ms"
    )
    unfrozen = result.dashboard_unfrozen
    lines.append(
        f"    the page in a process that has not frozen its start-up objects: "
        f"p50 / p95 / max {unfrozen.p50:.1f} / {unfrozen.p95:.1f} / {unfrozen.max:.1f} ms"
    )
    table = result.dashboard_table
    lines.append(
        f"    its table alone (mentors_with_load + team_composites), "
        f"{result.dashboard_table_queries} queries: p50 / p95 / max {table.p50:.1f} / "
        f"{table.p95:.1f} / {table.max:.1f} ms"
    )
    lines.append(
        f"  peak memory {result.peak_rss_mb:.0f} MB; load average "
        f"{result.load_average[0]:.1f} at the start, {result.load_average[1]:.1f} at the end"
    )
    return "\n".join(lines)
