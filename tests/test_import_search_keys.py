"""The name search keys of officials created or renamed by the Excel import (issue 17).

On SQLite the import's new officials get their keys in one set-based insert before the
commit (kaohe.search.keys.InsertsIndexedAtEnd), with the insert trigger dropped
meanwhile; on PostgreSQL the trigger writes them. Either way the rows are exactly those
the triggers write, the triggers are all there afterwards, and an import refused or
dry-run leaves neither officials nor keys, and the triggers in place."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from kaohe.extensions import db
from kaohe.interop.excel_import import BATCH, run_import
from kaohe.officials.models import Official
from kaohe.officials.services import SearchCriteria, search
from kaohe.search.index import OfficialSearchKey as K
from tests.factories import id_number
from tests.interop_support import official_row, workbook
from tests.test_seed_search_keys import _all_triggers, _rows, _triggers

NAMES = ["单曾解", "欧阳娜", "王%", "李", "阿不都热合曼·买买提", "Anna王", "𠮷田"]
FOUND = {"曾解": {"单曾解"}, "ouyang": {"欧阳娜"}, "oyn": {"欧阳娜"}, "汪芳": {"汪芳"},
         "𠮷": {"𠮷田"}, "买买提": {"阿不都热合曼·买买提"}, "wang": {"王%", "汪芳"},
         "zhou": {"周敏"}, "李": {"李"}}


def _number(i: int) -> str:
    return id_number(dt.date(1970, 1, 1) + dt.timedelta(days=i), i)


def _by_triggers() -> set[tuple]:
    """Every official's keys as the triggers write them (each name written again)."""
    db.session.execute(delete(K))
    db.session.execute(update(Official.__table__).values(name=Official.__table__.c.name))
    return _rows()


def test_new_and_renamed_officials_get_the_keys_the_triggers_write(app, make):
    unit = make.unit(name="东城区", code="DC")
    kept = make.official(name="周敏", unit_obj=unit)
    renamed = make.official(name="王芳", unit_obj=unit)
    db.session.flush()
    rows = [official_row(name, _number(i)) for i, name in enumerate(NAMES)]
    rows.append(official_row("汪芳", renamed.id_number))  # the same person, renamed
    report = run_import("officials", workbook("officials", rows))
    assert report.ok and report.committed and (report.created, report.updated) == (7, 1)
    assert _triggers() == _all_triggers()

    imported = _rows()
    officials = dict(db.session.execute(select(Official.id, Official.name)).all())
    assert {r[3] for r in imported} == set(officials) and len(officials) == 9
    assert ("c", "王", "王芳", renamed.id) not in imported
    assert ("c", "汪", "汪芳", renamed.id) in imported
    assert ("c", "周", "周敏", kept.id) in imported
    assert imported == _by_triggers()
    for q, names in FOUND.items():
        assert {o.name for o in search(SearchCriteria(q=q), per_page=50).items} == names, q

    # The insert trigger is back: an official added afterwards is found.
    later = make.official(name="曾解放", unit_obj=unit)
    db.session.flush()
    assert later.id in {o.id for o in search(SearchCriteria(q="曾解"), per_page=50).items}


@pytest.mark.parametrize("outcome", ["refused", "dry run", "imported"])
def test_two_batches_keyed_or_nothing_and_every_trigger(app, make, outcome):
    make.unit(name="东城区", code="DC")
    db.session.flush()
    # Two batches: the first one's officials are inserted before the second batch
    # (with the bad row) is read.
    rows = [official_row(f"干部{i}", _number(i)) for i in range(BATCH + 5)]
    if outcome == "refused":
        rows[-1][0] = ""  # 姓名 missing
    report = run_import("officials", workbook("officials", rows), dry_run=outcome == "dry run")
    assert report.committed is (outcome == "imported") and report.ok is (outcome != "refused")
    assert _triggers() == _all_triggers()
    if outcome != "imported":
        assert db.session.scalars(select(Official.id)).all() == [] and _rows() == set()
        return
    imported = _rows()
    assert len({r[3] for r in imported}) == BATCH + 5
    assert imported == _by_triggers()
