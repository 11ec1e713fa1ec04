"""Without Redis, the default cache is the database's (``DatabaseCache``), shared by
every process of the portal: allauth's login limit (five wrong passwords for an
address in five minutes) holds however many web processes answer. With each
process's own memory, two gunicorn processes let ten wrong passwords through."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from mentorship.cache import DatabaseCache

REPO = Path(__file__).resolve().parents[2]
TOO_MANY = "Too many failed login attempts"
# Any 32 letters: Django compares the form's token with the cookie's secret.
CSRF = "a" * 32


def test_migrate_creates_the_cache_table(db):
    assert settings.CACHE_TABLE in connection.introspection.table_names()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(var_dir: Path) -> dict[str, str]:
    """Production's settings on a machine without Redis: SQLite under ``var_dir``, the
    default cache, plain http on the loopback."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="mentorship.settings",
        VAR_DIR=str(var_dir),
        DEBUG="false",
        SECRET_KEY="shared-cache-test-" + "s" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        LOG_LEVEL="WARNING",
    )
    return environment


def _manage(*args: str, environment: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "manage.py", *args], cwd=REPO, env=environment, check=True
    )


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} stopped: {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within 60 s")


def _wrong_password(port: int) -> str:
    """One sign-in with a wrong password, as a browser posts it; the page's text."""
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": CSRF, "login": "maria@example.org", "password": "wrong"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own server)
        f"http://127.0.0.1:{port}/accounts/login/",
        data=data,
        # One site behind both processes, as behind a proxy: allauth counts failures
        # per address on a site, and the site is the request's host.
        headers={"Cookie": f"csrftoken={CSRF}", "Host": "127.0.0.1"},
    )
    try:
        # Straight to the loopback, whatever proxy the machine's environment names.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the embedded defaults' own servers, whatever the suite runs on: once is enough",
)
def test_two_web_processes_share_the_login_limit(tmp_path):
    environment = _environment(tmp_path)
    _manage("migrate", "--no-input", "--verbosity", "0", environment=environment)
    _manage("collectstatic", "--no-input", "--verbosity", "0", environment=environment)
    ports = [_free_port(), _free_port()]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    servers = [
        subprocess.Popen(  # noqa: S603 (our own command line)
            [
                str(gunicorn),
                "mentorship.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_for(port, server)
        # Ten wrong passwords, each web process answering every other one.
        pages = [_wrong_password(ports[attempt % 2]) for attempt in range(10)]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    refused = [TOO_MANY in page for page in pages]
    assert refused == [False] * 5 + [True] * 5, f"{refused.count(False)} got through"


def test_the_database_cache_writes_many_entries_at_once(db):
    cache = DatabaseCache(settings.CACHE_TABLE, {})
    entries = {
        f"metrics:scorecards:UTC:2026-12:{mentor}": {"figure": mentor} for mentor in range(50)
    }

    cache.set_many(entries, 600)

    assert cache.get_many(list(entries)) == entries
    # allauth's lock: only the first of two processes adding a key gets it.
    assert cache.add("allauth:lock", True, 10) is True
    assert cache.add("allauth:lock", True, 10) is False
