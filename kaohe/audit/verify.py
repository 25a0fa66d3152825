"""Walk the audit chain and name the first entry that is not what was written."""
from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.engine import Connection

from kaohe.audit import chain


class _Anchor:
    """An exported anchor and, when it predates migration 0016, the plain chain it named."""

    def __init__(self, anchor: dict | None, legacy: tuple[int, str] | None):
        self.anchor = anchor
        self.seen = False
        # Anchors exported before the re-key name a plain SHA-256 hash: recompute the
        # plain chain alongside (it is a function of the content alone) up to them.
        self.legacy_until = (min(anchor["seq"], legacy[0])
                             if anchor and legacy and anchor["seq"] <= legacy[0] else 0)
        self.legacy_prev = chain.GENESIS

    def check(self, row: dict) -> str | None:
        seq = row["seq"]
        if seq <= self.legacy_until:
            self.legacy_prev = chain.legacy_hash({**row, "prev_hash": self.legacy_prev})
        if not self.anchor or seq != self.anchor["seq"]:
            return None
        self.seen = True
        if self.anchor["hash"] in (row["hash"], self.legacy_until and self.legacy_prev):
            return None
        return f"entry seq={seq} id={row['id']}: differs from the exported anchor"


def verify(connection: Connection, key: bytes, anchor: dict | None = None,
           batch: int = 2000) -> tuple[int, list[str]]:
    """Walk the chain; returns (entries checked, problems) — the first problem names
    the first bad entry. ``anchor`` ({"seq", "hash"}) detects a truncated tail."""
    log, head = chain.tables()
    problems: list[str] = []
    loose = connection.execute(select(log.c.id).where(
        (log.c.seq.is_(None)) | (log.c.hash.is_(None))).order_by(log.c.id).limit(1)).scalar()
    if loose is not None:
        problems.append(f"entry id={loose}: not part of the chain (inserted outside it)")
    expected_seq, prev, last_seq = 1, chain.GENESIS, 0
    anchored = _Anchor(anchor, chain.legacy_head(connection) if anchor else None)
    cols = [log.c.id, log.c.hash, *(log.c[k] for k in chain.FIELDS)]
    while not problems:
        rows = connection.execute(select(*cols).where(log.c.seq > last_seq)
                                  .order_by(log.c.seq).limit(batch)).mappings().all()
        if not rows:
            break
        for row in rows:
            problem = _check(row, expected_seq, prev, key) or anchored.check(row)
            if problem:
                problems.append(problem)
                break
            prev, expected_seq, last_seq = row["hash"], row["seq"] + 1, row["seq"]
    if not problems:
        stored = connection.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
        if stored is not None and (stored.seq, stored.hash) != (last_seq, prev):
            problems.append(f"chain head says seq={stored.seq} but the log ends at "
                            f"seq={last_seq}: entries after seq={last_seq} were removed")
        if anchor and not anchored.seen and anchor["seq"] > 0:
            problems.append(f"the exported anchor names seq={anchor['seq']} but the log ends "
                            f"at seq={last_seq}: the tail was truncated")
    return last_seq, problems


def _check(row, expected_seq: int, prev: str, key: bytes) -> str | None:
    seq = row["seq"]
    if seq != expected_seq:
        what = "deleted" if seq > expected_seq else "duplicated"
        return (f"entry seq={expected_seq}: missing or {what} "
                f"(next entry is seq={seq}, id={row['id']})")
    if row["prev_hash"] != prev:
        return (f"entry seq={seq} id={row['id']}: previous-hash link broken "
                "(an entry before it was deleted, inserted or altered)")
    if not hmac.compare_digest(chain.entry_hash(dict(row), key), row["hash"] or ""):
        return (f"entry seq={seq} id={row['id']}: content altered or rewritten without "
                "the audit key (hash does not match)")
    return None

