"""Flask extensions, bound to the app with ``init_app``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, g, has_app_context, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from kaohe.core import connections, signed

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and BEGIN IMMEDIATE;
    # take it over as the SQLAlchemy documentation recommends.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A transaction that may write takes the write lock at once (BEGIN IMMEDIATE):
        # appends to the audit chain are serialised and a writer never fails on a
        # stale read snapshot. Reading requests (GET) keep plain BEGIN and run in
        # parallel under WAL.
        immediate = _write_intent()
        conn.info[IMMEDIATE] = immediate
        conn.info[WROTE] = False
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn, _cursor, statement, _parameters, _context, _executemany):
        # Any statement but a read marks the transaction as written, whatever sent it
        # (ORM flush, Core bulk insert, DDL): see transaction_wrote.
        if not conn.info.get(WROTE) and _writes(statement):
            conn.info[WROTE] = True


IMMEDIATE = "kaohe_immediate"
WROTE = "kaohe_wrote"
NOT_WRITING = frozenset({"SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK",
                         "COMMIT", "EXPLAIN"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writes(statement: str) -> bool:
    words = statement.lstrip()[:9].split(None, 1)
    return not words or words[0].upper() not in NOT_WRITING


def transaction_wrote(connection) -> bool:
    """Whether the SQLite transaction under way on ``connection`` has sent any statement
    but a read (conservative: a WITH … SELECT counts as a write). Ending such a
    transaction early would commit half of its work."""
    return bool(connection.info.get(WROTE))


def _write_intent() -> bool:
    """Whether a transaction about to begin may write (see ``_on_begin``)."""
    if has_request_context() and request.method not in SAFE_METHODS:
        return True
    if has_app_context() and g.get("kaohe_write", False):
        return True
    if has_request_context():
        return False
    from kaohe.audit.services import cli_actor  # that module imports this one

    # A writing CLI command names itself (cli_actor) while it runs.
    return cli_actor.get() is not None and click.get_current_context(silent=True) is not None


def want_write() -> None:
    """Mark the current request as writing (its next transaction is BEGIN IMMEDIATE)."""
    if has_app_context():
        g.kaohe_write = True


class LazyMigrate:
    """``app.extensions["migrate"]`` until first used (``flask db``, ``init-db``, tests).

    Flask-Migrate loaded on first use: it imports Alembic, ~0.6 s and 25 MB at import
    (issue 17). The first attribute read binds the real extension, which replaces this
    entry, and answers from it."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(self._app, db, MIGRATIONS_DIR, render_as_batch=True)
        return getattr(self._app.extensions["migrate"], name)


class LazyDbCommand(click.Command):
    """``flask db``: Flask-Migrate's command group, loaded when a ``flask db`` command runs
    (its context, hence its options and subcommands, are the real group's)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db as db_group

        return db_group.make_context(info_name, args, parent, **extra)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to decode is bad JSON
    (``ValueError``: ``request.get_json`` answers 400, or None when ``silent``) instead
    of a ``RecursionError`` (a 500) from the decoder."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    db.init_app(app)
    app.extensions["migrate"] = LazyMigrate(app)
    app.cli.add_command(LazyDbCommand("db", help="Perform database migrations (Flask-Migrate)."))
    csrf.init_app(app)
    signed.init_app(app)  # after Flask-WTF: replaces its csrf_token() of templates
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "strong"
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            connections.ping_when_idle(db.engine, app.config["KAOHE_DB_PING_AFTER_SECONDS"])
    # Import models so that metadata and mapper events are complete.
    from kaohe import models  # noqa: F401
    from kaohe.audit import listeners

    listeners.install()
