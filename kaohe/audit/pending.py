"""Audit entries wait in the session until its commit, then join the chain at once.

Appending to the chain locks its head row until the transaction ends. Appending at
each flush held that lock from a transaction's first write to its commit, so a long
import made every login (which writes a login event) wait for it. Here the flush
listener and :func:`kaohe.audit.services.record_event` only :func:`collect` entries
(already normalised and digested, :func:`kaohe.audit.chain.prepare`); the root
transaction's ``before_commit`` flushes and writes them in one step, so the head is
locked only for the end of a commit.

A rolled-back savepoint drops the entries collected inside it; a rolled-back or closed
transaction drops all of its own. Flushes that still happen after the entries were
written (the commit's own flush loop) write theirs at once: the head is locked by then.

An import queues one entry per row: past :data:`CHUNK` entries the queue keeps them in a
temporary file, a chunk at a time (:class:`Queue`), so a transaction's memory does not
grow with its number of rows.
"""
from __future__ import annotations

import pickle
import tempfile
from typing import Iterator

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from kaohe.audit import chain
from kaohe.audit.keys import audit_key

_PENDING = "kaohe_audit_pending"  # the Queue of the transaction
_MARKS = "kaohe_audit_marks"  # savepoint → len(pending) when it began
_WRITTEN = "kaohe_audit_written"  # the commit has written the entries (head locked)
CHUNK = 1000  # entries held in memory; full chunks go to the spool file


class Queue:
    """A transaction's :class:`~kaohe.audit.chain.Record` s in order: the last ones in
    memory, every full chunk before them pickled to an unnamed temporary file."""

    def __init__(self) -> None:
        self.tail: list[chain.Record] = []
        self.spool = None  # tempfile, created with the first full chunk
        self.chunks: list[tuple[int, int]] = []  # (file offset, entries) of each chunk

    def __len__(self) -> int:
        return sum(n for _offset, n in self.chunks) + len(self.tail)

    def extend(self, records: list[chain.Record]) -> None:
        self.tail.extend(records)
        while len(self.tail) >= CHUNK:
            if self.spool is None:
                self.spool = tempfile.TemporaryFile(prefix="kaohe-audit-")
            self.spool.seek(0, 2)
            self.chunks.append((self.spool.tell(), CHUNK))
            pickle.dump(self.tail[:CHUNK], self.spool, pickle.HIGHEST_PROTOCOL)
            del self.tail[:CHUNK]

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` entries (a savepoint rolled back)."""
        spooled = len(self) - len(self.tail)
        if n >= spooled:
            del self.tail[n - spooled:]
            return
        while self.chunks and spooled - self.chunks[-1][1] >= n:  # chunks wholly after n
            spooled -= self.chunks.pop()[1]
        self.tail, offset = [], 0
        if self.chunks:  # the chunk holding the n-th entry becomes the tail
            offset, count = self.chunks.pop()
            self.tail = self._read(offset)[:n - (spooled - count)]
        self.spool.truncate(offset)

    def batches(self) -> Iterator[list[chain.Record]]:
        """The entries, a chunk at a time, in order."""
        for offset, _n in self.chunks:
            yield self._read(offset)
        yield self.tail

    def _read(self, offset: int) -> list[chain.Record]:
        self.spool.seek(offset)
        return pickle.load(self.spool)

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def collect(session: Session, entries: list[dict]) -> None:
    """Queue ``entries`` (dicts of AuditLog content columns) for the session's commit."""
    if not entries:
        return
    records = [chain.record(entry) for entry in entries]
    if session.info.get(_WRITTEN):
        chain.write(session.connection(), [records], audit_key(), lock_timeout_ms(),
                    len(records))
    else:
        queue = session.info.get(_PENDING)
        if queue is None:
            queue = session.info[_PENDING] = Queue()
        queue.extend(records)


def pending_count(session: Session) -> int:
    """How many entries wait for the session's commit."""
    return len(session.info.get(_PENDING, ()))


def lock_timeout_ms() -> int:
    """How long a commit waits for the chain head (setting KAOHE_AUDIT_LOCK_TIMEOUT_MS)."""
    if has_app_context():
        return int(current_app.config.get("KAOHE_AUDIT_LOCK_TIMEOUT_MS", chain.LOCK_TIMEOUT_MS))
    return chain.LOCK_TIMEOUT_MS


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint is released, not the transaction
        return
    session.flush()  # the last changes' entries join the others
    queue = session.info.pop(_PENDING, None)
    session.info[_WRITTEN] = True
    if queue is not None:
        try:
            chain.write(session.connection(), queue.batches(), audit_key(), lock_timeout_ms(),
                        len(queue))
        finally:
            queue.close()


def _begun(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint's begin flushed the changes made before it, so their entries are
    # already collected: the mark falls between them and the savepoint's own.
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = pending_count(session)


def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    # A failed flush rolls back a subtransaction, which rolls back the database
    # transaction at the nearest boundary: the savepoint, or the whole transaction.
    boundary = transaction
    while boundary.parent is not None and not boundary.nested:
        boundary = boundary.parent
    if boundary.nested:
        mark = session.info.get(_MARKS, {}).get(boundary)
        queue = session.info.get(_PENDING)
        if mark is not None and queue is not None:
            queue.truncate(mark)
    else:
        _forget(session)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # Savepoint marks stay until the transaction ends: a savepoint's rollback event
    # comes after its end event.
    if transaction.parent is None:
        _forget(session)


def _forget(session: Session) -> None:
    queue = session.info.pop(_PENDING, None)
    if queue is not None:
        queue.close()
    for name in (_MARKS, _WRITTEN):
        session.info.pop(name, None)


def install() -> None:
    """Hook every session (once)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_create", _begun)
        event.listen(Session, "after_soft_rollback", _rolled_back)
        event.listen(Session, "after_transaction_end", _ended)
