"""Reads of the rows of one key (an official's posts, an agenda item's talks) that a
document made for many keys reads for all of them in one statement.

A page reads one official's rows with a statement built once, on first use, with a
parameter. A document made for many (the agenda bundle: 500 items, 12 such reads each,
about 6 000 round trips — issue 17) declares its keys first::

    with perkey.batch(official_id=official_ids, item_id=item_ids):
        ...

Inside, the first read of a :class:`PerKey` reads the rows of every declared key of its
column (in slices of :data:`SLICE`) with the same parameters, in the same order; the
other keys are answered from them. A key the batch did not declare is read alone, as
outside. Nothing is kept past the block: a batch is for reading (the caller's
transaction writes nothing the reads return).
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from functools import cached_property
from typing import Any, Callable, Iterator

from sqlalchemy import Select, bindparam

from kaohe.extensions import db

SLICE = 500  # keys per statement: within any engine's bound-parameter limit
_batch: ContextVar[dict | None] = ContextVar("kaohe_perkey_batch", default=None)


@contextlib.contextmanager
def batch(**keys) -> Iterator[None]:
    """Declare the keys of a batch by column name (``official_id=[…]``)."""
    token = _batch.set({"keys": {name: dict.fromkeys(v) for name, v in keys.items()},
                        "rows": {}})
    try:
        yield
    finally:
        _batch.reset(token)


def _frozen(params: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, (list, set, frozenset)) else v)
                        for k, v in params.items()))


class PerKey:
    """The rows ``build()`` selects where ``key()`` equals a key: ORM entities
    (``entities``) or rows, which then must select the key column. ``first``: only the
    first row (or None)."""

    def __init__(self, build: Callable[[], Select], key: Callable[[], Any], *,
                 entities: bool = True, first: bool = False):
        # Callables: the statements are built on first use, not at import (issue 17).
        self._build, self._key = build, key
        self._entities, self._first = entities, first

    @cached_property
    def _column(self):
        return self._key()

    @cached_property
    def _one(self) -> Select:
        stmt = self._build().where(self._column == bindparam("key"))
        return stmt.limit(1) if self._first else stmt

    @cached_property
    def _many(self) -> Select:
        return self._build().where(self._column.in_(bindparam("keys", expanding=True)))

    def _run(self, stmt: Select, params: dict) -> list:
        if self._entities:
            return list(db.session.scalars(stmt, params))
        return list(db.session.execute(stmt, params))

    def _key_of(self, row):
        return getattr(row, self._column.key) if self._entities else row._mapping[self._column]

    def __call__(self, key, **params):
        """The rows of ``key`` (the first, or None, for a ``first`` read)."""
        rows = self._batched(key, params)
        if rows is None:
            rows = self._run(self._one, {"key": key, **params})
        if self._first:
            return rows[0] if rows else None
        return rows

    def _batched(self, key, params: dict) -> list | None:
        state = _batch.get()
        if state is None:
            return None
        keys = state["keys"].get(self._column.key)
        if not keys or key not in keys:
            return None
        got = state["rows"].get((self, _frozen(params)))
        if got is None:
            got = state["rows"][(self, _frozen(params))] = {k: [] for k in keys}
            ordered = list(keys)
            for at in range(0, len(ordered), SLICE):
                for row in self._run(self._many, {"keys": ordered[at:at + SLICE], **params}):
                    got[self._key_of(row)].append(row)
        return got[key]
