"""The pages under load (``manage.py bench_pages``, ``make bench``; docs/benchmarks.md).

A school the size of a large one (``metrics.bench``'s generator, with a year of history
that ends today) in a PostgreSQL database of the benchmark's own; gunicorn started as the
Procfile starts it (two sync workers, ``mentorship.wsgi``), production settings (no
debug, HTTPS behind a proxy); ``wrk`` on loopback with 20 connections, signed in as the
heaviest user of each role (the mentor with the most students, their supervisor,
staff, one of the mentor's students). Every page is run right after a bare view
through the same middleware (``bench_settings``/``bench_urls``: it reads the signed-in
user and answers ``ok``), so each page has its floor measured within a minute on a
machine whose speed drifts. The queries each page makes are counted once in this
process through Django's test client, on the same data as the same person.

It is a benchmark, not a test: nothing fails when a target is missed; the figures are
printed and written to ``var/bench/pages.json`` and ``var/bench/pages.md``.
"""

import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from knowledge_base.models import Question
from mentorship.bench import BenchDatabase
from mentorship.celery import app as celery_app
from mentorship.models import Role, User
from projects.models import Submission
from students import bench_ingest

from . import bench
from .periods import Period, PeriodKind
from .scorecards import TREND_PERIODS, snapshot_period

DATABASE = BenchDatabase(
    marker_table="bench_pages_marker", sizes=("mentors", "students"), version=2
)
# The school: 20 programmes of 10 projects, 10,000 articles, a year of history
# with its activity and the mentors' weekly reports, notes and incidents. Students
# started between two weeks and fourteen months before today (two more months than
# the history, so its first months have a third of today's students studying, not a
# handful); they are active on a share of the days that makes about ten million
# events in the year (10.06 million at full size).
PROGRAMMES = 20
ARTICLES_PER_MENTOR = 5
HISTORY_DAYS = 365
STARTED_WITHIN_DAYS = 425
ACTIVITY_SHARE = 0.49
# What the load is: 20 people at once, against the Procfile's two web workers.
CONNECTIONS = 20
WEB_WORKERS = 2
TARGET_P95_MS = 150.0
TARGET_SHARE_OF_BARE = 0.25
TARGET_WEB_RSS_MB = 250.0
TARGET_EVENTS_PER_SECOND = 20_000
# The learning platform's pushes after the pages, against the same server and the
# school's ten million events: 5,000-event batches from 4 clients, naming students of
# their own (``students.bench_ingest``).
INGESTION_STUDENTS = 10_000
BARE_PATH = "/bench/bare/"
# The second floor, measured as a page: the layout alone, as each role sees it.
LAYOUT_PATH = "/bench/layout/"
BENCH_URLCONF = "metrics.bench_urls"
# The Celery worker as the Procfile starts it (two pool processes), on a queue of its
# own so that it takes no other worker's tasks on a shared broker (and no other worker
# takes its). After the pages it runs the school's scheduled jobs, every entry of the
# beat schedule once, with the tasks they fan out to and the e-mails they send.
WORKER_CONCURRENCY = 2
WORKER_QUEUE = "bench-pages"
# A job is over when every task the worker received has ended and the log has been
# quiet this long (a group's next task is taken within milliseconds of the last).
WORKER_QUIET_SECONDS = 3.0
WORKER_JOB_TIMEOUT = 30 * 60
# Closed periods snapshotted after the build, so the scorecard and dashboard pages read
# figures, as they do in production (the school's calendar: everyone is on it): the
# year's twelve closed months, which hold the months of the trend the pages show (a
# period without a snapshot is computed live for the whole school, tens of seconds at
# this size), and the last two weeks.
SNAPSHOT_MONTHS = max(12, TREND_PERIODS)
SNAPSHOT_WEEKS = 2


# --- Data -----------------------------------------------------------------------------


