"""Audit entries join the chain at commit: rollbacks and rolled-back savepoints leave
none, entries follow commit order with gap-free seq, an open import blocks no login,
and a head locked too long fails the request cleanly."""
from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from kaohe import create_app
from kaohe.audit import chain, pending
from kaohe.audit.keys import audit_key
from kaohe.audit.models import AuditChainHead, AuditLog
from kaohe.audit.pending import pending_count
from kaohe.audit.services import record_event
from kaohe.audit.verify import verify
from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.interop.bulk import insert_records
from kaohe.units.models import Unit
from tests.conftest import PASSWORD
from tests import factories
from tests.scratch import pg_server, scratch_database

ON_PG = pg_server() is not None
needs_pg = pytest.mark.skipif(not ON_PG, reason="SQLite has one writer at a time "
                              "(BEGIN IMMEDIATE): a second writer waits by design")


def _chain():
    """(seq, action, entity_id) of every entry, in chain order."""
    return [tuple(r) for r in db.session.execute(
        select(AuditLog.seq, AuditLog.action, AuditLog.entity_id).order_by(AuditLog.seq))]


def _seqs(action: str, entity_type: str | None = None) -> list[int]:
    stmt = select(AuditLog.seq).where(AuditLog.action == action).order_by(AuditLog.seq)
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    return list(db.session.scalars(stmt))


def _mark(n: int) -> None:
    record_event("mark", "test", n)


def _marks() -> list[int]:
    return [entity_id for _s, action, entity_id in _chain() if action == "mark"]


def _assert_intact() -> None:
    rows = _chain()
    assert [seq for seq, *_ in rows] == list(range(1, len(rows) + 1))
    checked, problems = verify(db.session.connection(), audit_key())
    assert problems == [] and checked == len(rows)


@pytest.fixture(params=["memory", "spooled"])
def chunk(request, monkeypatch):
    """The queue as it is, and with chunks of 2 entries so that every scenario also runs
    through the spool file (an import's thousands of entries)."""
    if request.param == "spooled":
        monkeypatch.setattr(pending, "CHUNK", 2)


def _record(i: int) -> chain.Record:
    return chain.record({"at": dt.datetime(2024, 2, 29, 23, 59), "actor_id": i,
                         "actor_name": "用户", "action": "mark", "entity_type": "test",
                         "entity_id": i, "before": None, "after": {"i": i}})


@pytest.mark.parametrize("seed", range(20))
def test_the_queue_keeps_order_through_spooling_and_truncation(monkeypatch, seed):
    """Random appends and savepoint truncations against a plain list."""
    monkeypatch.setattr(pending, "CHUNK", 5)
    rnd, queue, model = random.Random(seed), pending.Queue(), []
    for _step in range(40):
        if rnd.random() < 0.65:
            new = [_record(len(model) + j) for j in range(rnd.randint(0, 13))]
            queue.extend(new)
            model.extend(new)
        else:
            n = rnd.choice([0, len(model), rnd.randint(0, len(model))])
            queue.truncate(n)
            del model[n:]
        assert len(queue) == len(model)
        assert [r for batch in queue.batches() for r in batch] == model
    queue.close()


# --------------------------------------------------------------- one session


def test_entries_wait_for_the_commit(app, make):
    unit = make.unit(code="PENDING1")
    _mark(1)
    assert pending_count(db.session()) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_type == "unit", AuditLog.entity_id == unit.id)) == 0
    head = db.session.get(AuditChainHead, 1, populate_existing=True)
    before = head.seq
    db.session.commit()
    assert pending_count(db.session()) == 0
    rows = _chain()
    assert rows[-2:] == [(before + 1, "create", unit.id), (before + 2, "mark", 1)]
    _assert_intact()


