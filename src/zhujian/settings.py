"""Zhujian settings, read from the environment with safe defaults.

Nothing configured: embedded SQLite under ``var/``, debug on, local hosts only.
Production: set ``DATABASE_URL`` (PostgreSQL), ``ZHUJIAN_SECRET_KEY``,
``ZHUJIAN_ALLOWED_HOSTS`` and ``ZHUJIAN_DEBUG=0``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ZHUJIAN_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("ZHUJIAN_DEBUG", True)
SECRET_KEY = os.environ.get("ZHUJIAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("ZHUJIAN_SECRET_KEY must be set when ZHUJIAN_DEBUG=0")
    SECRET_KEY = "zhujian-insecure-development-key"
ALLOWED_HOSTS = env_list("ZHUJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ZHUJIAN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_otp",  # the second factor (TOTP), issue 24: zhujian.core.twofactor
    "django_otp.plugins.otp_totp",
    "zhujian.core.axes_app.LoginLockoutConfig",  # django-axes: login lockout
    "zhujian.core",
    "zhujian.figures",
    "zhujian.reports",
    "zhujian.requests",
    "zhujian.web",
    "zhujian.hazards",
    "zhujian.exchange",
    "zhujian.domains.party",
    "zhujian.domains.plans",
    "zhujian.domains.urban",
    "zhujian.domains.rural",
    "zhujian.domains.civildefense",
    "zhujian.domains.construction",
    "zhujian.domains.wages",
    "zhujian.domains.lpg",
    "zhujian.domains.realestate",
    "zhujian.domains.petitions",
    "zhujian.domains.housing",
    "zhujian.domains.sitemonitor",
    "zhujian.statistics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (core.twofactor)
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhujian.core.sessions.IdleTimeoutMiddleware",  # idle sessions end (issue 24)
    "zhujian.core.sessions.PasswordPolicyMiddleware",  # aged or reset passwords: change first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "zhujian.web.errors.BadParameterMiddleware",
    "zhujian.web.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Chinese lockout page
]

ROOT_URLCONF = "zhujian.urls"
WSGI_APPLICATION = "zhujian.wsgi.application"
ASGI_APPLICATION = "zhujian.asgi.application"

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
                "zhujian.web.context.navigation",
                "zhujian.web.workbench.top_counts",
                "zhujian.core.sessions.idle_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhujian.sqlite3'}",
        conn_max_age=int(os.environ.get("ZHUJIAN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            # WAL: readers never wait for a writer. mmap: a request (a new connection) reads
            # the big ledgers from the OS page cache without copying them (issue 10).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=268435456;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "zhujian.core.lockout.LockoutBackend",  # first: refuses a locked-out login (issue 9)
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/workbench/"  # the 待办 workbench is everyone's landing page
LOGOUT_REDIRECT_URL = "login"

# At least 10 characters, letters and digits, not like the user's name, not a common or
# all-digit password (the demo's zhujian2022 passes; issue 9). Similarity 0.8 rather than
# Django's 0.7: its quick ratio compares letters regardless of order, and 0.7 took the
# demo password for the login "jianzhu".
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"max_similarity": 0.8},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhujian.core.passwords.LettersAndDigitsValidator"},
    {"NAME": "zhujian.core.sessions.NotRecentlyUsedValidator"},  # issue 24: no reuse
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("ZHUJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes .gz copies that WhiteNoise serves (ECharts: ~650 KB → ~220 KB)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:  # WhiteNoise serves from the app folders in debug; keep it from warning about this one
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # per-client tokens with an expiry (core.apitokens; first: a refused request is
        # answered 401 with "WWW-Authenticate: Bearer"); Basic only while the parameter
        # API_BASIC_AUTH allows it (off in the production recipe)
        "zhujian.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "zhujian.api.authentication.OptionalBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["zhujian.api.permissions.LedgerPermission"],
    # DRF's JSON parser, with nesting bounded (a deep [[[…]]] body was a server error)
    "DEFAULT_PARSER_CLASSES": [
        "zhujian.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "zhujian.api.renderers.BrowsableAPIRenderer",  # DRF's pages with their inline styles
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
FILTERS_EMPTY_CHOICE_LABEL = "全部"

SPECTACULAR_SETTINGS = {
    "TITLE": "Zhujian 住建 API",
    "DESCRIPTION": "台账（ledgers）、指标（figures）与报告（reports）的 REST 接口，按用户的组织范围限定。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema lists every ledger and field: signed-in users only (issue 9).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Two ledgers have a "category" with different choices: name one enum apart.
    "ENUM_NAME_OVERRIDES": {"HazardCategoryEnum": "zhujian.hazards.models.HazardCategory"},
}

# --- personal numbers encrypted at rest (issue 24, zhujian.core.crypto) ------------------
# ``id:64-hex`` entries, the first current; from the environment or a key file outside the
# database (never in it, never in a backup). Debug without either uses a public
# development key that ``zhujian check --deploy`` refuses.
ZHUJIAN_DATA_KEYS = os.environ.get("ZHUJIAN_DATA_KEYS", "")
ZHUJIAN_DATA_KEY_FILE = os.environ.get("ZHUJIAN_DATA_KEY_FILE", "")
if DEBUG and not (ZHUJIAN_DATA_KEYS or ZHUJIAN_DATA_KEY_FILE):
    ZHUJIAN_DATA_KEYS = "dev:" + "00" * 32  # = zhujian.core.crypto.DEVELOPMENT_KEYS

# Security audit log (zhujian.core.audit): events are kept this many days (never fewer
# than 184: 《网络安全法》 asks for six months); `zhujian audit prune` deletes older ones.
ZHUJIAN_AUDIT_RETENTION_DAYS = env_int("ZHUJIAN_AUDIT_RETENTION_DAYS", 184)
# Sessions and passwords (zhujian.core.sessions): a session with no request for this many
# minutes ends (warned this many seconds before); passwords age after this many days (0:
# never) and may not repeat the last N.
ZHUJIAN_IDLE_TIMEOUT_MINUTES = float(os.environ.get("ZHUJIAN_IDLE_TIMEOUT_MINUTES", "30"))
ZHUJIAN_IDLE_WARNING_SECONDS = env_int("ZHUJIAN_IDLE_WARNING_SECONDS", 120)
ZHUJIAN_PASSWORD_MAX_AGE_DAYS = env_int("ZHUJIAN_PASSWORD_MAX_AGE_DAYS", 90)
ZHUJIAN_PASSWORD_HISTORY = env_int("ZHUJIAN_PASSWORD_HISTORY", 5)
# The second factor (zhujian.core.twofactor): the issuer an authenticator app shows.
OTP_TOTP_ISSUER = os.environ.get("ZHUJIAN_OTP_ISSUER", "住建综合管理平台")
# Whether the demo county's accounts may exist: never with ZHUJIAN_DEBUG=0 unless said so
# (``zhujian demo`` refuses, and ``check --deploy`` refuses their published password).
ZHUJIAN_ALLOW_DEMO = env_bool("ZHUJIAN_ALLOW_DEMO", DEBUG)

# --- security: HTTPS, HSTS, cookies, Content-Security-Policy (issue 9) -----------------
# Behind nginx (or another proxy that terminates HTTPS) set ZHUJIAN_BEHIND_PROXY=1: the
# proxy's X-Forwarded-Proto then tells Django the request came over HTTPS. The proxy must
# set that header itself (proxy_set_header X-Forwarded-Proto $scheme), never pass on the
# client's.
BEHIND_PROXY = env_bool("ZHUJIAN_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ZHUJIAN_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ZHUJIAN_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHUJIAN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ZHUJIAN_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("ZHUJIAN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Every script and style is a static file of the project (htmx, ECharts, web/*.js): no
# inline <script>, no style="" attributes, no event-handler attributes, no eval. ECharts
# draws on <canvas>; images may be data: URLs (Swagger UI's icons, the empty favicon).
# ZHUJIAN_CSP_REPORT_ONLY=1 sends the same policy as report-only, to try a change safely.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if env_bool("ZHUJIAN_CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP

# Login lockout (django-axes): after ZHUJIAN_LOGIN_FAILURE_LIMIT failed logins of one
# username from one address, that pair is refused, right password or not, for
# ZHUJIAN_LOGIN_COOLOFF_MINUTES (counted from the lockout). Form and HTTP Basic alike.
AXES_FAILURE_LIMIT = env_int("ZHUJIAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ZHUJIAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a good login forgets earlier typos
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "zhujian.core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "zhujian.core.lockout.client_ip"
# --- end of security settings ----------------------------------------------------------

# Fixed facts the report may take from settings rather than records (see figures.settings).
ZHUJIAN_FACTS_FILE = os.environ.get("ZHUJIAN_FACTS_FILE", "")

# --- background jobs, backups, production (issue 10) ------------------------------------
# Kept in one block so that other settings work merges around it.
INSTALLED_APPS += ["django_tasks_db", "zhujian.jobs", "zhujian.ops"]
# Imports, report files and exports run as Django tasks stored in the database
# (django-tasks-db) and executed by ``zhujian worker`` (docs/decisions/0003-background-jobs.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A job runs in a process of its own with these limits (0 = no memory limit).
ZHUJIAN_JOB_MEMORY_MB = int(os.environ.get("ZHUJIAN_JOB_MEMORY_MB", "3072"))
ZHUJIAN_JOB_TIMEOUT_S = float(os.environ.get("ZHUJIAN_JOB_TIMEOUT_S", "1800"))
# A worker not seen for this long is gone: its running jobs are marked failed.
ZHUJIAN_WORKER_LEASE_S = float(os.environ.get("ZHUJIAN_WORKER_LEASE_S", "30"))
# SQLite only: progress and heartbeats go to this side file, which imports never lock.
ZHUJIAN_JOB_STATE_FILE = Path(
    os.environ.get("ZHUJIAN_JOB_STATE_FILE", VAR_DIR / "jobs-state.sqlite3")
).resolve()
# A ledger export of more rows than this runs as a background job; smaller ones at once.
ZHUJIAN_EXPORT_INLINE_ROWS = int(os.environ.get("ZHUJIAN_EXPORT_INLINE_ROWS", "5000"))
# Django's cache holds the rate-limit counts (the public draw check, device uploads, the
# API's throttles). It must be one for every process of the server, or each gunicorn
# worker would count alone and a limit would allow workers × its rate. Default: files
# under ZHUJIAN_VAR_DIR/cache (one host, no other service); ZHUJIAN_CACHE_URL=redis://…
# for a Redis server (several hosts).
CACHE_URL = os.environ.get("ZHUJIAN_CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise RuntimeError(f"ZHUJIAN_CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# /healthz reports failure below this much free disk space under ZHUJIAN_VAR_DIR.
ZHUJIAN_HEALTH_MIN_FREE_MB = int(os.environ.get("ZHUJIAN_HEALTH_MIN_FREE_MB", "1024"))
# Logs go to standard error, where systemd's journal collects them (it adds the time).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHUJIAN_LOG_LEVEL", "WARNING")},
    "loggers": {
        "zhujian": {"level": os.environ.get("ZHUJIAN_LOG_LEVEL", "INFO")},
        "django_tasks_db": {"level": os.environ.get("ZHUJIAN_LOG_LEVEL", "INFO")},
    },
}
# --- end of background jobs, backups, production ----------------------------------------

# --- Uploaded evidence (zhujian.core.files) ------------------------------------------
# Largest accepted upload (hazard photos, evidence documents), in MB. Files are served only
# through the scoped view /files/<ledger>/<pk>/<field>/; no URL serves MEDIA_ROOT.
ZHUJIAN_UPLOAD_MAX_MB = int(os.environ.get("ZHUJIAN_UPLOAD_MAX_MB", "20"))
# --- end uploaded evidence -------------------------------------------------------------

# --- HJ 212 site monitors (zhujian.domains.sitemonitor; limits etc. in its conf.py) -----
# Where ``zhujian hj212 serve`` listens, how long raw packets are kept for disputes
# (``zhujian hj212 prune``) and after how many silent minutes a device is offline.
ZHUJIAN_HJ212_HOST = os.environ.get("ZHUJIAN_HJ212_HOST", "0.0.0.0")
ZHUJIAN_HJ212_PORT = int(os.environ.get("ZHUJIAN_HJ212_PORT", "9212"))
ZHUJIAN_HJ212_RAW_DAYS = int(os.environ.get("ZHUJIAN_HJ212_RAW_DAYS", "180"))
ZHUJIAN_HJ212_OFFLINE_MINUTES = float(os.environ.get("ZHUJIAN_HJ212_OFFLINE_MINUTES", "10"))
ZHUJIAN_HJ212_IDLE_SECONDS = float(os.environ.get("ZHUJIAN_HJ212_IDLE_SECONDS", "900"))
ZHUJIAN_HJ212_MAX_CONNECTIONS = env_int("ZHUJIAN_HJ212_MAX_CONNECTIONS", 50_000)
# Limits per factor, the averaging period of each and the standard each comes from, as
# JSON objects: a county with a local construction-dust (扬尘) standard sets them, e.g.
# ZHUJIAN_HJ212_LIMITS='{"a34002": 0.08}' ZHUJIAN_HJ212_AVERAGING_MINUTES='{"a34002": 60}'
# ZHUJIAN_HJ212_LIMIT_SOURCES='{"a34002": "DB13/2934-2019 监测点浓度限值（小时平均）"}'.
ZHUJIAN_HJ212_LIMITS = json.loads(os.environ.get("ZHUJIAN_HJ212_LIMITS") or "{}")
ZHUJIAN_HJ212_AVERAGING_MINUTES = json.loads(
    os.environ.get("ZHUJIAN_HJ212_AVERAGING_MINUTES") or "{}"
)
ZHUJIAN_HJ212_LIMIT_SOURCES = json.loads(os.environ.get("ZHUJIAN_HJ212_LIMIT_SOURCES") or "{}")
# What a reading may claim: DataTime at most this far ahead of the receiver's clock, and
# at most this many days old.
ZHUJIAN_HJ212_CLOCK_SKEW_SECONDS = float(os.environ.get("ZHUJIAN_HJ212_CLOCK_SKEW_SECONDS", "600"))
ZHUJIAN_HJ212_MAX_AGE_DAYS = float(os.environ.get("ZHUJIAN_HJ212_MAX_AGE_DAYS", "400"))
# Per source: connections from one address, seconds a connection may stay open without
# an accepted packet, wrong passwords per MN and per address in a window (then locked for
# the rest of it), raw copies of refused packets kept per MN and reason and per address
# each hour.
ZHUJIAN_HJ212_MAX_PER_ADDRESS = env_int("ZHUJIAN_HJ212_MAX_PER_ADDRESS", 256)
ZHUJIAN_HJ212_AUTH_SECONDS = float(os.environ.get("ZHUJIAN_HJ212_AUTH_SECONDS", "30"))
ZHUJIAN_HJ212_AUTH_FAILURES_PER_MN = env_int("ZHUJIAN_HJ212_AUTH_FAILURES_PER_MN", 5)
ZHUJIAN_HJ212_AUTH_FAILURES_PER_ADDRESS = env_int("ZHUJIAN_HJ212_AUTH_FAILURES_PER_ADDRESS", 10)
ZHUJIAN_HJ212_AUTH_WINDOW_SECONDS = float(
    os.environ.get("ZHUJIAN_HJ212_AUTH_WINDOW_SECONDS", "600")
)
ZHUJIAN_HJ212_RAW_SAMPLES_PER_HOUR = env_int("ZHUJIAN_HJ212_RAW_SAMPLES_PER_HOUR", 20)
# --- end HJ 212 ------------------------------------------------------------------------

# --- Workflows and the 待办 workbench (zhujian.core.workflows, zhujian.web.workbench) ----
# Days ahead a step's deadline counts as 临期 (due soon), per workflow.
ZHUJIAN_HAZARD_REMIND_DAYS = env_int("ZHUJIAN_HAZARD_REMIND_DAYS", 3)
ZHUJIAN_STAGE_REMIND_DAYS = env_int("ZHUJIAN_STAGE_REMIND_DAYS", 7)
ZHUJIAN_PETITION_REMIND_DAYS = env_int("ZHUJIAN_PETITION_REMIND_DAYS", 5)
# ``zhujian remind``: where notices go, comma-separated channel names (email, log).
ZHUJIAN_REMIND_CHANNELS = env_list("ZHUJIAN_REMIND_CHANNELS", "log")
_MAIL_BACKEND = os.environ.get(
    "ZHUJIAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": os.environ.get("ZHUJIAN_EMAIL_HOST", "localhost"),
            "port": env_int("ZHUJIAN_EMAIL_PORT", 25),
        }
        if _MAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("ZHUJIAN_EMAIL_FROM", "zhujian@localhost")
# --- end workflows -----------------------------------------------------------------------
