"""Configuration: built-in defaults, then the environment, then ``instance/config.py``.

This is the one module that reads the process environment (``from_environment``). A
single machine needs none of it (the secret key is generated into the instance folder,
the database is a SQLite file there); a deployment of several servers sets at least
``KAOHE_SECRET_KEY``, ``KAOHE_DATABASE_URL`` and ``KAOHE_REDIS_URL`` (README, "Production: several app servers").
"""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Callable, Mapping


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Seconds to wait for a PostgreSQL connection: a database host that drops packets
    # answers the Chinese 503 page in seconds instead of hanging a worker for minutes.
    KAOHE_DB_CONNECT_TIMEOUT = 5
    # A pooled PostgreSQL connection idle this long is checked before a request uses it
    # (kaohe.core.connections); 0: checked at every checkout (SQLAlchemy's pool_pre_ping).
    KAOHE_DB_PING_AFTER_SECONDS = 10
    WTF_I18N_ENABLED = False  # WTForms' own zh catalogue, see kaohe.core.forms
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)  # remember-me is never offered
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    OFFICIALS_PER_PAGE = 20
    # Path of the TrueType CJK font for PDFs; None → search the usual places.
    KAOHE_CJK_FONT: str | None = None
    # TrueType fonts for characters the CJK font lacks, tried in order (CJK Extension A/B:
    # fonts-hanazono); None → the usual places (kaohe.dossier.fonts.FALLBACK_PATHS), [] → none.
    KAOHE_FALLBACK_FONTS: list[str] | None = None
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted.
    KAOHE_PROXY_HOPS = 0
    KAOHE_HTTPS = False
    KAOHE_LOG_FORMAT = "text"
    # /metrics answers only a request bearing this token; None: /metrics is a 404.
    KAOHE_METRICS_TOKEN: str | None = None
    # The job queue's Redis (several servers); None: the embedded SQLite queue.
    KAOHE_REDIS_URL: str | None = None
    KAOHE_EMBEDDED_WORKER = True
    KAOHE_AUDIT_KEY: str | None = None
    KAOHE_AUDIT_ANCHOR_DIR: str | None = None
    # The organization's mail server (e-mail digest); no host: no mail is sent.
    KAOHE_SMTP_HOST: str | None = None
    KAOHE_SMTP_PORT = 25
    KAOHE_SMTP_USER: str | None = None
    KAOHE_SMTP_PASSWORD: str | None = None
    KAOHE_SMTP_FROM: str | None = None
    KAOHE_SMTP_STARTTLS = False


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use (stops the start)."""


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def flag(name: str, value: str) -> bool:
    """The on/off setting ``name`` holding ``value``; anything else raises ConfigError."""
    lowered = value.strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise ConfigError(f"{name}={value!r}: expected one of 1/true/yes/on or 0/false/no/off")


def _count(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise ConfigError(f"{name}={value!r}: expected a whole number from {low} to {high}")
        return number
    return parse


def _text(_name: str, value: str) -> str:
    return value


def _log_format(name: str, value: str) -> str:
    if value.strip().lower() not in ("json", "text"):
        raise ConfigError(f"{name}={value!r}: expected json or text")
    return value.strip().lower()


# variable → (config key, parser). Every variable is documented in the README table.
ENVIRONMENT: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "KAOHE_SECRET_KEY": ("SECRET_KEY", _text),
    "KAOHE_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", _text),
    "KAOHE_PROXY_HOPS": ("KAOHE_PROXY_HOPS", _count(0, 10)),
    "KAOHE_HTTPS": ("KAOHE_HTTPS", flag),
    "KAOHE_LOG_FORMAT": ("KAOHE_LOG_FORMAT", _log_format),
    "KAOHE_METRICS_TOKEN": ("KAOHE_METRICS_TOKEN", _text),
    "KAOHE_REDIS_URL": ("KAOHE_REDIS_URL", _text),
    "KAOHE_EMBEDDED_WORKER": ("KAOHE_EMBEDDED_WORKER", flag),
    "KAOHE_AUDIT_KEY": ("KAOHE_AUDIT_KEY", _text),
    "KAOHE_AUDIT_ANCHOR_DIR": ("KAOHE_AUDIT_ANCHOR_DIR", _text),
    "KAOHE_SMTP_HOST": ("KAOHE_SMTP_HOST", _text),
    "KAOHE_SMTP_PORT": ("KAOHE_SMTP_PORT", _count(1, 65535)),
    "KAOHE_SMTP_USER": ("KAOHE_SMTP_USER", _text),
    "KAOHE_SMTP_PASSWORD": ("KAOHE_SMTP_PASSWORD", _text),
    "KAOHE_SMTP_FROM": ("KAOHE_SMTP_FROM", _text),
    "KAOHE_SMTP_STARTTLS": ("KAOHE_SMTP_STARTTLS", flag),
    # Tuning every server of a deployment must share (defaults in the modules that use them).
    "KAOHE_JOB_STALE_SECONDS": ("KAOHE_JOB_STALE_SECONDS", _count(10, 86400)),
    "KAOHE_JOB_QUEUED_GRACE_SECONDS": ("KAOHE_JOB_QUEUED_GRACE_SECONDS", _count(10, 86400)),
    "KAOHE_JOB_KEEP_DAYS": ("KAOHE_JOB_KEEP_DAYS", _count(1, 3650)),
    "KAOHE_BUNDLE_KEEP_DAYS": ("KAOHE_BUNDLE_KEEP_DAYS", _count(1, 3650)),
    "KAOHE_DOSSIER_JOB_WORKERS": ("KAOHE_DOSSIER_JOB_WORKERS", _count(1, 32)),
    "KAOHE_AUDIT_LOCK_TIMEOUT_MS": ("KAOHE_AUDIT_LOCK_TIMEOUT_MS", _count(100, 600000)),
    "KAOHE_DB_CONNECT_TIMEOUT": ("KAOHE_DB_CONNECT_TIMEOUT", _count(1, 300)),
    "KAOHE_DB_PING_AFTER_SECONDS": ("KAOHE_DB_PING_AFTER_SECONDS", _count(0, 86400)),
}


def from_environment(environ: Mapping[str, str] | None = None) -> dict:
    """The config keys the environment sets; an empty variable counts as unset (e.g.
    one passed through by a service manager without a value). Raises ConfigError
    naming the variable whose value is unusable."""
    environ = os.environ if environ is None else environ
    found = {}
    for name, (key, parse) in ENVIRONMENT.items():
        value = environ.get(name, "")
        if value.strip():
            found[key] = parse(name, value)
    return found


def instance_path(environ: Mapping[str, str] | None = None) -> str | None:
    """``KAOHE_INSTANCE_PATH``: the instance folder (secret key, SQLite files, anchors);
    None: Flask's default, ``instance/`` beside the package."""
    environ = os.environ if environ is None else environ
    return environ.get("KAOHE_INSTANCE_PATH", "").strip() or None


