"""The settings module, read from the environment as production would set it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "mentorship.settings",
    "DEBUG": "false",
    "SECRET_KEY": "x9!Vq2#pLm7@Zr4$Tn8^Wb1&Ky6*Hd3(Fs5)Gj0_Qce7Ua2Xo+Lp3Rt8Mz",
    "ALLOWED_HOSTS": "portal.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def run_manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        # Only what production sets: nothing from the test process (the browser
        # tests' DJANGO_ALLOW_ASYNC_UNSAFE, say) may leak into the check.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(environment)
    env.setdefault("VAR_DIR", str(REPO / "var"))
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_check_deploy_with_production_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION_ENVIRONMENT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_passes_check_deploy_without_redis_on_the_database_cache():
    environment = {**PRODUCTION_ENVIRONMENT, "DATABASE_URL": "", "REDIS_URL": ""}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert result.returncode == 0, result.stdout + result.stderr


# How each process that serves or runs the portal starts: gunicorn (and runserver)
# import the WSGI application, an ASGI server the ASGI one; a Celery worker and beat
# send their init signals once the app is configured.
START = {
    "web": "import mentorship.wsgi",
    "asgi": "import mentorship.asgi",
    "worker": (
        "import django; django.setup(); from celery.signals import worker_init; "
        "worker_init.send(sender=None)"
    ),
    "beat": (
        "import django; django.setup(); from celery.signals import beat_init; "
        "beat_init.send(sender=None)"
    ),
}


def import_settings(
    environment: dict[str, str], *, process: str = "web"
) -> subprocess.CompletedProcess:
    """Start one of the portal's processes (as far as it goes before serving) in a
    process of its own."""
    return run_python(START[process], environment=environment)


def run_python(code: str, *, environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENVIRONMENT}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(environment)
    env.setdefault("VAR_DIR", str(REPO / "var"))
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "django-insecure-local-development-key-change-me",
        "change-me-to-50-random-characters",
    ],
    ids=["unset", "empty", "the repository's key", "the placeholder of .env.example"],
)
@pytest.mark.parametrize("process", ["web", "asgi", "worker", "beat"])
def test_it_refuses_to_start_in_production_without_a_secret_key_of_its_own(secret_key, process):
    environment = {
        key: value for key, value in PRODUCTION_ENVIRONMENT.items() if key != "SECRET_KEY"
    }
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key

    result = import_settings(environment, process=process)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "DEBUG=true" in result.stderr  # what a developer's laptop sets instead


def test_it_refuses_check_deploy_without_a_secret_key():
    environment = {
        key: value for key, value in PRODUCTION_ENVIRONMENT.items() if key != "SECRET_KEY"
    }
    result = run_manage("check", "--deploy", environment=environment)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "environment",
    [
        # make run: a laptop on plain http, the repository's key.
        {"DEBUG": "true"},
        # Production with a key of its own.
        PRODUCTION_ENVIRONMENT,
        # The benchmarks' servers (metrics.bench_pages, students.bench_ingest): DEBUG off,
        # the key of the process that starts them.
        {"DEBUG": "false", "SECRET_KEY": "a-benchmark's-own-key", "BEHIND_PROXY": "true"},
    ],
    ids=["make run", "production", "a benchmark's server"],
)
def test_it_starts_with_a_development_machine_or_a_key_of_its_own(environment):
    result = import_settings({"DJANGO_SETTINGS_MODULE": "mentorship.settings", **environment})
    assert result.returncode == 0, result.stderr


def test_commands_that_only_read_the_code_run_without_a_key():
    """A fresh checkout, nothing set: makemigrations (make migrations-check, CI) and
    makemessages need no key; only the processes that serve refuse one."""
    result = run_manage(
        "makemigrations",
        "--check",
        "--dry-run",
        environment={"DJANGO_SETTINGS_MODULE": "mentorship.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_test_settings_start_with_no_variable_set():
    result = run_python(
        "import mentorship.settings_test",
        environment={"CI": "true", "DEBUG": "", "SECRET_KEY": ""},
    )
    assert result.returncode == 0, result.stderr
