"""Settings for the test suite: the real settings, made fast and self-contained."""

import os
import tempfile
from pathlib import Path

# The portal's processes refuse to start with DEBUG off and no key of their own; the suite
# runs with DEBUG off, so it brings a key (the processes its tests start inherit it).
if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = "test-suite-only-" + "k" * 40

from .settings import *  # noqa: E402, F403
from .settings import env, env_or  # noqa: E402

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Uploads (and the files seed_demo writes) go to a scratch folder, never var/media;
# projects/tests/conftest.py gives each of its tests a folder of its own.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "mentorship-test-media"
# WhiteNoise warns on every request when the static root is missing (a fresh clone).
STATIC_ROOT = Path(tempfile.gettempdir()) / "mentorship-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
# The committed query records (django-perf-rec, metrics/tests/test_query_records.py): a
# missing record is written locally and fails in CI; PERF_REC_MODE=overwrite rewrites them.
PERF_REC = {"MODE": env_or("PERF_REC_MODE", "none" if env.bool("CI", default=False) else "once")}
