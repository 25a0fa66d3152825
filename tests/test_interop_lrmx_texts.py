"""The texts the 任免审批表 shares with the printed form: 年度考核结果 and 简历."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.assessments.wording import annual_results_text
from kaohe.extensions import db
from kaohe.interop.lrmx_parse import resume_line, resume_lines
from kaohe.interop.models import AppointmentSheet
from kaohe.interop.resume import post_position, resume_text

D = dt.date


@pytest.fixture
def units(make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    ndrc = make.unit(name="发展和改革委员会", kind="department", parent=city, code="FG")
    finance = make.unit(name="市财政局", kind="department", parent=city, code="CZ")
    district = make.unit(name="东城区", kind="county", parent=city, code="DC")
    return city, ndrc, finance, district


@pytest.mark.parametrize("as_of, expected", [
    # 2019 concludes on 2020-03-31: the day before, the window ends with 2018.
    (D(2020, 3, 30), "2016年度考核基本称职；2017年度考核优秀；2018年度考核结果未录入。"),
    (D(2020, 3, 31), "2017年度考核优秀；2018年度考核结果未录入；2019年度考核称职。"),
    (D(2020, 12, 31), "2017年度考核优秀；2018年度考核结果未录入；2019年度考核称职。"),
    (D(2021, 1, 1), "2017年度考核优秀；2018年度考核结果未录入；2019年度考核称职。"),
    (D(2021, 3, 31), "2018年度考核结果未录入；2019年度考核称职；2020年度考核不称职。"),
])
def test_annual_results_text_is_the_window(make, as_of, expected):
    o = make.official(work_start_date=D(1996, 8, 1))
    for year, grade in ((2015, "competent"), (2016, "basically_competent"),
                        (2017, "excellent"), (2019, "competent"), (2020, "incompetent")):
        make.result(o, year, grade)
    assert annual_results_text(o, as_of) == expected


def test_annual_results_text_deleted_result_and_late_start(make):
    o = make.official(birth=D(1998, 2, 28), work_start_date=D(2024, 7, 1),
                      party_date=None)
    r = make.result(o, 2024, "competent")
    assert annual_results_text(o, D(2025, 4, 1)) == (
        "2022年度未参加考核（2024.07参加工作）；2023年度未参加考核（2024.07参加工作）；"
        "2024年度考核称职。")
    r.soft_delete()
    assert annual_results_text(o, D(2025, 4, 1)).endswith("；2024年度考核结果未录入。")


@pytest.mark.parametrize("unit_index, title, expected", [
    (1, "副主任", "发展和改革委员会副主任"),
    (1, "江州市发展和改革委员会主任", "江州市发展和改革委员会主任"),
    (1, "发展和改革委员会党组书记、主任", "发展和改革委员会党组书记、主任"),
    (1, "改革委员会副主任", "发展和改革委员会副主任"),  # the end of the name, said once
    (2, "副局长", "市财政局副局长"),
    (2, "财政局副局长", "市财政局副局长"),
    (2, "江州市财政局科员、副科长、科长", "江州市财政局科员、副科长、科长"),
    (2, "市财政局局长", "市财政局局长"),
    (3, "东城区区长", "东城区区长"),
    (3, "区长", "东城区区长"),
    (3, "区委副书记、区长", "东城区委副书记、区长"),
    (3, "江州市委副秘书长（挂职）", "江州市委副秘书长（挂职）"),
])
def test_post_position_says_the_unit_once(units, unit_index, title, expected):
    assert post_position(units[unit_index], title) == expected


def test_resume_text_from_posts_and_written(make, units):
    _city, ndrc, finance, district = units
    o = make.official()
    make.post(o, finance, start=D(1996, 8, 1), end=D(2012, 1, 1), title="江州市财政局科员")
    make.post(o, ndrc, start=D(2012, 1, 1), end=D(2016, 5, 1), title="副主任")
    make.post(o, district, start=D(2016, 5, 1), title="东城区区长")
    assert resume_text(o).split("\n") == [
        "1996.08--2012.01  江州市财政局科员",
        "2012.01--2016.05  发展和改革委员会副主任",
        "2016.05--       东城区区长"]
    assert resume_text(o, AppointmentSheet(resume="  \n")) == resume_text(o)
    # As the form read on a day: later posts left out, the one it fell in still open.
    for until, lines in ((D(2016, 4, 30), ["1996.08--2012.01  江州市财政局科员",
                                           "2012.01--       发展和改革委员会副主任"]),
                         (D(2016, 5, 1), ["1996.08--2012.01  江州市财政局科员",
                                          "2012.01--       发展和改革委员会副主任",
                                          "2016.05--       东城区区长"]),
                         (D(2016, 5, 2), resume_text(o).split("\n")),
                         # The handover day: the old post's last day, the new one's first.
                         (D(2012, 1, 1), ["1996.08--       江州市财政局科员",
                                          "2012.01--       发展和改革委员会副主任"]),
                         (D(2012, 1, 2), ["1996.08--2012.01  江州市财政局科员",
                                          "2012.01--       发展和改革委员会副主任"]),
                         (D(1996, 7, 31), [""])):
        assert resume_text(o, until=until).split("\n") == lines, until
    written = "1992.09--1996.07  浙江大学学习\r\n2016.05--         东城区区长"
    assert resume_text(o, AppointmentSheet(resume=written)) == written


def test_resume_text_leaves_out_a_deleted_post(make, units):
    """However the official was loaded (here: created in the session, where the
    relationship is not filtered by the soft-delete criteria)."""
    _city, ndrc, _finance, district = units
    o = make.official()
    make.post(o, ndrc, start=D(2012, 1, 1), end=D(2016, 5, 1), title="副主任")
    gone = make.post(o, district, start=D(2016, 5, 1), title="东城区区长")
    gone.soft_delete()
    db.session.flush()
    db.session.expire_all()
    for until in (None, D(2016, 5, 1)):
        assert "东城区区长" not in resume_text(o, until=until)
        assert resume_text(o, until=until).startswith("2012.01--")


def test_resume_text_without_posts_is_empty(make):
    assert resume_text(make.official()) == ""


@pytest.mark.parametrize("spaces", [0, 1, 2, 7, 9, 20])
def test_open_line_is_written_with_seven_spaces_and_read_with_any(spaces):
    assert resume_line(D(2016, 5, 1), None, "东城区区长") == "2016.05--       东城区区长"
    assert resume_line(D(2012, 1, 1), D(2016, 5, 1), "副主任") == "2012.01--2016.05  副主任"
    (line,) = resume_lines("2016.05--" + " " * spaces + "东城区区长")
    assert (line.start, line.end, line.position) == (D(2016, 5, 1), None, "东城区区长")
