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
"""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from kaohe.audit import chain
from kaohe.audit.keys import audit_key

_PENDING = "kaohe_audit_pending"  # list of prepared rows, in order
_MARKS = "kaohe_audit_marks"  # savepoint → len(pending) when it began
_WRITTEN = "kaohe_audit_written"  # the commit has written the entries (head locked)


def collect(session: Session, entries: list[dict]) -> None:
    """Queue ``entries`` (dicts of AuditLog content columns) for the session's commit."""
    if not entries:
        return
    rows = [chain.prepare(entry) for entry in entries]
    if session.info.get(_WRITTEN):
        chain.write(session.connection(), rows, audit_key(), lock_timeout_ms())
    else:
        session.info.setdefault(_PENDING, []).extend(rows)


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
    rows = session.info.pop(_PENDING, None)
    session.info[_WRITTEN] = True
    if rows:
        chain.write(session.connection(), rows, audit_key(), lock_timeout_ms())


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
        if mark is not None:
            del session.info.get(_PENDING, [])[mark:]
    else:
        _forget(session)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # Savepoint marks stay until the transaction ends: a savepoint's rollback event
    # comes after its end event.
    if transaction.parent is None:
        _forget(session)


def _forget(session: Session) -> None:
    for name in (_PENDING, _MARKS, _WRITTEN):
        session.info.pop(name, None)


def install() -> None:
    """Hook every session (once)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_create", _begun)
        event.listen(Session, "after_soft_rollback", _rolled_back)
        event.listen(Session, "after_transaction_end", _ended)
