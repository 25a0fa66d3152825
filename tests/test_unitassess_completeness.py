"""Issue 12.7: a unit lacking data in a round is 数据未录齐 (not graded, ranked or flagged);
the round's completeness is shown; an incomplete round's 公示 is refused with what is missing.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.unitassess.services import completeness as cp, data
from kaohe.unitassess.services.official import unit_results_for_official
from kaohe.unitassess.services.ranking import GRADES
from kaohe.unitassess.services.scoring import IndicatorSpec, ResultRow
from tests import ua_helpers as h
from tests.helpers import text


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    h.no_discipline(monkeypatch)


# ------------------------------------------------------------------ the measure (pure)
@pytest.mark.parametrize("units, indicators, entered, expected", [
    (3, 3, 0, "已录入 0/9 项（0.0%）"),
    (3, 3, 8, "已录入 8/9 项（88.8%）"),        # 88.89 %: rounded down
    (3, 3, 9, "已录入 9/9 项（100.0%）"),
    (200, 6, 1180, "已录入 1180/1200 项（98.3%）"),
    (200, 60, 11999, "已录入 11999/12000 项（99.9%）"),  # never 100.0 % while one is missing
    (0, 3, 0, "已录入 0/0 项（0.0%）"),
])
def test_completeness_text(units, indicators, entered, expected):
    c = cp.Completeness(units, indicators, entered)
    assert c.text == expected
    assert c.complete is (entered == units * indicators > 0)


def spec(method, sid=1):
    return IndicatorSpec(sid, f"I{sid}", f"指标{sid}", "类", 10.0, method)


@pytest.mark.parametrize("method, row, entered", [
    ("ratio", ResultRow(1, 1, 100.0, 0.0), True),      # nothing achieved is still entered
    ("ratio", ResultRow(1, 1, None, 50.0), False),
    ("ratio", ResultRow(1, 1, 0.0, 50.0), False),
    ("ratio", ResultRow(1, 1, 100.0, None), False),
    ("rank", ResultRow(1, 1, None, 0.0), True),
    ("rank", ResultRow(1, 1, None, None), False),
    ("grade", ResultRow(1, 1, grade="优"), True),
    ("grade", ResultRow(1, 1, grade=""), False),
    ("grade", None, False),
])
def test_what_counts_as_entered(method, row, entered):
    assert cp.is_entered(spec(method), row) is entered


@pytest.mark.parametrize("units, items, lines, last", [
    (10, 5, 10, "单位10：缺 指标1、指标2、指标3、指标4、指标5"),
    (11, 6, 11, "另有 1 个单位共缺 6 项未列出"),
    (12, 7, 11, "另有 2 个单位共缺 14 项未列出"),
])
def test_missing_list_is_capped_with_a_count_of_the_rest(units, items, lines, last):
    specs = [spec("grade", i) for i in range(1, items + 1)]
    c = cp.measure(list(range(1, units + 1)), specs, {})
    got = cp.missing_lines(c, {u: f"单位{u}" for u in range(1, units + 1)})
    assert len(got) == lines and got[-1] == last
    assert got[0].endswith(f" 等 {items} 项") is (items > cp.MAX_ITEMS_LISTED)
    assert "不能公示" in cp.refusal(c, {})


def test_an_empty_group_cannot_be_published():
    c = cp.measure([], [spec("ratio")], {})
    assert not c.complete and cp.refusal(c, {}) == "该考核组没有单位，没有可公示的考核结果。"


# ------------------------------------------------------------------ a round through every output
CASES = {
    # what is entered for the full-year round (the half-year round is complete in all)
    "none": [],
    "all_but_one": [("C01", 3), ("C02", 3), ("C03", 2)],
    "complete": [("C01", 3), ("C02", 3), ("C03", 3)],
}


@pytest.fixture
def round_world(make, request):
    settings.set_value("unitassess.excellent_quota_pct", "40")
    s = h.scheme()
    city = make.unit(code="CITY", name="某市", kind="city")
    units = {code: make.unit(code=code, name=name, kind="county", parent=city,
                             leader_in_charge=f"{name}分管副市长")
             for code, name in (("C01", "东城区"), ("C02", "西城区"), ("C03", "南湖区"))}
    ratios = {"C01": 1.0, "C02": 0.95, "C03": 0.7}
    for code, u in units.items():
        h.fill(s, u, ratios[code], round_="half")
        h.rating(s, u, 80, round_="half")
        h.rating(s, u, 80)
    for code, n in CASES[request.param]:
        for ind in s.indicators[:n]:
            h.result(s, units[code], ind, "full", 100, 100 * ratios[code])
    leader = make.official(name="陈书记", unit_obj=units["C03"])
    make.post(leader, units["C03"], start=dt.date(2020, 1, 1), principal=True, title="区委书记")
    make.commit()
    return {"case": request.param, "s": s, "units": units, "leader": leader}


def with_cases(*names):
    return pytest.mark.parametrize("round_world", names, indirect=True)


ALL = with_cases("none", "all_but_one", "complete")


@ALL
def test_ranking_of_the_round(round_world):
    rr = data.load_round(round_world["s"], "full")
    case = round_world["case"]
    got = [(r.code, r.rank, r.grade_label, r.flags) for r in rr.rows]
    if case == "none":
        assert rr.completeness.text == "已录入 0/9 项（0.0%）"
        assert got == [(c, None, "数据未录齐", []) for c in ("C01", "C02", "C03")]
        assert rr.size == 0 and rr.ranked == []
    elif case == "all_but_one":
        assert rr.completeness.text == "已录入 8/9 项（88.8%）"
        # the last place goes to the last *complete* unit; 南湖区 lags on two indicators
        # but is not flagged: its data is incomplete
        # ⌊2 ranked × 40 %⌋ = no 优秀 (of 3 units it would be one)
        assert got == [("C01", 1, "良好", []), ("C02", 2, "良好", ["排名末位（第 2/2 名）"]),
                       ("C03", None, "数据未录齐", [])]
        assert rr.row_for(round_world["units"]["C03"].id).grade_note == "缺 1 项：固定资产投资"
    else:
        assert rr.completeness.text == "已录入 9/9 项（100.0%）" and rr.refusal is None
        assert [g[:3] for g in got] == [("C01", 1, "优秀"), ("C02", 2, "良好"), ("C03", 3, "一般")]
        assert got[2][3][0] == "排名末位（第 3/3 名）"
    assert data.load_round(round_world["s"], "half").complete  # the other round is untouched


@ALL
def test_ranking_page(client, auth, round_world):
    auth.login("assessment")
    s = round_world["s"]
    page = text(client.get(f"/unit-assessment/schemes/{s.id}/full/ranking"))
    incomplete = {"none": 3, "all_but_one": 1, "complete": 0}[round_world["case"]]
    assert page.count('<tr class="ua-incomplete">') == incomplete
    completeness = re.search(r'<p id="completeness"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert completeness.startswith("数据完整性：" + data.load_round(s, "full").completeness.text)
    assert ("本轮不能公示" in completeness) is bool(incomplete)
    assert "较差" not in page and page.count("待约谈") == 1 - (round_world["case"] == "none")
    assert ("导出公示名单 Excel" in page) is (not incomplete)
    scheme_page = text(client.get(f"/unit-assessment/schemes/{s.id}"))
    assert "已录入 9/9 项（100.0%）" in scheme_page  # the half-year round
    assert scheme_page.count("尚未录入") == 1 + (round_world["case"] == "none")  # q3 (+ full)


@ALL
def test_publication_is_refused_until_complete(client, auth, round_world):
    auth.login("assessment")
    base = f"/unit-assessment/schemes/{round_world['s'].id}/full/publication"
    responses = [client.get(base + ext) for ext in ("", ".pdf", ".xlsx")]
    if round_world["case"] == "complete":
        assert [r.status_code for r in responses] == [200, 200, 200]
        assert responses[1].data.startswith(b"%PDF")
        return
    missing = {"none": ["东城区：缺 地区生产总值、税收收入、固定资产投资",
                        "西城区：缺 地区生产总值、税收收入、固定资产投资",
                        "南湖区：缺 地区生产总值、税收收入、固定资产投资"],
               "all_but_one": ["南湖区：缺 固定资产投资"]}[round_world["case"]]
    for r in responses:
        page = text(r)
        assert r.status_code == 409 and r.mimetype == "text/html"
        assert "本轮考核数据未录齐" in page and "不能公示" in page
        listed = page[page.index('id="missing"'):page.index("</ul>", page.index('id="missing"'))]
        assert re.findall(r"<li>(.*?)</li>", listed) == missing
        assert "较差" not in page and "结果公示" not in page


@ALL
def test_api_and_ranking_export(client, auth, round_world):
    auth.login("assessment")
    s, case = round_world["s"], round_world["case"]
    ranking = client.get("/api/v1/rankings?year=2023&round=full&group=county").get_json()[
        "rankings"][0]
    c = ranking["completeness"]
    assert (c["entered"], c["expected"], c["complete"]) == (
        {"none": 0, "all_but_one": 8, "complete": 9}[case], 9, case == "complete")
    assert ranking["publishable"] is (case == "complete")
    assert (ranking["refusal"] is None) is (case == "complete")
    for item in ranking["items"]:
        if not item["complete"]:
            assert (item["rank"], item["score"], item["grade"], item["grade_label"],
                    item["flags"]) == (None, None, None, "数据未录齐", [])
            assert item["missing_indicators"]
        else:
            assert item["rank"] and item["grade"] in GRADES and item["missing_indicators"] == []
    ws = load_workbook(io.BytesIO(client.get(
        f"/interop/unit-assessment/schemes/{s.id}/full/ranking.xlsx").data)).active
    rows = [[x.value for x in row] for row in ws.iter_rows(min_row=3)]
    assert ("数据完整性：" + data.load_round(s, "full").completeness.text) in ws["A1"].value
    for row in rows:
        if row[8] == "数据未录齐":
            assert row[0] is None and row[7] is None and row[10] in (None, "")
    assert sum(r[8] == "数据未录齐" for r in rows) == {"none": 3, "all_but_one": 1,
                                                      "complete": 0}[case]


@ALL
def test_official_side_shows_no_grade_for_incomplete_data(round_world):
    got = unit_results_for_official(round_world["leader"].id, [2023])
    r, = got
    case = round_world["case"]
    if case == "none":  # no full-year data at all: the latest round with data (complete)
        assert (r["round_label"], r["rank"], r["score"], r["grade_label"]) == (
            "半年", 3, 71.0, "一般")
    elif case == "all_but_one":
        assert (r["round_label"], r["rank"], r["score"], r["grade"], r["grade_label"]) == (
            "全年", None, None, None, "数据未录齐")
        assert r["flags"] == []
    else:
        assert (r["rank"], r["size"], r["grade_label"]) == (3, 3, "一般")


@ALL
def test_pages_of_an_incomplete_unit(client, auth, round_world):
    auth.login("organization")
    s, u = round_world["s"], round_world["units"]["C03"]
    page = text(client.get(f"/unit-assessment/schemes/{s.id}/full/units/{u.id}"))
    incomplete = round_world["case"] != "complete"
    assert ("本轮数据未录齐" in page) is incomplete
    assert "None" not in page
    history = text(client.get(f"/unit-assessment/units/{u.id}"))  # rounds with data
    assert "None" not in history
    assert ("数据未录齐" in history) is (round_world["case"] == "all_but_one")
    for url in (f"/unit-assessment/schemes/{s.id}/full/progress",
                f"/unit-assessment/schemes/{s.id}/full/grades.svg",
                f"/unit-assessment/schemes/{s.id}/full/distribution.svg",
                f"/unit-assessment/units/{u.id}/chart.svg"):
        assert client.get(url).status_code == 200, url


# ------------------------------------------------------------------ quota and roster
def test_quota_counts_only_ranked_units(make):
    settings.set_value("unitassess.excellent_quota_pct", "50")
    s = h.scheme()
    units = h.units(4)
    for u in units[:3]:
        h.fill(s, u, 1.0)
        h.rating(s, u, 100)
    h.result(s, units[3], s.indicators[0])
    rr = data.load_round(s, "full")
    assert [r.grade for r in rr.ranked] == ["excellent", "good", "good"]  # ⌊3 × 50 %⌋ = 1
    assert "优秀名额（1 个）已满" in rr.ranked[1].grade_note
    assert rr.rows[-1].rank is None and rr.size == 3


def test_units_deleted_or_moved_after_their_results_stay_in_the_round(make):
    s = h.scheme()
    a, b, c = h.units(3)
    for u in (a, b, c):
        h.fill(s, u, 0.9)
    b.soft_delete()
    c.kind = "department"
    db.session.flush()
    newcomer = make.unit(code="区009", name="新设区", kind="county")
    rr = data.load_round(s, "full")
    assert [(r.name, r.rank) for r in rr.rows] == [
        ("第1区", 1), ("第2区", 2), ("第3区", 3), ("新设区", None)]
    assert rr.refusal.endswith("新设区：缺 地区生产总值、税收收入、固定资产投资。")
    assert newcomer.id in rr.completeness.missing
