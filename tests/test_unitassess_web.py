"""Pages, publication PDF/Excel, API JSON and access of the unit assessment."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kaohe.extensions import db
from kaohe.unitassess.charts import line_chart
from kaohe.unitassess.models import (Indicator, IndicatorResult, Interview, PublicRating,
                                     Scheme)
from tests import ua_helpers as h
from tests.helpers import form_version


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    h.no_discipline(monkeypatch)


@pytest.fixture
def world(make):
    """Published 2023 county scheme, three counties with data, one draft 2024 scheme."""
    from kaohe.settings import services as settings
    settings.set_value("unitassess.excellent_quota_pct", "40")  # 1 of 3 may be 优秀
    s = h.scheme()
    city = make.unit(code="CITY", name="某市", kind="city")
    a = make.unit(code="C01", name="东城区", kind="county", parent=city, leader_in_charge="李副市长")
    b = make.unit(code="C02", name="西城区", kind="county", parent=city, leader_in_charge="王副市长")
    c = make.unit(code="C03", name="南湖区", kind="county", parent=city, leader_in_charge="赵副市长")
    for u, ratio, rating in ((a, 1.0, 90), (b, 0.95, 80), (c, 0.7, 60)):
        h.fill(s, u, ratio)
        h.rating(s, u, rating)
    h.event(s, a, "provincial_commendation", 2, reason="省级文明城区表彰", evidence="省委〔2023〕5号")
    h.event(s, b, "provincial_deduction", 1, reason="省安全生产考核扣分", evidence="省安委办通报")
    h.event(s, c, "efficiency_penalty", 0.5, reason="群众办事多次跑腿", evidence="效能投诉 12 件")
    draft = h.scheme(year=2024, publish=False)
    leader = make.official(name="陈主任", unit_obj=c)
    make.post(leader, c, start=dt.date(2020, 1, 1), principal=True, title="区委书记")
    make.commit()
    return {"s": s, "a": a, "b": b, "c": c, "draft": draft, "leader": leader}


# expected: a 90+9+4=103; b 85.5+8-2=91.5 (ineligible); c 63+6-0.5=68.5
EXPECTED = [("东城区", 103.0, "优秀"), ("西城区", 91.5, "良好"), ("南湖区", 68.5, "一般")]


def test_ranking_page(client, auth, world):
    auth.login("assessment")
    page = client.get(f"/unit-assessment/schemes/{world['s'].id}/full/ranking").get_data(True)
    for name, total, grade in EXPECTED:
        assert name in page and f"<b>{total:g}</b>" in page and grade in page
    assert "已取消评优资格，不评优秀" in page
    assert "排名末位（第 3/3 名）" in page and "待约谈" in page
    assert 'id="unrated"' not in page  # every county rated


def test_ranking_page_names_the_units_without_a_public_rating(client, auth, world):
    """A unit without its 民评官 rating is scored 0 for it (the rule): the ranking says so
    and names it, instead of a complete-looking 100 %."""
    rated = db.session.scalar(db.select(PublicRating).where(PublicRating.unit_id == world["b"].id))
    db.session.delete(rated)
    db.session.commit()
    auth.login("assessment")
    page = client.get(f"/unit-assessment/schemes/{world['s'].id}/full/ranking").get_data(True)
    warning = page.split('id="unrated"')[1].split("</p>")[0]
    assert "民评官成绩未录入 1 个单位，按 0 分计入总分：西城区。" in warning
    assert "东城区" not in warning and "南湖区" not in warning


def test_breakdown_page_lists_every_line(client, auth, world):
    auth.login("assessment")
    s, b = world["s"], world["b"]
    page = client.get(f"/unit-assessment/schemes/{s.id}/full/units/{b.id}").get_data(True)
    for text in ("地区生产总值", "税收收入", "固定资产投资", "完成率 95.0%",
                 "民评官成绩 80 分（百分制）÷ 100 × 权重 10 分 = 8 分",
                 "省安全生产考核扣分", "省级 1 分 × 2 倍 = 2 分", "依据：省安委办通报",
                 "取消评优资格", "91.5", "2 / 3", "王副市长"):
        assert text in page, text
    assert page.count('class="ua-line ') == 5  # 3 indicators + public rating + 1 event


def test_progress_page_flags_lagging(client, auth, world):
    auth.login("assessment")
    page = client.get(f"/unit-assessment/schemes/{world['s'].id}/full/progress").get_data(True)
    assert "进度滞后" in page and "南湖区" in page


def test_publication_page_pdf_and_excel(client, auth, world):
    auth.login("assessment")
    base = f"/unit-assessment/schemes/{world['s'].id}/full/publication"
    page = client.get(base).get_data(True)
    assert "2023 年区县目标责任考核（全年）结果公示" in page and "李副市长" in page
    pdf = client.get(base + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for name, total, grade in EXPECTED:
        assert name in text and f"{total:.2f}" in text and grade in text
    assert "结果公示" in text and "市级分管领导" in text and "赵副市长" in text
    xlsx = client.get(base + ".xlsx")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws["A1"].value == "2023 年区县目标责任考核（全年）结果公示"
    assert [c.value for c in ws[2]][:6] == ["名次", "单位", "得分", "等次", "责任部门", "市级分管领导"]
    assert [[c.value for c in ws[r]][:6] for r in (3, 4, 5)] == [
        [1, "东城区", 103.0, "优秀", "东城区", "李副市长"],
        [2, "西城区", 91.5, "良好", "西城区", "王副市长"],
        [3, "南湖区", 68.5, "一般", "南湖区", "赵副市长"]]
    assert ws["H4"].value == 2.0 and "取消评优资格" in ws["I4"].value


def test_charts_are_svg(client, auth, world):
    auth.login("assessment")
    s, a = world["s"], world["a"]
    r = client.get(f"/unit-assessment/units/{a.id}/chart.svg")
    assert r.mimetype == "image/svg+xml" and "<svg" in r.get_data(True) and "103.00" in r.get_data(True)
    r = client.get(f"/unit-assessment/schemes/{s.id}/full/grades.svg")
    assert "优秀" in r.get_data(True)


def test_api_rankings(client, auth, world):
    auth.login("assessment")
    r = client.get("/api/v1/rankings?year=2023&round=full&group=county")
    assert r.status_code == 200
    body = r.get_json()
    ranking = body["rankings"][0]
    assert ranking["size"] == 3 and ranking["public_weight"] == 10.0
    items = ranking["items"]
    assert [(i["rank"], i["unit_name"], i["score"], i["grade_label"]) for i in items] == [
        (1, "东城区", 103.0, "优秀"), (2, "西城区", 91.5, "良好"), (3, "南湖区", 68.5, "一般")]
    assert items[1]["eligible_top"] is False and items[1]["deduction"] == 2.0
    kinds = [line["kind"] for line in items[0]["lines"]]
    assert kinds == ["indicator", "indicator", "indicator", "public", "bonus"]
    assert items[0]["lines"][-1]["points"] == 4.0
    assert items[2]["leader_in_charge"] == "赵副市长"
    assert items[2]["flags"] == ["排名末位（第 3/3 名）",
                                 "3 项指标进度滞后：地区生产总值、税收收入、固定资产投资"]
    assert items[2]["lagging_indicators"] == ["地区生产总值", "税收收入", "固定资产投资"]


@pytest.mark.parametrize("query, status, message", [
    ("year=20x3&round=full", 400, "year"),
    ("year=2023&round=q4", 400, "round"),
    ("year=2023&round=full&group=moon", 400, "group"),
    ("year=2024&round=full", 404, "没有已发布的考核方案"),
    ("year=2019&round=half&group=county", 404, "没有已发布的考核方案"),
])
def test_api_errors_are_json(client, auth, world, query, status, message):
    auth.login("assessment")
    r = client.get(f"/api/v1/rankings?{query}")
    assert r.status_code == status and message in r.get_json()["error"]


def test_api_anonymous_is_401_json(client, world):
    r = client.get("/api/v1/rankings?year=2023&round=full")
    assert r.status_code == 401 and r.is_json


# ------------------------------------------------------------------ access
@pytest.mark.parametrize("role, read, write, interview", [
    ("assessment", 200, True, 403),
    ("organization", 200, 403, True),
    ("reviewer", 403, 403, 403),
    ("discipline", 403, 403, 403),
    ("admin", 403, 403, 403),
])
def test_access(client, auth, world, role, read, write, interview):
    auth.login(role)
    s, c = world["s"], world["c"]
    assert client.get(f"/unit-assessment/schemes/{s.id}/full/ranking").status_code == read
    assert client.get("/api/v1/rankings?year=2023&round=full").status_code == read
    r = client.post(f"/unit-assessment/schemes/{world['draft'].id}/categories/new",
                    data={"name": "党的建设"})
    if write is True:
        assert r.status_code == 302
    else:
        assert r.status_code == write
    r = client.post(f"/unit-assessment/schemes/{s.id}/full/units/{c.id}/interviews/new",
                    data={"leader_name": "陈主任", "date": "2024-01-15", "reason": "排名末位",
                          "notes": "指出问题，限期整改"})
    if interview is True:
        assert r.status_code == 302
        iv = db.session.query(Interview).one()
        assert (iv.leader_name, iv.official_id, iv.date) == ("陈主任", world["leader"].id,
                                                              dt.date(2024, 1, 15))
        page = client.get(f"/unit-assessment/schemes/{s.id}/full/ranking").get_data(True)
        assert "2024-01-15 已约谈" in page
    else:
        assert r.status_code == interview
        assert db.session.query(Interview).count() == 0


# ------------------------------------------------------------------ bad input through the web
def test_editing_published_scheme_refused_on_the_web(client, auth, world):
    auth.login("assessment")
    s = world["s"]
    ind = s.indicators[0]
    edit = f"/unit-assessment/schemes/{s.id}/indicators/{ind.id}/edit"
    r = client.post(edit, data={
        "category_id": ind.category_id, "name": "改名", "max_points": "45", "method": "ratio",
        "floor_ratio": "0.5", "cap_ratio": "1", **form_version(client, edit)})
    assert r.status_code == 200 and "规则已在年初确定，年中不得修改" in r.get_data(True)
    r = client.get(f"/unit-assessment/schemes/{s.id}/edit")
    assert "规则已在年初确定，年中不得修改" in r.get_data(True)
    r = client.post(f"/unit-assessment/schemes/{s.id}/indicators/{ind.id}/delete",
                    follow_redirects=True)
    assert "规则已在年初确定，年中不得修改" in r.get_data(True)
    db.session.expire_all()
    assert db.session.get(Indicator, ind.id).name == "地区生产总值"


def test_publish_with_bad_weights_refused_on_the_web(client, auth, world):
    auth.login("assessment")
    d = world["draft"]
    d.public_weight = 15
    db.session.commit()
    r = client.post(f"/unit-assessment/schemes/{d.id}/publish", follow_redirects=True)
    page = r.get_data(True)
    assert "权重合计不等于满分" in page and "多 5 分" in page
    assert db.session.get(Scheme, d.id).status == "draft"


@pytest.mark.parametrize("case, message", [
    ("duplicate", "不能重复录入"),
    ("unpublished", "尚未发布"),
    ("outside", "不在本考核方案中"),
])
def test_result_entry_errors_on_the_web(client, auth, world, case, message):
    auth.login("assessment")
    s, a, d = world["s"], world["a"], world["draft"]
    target = d if case == "unpublished" else s
    ind = (d.indicators[0] if case == "outside" else target.indicators[0])
    before = db.session.query(IndicatorResult).count()
    r = client.post(f"/unit-assessment/schemes/{target.id}/entry", data={
        "form": "result", "r-unit_id": a.id, "r-indicator_id": ind.id, "r-round": "full",
        "r-target": "100", "r-actual": "90"})
    assert r.status_code == 200 and message in r.get_data(True)
    assert db.session.query(IndicatorResult).count() == before


@pytest.mark.parametrize("field", ["r-unit_id", "r-indicator_id"])
@pytest.mark.parametrize("value", ["9223372036854775808", "1" + "0" * 30, "2147483648", "-5"])
def test_result_entry_with_an_id_beyond_the_integer_range(client, auth, world, field, value):
    """Found by the bad-input sweep: a huge id from the select made the driver fail (500)."""
    auth.login("assessment")
    s, a = world["s"], world["a"]
    data = {"form": "result", "r-unit_id": a.id, "r-indicator_id": s.indicators[0].id,
            "r-round": "full", "r-target": "100", "r-actual": "90", field: value}
    before = db.session.query(IndicatorResult).count()
    r = client.post(f"/unit-assessment/schemes/{s.id}/entry", data=data)
    assert r.status_code == 200
    assert db.session.query(IndicatorResult).count() == before


@pytest.mark.parametrize("field, value, message", [
    ("floor_ratio", "nan", "不是有效的小数。"),
    ("cap_ratio", "sNaN", "不是有效的小数。"),
    ("max_points", "-inf", "不是有效的小数。"),
    ("max_points", "1e30", "数值超出允许范围"),
    ("sort_order", "2147483648", "排序应为 -2147483648 到 2147483647 之间的整数。"),
])
def test_indicator_with_nan_or_out_of_range_numbers_is_refused(client, auth, world, field,
                                                                value, message):
    """Found by the bad-input sweep: NaN crashed the service's range checks (500), and
    numbers beyond the columns failed on PostgreSQL (500)."""
    auth.login("assessment")
    d = world["draft"]
    before = db.session.query(Indicator).count()
    r = client.post(f"/unit-assessment/schemes/{d.id}/indicators/new", data={
        "category_id": d.categories[0].id, "code": "X1", "name": "新指标", "max_points": "10",
        "method": "ratio", "floor_ratio": "0.5", "cap_ratio": "1", field: value})
    assert r.status_code == 200
    assert message in r.get_data(True)
    assert db.session.query(Indicator).count() == before


@pytest.mark.parametrize("target, actual, field_id, message", [
    ("100", "12.5", "r-actual", "计量单位为「人」，实际完成值须为整数。"),
    ("99.5", "12", "r-target", "计量单位为「人」，目标值须为整数。"),
])
def test_result_entry_refuses_a_fraction_of_a_count_next_to_the_field(
        client, auth, world, target, actual, field_id, message):
    auth.login("assessment")
    s = h.scheme(year=2031, indicators=[{"code": "JOB", "name": "新增就业",
                                         "max_points": D("90"), "unit_label": "人"}])
    db.session.commit()
    before = db.session.query(IndicatorResult).count()
    r = client.post(f"/unit-assessment/schemes/{s.id}/entry", data={
        "form": "result", "r-unit_id": world["a"].id, "r-indicator_id": s.indicators[0].id,
        "r-round": "half", "r-target": target, "r-actual": actual})
    page = r.get_data(True)
    assert r.status_code == 200 and message in page
    # The message follows its own input, before the next field's.
    assert page.index(f'id="{field_id}"') < page.index(message)
    assert db.session.query(IndicatorResult).count() == before


@pytest.mark.parametrize("field", ["r-target", "r-actual"])
def test_result_beyond_the_column_is_refused(client, auth, world, field):
    auth.login("assessment")
    s, a = world["s"], world["a"]
    before = db.session.query(IndicatorResult).count()
    r = client.post(f"/unit-assessment/schemes/{s.id}/entry", data={
        "form": "result", "r-unit_id": a.id, "r-indicator_id": s.indicators[0].id,
        "r-round": "half", "r-target": "100", "r-actual": "90", field: "1e13"})
    assert r.status_code == 200 and "数值超出允许范围" in r.get_data(True)
    assert db.session.query(IndicatorResult).count() == before


def test_interview_without_the_leader_field_is_refused_next_to_it(client, auth, world):
    """Found by the bad-input sweep: a POST without ``leader_name`` was a 500."""
    auth.login("organization")
    s, c = world["s"], world["c"]
    r = client.post(f"/unit-assessment/schemes/{s.id}/full/units/{c.id}/interviews/new",
                    data={"date": "2024-01-15", "reason": "排名末位", "notes": "限期整改"})
    assert r.status_code == 200
    assert "请填写被约谈的主要负责人姓名。" in r.get_data(True)
    assert db.session.query(Interview).count() == 0


def test_full_scheme_workflow_on_the_web(client, auth, world):
    auth.login("assessment")
    r = client.post("/unit-assessment/schemes/new", data={
        "year": "2025", "group": "department", "name": "2025 年市直部门目标责任考核",
        "public_weight": "20", "total_points": "100"})
    assert r.status_code == 302
    s = db.session.query(Scheme).filter_by(year=2025).one()
    client.post(f"/unit-assessment/schemes/{s.id}/categories/new", data={"name": "党的建设"})
    cat = s.categories[0] if s.categories else db.session.get(Scheme, s.id).categories[0]
    r = client.post(f"/unit-assessment/schemes/{s.id}/indicators/new", data={
        "category_id": cat.id, "code": "DJ1", "name": "基层党建述职", "max_points": "80",
        "method": "grade", "grade_map": "好=1;较好=0.8;一般=0.6", "floor_ratio": "0",
        "cap_ratio": "1"})
    assert r.status_code == 302
    r = client.post(f"/unit-assessment/schemes/{s.id}/publish", follow_redirects=True)
    assert "已发布并锁定" in r.get_data(True)
    r = client.post(f"/unit-assessment/schemes/{s.id}/copy", data={"year": "2026"})
    assert r.status_code == 302
    assert db.session.query(Scheme).filter_by(year=2026, status="draft").count() == 1


def test_index_and_scheme_pages(client, auth, world):
    auth.login("organization")
    page = client.get("/unit-assessment/").get_data(True)
    assert "2023 年区县目标责任考核" in page and "已发布（锁定）" in page and "草案" in page
    page = client.get(f"/unit-assessment/schemes/{world['s'].id}").get_data(True)
    assert "规则已在年初确定，年中不得修改" in page and "地区生产总值" in page
    assert "新建考核方案" not in page


@pytest.mark.parametrize("years, rounds, slanted", [
    ((2023, 2024, 2025), ("全年",), False),
    ((2023, 2024, 2025, 2026), ("一季度", "半年", "前三季度", "全年"), True),
])
def test_unit_chart_names_each_year_once_and_each_round(years, rounds, slanted):
    """Sixteen rounds made one unreadable line of labels (「2023半年2023前三季度…」): each
    round is named under its point (slanted when crowded), each year once."""
    points = [(str(y), r, 90.0 + i) for y in years for i, r in enumerate(rounds)]
    svg = line_chart(points, "某单位 历次目标责任考核得分")
    for y in years:
        assert svg.count(f">{y} 年<") == 1
    for r in rounds:
        assert svg.count(f">{r}</text>") == len(years)
    assert ("rotate(" in svg) is slanted
    assert svg.count("<circle") == len(points)
