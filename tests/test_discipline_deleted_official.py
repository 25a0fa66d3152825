"""A finding whose official's record was deleted since still costs the unit its
party-conduct points under the name recorded; a deleted finding costs nothing. The
deleted official's finding used to fail the whole group's ranking (the official loaded
as None)."""
from __future__ import annotations

import datetime as dt

from kaohe.discipline import services
from kaohe.discipline.services import party_conduct_deductions_of
from kaohe.extensions import db
from kaohe.officials.services import delete_official
from kaohe.unitassess.services import data
from tests import discipline_support as ds
from tests import ua_helpers as h

D = dt.date


def test_deleted_official_still_costs_the_unit_and_the_ranking_loads(make):
    s = h.scheme()
    u, = h.units(1)
    h.fill(s, u)
    o = make.official(name="周科长", unit_obj=u)
    make.post(o, u, start=D(2020, 1, 1), title="科长")
    kw = dict(found=D(2023, 2, 1), decided=D(2023, 3, 1), details="")
    ds.finding(o, source="media", summary="媒体曝光违规吃喝", **kw)
    gone = ds.finding(o, source="inspection", summary="录入错误", **kw)
    services.delete_finding(gone)
    make.commit()
    delete_official(o)
    db.session.commit()
    db.session.expire_all()
    [item] = party_conduct_deductions_of([u.id], D(2023, 1, 1), D(2023, 12, 31))
    assert item.official_name == "周科长" and item.reason.startswith("周科长：媒体曝光")
    score = data.load_round(s, "full").rows[0].score
    lines = [x for x in score.lines if x.kind == "party_conduct"]
    assert len(lines) == 1 and score.total == round(90 + lines[0].points, 2)
