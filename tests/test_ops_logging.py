"""Request logs (issue 15): one JSON line per request with its request id (taken from a
sane X-Request-ID, else generated, and echoed), method, path, endpoint, status, user id,
duration and client address; every other line of the request (errors and their
traceback included) carries the same id."""
from __future__ import annotations

import json
import logging
import re

import flask
import pytest
from flask_login import UserMixin, login_user
from sqlalchemy import select

from kaohe import create_app
from kaohe.auth import sessions
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.ops import logging as ops_logging
from tests.test_db_down import UNREACHABLE

GENERATED = re.compile(r"[0-9a-f]{32}")


def enable_loggers(monkeypatch) -> None:
    """Alembic's fileConfig (scratch databases' upgrades earlier in the run) disables the
    loggers existing then: the app's and the request logger write again."""
    for name in ("kaohe", ops_logging.REQUEST_LOGGER):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


@pytest.fixture
def json_logs(capsys, monkeypatch):
    """read(): the JSON log lines written to stderr since the last call."""
    enable_loggers(monkeypatch)
    ops_logging.configure("json")
    capsys.readouterr()

    def read() -> list[dict]:
        err = capsys.readouterr().err
        return [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    yield read
    ops_logging.configure("text")


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == ops_logging.REQUEST_LOGGER]


@pytest.mark.parametrize("sent,kept", [
    ("3f2b8c1e-5a7d-4e9b-9c2a-1d0e6f4b8a21", True),     # a load balancer's UUID
    ("Root=1-67891233-abcdef012345678912345678", True),  # AWS style
    ("a", True),
    ("x" * 128, True),
    ("x" * 129, False),                                  # too long
    ("", False),
    ("has space", False),
    ("追踪号", False),
    ("-leading-dash", False),
    ('quote"inside', False),
])
def test_the_request_id_is_taken_when_sane_else_generated_and_echoed(
        client, json_logs, sent, kept):
    response = client.get("/login", headers={"X-Request-ID": sent})
    rid = response.headers["X-Request-ID"]
    assert rid == sent if kept else GENERATED.fullmatch(rid)
    [line] = _request_lines(json_logs())
    assert line["request_id"] == rid


def test_one_line_per_request_with_its_fields(client, auth, json_logs):
    auth.login("organization")
    json_logs()
    response = client.get("/officials/?q=王", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    [line] = _request_lines(json_logs())
    user_id = db.session.scalar(select(User.id).where(User.username == "organization"))
    assert {k: line[k] for k in ("level", "request_id", "method", "path", "endpoint", "status",
                                 "user_id", "remote_addr")} == {
        "level": "INFO", "request_id": "req-42", "method": "GET", "path": "/officials/",
        "endpoint": "officials.index", "status": 200, "user_id": user_id,
        "remote_addr": "127.0.0.1"}
    assert 0 < line["duration_ms"] < 60_000
    assert line["message"] == f"GET /officials/ 200 {line['duration_ms']:.1f}ms"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["time"])


@pytest.mark.parametrize("method,url,status,endpoint", [
    ("GET", "/no-such-page", 404, None),
    ("POST", "/home", 405, None),
    ("GET", "/officials/", 302, "officials.index"),     # anonymous: to the login page
    ("POST", "/logout", 302, "auth.logout"),
    ("GET", "/api/v1/officials", 401, "api.officials"),
])
def test_refused_and_missing_requests_are_logged_too(client, json_logs, method, url, status,
                                                      endpoint):
    response = client.open(url, method=method)
    assert response.status_code == status
    [line] = _request_lines(json_logs())
    assert (line["status"], line["endpoint"], line["user_id"]) == (status, endpoint, None)
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_a_forbidden_request_logs_the_user(client, auth, json_logs):
    auth.login("reviewer")
    json_logs()
    response = client.get("/admin/users")
    assert response.status_code == 403
    [line] = _request_lines(json_logs())
    assert line["status"] == 403 and line["user_id"] == db.session.scalar(
        select(User.id).where(User.username == "reviewer"))


@pytest.fixture
def failing_app(tmp_path, monkeypatch):
    monkeypatch.setenv("KAOHE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "KAOHE_LOG_FORMAT": "json",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})

    def boom():
        raise RuntimeError("a bug that reaches the error handler")
    app.add_url_rule("/boom", "boom", boom)
    return app


def test_an_exception_is_logged_with_its_request_id_and_traceback(failing_app, capsys,
                                                                  monkeypatch):
    enable_loggers(monkeypatch)
    capsys.readouterr()
    response = failing_app.test_client().get("/boom", headers={"X-Request-ID": "bug-7"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "bug-7"
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    [error] = [x for x in lines if x["level"] == "ERROR"]
    assert error["request_id"] == "bug-7" and error["message"] == "unhandled error"
    assert "RuntimeError: a bug that reaches the error handler" in error["exc_info"]
    assert "Traceback" in error["exc_info"]
    [line] = [x for x in lines if x["logger"] == ops_logging.REQUEST_LOGGER]
    assert (line["request_id"], line["status"], line["endpoint"]) == ("bug-7", 500, "boom")
    ops_logging.configure("text")


def test_text_format_carries_the_request_id(client, capsys, monkeypatch):
    monkeypatch.setattr(logging.getLogger(ops_logging.REQUEST_LOGGER), "disabled", False)
    ops_logging.configure("text")
    capsys.readouterr()
    client.get("/login", headers={"X-Request-ID": "plain-1"})
    [line] = [x for x in capsys.readouterr().err.splitlines() if "kaohe.request" in x]
    assert re.fullmatch(r"\S+ \S+ INFO kaohe\.request \[plain-1\] GET /login 200 [\d.]+ms", line)


@pytest.fixture(params=sorted(UNREACHABLE))
def down(request, monkeypatch, tmp_path):
    monkeypatch.setenv("KAOHE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "db-down-test", "KAOHE_LOG_FORMAT": "json",
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
    enable_loggers(monkeypatch)
    yield app
    ops_logging.configure("text")
    with app.app_context():
        db.engine.dispose()


class _Someone(UserMixin):
    def get_id(self):
        return "session-token-of-a-user"


def _signed_in(app):
    """A client holding a signed-in user's session cookie (made without the database)."""
    client = app.test_client()
    with app.test_request_context("/", environ_base=client.environ_base):
        sessions.start(0)
        login_user(_Someone())
        values = dict(flask.session)
    with client.session_transaction() as stored:
        stored.update(values)
    return client


@pytest.mark.parametrize("url,mimetype", [("/officials/", "text/html"),
                                          ("/api/v1/officials", "application/json")])
def test_database_down_the_503_and_its_log_lines_share_the_request_id(down, capsys, url,
                                                                      mimetype):
    client = _signed_in(down)
    capsys.readouterr()
    response = client.get(url, headers={"X-Request-ID": "down-1"})
    assert response.status_code == 503 and response.mimetype == mimetype
    assert response.headers["X-Request-ID"] == "down-1"
    if mimetype == "application/json":
        assert response.get_json() == {"error": "系统暂时无法连接数据库，请稍后重试", "status": 503}
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    [unavailable] = [x for x in lines if "database unavailable" in x["message"]]
    [request_line] = [x for x in lines if x["logger"] == ops_logging.REQUEST_LOGGER]
    assert unavailable["request_id"] == request_line["request_id"] == "down-1"
    # The user could not be loaded: the line says so rather than querying again.
    assert (request_line["status"], request_line["user_id"]) == (503, None)
