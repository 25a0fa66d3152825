"""The keyed hash chain of the audit log.

Every entry carries ``seq`` (1, 2, 3… without gaps), ``prev_hash`` (the hash of the
entry before it) and ``hash`` = HMAC-SHA256(key, seq, prev_hash, digest), where
``digest`` is the SHA-256 of the canonical JSON of the entry's content. The key lives
outside the database (:mod:`kaohe.audit.keys`): whoever rewrites the table without it
cannot recompute the hashes. The digest does not depend on the entry's place in the
chain, so it is computed while the transaction runs; only the cheap HMAC waits for
the head lock.

A single row of ``audit_chain_head`` holds the last ``seq`` and ``hash``. Entries are
written by :func:`write` in one short step at commit (:mod:`kaohe.audit.pending`): it
locks the head (``SELECT … FOR UPDATE`` under a ``lock_timeout`` on PostgreSQL; on
SQLite the writing transaction is ``BEGIN IMMEDIATE``, see :mod:`kaohe.extensions`),
so two writers can never both extend the same entry.

Before migration 0016 the hash was a plain SHA-256 of the content with ``seq`` and
``prev_hash`` (:func:`legacy_hash`); 0016 re-keyed the chain and recorded the old head
in an ``audit_rekey`` entry, so an anchor exported before it still verifies.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Iterable, NamedTuple

from sqlalchemy import Text, bindparam, cast, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from kaohe.audit.models import AuditChainHead, AuditLog

GENESIS = "0" * 64
REKEY_ACTION = "audit_rekey"
# The content covered by an entry's digest, in the stored form.
CONTENT = ("at", "actor_id", "actor_name", "action", "entity_type", "entity_id",
           "before", "after")
# The fields of the pre-0016 plain hash.
FIELDS = ("seq", *CONTENT, "prev_hash")
LOCK_TIMEOUT_MS = 5000  # default of the KAOHE_AUDIT_LOCK_TIMEOUT_MS setting
LOCK_NOT_AVAILABLE = "55P03"
COPY_ROWS = 200  # from this many entries, write them with COPY on PostgreSQL


class ChainBusy(OperationalError):
    """The chain head stayed locked longer than the lock timeout: the transaction
    fails (nothing is saved) and the user is asked to retry."""

    message = "系统繁忙（审计日志正在写入），请稍后重试"


def _json_text(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _canonical(data: dict) -> bytes:
    at = data.get("at")
    if isinstance(at, dt.datetime):
        data = {**data, "at": at.replace(tzinfo=None).isoformat(timespec="microseconds")}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False, default=str).encode("utf-8")


def digest(entry: dict) -> str:
    """SHA-256 of the entry's content (not of its place in the chain)."""
    return hashlib.sha256(_canonical({k: entry.get(k) for k in CONTENT})).hexdigest()


def link(key: bytes, seq: int, prev_hash: str, content_digest: str) -> str:
    """The keyed hash of the entry ``seq`` whose content has ``content_digest``."""
    message = f"{seq}\n{prev_hash}\n{content_digest}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def entry_hash(entry: dict, key: bytes) -> str:
    """The hash an entry (dict with the :data:`FIELDS`) must carry."""
    return link(key, entry["seq"], entry["prev_hash"], digest(entry))


def legacy_hash(entry: dict) -> str:
    """The plain SHA-256 hash entries carried before migration 0016."""
    return hashlib.sha256(_canonical({k: entry.get(k) for k in FIELDS})).hexdigest()


class Record(NamedTuple):
    """A prepared entry as it waits for the commit: its content with the JSON values as
    texts, and its digest (a third of a dict's memory: an import queues one per row)."""

    at: dt.datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    entity_type: str
    entity_id: int | None
    before: str | None  # JSON text
    after: str | None
    digest: str


def record(entry: dict) -> Record:
    """The :class:`Record` of ``entry`` (dict of AuditLog content columns)."""
    row = prepare(entry)
    return Record(*(row[k] for k in CONTENT[:6]), *row["json"], row["digest"])


def prepare(entry: dict) -> dict:
    """The row of ``entry`` (dict of AuditLog content columns) in its stored form (the
    JSON values as they read back), with its content digest under ``"digest"`` and
    the JSON texts under ``"json"``: the work done before the head lock."""
    texts = (_json_text(entry.get("before")), _json_text(entry.get("after")))
    before, after = (None if text is None else json.loads(text) for text in texts)
    row = {**entry, "before": before, "after": after, "at": entry["at"].replace(tzinfo=None)}
    row["digest"], row["json"] = digest(row), texts
    return row


