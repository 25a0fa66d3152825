"""报送前校验 (issue 13.2): the form checked against the specification, on the export page and
in ``flask interop export-lrmx --check``; ``flask interop import-lrmx FILE...``."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.appform.data import collect
from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop import lrmx_export
from kaohe.interop.lrmx import import_lrmx
from kaohe.interop.lrmx_check import check_fields, check_resume
from kaohe.interop.lrmx_parse import parse
from kaohe.interop.models import AppointmentSheet
from kaohe.officials.models import Official
from tests.helpers import table_counts, text
from tests.interop_support import lrmx_upload
from tests.lrmx_shapes import MEMBERS, RESUME, document, fields

BIRTH = dt.date(1975, 3, 8)


def _members() -> list[dict[str, str]]:
    return [dict(zip(("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao",
                      "GongZuoDanWeiJiZhiWu"), m)) for m in MEMBERS]


def _problems(**overrides) -> list[tuple[str, str]]:
    values = fields(ShenFenZheng="330102197503080015", **overrides)
    return [(p.label, p.message) for p in check_fields(values, _members())]


def test_a_complete_form_passes():
    assert _problems() == []


@pytest.mark.parametrize("overrides, expected", [
    ({"XianRenZhiWu": "长" * 325}, ("现任职务", "不能超过 324 个字（现有 325 个）。")),
    ({"NianDuKaoHeJieGuo": "长" * 415}, ("年度考核结果", "不能超过 414 个字（现有 415 个）。")),
    ({"XingMing": ""}, ("姓名", "必填，不能为空。")),
    ({"ZhaoPian": ""}, ("照片", "必填，不能为空。")),
    ({"ChengBaoDanWei": ""}, ("呈报单位", "必填，不能为空。")),
    ({"XingBie": "M"}, ("性别", "应为“男”或“女”。")),
    ({"ChuShengNianYue": "1975.03"}, ("出生年月", "“1975.03”应写为 YYYYMM 或 YYYYMMDD（纯数字）。")),
    ({"ChuShengNianYue": "197513"}, ("出生年月", "“197513”不是有效日期，应为 YYYYMM 或 YYYYMMDD。")),
    ({"JiSuanNianLingShiJian": "202612"}, ("计算年龄时间", "“202612”应写为 YYYYMMDD（纯数字）。")),
    ({"TianBiaoShiJian": "20250229"}, ("填表时间", "“20250229”不是有效日期，应为 YYYYMMDD。")),
    ({"RuDangShiJian": "不详"}, ("入党时间", "入党时间“不详”中的“不详”无法识别：应为入党年月（如 199506）、"
                                          "民主党派名称（如 民建）或“无党派人士”。")),
    ({"QuanRiZhiJiaoYu_XueWei": "学士"},
     ("全日制教育学位", "“学士”未写明学科门类，应如“经济学学士”“管理学硕士”。")),
    ({"ZaiZhiJiaoYu_XueWei": "经济学"},
     ("在职教育学位", "学位应为学士、硕士或博士学位并写明学科，如“经济学学士”“管理学硕士”；"
                "没有学位填“无”。")),
    ({"QuanRiZhiJiaoYu_XueLi": "博士后"},
     ("全日制教育学历", "学历应写明层次，如“大学本科”“研究生”“省委党校研究生”。")),
    ({"ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "", "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": ""},
     ("在职教育毕业院校系及专业（学位）", "填写了学位，须填写授予学位的院校系及专业。")),
])
def test_each_problem_is_named(overrides, expected):
    assert _problems(**overrides) == [expected]


@pytest.mark.parametrize("edu, degree, party", [
    ("技工学校", "无", "民建会员"),
    ("中师", "无", "农工党党员"),
    ("中等专科", "无", "九三学社社员"),
    ("职业高中", "无", "民盟盟员"),
    ("硕士", "工商管理硕士（MBA）", "199506"),
    ("博士", "管理学博士", "199506；民进会员"),
    ("在职硕士", "公共管理硕士(MPA)", "无党派人士"),
    ("大学本科", "MPA", "199506"),
    ("研究生", "法律硕士（JM）", "199506"),
    ("省委党校研究生", "工程硕士", "199506"),
    ("大学", "教育硕士", "致公党党员"),
])
def test_real_forms_values_import_and_pass(edu, degree, party, make):
    """ZB64 学历 (技工学校, 中师, 硕士/博士 as forms write them), professional 学位, 民主党派 members."""
    number = make.id_number(BIRTH)
    make.commit()
    values = fields(ShenFenZheng=number, ZaiZhiJiaoYu_XueLi=edu, ZaiZhiJiaoYu_XueWei=degree,
                    RuDangShiJian=party)
    assert [(p.label, p.message) for p in check_fields(values, _members())] == []
    report = import_lrmx(document("owip", values))
    assert report.ok, report.problems
    o = db.session.get(Official, report.official_id)
    assert (o.edu_inservice, o.degree_inservice) == (edu, degree)
    assert o.political_status in ("中共党员", "民主党派", "无党派人士")


@pytest.mark.parametrize("key, value, words", [
    ("ZaiZhiJiaoYu_XueLi", "博士后", "学历应写明层次"),
    ("ZaiZhiJiaoYu_XueLi", "党校", "学历应写明层次"),
    ("ZaiZhiJiaoYu_XueWei", "（MBA）", "学位应为学士、硕士或博士学位"),
    ("ZaiZhiJiaoYu_XueWei", "工商管理", "学位应为学士、硕士或博士学位"),
    ("RuDangShiJian", "工会会员", "“工会会员”无法识别"),
])
def test_what_is_no_education_degree_or_party_is_refused(key, value, words, make):
    values = fields(ShenFenZheng=make.id_number(BIRTH), **{key: value})
    make.commit()
    assert any(words in p.message for p in check_fields(values, _members()))
    report = import_lrmx(document("owip", values))
    assert not report.ok and any(words in message for _label, message in report.problems)


def test_boundaries_pass():
    assert _problems(XianRenZhiWu="长" * 324, NianDuKaoHeJieGuo="长" * 414,
                     ChuShengNianYue="19750308", JiSuanNianLingShiJian="20240229",
                     ZaiZhiJiaoYu_XueWei="无", RuDangShiJian="无党派人士") == []


@pytest.mark.parametrize("lines, expected", [
    (RESUME, []),
    # consecutive months are continuous, also over a year's turn and February's end
    (["2010.01--2015.12  科员", "2016.01--       科长"], []),
    (["2010.01--2015.12  科员", "2015.12--       科长"], []),
    (["2015.03--2016.02  科员", "2016.03--2016.12  科长", "2017.01--       处长"], []),
    (["2010.01--2015.11  科员", "2016.01--       科长"],
     [("简历第 2 行", "与第 1 行之间有空档：上一段止于 2015.11，本段始于 2016.01。")]),
    (["1992.09--1996.07  学习", "1996.09--2016.05  工作", "2016.05--         主任"],
     [("简历第 2 行", "与第 1 行之间有空档：上一段止于 1996.07，本段始于 1996.09。")]),
    # concurrent posts (兼任) on their own lines overlap: not a problem
    (["2010.01--2020.05  局长", "2018.03--2020.05  兼主任", "2020.06--       书记"], []),
    (["2010.01--2020.05  局长", "2012.01--2013.01  兼组长", "2020.07--       书记"],
     [("简历第 3 行", "与第 1 行之间有空档：上一段止于 2020.05，本段始于 2020.07。")]),
    (["2016.01--       局长", "2018.03--       兼主任"], []),
    (["1992.09--1996.07  学习", "1996.01--2016.05  工作"], []),
    (["1996.08--2016.05  工作", "1992.09--1996.07  学习"],
     [("简历第 2 行", "简历应按时间先后排列：本段早于上一段开始。")]),
    (["1992.9-1996.7 学习"], [("简历第 1 行", "起止时间应写为“YYYY.MM--YYYY.MM”，其后空两格写经历"
                                            "（至今的写“YYYY.MM--”）。")]),
    (["1992.09--1996.07 学习"], [("简历第 1 行", "起止时间与经历之间应空两格。")]),
    (["1996.07--1992.09  学习"], [("简历第 1 行", "结束时间早于开始时间。")]),
    (["1992.13--1996.07  学习"], [("简历第 1 行", "起止时间不是有效的年月。")]),
    (["浙江大学学习"], [("简历第 1 行", "简历应以起止时间开头。")]),
    ([], []),
])
def test_resume_continuity(lines, expected):
    assert [(p.label, p.message) for p in check_resume("\n".join(lines))] == expected


def test_family_items_are_checked():
    values = fields(ShenFenZheng="330102197503080015")
    members = [{"ChengWei": "妻子", "XingMing": "张丽", "ChuShengRiQi": "1976",
                "ZhengZhiMianMao": "", "GongZuoDanWeiJiZhiWu": "长" * 125},
               {"ChengWei": "父亲", "XingMing": "李国强（已去世）", "ChuShengRiQi": "",
                "ZhengZhiMianMao": "", "GongZuoDanWeiJiZhiWu": ""}]
    assert [(p.label, p.message) for p in check_fields(values, members)] == [
        ("家庭成员第 1 项（张丽）", "工作单位及职务不能超过 124 个字。"),
        ("家庭成员第 1 项（张丽）出生日期", "“1976”不是有效日期，应为 YYYYMM 或 YYYYMMDD。"),
        ("家庭成员第 1 项（张丽）", "须填写政治面貌。")]


# ---- the export page -------------------------------------------------------------------------

def test_export_page_lists_problems_before_download(auth, make):
    o = make.official(name="王建国", degree_fulltime="学士", edu_fulltime="大学")
    make.commit()
    page = text(auth.as_role("organization").get(f"/interop/officials/{o.id}/lrmx"))
    assert "报送前校验" in page and "可以下载，但报送前请修改" in page
    assert "“学士”未写明学科门类" in page and "照片</td><td>必填，不能为空。" in page
    assert f'href="/interop/officials/{o.id}.lrmx?as_of={clock.today().isoformat()}"' in page


def test_export_page_as_of_and_bad_input(auth, make):
    o = make.official(name="王建国")
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get(f"/interop/officials/{o.id}/lrmx?as_of=2024-02-29"))
    assert "<dd>20240229</dd>" in page and "as_of=2024-02-29" in page
    for bad in ("2023-02-29", "明天", "9" * 40):
        response = client.get(f"/interop/officials/{o.id}/lrmx?as_of={bad}")
        assert response.status_code == 422
        assert "日期格式不正确，请按 YYYY-MM-DD 填写" in text(response)
        download = client.get(f"/interop/officials/{o.id}.lrmx?as_of={bad}")
        assert download.status_code == 422 and "<Person>" not in text(download)


def test_a_complete_record_passes_the_page(auth, make):
    number = make.id_number(BIRTH)
    client = auth.as_role("organization")
    lrmx_upload(client, document("owip", fields(ShenFenZheng=number)))
    o = db.session.scalar(select(Official).where(Official.id_number == number))
    page = text(client.get(f"/interop/officials/{o.id}/lrmx"))
    assert "报送前校验通过" in page, page


# ---- CLI -------------------------------------------------------------------------------------

def test_cli_import_is_all_or_nothing_per_file(runner, make, tmp_path):
    good, bad = tmp_path / "good.lrmx", tmp_path / "bad.lrmx"
    number = make.id_number(BIRTH)
    good.write_bytes(document("editor", fields(ShenFenZheng=number)))
    bad.write_bytes(document("owip", fields(ShenFenZheng=make.id_number(BIRTH),
                                           XianRenZhiWu="长" * 325, RuDangShiJian="不详")))
    broken = tmp_path / "broken.lrmx"
    broken.write_bytes(b"<Person><XingMing>x</XingMing>")
    make.commit()
    result = runner.invoke(args=["interop", "import-lrmx", str(good), str(bad), str(broken),
                                 str(tmp_path / "missing.lrmx")])
    assert result.exit_code == 1
    out = result.output
    assert f"{good}：已新增 李明华" in out and "简历第 1 行未导入为任职经历" in out
    assert f"{bad}：李明华 发现 2 个问题，未导入任何内容。" in out
    assert "现任职务\t不能超过 324 个字（现有 325 个）。" in out and "入党时间\t入党时间“不详”" in out
    assert f"{broken}：文件不是格式正确的 XML" in out and "missing.lrmx：无法读取文件" in out
    assert "4 个文件中有 3 个未能导入。" in out
    assert db.session.scalar(select(Official).where(Official.id_number == number)) is not None
    again = runner.invoke(args=["interop", "import-lrmx", str(good)])
    assert again.exit_code == 0 and "内容与系统记录相同，未作改动" in again.output
    # Nothing recorded yet for the form's three years: each difference is reported.
    assert "年度考核结果不一致：2024年度：任免审批表写“优秀”，系统中没有该年度的年度考核结果。" in again.output
    dry = runner.invoke(args=["interop", "import-lrmx", "--dry-run", str(bad)])
    assert dry.exit_code == 1 and "未导入任何内容" in dry.output


@pytest.mark.parametrize("flags, written", [
    ([], False),  # problems: printed, exit 1, nothing written
    (["--force"], True),  # written on purpose, still exit 1
    (["--check"], False),
])
def test_cli_export_refuses_a_form_with_problems(runner, make, tmp_path, flags, written):
    o = make.official(name="王建国", degree_fulltime="学士", edu_fulltime="大学")
    make.commit()
    out = tmp_path / "王建国.lrmx"
    before = table_counts()
    result = runner.invoke(args=["interop", "export-lrmx", str(o.id), "-o", str(out),
                                 "--as-of", "2024-02-29", *flags])
    assert result.exit_code == 1 and table_counts() == before
    assert "全日制教育学位\t“学士”未写明学科门类" in result.output
    assert "报送前校验发现" in result.output
    assert ("未导出（确需导出请加 --force）" in result.output) == (flags == [])
    assert out.exists() == written
    if written:
        person = parse(out.read_bytes())
        assert person.get("ShenFenZheng") == o.id_number  # the CLI is the operator: full number
        assert person.get("JiSuanNianLingShiJian") == "20240229"
        assert person.get("TianBiaoShiJian") == f"{clock.today():%Y%m%d}"


def test_cli_export_of_an_unknown_official(runner):
    result = runner.invoke(args=["interop", "export-lrmx", "999999"])
    assert result.exit_code == 1 and "没有编号为 999999 的干部" in result.output


def test_cli_check_passes_for_a_complete_form(runner, make, tmp_path):
    path = tmp_path / "a.lrmx"
    number = make.id_number(BIRTH)
    path.write_bytes(document("bom", fields(ShenFenZheng=number)))
    make.commit()
    assert runner.invoke(args=["interop", "import-lrmx", str(path)]).exit_code == 0
    o = db.session.scalar(select(Official).where(Official.id_number == number))
    result = runner.invoke(args=["interop", "export-lrmx", str(o.id), "--check"])
    assert result.exit_code == 0 and "报送前校验通过。" in result.output, result.output
    assert "<Person>" not in result.output
    out = tmp_path / "out.lrmx"
    result = runner.invoke(args=["interop", "export-lrmx", str(o.id), "-o", str(out)])
    assert result.exit_code == 0 and f"已写入 {out}。" in result.output, result.output
    assert parse(out.read_bytes()).get("XingMing") == "李明华"
    stdout = runner.invoke(args=["interop", "export-lrmx", str(o.id)])
    assert stdout.exit_code == 0 and "<XingMing>李明华</XingMing>" in stdout.output


@pytest.mark.parametrize("recorded, printed, flagged", [
    (None, "", True),  # no sheet at all
    ("", "", True),
    ("无", "无", False),  # the record says 无: printed as recorded
    ("2018年获省优秀公务员称号", "2018年获省优秀公务员称号", False),
])
def test_rewards_print_what_is_recorded_and_the_check_flags_none(make, recorded, printed, flagged):
    o = make.official(name="王建国")
    if recorded is not None:
        db.session.add(AppointmentSheet(official_id=o.id, rewards=recorded))
    make.commit()
    day = dt.date(2026, 12, 3)
    assert collect(o, day, day).rewards == printed
    values, members = lrmx_export.export_fields(o, full_id=True, as_of=day)
    assert values["JiangChengQingKuang"] == printed
    assert (("奖惩情况", "必填，不能为空。") in [(p.label, p.message)
                                               for p in check_fields(values, members)]) == flagged