def pages_data_generate(
    *,
    mentors: int,
    students: int,
    today: date,
    progress: Callable[[str], None],
    vacuum: bool = True,
) -> dict[str, float]:
    """The school of ``metrics.bench`` with a year of history up to ``today``, 20
    programmes, five articles a mentor, the mentors' weekly reports, notes and
    incidents, then the year's closed months and the last closed weeks snapshotted on
    the school's calendar. Returns each snapshot's seconds, by period."""
    bench.bench_data_generate(
        mentors=mentors,
        students=students,
        programmes=PROGRAMMES,
        articles=mentors * ARTICLES_PER_MENTOR,
        history_end=today,
        history_days=HISTORY_DAYS,
        started_within_days=STARTED_WITHIN_DAYS,
        activity_days=HISTORY_DAYS,
        activity_share=ACTIVITY_SHARE,
        writing=True,
        progress=progress,
        vacuum=vacuum,
    )
    seconds = {}
    for period in closed_periods(today):
        progress(f"snapshot {period.key}")
        started = time.perf_counter()
        snapshot_period(period, zone_name=settings.TIME_ZONE)
        seconds[period.key] = round(time.perf_counter() - started, 1)
    # The snapshots are written after the build's VACUUM ANALYZE: without statistics
    # the planner guessed 23 rows of a 365,000-row table and read all of them for a
    # dashboard (157 ms instead of 6). In production autovacuum analyses a table after
    # a night's writes; a benchmark run minutes after a bulk load does it itself.
    progress("ANALYZE the snapshots")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE metrics_metricsnapshot, metrics_snapshotrun")
    return seconds


def closed_periods(today: date) -> list[Period]:
    month = Period.containing(today, PeriodKind.MONTH)
    week = Period.containing(today, PeriodKind.WEEK)
    periods = []
    for _ in range(SNAPSHOT_MONTHS):
        month = month.previous()
        periods.append(month)
    for _ in range(SNAPSHOT_WEEKS):
        week = week.previous()
        periods.append(week)
    return periods


# --- Who reads, and what ----------------------------------------------------------------


@dataclass(frozen=True)
class Readers:
    """The heaviest user of each role: the mentor with the most current students (and,
    among those, the most waiting for review), their supervisor, the first staff member,
    and the mentor's student with the most submissions."""

    mentor: User
    supervisor: User
    staff: User
    student: User

    def of(self, role: str) -> User:
        return getattr(self, role)


def readers_choose() -> Readers:
    current = Q(student_assignments__ended_at__isnull=True)
    mentor = (
        User.objects.filter(role=Role.MENTOR, mentor_profile__supervisor__isnull=False)
        .annotate(
            load=Count("student_assignments", filter=current, distinct=True),
            waiting=Count(
                "student_assignments__student__submissions",
                filter=current & Q(student_assignments__student__submissions__status="submitted"),
                distinct=True,
            ),
        )
        .order_by("-load", "-waiting", "pk")
        .select_related("mentor_profile__supervisor")
        .first()
    )
    student = (
        User.objects.filter(
            role=Role.STUDENT,
            mentor_assignments__mentor=mentor,
            mentor_assignments__ended_at__isnull=True,
        )
        .annotate(attempts=Count("submissions"))
        .order_by("-attempts", "pk")
        .first()
    )
    return Readers(
        mentor=mentor,
        supervisor=mentor.mentor_profile.supervisor,
        staff=User.objects.filter(role=Role.STAFF).order_by("pk").first(),
        student=student,
    )