def tables():
    """The ``audit_log`` and ``audit_chain_head`` tables."""
    return AuditLog.__table__, AuditChainHead.__table__


def read_head(connection: Connection) -> tuple[int, str]:
    """The chain head (seq, hash) without locking it."""
    _log, head = tables()
    row = connection.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def lock_head(connection: Connection, timeout_ms: int = LOCK_TIMEOUT_MS) -> tuple[int, str]:
    """Read the chain head, locked until the end of the transaction; raises
    :class:`ChainBusy` when another transaction holds it longer than ``timeout_ms``."""
    _log, head = tables()
    stmt = select(head.c.seq, head.c.hash).where(head.c.id == 1)
    previous = None
    if connection.dialect.name == "postgresql":  # SQLite: the transaction holds the write lock
        previous = connection.execute(text(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', :t, true)"),
            {"t": f"{int(timeout_ms)}ms"}).scalar()
        stmt = stmt.with_for_update()
    try:
        row = connection.execute(stmt).first()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ChainBusy(exc.statement, exc.params, exc.orig) from exc
        raise
    if previous is not None:  # the rest of the transaction (e.g. a migration) as it was
        connection.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": previous})
    if row is None:  # a database created without the migration's genesis row
        connection.execute(head.insert().values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


def write(connection: Connection, chunks: Iterable[list[Record]], key: bytes,
          timeout_ms: int = LOCK_TIMEOUT_MS, count: int | None = None) -> None:
    """Append the :class:`Record` s of ``chunks`` (lists, in order; ``count`` of them in
    all when known) to the chain on ``connection``, one chunk in memory at a time; the
    head stays locked until the transaction ends, so call this at its very end."""
    log, head = tables()
    copy = connection.dialect.name == "postgresql" and (count or 0) >= COPY_ROWS
    seq = prev = None
    for rows in chunks:
        if not rows:
            continue
        if seq is None:
            seq, prev = lock_head(connection, timeout_ms)
        links = []
        for row in rows:
            seq += 1
            hashed = link(key, seq, prev, row.digest)
            links.append((seq, prev, hashed))
            prev = hashed
        if copy:
            _copy(connection, log, rows, links)
        else:
            connection.execute(_insert_texts(log, connection.dialect.name), [
                {**dict(zip(CONTENT[:6], row[:6])), "before_json": _stored(row.before),
                 "after_json": _stored(row.after), "seq": s, "prev_hash": p, "hash": h}
                for row, (s, p, h) in zip(rows, links)])
    if seq is not None:
        connection.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))


def _insert_texts(log, dialect: str):
    """The INSERT of audit rows taking ``before`` and ``after`` as the JSON texts the
    records already hold: decoding them for the JSON type to encode again was a
    sizeable share of an Excel import's commit (two codec passes per imported row)."""
    def json_text(name: str):
        value = bindparam(name, type_=Text())
        # PostgreSQL converts text to json by an explicit cast only. SQLite takes the
        # text as the JSON type's own bind sent it (the column's numeric affinity then
        # applies alike; the values recorded are objects, never bare numbers).
        return value if dialect == "sqlite" else cast(value, log.c.before.type)

    return log.insert().values(before=json_text("before_json"), after=json_text("after_json"))


def _stored(value: str | None) -> str:
    # The JSON type stores None as JSON null, not SQL NULL: the same here.
    return "null" if value is None else value


def _copy(connection: Connection, log, rows: list[Record], links: list[tuple]) -> None:
    """Insert with PostgreSQL's COPY (psycopg 3), several times faster than INSERT for
    an import's thousands of entries: the head stays locked that much shorter."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in (*CONTENT, "seq", "prev_hash", "hash"))
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {quote(log.name)} ({columns}) FROM STDIN") as copy:
        for row, link_ in zip(rows, links):
            copy.write_row((*row[:8], *link_))


def legacy_head(connection: Connection) -> tuple[int, str] | None:
    """(seq, hash) of the plain chain as it stood when migration 0016 re-keyed it."""
    log, _head = tables()
    after = connection.execute(select(log.c.after).where(log.c.action == REKEY_ACTION)
                               .order_by(log.c.seq).limit(1)).scalar()
    return (int(after["legacy_seq"]), str(after["legacy_hash"])) if after else None