@pytest.mark.parametrize("write", ["orm", "event", "both", "bulk"])
def test_a_rollback_leaves_no_entries(app, make, write, chunk):
    before = _chain()
    if write in ("orm", "both"):
        make.unit(code="ROLLED")
    if write in ("event", "both"):
        _mark(7)
    if write == "bulk":
        insert_records(Unit, [{"code": f"B{i}", "name": "批量", "kind": "county"}
                              for i in range(50)])
    assert pending_count(db.session()) > 0
    db.session.rollback()
    assert pending_count(db.session()) == 0
    _mark(8)
    db.session.commit()
    after = _chain()
    assert after[:-1] == before and after[-1] == (len(before) + 1, "mark", 8)
    _assert_intact()


def _savepoint(body, roll_back: bool) -> None:
    try:
        with db.session.begin_nested():
            body()
            if roll_back:
                raise LookupError("roll this savepoint back")
    except LookupError:
        pass


def _failed_flush():
    """A flush that fails inside a savepoint (the append-only guard refuses it)."""
    with pytest.raises(RuntimeError, match="append-only"):
        with db.session.begin_nested():
            _mark(20)
            factories.unit(code="IN-FAILED")
            db.session.add(AuditLog(actor_name="x", action="x", entity_type="x"))
            db.session.flush()