@dataclass(frozen=True)
class Page:
    """One page or API list as one role reads it."""

    name: str
    role: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def pages_of(readers: Readers) -> list[Page]:
    """Every page a person uses all day, and every API list, each role's version."""
    mentor, student = readers.mentor, readers.student
    waiting = (
        Submission.objects.waiting()
        .filter(student__mentor_assignments__mentor=mentor)
        .order_by("submitted_at")
        .first()
    )
    question = Question.objects.filter(author=student).order_by("-pk").first() or (
        Question.objects.order_by("-pk").first()
    )
    word = (question.title.split() or ["project"])[0] if question else "project"
    programme_id = (
        student.enrolments.order_by("-started_on").values_list("programme_id", flat=True).first()
    )
    month = Period.containing(date.today(), PeriodKind.MONTH).previous().key
    pages = []

    def add(name: str, roles: str, path: str) -> None:
        pages.extend(Page(name, role, path) for role in roles.split())

    add("layout only (floor)", "student mentor supervisor staff", LAYOUT_PATH)
    add("home", "student mentor supervisor staff", reverse("metrics:home"))
    add("review queue", "mentor supervisor staff", reverse("projects:queue"))
    if waiting:
        add(
            "review page", "mentor supervisor staff", reverse("projects:review", args=[waiting.pk])
        )
    add("student list", "mentor supervisor staff", reverse("students:list"))
    add("student file", "mentor supervisor staff", reverse("students:file", args=[student.pk]))
    add("at-risk queue", "mentor supervisor staff", reverse("students:flag_list"))
    add("sessions", "student mentor supervisor", reverse("students:session_list"))
    add("cases", "mentor supervisor", reverse("knowledge_base:case_list"))
    add("weekly reports", "mentor supervisor", reverse("metrics:weekly_report_list"))
    add("question queue", "mentor", reverse("knowledge_base:question_queue"))
    add("questions", "student", reverse("knowledge_base:question_list"))
    add("knowledge base", "student mentor", reverse("knowledge_base:article_list"))
    add("search", "student mentor", f"{reverse('knowledge_base:search')}?q={word}")
    add("dashboard", "supervisor", f"{reverse('metrics:dashboard')}?period={month}")
    add(
        "scorecard",
        "mentor supervisor",
        f"{reverse('metrics:scorecard', args=[mentor.pk])}?period={month}",
    )
    if programme_id:
        add(
            "programme analytics",
            "staff",
            reverse("metrics:programme_analytics", args=[programme_id]),
        )
    for listed in ("submissions", "students", "flags", "sessions", "questions", "articles"):
        add(f"API {listed}", "mentor staff", reverse(f"api:{listed[:-1]}-list"))
    add("API scorecards", "supervisor staff", reverse("api:scorecard-list"))
    return pages


def session_cookie(user: User) -> str:
    """A signed-in session for ``user``, as the sign-in page leaves it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def page_queries(page: Page, user: User) -> tuple[int, int, int]:
    """The page's status, its number of queries and its size in bytes, asked once
    through Django's test client in this process (second request: the first fills
    caches the server's workers would have filled too)."""
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):  # the server's (the floors)
        client.get(page.path, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path, secure=True)
    return response.status_code, len(queries), len(response.content)


# --- The server and the load ------------------------------------------------------------

# wrk's script: the signed-in session and the proxy's header on every request, and the
# figures as one line of JSON at the end (latencies in microseconds).
WRK_SCRIPT = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Accept-Language"] = os.getenv("BENCH_LANGUAGE")

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout))
end
"""


@dataclass
class Load:
    """One wrk run: latencies in milliseconds, throughput, and the failed requests
    (connection errors, timeouts and answers other than 2xx or 3xx)."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "per_second": round(self.per_second, 1)}


