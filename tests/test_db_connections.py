"""Round trips before a request's data (kaohe.core.connections, issue 17): the first read
outside a transaction on PostgreSQL, and the pooled connection's check only after idling.

These tests use connections of their own (not the suite's rolled-back transaction): what
is checked is what a connection fresh from the pool does."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from kaohe.config import engine_options
from kaohe.core import connections
from kaohe.extensions import db
from kaohe.jobs.models import Job


def _in_transaction(session: Session) -> bool:
    raw = session.connection().connection.dbapi_connection
    if session.bind.dialect.name == "postgresql":
        return raw.info.transaction_status != type(raw.info.transaction_status).IDLE
    return raw.in_transaction


@pytest.fixture
def fresh(app):
    """A session of its own on the app's engine (SQLite: its BEGIN events too)."""
    session = Session(db.engine)
    yield session
    session.rollback()
    session.close()


def test_the_first_read_runs_outside_a_transaction_on_postgresql(fresh):
    with connections.autocommit_read(fresh):
        assert fresh.execute(sa.select(sa.literal(1))).scalar() == 1
    outside = not _in_transaction(fresh)
    assert outside is (fresh.bind.dialect.name == "postgresql")
    # The next statement begins a transaction, as before, and rolls back as one.
    fresh.execute(sa.select(sa.literal(2)))
    assert _in_transaction(fresh)


def test_a_read_inside_a_transaction_stays_in_it(fresh):
    fresh.execute(sa.select(sa.literal(1)))
    with connections.autocommit_read(fresh):
        fresh.execute(sa.select(sa.literal(2)))
    assert _in_transaction(fresh)


def test_pending_changes_are_never_committed_by_the_read(fresh):
    """Autoflush inside the read would have inserted the job outside any transaction:
    the rollback afterwards must leave no trace of it."""
    fresh.add(Job(kind="connections-test", ref="pending-autocommit"))
    with connections.autocommit_read(fresh):
        fresh.execute(sa.select(sa.literal(1)))
    fresh.rollback()
    with db.engine.connect() as other:
        left = other.execute(sa.select(sa.func.count()).select_from(Job)
                             .where(Job.ref == "pending-autocommit")).scalar()
    assert left == 0


@pytest.mark.parametrize("after, expected", [(0, True), (10, False), (3600, False)])
def test_postgresql_checks_every_checkout_only_when_told(after, expected):
    options = engine_options({"SQLALCHEMY_ENGINE_OPTIONS": {},
                              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://k@db/kaohe",
                              "KAOHE_DB_CONNECT_TIMEOUT": 5,
                              "KAOHE_DB_PING_AFTER_SECONDS": after})
    assert options["pool_pre_ping"] is expected


def test_the_deployment_keeps_its_own_pre_ping():
    options = engine_options({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
                              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://k@db/kaohe",
                              "KAOHE_DB_CONNECT_TIMEOUT": 5,
                              "KAOHE_DB_PING_AFTER_SECONDS": 10})
    assert options["pool_pre_ping"] is True


@pytest.fixture
def pg_url(app, database_url):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pool and server processes")
    return database_url


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()


def _terminate(url: str, pid: int) -> None:
    """End the server process ``pid`` from a connection outside every pool tested."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"),
                                {"pid": pid}).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("after", [0, 5])
def test_a_connection_lost_while_idle_is_replaced_before_use(pg_url, after, monkeypatch):
    ticks = itertools.count(0, after + 1)  # each checkout comes after + 1 s after the checkin
    monkeypatch.setattr(connections.time, "monotonic", lambda: float(next(ticks)))
    engine = sa.create_engine(pg_url, pool_size=1)
    connections.ping_when_idle(engine, after)
    try:
        first = _backend(engine)
        _terminate(pg_url, first)
        second = _backend(engine)  # no error: the dead connection was dropped
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_checked(pg_url):
    """The gap the check leaves: a server gone within the idle time is found out by the
    request (the 503 page), and the pool's next connection is a new one."""
    engine = sa.create_engine(pg_url, pool_size=1)
    connections.ping_when_idle(engine, 3600)
    try:
        first = _backend(engine)
        _terminate(pg_url, first)
        with pytest.raises(OperationalError):
            _backend(engine)
        assert _backend(engine) != first
    finally:
        engine.dispose()


def test_the_apps_pool_replaces_a_connection_lost_while_idle(pg_url, monkeypatch):
    """The app's own engine (KAOHE_DB_PING_AFTER_SECONDS, 10 s by default): every pooled
    connection idle for 11 s is checked, the dead one replaced."""
    ticks = itertools.count(0, 11)
    monkeypatch.setattr(connections.time, "monotonic", lambda: float(next(ticks)))
    dead = _backend(db.engine)
    _terminate(pg_url, dead)
    seen = {_backend(db.engine) for _ in range(db.engine.pool.size() + 1)}
    assert dead not in seen
