"""The one settings file of the parindex site, driven by environment variables.

There is no settings cascade: development, tests, the ``parindex demo`` command and production
all read this file and differ only in their environment (docs/decisions/0001).

Environment variables (all optional):

==============================  ============================================================
``PARINDEX_DEBUG``              ``1``/``true``/``yes``/``on`` turns debug on. Default off.
``PARINDEX_SECRET_KEY``         Required when debug is off: without it a web server refuses
                                to start (see ``wsgi.py``). With debug on, a fixed
                                development key is used.
``PARINDEX_ALLOWED_HOSTS``      Comma-separated host names. Default
                                ``localhost,127.0.0.1,[::1]``.
``PARINDEX_CSRF_TRUSTED_ORIGINS``  Comma-separated origins, e.g. ``https://cchc.example.vn``.
``PARINDEX_HTTPS``              ``1`` when served over HTTPS (behind a proxy that sets
                                ``X-Forwarded-Proto``): secure cookies, proxy SSL header,
                                redirect to HTTPS (except ``/healthz``), HSTS.
``PARINDEX_HSTS_SECONDS``       HSTS max-age. Default 31536000 with HTTPS, else 0.
``PARINDEX_HSTS_INCLUDE_SUBDOMAINS``  HSTS for every subdomain too. Default off.
``PARINDEX_HSTS_PRELOAD``       Ask for the browsers' preload list. Default off.
``PARINDEX_SESSION_HOURS``      A session's lifetime from sign-in. Default 8.
``PARINDEX_LOGIN_WINDOW_MINUTES``  Window in which sign-in failures count. Default 15.
``PARINDEX_LOGIN_COOL_OFF_MINUTES``  How long a lock lasts after the last failure. Default 15.
``PARINDEX_LOGIN_FAILURES_PER_USERNAME``  Failures that lock a username (and a user's
                                second factor). Default 5.
``PARINDEX_LOGIN_FAILURES_PER_ADDRESS``  Failures that lock a client address. Default 50.
``PARINDEX_CLIENT_ADDRESS_HEADER``  Request header with the client's address set by the proxy,
                                e.g. ``HTTP_X_REAL_IP``. Default: the socket's address.
``PARINDEX_TWO_FACTOR``         ``0`` turns off two-factor sign-in for the secretariat,
                                council and administrators (demonstrations only). Default on.
``DATABASE_URL``                A dj-database-url URL, e.g.
                                ``postgres://user:pass@host:5432/parindex``. Default: SQLite.
``PARINDEX_DB_CONN_MAX_AGE``    Seconds a database connection is kept open. Default 60.
``PARINDEX_DB_POOLER``          ``transaction`` when PostgreSQL is reached through PgBouncer
                                in transaction pooling: no server-side cursors, no prepared
                                statements (docs/deployment.md, scaling notes).
``PARINDEX_DATA_DIR``           Where the embedded database and uploaded files live.
                                Default ``./demo-data`` (relative to the working directory,
                                like ``parindex demo --data-dir``).
``PARINDEX_STATIC_URL``         Default ``/static/``.
``PARINDEX_STATIC_ROOT``        Target of ``collectstatic``. Default ``$DATA_DIR/static``.
``PARINDEX_MEDIA_URL``          Default ``/media/``.
``PARINDEX_MEDIA_ROOT``         Uploaded files (evidence). Default ``$DATA_DIR/media``.
``PARINDEX_STORAGE``            Where uploaded files live: ``filesystem`` (MEDIA_ROOT, the
                                default) or ``s3`` (S3-compatible object storage).
``PARINDEX_S3_BUCKET``          Bucket of the uploaded files; required with ``s3``.
``PARINDEX_S3_ENDPOINT_URL``    Endpoint of a non-AWS store (MinIO, Ceph, Viettel/FPT/VNG
                                cloud), e.g. ``https://s3.example.vn``. Default: AWS.
``PARINDEX_S3_REGION``          Region name, e.g. ``ap-southeast-1``. Default: none.
``PARINDEX_S3_ACCESS_KEY``      Access key id; without it boto3's own chain (instance role,
                                ``~/.aws``) is used.
``PARINDEX_S3_SECRET_KEY``      Secret access key, with the access key.
``PARINDEX_S3_ADDRESSING_STYLE``  ``path`` for stores without virtual-host buckets (MinIO).
``PARINDEX_S3_PRESIGNED``       ``1``: downloads redirect to a short-lived presigned URL of
                                the store instead of streaming through the app. Default off.
``PARINDEX_S3_PRESIGNED_SECONDS``  Lifetime of a presigned URL. Default 60.
``PARINDEX_X_ACCEL_REDIRECT``   Internal nginx location of MEDIA_ROOT, e.g. ``/_protected/``:
                                downloads of file system storage are sent by nginx after the
                                app's permission check. Default: Django streams them.
``PARINDEX_SITE_URL``           The address people open, e.g. ``https://cchc.sonla.gov.vn``:
                                links in e-mails (reminders) point there. Default: no link.
``PARINDEX_LOG_LEVEL``          Level of the ``parindex`` and ``django`` loggers. Default
                                ``INFO``.
``PARINDEX_WORKER``             Who runs background jobs (imports): ``embedded`` (default)
                                a thread of each web process, no extra server; ``external``
                                only ``manage.py worker`` processes; ``immediate`` at once in
                                the submitting request (tests, one-shot scripts).
``PARINDEX_JOBS_STALE_SECONDS``   A running job whose worker wrote no heartbeat for this long
                                is re-queued (its worker died). Default 60.
``PARINDEX_JOBS_MAX_ATTEMPTS``  Runs of a job before it fails for good. Default 3.
==============================  ============================================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, *, default: bool = False) -> bool:
    value = _env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {value!r}"
    )


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _env_str(name, default).split(",") if item.strip()]


def _env_int(name: str, default: int) -> int:
    value = _env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../parindex
DATA_DIR = Path(_env_str("PARINDEX_DATA_DIR", "demo-data")).resolve()

# --- Security ---------------------------------------------------------------------------

DEBUG = _env_bool("PARINDEX_DEBUG")

# With debug off and no key, SECRET_KEY stays empty: Django then raises ImproperlyConfigured
# on first use, and wsgi.py / asgi.py touch it at start-up so that a server never runs without
# a key. Commands that need no key (check, makemigrations, mypy's Django plugin) still work.
_DEV_SECRET_KEY = "django-insecure-parindex-development-only-never-use-in-production"
SECRET_KEY = _env_str("PARINDEX_SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = _env_list("PARINDEX_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("PARINDEX_CSRF_TRUSTED_ORIGINS")

_HTTPS = _env_bool("PARINDEX_HTTPS")
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
# HTTPS only, HSTS on by default with it; the health check stays reachable over plain HTTP
# for load balancers. Subdomains and preload are opt-in (other sites of a province's domain
# may not be on HTTPS yet), so their two deploy warnings are silenced unless chosen.
SECURE_SSL_REDIRECT = _HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _env_int("PARINDEX_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("PARINDEX_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_bool("PARINDEX_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not chosen
]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Argon2 first; PBKDF2 stays so that older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# A session ends a working day after sign-in, however active (the sign-in view sets an
# absolute expiry; this is the fallback for sessions made otherwise).
SESSION_COOKIE_AGE = _env_int("PARINDEX_SESSION_HOURS", 8) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in throttling (docs/decisions/0013): failures within the window lock the username
# (or the address, or a user's second factor) until the cool-off has passed since the last.
# Offices share one address behind NAT, so the address limit is generous.
LOGIN_FAILURE_WINDOW_SECONDS = _env_int("PARINDEX_LOGIN_WINDOW_MINUTES", 15) * 60
LOGIN_COOL_OFF_SECONDS = _env_int("PARINDEX_LOGIN_COOL_OFF_MINUTES", 15) * 60
LOGIN_FAILURES_PER_USERNAME = _env_int("PARINDEX_LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_ADDRESS = _env_int("PARINDEX_LOGIN_FAILURES_PER_ADDRESS", 50)
# The request header that carries the client's address when a proxy stands in front (nginx:
# `proxy_set_header X-Real-IP $remote_addr;` → ``HTTP_X_REAL_IP``). Empty: REMOTE_ADDR.
CLIENT_ADDRESS_HEADER = _env_str("PARINDEX_CLIENT_ADDRESS_HEADER")
# Two-factor sign-in for the secretariat, council and administrators. Only a demonstration
# on one's own machine has a reason to turn it off.
TWO_FACTOR_REQUIRED = _env_bool("PARINDEX_TWO_FACTOR", default=True)

# --- Applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "parindex.core",
    "parindex.accounts",
    "parindex.units",
    "parindex.criteria",
    "parindex.assessments",
    "parindex.results",
    "parindex.dossiers",
    "parindex.plans",
    "parindex.survey",
    "parindex.consequences",
    "parindex.indices",
    "parindex.integrity",
    "parindex.backup",
    "parindex.jobs",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # outermost: runs a request again after a lost database connection (docs/decisions/0018)
    "parindex.core.db_recovery.DatabaseRecoveryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "parindex.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parindex.integrity.actor.HistoryActorMiddleware",
    "parindex.accounts.middleware.GrantsMiddleware",
    "parindex.accounts.middleware.SecurityEventMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "parindex.site.urls"
WSGI_APPLICATION = "parindex.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # the self-assessment sheet's hundreds of leaves: compiled templates render them
        # several times faster than Django's engine (docs/decisions/0006)
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "parindex.site.jinja.environment"},
    },
]

# --- Database ---------------------------------------------------------------------------

# SQLite in WAL mode: readers do not block the writer. IMMEDIATE transactions take the write
# lock at BEGIN, so two writers wait for each other (up to `timeout` seconds) instead of
# failing with "database is locked" when a read transaction tries to upgrade.
_SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database() -> dict[str, Any]:
    url = _env_str("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "parindex.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=_env_int("PARINDEX_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    )
    if _env_str("PARINDEX_DB_POOLER") == "transaction":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "prepare_threshold": None}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": _database()}
# Behind PgBouncer's transaction pooling a session setting may belong to another client: the
# services then name the history's actor inside each transaction (parindex/integrity/actor.py).
DB_TRANSACTION_POOLER = _env_str("PARINDEX_DB_POOLER") == "transaction"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("en", "English"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Static and uploaded files ----------------------------------------------------------

STATIC_URL = _env_str("PARINDEX_STATIC_URL", "/static/")
STATIC_ROOT = Path(_env_str("PARINDEX_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = _env_str("PARINDEX_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(_env_str("PARINDEX_MEDIA_ROOT") or DATA_DIR / "media")

# Evidence on the file system (MEDIA_ROOT) or on S3-compatible object storage; either way the
# code reaches files only through the storage API (docs/decisions/0016).
_STORAGE = _env_str("PARINDEX_STORAGE", "filesystem").lower()
# Behind nginx: downloads are handed to nginx's internal location (core/downloads.py).
PARINDEX_X_ACCEL_REDIRECT = _env_str("PARINDEX_X_ACCEL_REDIRECT")
PARINDEX_S3_PRESIGNED = _env_bool("PARINDEX_S3_PRESIGNED")
PARINDEX_S3_PRESIGNED_SECONDS = _env_int("PARINDEX_S3_PRESIGNED_SECONDS", 60)


def _file_storage() -> dict[str, Any]:
    if _STORAGE == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if _STORAGE != "s3":
        raise ImproperlyConfigured(f"PARINDEX_STORAGE must be filesystem or s3, got {_STORAGE!r}")
    bucket = _env_str("PARINDEX_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("PARINDEX_S3_BUCKET must be set when PARINDEX_STORAGE=s3")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": _env_str("PARINDEX_S3_ENDPOINT_URL") or None,
            "region_name": _env_str("PARINDEX_S3_REGION") or None,
            "access_key": _env_str("PARINDEX_S3_ACCESS_KEY") or None,
            "secret_key": _env_str("PARINDEX_S3_SECRET_KEY") or None,
            "default_acl": None,  # objects stay private: the bucket policy decides
            "querystring_auth": True,
            "querystring_expire": PARINDEX_S3_PRESIGNED_SECONDS,
            "file_overwrite": False,  # like the file system: a name is never reused
            "signature_version": "s3v4",
            "addressing_style": _env_str("PARINDEX_S3_ADDRESSING_STYLE") or None,
        },
    }


STORAGES: dict[str, dict[str, Any]] = {
    "default": _file_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail and evidence ---------------------------------------------------------------

EMAIL_BACKEND = _env_str("PARINDEX_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = _env_str("PARINDEX_FROM_EMAIL", "parindex@localhost")
SITE_URL = _env_str("PARINDEX_SITE_URL").rstrip("/")
# Evidence lives under MEDIA_ROOT, which no URL serves: files go out only through the
# authorised download view.
EVIDENCE_MAX_BYTES = _env_int("PARINDEX_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)

# --- Background work -------------------------------------------------------------------

# docs/decisions/0015: a job queue in the database, run by `manage.py worker` processes or by
# a thread of the web process itself.
JOBS_WORKER = _env_str("PARINDEX_WORKER", "embedded").lower()
if JOBS_WORKER not in {"embedded", "external", "immediate"}:
    raise ImproperlyConfigured(
        f"PARINDEX_WORKER must be embedded, external or immediate, got {JOBS_WORKER!r}"
    )
JOBS_STALE_SECONDS = _env_int("PARINDEX_JOBS_STALE_SECONDS", 60)
JOBS_MAX_ATTEMPTS = _env_int("PARINDEX_JOBS_MAX_ATTEMPTS", 3)
JOBS_HEARTBEAT_SECONDS = 1.0
JOBS_POLL_SECONDS = 1.0

# --- Logging ----------------------------------------------------------------------------

_LOG_LEVEL = _env_str("PARINDEX_LOG_LEVEL", "INFO").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": _LOG_LEVEL, "propagate": False},
        "parindex": {"handlers": ["console"], "level": _LOG_LEVEL, "propagate": False},
    },
}
