"""Source-speech rules on unit assessment: freeze, weights, scoring, bonus/deduction, progress."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.unitassess.models import Category, Indicator, IndicatorResult, Scheme, ScoreEvent
from kaohe.unitassess.services import data, entry, scheme as svc
from tests import ua_helpers as h


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    h.no_discipline(monkeypatch)


def totals(s, round_="full"):
    rr = data.load_round(s, round_)
    return {r.code: r for r in rr.rows}


# ------------------------------------------------------------------ scheme / freeze
@pytest.mark.parametrize("public_weight, expected", [
    (10, None),
    (5, "少 5 分"),
    (20, "多 10 分"),
])
def test_weights_must_add_up_to_total(make, public_weight, expected):
    s = h.scheme(public_weight=public_weight, publish=False)
    err = svc.weight_error(s)
    if expected is None:
        assert err is None
        svc.publish(s)
        assert s.status == "published"
    else:
        assert expected in err and "权重合计不等于满分" in err
        with pytest.raises(ValidationFailed, match="权重合计不等于满分"):
            svc.publish(s)
        assert db.session.get(Scheme, s.id).status == "draft"


FROZEN = "规则已在年初确定，年中不得修改"


@pytest.mark.parametrize("attempt", ["rename", "weight", "add_indicator", "edit_indicator",
                                     "delete_indicator", "add_category", "publish_again"])
def test_published_scheme_is_read_only(make, attempt):
    s = h.scheme()
    ind = s.indicators[0]
    cat = s.categories[0]
    actions = {
        "rename": lambda: svc.save_scheme(s, {"year": s.year, "group": s.group, "name": "改",
                                              "public_weight": D(10)}),
        "weight": lambda: svc.save_scheme(s, {"year": s.year, "group": s.group, "name": s.name,
                                              "public_weight": D(20)}),
        "add_indicator": lambda: svc.save_indicator(s, None, {
            "category_id": cat.id, "name": "新指标", "max_points": D(5), "method": "ratio",
            "floor_ratio": D("0.5"), "cap_ratio": D(1)}),
        "edit_indicator": lambda: svc.save_indicator(s, ind, {
            "category_id": cat.id, "name": ind.name, "max_points": D(45), "method": "ratio",
            "floor_ratio": D("0.5"), "cap_ratio": D(1)}),
        "delete_indicator": lambda: svc.delete_indicator(s, ind),
        "add_category": lambda: svc.save_category(s, None, {"name": "党的建设"}),
        "publish_again": lambda: svc.publish(s),
    }
    with pytest.raises(ValidationFailed, match=FROZEN):
        actions[attempt]()
    db.session.expire_all()
    assert db.session.get(Indicator, ind.id).max_points == D(40)
    assert len(db.session.get(Scheme, s.id).indicators) == 3


@pytest.mark.parametrize("model", ["scheme", "indicator", "category"])
def test_freeze_holds_at_orm_level(make, model):
    """Even writing the row directly (bypassing the services) is refused at flush."""
    s = h.scheme()
    obj = {"scheme": s, "indicator": s.indicators[0], "category": s.categories[0]}[model]
    obj.name = "偷偷修改"
    with pytest.raises(ValidationFailed, match=FROZEN):
        db.session.flush()
    db.session.rollback()


def test_copy_last_years_scheme_as_draft(make):
    s = h.scheme(year=2022)
    new = svc.copy_scheme(s, 2023)
    assert new.status == "draft" and new.year == 2023 and new.copied_from_id == s.id
    assert [(i.name, i.max_points) for i in new.indicators] == [
        (i.name, i.max_points) for i in s.indicators]
    assert [c.name for c in new.categories] == ["经济发展"]
    assert new.indicators[0].category_id == new.categories[0].id != s.categories[0].id
    svc.save_indicator(new, new.indicators[0], {
        "category_id": new.categories[0].id, "name": "GDP增速", "max_points": D(40),
        "method": "ratio", "floor_ratio": D("0.5"), "cap_ratio": D(1)})
    assert s.indicators[0].name == "地区生产总值"
    with pytest.raises(ValidationFailed, match="已存在"):
        svc.copy_scheme(s, 2023)


# ------------------------------------------------------------------ bad input
def test_scoring_unpublished_scheme_refused(make):
    s = h.scheme(publish=False)
    u, = h.units(1)
    with pytest.raises(ValidationFailed, match="尚未发布"):
        h.result(s, u, s.indicators[0])
    with pytest.raises(ValidationFailed, match="尚未发布"):
        h.event(s, u, "efficiency_bonus", 1)
    assert db.session.query(IndicatorResult).count() == 0


def test_actual_outside_scheme_and_duplicates_refused(make):
    s = h.scheme(year=2023)
    other = h.scheme(year=2022)
    u, = h.units(1)
    with pytest.raises(ValidationFailed) as exc:
        h.result(s, u, other.indicators[0])
    assert "不在本考核方案中" in exc.value.errors["indicator_id"]
    h.result(s, u, s.indicators[0])
    with pytest.raises(ValidationFailed) as exc:
        h.result(s, u, s.indicators[0], actual=90)
    assert "不能重复录入" in exc.value.errors["indicator_id"]
    h.result(s, u, s.indicators[0], round_="half")  # another round is fine
    assert db.session.query(IndicatorResult).count() == 2


@pytest.mark.parametrize("field, value, message", [
    ("round", "q4", "考核轮次"),
    ("target", None, "目标值"),
    ("target", D(0), "目标值"),
    ("actual", None, "实际完成值"),
    ("actual", D(-1), "负数"),
])
def test_result_field_errors(make, field, value, message):
    s = h.scheme()
    u, = h.units(1)
    payload = {"unit_id": u.id, "indicator_id": s.indicators[0].id, "round": "full",
               "target": D(100), "actual": D(90), "grade": "", "note": ""}
    payload[field] = value
    with pytest.raises(ValidationFailed) as exc:
        entry.save_result(s, None, payload)
    assert message in exc.value.errors[field]


def test_unit_of_another_group_refused(make):
    s = h.scheme()
    dept, = h.units(1, kind="department", prefix="局")
    with pytest.raises(ValidationFailed) as exc:
        h.result(s, dept, s.indicators[0])
    assert "不属于区县考核组" in exc.value.errors["unit_id"]


@pytest.mark.parametrize("field, value, message", [
    ("reason", " ", "必须写明事由"),
    ("evidence", "", "依据"),
    ("points", D(0), "大于 0"),
    ("date", dt.date(2022, 12, 31), "2023 年内"),
])
def test_event_needs_reason_evidence_points_date(make, field, value, message):
    s = h.scheme()
    u, = h.units(1)
    payload = {"unit_id": u.id, "kind": "efficiency_bonus", "date": dt.date(2023, 3, 1),
               "points": D(2), "reason": "一网通办", "evidence": "市效能办通报"}
    payload[field] = value
    with pytest.raises(ValidationFailed) as exc:
        entry.save_event(s, None, payload)
    assert message in exc.value.errors[field]
    assert db.session.query(ScoreEvent).count() == 0


# ------------------------------------------------------------------ scoring
@pytest.mark.parametrize("target, actual, higher, expected", [
    (100, 100, True, 40.0),     # complete
    (100, 80, True, 32.0),      # 80 %
    (100, 49, True, 0.0),       # below floor 50 %
    (100, 130, True, 40.0),     # capped at 100 %
    (100, 80, False, 40.0),     # lower is better: under target
    (100, 125, False, 32.0),    # lower is better: 80 %
])
def test_ratio_method(make, target, actual, higher, expected):
    s = h.scheme(public_weight=0, indicators=[
        {"code": "A", "name": "指标A", "max_points": D(40), "higher_is_better": higher},
        {"code": "B", "name": "指标B", "max_points": D(60)}])
    u, = h.units(1)
    h.result(s, u, s.indicators[0], target=target, actual=actual)
    line = totals(s)[u.code].score.lines[0]
    assert line.points == expected


def test_rank_and_grade_methods(make):
    s = h.scheme(public_weight=0, indicators=[
        {"code": "R", "name": "招商引资排名", "max_points": D(50), "method": "rank",
         "floor_ratio": D("0.6")},
        {"code": "Q", "name": "党建述职评议", "max_points": D(50), "method": "grade",
         "grade_map": "好=1;较好=0.8;一般=0.6"}])
    us = h.units(4)
    for u, v in zip(us, [30, 50, 50, 10]):
        h.result(s, u, s.indicators[0], target=None, actual=v)
    for u, g in zip(us, ["好", "较好", "一般", "好"]):
        h.result(s, u, s.indicators[1], target=None, actual=None, grade=g)
    t = totals(s)
    got = {u.code: [line.points for line in t[u.code].score.lines[:2]] for u in us}
    # ranks: 50,50 share 1st; 30 is 3rd; 10 is 4th of 4 → 50×(1-(r-1)/3×0.4)
    assert got == {"区001": [36.67, 50.0], "区002": [50.0, 40.0], "区003": [50.0, 30.0],
                   "区004": [30.0, 50.0]}
    with pytest.raises(ValidationFailed, match="须选择等次"):
        h.result(s, h.units(1, prefix="县")[0], s.indicators[1], target=None, actual=None,
                 grade="优")


@pytest.mark.parametrize("rating, expected_public", [(100, 10.0), (85, 8.5), (0, 0.0)])
def test_public_rating_weight_applied(make, rating, expected_public):
    s = h.scheme(public_weight=10)
    u, = h.units(1)
    h.fill(s, u)
    h.rating(s, u, rating)
    r = totals(s)[u.code]
    assert r.score.public_points == expected_public
    assert r.score.total == 90 + expected_public
    line = next(x for x in r.score.lines if x.kind == "public")
    assert "权重 10 分" in line.detail


def test_public_weight_setting_is_default_for_new_scheme(make):
    settings.set_value("unitassess.public_weight_default", "15")
    s = svc.save_scheme(None, {"year": 2030, "group": "county", "name": "x", "note": ""})
    assert s.public_weight == D(15)


@pytest.mark.parametrize("kind, points, multiplier, expected_total, eligible", [
    ("provincial_commendation", 3, 2, 106.0, True),
    ("provincial_commendation", 3, 3, 109.0, True),
    ("provincial_deduction", 2, 2, 96.0, False),
    ("efficiency_bonus", 1.5, 2, 101.5, True),
    ("efficiency_penalty", 1.5, 2, 98.5, True),
    ("other_deduction", 1, 2, 99.0, True),
])
def test_bonus_and_deduction_events(make, kind, points, multiplier, expected_total, eligible):
    settings.set_value("unitassess.provincial_multiplier", str(multiplier))
    s = h.scheme()
    u, = h.units(1)
    h.fill(s, u)
    h.rating(s, u, 100)
    h.event(s, u, kind, points, reason="省政府通报表彰", evidence="浙政发〔2023〕1号")
    r = totals(s)[u.code]
    assert r.score.total == expected_total
    assert r.score.eligible_top is eligible
    line = r.score.lines[-1]
    assert line.label == "省政府通报表彰" and "浙政发〔2023〕1号" in line.detail
    if kind.startswith("provincial"):
        assert f"× {multiplier} 倍" in line.detail


def test_provincial_deduction_removes_top_grade_despite_score(make):
    settings.set_value("unitassess.excellent_quota_pct", "50")  # frozen when published
    s = h.scheme()
    a, b, c, d_ = h.units(4)
    for u in (a, b, c, d_):
        h.fill(s, u)
        h.rating(s, u, 100)
    h.event(s, a, "provincial_commendation", 5)
    h.event(s, a, "provincial_deduction", 1)   # 100 + 10 - 2 = 108, still first
    t = totals(s)
    assert t[a.code].rank == 1 and t[a.code].score.total == 108.0
    assert t[a.code].grade == "good" and "取消评优资格" in t[a.code].grade_note
    assert [t[u.code].grade for u in (b, c, d_)] == ["excellent", "excellent", "good"]


def test_event_counts_from_its_date_on(make):
    s = h.scheme()
    u, = h.units(1)
    for round_ in ("half", "q3", "full"):
        h.fill(s, u, round_=round_)
    h.event(s, u, "efficiency_bonus", 2, date=dt.date(2023, 8, 1))
    got = {r: data.load_round(s, r).rows[0].score.bonus for r in ("half", "q3", "full")}
    assert got == {"half": 0.0, "q3": 2.0, "full": 2.0}


# ------------------------------------------------------------------ progress during the year
@pytest.mark.parametrize("round_, actual, lagging, points", [
    ("half", 50, False, 40.0),    # 50 % done at half-year: on schedule
    ("half", 44, True, 35.2),     # 88 % of schedule < 90 %
    ("q3", 70, False, 37.33),     # 93.3 % of schedule
    ("q3", 60, True, 32.0),       # 80 % of schedule
    ("full", 89, True, 35.6),
])
def test_progress_against_time_elapsed(make, round_, actual, lagging, points):
    s = h.scheme()
    u, = h.units(1)
    h.result(s, u, s.indicators[0], round_, 100, actual)
    line = data.load_round(s, round_).rows[0].score.lines[0]
    assert line.lagging is lagging and line.points == points
    assert ("进度滞后" in line.detail) is lagging


# ------------------------------------------------------------------ interviews
@pytest.mark.parametrize("round_, last_day", [
    ("half", dt.date(2023, 6, 30)), ("q3", dt.date(2023, 9, 30)), ("full", dt.date(2023, 12, 31)),
])
def test_interview_only_after_its_round_is_over(make, round_, last_day):
    s = h.scheme()
    u, = h.units(1)
    data_ = {"leader_name": "陈主任", "reason": "排名末位", "notes": "限期整改"}
    with pytest.raises(ValidationFailed) as exc:
        entry.save_interview(s, u, round_, {**data_, "date": last_day}, today=dt.date(2030, 1, 1))
    assert exc.value.errors["date"].startswith("约谈日期应在2023 年")
    assert last_day.isoformat() in exc.value.errors["date"]
    iv = entry.save_interview(s, u, round_, {**data_, "date": last_day + dt.timedelta(days=1)},
                              today=dt.date(2030, 1, 1))
    assert iv.date == last_day + dt.timedelta(days=1)
