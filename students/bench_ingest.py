"""The ingestion benchmark (``manage.py bench_ingest``): the learning platform's pushes
through the real endpoint, ``POST /api/v1/events/``, as the platform sends them.

``ingestion_data_prepare`` builds the students in the benchmark's own database (never
the configured one; ``mentorship.bench``) and issues a staff token; ``ingestion_measure``
posts batches of events from several threads (``http.client``, the token as a bearer
header) against a running server at a base URL, and reports the events per second for
each slice of the events table's growth (every million rows by default). The command
starts gunicorn itself, as the Procfile's ``web`` process does; ``make bench`` may start
its own and call ``ingestion_measure``.

The batches are realistic rather than kind: every kind of the model's choices, students
spread over all of them, named by e-mail or by the platform's id, on several time
zones; about 2% of the events were sent before (half inside the batch, half by the
batch before it), a few have no external id, and a few are bad (an unknown kind, a date
without its offset, a student nobody knows), so the per-item error report is paid for.
"""

import http.client
import json
import random
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.db import connection

from mentorship.bench import BenchDatabase
from mentorship.models import ActivityKind, Role, User
from mentorship.services import api_token_create

DATABASE = BenchDatabase(marker_table="bench_ingest_marker", sizes=("students",), version=1)
BATCH_SIZE = 5000
TIME_ZONES = ("UTC", "Europe/Berlin", "Europe/Moscow", "America/New_York", "Asia/Tokyo")
STAFF_EMAIL = "bench-ingest-staff@bench.test"
# Shares of a batch's events (the rest are good, new events).
REPEATED_IN_BATCH = 0.01
REPEATED_FROM_BEFORE = 0.01
WITHOUT_EXTERNAL_ID = 0.03
BAD = 0.005
BY_PLATFORM_ID = 0.3
# How the platform writes a moment: UTC or a local time with its offset.
OFFSETS = ((0, "Z"), (3, "+03:00"), (-5, "-05:00"))

GENERATE_STUDENTS = [
    """
    INSERT INTO mentorship_user
        (password, is_superuser, email, display_name, role, language, time_zone,
         email_notifications, is_active, date_joined)
    SELECT '!', false, 'bench-ingest-' || n || '@bench.test', 'Bench student ' || n,
           'student', 'en', (%(zones)s::text[])[1 + n %% %(zone_count)s], false, true,
           now() - interval '200 days'
    FROM generate_series(0, %(students)s - 1) AS n
    """,
    """
    INSERT INTO mentorship_studentprofile (user_id, goals, weekly_hours, status, external_id)
    SELECT id, '', 10, 'active', 'lp-' || substring(email FROM 'bench-ingest-([0-9]+)@')
    FROM mentorship_user WHERE role = 'student' AND email LIKE 'bench-ingest-%%'
    """,
    # These tables only: a database-wide ANALYZE waits on the server's shared catalogues.
    "ANALYZE mentorship_user, mentorship_studentprofile",
]


def ingestion_data_prepare(*, students: int) -> None:
    """The students the batches name (``bench-ingest-<n>@bench.test``, platform id
    ``lp-<n>``, on several time zones) and the staff member the platform's token
    acts for, set-based, in the database Django now uses."""
    with connection.cursor() as cursor:
        for statement in GENERATE_STUDENTS:
            cursor.execute(
                statement,
                {"students": students, "zones": list(TIME_ZONES), "zone_count": len(TIME_ZONES)},
            )
    User.objects.create_user(STAFF_EMAIL, role=Role.STAFF, display_name="Bench platform")


def ingestion_token() -> str:
    """A fresh staff token for the run (a token's secret is shown once only)."""
    staff = User.objects.get(email=STAFF_EMAIL)
    _token, key = api_token_create(name="Bench ingestion", user=staff, created_by=staff)
    return key


