"""Django settings for Milestones, driven by environment variables (see env.py)."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from pathlib import Path

import dj_database_url

from server.milestones.env import REPO_DIR, env_bool, env_int, env_list, env_path, env_str

VAR_DIR = env_path("MILESTONES_VAR_DIR", REPO_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    # A development key kept beside the database, so sessions survive restarts;
    # production sets DJANGO_SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or _secret_key()
# Off unless turned on: a server error page shows settings. `make run` turns it on.
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS, behind the deployment's TLS proxy (DJANGO_SECURE=1 in production): what
# `manage.py check --deploy` asks for. Off by default so plain http works locally.
SECURE = env_bool("DJANGO_SECURE", False)
if SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-http health check
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "server.site",
    "server.accounts",
    "server.competitions",
    "server.submissions",
    "server.leaderboards",
    "server.operations",
    "server.instructor",
    "server.teams",
    "server.courses",
    "server.dry_runs",
    "axes",
    "csp",
    "django_ratelimit",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "server.api",
]

MIDDLEWARE = [
    # First: a body over its limit is refused (413) before any of it is read.
    "server.site.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves collected static files under gunicorn; a no-op beside runserver.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Rate-limited views answer 429 (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last: it answers a locked-out login (too many failures) itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "server.milestones.urls"
WSGI_APPLICATION = "server.milestones.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "server.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the Celery worker process of the integration tests
    # must see the test database too. WAL lets it read while the web writes.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Counts failed logins (the site's and the admin's) and locks a username on an
    # address out after AXES_FAILURE_LIMIT of them, for AXES_COOLOFF_TIME.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = env_int("MILESTONES_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("MILESTONES_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("MILESTONES_PROXY_COUNT", 0)  # the TLS proxy in front, if any
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("MILESTONES_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = env_path("MILESTONES_MEDIA_DIR", VAR_DIR / "media")
MEDIA_URL = "media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: a student's main.py or zip. Anything larger is refused with a reason;
# a request body larger than its route allows is refused (413) before it is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Email: written to the console in development; SMTP in production
# (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_*).
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# For django.core.mail.backends.filebased.EmailBackend (one file per message).
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Milestones <noreply@localhost>")
# Links in emails sent outside a request (a run that ended) start here.
SITE_URL = env_str("MILESTONES_SITE_URL", "http://localhost:8000").rstrip("/")
# A run that took at least this long emails its author when it ends (they may
# turn it off on their profile).
RUN_EMAIL_AFTER_SECONDS = env_int("MILESTONES_RUN_EMAIL_AFTER_SECONDS", 300)

# A Content-Security-Policy every page works under: nothing inline, nothing
# from elsewhere (the pages' script is htmx, served from here).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Sign-up and password-reset requests per address, counted in the broker's Redis
# (shared by every web process). Without Redis they are let through: the login
# lockout (axes) lives in the database and holds regardless.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": "milestones-ratelimit",
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "server.accounts.views.too_many_requests"
SIGNUPS_PER_HOUR = env_int("MILESTONES_SIGNUPS_PER_HOUR", 5)
PASSWORD_RESETS_PER_HOUR = env_int("MILESTONES_PASSWORD_RESETS_PER_HOUR", 5)
# django-ratelimit vouches only for the Redis backend of django-redis; Django's own
# RedisCache increments atomically too (INCR), which is what it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Milestones -------------------------------------------------------------
CHALLENGES_DIR = env_path("MILESTONES_CHALLENGES_DIR", REPO_DIR / "challenges")
# Prepared challenge data: <slug>/public (mounted at /data) and <slug>/hidden.
CHALLENGE_DATA_DIR = env_path("MILESTONES_CHALLENGE_DATA_DIR", VAR_DIR / "challenge-data")
# Raw datasets (MNIST, Tiny Shakespeare) that prepare.py reads.
_shared = REPO_DIR.parent / "shared" / "datasets"
DATASETS_DIR = env_path(
    "MILESTONES_DATASETS_DIR", _shared if _shared.is_dir() else VAR_DIR / "datasets"
)
RUNTIMES_DIR = env_path("MILESTONES_RUNTIMES_DIR", VAR_DIR / "runtimes")
# Where a worker unpacks and runs submissions; must be readable by the sandbox uid.
SANDBOX_WORK_DIR = env_path("MILESTONES_SANDBOX_WORK_DIR", VAR_DIR / "runs")
SANDBOX_BACKEND = env_str("MILESTONES_SANDBOX_BACKEND", "bubblewrap")

SUBMISSION_MAX_UPLOAD_BYTES = env_int("MILESTONES_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
SUBMISSION_MAX_UNPACKED_BYTES = env_int("MILESTONES_MAX_UNPACKED_BYTES", 20 * 1024 * 1024)
SUBMISSION_MAX_FILES = env_int("MILESTONES_MAX_FILES", 200)
SUBMISSIONS_PER_DAY = env_int("MILESTONES_SUBMISSIONS_PER_DAY", 20)
# Challenge bundles uploaded by instructors as zips: unpacked and kept here.
UPLOADED_BUNDLES_DIR = env_path("MILESTONES_BUNDLES_DIR", VAR_DIR / "bundles")
BUNDLE_UPLOAD_MAX_BYTES = env_int("MILESTONES_BUNDLE_MAX_BYTES", 50 * 1024 * 1024)
BUNDLE_UPLOAD_MAX_UNPACKED_BYTES = env_int("MILESTONES_BUNDLE_MAX_UNPACKED", 200 * 1024 * 1024)
BUNDLE_UPLOAD_MAX_FILES = env_int("MILESTONES_BUNDLE_MAX_FILES", 1000)
# What an uploaded bundle's prepare.py may write (public and hidden data together),
# in the sandbox; its time and memory limits are the bundle's own.
BUNDLE_PREPARE_MAX_OUTPUT_BYTES = env_int("MILESTONES_BUNDLE_PREPARE_MAX_OUTPUT", 2 << 30)
# Pages learn of a submission's change by server-sent events (polling stays as a
# slower fallback); off: they poll every second, as before (e.g. behind a proxy
# that holds event streams back).
LIVE_PUSH = env_bool("MILESTONES_LIVE_PUSH", True)
# Runs expected to take at most this long (the median of a challenge's recent runs,
# or its wall limit before it has any) go to the short lane (worker.queues).
SHORT_LANE_SECONDS = env_int("MILESTONES_SHORT_LANE_SECONDS", 120)
# A dry run (server.dry_runs): at most this many seconds of wall and CPU time, on
# a training sample, uncharged; one at a time per student, this many an hour.
DRY_RUN_SECONDS = env_int("MILESTONES_DRY_RUN_SECONDS", 20)
DRY_RUNS_PER_HOUR = env_int("MILESTONES_DRY_RUNS_PER_HOUR", 30)
# Jobs one participant may have queued or running at once (fairness).
MAX_ACTIVE_JOBS_PER_USER = env_int("MILESTONES_MAX_ACTIVE_JOBS_PER_USER", 2)
# A running submission's lease: renewed by the worker's heartbeat; once expired,
# the reaper runs the submission again. Platform failures retried this often.
LEASE_SECONDS = env_int("MILESTONES_LEASE_SECONDS", 30)
MAX_PLATFORM_ATTEMPTS = env_int("MILESTONES_MAX_PLATFORM_ATTEMPTS", 3)
# A queued submission whose message is gone from Redis (its sent marker went
# with it: a flush, a restart) is sent again after the grace; one queued longer
# than REDISPATCH_AFTER_SECONDS is sent again whatever Redis says. The claim is
# guarded, so a duplicate message is a no-op.
REDISPATCH_GRACE_SECONDS = env_int("MILESTONES_REDISPATCH_GRACE_SECONDS", 15)
REDISPATCH_AFTER_SECONDS = env_int("MILESTONES_REDISPATCH_AFTER_SECONDS", 1800)
REAPER_EVERY_SECONDS = env_int("MILESTONES_REAPER_EVERY_SECONDS", 10)
WORKER_ID = env_str("MILESTONES_WORKER_ID", "")
# Worker liveness: a Redis key rewritten this often, gone after three misses.
WORKER_HEARTBEAT_SECONDS = env_int("MILESTONES_WORKER_HEARTBEAT_SECONDS", 5)
# GPUs a GPU worker hands out, one job each: "" finds /dev/nvidiaN, "none", or "0,1".
GPUS = env_str("MILESTONES_GPUS", "")
GPU_WAIT_SECONDS = env_int("MILESTONES_GPU_WAIT_SECONDS", 60)
# CPU cores one run is pinned to; 0: the host's cores divided by the worker's concurrency.
SANDBOX_CPUS = env_int("MILESTONES_SANDBOX_CPUS", 0)
# Host-local lock files for GPU and core slots (shared by the workers of one host).
SLOTS_DIR = env_path("MILESTONES_SLOTS_DIR", Path(tempfile.gettempdir()) / "milestones-slots")

# --- Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "cpu-short"
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task to another worker after this long. It is
# longer than any run may take (a challenge's wall limit is at most 6 hours, and
# a run task is killed at 7), so a task is never delivered twice while its first
# worker still runs it; a worker that died is noticed by its lease long before.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 7 * 3600 + 600)
}
CELERY_BEAT_SCHEDULE = {
    # On the maintenance queue (worker/celery.py); expires so a backlog is not replayed.
    "reap-stale-submissions": {
        "task": "worker.tasks.reap_stale",
        "schedule": float(REAPER_EVERY_SECONDS),
        "options": {"expires": REAPER_EVERY_SECONDS},
    },
}

# --- REST API (server/api) ------------------------------------------------------
# Personal tokens (server.accounts.tokens) first; the session too, so that a
# signed-in visitor can try the API from /api/docs/ (CSRF-checked, as any form).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "server.api.errors.exception_handler",
}
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would create its default token table beside ours (it
# is swapped out, yet its migration does not say so): none are run.
MIGRATION_MODULES = {"knox": None}
# Each token's lifetime is chosen when it is made (server.accounts.tokens).
REST_KNOX = {"TOKEN_PREFIX": "mst_", "TOKEN_TTL": None, "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "Milestones API",
    "DESCRIPTION": "Challenges, submissions and leaderboards of Milestones. Send a personal "
    "token (create one on your profile page) as `Authorization: Token <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state"; a dry run's (server.dry_runs) adds "lost".
    "ENUM_NAME_OVERRIDES": {
        "SubmissionStateEnum": "server.submissions.models.Submission.State",
        "DryRunStateEnum": ["queued", "running", "passed", "failed", "lost"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MILESTONES_LOG_LEVEL", "INFO")},
}
