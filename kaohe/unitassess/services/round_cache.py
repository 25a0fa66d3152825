"""Rankings of published rounds (and which rounds have data) kept between dossiers
while nothing they read changes.

Ranking a round scores its whole unit group (200 units × 60 indicators: some hundred
milliseconds), and a principal leader's dossier needs one per year. This process keeps
each ranking while the audit log shows no change to a table of :data:`TABLES`
(:mod:`kaohe.audit.kept`, which says why that is exact).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kaohe.audit.kept import Kept, position
from kaohe.auth.models import User
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


_kept = Kept(TABLES, SIZE)
__all__ = ["Ranked", "TABLES", "clear", "kept", "position", "ranked"]


def kept(key: tuple, compute: Callable[[], object], now: tuple[int, str] | None,
         checked: dict | None = None):
    """The value kept under ``key`` while still exact, else ``compute()`` (kept in turn).

    ``compute`` must read only tables of :data:`TABLES`, and only published schemes'
    data; ``now``: :func:`position`, read before any data of the dossier; ``checked``:
    a dict shared by the calls of one dossier (each position is checked once).
    """
    return _kept.get(key, compute, now, checked)


def ranked(rr) -> Ranked:
    """What a dossier keeps of a :class:`~kaohe.unitassess.services.data.RoundRanking`."""
    return Ranked({r.unit_id: r for r in rr.rows}, rr.size)


def clear() -> None:
    """Forget every kept ranking."""
    _kept.clear()