def ingestion_reset() -> None:
    """An empty events table and rollup, so that a run measures the growth from 0."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE students_activityevent, students_dailyactivity")
        cursor.execute("VACUUM ANALYZE students_activityevent")


def ingestion_table_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM students_activityevent")
        return cursor.fetchone()[0]


def ingestion_rollup_mismatches() -> int:
    """(student, day) pairs where the rollup differs from a recount of the events: 0
    when the rollup is exact."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH recount AS (
                SELECT student_id, day, count(*) AS events FROM students_activityevent
                WHERE kind <> ALL(%s) GROUP BY student_id, day
            )
            SELECT count(*) FROM recount r
            FULL JOIN students_dailyactivity d USING (student_id, day)
            WHERE r.events IS DISTINCT FROM d.events
            """,
            [[ActivityKind.SESSION_MISSED.value]],
        )
        return cursor.fetchone()[0]


class BatchMaker:
    """Batch bodies of a run, made cheaply (the clients make them while the server
    works, on the same machine): the students' names and a pool of moments are
    written once, each event picks among them."""

    def __init__(self, *, students: int, size: int = BATCH_SIZE, run: str = "") -> None:
        self.students, self.size, self.run = students, size, run
        self.by_email = [
            f'"student_email": "bench-ingest-{n}@bench.test"' for n in range(students)
        ]
        self.by_platform_id = [f'"student_external_id": "lp-{n}"' for n in range(students)]
        chooser = random.Random(run)
        now = datetime.now(UTC)
        self.moments = []
        for _moment in range(20_000):
            moment = now - timedelta(seconds=chooser.randrange(60 * 86400))
            hours, suffix = chooser.choice(OFFSETS)
            local = moment + timedelta(hours=hours)
            self.moments.append(local.strftime("%Y-%m-%dT%H:%M:%S") + suffix)

    def batch(self, number: int) -> bytes:
        """Batch ``number`` as a JSON body. External ids are ``<run>-<batch>-<position>``,
        so batches of a run never collide except where a repeat is meant."""
        chooser = random.Random(f"{self.run}:{number}")
        draw, pick = chooser.random, chooser.randrange
        kinds, moments, students, size = (
            ActivityKind.values,
            self.moments,
            self.students,
            self.size,
        )
        prefix = f"{self.run}-{number}-"
        lines = []
        for position in range(size):
            student = pick(students)
            who = (self.by_platform_id if draw() < BY_PLATFORM_ID else self.by_email)[student]
            occurred = moments[pick(len(moments))]
            kind = kinds[pick(len(kinds))]
            chance = draw()
            external = f'"{prefix}{position}"'
            if chance < REPEATED_IN_BATCH and position:
                external = f'"{prefix}{pick(position)}"'
            elif chance < REPEATED_IN_BATCH + REPEATED_FROM_BEFORE and number:
                external = f'"{self.run}-{number - 1}-{pick(size)}"'
            elif chance < REPEATED_IN_BATCH + REPEATED_FROM_BEFORE + WITHOUT_EXTERNAL_ID:
                external = None
            elif chance < REPEATED_IN_BATCH + REPEATED_FROM_BEFORE + WITHOUT_EXTERNAL_ID + BAD:
                flaw = pick(3)
                if flaw == 0:
                    kind = "nap"
                elif flaw == 1:
                    occurred = occurred[:19]
                else:
                    who = '"student_email": "nobody@bench.test"'
            value = f', "value": {pick(100)}' if kind == "quiz_taken" else ""
            identity = f', "external_id": {external}' if external else ""
            lines.append(
                f'{{{who}, "kind": "{kind}", "occurred_at": "{occurred}"{identity}{value}}}'
            )
        return ("[" + ",\n".join(lines) + "]").encode()


def _post(base_url: str, token: str, body: bytes, source: str) -> tuple[int, dict]:
    address = urlsplit(base_url)
    link = http.client.HTTPConnection(address.hostname, address.port or 80, timeout=600)
    try:
        link.request(
            "POST",
            f"{address.path.rstrip('/')}/api/v1/events/?source={source}",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Host": address.netloc,
                # Behind a proxy that ends HTTPS, as the pages benchmark's server is.
                "X-Forwarded-Proto": "https",
            },
        )
        response = link.getresponse()
        answer = response.read()
    finally:
        link.close()
    return response.status, json.loads(answer) if answer else {}


def ingestion_measure(
    base_url: str,
    token: str,
    batches: int,
    *,
    clients: int = 4,
    students: int,
    size: int = BATCH_SIZE,
    rows_before: int = 0,
    slice_rows: int = 1_000_000,
    source: str = "platform",
    run: str | None = None,
    progress=lambda line: None,
) -> dict:
    """Post ``batches`` batches of ``size`` events from ``clients`` threads against the
    server at ``base_url`` with a staff ``token``. The events per second (sent, and
    recorded) for each slice of ``slice_rows`` rows of the events table's growth (the
    table held ``rows_before`` rows at the start), the batches' latency, and what the
    server answered in total. A batch answered other than 200 stops the run."""
    run = run or f"r{int(time.time())}"
    maker = BatchMaker(students=students, size=size, run=run)
    lock = threading.Lock()
    state = {"next": 0, "rows": rows_before, "failure": None}
    totals = {"sent": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
    latencies: list[float] = []
    slices: list[dict] = []
    current = {"from": rows_before, "sent": 0, "accepted": 0, "started": time.perf_counter()}

    def close_slice(now: float) -> None:
        seconds = now - current["started"]
        slices.append(
            {
                "rows_from": current["from"],
                "rows_to": state["rows"],
                "seconds": round(seconds, 2),
                "events_per_second": round(current["sent"] / seconds) if seconds else 0,
                "recorded_per_second": round(current["accepted"] / seconds) if seconds else 0,
            }
        )
        progress(
            f"  rows {current['from']:>11,} -> {state['rows']:>11,}: "
            f"{slices[-1]['events_per_second']:>7,} events/s sent, "
            f"{slices[-1]['recorded_per_second']:>7,} recorded/s"
        )
        current.update({"from": state["rows"], "sent": 0, "accepted": 0, "started": now})

    def client() -> None:
        while True:
            with lock:
                if state["failure"] or state["next"] >= batches:
                    return
                number = state["next"]
                state["next"] += 1
            body = maker.batch(number)
            started = time.perf_counter()
            try:
                status, answer = _post(base_url, token, body, source)
            except OSError as error:
                status, answer = 0, {"error": str(error)}
            finished = time.perf_counter()
            with lock:
                if status != 200:
                    state["failure"] = f"batch {number}: HTTP {status} {str(answer)[:300]}"
                    return
                latencies.append(finished - started)
                rejected = len(answer["rejected"])
                totals["sent"] += size
                totals["accepted"] += answer["accepted"]
                totals["duplicates"] += answer["duplicates"]
                totals["rejected"] += rejected
                current["sent"] += size
                current["accepted"] += answer["accepted"]
                state["rows"] += answer["accepted"]
                if state["rows"] - current["from"] >= slice_rows:
                    close_slice(finished)

    started = time.perf_counter()
    current["started"] = started
    threads = [threading.Thread(target=client, daemon=True) for _client in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if current["sent"]:
        close_slice(time.perf_counter())
    ordered = sorted(latencies)
    return {
        "base_url": base_url,
        "clients": clients,
        "batch_size": size,
        "batches": len(latencies),
        **totals,
        "seconds": round(seconds, 2),
        "events_per_second": round(totals["sent"] / seconds) if seconds else 0,
        "recorded_per_second": round(totals["accepted"] / seconds) if seconds else 0,
        "latency_p50_ms": round(statistics.median(ordered) * 1000) if ordered else None,
        "latency_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000) if ordered else None,
        "rows_before": rows_before,
        "rows_after": state["rows"],
        "slices": slices,
        "failure": state["failure"],
    }
