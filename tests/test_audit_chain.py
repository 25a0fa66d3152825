"""The keyed hash chain of the audit log: every write and security event is chained,
and any edit, deletion, insertion, truncation or keyless rewrite is found by
``flask audit-verify``."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text as sql

from kaohe.audit import chain
from kaohe.audit.keys import audit_key
from kaohe.audit.models import AuditChainHead, AuditLog
from kaohe.audit.verify import verify
from kaohe.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import build_world


@pytest.fixture(autouse=True)
def _anchor_dir(app, tmp_path, monkeypatch):
    """Anchors go to the test's folder, never the real instance folder."""
    monkeypatch.setitem(app.config, "KAOHE_AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))


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
        assert row.hash == chain.entry_hash({c: getattr(row, c) for c in chain.FIELDS},
                                            audit_key())
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
    """Rewriting an entry and its own hash (even with the key) still leaves the next
    entry's link broken."""
    build_world()
    anchor = _anchor(runner, tmp_path)
    row = db.session.scalar(select(AuditLog).where(AuditLog.seq == 2))
    forged = {c: getattr(row, c) for c in chain.FIELDS}
    forged["actor_name"] = "forger"
    db.session.execute(sql("UPDATE audit_log SET actor_name='forger', hash=:h WHERE seq=2"),
                       {"h": chain.entry_hash(forged, audit_key())})
    result = _verify(runner, tmp_path, anchor)
    assert result.exit_code == 1 and "entry seq=3" in result.output
    assert "previous-hash link broken" in result.output


def _rewrite_consistently(hasher, from_seq):
    """Alter entry ``from_seq`` and recompute every hash from it on, and the head,
    with ``hasher`` (entry dict → hash): a rewrite of the table alone."""
    rows = _entries()
    prev = rows[from_seq - 2].hash if from_seq > 1 else chain.GENESIS
    for row in rows[from_seq - 1:]:
        data = {c: getattr(row, c) for c in chain.FIELDS}
        data["prev_hash"] = prev
        if row.seq == from_seq:
            data["actor_name"] = "forger"
        prev = hasher(data)
        db.session.execute(sql("UPDATE audit_log SET actor_name=:n, prev_hash=:p, hash=:h "
                               "WHERE seq=:s"), {"n": data["actor_name"], "p": data["prev_hash"],
                                                 "h": prev, "s": row.seq})
    db.session.execute(sql("UPDATE audit_chain_head SET seq=:s, hash=:h"),
                       {"s": rows[-1].seq, "h": prev})


@pytest.mark.parametrize("hasher", [
    pytest.param(chain.legacy_hash, id="plain-sha256"),
    pytest.param(lambda e: chain.entry_hash(e, b"w" * 32), id="hmac-other-key"),
    pytest.param(lambda e: chain.entry_hash(e, b""), id="hmac-empty-key"),
])
@pytest.mark.parametrize("where", ["first", "second", "last"])
def test_consistent_rewrite_without_the_key_is_found(runner, make, hasher, where):
    """Recomputing every hash after an edit, and the head, keeps every link intact;
    without the key the first rewritten entry's hash gives it away (no anchor needed)."""
    build_world()
    last = len(_entries())
    seq = {"first": 1, "second": 2, "last": last}[where]
    _rewrite_consistently(hasher, seq)
    result = runner.invoke(args=["audit-verify"])  # the anchor folder is empty
    assert result.exit_code == 1, result.output
    assert f"entry seq={seq} id=" in result.output
    assert "without the audit key" in result.output


def test_the_key_is_what_verifies(app, make):
    """The same table verified with another key fails at its first entry."""
    build_world()
    checked, problems = verify(db.session.connection(), audit_key())
    assert problems == [] and checked == len(_entries())
    checked, problems = verify(db.session.connection(), b"k" * 32)
    assert checked == 0 and problems[0].startswith("entry seq=1 id=")


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
