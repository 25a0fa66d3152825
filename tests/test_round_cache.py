"""Rankings kept between dossiers (kaohe.unitassess.services.round_cache, issue 12.10):
always the ranking a fresh computation gives.

Each write that changes a round's ranking invalidates the kept one; writes that do not
(another official's review) keep it; a ranking computed inside a transaction that is
rolled back is not reused, even when the audit numbers are reused; and the tables the
cache watches cover every table loading a round reads.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from kaohe.extensions import db
from kaohe.unitassess.models import IndicatorResult, PublicRating
from kaohe.unitassess.services import data, entry, round_cache
from kaohe.unitassess.services.official import unit_results_for_official
from kaohe.units.services import save_unit
from tests import discipline_support as ds
from tests import ua_helpers as ua

YEAR = 2019


@pytest.fixture
def led(make):
    """A principal leader of the second of three units with the 2019 full year entered."""
    units = ua.units(3)
    o = make.official(name="缓存书记", unit_obj=units[1])
    make.post(o, units[1], start=dt.date(2016, 1, 1), principal=True, title="区委书记")
    s = ua.scheme(year=YEAR)
    for k, unit in enumerate(units):
        ua.fill(s, unit, 1.0 - 0.1 * k)
        ua.rating(s, unit, 90 - k)
    make.commit()  # audit entries join the chain at commit: the cache keys on the chain
    return o, units, s


def results(o) -> list[dict]:
    return unit_results_for_official(o.id, [YEAR])


def fresh(o) -> list[dict]:
    round_cache.clear()
    return results(o)


@pytest.fixture
def loads(monkeypatch):
    seen = []
    real = data.load_round
    monkeypatch.setattr(data, "load_round", lambda s, r: seen.append((s.id, r)) or real(s, r))
    return seen


def _edit_result(o, units, s):
    row = db.session.scalar(select(IndicatorResult).where(
        IndicatorResult.unit_id == units[0].id, IndicatorResult.round == "full"))
    entry.save_result(s, row, {"unit_id": units[0].id, "indicator_id": row.indicator_id,
                               "round": "full", "target": Decimal("100"),
                               "actual": Decimal("20"), "grade": "", "note": ""})


def _new_event(o, units, s):
    ua.event(s, units[1], "efficiency_penalty", 3, date=dt.date(YEAR, 6, 1), reason="效能问责")


def _rating(o, units, s):
    rating = db.session.scalar(select(PublicRating).where(PublicRating.unit_id == units[1].id))
    entry.save_rating(s, rating, {"unit_id": rating.unit_id, "round": "full",
                                  "score": Decimal("60"), "source": "复核"})


def _rename(o, units, s):
    u = units[1]
    save_unit(u, {"code": u.code, "name": "更名后的区", "kind": u.kind, "parent_id": None,
                  "leader_in_charge": u.leader_in_charge})


def _finding(o, units, s):
    ds.finding(o, found=dt.date(YEAR, 3, 1), decided=dt.date(YEAR, 5, 1), source="media",
               summary="媒体曝光的问题")


@pytest.mark.parametrize("write", [_edit_result, _new_event, _rating, _rename, _finding])
def test_a_write_the_ranking_reads_is_seen(led, loads, write):
    o, units, s = led
    before = results(o)
    assert len(loads) == 1 and results(o) == before and len(loads) == 1  # kept
    write(o, units, s)
    db.session.commit()
    after = results(o)
    assert len(loads) == 2, "the kept ranking was used after a write it reads"
    assert after != before and after == fresh(o)


def test_other_writes_keep_the_ranking(led, loads, make):
    """Records no ranking reads (reviews, organization notes) leave it kept."""
    o, units, s = led
    before = results(o)
    make.review(o, date=dt.date(2020, 1, 5))
    make.note(o, date=dt.date(2020, 1, 6))
    db.session.commit()
    assert results(o) == before and len(loads) == 1


def test_a_ranking_of_a_rolled_back_transaction_is_not_reused(led, loads):
    o, units, s = led
    before = results(o)
    savepoint = db.session.begin_nested()
    _edit_result(o, units, s)
    db.session.flush()
    inside = results(o)  # kept at an audit entry that is about to vanish
    assert inside != before
    savepoint.rollback()
    _new_event(o, units, s)  # the audit numbers of the rolled-back entries are reused
    db.session.flush()
    after = results(o)
    assert after == fresh(o) and after != inside


def test_the_watched_tables_cover_what_a_round_reads(led):
    o, units, s = led
    ds.finding(o, found=dt.date(YEAR, 3, 1), decided=dt.date(YEAR, 5, 1))
    db.session.flush()
    db.session.expire_all()
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        data.load_round(s, "full")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    tables = {t for stmt in seen
              for t in re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', stmt, re.IGNORECASE)}
    assert {"ua_result", "discipline_finding", "unit"} <= tables
    assert tables <= round_cache.TABLES, tables - round_cache.TABLES


def test_a_round_entered_later_is_shown(make):
    """Which round a dossier shows (the full year, else the latest with data) is kept too,
    and follows the data: once the full year is entered, the full year is shown."""
    units = ua.units(2, prefix="轮")
    o = make.official(name="轮次书记", unit_obj=units[0])
    make.post(o, units[0], start=dt.date(2016, 1, 1), principal=True, title="区委书记")
    s = ua.scheme(year=YEAR)
    for unit in units:
        ua.fill(s, unit, round_="half")
    assert [r["round"] for r in results(o)] == ["half"]
    assert [r["round"] for r in results(o)] == ["half"]
    for unit in units:
        ua.fill(s, unit, round_="full")
    db.session.flush()
    assert [r["round"] for r in results(o)] == ["full"] == [r["round"] for r in fresh(o)]


def test_an_uncommitted_write_is_seen_in_its_own_transaction(led, loads):
    """Audit entries wait for the commit: until then the chain cannot vouch for a kept
    ranking, so the transaction that wrote computes afresh (and keeps nothing)."""
    o, units, s = led
    before = results(o)
    _edit_result(o, units, s)
    db.session.flush()
    during = results(o)
    assert during != before and len(loads) == 2
    assert results(o) == during and len(loads) == 3  # still not kept before the commit
