"""Anchors outside the database: one append-only file per anchor, ``audit-verify``
compares the chain with the latest one (a truncated tail or an entry rewritten before
it, even with the key, is reported) and still accepts an explicit one."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text as sql

from kaohe.audit import anchors, chain, tasks
from kaohe.audit.keys import audit_key
from kaohe.audit.models import AuditLog
from kaohe.audit.services import record_event
from kaohe.extensions import db
from kaohe.jobs.models import Job
from tests.helpers import build_world


@pytest.fixture
def folder(app, tmp_path, monkeypatch):
    path = tmp_path / "anchors"
    monkeypatch.setitem(app.config, "KAOHE_AUDIT_ANCHOR_DIR", str(path))
    return path


def _head():
    return chain.read_head(db.session.connection())


def _anchor(runner, *args):
    result = runner.invoke(args=["audit-anchor", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _verify(runner, *args):
    return runner.invoke(args=["audit-verify", *args])


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_each_anchor_is_a_new_read_only_file(runner, make, folder, tmp_path):
    build_world()
    first = _anchor(runner)
    record_event("mark", "test", 1)
    db.session.commit()
    copy = tmp_path / "usb" / "copy.json"
    second = _anchor(runner, "-o", str(copy))
    assert (first["seq"] + 1, len(first["hash"])) == (second["seq"], 64)
    assert (second["seq"], second["hash"]) == _head()
    names = _files(folder)
    assert len(names) == 2 and names[0].startswith(f"anchor-{first['seq']:012d}-")
    assert json.loads((folder / names[1]).read_text()) == second == json.loads(copy.read_text())
    assert not (folder / names[0]).stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with pytest.raises(FileExistsError):  # never overwritten
        anchors.write_anchor(folder, second)
    assert json.loads((folder / names[0]).read_text()) == first


def test_the_default_folder_is_in_the_instance_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_AUDIT_ANCHOR_DIR", None)
    assert anchors.anchor_dir(app) == Path(app.instance_path) / "anchors"


def test_verify_uses_the_latest_anchor(runner, make, folder):
    build_world()
    _anchor(runner)
    record_event("mark", "test", 1)
    db.session.commit()
    latest = _anchor(runner)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert f"matches anchor seq={latest['seq']}" in result.output
    assert _files(folder)[-1] in result.output


@pytest.mark.parametrize("cut", [1, 2, 5])
def test_a_truncated_tail_is_found_through_the_latest_anchor(runner, make, folder, cut):
    """The tail removed and the head rewound to match: only the anchor knows."""
    build_world()
    anchor = _anchor(runner)
    keep = anchor["seq"] - cut
    row = db.session.scalar(select(AuditLog).where(AuditLog.seq == keep))
    db.session.execute(sql("DELETE FROM audit_log WHERE seq > :s"), {"s": keep})
    db.session.execute(sql("UPDATE audit_chain_head SET seq=:s, hash=:h"),
                       {"s": keep, "h": row.hash})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "tail was truncated" in result.output and f"seq={anchor['seq']}" in result.output


def test_a_rewrite_with_the_key_before_the_anchor_is_found(runner, make, folder):
    """Someone holding the key rewrites entry 2 and every hash after it: the chain is
    consistent again, but the latest anchor names another hash."""
    build_world()
    anchor = _anchor(runner)
    key = audit_key()
    rows = db.session.scalars(select(AuditLog).order_by(AuditLog.seq)).all()
    prev = rows[0].hash
    for row in rows[1:]:
        data = {c: getattr(row, c) for c in chain.FIELDS}
        data.update(prev_hash=prev, actor_name="forger" if row.seq == 2 else row.actor_name)
        prev = chain.entry_hash(data, key)
        db.session.execute(sql("UPDATE audit_log SET actor_name=:n, prev_hash=:p, hash=:h "
                               "WHERE seq=:s"), {"n": data["actor_name"], "p": data["prev_hash"],
                                                 "h": prev, "s": row.seq})
    db.session.execute(sql("UPDATE audit_chain_head SET hash=:h"), {"h": prev})
    result = _verify(runner, "--anchor", str(folder / "missing.json"))
    assert result.exit_code == 1 and "does not exist" in result.output
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry seq={anchor['seq']}" in result.output and "differs from the exported anchor" \
        in result.output


def test_an_explicit_anchor_is_still_accepted(runner, make, folder, tmp_path):
    build_world()
    old = tmp_path / "old.json"
    first = _anchor(runner, "-o", str(old))
    record_event("mark", "test", 1)
    db.session.commit()
    _anchor(runner)
    result = _verify(runner, "--anchor", str(old))
    assert result.exit_code == 0 and f"matches anchor seq={first['seq']}" in result.output
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"seq": first["seq"], "hash": "f" * 64}))
    result = _verify(runner, "--anchor", str(forged))
    assert result.exit_code == 1 and "differs from the exported anchor" in result.output


@pytest.mark.parametrize("content", ["", "{", "[]", '{"seq": 3}', '{"seq": "x", "hash": "a"}',
                                     '{"seq": -1, "hash": "' + "a" * 64 + '"}',
                                     '{"seq": 1, "hash": "abc"}'])
def test_an_unreadable_latest_anchor_is_an_error(runner, make, folder, content):
    build_world()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "anchor-999999999999-x.json").write_text(content)
    result = _verify(runner)
    assert result.exit_code == 1 and "is unreadable" in result.output
    assert "Traceback" not in result.output


def test_no_anchor_yet(runner, make, folder):
    build_world()
    result = _verify(runner)
    assert result.exit_code == 0 and "no anchor to compare with" in result.output


def test_an_empty_chain_anchors_at_zero(runner, folder):
    db.session.execute(sql("DELETE FROM audit_log"))
    db.session.execute(sql("UPDATE audit_chain_head SET seq=0, hash=:h"), {"h": chain.GENESIS})
    assert _anchor(runner)["seq"] == 0
    result = _verify(runner)
    assert result.exit_code == 0 and "0 entries; matches anchor seq=0" in result.output


def test_the_periodic_anchor_writes_only_when_the_chain_moved(app, make, folder):
    build_world()
    first = anchors.anchor_if_moved(db.session.connection(), folder)
    assert first is not None
    assert anchors.anchor_if_moved(db.session.connection(), folder) is None
    record_event("mark", "test", 1)
    db.session.commit()
    second = anchors.anchor_if_moved(db.session.connection(), folder)
    assert second is not None and anchors.latest_anchor(folder) == second
    assert anchors.read_anchor(second)["seq"] == anchors.read_anchor(first)["seq"] + 1


def test_the_anchor_is_a_periodic_job(app, make, folder):
    """Run as the consumer would, once per slot: an anchor of the committed head."""
    build_world()
    tasks.anchor_chain.call_local()
    tasks.anchor_chain.call_local()  # a second server's scheduler, same slot
    [path] = folder.iterdir()
    assert {k: anchors.read_anchor(path)[k] for k in ("seq", "hash")} == dict(
        zip(("seq", "hash"), _head()))
    jobs = db.session.scalars(select(Job).where(Job.kind == "audit.anchor")).all()
    assert len(jobs) in (1, 2)  # two only if the minute turned between the calls
    assert all(job.status == "done" and job.ref == "periodic" for job in jobs)


def test_anchors_past_the_head_are_set_aside_not_deleted(runner, make, folder):
    build_world()
    kept = _anchor(runner)
    seq, digest = _head()
    # What a restore leaves behind: anchors past the restored head, and one of another
    # chain at a seq the restored chain holds.
    for beyond in (seq + 1, seq + 500, seq):
        anchors.write_anchor(folder, {"seq": beyond, "hash": "a" * 64,
                                      "exported_at": "2026-02-28T23:59:59.000001Z"})
    (folder / "anchor-garbage.json").write_text("not json")  # unreadable: left for verify
    (folder / "notes.txt").write_text("admin notes")
    moved = anchors.set_aside_off_chain(db.session.connection(), folder)
    assert moved == [f"anchor-{n:012d}-20260228T235959000001.json"
                     for n in (seq, seq + 1, seq + 500)]
    assert _files(folder) == sorted(["anchor-garbage.json", "notes.txt", "superseded",
                                     f"anchor-{kept['seq']:012d}-" + _files(folder)[0][20:]])
    [restore_dir] = (folder / "superseded").iterdir()
    assert restore_dir.name.startswith("restore-") and sorted(_files(restore_dir)) == moved
    assert anchors.set_aside_off_chain(db.session.connection(), folder) == []
    (folder / "anchor-garbage.json").unlink()
    result = _verify(runner)
    assert result.exit_code == 0 and f"matches anchor seq={kept['seq']}" in result.output


def test_nothing_to_set_aside_without_a_folder(app, tmp_path):
    assert anchors.set_aside_off_chain(db.session.connection(), tmp_path / "none") == []
    assert not (tmp_path / "none").exists()