def process_memory_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak, in MB (Linux's /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Server:
    """gunicorn as the Procfile starts it, on the benchmark's database, with the bare
    view added (``metrics.bench_settings``)."""

    def __init__(self, *, port: int, workers: int, log: Path):
        self.port = port
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict:
        database = connection.settings_dict
        url = (
            f"postgres://{database['USER'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "metrics.bench_settings",
            "DATABASE_URL": url,
            "DEBUG": "false",
            "BEHIND_PROXY": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": settings.SECRET_KEY,
            # The load is the benchmark's own: the API's throttles would answer it 429.
            "API_EVENTS_RATE": "off",
            "API_TOKEN_WRITES_RATE": "off",
            # The e-mails the jobs send are written out, never sent to the school.
            "EMAIL_URL": "consolemail://",
            # Collected for the run into a folder of its own (the hashed names).
            "STATIC_ROOT": str(self.static_root),
        }

    @property
    def static_root(self) -> Path:
        return self.log.parent / "static"

    def start(self) -> None:
        if not self.port_free():
            raise RuntimeError(f"Port {self.port} is taken: choose another with --port.")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # The static files' names as these settings store them (hashed, compressed).
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            env=self.environment(),
            cwd=settings.BASE_DIR,
            check=True,
        )
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                str(gunicorn),
                "mentorship.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                str(self.log),
                "--no-control-socket",
            ],
            env=self.environment(),
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=self.log.with_suffix(".err").open("w"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # e.g. the port was taken
                break
            try:
                self.ask("/healthz", timeout=5)
                return
            except OSError:  # not listening yet, or still starting
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.log.with_suffix('.err')}")

    def port_free(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) != 0

    def ask(self, path: str, *, timeout: float) -> None:
        """One request, over "HTTPS" as the proxy says (else the answer is a redirect)."""
        request = urllib.request.Request(  # noqa: S310 (http on loopback)
            f"{self.base_url}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310
            pass

    def drain(self) -> None:
        """Waits until the requests a finished load left queued have been answered: a
        sync worker answers in turn the connections wrk had open when it stopped."""
        for _worker in range(self.workers):
            self.ask("/healthz", timeout=600)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def rss_mb(self) -> dict[str, float]:
        """The workers' resident memory now and at its peak (the largest worker)."""
        now, peak = [], []
        for pid in self.worker_pids():
            resident, highest = process_memory_mb(pid)
            now.append(resident)
            peak.append(highest)
        if not now:
            return {}
        return {"rss_mb": round(max(now), 1), "peak_rss_mb": round(max(peak), 1)}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Worker:
    """``celery worker`` as the Procfile starts it, with the web server's environment
    (the benchmark's database, production settings), reading ``WORKER_QUEUE``."""

    # Celery's log lines for a task received and for a delivery ended.
    RECEIVED = re.compile(r"Task (?P<name>[\w.]+)\[(?P<id>[\w-]+)\] received")
    ENDED = re.compile(
        r"Task (?P<name>[\w.]+)\[(?P<id>[\w-]+)\] "
        r"(?P<how>succeeded in (?P<seconds>[\d.e-]+)s|raised unexpected|retry)"
    )

    def __init__(self, *, environment: dict, concurrency: int, log: Path):
        self.environment = {
            **environment,
            "CELERY_QUEUE": WORKER_QUEUE,
            "CELERY_CONCURRENCY": str(concurrency),
        }
        self.concurrency = concurrency
        self.log = log
        self.process: subprocess.Popen | None = None
        self.peaks: dict[int, float] = {}

    def start(self) -> None:
        celery_command = Path(sys.executable).with_name("celery")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                str(celery_command),
                "--app",
                "mentorship",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.concurrency),
                "--queues",
                WORKER_QUEUE,
                "--purge",  # what an earlier, interrupted run left in the queue
                "--logfile",
                str(self.log),
            ],
            env=self.environment,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,  # the e-mails (console backend)
            stderr=self.log.with_suffix(".err").open("w"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if " ready." in self.log.read_text():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"The Celery worker did not start; see {self.log}")

    def pids(self) -> list[int]:
        """The worker's main process and its pool's."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *(int(pid) for pid in children.read_text().split())]

    def rss_mb(self) -> dict[str, float]:
        """Resident memory now and at its peak of the largest process, the pool's
        processes' peaks kept across a pool process's replacement."""
        now = []
        for pid in self.pids():
            try:
                resident, self.peaks[pid] = process_memory_mb(pid)
            except FileNotFoundError:  # a pool process that just ended
                continue
            now.append(resident)
        if not now:
            return {}
        return {
            "processes": len(now),
            "rss_mb": round(max(now), 1),
            "peak_rss_mb": round(max(self.peaks.values()), 1),
        }

    def run(self, task_name: str) -> dict:
        """Sends one job and waits until the worker has ended every task it led to."""
        offset = self.log.stat().st_size
        started = time.monotonic()
        with warnings.catch_warnings():
            # Under the tests' eager settings too, the job goes to the worker.
            warnings.simplefilter("ignore", AlwaysEagerIgnored)
            celery_app.send_task(task_name, queue=WORKER_QUEUE)
        received: dict[str, int] = {}
        ended: dict[str, int] = {}
        failed, task_seconds = 0, 0.0
        quiet_since, read = time.monotonic(), 0
        while time.monotonic() - started < WORKER_JOB_TIMEOUT:
            with self.log.open() as log:
                log.seek(offset)
                text = log.read()
            # Whole lines only: the worker may be writing the last one.
            complete = text[: text.rfind("\n") + 1]
            if len(complete) > read:
                for line in complete[read:].splitlines():
                    if found := self.RECEIVED.search(line):
                        received[found["id"]] = received.get(found["id"], 0) + 1
                    elif found := self.ENDED.search(line):
                        ended[found["id"]] = ended.get(found["id"], 0) + 1
                        if found["seconds"]:
                            task_seconds += float(found["seconds"])
                        elif found["how"].startswith("raised"):
                            failed += 1
                read = len(complete)
                quiet_since = time.monotonic()
            self.rss_mb()
            if (
                received
                and received == ended
                and time.monotonic() - quiet_since >= WORKER_QUIET_SECONDS
            ):
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker stopped; see {self.log}")
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{task_name} did not finish in {WORKER_JOB_TIMEOUT} s")
        return {
            "job": task_name,
            # Until its last task ended (the quiet wait not counted).
            "seconds": round(quiet_since - started, 2),
            "tasks": sum(received.values()),
            "task_seconds": round(task_seconds, 2),
            "failed": failed,
        }

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


# The at-risk calibration over the year (``manage.py calibrate_flags``); issue 15's
# target is under ten minutes at this size.
CALIBRATION_WEEKS = 52
TARGET_CALIBRATION_SECONDS = 600


def calibration_run(environment: dict, *, weeks: int = CALIBRATION_WEEKS) -> dict:
    """The calibration as staff start it, in a process of its own on the benchmark's
    database (nothing put into force): its time, its peak memory, and what it
    judged."""
    started = time.monotonic()
    finished = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "manage.py", "calibrate_flags", "--weeks", str(weeks), "--json"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    report = json.loads(finished.stdout)
    overall = report["overall"]
    return {
        "weeks": weeks,
        "seconds": round(seconds, 1),
        "calibration_seconds": report["seconds"],
        # The largest child waited for so far: the calibration (the server and the
        # worker are still running).
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "train": report["train"],
        "held_out": report["held_out"],
        "candidates": len(overall["candidates"]),
        "withdrawals_held_out": overall["current"].get("withdrawals", 0),
        "training_withdrawals": overall["training_withdrawals"],
        "in_force": overall["current"],
        "chosen": overall["chosen"],
    }


def scheduled_jobs() -> list[str]:
    """The tasks of the beat schedule, each once, in the schedule's order."""
    return list(dict.fromkeys(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()))


