"""A round's figures without its breakdown (issue 17): a ranking computes every unit's
points, total and lagging indicators in one pass and builds a unit's lines only when they
are read; the figures are those the lines add up to, the lines read as before, and a
ranking page or export builds none."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kaohe.extensions import db
from kaohe.interop import excel_export
from kaohe.unitassess.models import IndicatorResult, ScoreEvent
from kaohe.unitassess.services import data, entry, scoring
from kaohe.unitassess.services.ranking import rank_units
from kaohe.unitassess.services.scoring import UnitScore
from tests import ua_helpers as h

INDICATORS = [
    {"code": "GDP", "name": "地区生产总值", "max_points": D(30), "cap_ratio": D("1.2")},
    {"code": "EN", "name": "单位能耗", "max_points": D(10), "higher_is_better": False},
    {"code": "INV", "name": "招商引资", "max_points": D(20), "method": "rank"},
    {"code": "SAFE", "name": "安全生产", "max_points": D(20), "method": "grade",
     "grade_map": "好=1;中=0.8;差=0.5"},
    {"code": "TAX", "name": "税收收入", "max_points": D(10)},
]
# unit → full-year GDP, EN, INV actuals (targets 100), SAFE grade, TAX actual (None: not
# entered), public rating (None: not entered)
FULL = [(130, 80, 50, "好", 100, 90), (85, 100, 50, "中", 40, 80), (95, 0, 30, "差", 95, 70),
        (100, 125, 10, "中", None, None), (90, 100, 40, "好", 90, 85),
        (90, 100, 40, "好", 90, 95)]


def _party(units):
    """Party-conduct cases of the discipline service: counted, self-found, exempted, and
    one found after the half year."""
    a, b, c = units[:3]

    def source(unit_ids, start, end, points_by_category=None):
        items = [{"unit_id": c.id, "points": 1, "reason": "违规发放津贴", "date": dt.date(2023, 4, 2),
                  "ref": "F1"},
                 {"unit_id": b.id, "points": 2, "reason": "自查问题", "source": "self_found",
                  "date": dt.date(2023, 3, 1), "ref": "F2"},
                 {"unit_id": a.id, "points": 2, "reason": "改革失误", "exempted": True,
                  "date": dt.date(2023, 5, 1), "ref": "F3"},
                 {"unit_id": c.id, "points": 1.5, "reason": "公车私用", "date": dt.date(2023, 9, 9),
                  "ref": "F4"}]
        return [i for i in items if i["unit_id"] in unit_ids and start <= i["date"] <= end]
    return source


@pytest.fixture
def rich(make, monkeypatch):
    """Six counties, every scoring method, ties, gaps, events and party conduct, two rounds."""
    s = h.scheme(indicators=INDICATORS)
    units = h.units(6)
    inds = {i.code: i for i in s.indicators}
    for u, (gdp, en, inv, safe, tax, rating) in zip(units, FULL):
        h.result(s, u, inds["GDP"], "full", 100, gdp)
        h.result(s, u, inds["EN"], "full", 100, en)
        h.result(s, u, inds["INV"], "full", None, inv)
        h.result(s, u, inds["SAFE"], "full", None, None, grade=safe)
        if tax is not None:
            h.result(s, u, inds["TAX"], "full", 100, tax)
        if rating is not None:
            h.rating(s, u, rating)
        for code, actual in (("GDP", gdp / 2), ("EN", en), ("TAX", (tax or 0) / 2)):
            h.result(s, u, inds[code], "half", 100, actual)
        h.result(s, u, inds["INV"], "half", None, inv)
        h.result(s, u, inds["SAFE"], "half", None, None, grade=safe)
        h.rating(s, u, rating or 60, "half")
    a, b, c, _d, e, _f = units
    h.event(s, a, "provincial_commendation", 2, date=dt.date(2023, 3, 1), reason="省级文明城区表彰",
            evidence="省委〔2023〕5号")
    h.event(s, b, "provincial_deduction", 1, date=dt.date(2023, 5, 1), reason="省安全生产考核扣分",
            evidence="省安委办通报")
    h.event(s, c, "efficiency_penalty", 0.5, date=dt.date(2023, 8, 1), reason="群众办事多次跑腿")
    h.event(s, e, "other_bonus", 1, date=dt.date(2023, 12, 1), reason="创新案例")
    monkeypatch.setattr(data, "party_conduct_source", lambda: _party(units))
    make.commit()
    return s, units


def _from_lines(score: UnitScore) -> UnitScore:
    """The score as its lines give it (how every score was computed before issue 17)."""
    return UnitScore(score.unit_id, list(score.lines), score.eligible_top,
                     list(score.ineligible_reasons))


def _figures(score: UnitScore) -> tuple:
    return (score.indicator_points, score.public_points, score.bonus, score.deduction,
            score.total, score.lagging, score.eligible_top, score.ineligible_reasons)


@pytest.mark.parametrize("round_", ["half", "full"])
def test_figures_and_ranking_are_those_of_the_lines(rich, round_):
    s, units = rich
    rr = data.load_round(s, round_)
    assert {r.unit_id for r in rr.rows} == {u.id for u in units}
    got = [(r.unit_id, r.rank, r.grade, r.grade_note, r.flags, r.missing, _figures(r.score))
           for r in rr.rows]
    from_lines = {r.unit_id: _from_lines(r.score) for r in rr.rows}
    again = rank_units(from_lines, {u.id: (u.code, u.name) for u in units},
                       data.figures.bands(data.figures.of(s)),
                       {r.unit_id: r.missing for r in rr.rows if r.missing})
    assert got == [(r.unit_id, r.rank, r.grade, r.grade_note, r.flags, r.missing,
                    _figures(r.score)) for r in again]
    kinds = ("indicator", "public", "bonus", "deduction", "party_conduct")
    for r in rr.rows:  # the sums the tie-break compares
        mine, theirs = r.score.sums(), from_lines[r.unit_id].sums()
        assert [round(mine.get(k, 0.0), 2) for k in kinds] == [
            round(theirs.get(k, 0.0), 2) for k in kinds]


def test_ranking_of_the_full_year(rich):
    s, units = rich
    rr = data.load_round(s, "full")
    by_code = {r.code: r for r in rr.rows}
    # 区005 (with a bonus) and 区006 tie at 91.5: 区006 has more performance points;
    # the quota (30 % of 5) is one 优秀; 区004 lacks 税收收入
    assert [(r.code, r.rank, r.score.total, r.grade_label) for r in rr.rows] == [
        ("区001", 1, 109.0, "优秀"), ("区006", 2, 91.5, "良好"), ("区005", 3, 91.5, "良好"),
        ("区002", 4, 77.5, "一般"), ("区003", 5, 74.0, "一般"), ("区004", None, 64.0, "数据未录齐")]
    assert by_code["区005"].grade_note == "达到优秀分数线，但优秀名额（1 个）已满"
    assert by_code["区002"].score.eligible_top is False
    assert by_code["区002"].score.ineligible_reasons == [
        "2023-05-01 受省级扣分（省安全生产考核扣分），取消评优资格"]
    assert by_code["区002"].score.lagging == ["地区生产总值", "税收收入"]
    assert by_code["区002"].flags == ["2 项指标进度滞后：地区生产总值、税收收入"]
    assert by_code["区003"].flags == ["排名末位（第 5/5 名）"]
    assert by_code["区004"].grade_note == "缺 1 项：税收收入"


def _lines(score):
    return [(x.kind, x.category, x.label, x.points, x.max_points, x.detail, x.lagging, x.ref)
            for x in score.lines]


def test_breakdown_lines_read_as_before(rich):
    s, units = rich
    rr = data.load_round(s, "full")
    a, b, c, d = (rr.row_for(u.id).score for u in units[:4])
    assert _lines(a) == [
        ("indicator", "经济发展", "地区生产总值", 36.0, 30.0,
         "目标 100，累计完成 130，完成率 130.0%，时间进度 100%，进度比 130.0%，得 36 分（封顶 120%）",
         False, "GDP"),
        ("indicator", "经济发展", "单位能耗", 10.0, 10.0, "目标不高于 100，实际 80，达标率 125.0%，得 10 分"
         "（封顶 100%）", False, "EN"),
        ("indicator", "经济发展", "招商引资", 20.0, 20.0, "实际 50，组内第 1/6 名，得 20 分", False, "INV"),
        ("indicator", "经济发展", "安全生产", 20.0, 20.0, "评定等次「好」，折算 100%，得 20 分", False,
         "SAFE"),
        ("indicator", "经济发展", "税收收入", 10.0, 10.0,
         "目标 100，累计完成 100，完成率 100.0%，时间进度 100%，进度比 100.0%，得 10 分", False, "TAX"),
        ("public", "民评官", "群众评议（民评官）", 9.0, 10.0, "民评官成绩 90 分（百分制）÷ 100 × 权重 10 分 = 9 分",
         False, ""),
        ("bonus", "省级表彰加分", "省级文明城区表彰", 4.0, None,
         "2023-03-01 省级文明城区表彰（省级 2 分 × 2 倍 = 4 分）；依据：省委〔2023〕5号", False,
         f"E{_event_id(units[0])}"),
        ("party_conduct", "党风廉政建设", "改革失误", -0.0, None, "不扣分：已容错免责，不作负面评价", False,
         "F3")]
    assert _lines(b)[1::3] == [
        ("indicator", "经济发展", "单位能耗", 10.0, 10.0, "目标不高于 100，实际 100，达标率 100.0%，得 10 分",
         False, "EN"),
        ("indicator", "经济发展", "税收收入", 0.0, 10.0,
         "目标 100，累计完成 40，完成率 40.0%，时间进度 100%，进度比 40.0%，低于下限 50%，得 0 分；"
         "进度滞后（低于 90%）", True, "TAX"),
        ("party_conduct", "党风廉政建设", "自查问题", -0.0, None, "不扣分：本单位自查发现，不扣分", False,
         "F2")]
    assert [x[5] for x in _lines(b)[:1] + _lines(b)[2:4] + _lines(b)[6:7]] == [
        "目标 100，累计完成 85，完成率 85.0%，时间进度 100%，进度比 85.0%，得 25.5 分；进度滞后（低于 90%）",
        "实际 50，组内第 1/6 名，得 20 分", "评定等次「中」，折算 80%，得 16 分",
        "2023-05-01 省安全生产考核扣分（省级 1 分 × 2 倍 = 2 分）；依据：省安委办通报"]
    assert [x[3:6] for x in _lines(c)[1:3]] == [
        (10.0, 10.0, "目标不高于 100，实际 0，达标率 100.0%，得 10 分"),
        (12.0, 20.0, "实际 30，组内第 5/6 名，得 12 分")]
    assert [x[5] for x in _lines(c)[-3:]] == [
        "2023-08-01 群众办事多次跑腿；依据：文件", "扣 1 分", "扣 1.5 分"]
    assert [x[3:6] for x in _lines(d)[3:6]] == [
        (16.0, 20.0, "评定等次「中」，折算 80%，得 16 分"), (0.0, 10.0, "未录入目标或实际完成值，得 0 分"),
        (0.0, 10.0, "未录入民评官成绩，得 0 分（权重 10 分）")]


def _event_id(unit) -> int:
    return db.session.scalar(select(ScoreEvent.id).where(ScoreEvent.unit_id == unit.id))


def test_half_year_counts_what_happened_by_its_end(rich):
    s, units = rich
    rr = data.load_round(s, "half")
    c = rr.row_for(units[2].id).score
    assert [x.label for x in c.lines if x.kind != "indicator"] == ["群众评议（民评官）", "违规发放津贴"]
    assert c.deduction == 1.0


def test_lines_are_those_of_the_ranked_data_after_a_change(rich):
    """A ranking kept (round_cache) and read later shows the lines its figures came from."""
    s, units = rich
    rr = data.load_round(s, "full")
    row = rr.row_for(units[1].id)
    tax = next(i for i in s.indicators if i.code == "TAX")
    rec = db.session.scalar(select(IndicatorResult).where(
        IndicatorResult.unit_id == units[1].id, IndicatorResult.indicator_id == tax.id,
        IndicatorResult.round == "full"))
    entry.save_result(s, rec, {"unit_id": units[1].id, "indicator_id": tax.id, "round": "full",
                               "target": D(100), "actual": D(100), "grade": "", "note": ""})
    assert data.load_round(s, "full").row_for(units[1].id).score.total == 87.5
    assert row.score.total == 77.5 and round(sum(x.points for x in row.score.lines), 2) == 77.5
    assert "累计完成 40" in row.score.lines[4].detail and row.score.lagging == [
        "地区生产总值", "税收收入"]


@pytest.fixture
def built(monkeypatch):
    """Units whose breakdown lines were built."""
    seen = []
    real = scoring.Breakdown.lines
    monkeypatch.setattr(scoring.Breakdown, "lines",
                        lambda self, unit_id: seen.append(unit_id) or real(self, unit_id))
    return seen


def test_pages_build_lines_only_where_shown(client, auth, rich, built):
    s, units = rich
    auth.login("assessment")
    half, full = (f"/unit-assessment/schemes/{s.id}/{r}" for r in ("half", "full"))
    for url in (f"{full}/ranking", f"{half}/ranking", f"{half}/publication",
                f"{half}/publication.pdf", f"{half}/publication.xlsx", f"{full}/grades.svg",
                f"/unit-assessment/units/{units[0].id}",
                f"/unit-assessment/units/{units[0].id}/chart.svg"):
        assert client.get(url).status_code == 200, url
    assert built == []
    page = client.get(f"{full}/units/{units[1].id}").get_data(True)
    assert built == [units[1].id] and "进度比 40.0%，低于下限 50%，得 0 分" in page
    del built[:]
    items = client.get("/api/v1/rankings?year=2023&round=full&group=county").get_json()[
        "rankings"][0]["items"]
    assert sorted(built) == sorted(u.id for u in units)
    assert [round(sum(x["points"] for x in i["lines"]), 2) for i in items] == [
        109.0, 91.5, 91.5, 77.5, 74.0, 64.0]
    assert [i["score"] for i in items] == [109.0, 91.5, 91.5, 77.5, 74.0, None]


def test_excel_ranking_export_from_figures(rich, built):
    s, _units = rich
    ws = load_workbook(io.BytesIO(excel_export.ranking(data.load_round(s, "full")))).active
    assert [[c.value for c in row][:8] for row in ws.iter_rows(min_row=3, max_row=5)] == [
        [1, "第1区", "区001", 96, 9, 4, 0, 109], [2, "第6区", "区006", 82, 9.5, 0, 0, 91.5],
        [3, "第5区", "区005", 82, 8.5, 1, 0, 91.5]]
    assert built == []
