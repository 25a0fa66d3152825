"""The triggers find the search keys of a renamed or deleted official by primary key
(migration 0030), not by scanning the whole key table: migration 0024's did, 10 ms
(SQLite) and 20 ms (PostgreSQL) for each official renamed among 10 000, seconds at a
million. Asserted without timing: SQLite's virtual-machine steps for one rename stay
the same when the key table grows a hundredfold; PostgreSQL's statistics of the
transaction count no sequential scan of the key table."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, text, update

from kaohe.extensions import db
from kaohe.interop.bulk import insert_records
from kaohe.officials.models import Official
from kaohe.search.pinyin import index_text
from tests import factories
from tests.test_seed_search_keys import _rows

COLUMNS = ("gender", "birth_date", "ethnicity", "native_place", "rank", "unit_id",
           "current_post", "political_status")


def _more_officials(model: Official, n: int) -> None:
    """``n`` officials like ``model``, their keys written by the insert trigger."""
    rows = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i)
        name = f"欧阳{chr(0x4E00 + i)}{chr(0x4E00 + 2 * i + 1)}"
        rows.append({**{c: getattr(model, c) for c in COLUMNS}, "birth_date": birth,
                     "name": name, "name_pinyin": index_text(name),
                     "id_number": factories.id_number(birth, i)})
    insert_records(Official, rows)


def _rename(official_id: int, name: str) -> None:
    db.session.execute(update(Official).where(Official.id == official_id)
                       .values(name=name, name_pinyin=index_text(name)))


def _sqlite_steps(action) -> int:
    """SQLite virtual-machine instructions run by ``action`` (trigger programs included)."""
    raw = db.session.connection().connection.dbapi_connection
    steps = 0

    def count():
        nonlocal steps
        steps += 1

    raw.set_progress_handler(count, 1)
    try:
        action()
    finally:
        raw.set_progress_handler(None, 1)
    return steps


def _pg_key_scans() -> tuple[int, int]:
    """Sequential and index scans of the key table in this transaction so far."""
    return tuple(db.session.execute(text(
        "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
        "WHERE relname = 'official_search_key'")).one())


def test_renaming_and_deleting_look_keys_up_by_primary_key(make):
    unit = make.unit(name="检索区")
    first = make.official(name="王芳", unit_obj=unit)
    second = make.official(name="李建国", unit_obj=unit, birth=dt.date(1980, 1, 2))
    db.session.flush()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        _more_officials(first, 400)
        before = _pg_key_scans()
        _rename(first.id, "汪芳")
        db.session.execute(delete(Official).where(Official.id == second.id))
        seq_scans, index_scans = (a - b for a, b in zip(_pg_key_scans(), before))
        assert seq_scans == 0 and index_scans > 0
    else:
        small = _sqlite_steps(lambda: _rename(first.id, "汪芳"))
        _more_officials(first, 400)  # the key table grows ~100-fold
        large = _sqlite_steps(lambda: _rename(first.id, "王芳"))
        _rename(first.id, "汪芳")
        assert large < small * 1.5, (small, large)  # a scan: ~100 times the steps
        db.session.execute(delete(Official).where(Official.id == second.id))
    # The keys are right whatever found them: the old name's gone, the new one's there.
    keys = _rows([first.id, second.id])
    assert {r[:3] for r in keys if r[3] == first.id} >= {("c", "汪", "汪芳"),
                                                          ("p", "wang", "汪芳")}
    assert not [r for r in keys if r[2] == "王芳" or r[3] == second.id]
    assert db.session.scalar(select(Official.id).where(Official.id == second.id)) is None
