"""干部队伍结构分析 (issue 14.2): figures at their boundaries, scopes, team checks, and the
page, Excel, PDF and API showing the same figures."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from kaohe.core.periods import age_on
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.settings import services as settings
from kaohe.stats import queries, roster
from kaohe.stats.rules import team_rules
from tests.dossier_support import flat, page_texts
from tests.helpers import text

D = dt.date


def _row(rows: list[dict], label: str) -> dict:
    return next(r for r in rows if r["label"] == label)


def _fig(unit, day, team=False):
    return queries.figures(queries.Scope(unit_id=unit.id, team=team), day)


@pytest.mark.parametrize("birth, day, band", [
    (D(1990, 12, 3), D(2026, 12, 3), "36—40 岁"),  # the 36th birthday itself
    (D(1990, 12, 4), D(2026, 12, 3), "35 岁及以下"),  # one day before it
    (D(1992, 2, 29), D(2027, 2, 28), "35 岁及以下"),  # leap-day birth, common year: 34
    (D(1992, 2, 29), D(2027, 3, 1), "35 岁及以下"),  # 35 on 03-01: still ≤ 35
    (D(1991, 2, 28), D(2027, 2, 28), "36—40 岁"),
    (D(1970, 12, 31), D(2026, 12, 31), "56 岁及以上"),  # year's last day: 56
    (D(1971, 1, 1), D(2026, 12, 31), "51—55 岁"),  # 55, born on a year's first day
    (D(1986, 1, 1), D(2026, 1, 1), "36—40 岁"),  # year turn: 40
    (D(1986, 1, 2), D(2026, 1, 1), "36—40 岁"),  # 39
    (D(1985, 12, 31), D(2026, 1, 1), "36—40 岁"),  # 40 on the year's first day
    (D(1985, 1, 1), D(2026, 1, 1), "41—45 岁"),  # 41
])
def test_age_band_on_the_birthday_boundaries(make, birth, day, band):
    unit = make.unit()
    make.official(name="甲", birth=birth, unit_obj=unit)
    fig = _fig(unit, day)
    assert _row(fig["age"], band)["count"] == 1
    assert sum(r["count"] for r in fig["age"]) == 1
    assert fig["average_age"] == age_on(birth, day)


@pytest.mark.parametrize("day, years, expected", [
    (D(2026, 12, 3), 36, D(1990, 12, 3)),
    (D(2028, 2, 29), 36, D(1992, 2, 29)),  # leap day to a leap year
    (D(2028, 2, 29), 35, D(1993, 2, 28)),  # leap day to a common year: the 28th
    (D(2027, 2, 28), 35, D(1992, 2, 28)),
    (D(2027, 3, 1), 35, D(1992, 3, 1)),
    (D(2026, 1, 1), 40, D(1986, 1, 1)),
    (D(2025, 12, 31), 0, D(2025, 12, 31)),
])
def test_years_ago_is_the_last_date_with_so_many_full_years(day, years, expected):
    assert queries.years_ago(day, years) == expected
    for birth in (expected - dt.timedelta(days=1), expected, expected + dt.timedelta(days=1)):
        assert (age_on(birth, day) >= years) == (birth <= expected)


@pytest.mark.parametrize("birth, day, band", [
    (D(1992, 2, 29), D(2028, 2, 29), "36—40 岁"),  # leap-day birthday on a leap day: 36
    (D(1992, 3, 1), D(2028, 2, 29), "35 岁及以下"),  # 35 the day before their birthday
    (D(1992, 2, 28), D(2028, 2, 28), "36—40 岁"),
    (D(1993, 2, 28), D(2028, 2, 29), "35 岁及以下"),
    (D(1991, 2, 28), D(2027, 3, 1), "36—40 岁"),  # on 03-01 of a common year
    (D(1992, 2, 29), D(2028, 2, 28), "35 岁及以下"),  # the day before a leap birthday
    (D(1990, 12, 31), D(2027, 1, 1), "36—40 岁"),  # year turn: 36 the day after
    (D(1991, 1, 1), D(2026, 12, 31), "35 岁及以下"),  # 35 on the year's last day
])
def test_age_band_on_leap_days_and_year_turns(make, birth, day, band):
    unit = make.unit()
    make.official(name="甲", birth=birth, unit_obj=unit)
    fig = _fig(unit, day)
    assert _row(fig["age"], band)["count"] == 1
    assert fig["average_age"] == age_on(birth, day)


@pytest.mark.parametrize("start, day, band", [
    (D(2024, 2, 29), D(2027, 2, 28), "1—2 年"),  # a leap-day start, common year: 2 years
    (D(2024, 2, 29), D(2027, 3, 1), "3—4 年"),  # 3 on 03-01
    (D(2023, 2, 28), D(2028, 2, 29), "5—9 年"),
    (D(2025, 12, 31), D(2026, 12, 31), "1—2 年"),  # a year to the day
    (D(2026, 1, 1), D(2026, 12, 31), "不满 1 年"),
])
def test_years_in_post_on_leap_days_and_year_turns(make, start, day, band):
    unit = make.unit()
    make.post(make.official(unit_obj=unit), unit, start=start)
    assert _row(_fig(unit, day)["tenure"], band)["count"] == 1


def test_open_ended_values_are_rows_of_their_own(make):
    """Values outside the report's fixed lists (a minority ethnicity, an unusual rank or
    gender code) get rows of their own, after the fixed ones; blanks count as 未填写."""
    unit = make.unit()
    made = [make.official(unit_obj=unit, **kw) for kw in (
        dict(ethnicity="回族", rank="试用人员", gender="F"),
        dict(ethnicity="回族", rank="正处级", gender="M"),
        dict(ethnicity="", rank="试用人员", gender="M"),
        dict(ethnicity="壮族", rank="", gender="M"))]
    # Codes the form no longer offers, as imported records may hold (bypassing validation).
    for official, gender in ((made[2], "X"), (made[3], "")):
        db.session.execute(update(Official).where(Official.id == official.id)
                           .values(gender=gender))
    db.session.expire_all()
    fig = _fig(unit, D(2026, 12, 3))
    assert [(r["label"], r["count"]) for r in fig["ethnicity"]] == [("汉族", 0)] + sorted(
        [("回族", 2), ("壮族", 1), ("未填写", 1)])
    assert [(r["label"], r["count"]) for r in fig["rank"]] == [
        ("正处级", 1), ("未填写", 1), ("试用人员", 2)]
    assert {r["label"]: r["count"] for r in fig["gender"]} == {"男": 1, "女": 1, "X": 1,
                                                               "未填写": 1}
    assert fig["minority"] == 3 and fig["female"] == 1


def test_figures_by_every_dimension(make):
    unit = make.unit()
    day = D(2026, 12, 3)
    people = [
        dict(name="甲", gender="F", ethnicity="回族", political_status="中共党员",
             edu_fulltime="大学", edu_inservice="研究生", rank="正处级"),
        dict(name="乙", gender="M", ethnicity="汉族", political_status="民主党派",
             democratic_party="民建", party_date=None, edu_fulltime="研究生", rank="副处级"),
        dict(name="丙", gender="M", ethnicity="汉族", political_status="",
             party_date=None, edu_fulltime="", edu_inservice="大学", rank="正处级"),
        dict(name="丁", gender="F", ethnicity="汉族", political_status="无党派人士",
             party_date=None, edu_fulltime="大专", rank=""),
    ]
    for i, kw in enumerate(people):
        make.official(birth=D(1980 + i, 5, 1), unit_obj=unit, **kw)
    fig = _fig(unit, day)
    assert fig["total"] == 4 and fig["female"] == 2 and fig["female_share"] == 50.0
    assert fig["minority"] == 1 and fig["minority_share"] == 25.0
    assert [(r["label"], r["count"]) for r in fig["gender"]] == [("男", 2), ("女", 2)]
    politics = {r["label"]: r["count"] for r in fig["politics"]}
    assert politics == {"中共党员": 1, "民主党派": 1, "无党派人士": 1, "群众": 0, "未填写": 1}
    full = {r["label"]: r["count"] for r in fig["education_fulltime"]}
    assert full["大学"] == 1 and full["研究生"] == 1 and full["大专"] == 1 and full["未填写"] == 1
    highest = {r["label"]: r["count"] for r in fig["education_highest"]}
    assert highest["研究生"] == 2 and highest["大学"] == 1 and highest["大专"] == 1
    assert [(r["label"], r["count"]) for r in fig["rank"]] == [
        ("正处级", 2), ("副处级", 1), ("未填写", 1)]
    assert fig["average_age"] == pytest.approx((46 + 45 + 44 + 43) / 4, abs=0.05)
    assert sum(r["share"] for r in fig["age"]) == pytest.approx(100, abs=0.2)


@pytest.mark.parametrize("fulltime, inservice, full, highest", [
    ("大学专科", "", "大专", "大专"),  # 专科, not 大学
    ("大学专科", "大学本科", "大专", "大学"),
    ("大学本科", "硕士", "大学", "研究生"),  # 硕士 is 研究生 level
    ("中等专科", "省委党校大学", "中专", "大学"),
    ("初中", "", "初中及以下", "初中及以下"),
    ("高中", "中央党校研究生", "高中", "研究生"),
    ("", "在职研究生", "未填写", "研究生"),
    ("", "", "未填写", "未填写"),
    ("不详", "", "不详", "不详"),  # legacy text naming no level: shown as written
    ("", "不详", "未填写", "不详"),  # the highest of two naming no level: the written one
    ("博士研究生", "博士后", "研究生", "研究生"),
])
def test_education_levels_read_as_the_forms_read_them(make, fulltime, inservice, full, highest):
    unit = make.unit()
    o = make.official(unit_obj=unit)
    db.session.execute(update(Official).where(Official.id == o.id).values(
        edu_fulltime=fulltime, edu_inservice=inservice))  # past the form's check (legacy)
    fig = _fig(unit, D(2026, 12, 3))
    for key, label in (("education_fulltime", full), ("education_highest", highest)):
        assert _row(fig[key], label)["count"] == 1
        assert sum(r["count"] for r in fig[key]) == 1


def test_deleted_officials_and_other_units_are_not_counted(make):
    unit, other = make.unit(), make.unit(name="别区")
    make.official(name="在", unit_obj=unit)
    make.official(name="删", unit_obj=unit).soft_delete()
    make.official(name="外", unit_obj=other)
    assert _fig(unit, D(2026, 1, 1))["total"] == 1


@pytest.mark.parametrize("birth, work_start, day, counted", [
    (D(2000, 2, 29), None, D(2000, 2, 29), True),  # born on the day (a leap day)
    (D(2000, 2, 29), None, D(2000, 2, 28), False),  # not yet born: no negative age
    (D(1990, 1, 1), D(2012, 8, 1), D(2012, 8, 1), True),  # started work on the day
    (D(1990, 1, 1), D(2012, 8, 1), D(2012, 7, 31), False),  # the day before
    (D(1990, 1, 1), D(2013, 1, 1), D(2012, 12, 31), False),  # year turn
    (D(1990, 1, 1), None, D(2012, 12, 31), True),  # 参加工作时间 not recorded
])
def test_a_past_date_leaves_out_who_had_not_yet_started(make, birth, work_start, day, counted):
    unit = make.unit()
    make.official(name="老", birth=D(1960, 5, 31), unit_obj=unit, work_start_date=D(1980, 1, 1))
    late = make.official(name="新", birth=birth, unit_obj=unit, work_start_date=work_start,
                         party_date=None)
    if work_start:  # a result of the year before the day (not for the newborn)
        make.result(late, day.year - 1, "excellent")
    make.post(late, unit, start=day if counted else day + dt.timedelta(days=1))
    fig = _fig(unit, day)
    assert fig["total"] == 1 + counted
    ages = [age_on(D(1960, 5, 31), day)] + ([age_on(birth, day)] if counted else [])
    assert fig["average_age"] == round(sum(ages) / len(ages), 1)
    assert sum(r["count"] for r in fig["age"]) == fig["total"]
    excellent = {g["year"]: _row(g["rows"], "优秀")["count"] for g in fig["grades"]}
    assert excellent.get(day.year - 1, 0) == 0 or counted
    assert "已参加工作" in fig["basis"]
    teams = queries.team_checks(queries.Scope(unit_id=unit.id), day, team_rules())
    assert sum(t["members"] for t in teams) == (1 if counted else 0)


def test_unit_scope_includes_sub_units_and_team_scope_only_post_holders(make):
    city = make.unit(name="市", kind="city")
    county = make.unit(name="县", parent=city)
    town = make.unit(name="镇", parent=county, kind="zone")
    a = make.official(name="县甲", unit_obj=county)
    make.official(name="镇乙", unit_obj=town)
    day = D(2026, 6, 30)
    assert _fig(city, day)["total"] == 2
    assert _fig(county, day)["total"] == 2
    assert _fig(town, day)["total"] == 1
    b = make.official(name="班子丙", unit_obj=town)
    make.post(a, county, start=D(2020, 1, 1), end=day)  # ends on the day: still held
    make.post(b, county, start=D(2020, 1, 1), end=day - dt.timedelta(days=1))  # ended
    c = make.official(name="新任丁", unit_obj=town)
    make.post(c, county, start=day)  # starts on the day: held
    make.post(make.official(name="未到戊", unit_obj=town), county, start=day + dt.timedelta(days=1))
    team = _fig(county, day, team=True)
    assert team["total"] == 2


@pytest.mark.parametrize("start, band", [
    (D(2021, 12, 3), "5—9 年"), (D(2021, 12, 4), "3—4 年"), (D(2026, 12, 3), "不满 1 年"),
    (D(2016, 12, 3), "10 年及以上"), (D(2016, 12, 4), "5—9 年"), (D(2024, 2, 29), "1—2 年"),
])
def test_years_in_current_post(make, start, band):
    unit = make.unit()
    o = make.official(unit_obj=unit)
    make.post(o, unit, start=start)
    make.post(o, unit, start=D(2000, 1, 1), end=start - dt.timedelta(days=1), title="旧职")
    fig = _fig(unit, D(2026, 12, 3))
    assert _row(fig["tenure"], band)["count"] == 1
    assert sum(r["count"] for r in fig["tenure"]) == 1


def test_official_without_a_current_post_is_counted_as_such(make):
    unit = make.unit()
    make.official(unit_obj=unit)
    assert _row(_fig(unit, D(2026, 12, 3))["tenure"], queries.NO_POST)["count"] == 1


@pytest.mark.parametrize("day, years", [
    (D(2026, 3, 30), [2022, 2023, 2024]),  # 2025 not yet concluded
    (D(2026, 3, 31), [2023, 2024, 2025]),  # concludes on the day
    (D(2026, 1, 1), [2022, 2023, 2024]),
])
def test_grades_follow_the_assessment_window(make, day, years):
    unit = make.unit()
    a, b = make.official(name="甲", unit_obj=unit), make.official(name="乙", unit_obj=unit)
    for year in range(2022, 2026):
        make.result(a, year, "excellent" if year % 2 else "competent")
    make.result(b, 2024, "basically_competent")
    fig = _fig(unit, day)
    assert [g["year"] for g in fig["grades"]] == years
    by_year = {g["year"]: {r["label"]: r["count"] for r in g["rows"]} for g in fig["grades"]}
    assert by_year[2024] == {"优秀": 0, "称职": 1, "基本称职": 1, "不称职": 0, "未录入": 0}
    assert by_year[2023]["优秀"] == 1 and by_year[2023]["未录入"] == 1


def test_empty_unit_has_zero_figures(make):
    fig = _fig(make.unit(), D(2026, 12, 3))
    assert fig["total"] == 0 and fig["average_age"] is None and fig["female_share"] == 0.0
    assert all(r["count"] == 0 and r["share"] == 0.0 for r in fig["age"])


def _team(make, county, *people):
    for name, gender, birth, politics in people:
        o = make.official(name=name, gender=gender, birth=birth, unit_obj=county,
                          political_status=politics,
                          democratic_party="民建" if politics == "民主党派" else "",
                          party_date=D(2000, 1, 1) if politics.startswith("中共") else None)
        make.post(o, county, start=D(2022, 1, 1))


def test_team_checks_list_what_a_team_misses(make):
    county = make.unit(name="甲县", kind="county")
    dept = make.unit(name="乙局", kind="department")
    _team(make, county, ("老一", "M", D(1970, 1, 1), "中共党员"),
          ("老二", "M", D(1972, 1, 1), ""))  # unrecorded affiliation is not 党外
    _team(make, dept, ("少一", "F", D(1990, 1, 1), "中共党员"))
    day = D(2026, 12, 3)
    found = {t["unit"]: t["missing"] for t in
             queries.team_checks(queries.Scope(), day, team_rules())}
    assert found["甲县"] == ["无 40 岁以下干部", "无女干部", "无党外干部"]
    assert "乙局" not in found  # a department needs no 党外 member by default
    settings.set_value("stats.team_non_ccp", "全部班子")
    settings.set_value("stats.team_young_under", "36")
    found = {t["unit"]: t["missing"] for t in
             queries.team_checks(queries.Scope(), day, team_rules())}
    assert found["乙局"] == ["无 36 岁以下干部", "无党外干部"]  # born 1990-01-01: 36
    assert found["甲县"][0] == "无 36 岁以下干部"


def test_team_member_turning_40_on_the_day_is_no_longer_young(make):
    county = make.unit(name="丙县", kind="county")
    _team(make, county, ("将满", "F", D(1986, 12, 3), "无党派人士"))
    on_birthday = queries.team_checks(queries.Scope(), D(2026, 12, 3), team_rules())
    day_before = queries.team_checks(queries.Scope(), D(2026, 12, 2), team_rules())
    assert [t["missing"] for t in on_birthday if t["unit"] == "丙县"] == [["无 40 岁以下干部"]]
    assert not [t for t in day_before if t["unit"] == "丙县"]


# ---------------------------------------------------------------- page, files, API


@pytest.fixture
def county(make):
    unit = make.unit(name="统计县", kind="county")
    _team(make, unit, ("赵一", "F", D(1985, 6, 1), "中共党员"),
          ("钱二", "M", D(1968, 6, 1), "民主党派"))
    make.commit()
    return unit


def test_page_shows_charts_and_the_same_figures(auth, county):
    client = auth.as_role("organization")
    page = client.get(f"/stats/?scope=unit&unit_id={county.id}&as_of=2026-12-03")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count("<svg") == 9  # eight distributions and the grades
    assert "干部 2 人，平均年龄 49.5 岁" in text(page)
    assert "统计日期时已参加工作的在册干部，按现所在单位归属" in text(page)
    assert "1 人（50.0%）" in body  # a bar's label


def test_page_refuses_a_unit_scope_without_a_unit(auth):
    page = auth.as_role("organization").get("/stats/?scope=unit&unit_id=")
    assert page.status_code == 400
    assert "按单位或班子统计时请选择单位" in text(page)


@pytest.mark.parametrize("query, field", [
    ("unit_id=abc", "unit_id"), ("unit_id=0", "unit_id"), ("as_of=2026-02-30", "as_of"),
    ("as_of=0001-01-01", "as_of"), ("as_of=9999-12-31", "as_of"),
])
def test_api_refuses_bad_parameters_with_json(auth, query, field):
    response = auth.as_role("organization").get(f"/api/v1/statistics?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_api_matches_the_service(auth, county, ctx):
    response = auth.as_role("organization").get(
        f"/api/v1/statistics?unit_id={county.id}&as_of=2026-12-03")
    data = response.get_json()
    assert data["total"] == 2 and data["unit_id"] == county.id
    expected = queries.figures(queries.Scope(unit_id=county.id), D(2026, 12, 3))
    assert {k: data[k] for k in expected} == expected
    assert auth.as_role("organization").get("/api/v1/statistics?unit_id=999999").status_code == 404


def test_excel_holds_every_section(auth, county):
    response = auth.as_role("organization").get(
        f"/stats/report.xlsx?scope=unit&unit_id={county.id}&as_of=2026-12-03")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    rows = [r for r in wb["结构分析"].iter_rows(values_only=True)]
    assert ("女", 1, 50.0) in rows and ("民主党派", 1, 50.0) in rows
    assert ("年龄结构", "人数", "占比（%）") in rows


def test_pdf_reads_as_the_report(auth, county):
    response = auth.as_role("organization").get(
        f"/stats/report.pdf?scope=team&unit_id={county.id}&as_of=2026-12-03")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    words = "".join(flat(page) for page in page_texts(response.data))
    assert "干部队伍结构分析" in words and "统计县·单位班子" in words
    assert "政治面貌" in words and "民主党派" in words
    assert "统计日期在该单位担任班子职务的干部" in words


# ---------------------------------------------------------------- 花名册


@pytest.fixture
def staff(make):
    unit = make.unit(name="花名区")
    a = make.official(name="张花", unit_obj=unit, gender="F", political_status="中共党员",
                      edu_fulltime="大学", degree_fulltime="学士")
    b = make.official(name="张名", unit_obj=unit, birth=D(1980, 2, 29), political_status="民主党派",
                      democratic_party="九三学社", party_date=None, rank="副处级")
    make.result(a, 2024, "excellent")
    make.commit()
    return unit, a, b


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_roster_excel_has_the_chosen_columns_in_order(auth, staff, today):
    unit, a, _b = staff
    client = auth.as_role("organization")
    rows = _sheet(client.get(f"/officials/roster.xlsx?q=张&unit_id={unit.id}"
                             "&col=unit&col=name&col=grades&col=bogus&col=party"))
    years = roster.window_years(today)
    assert rows[1] == ("序号", "姓名", "入党时间", "单位", *[f"{y}年度考核" for y in years])
    by_name = {r[1]: r for r in rows[2:]}
    assert set(by_name) == {"张花", "张名"}
    assert by_name["张名"][2] == "九三学社" and by_name["张名"][3] == "花名区"
    graded = dict(zip(years, by_name["张花"][4:]))
    if 2024 in graded:
        assert graded[2024] == "优秀"
    assert all(g == "未录入" for y, g in graded.items() if y != 2024)


@pytest.mark.parametrize("role, shown", [("organization", "full"), ("discipline", "masked")])
def test_roster_id_numbers_follow_the_reader(auth, staff, role, shown):
    _unit, a, _b = staff
    rows = _sheet(auth.as_role(role).get("/officials/roster.xlsx?q=张花&col=name&col=id_number"))
    assert rows[2][2] == (a.id_number if shown == "full" else a.id_number_masked)


def test_roster_pdf_prints_every_row(auth, staff):
    response = auth.as_role("organization").get("/officials/roster.pdf?q=张&col=name&col=age"
                                                "&col=politics")
    assert response.status_code == 200
    words = "".join(flat(page) for page in page_texts(response.data))
    assert "干部花名册" in words and "共2人" in words
    assert "张花" in words and "张名" in words and "民主党派" in words


def test_roster_without_columns_or_over_the_limit_is_refused(auth, staff, monkeypatch):
    client = auth.as_role("organization")
    page = client.get("/officials/roster.xlsx?q=张")
    assert page.status_code == 200 and "请至少选择一列" in text(page)
    monkeypatch.setattr(roster, "PDF_MAX_ROWS", 1)
    page = client.get("/officials/roster.pdf?q=张&col=name")
    assert page.status_code == 400 and "查询结果有 2 人，超过打印上限 1 人" in text(page)


def test_roster_page_keeps_the_search_and_leaves_out_recused(auth, staff, ctx):
    _unit, a, _b = staff
    client = auth.as_role("organization")
    page = client.get("/officials/roster?q=张")
    body = page.get_data(as_text=True)
    assert "当前查询共 2 人" in text(page) and 'name="q" value="张"' in body
    from kaohe.auth.models import User
    from kaohe.extensions import db
    user = db.session.query(User).filter_by(username="organization").one()
    user.official_id = a.id
    db.session.commit()
    rows = _sheet(client.get("/officials/roster.xlsx?q=张&col=name"))
    assert [r[1] for r in rows[2:]] == ["张名"]


def test_team_is_the_principal_and_leadership_ranks(make, ctx):
    county = make.unit(name="班子县", kind="county")
    day = D(2026, 12, 3)
    for name, rank, principal in (("书记", "正科级", True), ("副县长", "副处级", False),
                                  ("科长", "正科级", False), ("调研员", "一级调研员", False)):
        make.post(make.official(name=name, unit_obj=county), county, start=D(2022, 1, 1),
                  rank=rank, principal=principal)
    from kaohe.stats.rules import team_ranks

    def members():
        return queries.figures(queries.Scope(unit_id=county.id, team=True,
                                             team_ranks=team_ranks()), day)["total"]

    assert members() == 2  # the principal whatever his rank, and the 副处级 deputy
    settings.set_value("stats.team_lowest_rank", "副科级")
    assert members() == 3  # the 正科级 section chief too; a 职级 (调研员) never
    found = queries.team_checks(queries.Scope(unit_id=county.id, team=True), day, team_rules())
    assert [t["members"] for t in found] == [3]


@pytest.mark.parametrize("count, share", [(287, 95.7), (100_000, 100.0), (0, 0.0), (1, 0.1)])
def test_chart_values_fit_beside_the_longest_bar(count, share):
    """The value text after the longest bar ends inside the chart (it was cut off at
    「287 人（95.7%」)."""
    from kaohe.stats import svg

    rows = [{"label": "汉族", "count": count, "share": share},
            {"label": "少数民族（含未识别民族）", "count": count // 3, "share": 0.0}]
    chart = str(svg.bars("民族", rows))
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', chart).group(1))
    for x, value in re.findall(r'<text x="([\d.]+)"[^>]*fill="#334155">([^<]+)</text>', chart):
        assert float(x) + svg.text_width(value) <= width, value
    assert f"{count} 人（{share}%）" in chart
