"""No form asserts a fact the user did not choose (issue 12: 'a form default that asserts a fact').

A browser submits a select's selected option, or its first one: a select whose first
option is a fact (研判结论「好」, 结果「一致/无问题」, 性别「男」, 加减分「省级表彰加分」
which counts double, 考核轮次「半年」, 考核类型「年度考核」, the first unit or indicator,
角色「组织部干部科」) records that fact for a user who forgot to choose.
Each such select starts with an empty 「请选择」, and choosing nothing is refused next to
the field with nothing saved. The discipline forms are covered in test_discipline_pages.
"""
from __future__ import annotations

import pytest

from kaohe.assessments.models import AssessmentResult
from kaohe.auth.models import User
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.officials.models import Official
from kaohe.unitassess.models import IndicatorResult, PublicRating, ScoreEvent
from tests import ua_helpers as h
from tests.helpers import field_errors, live_count, select_options
from tests.test_records import RECORDS, official_form


def submitted(page: str, field: str) -> str:
    """What a browser submits for the select when the user does not touch it."""
    options = select_options(page, field)
    chosen = [value for value, _label, selected in options if selected]
    assert len(chosen) <= 1, field
    return chosen[0] if chosen else options[0][0]


# page → (url, data that saves, {field: message when left blank}, model)
def _official_pages(unit, official):
    o = official.id
    return {
        "review": (f"/officials/{o}/reviews/new", RECORDS["reviews"]["create"](unit),
                   {"conclusion": "请选择研判结论。"}, Review),
        "note": (f"/officials/{o}/notes/new", RECORDS["orgnotes"]["create"](unit),
                 {"kind": "请选择类别。", "result": "请选择结果。"}, OrgNote),
        "official": ("/officials/new", official_form(unit.id),
                     {"gender": "请选择性别。"}, Official),
        # A 专项 result entered without its kind would have become an annual grade.
        "result": (f"/officials/{o}/results/new",
                   {**RECORDS["assessments"]["create"](unit), "grade": "competent",
                    "kind": "special", "task_name": "脱贫攻坚"},
                   {"kind": "请选择考核类型。"}, AssessmentResult),
    }


@pytest.mark.parametrize("page_name", ["review", "note", "official", "result"])
def test_official_record_forms_preselect_nothing(client, auth, make, page_name):
    unit = make.unit(name="东城区")
    official = make.official(name="王建国", unit_obj=unit)
    make.commit()
    auth.login("organization")
    url, good, blanks, model = _official_pages(unit, official)[page_name]
    page = client.get(url).get_data(as_text=True)
    for field, message in blanks.items():
        value, label, _selected = select_options(page, field)[0]
        assert value == "" and "请选择" in label, field
        assert submitted(page, field) == "", field
        before = live_count(model)
        r = client.post(url, data={**good, field: ""})
        assert r.status_code == 200
        assert field_errors(r.get_data(as_text=True), field) == [message]
        assert live_count(model) == before
    assert client.post(url, data=good).status_code == 302  # a chosen value saves


@pytest.fixture
def scheme_world(make):
    s = h.scheme()
    unit = make.unit(code="C01", name="东城区", kind="county")
    make.commit()
    return s, unit


ENTRY = {
    "result": ("r", {"unit_id": None, "indicator_id": None, "round": "full", "target": "100",
                     "actual": "90"},
               {"unit_id": "请选择单位。", "indicator_id": "请选择指标。", "round": "请选择考核轮次。"},
               IndicatorResult),
    "rating": ("p", {"unit_id": None, "round": "full", "score": "88", "source": "满意度调查"},
               {"unit_id": "请选择单位。", "round": "请选择考核轮次。"}, PublicRating),
    "event": ("e", {"unit_id": None, "kind": "efficiency_bonus", "date": f"{h.YEAR}-05-01",
                    "points": "1", "reason": "一网通办", "evidence": "市效能办通报"},
              {"unit_id": "请选择单位。", "kind": "请选择加减分类型。"}, ScoreEvent),
}


@pytest.mark.parametrize("form", list(ENTRY))
def test_unit_assessment_entry_preselects_no_unit_indicator_round_or_kind(client, auth, scheme_world, form):
    s, unit = scheme_world
    prefix, good, blanks, model = ENTRY[form]
    good = {"form": form, **{f"{prefix}-{k}": v for k, v in good.items()}}
    good[f"{prefix}-unit_id"] = str(unit.id)
    if form == "result":
        good["r-indicator_id"] = str(s.indicators[0].id)
    url = f"/unit-assessment/schemes/{s.id}/entry"
    auth.login("assessment")
    page = client.get(url).get_data(as_text=True)
    for field, message in blanks.items():
        name = f"{prefix}-{field}"
        assert select_options(page, name)[0][:2] == ("", "请选择"), name
        assert submitted(page, name) == "", name
        before = live_count(model)
        r = client.post(url, data={**good, name: ""})
        assert r.status_code == 200
        assert field_errors(r.get_data(as_text=True), name) == [message]
        assert live_count(model) == before
    assert client.post(url, data=good).status_code == 302


def test_new_user_form_preselects_no_role(client, auth):
    """The first role is 组织部干部科 (full ID numbers, every official's record)."""
    auth.login("admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert select_options(page, "role")[0][:2] == ("", "请选择")
    assert submitted(page, "role") == ""
    before = live_count(User)
    r = client.post("/admin/users/new", data={"username": "li.si", "display_name": "李四",
                                              "role": ""})
    assert r.status_code == 200
    assert field_errors(r.get_data(as_text=True), "role") == ["请选择角色。"]
    assert live_count(User) == before
