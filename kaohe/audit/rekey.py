"""Re-key an existing chain from plain SHA-256 to the HMAC (migration 0016), and back.

Why re-hashing the existing entries is sound: until the key exists the chain's hashes
are plain SHA-256, which anyone with write access to the table could recompute, so
the keyed chain can vouch for no more than the plain chain did at that moment. The
upgrade therefore first checks the plain chain, then re-hashes every entry in seq
order with the key and appends an ``audit_rekey`` entry naming the plain head (seq,
hash) and any problem the check found: an anchor exported before the upgrade still
verifies (``audit-verify`` recomputes the plain chain up to it and compares), and a
chain tampered with before the upgrade stays on record as such.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from kaohe.audit import chain
from kaohe.core.models import utcnow

BATCH = 2000


def _walk(connection: Connection):
    """Every chained entry in seq order (dicts with id, hash and the FIELDS)."""
    log, _head = chain.tables()
    cols = [log.c.id, log.c.hash, *(log.c[k] for k in chain.FIELDS)]
    last = 0
    while True:
        rows = connection.execute(select(*cols).where(log.c.seq > last)
                                  .order_by(log.c.seq).limit(BATCH)).mappings().all()
        if not rows:
            return
        yield from (dict(row) for row in rows)
        last = rows[-1]["seq"]


def _rewrite(connection: Connection, hasher) -> tuple[int, str, list[str]]:
    """Give every entry the hash ``hasher(entry with its new prev_hash)``; returns the
    new head and the problems of the chain as it was stored (checked as plain)."""
    log, head = chain.tables()
    stmt = (update(log).where(log.c.id == bindparam("b_id"))
            .values(prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")))
    problems: list[str] = []
    stored_prev, prev, seq, batch = chain.GENESIS, chain.GENESIS, 0, []
    for row in _walk(connection):
        if not problems and (row["seq"] != seq + 1 or row["prev_hash"] != stored_prev
                             or chain.legacy_hash(row) != row["hash"]):
            problems.append(f"entry seq={row['seq']} id={row['id']} did not verify "
                            "before the re-key")
        stored_prev, seq = row["hash"], row["seq"]
        new = hasher({**row, "prev_hash": prev})
        batch.append({"b_id": row["id"], "b_prev": prev, "b_hash": new})
        prev = new
        if len(batch) >= BATCH:
            connection.execute(stmt, batch)
            batch = []
    if batch:
        connection.execute(stmt, batch)
    connection.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))
    return seq, prev, problems


def rekey(connection: Connection, key: bytes) -> dict | None:
    """Re-hash the plain chain with ``key`` and record the re-key; returns the
    ``audit_rekey`` entry's content, or None for an empty chain."""
    legacy_seq, legacy_hash = chain.read_head(connection)
    if legacy_seq == 0:
        return None
    _seq, _hash, problems = _rewrite(
        connection, lambda row: chain.link(key, row["seq"], row["prev_hash"], chain.digest(row)))
    after = {"legacy_seq": legacy_seq, "legacy_hash": legacy_hash,
             "legacy_problems": problems, "reason": "audit chain keyed with HMAC-SHA256"}
    chain.write(connection, [[chain.record({
        "at": utcnow(), "actor_id": None, "actor_name": "migration:0016",
        "action": chain.REKEY_ACTION, "entity_type": "audit_log", "entity_id": None,
        "before": None, "after": after})]], key)
    return after


def unkey(connection: Connection) -> None:
    """Back to plain SHA-256 hashes (the downgrade of 0016): the chain loses its key."""
    _rewrite(connection, chain.legacy_hash)
