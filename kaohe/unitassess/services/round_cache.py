"""Rankings of published rounds (and which rounds have data) kept between dossiers
while nothing they read changes.

Ranking a round scores its whole unit group (200 units × 60 indicators: some hundred
milliseconds), and a principal leader's dossier needs one per year. This process keeps
each ranking with the position of the audit log it was computed at. Every change of a
record the ranking reads is an audit entry written in the same transaction (the flush
listener of :mod:`kaohe.audit.listeners`; bulk imports write theirs), entries are
numbered in commit order (``seq``, under the chain head's lock) and hash-chained, so a
kept ranking is exactly the one a new computation would give while

* the entry it was computed at is still there with the same hash (it was not rolled
  back, its number not reused), and
* no later entry concerns a table of :data:`TABLES`.

Otherwise the round is loaded again. Read the position first, then the data: a write
committed in between is newer than the position, so it invalidates the entry. Entries
join the chain at commit: a transaction that has written computes afresh.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from kaohe.audit import pending
from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.settings.models import Setting
from kaohe.unitassess.models import (Category, Indicator, IndicatorResult, Interview,
                                     PublicRating, Scheme, ScoreEvent)
from kaohe.unitassess.services.ranking import RankRow
from kaohe.units.models import Unit

# Everything a round's ranking reads (tests/test_round_cache.py checks the statements
# of load_round against it). Discipline tables by name: that feature is optional here.
# Posts: a finding costs the unit of its official's post on the finding date, read now.
TABLES = frozenset(m.__tablename__ for m in (
    Scheme, Category, Indicator, IndicatorResult, PublicRating, ScoreEvent, Interview, Unit,
    Official, Post, User, Setting)) | {"discipline_finding", "tolerance_exemption"}
SIZE = 16  # values kept (a round of 200 units: some 3 MB, 7 once every unit's lines were read)


@dataclass(frozen=True)
class Ranked:
    """What a dossier shows of a round: each unit's rank row, and how many were ranked."""

    rows: dict[int, RankRow]
    size: int


@dataclass
class _Entry:
    seq: int
    hash: str
    value: object


_entries: OrderedDict[tuple, _Entry] = OrderedDict()
_lock = threading.Lock()


def position() -> tuple[int, str] | None:
    """(seq, hash) of the newest audit entry this transaction sees; None (nothing kept
    is used or kept) while the transaction has written records whose audit entries wait
    for its commit (:mod:`kaohe.audit.pending`): the chain does not show them yet."""
    if pending.pending_count(db.session()):
        return None
    row = db.session.execute(
        select(AuditLog.seq, AuditLog.hash).where(AuditLog.seq.is_not(None))
        .order_by(AuditLog.seq.desc()).limit(1)).first()
    return None if row is None else (row.seq, row.hash)


def _still_exact(entry: _Entry, now: tuple[int, str], checked: dict) -> bool:
    """Whether nothing the entry read has changed since it was computed; ``checked``
    remembers the answer per position (entries computed together share theirs)."""
    if (entry.seq, entry.hash) == now:
        return True
    since = (entry.seq, entry.hash)
    if since not in checked:
        checked[since] = _unchanged_since(entry.seq, entry.hash, now)
    return checked[since]


def _unchanged_since(seq: int, hash_: str, now: tuple[int, str]) -> bool:
    if db.session.scalar(select(AuditLog.hash).where(AuditLog.seq == seq)) != hash_:
        return False
    later = db.session.scalar(
        select(AuditLog.seq).where(AuditLog.seq > seq, AuditLog.seq <= now[0],
                                   AuditLog.entity_type.in_(TABLES)).limit(1))
    return later is None


def kept(key: tuple, compute: Callable[[], object], now: tuple[int, str] | None,
         checked: dict | None = None):
    """The value kept under ``key`` while still exact, else ``compute()`` (kept in turn).

    ``compute`` must read only tables of :data:`TABLES`, and only published schemes'
    data; ``now``: :func:`position`, read before any data of the dossier; ``checked``:
    a dict shared by the calls of one dossier (each position is checked once).
    """
    with _lock:
        entry = _entries.get(key)
    if entry is not None and now is not None and _still_exact(
            entry, now, {} if checked is None else checked):
        with _lock:
            entry.seq, entry.hash = now  # later checks start from here
            _entries.move_to_end(key)
        return entry.value
    value = compute()
    if now is not None:
        with _lock:
            _entries[key] = _Entry(now[0], now[1], value)
            _entries.move_to_end(key)
            while len(_entries) > SIZE:
                _entries.popitem(last=False)
    return value


def ranked(rr) -> Ranked:
    """What a dossier keeps of a :class:`~kaohe.unitassess.services.data.RoundRanking`."""
    return Ranked({r.unit_id: r for r in rr.rows}, rr.size)


def clear() -> None:
    """Forget every kept ranking."""
    with _lock:
        _entries.clear()
