"""kaohe.interop.bulk's SQLite load helpers (the demo seed's, issue 17): executemany_rows
stores what Core's executemany stores (each value through its column's bind processor:
dates, timestamps, decimals, booleans, JSON; the columns left out given their Python-side
defaults, scalar or callable), numbered_rows gives each row the id it returns, and the
widened page cache is restored after a load."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from kaohe.interop.bulk import executemany_rows, numbered_rows, wide_sqlite_cache

meta = sa.MetaData()
calls: list[int] = []


def _stamp():
    calls.append(1)
    return dt.datetime(2024, 2, 29, 23, 59, 59, 123456)


sample = sa.Table(
    "sample", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(20)),
    sa.Column("born", sa.Date),
    sa.Column("score", sa.Numeric(6, 2)),
    sa.Column("flag", sa.Boolean),
    sa.Column("extra", sa.JSON),
    sa.Column("kind", sa.String(10), default="annual"),
    sa.Column("created_at", sa.DateTime, default=_stamp),
    sa.Column("note", sa.Text))  # no default: stays NULL

ROWS = [{"name": "曾国伟", "born": dt.date(1980, 2, 29), "score": Decimal("95.50"),
         "flag": True, "extra": {"年份": [2023, 2024]}},
        {"name": "", "born": None, "score": None, "flag": False, "extra": None},
        {"name": "x" * 20, "born": dt.date(1999, 12, 31), "score": Decimal("-0.01"),
         "flag": None, "extra": []}]


@pytest.fixture()
def connection():
    engine = sa.create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        yield conn


def _stored(conn) -> list[tuple]:
    return [tuple(r)[1:] for r in conn.execute(sa.select(sample).order_by(sample.c.id))]


@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], [{"name": "单"}], ROWS * 700])
def test_same_rows_as_core_executemany(connection, rows):
    connection.execute(sample.insert(), rows)
    expected = _stored(connection)
    connection.execute(sample.delete())
    calls.clear()
    executemany_rows(connection, sample, rows)
    assert _stored(connection) == expected
    # A callable default is evaluated once per batch (Core: once per row; its rows of a
    # batch would differ by microseconds at most).
    assert len(calls) == 1
    raw = connection.exec_driver_sql("SELECT born, kind FROM sample ORDER BY id LIMIT 1").one()
    born = rows[0].get("born")
    assert raw == (born.isoformat() if born else None, "annual")  # SQLite's own ISO text


def test_wide_sqlite_cache_is_restored_after_the_load(connection):
    """seed-demo's page cache (kaohe.interop.bulk.wide_sqlite_cache): widened for the
    load only, restored after it, also when the load fails."""
    def size():
        return connection.exec_driver_sql("PRAGMA cache_size").scalar()

    before = size()
    with wide_sqlite_cache(connection, 512 * 1024):
        assert size() == -512 * 1024
    assert size() == before
    with pytest.raises(RuntimeError):
        with wide_sqlite_cache(connection, 1024):
            assert size() == -1024
            raise RuntimeError("load failed")
    assert size() == before


@pytest.mark.parametrize("existing", [[], [1], [1, 2, 7], [41]])
@pytest.mark.parametrize("count", [1, 3, 1001])
def test_numbered_rows_returns_each_rows_own_id(connection, existing, count):
    """The ids follow the largest one (a gap left by a removed row stays a gap), in the
    rows' order: each returned id is the row made from the same dict."""
    for given in existing:
        connection.execute(sample.insert(), {"id": given, "name": f"已有{given}"})
    rows = [{"name": f"新{i}", "born": dt.date(2024, 2, 29)} for i in range(count)]
    ids = numbered_rows(connection, sample, rows)
    first = max(existing, default=0) + 1
    assert ids == list(range(first, first + count))
    stored = dict(connection.execute(sa.select(sample.c.id, sample.c.name)
                                     .where(sample.c.id.in_(ids))).all())
    assert [stored[i] for i in ids] == [r["name"] for r in rows]
    assert connection.execute(sa.select(sa.func.count()).select_from(sample)).scalar() == (
        len(existing) + count)
