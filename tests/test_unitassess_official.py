"""unit_results_for_official (dossier section 4) and party-conduct lines from discipline."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from kaohe.unitassess.services import data
from kaohe.unitassess.services.official import unit_results_for_official
from tests import ua_helpers as h


def test_results_of_units_led_as_principal(make, monkeypatch):
    h.no_discipline(monkeypatch)
    s22, s23 = h.scheme(year=2022), h.scheme(year=2023)
    a, b = h.units(2)
    o = make.official(name="刘书记")
    make.post(o, a, start=dt.date(2021, 3, 1), end=dt.date(2022, 12, 31), principal=True,
              title="区委书记")
    make.post(o, b, start=dt.date(2023, 1, 1), principal=False, title="副区长")
    for s in (s22, s23):
        h.fill(s, a, 1.0)
        h.fill(s, b, 0.9)
    h.event(s22, a, "provincial_deduction", 1.5, date=dt.date(2022, 5, 1), reason="省环保督察扣分",
            evidence="省督察通报")
    got = unit_results_for_official(o.id, [2021, 2022, 2023])
    assert len(got) == 1  # 2021: no scheme; 2023: not principal
    r = got[0]
    assert (r["year"], r["unit_name"], r["rank"], r["size"], r["score"]) == (
        2022, "第1区", 1, 2, 87.0)
    assert r["grade_label"] == "良好" and r["eligible_top"] is False
    assert r["deduction_lines"][0]["points"] == -3.0
    assert "省环保督察扣分" in r["deduction_lines"][0]["label"]
    assert r["bonus_lines"] == []


@pytest.mark.parametrize("item, counted, why", [
    ({"points": 2, "reason": "上级交办问题", "source": "higher_level"}, 2.0, ""),
    ({"points": 2, "reason": "自查问题", "source": "self_found"}, 0.0, "自查"),
    ({"points": 2, "reason": "改革失误", "source": "media", "exempted": True}, 0.0, "容错免责"),
    ({"points": 2, "reason": "查否", "source": "media", "status": "cleared"}, 0.0, "了结"),
    (SimpleNamespace(points=3.0, reason="巡察发现", source="inspection", finding_id=9,
                     date=dt.date(2023, 4, 1)), 3.0, ""),
])
def test_party_conduct_items_normalised(item, counted, why):
    row = data.normalise_party_item(1, item)
    assert row.counted == counted and why in row.why_free


def test_party_conduct_lines_in_score(make, monkeypatch):
    s = h.scheme()
    u, = h.units(1)
    h.fill(s, u)
    calls = []

    def fake(unit_ids, start, end, points_by_category=None):  # every unit in one call
        calls.append((list(unit_ids), start, end))
        return [item for uid in unit_ids for item in (
            {"unit_id": uid, "points": 2, "reason": "媒体曝光问题", "source": "media",
             "date": dt.date(2023, 8, 1)},
            {"unit_id": uid, "points": 1, "reason": "本单位自查问题", "source": "self_found",
             "date": dt.date(2023, 3, 1)})]

    monkeypatch.setattr(data, "party_conduct_source", lambda: fake)
    half = data.load_round(s, "half").rows[0].score
    full = data.load_round(s, "full").rows[0].score
    assert calls[-1] == ([u.id], dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert half.deduction == 0.0 and full.deduction == 2.0
    lines = [(x.label, x.points, x.detail) for x in full.lines if x.kind == "party_conduct"]
    assert lines == [("媒体曝光问题", -2.0, "扣 2 分"),
                     ("本单位自查问题", 0.0, "不扣分：本单位自查发现，不扣分")]
    assert full.total == 88.0


def test_discipline_service_integration(make):
    """The real discipline service: a media-found closed case costs points; self-found and
    exempted cases cost nothing (they never reach the unit's score)."""
    from tests import discipline_support as ds

    s = h.scheme()
    u, = h.units(1)
    h.fill(s, u)
    o = make.official(name="周科长", unit_obj=u)
    make.post(o, u, start=dt.date(2020, 1, 1), title="科长")
    kw = dict(found=dt.date(2023, 2, 1), decided=dt.date(2023, 3, 1), details="")
    ds.finding(o, source="media", summary="媒体曝光违规吃喝", **kw)
    ds.finding(o, source="self_found", summary="自查发现违规", **kw)
    ds.exempt(ds.finding(o, source="higher_level", summary="改革试点失误", **kw),
              approved_on=dt.date(2023, 4, 1))
    assert data.party_conduct_source() is not None
    score = data.load_round(s, "full").rows[0].score
    lines = [x for x in score.lines if x.kind == "party_conduct"]
    assert len(lines) == 1 and lines[0].points < 0
    assert "媒体曝光" in lines[0].label
    assert score.total == round(90 + lines[0].points, 2)
    assert data.load_round(s, "half").rows[0].score.deduction == -lines[0].points
