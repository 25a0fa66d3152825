"""Values computed from a few tables, kept in this process while nothing they read changes.

Every change of a record is an audit entry written in the same transaction (the flush
listener of :mod:`kaohe.audit.listeners`; bulk imports write theirs), entries are
numbered in commit order (``seq``, under the chain head's lock) and hash-chained. So a
value kept with the position of the audit log it was computed at is exactly the one a new
computation would give while

* the entry it was computed at is still there with the same hash (it was not rolled
  back, its number not reused), and
* no later entry concerns one of the tables the computation reads, nor is one of
  :data:`WHOLESALE` (one entry standing for rows of many tables: the demo load).
  Entries of :data:`READS` change no row (a login, a download: every change of a row has
  its own entry) and keep values.

Otherwise it is computed again. Read the position first, then the data: a write committed
in between is newer than the position, so it invalidates the value. Entries join the
chain at commit: a transaction that has written computes afresh and keeps nothing.
Several app servers each keep their own values; the audit log they read is shared.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from flask import has_request_context, request
from sqlalchemy import Select, select

from kaohe.audit import pending
from kaohe.audit.models import AuditLog
from kaohe.extensions import db


# Entity types of audit events that stand for writes of any table at once: seed-demo's
# bulk load is one event ("demo"), a restore replaces the database ("database").
WHOLESALE = frozenset({"demo", "database"})
# Actions of events that write no row (record_event's reads and sign-ins): a login
# (entity "user") must not make every page that names a user read everything again.
READS = frozenset({"login", "logout", "login_failed", "access_denied", "download",
                   "dossier_download", "appointment_form_print"})
_MEMO = "kaohe.kept.position"
# Built once: read on every page (SQLAlchemy keeps a statement object's cache key).
_NEWEST = (select(AuditLog.seq, AuditLog.hash).where(AuditLog.seq.is_not(None))
           .order_by(AuditLog.seq.desc()).limit(1))
_NEWEST_SEQ = _NEWEST.with_only_columns(AuditLog.seq).scalar_subquery().label("kept_seq")
_NEWEST_HASH = _NEWEST.with_only_columns(AuditLog.hash).scalar_subquery().label("kept_hash")


def position() -> tuple[int, str] | None:
    """(seq, hash) of the newest audit entry this transaction sees; None (nothing kept
    is used or kept) while the transaction has written records whose audit entries wait
    for its commit (:mod:`kaohe.audit.pending`): the chain does not show them yet.

    Read once per transaction of a request: the data it reads later is never older than
    that position (a value computed from newer data is only computed again sooner); a
    request that commits reads the position of its next transaction afresh."""
    session = db.session()
    if pending.pending_count(session):
        return None
    memo = request.environ.get(_MEMO) if has_request_context() else None
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    row = session.execute(_NEWEST).first()
    return _remember(session, None if row is None else row.seq, None if row is None else row.hash)


def with_position(stmt: Select) -> Select:
    """``stmt`` with the position as two more columns, ``kept_seq`` and ``kept_hash``: a
    request's first statement (the signed-in user) reads it in the same round trip; hand
    them to :func:`remember`."""
    return stmt.add_columns(_NEWEST_SEQ, _NEWEST_HASH)


def remember(seq: int | None, hash_: str | None) -> None:
    """Take the position read by a :func:`with_position` statement as this transaction's
    (read before any other data of the request)."""
    session = db.session()
    if has_request_context() and not pending.pending_count(session):
        _remember(session, seq, hash_)


def _remember(session, seq: int | None, hash_: str | None) -> tuple[int, str] | None:
    now = None if seq is None else (seq, hash_)
    if has_request_context():
        request.environ[_MEMO] = (session.get_transaction(), now)
    return now


@dataclass
class _Entry:
    seq: int
    hash: str
    value: object


class Kept:
    """At most ``size`` values computed from ``tables`` only, by key, least recently
    used dropped first."""

    def __init__(self, tables: frozenset[str], size: int):
        self.tables = tables
        self._watched = tables | WHOLESALE
        self.size = size
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], object], now: tuple[int, str] | None,
            checked: dict | None = None):
        """The value kept under ``key`` while still exact, else ``compute()`` (kept in turn).

        ``compute`` must read only :attr:`tables`; ``now``: :func:`position`, read before
        any data; ``checked``: a dict shared by the calls of one page or document (each
        position is checked once).
        """
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now is not None and self._still_exact(
                entry, now, {} if checked is None else checked):
            with self._lock:
                entry.seq, entry.hash = now  # later checks start from here
                self._entries.move_to_end(key)
            return entry.value
        value = compute()
        if now is not None:
            with self._lock:
                self._entries[key] = _Entry(now[0], now[1], value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every kept value."""
        with self._lock:
            self._entries.clear()

    def _still_exact(self, entry: _Entry, now: tuple[int, str], checked: dict) -> bool:
        if (entry.seq, entry.hash) == now:
            return True
        since = (self.tables, entry.seq, entry.hash)  # the answer depends on the tables
        if since not in checked:
            checked[since] = self._unchanged_since(entry.seq, entry.hash, now)
        return checked[since]

    def _unchanged_since(self, seq: int, hash_: str, now: tuple[int, str]) -> bool:
        if db.session.scalar(select(AuditLog.hash).where(AuditLog.seq == seq)) != hash_:
            return False
        later = db.session.scalar(
            select(AuditLog.seq).where(AuditLog.seq > seq, AuditLog.seq <= now[0],
                                       AuditLog.entity_type.in_(self._watched),
                                       AuditLog.action.not_in(READS)).limit(1))
        return later is None