# Prepared statements planned for their parameters each time. psycopg prepares a statement
# run five times; PostgreSQL may then keep one generic plan made from the statistics of
# that moment. A transaction filling a table (an Excel import of 30 000 officials) kept
# the plan of the empty table, a sequential scan per batch's lookup: the import took 44 s
# instead of 27. Planning a simple statement costs some tens of microseconds.
CUSTOM_PLANS = "-c plan_cache_mode=force_custom_plan"
# No JIT compilation: PostgreSQL compiles a statement whose estimated cost is high, and
# estimates are guesses. The 任现职满 N 年 reminders (18 734 posts read through an index
# at a million officials) were estimated at 200 000 rows: 1.7 s compiling, 0.3 s running.
NO_JIT = "-c jit=off"


def engine_options(settings: Mapping) -> dict:
    """SQLAlchemy engine options: ``SQLALCHEMY_ENGINE_OPTIONS`` with, for PostgreSQL, a
    connect timeout (``KAOHE_DB_CONNECT_TIMEOUT``), :data:`CUSTOM_PLANS` and :data:`NO_JIT`,
    unless the URL or the options set their own, and SQLAlchemy's check of every checkout
    when ``KAOHE_DB_PING_AFTER_SECONDS`` is 0 (else :func:`kaohe.core.connections.ping_when_idle`)."""
    options = dict(settings["SQLALCHEMY_ENGINE_OPTIONS"])
    url = settings["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        options.setdefault("pool_pre_ping", settings["KAOHE_DB_PING_AFTER_SECONDS"] == 0)
        args = dict(options.get("connect_args", {}))
        if "connect_timeout" not in url:
            args.setdefault("connect_timeout", settings["KAOHE_DB_CONNECT_TIMEOUT"])
        if "options=" not in url:
            args.setdefault("options", f"{CUSTOM_PLANS} {NO_JIT}")
        options["connect_args"] = args
    return options
