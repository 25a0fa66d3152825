"""LRMX appointment forms (issue 8): import, export, résumé parsing, hostile files."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop import lrmx_export
from kaohe.interop.lrmx_parse import LrmxRefused, parse, parse_month, resume_lines
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.officials.models import Official, Post
from tests.helpers import PNG, table_counts, text
from tests.interop_support import lrmx_document, lrmx_upload
from tests.lrmx_shapes import is_jpeg_of

BIRTH = dt.date(1975, 3, 8)


@pytest.fixture
def units(make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    ndrc = make.unit(name="发展和改革委员会", kind="department", parent=city, code="FG")
    finance = make.unit(name="市财政局", kind="department", parent=city, code="CZ")
    district = make.unit(name="东城区", kind="county", parent=city, code="DC")
    make.commit()
    return city, ndrc, finance, district


def _doc(make, **kw) -> tuple[bytes, str]:
    number = kw.pop("number", None) or make.id_number(BIRTH)
    return lrmx_document(ShenFenZheng=number, **kw).encode("utf-8"), number


def _official(number):
    return db.session.scalar(select(Official).where(Official.id_number == number))


def test_import_creates_official_family_and_posts(auth, make, units):
    _city, ndrc, finance, _district = units
    data, number = _doc(make, ZhaoPian=base64.b64encode(PNG).decode())
    page = text(lrmx_upload(auth.as_role("organization"), data))
    assert "已新增干部李明华" in page and "任职经历：新增 3 条" in page
    o = _official(number)
    assert (o.name, o.gender, o.birth_date, o.ethnicity, o.native_place) == (
        "李明华", "M", BIRTH, "汉族", "浙江杭州")
    assert o.party_date == dt.date(1998, 7, 1) and o.work_start_date == dt.date(1996, 8, 1)
    assert (o.political_status, o.democratic_party) == ("中共党员", "")
    # 学位 keeps its discipline: nothing is collapsed to a category.
    assert (o.edu_fulltime, o.degree_fulltime, o.school_fulltime) == (
        "大学", "经济学学士", "浙江大学经济学专业")
    assert (o.edu_inservice, o.degree_inservice) == ("研究生", "管理学硕士")
    assert o.current_post == "江州市发展和改革委员会主任" and o.unit_id == ndrc.id
    assert o.photo == PNG and o.photo_mime == "image/png"
    posts = sorted(db.session.scalars(select(Post).where(Post.official_id == o.id)),
                   key=lambda p: p.start_date)
    assert [(p.unit_id, p.title, p.start_date, p.end_date) for p in posts] == [
        (finance.id, "江州市财政局科员、副科长、科长", dt.date(1996, 8, 1), dt.date(2012, 1, 1)),
        (ndrc.id, "江州市发展和改革委员会副主任", dt.date(2012, 1, 1), dt.date(2016, 5, 1)),
        (ndrc.id, "江州市发展和改革委员会主任", dt.date(2016, 5, 1), None)]
    members = db.session.scalars(select(FamilyMember).where(FamilyMember.official_id == o.id)
                                 .order_by(FamilyMember.sort_order)).all()
    assert [(m.relation, m.name, m.birth_date, m.political_status, m.work) for m in members] == [
        ("妻子", "张丽", dt.date(1976, 1, 1), "中共党员", "江州市第一中学教师"),
        ("儿子", "李浩", dt.date(2002, 5, 1), "共青团员", "浙江大学学生")]
    sheet = db.session.scalar(select(AppointmentSheet).where(AppointmentSheet.official_id == o.id))
    assert (sheet.birth_place, sheet.health, sheet.proposed_post, sheet.reason) == (
        "浙江宁波", "健康", "东城区区长", "工作需要")
    # Unmatched résumé lines are listed, not invented.
    assert "浙江大学经济学专业学习" in page and "在省委党校中青班学习" in page
    assert "未找到与之对应的系统单位" in page


def test_reimport_is_idempotent_and_update_matches_by_id(auth, make, units):
    data, number = _doc(make)
    client = auth.as_role("organization")
    lrmx_upload(client, data)
    before = table_counts()
    page = text(lrmx_upload(client, data))
    assert "文件内容与系统记录相同，未作改动" in page
    assert table_counts() == before
    changed, _ = _doc(make, number=number, XianRenZhiWu="东城区区长",
                      _members=[("妻子", "张丽", "197601", "中共党员", "江州市教育局")])
    lrmx_upload(client, changed)
    o = _official(number)
    assert o.current_post == "东城区区长"
    members = db.session.scalars(select(FamilyMember).where(FamilyMember.official_id == o.id)).all()
    assert [(m.name, m.work) for m in members] == [("张丽", "江州市教育局")]  # 李浩 withdrawn
    assert db.session.scalar(select(Official).where(Official.id_number == number)).id == o.id


def test_round_trip_keeps_the_fields(auth, make, units, monkeypatch):
    data, number = _doc(make, ZhaoPian=base64.b64encode(PNG).decode())
    client = auth.as_role("organization")
    lrmx_upload(client, data)
    o = _official(number)
    make.result(o, 2017, grade="competent")
    make.result(o, 2018, grade="excellent")
    make.result(o, 2019, grade="competent")
    make.result(o, 2019, grade="excellent", kind="quarterly", quarter=2)
    make.commit()
    with monkeypatch.context() as m:  # 年度考核结果 lists the window on the export date
        m.setattr(clock, "today", lambda: dt.date(2020, 4, 10))
        response = client.get(f"/interop/officials/{o.id}.lrmx")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert "attachment" in response.headers["Content-Disposition"]
    original, exported = parse(data), parse(response.data)
    for name, value in original.fields.items():
        if name in ("NianDuKaoHeJieGuo", "ZhaoPian"):
            continue
        assert exported.get(name) == value, name
    assert is_jpeg_of(exported.get("ZhaoPian"), PNG)  # the spec's base64 JPEG
    assert exported.get("NianDuKaoHeJieGuo") == "2017年度考核称职；2018年度考核优秀；2019年度考核称职。"
    assert exported.members == original.members


def test_export_masks_id_for_discipline_and_refuses_reviewer(auth, make, units, client):
    o = make.official(name="王建国")
    make.commit()
    page = text(auth.as_role("discipline").get(f"/interop/officials/{o.id}.lrmx"))
    assert f"<ShenFenZheng>{o.id_number_masked}</ShenFenZheng>" in page and o.id_number not in page
    auth.logout()
    response = auth.as_role("reviewer").get(f"/interop/officials/{o.id}.lrmx")
    assert response.status_code == 403 and "王建国" not in text(response)


def test_export_generates_resume_from_posts(make, units):
    _city, ndrc, _finance, district = units
    o = make.official(name="王建国")
    make.post(o, ndrc, start=dt.date(2012, 1, 1), end=dt.date(2016, 5, 1), title="副主任")
    make.post(o, district, start=dt.date(2016, 5, 1), title="东城区区长")
    doc = parse(lrmx_export.export_lrmx(o, full_id=True))
    assert doc.get("JianLi").splitlines() == [
        "2012.01--2016.05  发展和改革委员会副主任", "2016.05--       东城区区长"]


def test_resume_parsing():
    lines = resume_lines("1992.09--1996.07  浙江大学学习\n\n 2012.1-2016.5 市财政局局长\n"
                         "2016.05—至今 东城区区长\n（其间：进修）\n2016.13--2017.01  坏日期")
    assert [(x.number, x.start, x.end, x.position) for x in lines] == [
        (1, dt.date(1992, 9, 1), dt.date(1996, 7, 1), "浙江大学学习"),
        (3, dt.date(2012, 1, 1), dt.date(2016, 5, 1), "市财政局局长"),
        (4, dt.date(2016, 5, 1), None, "东城区区长"),
        (5, None, None, ""),
        (6, None, None, "")]


def test_parse_month():
    assert parse_month("197503") == dt.date(1975, 3, 1)
    assert parse_month("1975.03") == parse_month("1975-3") == dt.date(1975, 3, 1)
    assert parse_month("1975年3月8日") == dt.date(1975, 3, 8)
    assert parse_month("") is None
    for bad in ("1975", "197513", "不详", "20250230"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_unknown_dates_and_bad_fields_are_reported(auth, make, units):
    data, number = _doc(make, RuDangShiJian="不详", XingBie="未知", ChuShengNianYue="198001",
                        _members=[("妻子", "张丽", "19761", "", "")])
    client = auth.as_role("organization")
    before = table_counts()
    page = text(lrmx_upload(client, data))
    assert "未导入任何内容" in page
    assert "入党时间“不详”中的“不详”无法识别" in page
    assert "性别“未知”应为男或女。" in page
    assert "出生年月与身份证号中的出生日期不一致。" in page
    assert table_counts() == before and _official(number) is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Person><XingMing>&lol3;</XingMing></Person>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Person><XingMing>&xxe;</XingMing></Person>"""


