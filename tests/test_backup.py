"""flask backup / flask restore: a round trip that compares every table.

Each case builds its own apps on scratch databases (a temporary SQLite file, or two
scratch databases on the server named by ``KAOHE_TEST_PG_SERVER``): the original is
migrated and filled through the services, backed up, and restored into a second,
migrated database holding other data; every table in ``db.metadata`` must then hold
the same rows, ordered by primary key (the audit log gains exactly the restore event).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from kaohe import create_app
from kaohe.audit import anchors
from kaohe.audit.models import AuditChainHead, AuditLog
from kaohe.auth import services as auth_services
from kaohe.extensions import db
from tests import factories
from tests.scratch import scratch_database

AUDIT_TABLES = {AuditLog.__table__.name, AuditChainHead.__table__.name}


def _make_app(url: str, anchor_dir: Path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-secret",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "KAOHE_AUDIT_ANCHOR_DIR": str(anchor_dir)})
    with app.app_context():
        upgrade()
        auth_services.sync_roles()
        db.session.commit()
    return app


def _invoke(app, args, input=None):
    def run():
        with app.app_context():
            return app.test_cli_runner().invoke(args=args, input=input)
    return contextvars.Context().run(run)


def _fill(app, name: str) -> None:
    def run():
        with app.app_context():
            if name == "原库":  # the demo city (every feature's tables), then a few more
                from kaohe.demo.seed import seed_demo
                for _ in seed_demo(12, 5):
                    pass
            auth_services.create_user(f"u_{name}", "organization", "Kaohe-test-pass-123",
                                      display_name=f"{name}用户")
            u = factories.unit(name=f"{name}区")
            o = factories.official(name=f"{name}干部", unit_obj=u)
            factories.post(o, u, principal=True)
            factories.result(o, 2019, "excellent", score=95)
            factories.review(o)
            factories.note(o)
            factories.official(name="阿依古丽·买买提", birth=dt.date(1980, 1, 2), unit_obj=u)
            factories.commit()
    contextvars.Context().run(run)


def _snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        with db.engine.connect() as conn:
            tables = {}
            for table in db.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                tables[table.name] = [tuple(row) for row in
                                      conn.execute(sa.select(table).order_by(*order))]
        db.engine.dispose()
    return tables


def _round_trip(url_a: str, url_b: str, tmp_path) -> None:
    a, b = _make_app(url_a, tmp_path / "anchors_a"), _make_app(url_b, tmp_path / "anchors_b")
    _fill(a, "原库")
    _fill(b, "他库")  # the target holds other data, which must all be replaced
    archive = tmp_path / "kaohe.backup"

    result = _invoke(a, ["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output and archive.stat().st_size > 0
    before = _snapshot(a)
    assert sum(map(len, before.values())) > 100  # a real data set, not empty tables
    # Audited once the backup exists: the live log ends with it, the backup does not hold it.
    assert before[AuditLog.__table__.name][-1][AuditLog.__table__.c.keys().index("action")] \
        == "backup"

    # Anchors of the target's chain exported after the backup was made: the restore
    # truncates that chain on purpose, so it sets them aside (kept) and names them.
    assert _invoke(b, ["audit-anchor"]).exit_code == 0
    outdated = anchors.write_anchor(tmp_path / "anchors_b", {
        "seq": len(before[AuditLog.__table__.name]) + 10, "hash": "b" * 64,
        "exported_at": "2024-02-29T23:59:59.000000Z"})
    result = _invoke(b, ["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "已从" in result.output and outdated.name in result.output
    assert not outdated.exists() and not list((tmp_path / "anchors_b").glob("anchor-*"))
    # Both b's own anchor (another chain) and the one past the restored head.
    moved = sorted(p.name for p in (tmp_path / "anchors_b" / "superseded").glob("restore-*/*"))
    assert len(moved) == 2 and outdated.name in moved
    after = _snapshot(b)

    assert set(before) == set(after)
    for name in before:
        if name not in AUDIT_TABLES:
            assert after[name] == before[name], name
    log = AuditLog.__table__.name
    action = AuditLog.__table__.c.keys().index("action")
    assert after[log][:-1] == before[log][:-1]
    assert after[log][-1][action] == "restore"
    restored = after[log][-1][AuditLog.__table__.c.keys().index("after")]
    assert restored["superseded_anchors"] == moved

    result = _invoke(b, ["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output

    # Failures: a clear message, a non-zero exit, the data untouched, and each failure
    # audited as such (never as a backup or restore), with its cause.
    (tmp_path / "junk").write_bytes(b"not a backup at all" * 100)
    failures = ((["restore", str(tmp_path / "missing"), "--yes"], "不存在"),
                (["restore", str(tmp_path / "junk"), "--yes"], "失败"
                 if url_b.startswith("postgresql") else "不是有效的 SQLite 备份"),
                (["backup", str(tmp_path / "no" / "dir" / "x")], "不存在"),
                # A directory that exists but takes no files, even as root: formerly
                # audited as a backup before failing.
                (["backup", "/proc/kaohe.backup"], "无法写入目录"))
    for args, message in failures:
        result = _invoke(b, args)
        assert result.exit_code != 0 and message in result.output, result.output
    failed = _snapshot(b)
    assert {k: v for k, v in failed.items() if k not in AUDIT_TABLES} == \
        {k: v for k, v in after.items() if k not in AUDIT_TABLES}
    added = failed[log][len(after[log]):]
    assert failed[log][:len(after[log])] == after[log]
    after_col = AuditLog.__table__.c.keys().index("after")
    assert [(row[action], row[after_col]["path"]) for row in added] == [
        (f"{args[0]}_failed", str(Path(args[1]).resolve())) for args, _m in failures]
    assert all(message in row[after_col]["error"] for row, (_a, message) in zip(added, failures))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert _invoke(b, ["audit-verify"]).exit_code == 0

    # Without --yes the restore asks first; "n" leaves everything as it was.
    result = _invoke(b, ["restore", str(archive)], input="n\n")
    assert result.exit_code != 0 and _snapshot(b) == failed


def test_round_trip_sqlite(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    _round_trip(f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}", work)


@pytest.mark.skipif(not os.environ.get("KAOHE_TEST_PG_SERVER"),
                    reason="KAOHE_TEST_PG_SERVER not set")
def test_round_trip_postgresql(tmp_path):
    with scratch_database("kaohe_bk", tmp_path / "a.db") as a, \
            scratch_database("kaohe_bk", tmp_path / "b.db") as b:
        _round_trip(a, b, tmp_path)
