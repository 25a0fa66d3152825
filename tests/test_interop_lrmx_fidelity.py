"""LRMX faithful to the specification (issue 13.2): every element kept through import and
export, in the shapes real generators write, at the specification's boundaries."""
from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop import lrmx_export
from kaohe.interop.lrmx_parse import parse
from kaohe.interop.lrmx_photo import is_export_of
from kaohe.interop.lrmx_spec import PERSON
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.officials.models import Official, Post
from tests.helpers import PNG, table_counts, text
from tests.interop_support import lrmx_upload
from tests.lrmx_shapes import RESUME, document, fields, is_jpeg_of

BIRTH = dt.date(1975, 3, 8)
SHAPES = ("owip", "editor", "bom", "br", "escaped_br")
FILLED = dt.date(2026, 12, 2)  # the documents' 填表时间; 计算年龄时间 is the day before


@pytest.fixture
def units(make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    ndrc = make.unit(name="发展和改革委员会", kind="department", parent=city, code="FG")
    finance = make.unit(name="市财政局", kind="department", parent=city, code="CZ")
    district = make.unit(name="东城区", kind="county", parent=city, code="DC")
    make.commit()
    return city, ndrc, finance, district


def _values(make, **overrides) -> dict[str, str]:
    return fields(ShenFenZheng=overrides.pop("number", None) or make.id_number(BIRTH), **overrides)


def _official(number) -> Official:
    return db.session.scalar(select(Official).where(Official.id_number == number))


def _sheet(o) -> AppointmentSheet:
    return db.session.scalar(select(AppointmentSheet).where(AppointmentSheet.official_id == o.id))


def _members(o) -> list[FamilyMember]:
    return db.session.scalars(select(FamilyMember).where(FamilyMember.official_id == o.id)
                              .order_by(FamilyMember.sort_order)).all()


@pytest.mark.parametrize("shape", SHAPES)
def test_every_field_survives_import_and_export(auth, make, units, shape):
    values = _values(make, Version="3.2.1.6" if shape == "owip" else "3.2.1.16")
    data = document(shape, values)
    client = auth.as_role("organization")
    page = text(lrmx_upload(client, data))
    assert "已新增干部李明华" in page, page
    o = _official(values["ShenFenZheng"])
    # The texts older imports collapsed or refused are kept as written.
    assert (o.political_status, o.party_date, o.democratic_party) == (
        "中共党员", dt.date(1995, 6, 1), "民建")
    assert (o.edu_fulltime, o.degree_fulltime, o.edu_inservice, o.degree_inservice) == (
        "大学本科", "经济学学士", "省委党校研究生", "管理学硕士")
    sheet = _sheet(o)
    assert (sheet.reporting_unit, sheet.filled_by, sheet.format_version) == (
        "中共江州市委组织部", "王干事", values["Version"])
    assert (sheet.age_reference_date, sheet.filled_on) == (dt.date(2026, 12, 1), FILLED)
    assert sheet.annual_results == values["NianDuKaoHeJieGuo"]
    assert sheet.resume.split("\n") == RESUME  # <br/>, CR LF: the same five lines
    assert [(m.birth_date, m.birth_day_known) for m in _members(o)] == [
        (dt.date(1976, 2, 29), True), (dt.date(2002, 5, 1), False), (None, False)]
    # No result recorded yet: the kept text differs, and the import page says where.
    assert "2024年度：任免审批表写“优秀”，系统中没有该年度的年度考核结果。" in page
    assert "按原文保存的项目" in page and "省委党校研究生 管理学硕士" in page
    for year, grade in ((2023, "competent"), (2024, "excellent"), (2025, "competent")):
        make.result(o, year, grade)
    make.commit()
    # No as_of: the recorded 计算年龄时间 and 填表时间 are exported, whatever day it is.
    response = client.get(f"/interop/officials/{o.id}.lrmx")
    exported, original = parse(response.data), parse(data)
    assert exported.fields.keys() == {e.name for e in PERSON}
    for element in PERSON:
        if element.name != "ZhaoPian":
            assert exported.get(element.name) == original.get(element.name), element.name
    assert is_jpeg_of(exported.get("ZhaoPian"), PNG)  # the spec's base64 JPEG
    assert exported.members == original.members
    # The file is in the specification's order, with the family after 任免理由.
    tags = re.findall(rb"<(\w+)>", response.data)
    top = [t.decode() for t in tags if t.decode() in {e.name for e in PERSON}
           or t == b"JiaTingChengYuan"]
    assert top.index("JiaTingChengYuan") == top.index("RenMianLiYou") + 1
    # What was exported imports back without a change.
    before = table_counts()
    assert "文件内容与系统记录相同，未作改动" in text(lrmx_upload(client, response.data))
    assert table_counts() == before


def test_posts_from_a_br_resume(auth, make, units):
    _city, ndrc, finance, _district = units
    values = _values(make)
    lrmx_upload(auth.as_role("organization"), document("br", values))
    posts = db.session.scalars(select(Post).where(
        Post.official_id == _official(values["ShenFenZheng"]).id).order_by(Post.start_date)).all()
    assert [(p.unit_id, p.title, p.start_date, p.end_date) for p in posts] == [
        (finance.id, "江州市财政局科员、副科长、科长", dt.date(1996, 7, 1), dt.date(2012, 1, 1)),
        (ndrc.id, "江州市发展和改革委员会副主任", dt.date(2012, 1, 1), dt.date(2016, 5, 1)),
        (ndrc.id, "江州市发展和改革委员会主任", dt.date(2016, 5, 1), None)]


@pytest.mark.parametrize("text_, status, date, party", [
    ("199506", "中共党员", dt.date(1995, 6, 1), ""),
    ("1995.06", "中共党员", dt.date(1995, 6, 1), ""),
    ("民建", "民主党派", None, "民建"),
    ("九三", "民主党派", None, "九三学社"),
    ("中国农工民主党", "民主党派", None, "农工党"),
    ("199506；民建", "中共党员", dt.date(1995, 6, 1), "民建"),
    ("无党派人士", "无党派人士", None, ""),
    ("", "群众", None, ""),
])
def test_party_texts_are_imported_and_exported(auth, make, units, text_, status, date, party):
    values = _values(make, RuDangShiJian=text_)
    page = text(lrmx_upload(auth.as_role("organization"), document("owip", values)))
    assert "已新增干部李明华" in page
    o = _official(values["ShenFenZheng"])
    assert (o.political_status, o.party_date, o.democratic_party) == (status, date, party)
    assert ("政治面貌按“群众”导入" in page) is (text_ == "")
    expected = {"1995.06": "199506", "九三": "九三学社", "中国农工民主党": "农工党"}.get(text_, text_)
    assert parse(lrmx_export.export_lrmx(o, full_id=True)).get("RuDangShiJian") == expected


def test_reimport_keeps_what_the_form_does_not_say(auth, make, units):
    """A probationary member and a 民主党派 joining date are not on the form: kept."""
    values = _values(make, RuDangShiJian="202602；民进")
    client = auth.as_role("organization")
    lrmx_upload(client, document("owip", values))
    o = _official(values["ShenFenZheng"])
    o.political_status, o.democratic_party_date = "中共预备党员", dt.date(2010, 3, 1)
    make.commit()
    assert "未作改动" in text(lrmx_upload(client, document("owip", values)))
    db.session.refresh(o)
    assert (o.political_status, o.democratic_party, o.democratic_party_date) == (
        "中共预备党员", "民进", dt.date(2010, 3, 1))


@pytest.mark.parametrize("element, limit", [
    ("XianRenZhiWu", 324), ("NiRenZhiWu", 324), ("NiMianZhiWu", 324),
    ("ZhuanYeJiShuZhiWu", 90), ("ShuXiZhuanYeYouHeZhuanChang", 110),
    ("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", 90), ("JiangChengQingKuang", 552),
    ("RenMianLiYou", 552), ("ChengBaoDanWei", 252), ("TianBiaoRen", 18), ("ChuShengDi", 18),
])
def test_lengths_follow_the_specification(auth, make, units, element, limit):
    number = make.id_number(BIRTH)
    client = auth.as_role("organization")
    before = table_counts()
    over = text(lrmx_upload(client, document("owip", _values(make, number=number,
                                                             **{element: "长" * (limit + 1)}))))
    assert f"不能超过 {limit} 个字（现有 {limit + 1} 个）。" in over and "未导入任何内容" in over
    assert table_counts() == before
    assert "已新增干部" in text(lrmx_upload(client, document(
        "owip", _values(make, number=number, **{element: "长" * limit}))))
    o = _official(number)
    kept = {"XianRenZhiWu": o.current_post}.get(element) or parse(
        lrmx_export.export_lrmx(o, full_id=True)).get(element)
    assert kept == "长" * limit


@pytest.mark.parametrize("member_birth, stored, day_known, exported", [
    ("19760229", dt.date(1976, 2, 29), True, "19760229"),
    ("197602", dt.date(1976, 2, 1), False, "197602"),
    ("1976.02", dt.date(1976, 2, 1), False, "197602"),
    ("20001231", dt.date(2000, 12, 31), True, "20001231"),
    ("", None, False, ""),
])
def test_family_birth_dates_keep_their_precision(auth, make, units, member_birth, stored,
                                                 day_known, exported):
    values = _values(make)
    members = [("妻子", "张丽", member_birth, "群众", "无")]
    lrmx_upload(auth.as_role("organization"), document("owip", values, members))
    o = _official(values["ShenFenZheng"])
    (member,) = _members(o)
    assert (member.birth_date, member.birth_day_known) == (stored, day_known)
    assert parse(lrmx_export.export_lrmx(o, full_id=True)).members[0]["ChuShengRiQi"] == exported


@pytest.mark.parametrize("element, value", [
    ("JiSuanNianLingShiJian", "20250229"),  # not a leap year
    ("TianBiaoShiJian", "20261301"),
    ("CanJiaGongZuoShiJian", "1996"),
])
def test_bad_dates_are_refused(auth, make, units, element, value):
    client = auth.as_role("organization")
    before = table_counts()
    page = text(lrmx_upload(client, document("owip", _values(make, **{element: value}))))
    assert f"日期“{value}”无法识别" in page and table_counts() == before


def test_bad_family_date_is_refused(auth, make, units):
    client = auth.as_role("organization")
    before = table_counts()
    page = text(lrmx_upload(client, document(
        "owip", _values(make), [("妻子", "张丽", "19750229", "群众", "无")])))
    assert "家庭成员第 1 项（张丽）" in page and "出生日期“19750229”无法识别" in page
    assert table_counts() == before


def test_empty_elements_and_a_huge_resume(auth, make, units):
    """Empty optional elements import as empty; a 简历 of 3 000 lines is kept whole."""
    lines = [f"{1900 + i // 12:04d}.{i % 12 + 1:02d}--{1900 + (i + 1) // 12:04d}."
             f"{(i + 1) % 12 + 1:02d}  第{i}段经历" for i in range(3000)]
    empty = {e.name: "" for e in PERSON if e.name not in (
        "XingMing", "XingBie", "ChuShengNianYue", "MinZu", "ShenFenZheng")}
    values = _values(make, **{**empty, "JianLi": "\n".join(lines)})
    page = text(lrmx_upload(auth.as_role("organization"), document("editor", values)))
    assert "已新增干部李明华" in page
    o = _official(values["ShenFenZheng"])
    assert _sheet(o).resume.split("\n") == lines
    assert (o.political_status, o.edu_fulltime, o.degree_fulltime) == ("群众", "", "")
    assert parse(lrmx_export.export_lrmx(o, full_id=True)).get("JianLi").split("\n") == lines


def test_annual_results_differences_on_the_profile(auth, make, units):
    values = _values(make)
    client = auth.as_role("organization")
    lrmx_upload(client, document("owip", values))
    o = _official(values["ShenFenZheng"])
    make.result(o, 2023, "competent")
    make.result(o, 2024, "competent")
    make.commit()
    page = text(client.get(f"/officials/{o.id}"))
    assert "2024年度：任免审批表写“优秀”，系统记录为“称职”。" in page
    assert "2025年度：任免审批表写“称职”，系统中没有该年度的年度考核结果。" in page
    assert "2023年度：" not in page  # the same on both
    assert "政治面貌</dt><dd>中共党员（民建）" in page and "入党时间</dt><dd>1995.06；民建" in page
    # The export writes the recorded results, in the form's wording.
    exported = parse(client.get(f"/interop/officials/{o.id}.lrmx?as_of=2026-12-01").data)
    assert exported.get("NianDuKaoHeJieGuo") == (
        "2023年度考核称职；2024年度考核称职；2025年度考核结果未录入。")


def test_download_name_is_rfc_6266_with_a_readable_ascii_fallback(auth, make, units):
    o = make.official(name="王建国")
    make.commit()
    response = auth.as_role("organization").get(f"/interop/officials/{o.id}.lrmx")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="wangjianguo_ganburenmianshenpibiao.lrmx"; '
        "filename*=UTF-8''%E7%8E%8B%E5%BB%BA%E5%9B%BD_%E5%B9%B2%E9%83%A8%E4%BB%BB%E5%85%8D"
        "%E5%AE%A1%E6%89%B9%E8%A1%A8.lrmx")


