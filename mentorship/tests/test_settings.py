"""The settings module, read from the environment as production would set it."""

import os
import subprocess
import sys
from pathlib import Path

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


def test_it_flags_the_development_secret_key_in_check_deploy():
    environment = {**PRODUCTION_ENVIRONMENT}
    del environment["SECRET_KEY"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