SCENARIOS = {
    # name: (steps, marks kept)
    "released": (lambda: (_mark(1), _savepoint(lambda: _mark(2), False), _mark(3)), [1, 2, 3]),
    "rolled back": (lambda: (_mark(1), _savepoint(lambda: _mark(2), True), _mark(3)), [1, 3]),
    "inner rolled back": (lambda: (_mark(1), _savepoint(lambda: (
        _mark(2), _savepoint(lambda: _mark(3), True), _mark(4)), False), _mark(5)),
        [1, 2, 4, 5]),
    "outer rolled back": (lambda: (_mark(1), _savepoint(lambda: (
        _mark(2), _savepoint(lambda: _mark(3), False), _mark(4)), True), _mark(5)), [1, 5]),
    "two in a row": (lambda: (_savepoint(lambda: _mark(1), True),
                              _savepoint(lambda: _mark(2), False),
                              _savepoint(lambda: _mark(3), True)), [2]),
    "failed flush": (lambda: (_mark(1), _failed_flush(), _mark(3)), [1, 3]),
    "empty": (lambda: _savepoint(lambda: None, True), []),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_savepoints_keep_or_drop_their_entries(app, make, name, chunk):
    steps, kept = SCENARIOS[name]
    before = len(_chain())
    steps()
    db.session.commit()
    assert _marks() == kept
    assert len(_chain()) == before + len(kept)
    _assert_intact()


def test_orm_writes_in_a_rolled_back_savepoint_leave_no_entries(app, make):
    """Flushed rows and their entries go together: outside kept, inside dropped."""
    kept = factories.unit(code="OUTSIDE")
    _savepoint(lambda: factories.unit(code="INSIDE"), True)
    db.session.commit()
    codes = set(db.session.scalars(select(Unit.code)))
    assert "OUTSIDE" in codes and "INSIDE" not in codes
    units = db.session.scalars(select(AuditLog.entity_id).where(
        AuditLog.entity_type == "unit").order_by(AuditLog.seq)).all()
    assert units == [kept.id]
    _assert_intact()


def test_a_flush_during_the_commit_still_joins_the_chain(app, make):
    """A change made by a later before_commit hook is flushed after the entries were
    written: its entry is written at once, in order."""
    unit = factories.unit(code="LATE")
    db.session.commit()

    def touch(session):
        if not session.info.get("touched"):
            session.info["touched"] = True
            unit.name = "后来改名"

    sa.event.listen(db.session(), "before_commit", touch)
    try:
        _mark(1)
        db.session.commit()
    finally:
        sa.event.remove(db.session(), "before_commit", touch)
    tail = _chain()[-2:]
    assert [a for _s, a, _e in tail] == ["mark", "update"] and tail[1][2] == unit.id
    _assert_intact()


TRICKY = {"tab": "a\tb", "newline": "第一行\n第二行\r\n", "backslash": "C:\\x\\N",
          "copy_null": "\\N", "quote": "'\"", "ext_b": "𠀀𪚥", "nested": {"list": [1, None, True]},
          "empty": "", "big": "长" * 5000, "nul_escape": "\u0001"}


@pytest.mark.parametrize("n", [1, chain.COPY_ROWS - 1, chain.COPY_ROWS, 2 * chain.COPY_ROWS + 1])
def test_entries_read_back_as_written(app, n, chunk):
    """Below COPY_ROWS entries are INSERTed, from it on (PostgreSQL) COPYed: either
    way tabs, newlines, backslashes, COPY's NULL marker and long texts read back
    exactly, and the chain verifies."""
    for i in range(n):
        record_event("mark", "test", i, {**TRICKY, "i": i} if i % 50 == 0 else {"i": i})
    record_event("mark", "test", n, None)
    db.session.commit()
    rows = db.session.execute(select(AuditLog.entity_id, AuditLog.after).where(
        AuditLog.action == "mark").order_by(AuditLog.seq)).all()
    assert [r.entity_id for r in rows] == list(range(n + 1))
    assert rows[0].after == {**TRICKY, "i": 0} and rows[-1].after is None
    assert all(r.after == {"i": r.entity_id} for r in rows[1:-1] if r.entity_id % 50)
    _assert_intact()


def test_inserted_entries_store_their_json_texts_as_the_json_type_does(app):
    """Below COPY_ROWS the records' JSON texts go into the table as they are (no decoding
    and encoding again): None is stored as JSON null like the JSON type stores it, a
    value reads back equal through the model and as raw text."""
    record_event("mark", "test", 1, None)
    record_event("mark", "test", 2, {"姓名": "张三", "n": 1.5, "d": [None, True]})
    db.session.commit()
    raw = dict(db.session.execute(sa.text(
        "SELECT entity_id, CAST(after AS TEXT) FROM audit_log WHERE action = 'mark'")).all())
    assert raw[1] == "null"
    assert json.loads(raw[2]) == {"姓名": "张三", "n": 1.5, "d": [None, True]}
    assert db.session.scalar(select(AuditLog.after).where(AuditLog.entity_id == 2,
                                                          AuditLog.action == "mark")) \
        == {"姓名": "张三", "n": 1.5, "d": [None, True]}
    _assert_intact()


# ------------------------------------------------------- committed databases


def audit_app(url: str, instance, **config) -> Flask:
    """An app on its own committed database, at the latest schema, with users."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "KAOHE_AUDIT_ANCHOR_DIR": str(instance / "a"),
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 10}
                      if url.startswith("postgresql") else {}, **config})
    with app.app_context():
        upgrade()
        auth_services.sync_roles()
        auth_services.create_user("organization", "organization", PASSWORD)
        db.session.commit()
    return app


@pytest.fixture
def scratch_app(tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    with scratch_database("kaohe_chain", tmp_path / "chain.db") as url:
        app = audit_app(url, tmp_path, KAOHE_AUDIT_LOCK_TIMEOUT_MS=400)
        yield app
        with app.app_context():
            db.engine.dispose()


def test_concurrent_writers_never_fork_the_chain(scratch_app):
    """Eight threads append at once (each in its own writing request): one chain, no gaps."""
    # Queued behind seven others whose commits wait for the disk, a writer can wait longer
    # than the fixture's 400 ms on a busy machine; this test is about the chain, not the wait.
    scratch_app.config["KAOHE_AUDIT_LOCK_TIMEOUT_MS"] = 60_000
    errors: list[BaseException] = []
    threads_n, per_thread = 8, 15
    barrier = threading.Barrier(threads_n)

    def worker(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                with scratch_app.test_request_context("/x", method="POST"):
                    db.session.execute(select(sa.literal(1)))  # read first, then write
                    if i % 5 == 0:  # an ORM write, audited by the flush listener
                        auth_services.create_user(f"t{n}_{i}", "reviewer", "thread-pass-1234")
                    record_event("test", "thread", n, {"i": i})
                    db.session.commit()
                    db.session.remove()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with scratch_app.app_context():
        _assert_intact()
        count = db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "test"))
    assert count == threads_n * per_thread


class OpenImport:
    """A thread that writes ``rows`` audited units (bulk and ORM), flushes, and keeps
    its transaction open until ``finish()``: an import in progress."""

    def __init__(self, app, rows: int):
        self.app, self.rows = app, rows
        self.written, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with self.app.test_request_context("/import", method="POST"):
                insert_records(Unit, [{"code": f"IMP{i}", "name": "导入", "kind": "county"}
                                      for i in range(self.rows)])
                db.session.add(Unit(code="IMP-ORM", name="导入", kind="county"))
                db.session.flush()
                self.written.set()
                self.release.wait(30)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # pragma: no cover - reported by finish()
            self.error = exc
            self.written.set()

    def __enter__(self):
        self.thread.start()
        assert self.written.wait(60)
        return self

    def __exit__(self, *_exc):
        self.release.set()
        self.thread.join(60)
        assert self.error is None


@needs_pg
def test_an_open_import_blocks_no_login(scratch_app):
    """While a transaction holds thousands of uncommitted audited rows, a login, a
    read and a refused request (audited) on other connections answer at once; the
    import then commits after them, and the chain is whole."""
    client = scratch_app.test_client()
    with OpenImport(scratch_app, 3000):
        for method, path, status in [("post", "/login", 302), ("get", "/units/", 200),
                                     ("get", "/admin/users", 403)]:
            started = time.perf_counter()
            response = getattr(client, method)(path, data={"username": "organization",
                                                           "password": PASSWORD})
            elapsed = time.perf_counter() - started
            # Blocked, it would answer 503 after the 0.4 s lock timeout, or wait for
            # the import's end (30 s); the bound leaves room for a loaded machine.
            assert response.status_code == status, path
            assert elapsed < 5, f"{path} waited {elapsed:.2f} s for the open import"
    with scratch_app.app_context():
        login, denied = _seqs("login"), _seqs("access_denied")
        imported = _seqs("create", "unit")
        assert len(login) == 1 and len(denied) == 1 and len(imported) == 3001
        assert login[0] < denied[0] < imported[0]  # commit order
        assert imported == list(range(imported[0], imported[0] + 3001))
        _assert_intact()


@needs_pg
def test_entries_follow_commit_order(scratch_app):
    """The transaction that wrote first but commits last comes last in the chain."""
    with OpenImport(scratch_app, 10):
        with scratch_app.app_context():
            _mark(1)
            db.session.commit()
    with scratch_app.app_context():
        assert _seqs("mark")[0] + 1 == _seqs("create", "unit")[0]
        assert _seqs("create", "unit")[-1] == _chain()[-1][0]
        _assert_intact()


@needs_pg
def test_a_head_locked_too_long_fails_the_request_cleanly(scratch_app):
    """Past the lock timeout a login answers 503 with a Chinese 'busy' message, never
    hangs, and nothing of it is saved (no entry, no session)."""
    client = scratch_app.test_client()
    with scratch_app.app_context():
        before = _chain()
        with db.engine.connect() as holder:
            holder.execute(select(AuditChainHead.seq).where(AuditChainHead.id == 1)
                           .with_for_update())
            started = time.perf_counter()
            response = client.post("/login", data={"username": "organization",
                                                   "password": PASSWORD})
            elapsed = time.perf_counter() - started
            # A service write outside a request fails the same way, and saves nothing.
            auth_services.create_user("busy-user", "reviewer", "busy-pass-12345")
            with pytest.raises(chain.ChainBusy):
                db.session.commit()
            db.session.rollback()
            holder.rollback()
        assert response.status_code == 503 and 0.3 < elapsed < 3
        assert "系统繁忙" in response.get_data(as_text=True)
        assert response.headers["Retry-After"]
        assert _chain() == before
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.username == "busy-user")) == 0
    assert client.get("/officials/").status_code == 302  # not signed in
    response = client.post("/login", data={"username": "organization", "password": PASSWORD})
    assert response.status_code == 302  # the retry succeeds
