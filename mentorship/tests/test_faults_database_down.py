"""Fault test: the database goes down under a running web server, and comes back. A
PostgreSQL cluster of the test's own and gunicorn as the Procfile starts it (no debug,
persistent connections with health checks, as in production): while the cluster is
stopped, /healthz, a signed-in person's page and the API answer 503 (not 500; JSON for
/healthz and the API, a short page otherwise); once it is started again they answer
as before, without the web server being restarted.

Skipped where PostgreSQL's programs are not installed (its own ``initdb``; the test
never touches the machine's shared server)."""

import json
import urllib.error
import urllib.request

import pytest

from mentorship.tests.fault_services import (  # noqa: F401 (fixtures)
    manage,
    port_open,
    postgresql_cluster,
    running,
    start_web,
    stop,
    wait_for,
    web_environment,
)

pytestmark = pytest.mark.faults

# A signed-in person's browser sends their session cookie: reading the session is the
# first thing a page does with the database, before any view.
SIGNED_IN = {"Cookie": "sessionid=a-session-the-database-must-be-asked-about"}
PAGE = "/notifications/"
API = "/api/v1/students/"


def _get(base: str, path: str, headers: dict | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _answers(base: str) -> dict[str, int]:
    urllib.request.install_opener(urllib.request.build_opener(_NoRedirects))
    return {
        "healthz": _get(base, "/healthz")[0],
        "page": _get(base, PAGE, SIGNED_IN)[0],
        "api": _get(base, API, SIGNED_IN)[0],
    }


def test_it_answers_503_while_the_database_is_down_and_recovers_by_itself(
    postgresql_cluster,  # noqa: F811
    tmp_path,
):
    environment = web_environment(database_url=postgresql_cluster.url, CONN_MAX_AGE=60)
    # The tables these requests read: the sessions' (the session cookie is looked up);
    # the rest of the schema plays no part in the answers measured here.
    manage(environment, "migrate", "sessions", "--no-input")
    log = tmp_path / "web.log"
    web, base = start_web(environment, log)
    port = int(base.rpartition(":")[2])
    try:
        wait_for(
            lambda: running(web, log) or (port_open(port) and _get(base, "/healthz")[0] == 200),
            timeout=30,
            what="the web server",
            step=0.25,
        )
        # Up: healthy; the unknown session is an anonymous person, sent to sign in
        # (the page) or refused (the API).
        up = _answers(base)
        assert up["healthz"] == 200
        assert up["page"] == 302
        assert up["api"] == 401

        postgresql_cluster.stop()
        down = _answers(base)
        status, content_type, body = _get(base, "/healthz")
        assert json.loads(body)["checks"]["database"] == "error"
        status, content_type, body = _get(base, PAGE, SIGNED_IN)
        assert content_type.startswith("text/html")
        assert b"Temporarily unavailable" in body
        status, content_type, body = _get(base, API, SIGNED_IN)
        assert content_type == "application/json"

        postgresql_cluster.start()
        again = _answers(base)
    finally:
        stop(web)

    # Faults injected: the database stopped once; 5xx other than 503: none; the
    # same web process answered again once it was back.
    assert down == {"healthz": 503, "page": 503, "api": 503}
    assert again == up