@pytest.mark.parametrize("recorded, as_of, age_date, filled", [
    ({"JiSuanNianLingShiJian": "20240229", "TianBiaoShiJian": "20240301"}, None,
     "20240229", "20240301"),
    ({"JiSuanNianLingShiJian": "20241231", "TianBiaoShiJian": "20250101"}, "2025-02-28",
     "20250228", "20250101"),  # an explicit as_of wins for 计算年龄时间 only
    ({"JiSuanNianLingShiJian": "", "TianBiaoShiJian": ""}, None, None, None),  # today
])
def test_recorded_dates_are_exported(auth, make, units, recorded, as_of, age_date, filled):
    values = _values(make, **recorded)
    client = auth.as_role("organization")
    lrmx_upload(client, document("owip", values))
    o = _official(values["ShenFenZheng"])
    query = f"?as_of={as_of}" if as_of else ""
    exported = parse(client.get(f"/interop/officials/{o.id}.lrmx{query}").data)
    today = f"{clock.today():%Y%m%d}"
    assert exported.get("JiSuanNianLingShiJian") == (age_date or today)
    assert exported.get("TianBiaoShiJian") == (filled or today)
    page = text(client.get(f"/interop/officials/{o.id}/lrmx{query}"))
    assert f"<dd>{age_date or today}</dd>" in page


