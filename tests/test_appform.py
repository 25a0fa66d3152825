"""The printed 干部任免审批表: what is printed where, ages, 续页, fonts, determinism."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kaohe.appform import services
from kaohe.core.errors import ValidationFailed
from kaohe.dossier.glyphs import MissingGlyphError
from kaohe.extensions import db
from kaohe.interop.models import AppointmentSheet
from tests import factories
from tests.appform_support import (D, column, find, flat, full_official, image_count, member,
                                   pages, sheet, words)

SIZES = ("A4", "B5")
AS_OF = D(2026, 12, 3)


@pytest.mark.parametrize("size", SIZES)
def test_every_field_is_printed_on_its_page(make, size):
    o = full_official()
    for year, grade in ((2023, "competent"), (2024, "excellent"), (2025, "competent")):
        make.result(o, year, grade=grade)
    pdf = services.official_form(o, AS_OF, size, today=AS_OF)
    one, two = (flat(p) for p in pages(pdf))
    for fact in ("干部任免审批表", "姓名", "王建国", "性别", "男", "出生年月", "1975.03", "（51岁）",
                 "民族", "汉族", "籍贯", "浙江杭州", "出生地", "入党", "1998.07", "参加工",
                 "1996.08", "健康", "专业技", "高级经济师", "熟悉专业有何专长", "财政金融管理",
                 "全日制", "大学", "经济学学士", "浙江大学经济系", "浙江大学经济学院", "在职",
                 "研究生", "管理学硕士", "中共浙江省委党校经济管理专业", "毕业院校",
                 "现任职务", "东城区区长", "拟任职务", "东城区委书记", "拟免职务", "东城区区长职务",
                 "简", "历", "2016.01--"):
        assert fact in one, fact
    for fact in ("2019年被评为全省优秀公务员。",
                 "2023年度考核称职；2024年度考核优秀；2025年度考核称职。", "工作需要。",
                 "称谓", "姓名", "年龄", "政治面貌", "工作单位及职务", "妻子", "李梅", "49",
                 "东城区第一中学教师", "父亲", "王大山", "已去世", "中共测试市委组织部",
                 "2026年12月03日", "（盖章）", "年月日", "填表人：刘科长"):
        assert flat(fact) in two, fact
    assert image_count(pdf) == 1  # the photo
    ws = words(pdf)
    assert column(ws, find(ws, "简", 1)) == "简历"
    assert column(ws, find(ws, "奖", 2)) == "奖惩情况年度考核结果任免理由家庭主要成员及重要社会关系" \
        "呈报单位审批机关意见"
    assert column(ws, find(ws, "行政", 2)) == "行政机关任免意见"


@pytest.mark.parametrize("size", SIZES)
def test_values_sit_beside_their_labels(make, size):
    o = full_official()
    ws = words(services.official_form(o, AS_OF, size, today=AS_OF))
    label, name = find(ws, "姓名", 1), find(ws, "王建国", 1)
    assert abs(label.y0 - name.y0) < 3 and name.x0 > label.x1  # same row, to the right
    birth, age = find(ws, "1975.03", 1), find(ws, "51岁", 1)
    assert age.y0 > birth.y1 - 1 and abs((age.x0 + age.x1) - (birth.x0 + birth.x1)) < 30
    current, proposed = find(ws, "东城区区长", 1), find(ws, "东城区委书记", 1)
    assert proposed.y0 > current.y0  # 拟任 under 现任
    unit, date = find(ws, "中共测试市委组织部", 2), find(ws, "2026年12月03日", 2)
    assert date.y0 > unit.y0 and abs(date.x1 - unit.x1) < 5  # right-aligned, date below
    filler = find(ws, "填表人", 2)
    assert filler.y0 > date.y0  # below the grid


@pytest.mark.parametrize("birth,as_of,age", [
    (D(1975, 3, 8), D(2026, 3, 7), 50), (D(1975, 3, 8), D(2026, 3, 8), 51),
    (D(1975, 3, 8), D(2026, 3, 9), 51),
    (D(1976, 2, 29), D(2025, 2, 28), 48), (D(1976, 2, 29), D(2025, 3, 1), 49),
    (D(1976, 2, 29), D(2024, 2, 28), 47), (D(1976, 2, 29), D(2024, 2, 29), 48),
    (D(1980, 1, 1), D(2025, 12, 31), 45), (D(1980, 1, 1), D(2026, 1, 1), 46),
    (D(1980, 12, 31), D(2026, 12, 30), 45), (D(1980, 12, 31), D(2026, 12, 31), 46),
])
def test_age_on_the_reference_date(make, birth, as_of, age):
    o = factories.official(birth=birth)
    text = flat(pages(services.official_form(o, as_of, today=AS_OF))[0])
    assert f"{birth.year}.{birth.month:02d}（{age}岁）" in text


@pytest.mark.parametrize("born,day_known,as_of,age", [
    (D(1950, 6, 15), True, D(2026, 6, 14), "75"), (D(1950, 6, 15), True, D(2026, 6, 15), "76"),
    (D(1950, 6, 1), False, D(2026, 5, 31), "75"), (D(1950, 6, 1), False, D(2026, 6, 1), "76"),
    (D(1952, 2, 29), True, D(2026, 2, 28), "73"), (D(1952, 2, 29), True, D(2026, 3, 1), "74"),
])
def test_family_ages_on_the_reference_date(make, born, day_known, as_of, age):
    o = factories.official()
    member(o, "母亲", "张兰", born, day_known=day_known, status="群众", work="退休")
    ws = words(services.official_form(o, as_of, today=AS_OF))
    name, shown = find(ws, "张兰", 2), find(ws, "退休", 2)
    ages = [w.text for w in ws if w.page == 2 and abs(w.y0 - name.y0) < 3
            and name.x1 < w.x0 < shown.x0 and w.text.isdigit()]
    assert ages == [age]


@pytest.mark.parametrize("relation,name,work", [
    ("父亲", "王大山", "已去世"), ("父亲（已去世）", "王大山", ""), ("父亲", "王大山（已故）", "")])
def test_deceased_members_have_no_age(make, relation, name, work):
    o = factories.official()
    member(o, relation, name, D(1940, 1, 1), work=work)
    page = flat(pages(services.official_form(o, AS_OF, today=AS_OF))[1])
    assert "王大山" in page and ("去世" in page or "已故" in page)
    assert "86" not in page  # the age he would have


@pytest.mark.parametrize("as_of,listed,absent", [
    (D(2027, 3, 30), "2023年度考核称职；2024年度考核优秀；2025年度考核称职。", "2026年度"),
    (D(2027, 3, 31), "2024年度考核优秀；2025年度考核称职；2026年度考核结果未录入。", "2023年度"),
    (D(2026, 12, 31), "2023年度考核称职；2024年度考核优秀；2025年度考核称职。", "2026年度"),
    (D(2027, 1, 1), "2023年度考核称职；2024年度考核优秀；2025年度考核称职。", "2026年度"),
])
def test_annual_results_follow_the_window_on_the_reference_date(make, as_of, listed, absent):
    o = factories.official()
    for year, grade in ((2023, "competent"), (2024, "excellent"), (2025, "competent")):
        make.result(o, year, grade=grade)
    page = flat(pages(services.official_form(o, as_of, today=as_of))[1])
    assert flat(listed) in page and absent not in page


def test_an_empty_record_prints_two_pages_without_photo_or_sheet(make):
    o = factories.official(name="林一", current_post="", party_date=None,
                           work_start_date=None)
    pdf = services.official_form(o, AS_OF, today=AS_OF)
    one, two = pages(pdf)
    assert "林一" in one and "（51岁）" in flat(one) and "续页" not in one + two
    assert "无" not in two  # 奖惩情况 not recorded: blank, not a "无" nobody wrote
    assert image_count(pdf) == 0


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lines", [80, 400])
def test_huge_resume_continues_on_attached_sheets_with_every_line(make, size, lines):
    o = factories.official()
    resume = "\n".join(f"{1900 + n}.09--{1901 + n}.07  第{n}号岗位某某市某某区某某街道办事处"
                       f"科员、副主任科员，负责综合协调工作（第{n}行）" for n in range(lines))
    sheet(o, resume=resume + "\n（其间：1990.09--1993.07在省委党校在职研究生班学习）")
    text = pages(services.official_form(o, AS_OF, size, today=AS_OF))
    assert len(text) > 3
    assert "（转续页）" in flat(text[0])
    for sheet_page in text[2:]:
        assert "干部任免审批表（续页）" in flat(sheet_page) and "姓名：王建国" in flat(sheet_page)
    assert "简历（续）" in flat(text[2])
    everything = re.sub(r"（转续页）|干部任免审批表（续页）姓名：王建国续页第\d+页(简历（续）)?", "",
                        flat("".join(text[:1] + text[2:])))
    at = 0
    for n in range(lines):  # every line, in order
        at = everything.index(flat(f"第{n}号岗位某某市某某区某某街道办事处科员、副主任科员，"
                                   f"负责综合协调工作（第{n}行）"), at)
    assert everything.index(flat("（其间：1990.09--1993.07在省委党校在职研究生班学习）")) > at


@pytest.mark.parametrize("length,shrunk,continued", [
    (20, False, False), (40, True, False), (60, True, False), (324, True, True)])
def test_long_cells_shrink_then_wrap_then_continue(make, length, shrunk, continued):
    text = ("东城区委常委、副区长，区政府党组成员" * 20)[:length - 1] + "终"
    o = factories.official(current_post=text)
    pdf = services.official_form(o, AS_OF, today=AS_OF)
    got = pages(pdf)
    assert (len(got) > 2) == continued
    first = flat(got[0])
    shown = max(k for k in range(length + 1) if text[:k] in first)
    if continued:
        assert shown < length and "（转续页）" in first
        rest = flat("".join(got[2:]))
        assert "现任职务（续）" in rest and text[shown:] in rest  # nothing lost
    else:
        assert shown == length
    ws = [w for w in words(pdf) if w.page == 1]
    name, value = find(ws, "王建国"), find(ws, text[:6])
    assert (value.height < name.height - 0.5) == shrunk


def _numbered(length: int) -> str:
    return "".join(f"第{n}项" for n in range(length))[:length]


@pytest.mark.parametrize("where,field,heading,page,length", [
    ("official", "native_place", "籍贯", 1, 64),
    ("official", "school_fulltime", "全日制教育学历毕业院校系及专业", 1, 100),
    ("sheet", "specialty", "熟悉专业有何专长", 1, 200),
    ("sheet", "proposed_post", "拟任职务", 1, 324),
    ("sheet", "rewards", "奖惩情况", 2, 3000),
    ("sheet", "reason", "任免理由", 2, 3000),
    ("sheet", "reporting_unit", "呈报单位", 2, 252),
    ("family", "work", "家庭主要成员及重要社会关系·张三·工作单位及职务", 2, 200),
])
def test_no_cell_is_ever_cut(make, where, field, heading, page, length):
    text = _numbered(length)
    o = factories.official(**({field: text} if where == "official" else {}))
    if where == "sheet":
        sheet(o, **{field: text})
    if where == "family":
        member(o, "兄弟", "张三", D(1970, 1, 1), work=text)
    got = pages(services.official_form(o, AS_OF, today=AS_OF), raw=True)
    cell = flat(got[page - 1])
    shown = max(k for k in range(length + 1) if text[:k] in cell)
    assert shown < length and text[:shown] + "（转续页）" in cell
    rest = re.sub(r"干部任免审批表（续页）姓名：王建国续页第\d+页", "", flat("".join(got[2:])))
    assert rest.startswith(f"{heading}（续）")
    assert text[shown:] in rest.replace(f"{heading}（续）", "")  # named on every page it runs on


def test_many_family_members_continue_on_the_attached_sheet(make):
    o = factories.official()
    for n in range(10):
        member(o, "亲属", f"成员{n:02d}", D(1960 + n, 1, 1), work=f"单位{n:02d}", order=n)
    got = pages(services.official_form(o, AS_OF, today=AS_OF))
    assert "其余4人（转续页）" in flat(got[1])
    assert "家庭主要成员及重要社会关系（续）" in flat(got[2])
    everything = flat("".join(got))
    for n in range(10):
        assert f"成员{n:02d}" in everything and f"单位{n:02d}" in everything


def test_extension_b_name_is_drawn(make):
    o = factories.official(name="王𠀀")
    member(o, "儿子", "王𪚥", D(2001, 1, 1))
    got = pages(services.official_form(o, AS_OF, today=AS_OF))
    assert "王𠀀" in got[0] and "王𪚥" in got[1]


@pytest.mark.parametrize("where", ["name", "resume", "family"])
def test_a_character_no_font_has_is_refused_in_chinese(make, where):
    bad = "\U00030000"  # CJK Extension G: no installed font has it
    o = factories.official(name="王" + bad if where == "name" else "王建国")
    if where == "resume":
        sheet(o, resume=f"2001.09--2005.07  {bad}大学")
    if where == "family":
        member(o, "儿子", "王" + bad, D(2001, 1, 1))
    with pytest.raises(MissingGlyphError) as exc:
        services.official_form(o, AS_OF, today=AS_OF)
    assert "U+30000" in str(exc.value.errors)


def test_same_input_same_bytes(make):
    o = full_official()
    first = services.official_form(o, AS_OF, today=AS_OF)
    db.session.expire_all()
    assert services.official_form(o, AS_OF, today=AS_OF) == first
    assert services.official_form(o, AS_OF, "B5", today=AS_OF) != first


@pytest.mark.parametrize("as_of,size,field", [
    (D(1975, 3, 7), "A4", "as_of"), (AS_OF + dt.timedelta(days=367), "A4", "as_of"),
    (AS_OF, "A3", "size"),
])
def test_refused_requests_say_why(make, as_of, size, field):
    o = factories.official(birth=D(1975, 3, 8))
    with pytest.raises(ValidationFailed) as exc:
        services.official_form(o, as_of, size, today=AS_OF)
    assert list(exc.value.errors) == [field]


def test_birth_day_and_last_allowed_day_are_accepted(make):
    o = factories.official(birth=D(1975, 3, 8))
    assert "（0岁）" in flat(pages(services.official_form(o, D(1975, 3, 8), today=AS_OF))[0])
    last = services.official_form(o, AS_OF + dt.timedelta(days=366), today=AS_OF)
    assert "（52岁）" in flat(pages(last)[0])  # born 1975-03-08, on 2027-12-04


def test_the_recorded_fill_date_is_printed_as_in_the_lrmx_export(make):
    o = full_official()
    o_sheet = db.session.scalar(select(AppointmentSheet).filter_by(official_id=o.id))
    for recorded, printed in ((None, "2026年12月03日"), (D(2026, 2, 28), "2026年02月28日"),
                              (D(2024, 2, 29), "2024年02月29日")):
        o_sheet.filled_on = recorded
        db.session.flush()
        two = flat(pages(services.official_form(o, AS_OF, "A4", today=AS_OF))[1])
        assert printed in two and (recorded is None or "2026年12月03日" not in two), recorded


def test_a_past_reference_date_shows_the_resume_as_it_stood(make):
    o = full_official()
    unit = factories.unit(name="西城区", kind="county")
    factories.post(o, unit, start=D(2026, 6, 1), title="西城区委书记", principal=True)
    now = flat(pages(services.official_form(o, AS_OF, "A4", today=AS_OF))[0])
    assert "西城区委书记" in now and "2026.06--" in now
    then = flat(pages(services.official_form(o, D(2026, 5, 31), "A4", today=AS_OF))[0])
    assert "西城区委书记" not in then and "2016.01--" in then and "2026.06--" not in then
    # 现任职务 as the dossier of that day says it: the post held then, the unit said once.
    assert "现任职务东城区区长拟任" in then and "东城区东城区" not in then
