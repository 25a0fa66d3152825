"""Political affiliation and education as written, through the officials form, the profile,
the Excel officials sheet, the API and the demo (issue 13.2)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from kaohe.extensions import db
from kaohe.interop.lrmx_check import check_fields
from kaohe.interop.lrmx_export import export_fields
from kaohe.officials.models import DEMOCRATIC_PARTIES, Official
from kaohe.officials.politics import check_affiliation
from tests.helpers import build_world, field_errors, select_options, table_counts, text
from tests.interop_support import official_row, sheet_rows, upload, workbook
from tests.test_records import official_form

NEW = "/officials/new"


def _created(name="李明") -> Official:
    return db.session.scalar(select(Official).where(Official.name == name))


def test_form_offers_the_affiliation_without_preselection(client, auth):
    build_world()
    auth.login()
    page = text(client.get(NEW))
    options = select_options(page, "political_status")
    assert [v for v, _label, _sel in options] == [
        "", "中共党员", "中共预备党员", "民主党派", "无党派人士", "群众"]
    assert [label for _v, label, sel in options if sel] in ([], ["（未记录）"])  # none chosen
    assert [v for v, _l, _s in select_options(page, "democratic_party")] == ["", *DEMOCRATIC_PARTIES]
    assert 'list="education-options"' in page and '<option value="省委党校研究生">' in page


@pytest.mark.parametrize("changes, shown", [
    ({"political_status": "中共党员", "party_date": "1995-06-01"}, "1995.06"),
    ({"political_status": "中共党员", "party_date": "1995-06-01", "democratic_party": "民建",
      "democratic_party_date": "2003-01-01"}, "1995.06；民建"),
    ({"political_status": "民主党派", "party_date": "", "democratic_party": "九三学社",
      "democratic_party_date": "2004-02-29"}, "九三学社"),
    ({"political_status": "无党派人士", "party_date": ""}, "无党派人士"),
    ({"political_status": "群众", "party_date": ""}, "—"),
])
def test_form_saves_each_affiliation_and_the_profile_shows_it(client, auth, changes, shown):
    world = build_world()
    auth.login()
    data = {**official_form(world.district.id, edu_fulltime="省委党校研究生",
                            degree_fulltime="管理学硕士"), **changes}
    response = client.post(NEW, data=data)
    assert response.status_code == 302, text(response)
    o = _created()
    assert o.political_status == changes["political_status"]
    assert o.democratic_party == changes.get("democratic_party", "")
    page = text(client.get(response.location))
    assert f"<dt>入党时间</dt><dd>{shown}</dd>" in page
    assert f"<dt>政治面貌</dt><dd>{changes['political_status']}" in page
    assert "省委党校研究生 管理学硕士" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"political_status": "中共党员", "party_date": ""}, "party_date", "中共党员须填写入党时间。"),
    ({"political_status": "民主党派", "party_date": ""}, "democratic_party",
     "民主党派成员须选择所在党派。"),
    ({"political_status": "无党派人士", "party_date": "", "democratic_party": "民盟"},
     "democratic_party", "政治面貌为“无党派人士”时不能填写民主党派。"),
    ({"political_status": "民主党派", "democratic_party": "民盟", "democratic_party_date": "1979-01-01"},
     "party_date", "只有中共党员（含预备党员）填写入党时间；同时是民主党派成员的，政治面貌选“中共党员”。"),
    ({"political_status": "民主党派", "party_date": "", "democratic_party": "民盟",
      "democratic_party_date": "1980-05-06"}, "democratic_party_date", "加入民主党派时间应晚于出生日期。"),
    ({"political_status": "共青团员"}, "political_status", "不是有效的选择。"),
    ({"democratic_party": "民主党"}, "democratic_party", "不是有效的选择。"),
    ({"degree_inservice": "学士学历"}, "degree_inservice",
     "学位应为学士、硕士或博士学位并写明学科，如“经济学学士”“管理学硕士”；没有学位填“无”。"),
    ({"edu_inservice": "长" * 55}, "edu_inservice", "字段长度不能超过 54 个字符。"),
])
def test_form_refuses_inconsistent_affiliations_next_to_the_field(client, auth, changes, field,
                                                                   message):
    world = build_world()
    auth.login()
    before = table_counts()
    response = client.post(NEW, data={**official_form(world.district.id), **changes})
    assert response.status_code == 200
    assert field_errors(text(response), field) == [message]
    assert table_counts() == before


def test_excel_sheet_reads_and_writes_the_affiliation(auth, make):
    build_world()
    client = auth.as_role("organization")
    n1, n2, n3 = (make.id_number(dt.date(1975, 3, 8)) for _ in range(3))
    rows = [official_row("周文", n1, 政治面貌="民主党派", 入党时间="", 民主党派="九三",
                         加入民主党派时间="2003.05", 全日制学历="大学本科", 全日制学位="经济学学士"),
            official_row("李秀英", n2, 性别="女", 政治面貌="无党派", 入党时间=""),
            official_row("赵三", n3, 在职学历="中央党校研究生", 在职学位="无")]
    page = text(upload(client, "officials", workbook("officials", rows)))
    assert "新增 3 条" in page, page
    wang, li, zhao = (db.session.scalar(select(Official).where(Official.id_number == n))
                      for n in (n1, n2, n3))
    assert (wang.political_status, wang.democratic_party, wang.democratic_party_date,
            wang.degree_fulltime) == ("民主党派", "九三学社", dt.date(2003, 5, 1), "经济学学士")
    assert (li.political_status, li.party_date) == ("无党派人士", None)
    assert (zhao.political_status, zhao.edu_inservice, zhao.degree_inservice) == (
        "中共党员", "中央党校研究生", "无")
    exported = sheet_rows(client.get("/interop/export/officials.xlsx").data)
    header = exported[0]
    wang_row = next(r for r in exported[1:] if r[0] == "周文")
    assert wang_row[header.index("政治面貌")] == "民主党派"
    assert wang_row[header.index("民主党派")] == "九三学社"
    bad = [official_row("钱四", make.id_number(dt.date(1980, 1, 1)), 政治面貌="民主党派",
                        入党时间="")]
    page = text(upload(client, "officials", workbook("officials", bad)))
    assert "民主党派成员须选择所在党派。" in page and "未导入" in page


def test_api_shows_the_affiliation(client, auth, make):
    o = make.official(name="王建国", political_status="中共党员", party_date=dt.date(1995, 6, 1),
                      democratic_party="民建", democratic_party_date=dt.date(2003, 1, 1))
    make.commit()
    auth.as_role("organization")
    body = client.get(f"/api/v1/officials/{o.id}").get_json()
    assert (body["political_status"], body["party_date"], body["democratic_party"],
            body["democratic_party_date"], body["party_text"]) == (
        "中共党员", "1995-06-01", "民建", "2003-01-01", "1995.06；民建")


def test_demo_has_a_realistic_mix(app, runner):
    result = runner.invoke(args=["seed-demo", "--officials", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        officials = db.session.scalars(select(Official)).all()
        statuses = Counter(o.political_status for o in officials)
        assert statuses["中共党员"] + statuses["中共预备党员"] > len(officials) * 0.8
        assert statuses["民主党派"] >= 1 and statuses["无党派人士"] + statuses["群众"] >= 1
        for o in officials:
            errors: dict[str, str] = {}
            check_affiliation({k: getattr(o, k) for k in (
                "political_status", "party_date", "democratic_party", "democratic_party_date")},
                errors)
            assert errors == {}, (o.name, errors)
            fields, members = export_fields(o, full_id=True)
            problems = {p.label for p in check_fields(fields, members)}
            assert not problems & {"全日制教育学位", "在职教育学位", "全日制教育学历", "在职教育学历",
                                   "入党时间"}, (o.name, o.degree_fulltime, problems)
