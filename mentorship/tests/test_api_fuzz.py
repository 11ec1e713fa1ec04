"""The API against its own published schema (issue 16): schemathesis generates requests
from ``/api/schema/`` for every operation, writes included (the live server writes to
the test database, thrown away afterwards), and checks each answer: no 5xx, a status
code the schema lists, a body the schema describes. Run as staff and as a student, each
with an API token, on the demo's data (a few students with reviews, flags, sessions,
questions and articles), so answers carry the blanks and nulls real data has.

Reproducible: a fixed seed, derandomised generation and a bounded number of examples
per operation (``EXAMPLES``), with the API's throttles lifted: their limits are per
minute, so whether a write met 429 would depend on the machine's speed. A failure
prints schemathesis's report, each case with its curl command."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from mentorship.models import Role, User
from mentorship.services import api_token_create

pytestmark = pytest.mark.fuzz

# Examples per operation and phase: 31 operations x 2 users, 930 requests each, about
# 2 minutes on PostgreSQL and 3 on SQLite (docs/operations.md gives the figures).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# The coverage phase (every boundary of every parameter: ~1,500 more requests per user,
# 3 more minutes) is for a deeper run by hand: FUZZ_PHASES=examples,coverage,fuzzing.
# Its finds are kept as plain tests (test_api_bad_input.py).
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
SEED = 16
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def _schemathesis() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if found is None:
        pytest.skip("schemathesis is not installed (requirements-dev.txt)")
    return found


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The live server answers in this process: it reads the rates as they are now
    # (mentorship.api_throttles); test_api_throttles.py tests the limits themselves.
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"events": None, "token_writes": None},
    }
    call_command("seed_demo", students=6, mentors=2, supervisors=1, verbosity=0)


def _token(user: User) -> str:
    return api_token_create(name="fuzz", user=user, created_by=None)[1]


@pytest.mark.parametrize("role", [Role.STAFF, Role.STUDENT])
def test_it_answers_every_operation_as_its_schema_says(demo, live_server, role, tmp_path):
    user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    run = subprocess.run(  # noqa: S603 (our own command line)
        [
            _schemathesis(),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {_token(user)}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--workers",
            "1",
            "--phases",
            PHASES,
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    summary = re.search(r"Test cases:\s*\n\s*(.+)", run.stdout)
    print(f"as {role}: {summary.group(1) if summary else '?'}")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-2000:]