@pytest.mark.parametrize("data,message", [
    (BILLION_LAUGHS, "DTD 或实体声明"),
    (XXE, "DTD 或实体声明"),
    (b"<Person><XingMing>x</XingMing>", "不是格式正确的 XML"),
    (b"<Root/>", "根元素应为 Person"),
    ('<?xml version="1.0" encoding="UTF-8"?><Person><XingMing>李明</XingMing></Person>'
     .encode("gbk"), "不是有效的 UTF-8 编码"),
    (b'<?xml version="1.0" encoding="EBCDIC-XYZ"?><Person/>', "不支持文件声明的编码"),
    (b"", "文件为空"),
    (b"<Person>" + b" " * (4 * 1024 * 1024) + b"</Person>", "文件过大"),
])
def test_hostile_and_broken_files_are_refused(auth, make, data, message):
    with pytest.raises(LrmxRefused) as exc:
        parse(data)
    assert message in str(exc.value)
    client = auth.as_role("organization")
    before = table_counts()
    response = lrmx_upload(client, data)
    assert message in text(response) and table_counts() == before


def test_gb18030_declared_file_is_read(make, units):
    number = make.id_number(BIRTH)
    doc = lrmx_document(ShenFenZheng=number).replace('encoding="UTF-8"', 'encoding="GB2312"')
    person = parse(doc.encode("gb18030"))
    assert person.get("XingMing") == "李明华" and len(person.members) == 2


