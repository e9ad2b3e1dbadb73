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
                                ``X-Forwarded-Proto``): secure cookies, proxy SSL header.
``DATABASE_URL``                A dj-database-url URL, e.g.
                                ``postgres://user:pass@host:5432/parindex``. Default: SQLite.
``PARINDEX_DB_CONN_MAX_AGE``    Seconds a database connection is kept open. Default 60.
``PARINDEX_DATA_DIR``           Where the embedded database and uploaded files live.
                                Default ``./demo-data`` (relative to the working directory,
                                like ``parindex demo --data-dir``).
``PARINDEX_STATIC_URL``         Default ``/static/``.
``PARINDEX_STATIC_ROOT``        Target of ``collectstatic``. Default ``$DATA_DIR/static``.
``PARINDEX_MEDIA_URL``          Default ``/media/``.
``PARINDEX_MEDIA_ROOT``         Uploaded files (evidence). Default ``$DATA_DIR/media``.
``PARINDEX_LOG_LEVEL``          Level of the ``parindex`` and ``django`` loggers. Default
                                ``INFO``.
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
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": _database()}
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

# --- E-mail and evidence ---------------------------------------------------------------

EMAIL_BACKEND = _env_str("PARINDEX_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = _env_str("PARINDEX_FROM_EMAIL", "parindex@localhost")
# Evidence lives under MEDIA_ROOT, which no URL serves: files go out only through the
# authorised download view.
EVIDENCE_MAX_BYTES = _env_int("PARINDEX_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)

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
