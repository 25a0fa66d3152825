"""Anchors: the chain head (seq, hash, time) written outside the database.

One file per anchor in ``KAOHE_AUDIT_ANCHOR_DIR`` (default ``instance/anchors/``),
created exclusively and never rewritten, so the folder only grows. Put it where the
database's administrators cannot write (another disk, a mounted share, a WORM
bucket synced from it). ``audit-verify`` compares the chain with the latest one: a
truncated tail, or an entry before it rewritten, is reported. A restore of an older
backup truncates the tail on purpose: ``set_aside_off_chain`` then moves the anchors
it outdated into ``superseded/restore-<time>/`` (kept, named in the restore's audit
entry), so verification goes on against anchors of the restored chain.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.engine import Connection

from kaohe.audit import chain
from kaohe.core.models import utcnow

SUFFIX = ".json"


class AnchorError(ValueError):
    """An anchor file that cannot be read as one."""


def anchor_dir(app: Flask | None = None) -> Path:
    """The configured anchor folder."""
    app = app or current_app
    configured = app.config.get("KAOHE_AUDIT_ANCHOR_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "anchors"


def make_anchor(connection: Connection) -> dict:
    """The anchor of the chain as ``connection`` sees it now."""
    seq, digest = chain.read_head(connection)
    return {"seq": seq, "hash": digest, "exported_at": utcnow().isoformat() + "Z"}


def write_anchor(directory: Path, anchor: dict) -> Path:
    """Write ``anchor`` as a new file of ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(anchor["exported_at"].rstrip("Z")).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"anchor-{anchor['seq']:012d}-{stamp}{SUFFIX}"
    data = (json.dumps(anchor, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    # Exclusive create: an existing anchor is never overwritten.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_anchor(path: Path) -> dict:
    """The anchor in ``path`` ({"seq", "hash"}); raises AnchorError when unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        anchor = {"seq": int(raw["seq"]), "hash": str(raw["hash"])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"anchor file {path} is unreadable: {exc}") from exc
    if anchor["seq"] < 0 or len(anchor["hash"]) != 64:
        raise AnchorError(f"anchor file {path} is unreadable: not an audit-chain anchor")
    return anchor


def latest_anchor(directory: Path) -> Path | None:
    """The anchor file of ``directory`` naming the highest seq (the newest among equals)."""
    if not directory.is_dir():
        return None
    files = sorted(p for p in directory.iterdir()
                   if p.name.startswith("anchor-") and p.name.endswith(SUFFIX))
    return files[-1] if files else None


def anchor_if_moved(connection: Connection, directory: Path) -> Path | None:
    """Write an anchor unless the latest one already names the current head (the
    periodic job: an idle chain does not fill the folder). Returns the new file."""
    anchor = make_anchor(connection)
    latest = latest_anchor(directory)
    if latest is not None:
        try:
            known = read_anchor(latest)
        except AnchorError:
            known = None
        if known == {"seq": anchor["seq"], "hash": anchor["hash"]}:
            return None
    return write_anchor(directory, anchor)


def set_aside_off_chain(connection: Connection, directory: Path) -> list[str]:
    """Move the anchors the current chain does not hold (past its head, or another hash
    at their seq: outdated by a restore) into ``directory/superseded/restore-<time>/``;
    returns their file names.

    Unreadable files, and anchors from before the re-key (a plain hash that only a walk
    of the chain can check), stay where they are: ``audit-verify`` judges them."""
    if not directory.is_dir():
        return []
    head, _ = chain.read_head(connection)
    legacy = chain.legacy_head(connection)
    log, _ = chain.tables()
    off_chain = []
    for path in sorted(directory.iterdir()):
        if not (path.is_file() and path.name.startswith("anchor-") and path.name.endswith(SUFFIX)):
            continue
        try:
            anchor = read_anchor(path)
        except AnchorError:
            continue
        if anchor["seq"] == 0 or (legacy and anchor["seq"] <= legacy[0]):
            continue
        held = connection.execute(select(log.c.hash).where(log.c.seq == anchor["seq"])).scalar()
        if anchor["seq"] > head or held != anchor["hash"]:
            off_chain.append(path)
    if not off_chain:
        return []
    target = directory / "superseded" / f"restore-{utcnow():%Y%m%dT%H%M%S%f}"
    target.mkdir(parents=True)
    for path in off_chain:
        path.rename(target / path.name)
    return [path.name for path in off_chain]