def wrk(
    url: str,
    *,
    cookie: str,
    seconds: float,
    script: Path,
    connections: int = CONNECTIONS,
    language: str = "en",
) -> Load:
    """``seconds`` of ``connections`` users asking for ``url`` as fast as answered."""
    completed = subprocess.run(  # noqa: S603
        [  # noqa: S607 (wrk from Debian's package, on the PATH)
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            url,
        ],
        env={**os.environ, "BENCH_COOKIE": cookie, "BENCH_LANGUAGE": language},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    errors = sum(figures[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Load(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50=figures["p50"] / 1000,
        p95=figures["p95"] / 1000,
        p99=figures["p99"] / 1000,
        max=figures["max"] / 1000,
        errors=errors,
    )


# --- The run ----------------------------------------------------------------------------


@dataclass
class PageResult:
    page: Page
    status: int
    queries: int
    kilobytes: float
    load: Load
    bare: Load

    @property
    def share_of_bare(self) -> float:
        return self.load.per_second / self.bare.per_second if self.bare.per_second else 0.0

    @property
    def within_target(self) -> bool:
        return (
            self.load.p95 <= TARGET_P95_MS
            and self.load.errors == 0
            and self.share_of_bare >= TARGET_SHARE_OF_BARE
        )

    def as_dict(self) -> dict:
        return {
            "page": self.page.name,
            "role": self.page.role,
            "path": self.page.path,
            "status": self.status,
            "queries": self.queries,
            "kilobytes": round(self.kilobytes, 1),
            "load": self.load.as_dict(),
            "bare": self.bare.as_dict(),
            "share_of_bare": round(self.share_of_bare, 3),
            "within_target": self.within_target,
        }


@dataclass
class BenchResult:
    mentors: int
    students: int
    seconds: float
    bare_seconds: float
    machine: dict
    rows: dict[str, int] = field(default_factory=dict)
    build_seconds: float | None = None
    # Of the build: each closed period's snapshot, in seconds.
    snapshot_seconds: dict[str, float] = field(default_factory=dict)
    pages: list[PageResult] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)
    ingestion: dict | None = None
    memory_after_ingestion: dict[str, float] = field(default_factory=dict)
    # The Celery worker: the scheduled jobs it ran and its memory after them.
    jobs: list[dict] = field(default_factory=list)
    worker_memory: dict[str, float] = field(default_factory=dict)
    calibration: dict | None = None

    def as_dict(self) -> dict:
        return {
            "date": date.today().isoformat(),
            "mentors": self.mentors,
            "students": self.students,
            "seconds_per_page": self.seconds,
            "bare_seconds": self.bare_seconds,
            "connections": CONNECTIONS,
            "web_workers": WEB_WORKERS,
            "machine": self.machine,
            "rows": self.rows,
            "build_seconds": self.build_seconds,
            "snapshot_seconds": self.snapshot_seconds,
            "targets": {
                "p95_ms": TARGET_P95_MS,
                "share_of_bare": TARGET_SHARE_OF_BARE,
                "web_rss_mb": TARGET_WEB_RSS_MB,
            },
            "pages": [result.as_dict() for result in self.pages],
            "memory": self.memory,
            "ingestion": self.ingestion,
            "memory_after_ingestion": self.memory_after_ingestion,
            "worker_concurrency": WORKER_CONCURRENCY,
            "jobs": self.jobs,
            "worker_memory": self.worker_memory,
            "calibration": self.calibration,
        }

    def markdown(self) -> str:
        lines = [
            "| page | role | queries | KB | p50 ms | p95 ms | p99 ms | req/s | errors "
            "| bare req/s | share of bare | within target |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for result in self.pages:
            load = result.load
            lines.append(
                f"| {result.page.name} | {result.page.role} | {result.queries} "
                f"| {result.kilobytes:.0f} | {load.p50:.0f} | {load.p95:.0f} | {load.p99:.0f} "
                f"| {load.per_second:.0f} | {load.errors} | {result.bare.per_second:.0f} "
                f"| {100 * result.share_of_bare:.0f} % "
                f"| {'yes' if result.within_target else 'no'} |"
            )
        if self.memory:
            lines.append(
                f"\nWeb workers after the pages: {self.memory['rss_mb']:.0f} MB resident, "
                f"{self.memory['peak_rss_mb']:.0f} MB at the peak (the largest worker)."
            )
        if self.ingestion:
            pushed = self.ingestion
            lines.append(
                f"\nIngestion: {pushed['batches']} batches of {pushed['batch_size']:,} events "
                f"from {pushed['clients']} clients on top of {pushed['rows_before']:,} events: "
                f"{pushed['events_per_second']:,} events a second sent, "
                f"{pushed['recorded_per_second']:,} recorded; a batch p50 "
                f"{pushed['latency_p50_ms']} ms, p95 {pushed['latency_p95_ms']} ms; rollup "
                f"mismatches {pushed['rollup_mismatches']}."
            )
        if self.jobs:
            lines += [
                "",
                "| scheduled job (Celery worker) | seconds | tasks | failed |",
                "| --- | ---: | ---: | ---: |",
            ]
            lines += [
                f"| {job['job']} | {job['seconds']:.1f} | {job['tasks']} | {job['failed']} |"
                for job in self.jobs
            ]
        if self.worker_memory:
            lines.append(
                f"\nCelery worker ({self.worker_memory['processes']} processes) after the jobs: "
                f"{self.worker_memory['rss_mb']:.0f} MB resident, "
                f"{self.worker_memory['peak_rss_mb']:.0f} MB at the peak (the largest process)."
            )
        if self.calibration:
            done = self.calibration
            lines.append(
                f"\nCalibration of the at-risk flags over {done['weeks']} weeks: "
                f"{done['seconds']:.0f} s (target {TARGET_CALIBRATION_SECONDS} s), peak "
                f"{done['peak_rss_mb']:.0f} MB; {done['candidates']} candidate rules judged on "
                f"{done['withdrawals_held_out']:,} withdrawals held out."
            )
        return "\n".join(lines)


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "postgresql": server,
    }


def bench_run(
    *,
    mentors: int,
    students: int,
    seconds: float,
    bare_seconds: float,
    port: int,
    warm: bool = True,
    only: str | None = None,
    ingest_batches: int = 0,
    jobs: bool = True,
    calibrate: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> BenchResult:
    """Every page under load, each right after the bare view."""
    readers = readers_choose()
    wanted = [part.strip() for part in (only or "").split(",") if part.strip()]
    pages = [
        page for page in pages_of(readers) if not wanted or any(w in page.label for w in wanted)
    ]
    cookies = {role: session_cookie(readers.of(role)) for role in {p.role for p in pages}}
    result = BenchResult(
        mentors=mentors,
        students=students,
        seconds=seconds,
        bare_seconds=bare_seconds,
        machine=machine(),
        rows=bench.table_rows(),
    )
    work = settings.VAR_DIR / "bench"
    script = work / "pages.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(WRK_SCRIPT)
    server = Server(port=port, workers=WEB_WORKERS, log=work / "pages-gunicorn.log")
    server.start()
    worker = Worker(
        environment=server.environment(),
        concurrency=WORKER_CONCURRENCY,
        log=work / "pages-worker.log",
    )
    if jobs:
        worker.start()
    try:
        for page in pages:
            # The page as the server renders it, its static files' hashed names included
            # (this process has no manifest of its own on a fresh checkout).
            with override_settings(STATIC_ROOT=server.static_root):
                status, queries, size = page_queries(page, readers.of(page.role))
            cookie = cookies[page.role]
            # A second to warm the workers on the page, then the floor, then the page.
            if warm:
                wrk(server.base_url + page.path, cookie=cookie, seconds=1, script=script)
                server.drain()
            bare = wrk(
                server.base_url + BARE_PATH, cookie=cookie, seconds=bare_seconds, script=script
            )
            server.drain()
            load = wrk(server.base_url + page.path, cookie=cookie, seconds=seconds, script=script)
            server.drain()
            page_result = PageResult(page, status, queries, size / 1024, load, bare)
            result.pages.append(page_result)
            progress(
                f"{page.label:<40} {status} q={queries:<3} p50 {load.p50:7.1f} "
                f"p95 {load.p95:7.1f} ms {load.per_second:6.1f}/s (bare "
                f"{bare.per_second:6.1f}/s, {100 * page_result.share_of_bare:4.0f} %) "
                f"errors {load.errors}"
            )
        result.memory = server.rss_mb()
        if ingest_batches:
            result.ingestion = ingestion(server, batches=ingest_batches, progress=progress)
            result.memory_after_ingestion = server.rss_mb()
        if jobs:
            for job in scheduled_jobs():
                result.jobs.append(worker.run(job))
                progress(
                    f"{job:<45} {result.jobs[-1]['seconds']:7.1f}s "
                    f"{result.jobs[-1]['tasks']} tasks, {result.jobs[-1]['failed']} failed "
                    f"(worker {worker.rss_mb()})"
                )
            result.worker_memory = worker.rss_mb()
        if calibrate:
            result.calibration = calibration_run(server.environment())
            progress(
                f"calibration: {result.calibration['seconds']:.1f}s, peak "
                f"{result.calibration['peak_rss_mb']:.0f} MB"
            )
    finally:
        worker.stop()
        server.stop()
    result.machine["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    return result


def ingestion(server: Server, *, batches: int, progress: Callable[[str], None]) -> dict:
    """``batches`` of the platform's pushes through ``POST /api/v1/events/`` on the
    running server, on top of the events already there; the rollup checked exact
    after."""
    if not User.objects.filter(email=bench_ingest.STAFF_EMAIL).exists():
        bench_ingest.ingestion_data_prepare(students=INGESTION_STUDENTS)
    rows = bench_ingest.ingestion_table_rows()
    measured = bench_ingest.ingestion_measure(
        server.base_url,
        bench_ingest.ingestion_token(),
        batches,
        students=INGESTION_STUDENTS,
        rows_before=rows,
        slice_rows=max(1, batches * bench_ingest.BATCH_SIZE // 2),
        progress=progress,
    )
    measured["rollup_mismatches"] = bench_ingest.ingestion_rollup_mismatches()
    return measured


def bench_results_write(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    path.with_suffix(".md").write_text(result.markdown() + "\n")
