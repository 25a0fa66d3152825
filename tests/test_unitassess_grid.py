"""The indicator grid (issue 14.4): every unit × indicator of a round on one page, saved
all or nothing through the same rules and audit as the entry form."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.unitassess.models import IndicatorResult
from kaohe.unitassess.services import grid
from tests import ua_helpers as h
from tests.helpers import text


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    h.no_discipline(monkeypatch)


@pytest.fixture
def world(make):
    s = h.scheme(indicators=[
        {"code": "GDP", "name": "地区生产总值", "max_points": D("40")},
        {"code": "SAT", "name": "群众满意度", "max_points": D("20"), "method": "grade",
         "grade_map": "优=1;良=0.85;中=0.7;差=0.4"},
        {"code": "ROAD", "name": "道路里程", "max_points": D("30"), "method": "rank"},
    ])
    units = h.units(3)
    make.commit()
    gdp, sat, road = s.indicators
    return {"s": s, "units": units, "gdp": gdp, "sat": sat, "road": road}


def _stored(s, round_="full") -> dict:
    return {(r.unit_id, r.indicator_id): (r.actual, r.target, r.grade)
            for r in db.session.scalars(select(IndicatorResult).where(
                IndicatorResult.scheme_id == s.id, IndicatorResult.round == round_))}


@pytest.mark.parametrize("cell, method, expected", [
    ("85/100", "ratio", (D("85"), D("100"), "")),
    ("８５．５／１００", "ratio", (D("85.5"), D("100"), "")),  # full-width, as typed with an IME
    ("1,234.5/2,000", "ratio", (D("1234.5"), D("2000"), "")),
    ("12", "rank", (D("12"), None, "")),
    ("优", "grade", (None, None, "优")),
])
def test_cells_are_read_as_typed(ctx, world, cell, method, expected):
    ind = {"ratio": world["gdp"], "rank": world["road"], "grade": world["sat"]}[method]
    u = world["units"][0]
    grid.save_grid(world["s"], "full", {(u.id, ind.id): cell})
    assert _stored(world["s"])[(u.id, ind.id)] == expected


@pytest.mark.parametrize("method, cell, message", [
    ("ratio", "85", "完成率指标须填写大于 0 的目标值"),  # no target yet
    ("ratio", "85/0", "完成率指标须填写大于 0 的目标值"),
    ("ratio", "-1/100", "实际完成值不能为负数"),
    ("ratio", "abc/100", "「abc」不是数字"),
    ("ratio", "NaN/100", "超出可录入的范围"),
    ("ratio", "1e13/100", "超出可录入的范围"),
    ("rank", "5/10", "排名指标只填实际值"),
    ("grade", "好", "定性指标须选择等次：优、良、中、差"),
])
def test_one_bad_cell_refuses_the_whole_grid(ctx, world, method, cell, message):
    ind = {"ratio": world["gdp"], "rank": world["road"], "grade": world["sat"]}[method]
    a, b = world["units"][:2]
    with pytest.raises(ValidationFailed) as exc:
        grid.save_grid(world["s"], "full", {(a.id, world["road"].id): "7", (b.id, ind.id): cell})
    assert message in exc.value.errors[grid.cell_name(b.id, ind.id)]
    assert _stored(world["s"]) == {}  # the good cell was not saved either


@pytest.mark.parametrize("unit_label, cell, message", [
    ("人", "12.5/100", "计量单位为「人」，实际完成值须为整数"),
    ("项", "12/7.5", "计量单位为「项」，目标值须为整数"),
    (" 个 ", "0.5/1", "计量单位为「个」，实际完成值须为整数"),
    ("人", "12.0/100", None),   # a whole number written with a point
    ("人", "1,200/1,500", None),
    ("万人", "1.25/2", None),   # not a count: fractions are figures
    ("%", "97.5/100", None),
    ("", "12.5/100", None),
])
def test_counted_indicators_take_whole_numbers(ctx, make, unit_label, cell, message):
    s = h.scheme(indicators=[{"code": "JOB", "name": "新增就业", "max_points": D("90"),
                              "unit_label": unit_label}])
    [u] = h.units(1)
    [gdp] = s.indicators
    if message is None:
        grid.save_grid(s, "full", {(u.id, gdp.id): cell})
        assert (u.id, gdp.id) in _stored(s)
        return
    with pytest.raises(ValidationFailed) as exc:
        grid.save_grid(s, "full", {(u.id, gdp.id): cell})
    assert exc.value.errors[grid.cell_name(u.id, gdp.id)] == message + "。"
    assert _stored(s) == {}


def test_a_bare_actual_keeps_the_recorded_target_and_unchanged_cells_cost_nothing(ctx, world):
    s, u, gdp = world["s"], world["units"][0], world["gdp"]
    h.result(s, u, gdp, target=200, actual=50)
    saved = grid.save_grid(s, "full", {(u.id, gdp.id): "50/200"})
    assert (saved.created, saved.updated, saved.unchanged) == (0, 0, 1)
    saved = grid.save_grid(s, "full", {(u.id, gdp.id): "120"})
    assert (saved.created, saved.updated) == (0, 1)
    assert _stored(s)[(u.id, gdp.id)] == (D("120"), D("200"), "")
    db.session.commit()  # the audit chain is appended at commit
    [log] = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "ua_result",
                                                      AuditLog.action == "update")).all()
    assert log.before == {"actual": "50.0000"} and log.after == {"actual": "120"}


def test_clearing_a_recorded_cell_is_refused_not_ignored(ctx, world):
    s, u, gdp = world["s"], world["units"][0], world["gdp"]
    h.result(s, u, gdp, target=100, actual=50)
    with pytest.raises(ValidationFailed) as exc:
        grid.save_grid(s, "full", {(u.id, gdp.id): "  "})
    assert "不能在表格中清空" in exc.value.errors[grid.cell_name(u.id, gdp.id)]


def test_cells_outside_the_scheme_are_refused(ctx, world, make):
    outsider = make.unit(name="园区甲", kind="zone")
    with pytest.raises(ValidationFailed) as exc:
        grid.save_grid(world["s"], "full", {(outsider.id, world["road"].id): "1"})
    assert "不属于本考核方案" in exc.value.errors[grid.cell_name(outsider.id, world["road"].id)]


def test_draft_scheme_is_refused(ctx, make):
    draft = h.scheme(year=2031, publish=False)
    with pytest.raises(ValidationFailed):
        grid.save_grid(draft, "full", {})


def test_grid_page_saves_and_shows_every_cell(auth, world):
    s, (a, b, c), gdp = world["s"], world["units"], world["gdp"]
    client = auth.as_role("assessment")
    url = f"/unit-assessment/schemes/{s.id}/full/grid"
    page = client.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count('<input name="c-') == 9 and "实际/目标" in body and "等次：优/良/中/差" in body
    token = body.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, f"c-{a.id}-{gdp.id}": "90/100",
            f"c-{b.id}-{world['sat'].id}": "良", f"c-{c.id}-{world['road'].id}": ""}
    response = client.post(url, data=form)
    assert response.status_code == 302
    page = client.get(url)
    assert "已保存：新增 2 项，修改 0 项" in text(page)
    assert f'name="c-{a.id}-{gdp.id}" value="90/100"' in page.get_data(as_text=True)


def test_grid_page_keeps_what_was_typed_and_marks_the_bad_cell(auth, world):
    s, (a, b, _c), gdp = world["s"], world["units"], world["gdp"]
    client = auth.as_role("assessment")
    url = f"/unit-assessment/schemes/{s.id}/full/grid"
    token = client.get(url).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(url, data={"csrf_token": token, f"c-{a.id}-{gdp.id}": "90/100",
                                      f"c-{b.id}-{gdp.id}": "九十"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 个单元格有误" in body
    assert f'name="c-{a.id}-{gdp.id}" value="90/100"' in body  # kept as typed
    assert "第2区 · 地区生产总值：「九十」不是数字。" in body
    assert _stored(s) == {}


def test_grid_page_ignores_foreign_fields_and_unknown_rounds(auth, world):
    client = auth.as_role("assessment")
    assert client.get(f"/unit-assessment/schemes/{world['s'].id}/year/grid").status_code == 404
