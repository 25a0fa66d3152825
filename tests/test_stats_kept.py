"""The statistics report kept between views (kaohe.stats.report, issue 14): always the
report a fresh computation gives.

A committed write of anything the report counts (an official, a post, a result, a unit,
a setting; the demo load's one event) makes the next view compute again; writes it does
not read keep it; a transaction that has written computes afresh; each scope and day is
its own report; callers get copies; and the watched tables cover every table the report
reads, for the city, a unit and a team.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from kaohe.audit.services import record_event
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.officials.services import delete_official
from kaohe.settings import services as settings
from kaohe.stats import queries
from kaohe.stats import report as kept_report
from kaohe.units.services import save_unit
from tests.factories import id_number

D = dt.date
DAY = D(2026, 12, 3)


@pytest.fixture
def county(make):
    kept_report.clear()
    unit = make.unit(name="缓存县", kind="county")
    for name, gender, birth in (("赵一", "F", D(1985, 6, 1)), ("钱二", "M", D(1968, 6, 1))):
        o = make.official(name=name, gender=gender, birth=birth, unit_obj=unit)
        make.post(o, unit, start=D(2022, 1, 1))
        make.result(o, 2025, "excellent")
    make.commit()  # audit entries join the chain at commit: the report keys on the chain
    yield unit
    kept_report.clear()


@pytest.fixture
def computed(monkeypatch):
    seen = []
    real = queries.figures
    monkeypatch.setattr(queries, "figures", lambda s, d: seen.append((s, d)) or real(s, d))
    return seen


def city(day=DAY):
    return kept_report.report(queries.Scope(), day)


def unit_scope(unit, team=False):
    return queries.Scope(unit_id=unit.id, team=team)


def fresh(scope=None, day=DAY):
    kept_report.clear()
    return kept_report.report(scope or queries.Scope(), day)


def _official(unit):
    return db.session.scalar(sa.select(Official).where(Official.unit_id == unit.id,
                                                       Official.name == "钱二"))


def _new_official(make, unit):
    make.official(name="孙三", gender="F", birth=D(1995, 1, 1), unit_obj=unit)


def _new_post(make, unit):
    make.post(_official(unit), unit, start=D(2026, 1, 1), title="副县长", rank="副处级")


def _new_result(make, unit):
    make.result(_official(unit), 2024, "basically_competent")


def _deleted(make, unit):
    delete_official(_official(unit))


def _renamed(make, unit):
    save_unit(unit, {"code": unit.code, "name": "更名县", "kind": unit.kind,
                     "parent_id": None, "leader_in_charge": unit.leader_in_charge})


def _setting(make, unit):
    settings.set_value("stats.team_young_under", "60")


@pytest.mark.parametrize("write", [_new_official, _new_post, _new_result, _deleted, _renamed,
                                   _setting])
def test_a_write_the_report_reads_is_seen(county, computed, make, write):
    before = kept_report.report(unit_scope(county), DAY)
    assert kept_report.report(unit_scope(county), DAY) == before and len(computed) == 1  # kept
    write(make, county)
    db.session.commit()
    after = kept_report.report(unit_scope(county), DAY)
    assert len(computed) == 2, "the kept report was used after a write it reads"
    assert after != before and after == fresh(unit_scope(county))


def test_other_writes_keep_the_report(county, computed, make):
    before = city()
    make.review(_official(county), date=D(2020, 1, 5))
    make.note(_official(county), date=D(2020, 1, 6))
    db.session.commit()
    assert city() == before and len(computed) == 1


def test_the_demo_load_is_seen_although_its_rows_are_not_audited(county, computed):
    before = city()
    # As seed-demo writes: rows past the ORM, one audit event for the whole load.
    db.session.execute(sa.insert(Official.__table__).values(
        name="批量", gender="M", birth_date=D(1990, 1, 1), unit_id=county.id, version=1,
        id_number=id_number(D(1990, 1, 1), 77), created_at=dt.datetime(2026, 1, 1)))
    record_event("seed_demo", "demo", None, {"officials": 1})
    db.session.commit()
    after = city()
    assert len(computed) == 2 and after[0]["total"] == before[0]["total"] + 1


def test_an_uncommitted_write_is_seen_in_its_own_transaction(county, computed, make):
    before = city()
    _new_official(make, county)
    db.session.flush()
    during = city()
    assert during[0]["total"] == before[0]["total"] + 1 and len(computed) == 2
    assert city() == during and len(computed) == 3  # nothing kept before the commit


def test_each_scope_and_day_is_its_own_report(county, computed):
    reports = [kept_report.report(s, d) for s in (queries.Scope(), unit_scope(county),
                                                  unit_scope(county, team=True))
               for d in (DAY, D(2024, 2, 29))]
    assert len(computed) == 6
    assert reports[2][0]["as_of"] == "2026-12-03" and reports[3][0]["as_of"] == "2024-02-29"
    again = [kept_report.report(s, d) for s in (queries.Scope(), unit_scope(county),
                                                unit_scope(county, team=True))
             for d in (DAY, D(2024, 2, 29))]
    assert again == reports and len(computed) == 6


def test_callers_get_their_own_copies(county):
    fig, teams = city()
    fig["total"] = -1
    fig["age"].clear()
    teams.append({"unit": "改动"})
    assert city() == fresh()


@pytest.mark.parametrize("scope", ["city", "unit", "team"])
def test_the_watched_tables_cover_what_the_report_reads(county, scope):
    chosen = {"city": queries.Scope(), "unit": unit_scope(county),
              "team": unit_scope(county, team=True)}[scope]
    db.session.expire_all()
    kept_report.clear()
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        kept_report.report(chosen, DAY)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    tables = {t for stmt in seen
              for t in re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', stmt, re.IGNORECASE)}
    tables -= {"audit_log", "subtree", "post_subtree", "current_post", "held", "o"}
    assert {"official", "post"} <= tables
    assert tables <= kept_report.TABLES, tables - kept_report.TABLES
