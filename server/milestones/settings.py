"""Django settings for Milestones, driven by environment variables (see env.py)."""

from __future__ import annotations

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
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "server.accounts",
    "server.competitions",
    "server.submissions",
    "server.leaderboards",
    "server.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files under gunicorn; a no-op beside runserver.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "server.milestones.urls"
WSGI_APPLICATION = "server.milestones.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_DIR / "server" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "server.competitions.context_processors.site",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("MILESTONES_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [REPO_DIR / "server" / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = env_path("MILESTONES_MEDIA_DIR", VAR_DIR / "media")
MEDIA_URL = "media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: a student's main.py or zip. Anything larger is refused with a reason.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

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
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than any run may take, so Redis does not hand an unacked task to a
# second worker while the first is still working on it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE = {
    # On the maintenance queue (worker/celery.py); expires so a backlog is not replayed.
    "reap-stale-submissions": {
        "task": "worker.tasks.reap_stale",
        "schedule": float(REAPER_EVERY_SECONDS),
        "options": {"expires": REAPER_EVERY_SECONDS},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MILESTONES_LOG_LEVEL", "INFO")},
}
