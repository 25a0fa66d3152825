"""Logs: one line per request, every line tagged with the request's id.

``KAOHE_LOG_FORMAT=json`` (gunicorn.conf.py's default) writes one JSON object per line
(python-json-logger) for a log collector; ``text`` (the default of ``flask run``) a
readable line. The request id comes from the ``X-Request-ID`` header when a proxy or
load balancer sent a sane one, else it is generated; it is echoed in the response, so a
user's report, the proxy's log and ours meet on one id.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
# Ids a proxy may send (UUIDs, hex, AWS/Nginx styles); anything else is replaced, so a
# client cannot write arbitrary text (newlines, quotes, kilobytes) into our logs.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}", re.ASCII)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ("levelname", "name", "request_id", "message")
REQUEST_LOGGER = "kaohe.request"
# Loggers whose INFO lines are kept (the others: warnings and errors): the app's, and the
# job engine's (a task started, finished, retried).
INFO_LOGGERS = ("kaohe", "huey")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was logged in ("-" outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter(list(JSON_FIELDS), timestamp="time", json_ensure_ascii=False,
                             rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure(fmt: str, handler: logging.Handler | None = None) -> logging.Handler:
    """Send every log record (the app's and the libraries') through one handler on the
    root logger in ``fmt``; idempotent (each app made in a process replaces it)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "kaohe", False)]:
        root.removeHandler(old)
    handler = handler or StderrHandler()
    handler.kaohe = True
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    logging.getLogger("kaohe").removeHandler(default_handler)  # Flask's, when none was set
    for name in INFO_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    return handler


def _start() -> None:
    g.request_started = time.perf_counter()
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex


def _user_id() -> int | None:
    # Only a user this request already loaded: looking one up here would read the
    # database after the response (and fail again while the database is down).
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def duration_ms() -> float:
    """Milliseconds since the current request started."""
    return (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000


def _finish(response: Response) -> Response:
    rid = request_id() or uuid.uuid4().hex
    response.headers[HEADER] = rid
    fields = {"method": request.method, "path": request.path[:300],
              "endpoint": request.endpoint, "status": response.status_code,
              "user_id": _user_id(), "duration_ms": round(duration_ms(), 1),
              "remote_addr": request.remote_addr}
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s %.1fms", fields["method"], fields["path"], fields["status"],
        fields["duration_ms"], extra=fields)
    return response


def init_app(app: Flask) -> None:
    configure(app.config["KAOHE_LOG_FORMAT"])
    app.before_request(_start)
    app.after_request(_finish)
