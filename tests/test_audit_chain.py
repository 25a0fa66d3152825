"""The hash-chained audit log: every write and security event is chained, and any
edit, deletion, insertion or truncation is found by ``flask audit-verify``."""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text as sql

from kaohe import create_app
from kaohe.audit import chain
from kaohe.audit.models import AuditChainHead, AuditLog
from kaohe.audit.services import record_event
from kaohe.extensions import db
from tests.conftest import PASSWORD
from tests.scratch import scratch_database
from tests.helpers import build_world


def _entries():
    return db.session.scalars(select(AuditLog).order_by(AuditLog.seq)
                              .execution_options(populate_existing=True)).all()


def _verify(runner, tmp_path, anchor=None):
    args = ["audit-verify"]
    if anchor is not None:
        args += ["--anchor", str(anchor)]
    else:  # never read the real instance folder's anchor
        args += ["--anchor", str(_anchor(runner, tmp_path, "fresh.json"))]
    return runner.invoke(args=args)


def _anchor(runner, tmp_path, name="anchor.json"):
    path = tmp_path / name
    result = runner.invoke(args=["audit-anchor", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_every_write_extends_the_chain(client, auth, make):
    build_world()
    auth.login("organization")
    rows = _entries()
    assert rows, "writes are audited"
    prev = chain.GENESIS
    for i, row in enumerate(rows, start=1):
        assert row.seq == i and row.prev_hash == prev
        assert row.hash == chain.entry_hash({c: getattr(row, c) for c in chain.FIELDS})
        prev = row.hash
    head = db.session.get(AuditChainHead, 1, populate_existing=True)
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    assert rows[-1].action == "login" and rows[-1].actor_name == "organization"


def test_verify_passes_on_an_intact_chain(runner, client, auth, make, tmp_path):
    build_world()
    auth.login("organization")
    anchor = _anchor(runner, tmp_path)
    saved = json.loads(anchor.read_text())
    assert saved["seq"] == len(_entries()) and len(saved["hash"]) == 64
    result = _verify(runner, tmp_path, anchor)
    assert result.exit_code == 0, result.output
    assert f"audit chain intact: {saved['seq']} entries; matches anchor" in result.output


@pytest.mark.parametrize("tamper,expected", [
    ("UPDATE audit_log SET actor_name = 'someone' WHERE seq = 3", "seq=3 id="),
    ("UPDATE audit_log SET after = NULL WHERE seq = 2", "seq=2 id="),
    ("DELETE FROM audit_log WHERE seq = 3", "entry seq=3: missing"),
    ("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3", "entry seq=3: missing"),
    ("INSERT INTO audit_log (at, actor_name, action, entity_type) "
     "VALUES ('2020-01-01 00:00:00', 'x', 'create', 'official')", "not part of the chain"),
])
def test_verify_names_the_first_bad_entry(runner, make, tmp_path, tamper, expected):
    build_world()
    assert len(_entries()) >= 5
    anchor = _anchor(runner, tmp_path)
    db.session.execute(sql(tamper))
    result = _verify(runner, tmp_path, anchor)
    assert result.exit_code == 1
    assert "AUDIT CHAIN BROKEN" in result.output and expected in result.output


def test_forged_entry_with_recomputed_hash_breaks_the_next_link(runner, make, tmp_path):
    """Rewriting an entry and its own hash still leaves the next entry's link broken."""
    build_world()
    anchor = _anchor(runner, tmp_path)
    row = db.session.scalar(select(AuditLog).where(AuditLog.seq == 2))
    forged = {c: getattr(row, c) for c in chain.FIELDS}
    forged["actor_name"] = "forger"
    db.session.execute(sql("UPDATE audit_log SET actor_name='forger', hash=:h WHERE seq=2"),
                       {"h": chain.entry_hash(forged)})
    result = _verify(runner, tmp_path, anchor)
    assert result.exit_code == 1 and "entry seq=3" in result.output
    assert "previous-hash link broken" in result.output


def test_truncated_tail_is_found(runner, make, tmp_path):
    build_world()
    anchor = _anchor(runner, tmp_path)
    last = len(_entries())
    # The tail removed and the head row rewound to match: only the anchor knows.
    keep = db.session.scalar(select(AuditLog).where(AuditLog.seq == last - 2))
    db.session.execute(sql("DELETE FROM audit_log WHERE seq > :s"), {"s": last - 2})
    db.session.execute(sql("UPDATE audit_chain_head SET seq=:s, hash=:h"),
                       {"s": keep.seq, "h": keep.hash})
    result = _verify(runner, tmp_path, anchor)
    assert result.exit_code == 1 and "tail was truncated" in result.output
    assert f"seq={last}" in result.output
    # Without rewinding the head, the head row itself tells.
    db.session.execute(sql("UPDATE audit_chain_head SET seq=:s"), {"s": last})
    result = _verify(runner, tmp_path, None)
    assert result.exit_code == 1 and "were removed" in result.output


def test_orm_refuses_to_change_audit_rows(make):
    build_world()
    row = _entries()[0]
    row.actor_name = "someone"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.add(AuditLog(actor_name="x", action="x", entity_type="x"))
        db.session.flush()
    db.session.rollback()


def test_logins_are_audited_without_secrets(client, auth):
    auth.login("organization", "wrong-password-1")
    auth.login("organization")
    failed, ok = _entries()[-2:]
    assert (failed.action, failed.after["username"]) == ("login_failed", "organization")
    assert (ok.action, ok.actor_name) == ("login", "organization")
    dump = json.dumps([failed.after, ok.after], ensure_ascii=False)
    assert "wrong-password-1" not in dump and PASSWORD not in dump
    assert all(r.at.tzinfo is None for r in (failed, ok))  # naive UTC


def test_denied_access_is_audited(client, auth, make):
    world = build_world()
    auth.login("assessment")
    assert client.get(f"/officials/{world.official.id}").status_code == 403
    row = _entries()[-1]
    assert (row.action, row.actor_name) == ("access_denied", "assessment")
    assert row.after["path"] == f"/officials/{world.official.id}"
    assert row.after["method"] == "GET"


# ---------------------------------------------------------------- concurrency


@pytest.fixture
def scratch_app(tmp_path, monkeypatch):
    """An app on its own committed database (SQLite file, or PostgreSQL when configured)."""
    with scratch_database("kaohe_chain", tmp_path / "chain.db") as url:
        yield from _scratch_app(url, tmp_path, monkeypatch)


def _scratch_app(url, tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 10}
                      if url.startswith("postgresql") else {}})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_concurrent_writers_never_fork_the_chain(scratch_app):
    """Eight threads append at once (each in its own writing request): one chain, no gaps."""
    from kaohe.auth import services as auth_services

    with scratch_app.app_context():
        auth_services.sync_roles()
        db.session.commit()
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
        checked, problems = chain.verify(db.session.connection())
        count = db.session.scalar(select(sa.func.count(AuditLog.id)).where(
            AuditLog.action == "test"))
    assert problems == [] and count == threads_n * per_thread
    assert checked >= count
