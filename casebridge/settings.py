"""The one settings module. Every value comes from an environment variable with a safe default.

The README's configuration table lists each variable; keep the two in step.
"""

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from casebridge.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CASEBRIDGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _generated_secret(name: str, file_name: str, length: int) -> str:
    """A secret from the environment (NAME or NAME_FILE), else one generated once into var/."""
    configured = env_str(name)
    if configured:
        return configured
    key_file = VAR_DIR / file_name
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(length), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _generated_secret("SECRET_KEY", "secret_key", 50)
# The audit chain's key is never in the database: whoever can rewrite audit rows must not be
# able to recompute their hashes. Production keeps it in a secrets store (AUDIT_KEY_FILE).
AUDIT_KEY = _generated_secret("AUDIT_KEY", "audit_key", 32)


# Earlier audit keys that older rows and checkpoints are still checked with.
AUDIT_RETIRED_KEYS = env_list("AUDIT_RETIRED_KEYS")
# Signed checkpoints of the audit chains, one small JSON file each, outside the database.
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` (with a heartbeat) replaces the package's.
    "casebridge.background",
    "django_tasks_db",
    "casebridge.accounts",
    "casebridge.audit",
    "casebridge.access",
    "casebridge.clients",
    "casebridge.consents",
    "casebridge.assessments",
    "casebridge.plans",
    "casebridge.monitoring",
    "casebridge.directory",
    "casebridge.referrals",
    "casebridge.advocacy",
    "casebridge.safety",
    "casebridge.transitions",
    "casebridge.discharge",
    "casebridge.followups",
    "casebridge.court",
    "casebridge.family",
    "casebridge.coaching",
    "casebridge.recovery_capital",
    "casebridge.alerts",
    "casebridge.web",
    "casebridge.demo",
]

MIDDLEWARE = [
    "casebridge.web.middleware.BadInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "casebridge.web.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the token sign-in, so its row on the trail says where the call came from.
    "casebridge.audit.context.AuditContextMiddleware",
    "casebridge.accounts.middleware.ApiTokenMiddleware",
    "casebridge.access.refusals.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "casebridge.accounts.middleware.TwoFactorRequiredMiddleware",
    "casebridge.web.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casebridge.urls"
WSGI_APPLICATION = "casebridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casebridge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casebridge.web.context_processors.casebridge",
            ],
        },
    },
]

# Forms draw their inputs, selects and text boxes in Python, as Django's templates would
# (casebridge/widgets.py): the templates, an option at a time, were a fifth of a page.
FORM_RENDERER = "casebridge.widgets.QuickWidgets"

# The embedded default is SQLite under var/; production sets DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'casebridge.sqlite3'}"),
        # Each web thread keeps its connection for a minute rather than opening one per request
        # (a few milliseconds on PostgreSQL), checked before reuse in case the server restarted.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
# On PostgreSQL the few statements every page runs with new values (casebridge/prepared.py)
# are parsed and planned once per connection. Off for a connection pooler that cannot keep a
# connection's prepared statements (PgBouncer before 1.21, or in transaction mode without
# max_prepared_statements).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares only what a cursor asks it to (Django's own cursors bind values in the
    # text and never do); None, Django's default, would refuse even that.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        2**31 - 1 if DATABASE_PREPARED_STATEMENTS else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "casebridge.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures (HIPAA: protect against password guessing).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Failed attempts and lock-outs are rows in the shared database, so a lock-out holds on every
# instance (axes' cache handler would keep them in one process's memory with the default cache).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Lock the account, not the address: a whole agency often shares one public IP address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Automatic log-off: the session ends after this many idle minutes.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15)
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60
# Kept alive by casebridge.web.middleware.IdleTimeoutMiddleware: saved at most once a minute,
# not on every request, so the idle time is counted to the minute (never longer).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# Flash messages can name a case number: keep them server-side, not in a readable cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
# Casebridge is written in English and ships no translations: without Django's translation
# machinery every page draws 3 to 10% faster (a date, a number or a form's message no longer
# looks for a language first). Dates and numbers read as they did: Django's own defaults are
# its American English formats.
USE_I18N = False
USE_TZ = True

# Uploaded files (scanned consent forms, directory import files) are client records: served
# only through the app, which streams them from the storage after the access check. They live
# under MEDIA_ROOT on this machine ("filesystem", the default) or, for several machines, in an
# S3-compatible store ("s3"): private objects, no public or signed links (nothing links to them
# directly), encrypted at rest by the store unless S3_SERVER_SIDE_ENCRYPTION is empty.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
FILE_STORAGE = env_str("FILE_STORAGE", "filesystem")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
_uploads: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if FILE_STORAGE == "s3":
    if not env_str("S3_BUCKET"):
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (the bucket's name).")
    _encryption = env_str("S3_SERVER_SIDE_ENCRYPTION", "AES256")
    _uploads = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            # Empty: AWS itself, and boto3's own credential chain (an instance role, say).
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "location": env_str("S3_PREFIX"),
            "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "querystring_auth": False,
            # Every consent scan is stored as consent-scan-<random>.<kind>: never write over a
            # file that is there already (S3Storage would by default).
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": _encryption} if _encryption else {},
        },
    }
elif FILE_STORAGE != "filesystem":
    raise ImproperlyConfigured("FILE_STORAGE is either filesystem (the default) or s3.")
STORAGES = {
    "default": _uploads,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Django's cache. Nothing that must be shared between machines lives only in it (sessions and
# sign-in lock-outs are rows in the database), but with several instances it is shared too:
# CACHE_URL=redis://host:6379/1 uses Django's Redis cache; empty keeps this process's memory.
CACHE_URL = env_str("CACHE_URL")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "casebridge"),
        }
    }
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL is a redis:// address or empty (this process's memory).")
# Due items of the clients looked at lately, kept in each process's own memory whatever
# CACHE_URL says (they name what a client is due for: nothing of it goes to a shared store).
# A kept list is filed under the client's due stamp, so another instance's change is seen at
# once; see clients.extensions.due_items.
CACHES["due"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "due-items",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": env_int("DUE_CACHE_ENTRIES", 20000)},
}
# Sessions are rows in the database every instance shares: signing out or timing out on one
# instance ends the session on all. (The cache_db engine would save one read per request, at the
# price of a second copy that a misconfigured, per-process cache would let drift.)
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background work goes through Django's Tasks API. "database" (default) stores tasks in the
# database for `casebridge db_worker`; "redis" hands them to RQ workers for several machines.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker that dies mid-task must not lose the task (casebridge/background/). Database workers
# beat every TASKS_HEARTBEAT_SECONDS; the tasks of one silent for TASKS_WORKER_TIMEOUT_SECONDS
# are queued again, at most TASKS_MAX_ATTEMPTS times in all. RQ jobs get rq's Retry (up to
# TASKS_MAX_ATTEMPTS runs) and RQ workers use the same heartbeat and time-out.
TASKS_HEARTBEAT_SECONDS = env_int("TASKS_HEARTBEAT_SECONDS", 10)
TASKS_WORKER_TIMEOUT_SECONDS = env_int("TASKS_WORKER_TIMEOUT_SECONDS", 60)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)
RQ = {
    "QUEUE_CLASS": "casebridge.background.redis_queue.RetryingQueue",
    "WORKER_CLASS": "casebridge.background.redis_queue.Worker",
}

# Email goes through Django's mailers: the console by default, SMTP when EMAIL_BACKEND says so.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mail_options: dict[str, object] = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "casebridge@localhost")
# Text messages go through a pluggable backend: the console by default; a provider's backend
# (a class with send_messages(messages) -> int, see casebridge/alerts/sms.py) by its dotted path.
SMS_BACKEND = env_str("SMS_BACKEND", "casebridge.alerts.sms.ConsoleBackend")
# The address people use to reach Casebridge, for links in emails and texts sent from the
# background (no request to take it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The benchmarks' yardstick: a signed-in page that draws only the layout, at /bench/floor/.
# Off unless a benchmark turns it on (bench/pages.py); it shows nothing of anyone.
BENCHMARK_FLOOR = env_bool("BENCHMARK_FLOOR", False)

# Break-the-glass access lasts this long before it must be asked for again.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)
# An open care-plan task not recorded this many days after its due date is marked missed.
PLAN_TASK_GRACE_DAYS = env_int("PLAN_TASK_GRACE_DAYS", 7)
# How often `casebridge serve` queues the sweep of overdue plan tasks (minutes).
SWEEP_EVERY_MINUTES = env_int("SWEEP_EVERY_MINUTES", 60)
# How many clients the alert sweep evaluates in one transaction.
ALERTS_SWEEP_BATCH = env_int("ALERTS_SWEEP_BATCH", 1000)
# How often My Day asks the server whether its alerts changed (seconds).
ALERTS_POLL_SECONDS = env_int("ALERTS_POLL_SECONDS", 30)
# Background tasks `casebridge clock` queues every SWEEP_EVERY_MINUTES (the plan-task sweep, the
# alert sweep, the courts' daily draw and missed call-ins, and the audit checkpoint).
PERIODIC_TASKS = [
    "casebridge.plans.tasks.sweep_overdue_tasks",
    "casebridge.alerts.tasks.sweep_alerts",
    "casebridge.alerts.tasks.send_alert_notifications",
    "casebridge.monitoring.tasks.extend_repeating_appointments",
    "casebridge.court.tasks.court_daily_check",
    "casebridge.audit.tasks.write_audit_checkpoint",
]

# Application logs carry ids and actions, never names or other client details.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A provider's link and a calendar feed carry their secret in the path: masked everywhere.
    "filters": {"mask_secrets": {"()": "casebridge.web.logmask.MaskSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs request paths and, for 500s, request bodies on this logger; ours
        # carry only ids in URLs (and secrets masked) and the error page shows nothing of
        # the request.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Sign-in attempts are audited as rows; axes' own chatter only repeats them.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
