"""Settings for the Mission Support tracker, driven by environment variables.

With no environment set the project runs on an embedded SQLite database and executes Celery tasks
in-process. ``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL``/``CELERY_BROKER_URL`` to a real
broker with separate worker and beat processes. There is one settings module: anything that differs
between a laptop and production is an environment variable, never a second file.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
    "axes",
    "operations",
    "tasking",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "operations.middleware.NulRefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the request into its answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "operations.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL names another engine.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that asks the server only when the socket says it
    # might have gone (``config.postgresql``).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (runserver, in-process tasks) share one file: wait for locks instead of
    # failing at once, and take the write lock at BEGIN so two writers never deadlock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`; the test suite runs without it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: secure by default. Only DEBUG=1 (local development) or an explicit variable turns a
# protection off, e.g. SECURE_SSL_REDIRECT=0 behind a proxy that already terminates TLS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, renewed on each request

# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that username is refused from that address until LOGIN_COOLOFF_MINUTES pass without a
# further attempt. Per username *and* address: the guesser is stopped where they are, while the
# officer, signing in from elsewhere, is not locked out by someone else's guesses (a lockout per
# username alone would let anyone lock any user out). A success clears the count. Behind a proxy,
# TRUSTED_PROXY_COUNT says how many proxies append to X-Forwarded-For, so the client's address
# (not the proxy's) is the one counted.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "operations.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "operations.security.client_ip_address"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# The web processes and the workers must share this cache: the "a dispatch (or drain) is waiting
# in the queue" flags live in it. Redis when there is one (REDIS_URL, else a redis:// broker URL);
# otherwise tasks run in this process and a local cache is enough.
_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
_CACHE_URL = os.environ.get("REDIS_URL") or (_BROKER_URL if _BROKER_URL.startswith("redis") else "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not _CACHE_URL
    else {"BACKEND": "config.cache.ClientKeepingRedisCache", "LOCATION": _CACHE_URL}
}

REST_FRAMEWORK = {
    # Token first: DRF answers an unauthenticated request with the first class's challenge, so
    # anonymous API calls get 401 with "WWW-Authenticate: Token" instead of a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "operations.authentication.TokenAndRoleAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["operations.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "operations.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "operations.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mission Support tasking and performance API",
    "DESCRIPTION": "Requests, missions, outcomes, patrols, reference data and performance indicators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Requests and missions share one "kind" choice set: name it, or `check --deploy` warns
    # (drf_spectacular.W001) and the schema gets a generated name like "Kind979Enum".
    "ENUM_NAME_OVERRIDES": {"RequestKindEnum": "tasking.models.RequestKind"},
    # The schema and its docs page are for signed-in users (Viewer and up), like every other route:
    # the API's shape is not advertised to anyone who can reach the server.
    "SERVE_PERMISSIONS": ["operations.permissions.RolePermission"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "operations.api.schema.postprocess_local_times",
    ],
}

# Celery: a real broker when one is named, otherwise tasks run in-process (embedded mode).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Reliability: a task is acknowledged only after it ran, and a task whose worker died is given
# back to the broker; the visibility timeout bounds how long Redis waits before redelivering an
# unacknowledged task. The outbox sweep covers whatever the broker still loses.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Celery closes every database connection before and after each task unless told to reuse them:
# each task would then start a new PostgreSQL backend (a fork, authentication and a cold catalogue
# cache), which under a steady stream of outcomes cost more than the work itself. Connections are
# kept as a web request keeps them (``config.celery``: CONN_MAX_AGE and health checks), and Celery
# itself closes them only after this many task calls.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# The worker yields the CPU to the web (``config.celery``; 19 is the lowest priority, 0 leaves it
# alone). Where the two share a host, a burst of requests is served first and the indicators catch
# up in fewer, larger batches, which cost a small part per outcome of what many small ones do:
# competing as an equal, the worker took 40 % of the CPU under 32 clients and the API served half
# the outcomes a second (BENCHMARKS.md).
WORKER_NICE = env_int("WORKER_NICE", 19)

# Domain settings.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")
OUTBOX_SWEEP_AFTER_SECONDS = env_int("OUTBOX_SWEEP_AFTER_SECONDS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task run drowns the log in the embedded mode; the worker logs its own.
        "celery.app.trace": {"level": os.environ.get("CELERY_TRACE_LOG_LEVEL", "WARNING")},
        # django-axes logs every sign-in at INFO; failures, lockouts and resets are WARNING.
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
    },
}

# Tasking: when a 24-hour tasking period starts (local hour), and default deadlines per request
# kind in hours (TASKING_DEADLINE_HOURS='{"forensic_arrest": 48, "curfew_check": 12}').
TASKING_PERIOD_START_HOUR = env_int("TASKING_PERIOD_START_HOUR", 7)
TASKING_DEADLINE_HOURS = {
    "forensic_arrest": 48,
    "curfew_check": 24,
    **json.loads(os.environ.get("TASKING_DEADLINE_HOURS") or "{}"),
}
TASKING_AT_RISK_HOURS = env_int("TASKING_AT_RISK_HOURS", 6)

# Hot grids: a plausible bounding box (min lon, min lat, max lon, max lat) around the force area,
# and how long a gap between GPS points may be before a visit is split in two.
HOT_GRID_BOUNDS = tuple(
    float(v) for v in os.environ.get("HOT_GRID_BOUNDS", "-2.5,52.25,-1.3,52.75").split(",")
)
GPS_MERGE_TOLERANCE_MINUTES = env_int("GPS_MERGE_TOLERANCE_MINUTES", 5)
