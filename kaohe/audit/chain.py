"""The hash chain of the audit log.

Every entry carries ``prev_hash`` (the hash of the entry before it) and ``hash``
= SHA-256 of the canonical JSON of the entry's content together with
``prev_hash``; ``seq`` numbers entries 1, 2, 3… without gaps. A single row of
``audit_chain_head`` holds the last ``seq`` and ``hash``: appending reads it
under a lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the writing
transaction is ``BEGIN IMMEDIATE``, see :mod:`kaohe.extensions`), so two
writers can never both extend the same entry.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

GENESIS = "0" * 64
# The fields covered by the hash, in the stored form.
FIELDS = ("seq", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id",
          "before", "after", "prev_hash")


def _json_value(value):
    """A JSON-able value exactly as it reads back from the database."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def canonical(entry: dict) -> bytes:
    data = {k: entry.get(k) for k in FIELDS}
    at = data["at"]
    if isinstance(at, dt.datetime):
        data["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False, default=str).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _tables():
    from kaohe.audit.models import AuditChainHead, AuditLog

    return AuditLog.__table__, AuditChainHead.__table__


def lock_head(connection: Connection) -> tuple[int, str]:
    """Read the chain head, locked until the end of the transaction."""
    _log, head = _tables()
    stmt = select(head.c.seq, head.c.hash).where(head.c.id == 1)
    if connection.dialect.name != "sqlite":  # SQLite: the transaction holds the write lock
        stmt = stmt.with_for_update()
    row = connection.execute(stmt).first()
    if row is None:  # a database created without the migration's genesis row
        connection.execute(head.insert().values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


def append(connection: Connection, entries: list[dict]) -> None:
    """Append ``entries`` (dicts of AuditLog columns) to the chain on ``connection``."""
    if not entries:
        return
    log, head = _tables()
    seq, prev = lock_head(connection)
    rows = []
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "prev_hash": prev,
               "before": _json_value(entry.get("before")),
               "after": _json_value(entry.get("after"))}
        at = row["at"]
        row["at"] = at.replace(tzinfo=None)
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    connection.execute(log.insert(), rows)
    connection.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))


def verify(connection: Connection, anchor: dict | None = None,
           batch: int = 2000) -> tuple[int, list[str]]:
    """Walk the chain; returns (entries checked, problems) — the first problem names
    the first bad entry. ``anchor`` ({"seq", "hash"}) detects a truncated tail."""
    log, head = _tables()
    problems: list[str] = []
    loose = connection.execute(select(log.c.id).where(
        (log.c.seq.is_(None)) | (log.c.hash.is_(None))).order_by(log.c.id).limit(1)).scalar()
    if loose is not None:
        problems.append(f"entry id={loose}: not part of the chain (inserted outside it)")
    expected_seq, prev = 1, GENESIS
    anchor_seen = False
    last_seq = 0
    cols = [log.c.id, log.c.hash, *(log.c[k] for k in FIELDS)]
    after_seq = 0
    while not problems:
        rows = connection.execute(select(*cols).where(log.c.seq > after_seq)
                                  .order_by(log.c.seq).limit(batch)).mappings().all()
        if not rows:
            break
        for row in rows:
            seq = row["seq"]
            if seq != expected_seq:
                what = "deleted" if seq > expected_seq else "duplicated"
                problems.append(f"entry seq={expected_seq}: missing or {what} "
                                f"(next entry is seq={seq}, id={row['id']})")
                break
            if row["prev_hash"] != prev:
                problems.append(f"entry seq={seq} id={row['id']}: previous-hash link broken "
                                "(an entry before it was deleted, inserted or altered)")
                break
            if entry_hash(dict(row)) != row["hash"]:
                problems.append(f"entry seq={seq} id={row['id']}: content altered "
                                "(hash does not match)")
                break
            if anchor and seq == anchor["seq"]:
                anchor_seen = True
                if row["hash"] != anchor["hash"]:
                    problems.append(f"entry seq={seq} id={row['id']}: differs from the "
                                    "exported anchor")
                    break
            prev, expected_seq, last_seq = row["hash"], seq + 1, seq
        after_seq = rows[-1]["seq"]
    if not problems:
        stored = connection.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
        if stored is not None and (stored.seq, stored.hash) != (last_seq, prev):
            problems.append(f"chain head says seq={stored.seq} but the log ends at "
                            f"seq={last_seq}: entries after seq={last_seq} were removed")
        if anchor and not anchor_seen and anchor["seq"] > 0:
            problems.append(f"the exported anchor names seq={anchor['seq']} but the log ends "
                            f"at seq={last_seq}: the tail was truncated")
    return last_seq, problems
