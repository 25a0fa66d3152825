"""Builders for the unit-assessment tests (through the real services)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from kaohe.extensions import db
from kaohe.unitassess.services import entry, scheme as svc
from tests import factories

YEAR = 2023


def scheme(year=YEAR, group="county", public_weight=10, indicators=None, publish=True):
    """A scheme with one category and ``indicators`` (list of dicts); default 3 ratio ones."""
    s = svc.save_scheme(None, {"year": year, "group": group, "name": f"{year} 年区县目标责任考核",
                               "public_weight": D(str(public_weight)), "note": ""})
    cat = svc.save_category(s, None, {"name": "经济发展", "sort_order": 1})
    specs = indicators or [
        {"code": "GDP", "name": "地区生产总值", "max_points": D("40")},
        {"code": "TAX", "name": "税收收入", "max_points": D("30")},
        {"code": "INV", "name": "固定资产投资", "max_points": D("20")},
    ]
    for i, spec in enumerate(specs):
        data = {"category_id": cat.id, "method": "ratio", "higher_is_better": True,
                "floor_ratio": D("0.5"), "cap_ratio": D("1"), "grade_map": "", "unit_label": "",
                "sort_order": i, "code": "", **spec}
        svc.save_indicator(s, None, data)
    if publish:
        svc.publish(s)
    db.session.flush()
    return s


def units(n, kind="county", prefix="区"):
    return [factories.unit(code=f"{prefix}{i:03d}", name=f"第{i}{prefix}", kind=kind,
                           leader_in_charge=f"分管副市长{i}") for i in range(1, n + 1)]


def result(s, unit, indicator, round_="full", target=100, actual=100, grade=""):
    return entry.save_result(s, None, {
        "unit_id": unit.id, "indicator_id": indicator.id, "round": round_,
        "target": None if target is None else D(str(target)),
        "actual": None if actual is None else D(str(actual)), "grade": grade, "note": ""})


def fill(s, unit, ratio=1.0, round_="full"):
    """Every indicator of ``s`` for ``unit`` at ``ratio`` of the (time-scaled) target."""
    from kaohe.unitassess import ROUND_ELAPSED
    for ind in s.indicators:
        result(s, unit, ind, round_, 100, round(100 * ratio * ROUND_ELAPSED[round_], 4))


def rating(s, unit, score, round_="full"):
    return entry.save_rating(s, None, {"unit_id": unit.id, "round": round_,
                                       "score": D(str(score)), "source": "满意度调查"})


def event(s, unit, kind, points, date=dt.date(YEAR, 5, 1), reason="事由", evidence="文件"):
    return entry.save_event(s, None, {"unit_id": unit.id, "kind": kind, "date": date,
                                      "points": D(str(points)), "reason": reason,
                                      "evidence": evidence})


def no_discipline(monkeypatch):
    """Isolate a test from the discipline feature's data (its own test covers the link)."""
    from kaohe.unitassess.services import data
    monkeypatch.setattr(data, "party_conduct_source", lambda: None)