@pytest.mark.parametrize("mode, colour, expected", [
    ("RGBA", (255, 0, 0, 0), (255, 255, 255)),  # transparent: white, as on paper
    ("RGBA", (0, 0, 255, 255), (0, 0, 255)),
    ("RGB", (0, 128, 0), (0, 128, 0)),
    ("L", 0, (0, 0, 0)),
])
def test_png_photo_is_exported_as_jpeg(make, mode, colour, expected):
    out = io.BytesIO()
    Image.new(mode, (40, 60), colour).save(out, "PNG")
    o = make.official(name="王建国")
    o.photo, o.photo_mime = out.getvalue(), "image/png"
    make.commit()
    data = base64.b64decode(parse(lrmx_export.export_lrmx(o, full_id=True)).get("ZhaoPian"))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (40, 60)
        pixel = image.convert("RGB").getpixel((20, 30))
    assert all(abs(a - b) <= 8 for a, b in zip(pixel, expected)), pixel
    assert is_export_of(data, o.photo) and not is_export_of(data, PNG)


def test_a_jpeg_photo_is_exported_as_stored(make):
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 20, 30)).save(out, "JPEG")
    o = make.official(name="王建国")
    o.photo, o.photo_mime = out.getvalue(), "image/jpeg"
    make.commit()
    exported = parse(lrmx_export.export_lrmx(o, full_id=True)).get("ZhaoPian")
    assert base64.b64decode(exported) == out.getvalue()