def test_import_refused_to_non_writers(auth, make, units):
    data, _number = _doc(make)
    client = auth.as_role("discipline")
    before = table_counts()
    assert lrmx_upload(client, data).status_code == 403
    assert table_counts() == before


def test_dry_run(auth, make, units):
    data, number = _doc(make)
    client = auth.as_role("organization")
    before = table_counts()
    assert "校验通过，本次只校验，未导入" in text(lrmx_upload(client, data, dry_run=True))
    assert table_counts() == before


@pytest.mark.parametrize("as_of, post, lines", [
    # The handover day: the old post's last day is still held, the new one begins.
    (dt.date(2016, 5, 1), "发展和改革委员会副主任、东城区区长",
     ["2012.01--       发展和改革委员会副主任", "2016.05--       东城区区长"]),
    (dt.date(2016, 4, 30), "发展和改革委员会副主任", ["2012.01--       发展和改革委员会副主任"]),
    (dt.date(2016, 5, 2), "东城区区长",  # posts unchanged since: the recorded text
     ["2012.01--2016.05  发展和改革委员会副主任", "2016.05--       东城区区长"]),
])
def test_export_on_a_past_day_says_the_post_and_resume_of_that_day(make, units, as_of, post,
                                                                   lines):
    """计算年龄时间 in the past: 现任职务 and 简历 as on that day (as the printed form says
    them), not today's beside that day's ages and 年度考核结果."""
    _city, ndrc, _finance, district = units
    o = make.official(name="王建国", current_post="东城区区长")
    make.post(o, ndrc, start=dt.date(2012, 1, 1), end=dt.date(2016, 5, 1), title="副主任")
    make.post(o, district, start=dt.date(2016, 5, 1), title="东城区区长")
    doc = parse(lrmx_export.export_lrmx(o, full_id=True, as_of=as_of))
    assert doc.get("JiSuanNianLingShiJian") == f"{as_of:%Y%m%d}"
    assert doc.get("XianRenZhiWu") == post
    assert doc.get("JianLi").splitlines() == lines
