"""Settings for the Mentorship Portal, read once from the environment.

Every variable is listed in ``.env.example``. With none set, the portal runs on
embedded defaults (a SQLite file under ``var/`` and Kombu's filesystem broker), which is
what ``make run`` uses; with ``DATABASE_URL`` and ``REDIS_URL`` set the same code runs on
PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_or(name: str, default: str) -> str:
    """A variable that is set but empty (``DATABASE_URL=`` in .env) means the default."""
    return env.str(name, default="") or default


# Runtime state of a local install: SQLite file, broker folder, uploads, static files.
VAR_DIR = Path(env_or("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# Only good for a laptop (make run sets DEBUG=true). The key signs sessions,
# password-reset links and one-click links: a public one lets anyone forge them, so
# with DEBUG off the processes that serve or run the portal (the web, ASGI, Celery
# workers and beat) refuse to start with it, or with the placeholder of .env.example,
# and `check --deploy` fails (mentorship.startup.refuse_public_secret_key). Commands
# that only read the code (makemigrations, makemessages, check) still run.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-change-me"  # noqa: S105
PUBLIC_SECRET_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-to-50-random-characters"}
SECRET_KEY = env_or("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The five apps, bottom layer first (docs/architecture.md): each imports only those
# listed before it.
INSTALLED_APPS = [
    "mentorship",
    "projects",
    "students",
    "knowledge_base",
    "metrics",
    # Before the admin: its TranslationAdmin edits the languages side by side.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # Trigram lookups for knowledge-base search (harmless on SQLite).
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "simple_history",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mentorship.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and authentication: it reads who the request was from once
    # the page (or DRF's token authentication) has answered.
    "mentorship.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "mentorship.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentorship.middleware.StaffTwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mentorship.middleware.NotAllowedMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"
ASGI_APPLICATION = "mentorship.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorship.context_processors.navigation",
                "knowledge_base.context_processors.questions",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# Default: a SQLite file that web, worker and scheduler share. WAL lets readers run
# beside the one writer; IMMEDIATE transactions take the write lock up front, so two
# processes never deadlock upgrading a read lock, and busy_timeout makes them queue.
DATABASES = {
    "default": env.db_url_config(
        env_or("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mentorship.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    )
    # SQLite has no covering indexes: it builds students.DailyActivity's index
    # without the included column, which only PostgreSQL needs for speed.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation unless asked: the pages' queries are short, and a plan
    # estimated above jit_above_cost paid 40 to 70 ms compiling what ran in a few.
    if not env.bool("DATABASE_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------
REDIS_URL = env_or("REDIS_URL", "")
# The table of the database cache, created by a migration (mentorship 0015), so
# `migrate` is all a new install needs.
CACHE_TABLE = "mentorship_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Without Redis, the database's: every web and worker process of the portal shares
    # it (a process's own memory would not), so allauth's login limits, the API's
    # throttles and the shared cached figures hold whichever process answers. Its `add`
    # is an insert on the primary key, atomic as allauth's lock needs; a file cache's
    # is not, and is shared by one machine only. Room for a live scorecard period's
    # entries, one a mentor (metrics.scorecards): the default 300 would evict them as
    # they are written.
    CACHES = {
        "default": {
            "BACKEND": "mentorship.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

CELERY_BROKER_URL = env_or("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Kombu's filesystem transport needs no server: producers and consumers share a
    # folder. Good for one machine (make run), not for a fleet.
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_or("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task lost with its worker runs again (docs/operations.md, "Tasks and workers"):
# a message is acknowledged only once its task has returned, so every task must be
# safe to run twice (each task's docstring says why it is). A pool process that dies
# mid-task (killed, out of memory) has its message put back at once; a whole worker
# that dies (the main process killed, the machine lost) leaves its message unacknowledged
# on Redis until the visibility timeout below has passed.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds only what it is running
# Time limits: the default is for the short tasks (reminders, a flagging chunk, a digest
# part: seconds at 100,000 students, docs/benchmarks.md; ten minutes leaves room for a
# batch of e-mails through a slow mail server); the long ones (calibration,
# backtests, scorecard snapshots, Monday's drafts: minutes) name TASK_LONG_TIME_LIMIT.
# At the soft limit the task's transaction rolls back; a task that hits a limit is
# failed and acknowledged, not retried.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=9 * 60)
TASK_LONG_TIME_LIMIT = env.int("TASK_LONG_TIME_LIMIT", default=30 * 60)
TASK_LONG_SOFT_TIME_LIMIT = env.int("TASK_LONG_SOFT_TIME_LIMIT", default=25 * 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis has no acknowledgements of its own: Kombu keeps a delivered message aside
    # and gives it to another worker once it has waited this long unacknowledged. It
    # must outlast the longest task (a longer task would be handed out a second time
    # while it still runs) and the longest retry delay (10 min, Celery's backoff
    # ceiling: a retried task waits in its worker, unacknowledged); it is also how long
    # a task lost with a whole worker waits before it runs again. Every worker looks
    # for such messages every CELERY_UNACKED_RESTORE_SECONDS, and once when it starts.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int(
            "CELERY_VISIBILITY_TIMEOUT", default=max(TASK_LONG_TIME_LIMIT, 10 * 60) + 5 * 60
        ),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
CELERY_TIMEZONE = "UTC"
# The queue the tasks go to and the workers read: deployments (or the pages benchmark's
# worker) sharing one Redis name their own.
CELERY_TASK_DEFAULT_QUEUE = env_or("CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues a task after saving gives up quickly when the broker is away:
# what it saved is already an outbox row or a pending record that a beat sweep
# finishes (mentorship.queueing). Kombu's defaults (a 4 s connect timeout, three
# retries) cost a request up to 16 s against a host that does not answer.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Installed into django-celery-beat's tables when beat starts; staff can pause or
# re-time them in the admin.
CELERY_BEAT_SCHEDULE = {
    # The notifications' outbox: e-mails their own task did not send (the broker was
    # down, a worker died) and retries whose pause is over (mentorship.notifications).
    "send-due-notification-emails": {
        "task": "mentorship.tasks.send_due_notification_emails",
        "schedule": crontab(minute="*/5"),
    },
    # Invitations whose own task was lost (the broker was down): mentorship.services.
    "send-due-invitation-emails": {
        "task": "mentorship.tasks.send_due_invitation_emails",
        "schedule": crontab(minute="*/5"),
    },
    # Files kept from refused forms (mentorship.uploads), a day after they were kept.
    "sweep-pending-uploads": {
        "task": "mentorship.tasks.sweep_pending_uploads",
        "schedule": crontab(minute=41),
    },
    "purge-expired-invitations": {
        "task": "mentorship.tasks.purge_expired_invitations",
        "schedule": crontab(hour=3, minute=17),
    },
    "remind-overdue-reviews": {
        "task": "projects.tasks.remind_overdue_reviews",
        "schedule": crontab(minute=5),
    },
    "remind-waiting-questions": {
        "task": "knowledge_base.tasks.remind_waiting_questions",
        "schedule": crontab(minute=35),
    },
    "send-session-reminders": {
        "task": "students.tasks.send_session_reminders",
        "schedule": crontab(minute="*/15"),
    },
    # Mondays 12:00 UTC: each mentor's report of their last complete week (on their
    # own clock) is drafted. At noon UTC it is Monday from UTC−12 to UTC+14, so every
    # mentor's last week is over and the same one.
    # Nightly, before the flagging run, if staff switched it on in the flag settings:
    # the red rules calibrated again on the history up to yesterday.
    "recalibrate-flags": {
        "task": "students.tasks.recalibrate_flags_nightly",
        "schedule": crontab(hour=1, minute=15),
    },
    # Nightly: judge every active student and open, raise or resolve at-risk flags
    # (the run fans out to chunk tasks; staff can also start one from the admin).
    "flag-students": {
        "task": "students.tasks.flag_students",
        "schedule": crontab(hour=2, minute=30),
    },
    # Nightly, after the flagging run: the closed weeks, months and quarters of the
    # mentors' scorecards, into snapshots (pages compute only the current period).
    "snapshot-scorecards": {
        "task": "metrics.tasks.snapshot_scorecards",
        "schedule": crontab(hour=3, minute=40),
    },
    "draft-weekly-reports": {
        "task": "metrics.tasks.draft_weekly_reports",
        "schedule": crontab(hour=12, minute=0, day_of_week="mon"),
    },
    # Mondays at noon UTC (every supervisor's last week is over then, as above): the
    # supervisors' digests of their teams' scores.
    "send-team-digests": {
        "task": "metrics.tasks.send_team_digests",
        "schedule": crontab(hour=12, minute=20, day_of_week="mon"),
    },
    # Daily 06:00 UTC (09:00 in Moscow): students whose four-week survey round starts
    # today are sent its survey; those whose round started one or two days ago and
    # were missed are sent theirs too (a day the task did not run). Never twice.
    "send-surveys": {
        "task": "metrics.tasks.send_surveys",
        "schedule": crontab(hour=6, minute=0),
    },
}

# A batch of 5,000 activity events (POST /api/v1/events/) with long e-mails and ids
# comes to about 3 MB of JSON; Django's default limit on a request body is 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=6 * 1024 * 1024)

# --- At-risk flags --------------------------------------------------------------------
# Students per chunk task of a flagging run: each chunk is one transaction of a
# handful of queries; more workers take more chunks at once.
FLAG_CHUNK_SIZE = env.int("FLAG_CHUNK_SIZE", default=2000)
# A run's second round (the activity drops) and its digests are each shared out among
# this many tasks: by default, one per worker process.
FLAG_PARTS = env.int("FLAG_PARTS", default=env.int("CELERY_CONCURRENCY", default=2))
# The shares a period's scorecard snapshots on many calendars are computed in, a task
# each: one per worker process (metrics.tasks.snapshot_scorecards).
SNAPSHOT_PARTS = env.int("SNAPSHOT_PARTS", default=env.int("CELERY_CONCURRENCY", default=2))

# --- Review loop ----------------------------------------------------------------------
# How long starting a review holds a submission for one reviewer.
REVIEW_CLAIM_MINUTES = env.int("REVIEW_CLAIM_MINUTES", default=120)
# A mentor is nudged once when a submission has waited this long.
REVIEW_REMINDER_HOURS = env.int("REVIEW_REMINDER_HOURS", default=48)
# A question waiting this long without an answer reminds the mentor (once).
QUESTION_REMINDER_HOURS = env.int("QUESTION_REMINDER_HOURS", default=24)

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "mentorship.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "metrics:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "mentorship.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mentorship] "
# allauth's default rate limits (login failures, password resets, ...) stay on; they
# count in the default cache, which every process shares: Redis, or the database cache
# (ACCOUNT_RATE_LIMITS left at its default).
# Students and mentors join by invitation; open sign-up is a deliberate choice.
ACCOUNT_OPEN_SIGNUP = env.bool("ACCOUNT_OPEN_SIGNUP", default=False)
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mentorship Portal"
# When true, staff must set up TOTP before they can use anything but the MFA pages.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Course content (programmes, projects, rubric criteria, shared review notes) has a
# column per language (``title_en``, ``title_ru``; each app's ``translation.py``). A
# text reads in the reader's language, else in the other one. Code that writes the
# untranslated name (``Project.objects.create(title=...)``) fills the English column;
# a form or an assignment after creation fills the reader's language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "ru")}
MODELTRANSLATION_AUTO_POPULATE = "default"

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_or("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the static root and have no public URL: only views that check
# access serve them.
MEDIA_ROOT = Path(env_or("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- E-mail ---------------------------------------------------------------------------
# A mail server that hangs would hold a worker, and the outbox's claim on its rows
# (15 minutes, mentorship.notifications) assumes an attempt ends well before that.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mentorship Portal <noreply@mentorship.test>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
# Secure by default; a laptop on plain http sets DEBUG=true (make run does).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes the health document over plain http, inside the network; a
# redirect would read as "down". It carries no personal data (mentorship.views.healthz).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Everything the pages use is served by the portal itself: no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Forms and UI ---------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_TAGS = {40: "danger"}  # Bootstrap's name for messages.ERROR

# --- API ------------------------------------------------------------------------------


def throttle_rate(name: str, default: str) -> str | None:
    """A throttle's rate (``120/min``, ``10/s``) from the environment; ``off`` lifts it
    (the benchmarks measure throughput, not the limit)."""
    rate = env_or(name, default)
    return None if rate.lower() == "off" else rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mentorship.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # mentorship.api_throttles: per caller, counted in the shared default cache.
    "DEFAULT_THROTTLE_CLASSES": ["mentorship.api_throttles.TokenWriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Batches of activity events a caller pushes (each up to 5,000 events, 6 MB):
        # two a second is some 600,000 events a minute, above what ingestion records.
        "events": throttle_rate("API_EVENTS_RATE", "120/min"),
        # Writes one API token makes (POST, PUT, PATCH, DELETE).
        "token_writes": throttle_rate("API_TOKEN_WRITES_RATE", "600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "mentorship.api_errors.ApiSchema",
    "EXCEPTION_HANDLER": "mentorship.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentorship Portal API",
    "DESCRIPTION": (
        "Programmes, submissions, students and activity. Integrations authenticate "
        "with a staff-issued token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Reviews and at-risk flags both have a "verdict"; students, sessions, flags,
    # questions and articles a "status"; people (the interface's two) and articles (any
    # content language) a "language". Each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "projects.models.Verdict",
        "FlagVerdictEnum": "students.models.FlagVerdict",
        "StudentStatusEnum": "mentorship.models.StudentStatus",
        "QuestionStatusEnum": "knowledge_base.models.QuestionStatus",
        "ArticleStatusEnum": "knowledge_base.models.ArticleStatus",
        "ContentLanguageEnum": "mentorship.models.ContentLanguage",
        "LanguageEnum": "mentorship.settings.LANGUAGES",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
