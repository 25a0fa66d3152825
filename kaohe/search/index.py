"""The name search index of a million officials (issue 17).

``official_search_key`` (migration 0024, kept in step by database triggers on every
write) holds per official: each character and each pair of adjacent characters of the
name (kind ``c``), and each prefix of up to 4 letters of every pinyin spelling and
initials plus the whole spelling (kind ``p``). Its primary key (kind, key, name,
official_id) lists one key's officials in name order, so the page of a search walks
the officials of one key in the order shown and stops after a page, however common
the key (王: 7 % of a city) or however the matching names cluster in name order.

A query is narrowed to one such key (:func:`plan`): the query itself for one or two
characters or up to 4 pinyin letters, the rarest pair of characters of a longer
name. A longer pinyin query reads the whole spellings in its prefix range instead
when they are few. The name condition itself (:func:`~kaohe.search.filters.
name_condition`) is applied too where the key is not the query itself, so the results
are exactly those of a full scan.
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.search.filters import name_condition
from kaohe.search.keys import PREFIX
from kaohe.search.pinyin import pinyin_query

FEW = 5000  # this many officials or fewer: read them all and sort by name


class OfficialSearchKey(db.Model):
    """One key of one official's name; written by the database triggers (bulk loads:
    kaohe.search.keys.built_after)."""

    __tablename__ = "official_search_key"
    __table_args__ = {"sqlite_with_rowid": False}  # the primary key is the table

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # c: characters, p: pinyin
    key: Mapped[str] = mapped_column(String(600), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # the official's name
    official_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


K = OfficialSearchKey


@dataclass(frozen=True)
class Plan:
    """How to find the officials whose name matches: walk one key's officials in name
    order (``key``), or take a small set of officials (``among``) and sort them."""

    key: ColumnElement | None = None  # the condition on K selecting one key
    among: ColumnElement | None = None  # a condition on Official.id
    # The name condition still to apply (None: the key is the query itself). Characters
    # are matched on the key's own copy of the name, so PostgreSQL does not misjudge a
    # LIKE on the officials and scan them all.
    name: ColumnElement | None = None


def _one(kind: str, key: str) -> ColumnElement:
    return (K.kind == kind) & (K.key == key)


def _count(condition: ColumnElement, cap: int | None = None) -> int:
    stmt = select(K.official_id).where(condition)
    if cap is not None:
        stmt = stmt.limit(cap + 1)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def _after(prefix: str) -> str | None:
    """The first letter string after every string starting with ``prefix`` (a–z only)."""
    stripped = prefix.rstrip("z")
    return stripped[:-1] + chr(ord(stripped[-1]) + 1) if stripped else None


def plan(q: str) -> Plan:
    """The index plan of name query ``q``: neither key nor ``among`` when the index does
    not apply (letters with case mixed with other characters, where the databases'
    LIKE differ)."""
    spelled = pinyin_query(q)
    if spelled is not None:
        if len(spelled) <= PREFIX:
            return Plan(key=_one("p", spelled))
        by_name = name_condition(q)
        spellings = (K.kind == "p") & (K.key >= spelled)
        after = _after(spelled)
        if after is not None:
            spellings &= K.key < after
        if _count(spellings, FEW) <= FEW:
            return Plan(among=Official.id.in_(select(K.official_id).where(spellings)),
                        name=by_name)
        return Plan(key=_one("p", spelled[:PREFIX]), name=by_name)
    q = q.strip()
    if not q or q.lower() != q.upper():
        return Plan(name=name_condition(q))
    if len(q) <= 2:
        return Plan(key=_one("c", q))
    pairs = dict.fromkeys(q[i:i + 2] for i in range(len(q) - 1))
    rarest = min(pairs, key=lambda pair: _count(_one("c", pair), FEW))
    return Plan(key=_one("c", rarest), name=K.name.contains(q, autoescape=True))


def key_total(p: Plan) -> int:
    """How many officials the plan's key lists (deleted ones included)."""
    return _count(p.key)

