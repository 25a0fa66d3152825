"""Migration 0016 re-keys a plain SHA-256 chain with the HMAC, in order, and records
the plain head so that anchors exported before the upgrade still verify; its
downgrade restores the plain hashes."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text as sql

from kaohe import create_app
from kaohe.audit import chain
from kaohe.audit.keys import audit_key
from kaohe.audit.models import AuditLog
from kaohe.audit.verify import verify
from kaohe.extensions import db
from tests.scratch import scratch_database

KEY = "k" * 40


@pytest.fixture
def old_app(tmp_path, monkeypatch):
    """An app whose database stands at 0015, before the key."""
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    with scratch_database("kaohe_rekey", tmp_path / "rekey.db") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                          "KAOHE_AUDIT_KEY": KEY,
                          "KAOHE_AUDIT_ANCHOR_DIR": str(tmp_path / "anchors")})
        with app.app_context():
            upgrade(revision="0015")
            db.session.execute(sql("DELETE FROM audit_log"))  # 0015 itself wrote none
            db.session.commit()
        yield app
        with app.app_context():
            db.engine.dispose()


def _write_plain_chain(n: int, start: int = 0) -> list[dict]:
    """Entries as the code before 0016 wrote them (plain SHA-256), and its head."""
    seq, prev = chain.read_head(db.session.connection())
    rows = []
    for i in range(start, start + n):
        row = chain.prepare({
            "at": dt.datetime(2024, 2, 29, 23, 59, 59, 999999) + dt.timedelta(days=i),
            "actor_id": i, "actor_name": f"用户{i}", "action": "create", "entity_type": "unit",
            "entity_id": i, "before": None, "after": {"name": "测试区", "n": i, "长": "x" * i}})
        row = {k: row[k] for k in chain.CONTENT}
        seq += 1
        row.update(seq=seq, prev_hash=prev)
        row["hash"] = prev = chain.legacy_hash(row)
        rows.append(row)
    if rows:
        db.session.execute(AuditLog.__table__.insert(), rows)
    db.session.execute(sql("UPDATE audit_chain_head SET seq=:s, hash=:h WHERE id=1"),
                       {"s": seq, "h": prev})
    db.session.commit()
    return rows


def _cli(app, args):
    with app.app_context():  # as flask --app app does
        return app.test_cli_runner().invoke(args=args)


def _stored():
    return [dict(r) for r in db.session.execute(
        select(AuditLog.__table__).order_by(AuditLog.seq)).mappings()]


@pytest.mark.parametrize("n", [1, 2, 2001, 4100])  # one entry, and across update batches
def test_upgrade_rekeys_in_order_and_records_the_plain_head(old_app, n):
    with old_app.app_context():
        plain = _write_plain_chain(n)
        upgrade()
        rows = _stored()
        checked, problems = verify(db.session.connection(), audit_key())
    assert problems == [] and checked == n + 1
    assert [r["seq"] for r in rows] == list(range(1, n + 2))
    assert all(r["hash"] != p["hash"] for r, p in zip(rows, plain))
    assert [(r["actor_name"], r["after"]) for r in rows[:n]] == \
        [(p["actor_name"], p["after"]) for p in plain]
    rekey = rows[-1]
    assert (rekey["action"], rekey["actor_name"]) == (chain.REKEY_ACTION, "migration:0016")
    assert (rekey["after"]["legacy_seq"], rekey["after"]["legacy_hash"]) == \
        (n, plain[-1]["hash"])
    assert rekey["after"]["legacy_problems"] == []
    result = _cli(old_app, ["audit-verify"])
    assert result.exit_code == 0 and f"audit chain intact: {n + 1} entries" in result.output


@pytest.mark.parametrize("at", ["first", "middle", "head"])
def test_an_anchor_from_before_the_upgrade_still_verifies(old_app, tmp_path, at):
    with old_app.app_context():
        plain = _write_plain_chain(5)
        upgrade()
    row = {"first": plain[0], "middle": plain[2], "head": plain[-1]}[at]
    old = tmp_path / "old-anchor.json"
    old.write_text(json.dumps({"seq": row["seq"], "hash": row["hash"]}))
    result = _cli(old_app, ["audit-verify", "--anchor", str(old)])
    assert result.exit_code == 0, result.output
    assert f"matches anchor seq={row['seq']}" in result.output
    # A plain anchor does not vouch for a rewrite made before the upgrade's record.
    with old_app.app_context():
        db.session.execute(sql("UPDATE audit_log SET actor_name='forger' WHERE seq=1"))
        db.session.commit()
    result = _cli(old_app, ["audit-verify", "--anchor", str(old)])
    assert result.exit_code == 1 and "entry seq=1 id=" in result.output


def test_a_wrong_plain_anchor_is_refused(old_app, tmp_path):
    with old_app.app_context():
        plain = _write_plain_chain(3)
        upgrade()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"seq": 2, "hash": plain[1]["hash"][::-1]}))
    result = _cli(old_app, ["audit-verify", "--anchor", str(forged)])
    assert result.exit_code == 1 and "entry seq=2" in result.output
    assert "differs from the exported anchor" in result.output


def test_a_chain_broken_before_the_upgrade_stays_on_record(old_app):
    with old_app.app_context():
        _write_plain_chain(4)
        db.session.execute(sql("UPDATE audit_log SET actor_name='earlier forger' WHERE seq=3"))
        db.session.commit()
        upgrade()
        rekey = _stored()[-1]
    assert rekey["action"] == chain.REKEY_ACTION
    [problem] = rekey["after"]["legacy_problems"]
    assert problem.startswith("entry seq=3 id=") and "did not verify before the re-key" in problem


def test_an_empty_chain_needs_no_rekey(old_app):
    with old_app.app_context():
        upgrade()
        assert _stored() == []
        assert chain.read_head(db.session.connection()) == (0, chain.GENESIS)


def test_downgrade_restores_the_plain_hashes(old_app):
    with old_app.app_context():
        plain = _write_plain_chain(6)
        upgrade()
        downgrade(revision="0015")
        rows = _stored()
    assert [(r["seq"], r["prev_hash"], r["hash"]) for r in rows[:6]] == \
        [(p["seq"], p["prev_hash"], p["hash"]) for p in plain]
    prev = chain.GENESIS
    for row in rows:  # the re-key record too: one plain chain again
        assert row["prev_hash"] == prev and chain.legacy_hash(row) == row["hash"]
        prev = row["hash"]
