"""Readiness of an agenda item: four musts, blocking conditions, the frozen dossier."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discussions.services.readiness import compute
from tests import discipline_support as ds
from tests import discussions_support as s

D = dt.date


def _ready_but(make, *, skip=(), grades=("competent", "excellent", "competent"),
               opinion_outcome=1, attach=True, action="promote", pending=None, adverse=None):
    o = s.official(grades=grades, opinion_outcome=opinion_outcome)
    d = s.discussion()
    it = s.item(d, o, action=action)
    s.checks(d, it, skip=skip)
    if pending:
        s.check(d, it, pending, result="pending", note="群众来信反映问题，正在核实。")
    if adverse:
        s.check(d, it, adverse, result="adverse", note="查实瞒报房产两处。")
    if attach:
        s.agenda.attach(d, o.id, None, None)
    return o, d, it


def test_complete_item_is_ready(make):
    _o, _d, it = _ready_but(make)
    r = compute(it)
    assert r.ready and r.missing == [] and r.blockers == [] and r.warnings == []
    assert [c.done for c in r.checks] == [True] * 4
    integrity = r.checks[2]
    assert integrity.label == "纪检监察机关意见" and integrity.when == "2020-03-01"
    assert integrity.result.startswith("未收到问题线索") or "有效期至" in integrity.result
    assert r.dossier["version"] == 1 and len(r.dossier["sha256"]) == 64


@pytest.mark.parametrize("kind,label", [("file_audit", "档案审核"),
                                        ("personal_report", "个人有关事项报告核查"),
                                        ("petition", "信访举报核查")])
def test_each_manual_must_missing(make, kind, label):
    _o, _d, it = _ready_but(make, skip=(kind,))
    r = compute(it)
    assert not r.ready
    assert r.missing == [f"{label}未完成（未核查）"]


@pytest.mark.parametrize("kind,label", [("file_audit", "档案审核"), ("petition", "信访举报核查")])
def test_pending_check_is_not_done(make, kind, label):
    _o, _d, it = _ready_but(make, skip=(kind,), pending=kind)
    r = compute(it)
    assert r.missing == [f"{label}未完成（发现问题，尚在核查）"]


def test_integrity_opinion_missing(make):
    _o, _d, it = _ready_but(make, opinion_outcome=None)
    r = compute(it)
    assert r.missing == ["纪检监察机关意见未完成（无在 2020-04-10 仍有效的党风廉政意见回复）"]


def test_integrity_opinion_expired(make):
    o, d, it = _ready_but(make, opinion_outcome=None)
    ds.opinion(o, requested=D(2019, 11, 20), outcome=1, answered=D(2019, 12, 1))  # 3 months
    assert [m[:8] for m in compute(it).missing] == ["纪检监察机关意见"]


def test_missing_dossier(make):
    _o, _d, it = _ready_but(make, attach=False)
    assert compute(it).missing == ["未附三年考评材料"]


BLOCKERS = {
    "opinion_outcome": lambda o: ds.opinion(o, requested=D(2020, 3, 2), outcome=5,
                                            answered=D(2020, 3, 5)),
    "open_case": lambda o: ds.finding(o, status="investigation", kind="pending", decided=None,
                                      found=D(2020, 1, 10)),
    "impact_period": lambda o: ds.finding(o, status="closed", kind="party_warning",
                                          decided=D(2020, 3, 1)),
}


@pytest.mark.parametrize("code", sorted(BLOCKERS))
def test_each_discipline_blocker(make, code):
    o, _d, it = _ready_but(make)
    BLOCKERS[code](o)
    r = compute(it)
    assert not r.ready
    assert [b["code"] for b in r.blockers] == [code]
    assert r.missing[0] == f"存在限制性情形：{r.blockers[0]['text'].rstrip('。')}"
    # A new opinion also changes the item's four musts: the dossier shows the old one.
    assert [m.split("（")[-1] for m in r.missing[1:]] == (
        ["纪检监察机关意见），须重新生成"] if code == "opinion_outcome" else [])


@pytest.mark.parametrize("grade,label", [("basically_competent", "基本称职"),
                                         ("incompetent", "不称职")])
def test_low_grade_in_window_blocks_with_reason(make, grade, label):
    _o, _d, it = _ready_but(make, grades=("competent", grade, "competent"))
    r = compute(it)
    assert [b["code"] for b in r.blockers] == ["low_grade"]
    assert r.blockers[0]["text"] == (f"2018 年度考核为“{label}”（近 3 年内），"
                                     "按规定不得列为考察对象。")


def test_low_grade_before_window_does_not_block(make):
    o, _d, it = _ready_but(make)
    s.f.result(o, 2016, "incompetent")
    assert compute(it).ready


def test_adverse_four_must_blocks(make):
    _o, _d, it = _ready_but(make, skip=("personal_report",), adverse="personal_report")
    r = compute(it)
    assert [b["code"] for b in r.blockers] == ["four_must"]
    assert "查实瞒报房产两处" in r.blockers[0]["text"]


@pytest.mark.parametrize("action", ["dismiss", "retire", "probation"])
def test_blockers_only_warn_for_actions_that_do_not_use_the_official(make, action):
    o, _d, it = _ready_but(make, action=action, grades=("competent", "basically_competent",
                                                         "competent"))
    BLOCKERS["impact_period"](o)
    r = compute(it)
    assert r.ready and r.blockers == []
    assert sorted(w["code"] for w in r.warnings) == ["impact_period", "low_grade"]


def test_item_page_shows_reasons(make, auth):
    _o, d, it = _ready_but(make, attach=False, grades=("competent", "basically_competent",
                                                        "competent"))
    make.commit()
    page = auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}").get_data(
        as_text=True)
    assert "尚未具备上会条件" in page and "未附三年考评材料" in page
    assert "2018 年度考核为“基本称职”" in page
