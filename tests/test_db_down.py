"""While the database cannot be reached or used, every request answers 503 in Chinese
(issue 16.8): a page that reads nothing from the database, JSON under /api/, with
Retry-After, one log line, no traceback and nothing of the database's address.

It used to be a 500 whose error page (base.html: the signed-in user's name) queried the
database again, failed inside the error handler, and reached the browser as gunicorn's
bare English "Internal Server Error".
"""
from __future__ import annotations

import logging

import pytest
from flask import session
from flask_login import UserMixin, login_user
from sqlalchemy import event

from kaohe import create_app
from kaohe.auth import sessions
from kaohe.extensions import db
from tests.helpers import text

MESSAGE = "系统暂时无法连接数据库，请稍后重试"
UNREACHABLE = {
    "postgresql": "postgresql+psycopg://kaohe:secret-pw@127.0.0.1:1/kaohe?connect_timeout=2",
    "sqlite": "sqlite:////nonexistent-kaohe-dir/kaohe.db",  # unable to open database file
}
LEAKS = ("Traceback", "OperationalError", "psycopg", "sqlite", "127.0.0.1", "secret-pw",
         "nonexistent-kaohe-dir", "Internal Server Error")


class _Gone(UserMixin):
    """A signed-in user whose session cookie the app will try to look up."""

    def get_id(self):
        return "session-token-of-a-signed-in-user"


def _signed_in(app):
    """A client holding the session cookie of a signed-in user (made without the DB)."""
    client = app.test_client()
    with app.test_request_context("/", environ_base=client.environ_base):
        sessions.start(0)  # as a login does: a fresh session, then Flask-Login's keys
        login_user(_Gone())
        values = dict(session)
    with client.session_transaction() as stored:
        stored.update(values)
    return client


def _logging(app, monkeypatch) -> None:
    # Alembic's fileConfig (the test schema's upgrade) disables loggers existing then.
    monkeypatch.setattr(app.logger, "disabled", False)


@pytest.fixture(params=sorted(UNREACHABLE))
def down(request, monkeypatch):
    app = create_app({"TESTING": True, "SECRET_KEY": "db-down-test", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
    _logging(app, monkeypatch)
    yield app
    with app.app_context():
        db.engine.dispose()


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit() and int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    page = text(response)
    assert MESSAGE in page and '<html lang="zh-CN">' in page
    for leak in LEAKS:
        assert leak not in page, leak


def _db_log_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "database unavailable" in r.getMessage()]


@pytest.mark.parametrize("url", ["/home", "/officials/", "/discussions/", "/admin/users",
                                 "/no-such-page", "/static/no-such-file.css"])
def test_signed_in_pages_answer_503_in_chinese(down, caplog, url):
    """Also a 404 whose own page (base.html) would look the signed-in user up."""
    client = _signed_in(down)
    with caplog.at_level(logging.INFO):
        _assert_unavailable_page(client.get(url))
    [line] = _db_log_lines(caplog)  # logged once, without a traceback
    assert line.levelno == logging.ERROR and line.exc_info is None and url in line.getMessage()


def test_a_login_attempt_answers_503(down, caplog):
    """The login form itself needs no database; submitting it does (attempt counters)."""
    client = down.test_client()
    assert client.get("/login").status_code == 200
    with caplog.at_level(logging.INFO):
        _assert_unavailable_page(client.post("/login", data={"username": "organization",
                                                             "password": "whatever-1234"}))
    assert len(_db_log_lines(caplog)) == 1


@pytest.mark.parametrize("url", ["/api/v1/officials", "/api/v1/units"])
def test_api_answers_503_json(down, url):
    r = down.test_client().get(url, headers={"Authorization": "Bearer some-token"})
    assert r.status_code == 503 and r.mimetype == "application/json"
    assert r.get_json() == {"error": MESSAGE, "status": 503}
    assert int(r.headers["Retry-After"]) > 0
    for leak in LEAKS:
        assert leak not in r.get_data(as_text=True), leak


@pytest.fixture
def locked(app, monkeypatch):
    """Arm to make every statement fail as a locked or busy database does (SQLite:
    "database is locked"; PostgreSQL: the same DBAPI OperationalError class)."""
    _logging(app, monkeypatch)
    engine = db.engine
    error = engine.dialect.loaded_dbapi.OperationalError

    def refuse(cursor, statement, parameters, context):
        raise error("database is locked")

    class Switch:
        def on(self):
            event.listen(engine, "do_execute", refuse)

        def off(self):
            if event.contains(engine, "do_execute", refuse):
                event.remove(engine, "do_execute", refuse)

    switch = Switch()
    yield switch
    switch.off()


def test_a_locked_database_answers_503_not_500(auth, locked, caplog):
    client = auth.as_role("organization")
    assert client.get("/officials/").status_code == 200
    locked.on()
    with caplog.at_level(logging.INFO):
        _assert_unavailable_page(client.get("/officials/"))
        r = client.post("/officials/new", data={"name": "王建国"})
        _assert_unavailable_page(r)
    lines = _db_log_lines(caplog)
    assert len(lines) == 2 and all("database is locked" in x.getMessage() for x in lines)
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged
    locked.off()
    assert client.get("/officials/").status_code == 200  # and back once it is free


def test_a_locked_database_answers_503_json_to_the_api(app, auth, locked, runner):
    result = runner.invoke(args=["create-token", "organization"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().split()[-1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/officials", headers=headers).status_code == 200
    locked.on()
    r = client.get("/api/v1/officials", headers=headers)
    assert r.status_code == 503 and r.get_json() == {"error": MESSAGE, "status": 503}
    assert int(r.headers["Retry-After"]) > 0
