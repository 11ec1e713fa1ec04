"""Services of their own for the fault tests (``test_faults_*``): a ``redis-server``, a
real ``celery worker`` process, a PostgreSQL cluster and a web server, each started on
a port of the test's own and stopped by the test, never the machine's shared ones. A
test whose program is missing is skipped, not failed (the SQLite pass of CI has no
Redis)."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def _postgresql_bin() -> Path:
    """Where PostgreSQL's server programs are: ``POSTGRESQL_BIN``, else Debian's newest
    ``/usr/lib/postgresql/<version>/bin``, else wherever ``initdb`` is on the path."""
    if os.environ.get("POSTGRESQL_BIN"):
        return Path(os.environ["POSTGRESQL_BIN"])
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else Path("/nonexistent")


POSTGRESQL_BIN = _postgresql_bin()

# The ports given to this project's fault tests; another free one when all are taken
# (CI may run its two passes side by side).
REDIS_PORTS = range(6394, 6397)
POSTGRESQL_PORTS = range(5441, 5443)
WEB_PORTS = range(8140, 8150)


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, step=0.1):
    """Poll ``condition`` until it answers something true; fail the test after
    ``timeout`` seconds, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = condition()
        if answer:
            return answer
        time.sleep(step)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def free_port(candidates: range) -> int:
    for port in [*candidates, 0]:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def port_open(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen, *, sig=signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process started with ``start_new_session`` and everything it forked."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


def kill_hard(process: subprocess.Popen) -> None:
    """``kill -9`` a worker and its pool processes at once, as a lost machine or the
    kernel's out-of-memory killer would: nothing gets to say goodbye to the broker."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def running(process: subprocess.Popen, log: Path) -> None:
    """Fail the test at once, with the end of its log, when a process has died."""
    if process.poll() is not None:
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        pytest.fail(f"{process.args[0]} exited with {process.returncode}:\n{tail}")


def kill_pid(pid: int) -> None:
    """``kill -9`` one process (a worker's pool process: its parent lives on)."""
    os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


# --- Redis ------------------------------------------------------------------------------


class Redis:
    def __init__(self, port: int, process: subprocess.Popen):
        self.port, self.process = port, process
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


@pytest.fixture
def redis_server(tmp_path):
    """A ``redis-server`` of the test's own, without persistence, stopped afterwards."""
    program = shutil.which("redis-server")
    if program is None:
        pytest.skip("redis-server is not installed")
    port = free_port(REDIS_PORTS)
    process = subprocess.Popen(  # noqa: S603 (the test's own arguments)
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        + ["no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Redis(port, process)
    try:
        wait_for(lambda: port_open(port), timeout=10, what="redis-server")
        yield server
    finally:
        stop(process)


# --- The database the subprocesses use --------------------------------------------------


class SharedDatabase:
    """The test database as another process reaches it. On PostgreSQL the test's own
    (its rows committed: a transactional test); on SQLite the suite's database lives in
    this process's memory, so it is copied to a file for the worker and copied back
    for the test's assertions."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        self.file = tmp_path / "shared.sqlite3"

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.file}"
        conf = connection.settings_dict
        credentials = quote(conf["USER"] or "", safe="")
        if conf["PASSWORD"]:
            credentials += ":" + quote(conf["PASSWORD"], safe="")
        return (
            f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}"
            f"/{conf['NAME']}"
        )

    def export(self) -> None:
        """Hand the test's committed rows to the other processes."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            with closing(sqlite3.connect(self.file)) as target:
                connection.connection.backup(target)
                # As the settings open it; switching later needs the file to itself.
                target.execute("PRAGMA journal_mode=WAL")

    def import_back(self) -> None:
        """Take what the other processes wrote back into the test's database."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            with closing(sqlite3.connect(self.file)) as source:
                source.backup(connection.connection)

    def scalar(self, sql: str):
        """One value as the other processes see it now."""
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.file, timeout=20)) as db:
                row = db.execute(sql).fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone()
        return row[0] if row else None


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    return SharedDatabase(tmp_path)


def _production_environment(**values) -> dict:
    """This process's environment without the suite's Celery, Django, database and Redis
    variables, with the production settings, a secret key of the test's own, e-mail
    kept in memory, and ``values``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_", "DATABASE_", "REDIS_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "mentorship.settings",
            "SECRET_KEY": "fault-test-" + uuid.uuid4().hex * 2,
            "EMAIL_URL": "memorymail://",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in values.items()},
        }
    )
    return environment


# --- Celery worker ----------------------------------------------------------------------


def worker_environment(*, database: SharedDatabase, queue: str, **extra) -> dict:
    """The production settings, pointed at the test's queue and database (the caller
    adds its broker), with a visibility timeout of seconds on Redis so that a lost task
    comes back within the test."""
    return _production_environment(
        **{
            "DATABASE_URL": database.url,
            "CELERY_QUEUE": queue,
            "CELERY_VISIBILITY_TIMEOUT": 3,
            "CELERY_UNACKED_RESTORE_SECONDS": 1,
            **extra,
        }
    )


def start_worker(environment: dict, log: Path, *, concurrency: int = 1) -> subprocess.Popen:
    """``celery -A mentorship worker`` as the Procfile starts it (prefork), in a session
    of its own so that the test can kill it and its pool processes together."""
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 (the test's own arguments)
            [CELERY, "-A", "mentorship", "worker", "--loglevel", "INFO"]
            + ["--concurrency", str(concurrency), "--pool", "prefork"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# --- PostgreSQL cluster -----------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of the test's own: trust authentication on 127.0.0.1, no
    fsync (nothing here must survive a crash of the machine)."""

    def __init__(self, data: Path, port: int, as_postgres: list[str]):
        self.data, self.port, self.as_postgres = data, port, as_postgres
        self.url = f"postgres://postgres@127.0.0.1:{port}/mentorship"

    def _ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (the test's own arguments)
            [*self.as_postgres, str(POSTGRESQL_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off -c synchronous_commit=off"
        )
        self._ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "-w", "stop")


@pytest.fixture
def postgresql_cluster():
    """``initdb``, start, ``createdb mentorship``; stopped and removed afterwards.
    PostgreSQL refuses to run as root: as root, its programs run as ``postgres``."""
    initdb = POSTGRESQL_BIN / "initdb"
    if not initdb.exists():
        pytest.skip(f"{initdb} is not installed")
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser: PostgreSQL would refuse to start")
        as_postgres = [runuser, "-u", "postgres", "--"]
    data = Path(tempfile.mkdtemp(prefix="mentorship-faults-pg-"))
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    cluster = Cluster(data, free_port(POSTGRESQL_PORTS), as_postgres)
    try:
        subprocess.run(  # noqa: S603 (the test's own arguments)
            [*as_postgres, str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres"]
            + ["--no-sync", "-E", "UTF8", "--locale", "C"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster.start()
        subprocess.run(  # noqa: S603 (the test's own arguments)
            [str(POSTGRESQL_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port)]
            + ["-U", "postgres", "mentorship"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield cluster
    finally:
        with suppress(subprocess.SubprocessError, OSError):
            cluster.stop()
        shutil.rmtree(data, ignore_errors=True)


# --- Web server -------------------------------------------------------------------------


def web_environment(*, database_url: str, **extra) -> dict:
    """Production settings (no debug, so errors answer as they would for people) on
    plain http, pointed at the given database."""
    return _production_environment(
        **{
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            **extra,
        }
    )


def manage(environment: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603 (the test's own arguments)
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )


def start_web(environment: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn as the Procfile starts it, one sync worker, on a port of its own."""
    port = free_port(WEB_PORTS)
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 (the test's own arguments)
            [str(Path(sys.executable).with_name("gunicorn")), "mentorship.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, f"http://127.0.0.1:{port}"
