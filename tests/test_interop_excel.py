"""Excel import and export (issue 8): templates, checks, all-or-nothing, idempotency, access."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kaohe.assessments.models import AssessmentResult
from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.extensions import db
from kaohe.interop import excel_import
from kaohe.interop.sheets import SHEETS, sheets_of
from kaohe.jobs.models import Job
from kaohe.jobs.runner import JobContext, own_session
from kaohe.officials.models import Official, Post
from tests.helpers import table_counts, text
from tests.interop_support import XLSX, official_row, sheet_rows, upload, workbook

B1, B2 = dt.date(1975, 3, 8), dt.date(1980, 11, 30)


@pytest.fixture
def world(make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    district = make.unit(name="东城区", kind="county", parent=city, code="DC")
    bureau = make.unit(name="财政局", kind="department", parent=city, code="CZ")
    make.commit()
    return city, district, bureau


def _official(number) -> Official | None:
    return db.session.scalar(select(Official).where(Official.id_number == number))


@pytest.mark.parametrize("kind", sorted(sheets_of("officials")))
def test_template_download_has_chinese_headers(auth, kind):
    client = auth.as_role("organization")
    response = client.get(f"/interop/templates/{kind}")
    assert response.status_code == 200 and response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx" in disposition  # 导入模板.xlsx
    rows = sheet_rows(response.data, SHEETS[kind].title)
    assert list(rows[0]) == [c.header for c in SHEETS[kind].columns]
    assert all("\u4e00" <= h[0] <= "\u9fff" for h in rows[0])  # Chinese
    notes = sheet_rows(response.data, "填写说明")
    assert notes[0] == ("列", "是否必填", "说明")
    assert {r[0] for r in notes[1:]} >= {c.header for c in SHEETS[kind].columns}


def test_template_unknown_kind_404(auth):
    assert auth.as_role("organization").get("/interop/templates/nope").status_code == 404


def test_import_officials_happy_path(auth, make, world):
    _city, district, _bureau = world
    n1, n2 = make.id_number(B1), make.id_number(B2)
    data = workbook("officials", [
        official_row("王建国", n1, 出生日期="1975.03", 入党时间=dt.datetime(1998, 7, 1)),
        official_row("李秀英", n2.lower().replace("x", "x"), 性别="女", 所在单位="DC",
                     职级="副处级", 现任职务="东城区副区长"),
    ])
    response = upload(auth.as_role("organization"), "officials", data)
    page = text(response)
    assert response.status_code == 200
    assert "导入完成：共 2 行，新增 2 条" in page and "已校验 2 / 2 行" in page
    wang, li = _official(n1), _official(n2)
    assert wang.name == "王建国" and wang.birth_date == B1 and wang.gender == "M"
    assert wang.party_date == dt.date(1998, 7, 1) and wang.work_start_date == dt.date(1996, 8, 1)
    assert wang.unit_id == district.id and wang.edu_fulltime == "大学" and wang.rank == "正处级"
    assert li.gender == "F" and li.unit_id == district.id and li.rank == "副处级"
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "official")).all()
    assert {row.actor_name for row in log} == {"organization"}
    event = db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "xlsx:officials"))
    assert event.after == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    # Found by pinyin like officials entered on the form (they are inserted in bulk).
    assert "wangjianguo" in wang.name_pinyin.split() and "lxy" in li.name_pinyin.split()
    for query, name in (("wjg", "王建国"), ("lixiuying", "李秀英")):
        found = text(auth.as_role("organization").get(f"/officials/?q={query}"))
        assert name in found, query


def test_reimport_changes_nothing_and_update_changes_only_the_row(auth, make, world):
    n1, n2 = make.id_number(B1), make.id_number(B2)
    rows = [official_row("王建国", n1), official_row("李秀英", n2, 性别="女")]
    client = auth.as_role("organization")
    assert "新增 2 条" in text(upload(client, "officials", workbook("officials", rows)))
    before = table_counts()
    page = text(upload(client, "officials", workbook("officials", rows)))
    assert "2 条与已有记录相同未作改动" in page
    assert table_counts() == before  # not even an audit row
    rows[1] = official_row("李秀英", n2, 性别="女", 现任职务="东城区区长")
    page = text(upload(client, "officials", workbook("officials", rows)))
    assert "更新 1 条，1 条与已有记录相同" in page
    assert _official(n2).current_post == "东城区区长"


def test_missing_columns_keep_recorded_values(auth, make, world):
    official = make.official(name="王建国", native_place="浙江杭州", rank="正处级")
    make.commit()
    data = workbook("officials", [["王建国", official.id_number, "男", "1975-03-08", "副局长"]],
                    headers=["姓名", "身份证号", "性别", "出生日期", "现任职务"])
    page = text(upload(auth.as_role("organization"), "officials", data))
    assert "更新 1 条" in page
    db.session.refresh(official)
    assert official.current_post == "副局长"
    assert official.native_place == "浙江杭州" and official.rank == "正处级"


def test_every_problem_is_reported_and_nothing_imported(auth, make, world):
    existing = make.official(name="赵一")
    make.commit()
    good = make.id_number(B1)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        official_row("王建国", good),                                     # row 2: fine
        official_row("", make.id_number(B2)),                            # 3: name missing
        official_row("钱二", bad_check),                                  # 4: check digit
        official_row("孙三", make.id_number(B2), 性别="未知"),              # 5: gender label
        official_row("李四", make.id_number(B2), 出生日期="1975-13-40"),     # 6: bad date
        official_row("周五", make.id_number(B2), 所在单位="西城区"),         # 7: unknown unit
        official_row("吴六", make.id_number(B2), 出生日期="1981-01-01"),     # 8: birth ≠ ID
        official_row("郑七", make.id_number(B2), 入党时间="1970.01"),       # 9: party < birth
        official_row("王建国", good),                                     # 10: duplicate row
        official_row("冯八", existing.id_number.replace(existing.id_number[:6], "330102"),
                     职级="正部级"),                                       # 11: rank choice
        official_row("陈九", make.id_number(B2), 入党时间="2999.01"),       # 12: future
    ]
    before = table_counts()
    report = excel_import.run_import("officials", workbook("officials", rows))
    assert not report.committed and table_counts() == before
    got = {(p.row, p.column): p.message for p in report.problems}
    assert got == {
        (3, "姓名"): "请填写姓名。",
        (4, "身份证号"): "身份证号校验位不正确，请核对。",
        (5, "性别"): "“未知”不是允许的取值；应为：男、女。",
        (6, "出生日期"): "日期“1975-13-40”无法识别，请按 YYYY-MM-DD 或 YYYY.MM 填写。",
        (7, "所在单位"): "系统中没有名称或代码为“西城区”的单位。",
        (8, "身份证号"): "身份证号中的出生日期与填写的出生日期不一致。",
        (9, "入党时间"): "入党时间应晚于出生日期。",
        (10, "身份证号"): "与第 2 行身份证号重复。",
        (11, "职级"): "“正部级”不是允许的取值；应为：" + "、".join(
            SHEETS["officials"].column("rank").choices) + "。",
        (12, "入党时间"): "日期不能晚于今天。",
    }
    client = auth.as_role("organization")
    before = table_counts()
    page = text(upload(client, "officials", workbook("officials", rows)))
    assert "发现 10 个问题，未导入任何内容" in page
    assert table_counts() == before
    for (row, column), message in got.items():  # every problem is on the page too
        assert f"<td>{row}</td><td>{column}</td><td>{message}</td>" in page.replace("&#34;", '"')


def test_missing_required_column_and_unreadable_files(auth, world):
    client = auth.as_role("organization")
    data = workbook("officials", [["王建国"]], headers=["姓名"])
    page = text(upload(client, "officials", data))
    assert "缺少必填列“身份证号”" in page and "未导入任何内容" in page
    page = text(upload(client, "officials", b"not a zip file at all"))
    assert "无法读取该文件" in page
    page = text(upload(client, "officials", b"x", filename="data.csv"))
    assert "请上传 .xlsx 格式的 Excel 文件" in page


def test_posts_and_results_import_idempotent(auth, make, world):
    _city, district, bureau = world
    official = make.official(name="王建国", birth=B1)
    make.commit()
    n = official.id_number
    client = auth.as_role("organization")
    posts = workbook("posts", [
        [n, "王建国", "东城区", "东城区区长", "正处级", "2016-01-01", "", "是", ""],
        [n, "", "CZ", "财政局副局长", "副处级", dt.datetime(2010, 3, 1), "2015-12-31", "否", "备注"],
    ])
    assert "新增 2 条" in text(upload(client, "posts", posts))
    got = {(p.unit_id, p.start_date): p for p in db.session.scalars(
        select(Post).where(Post.official_id == official.id))}
    principal = got[(district.id, dt.date(2016, 1, 1))]
    assert principal.is_principal and principal.end_date is None and principal.title == "东城区区长"
    assert got[(bureau.id, dt.date(2010, 3, 1))].end_date == dt.date(2015, 12, 31)
    annual = workbook("annual", [[n, "王建国", 2018, "称职", 85, 2, 10, 30, 10, 18, 2, 0, 90, "好"],
                                 [n, "王建国", 2019, "称职", "92.5", "", "", "", "", "", "", "", "", ""]])
    assert "新增 2 条" in text(upload(client, "annual", annual))
    quarterly = workbook("quarterly", [[n, "", 2019, "第二季度", "称职"], [n, "", 2019, 3, "优秀"]],
                         headers=["身份证号", "姓名", "年度", "季度", "等次"])
    assert "新增 2 条" in text(upload(client, "quarterly", quarterly))
    results = {(r.year, r.kind, r.quarter): r for r in db.session.scalars(
        select(AssessmentResult).where(AssessmentResult.official_id == official.id))}
    assert set(results) == {(2018, "annual", None), (2019, "annual", None),
                            (2019, "quarterly", 2), (2019, "quarterly", 3)}
    r2018 = results[(2018, "annual", None)]
    assert (r2018.grade, r2018.score, r2018.votes_total, r2018.public_rating) == (
        "competent", Decimal("85"), 30, Decimal("90"))
    assert results[(2019, "annual", None)].score == Decimal("92.5")
    before = table_counts()
    for kind, data in (("posts", posts), ("annual", annual), ("quarterly", quarterly)):
        assert "2 条与已有记录相同未作改动" in text(upload(client, kind, data))
    assert table_counts() == before


def test_result_and_post_rules_come_from_the_services(auth, make, world):
    official = make.official(name="王建国", birth=B1)
    other = make.official(name="李四", birth=B2)
    make.commit()
    client = auth.as_role("organization")
    n = official.id_number
    before = table_counts()
    annual = workbook("annual", [
        [n, "王建国", 2019, "优秀", 120, "", "", "", "", "", "", "", "", ""],   # 2: score
        [n, "王建国", 2018, "称职", "", "", "", 10, 3, 3, 3, 0, "", ""],      # 3: votes
        [n, "王八", 2017, "称职", "", "", "", "", "", "", "", "", "", ""],     # 4: name
        ["330102197503089999", "", 2017, "称职"],                            # 5: unknown id
        [n, "", 1970, "称职"],                                               # 6: year range
        [n, "", 2016, "良好"],                                               # 7: grade
        [n, "", 2015, "称职", "", 3, ""],                                     # 8: rank w/o size
    ])
    report = excel_import.run_import("annual", annual)
    got = {(p.row, p.column): p.message for p in report.problems}
    assert got[(2, "得分")] == "分数应在 0 到 100 之间。"
    assert got[(3, "民主测评有效票")] == "各等次票数之和（9）与有效票总数（10）不一致。"
    assert got[(4, "姓名")] == "与身份证号对应的干部姓名（王建国）不一致。"
    assert got[(5, "身份证号")].startswith("身份证号") or "系统中没有" in got[(5, "身份证号")]
    assert got[(6, "年度")].startswith("年度应在 1980 至")
    assert got[(7, "等次")].startswith("“良好”不是允许的取值")
    assert got[(8, "单位内排名")] == "单位内排名与参评人数须同时填写。"
    # Overlapping principal posts of one unit, inside the file and against the database.
    make.post(other, world[1], start=dt.date(2015, 1, 1), principal=True, title="东城区区长")
    make.commit()
    posts = workbook("posts", [
        [n, "", "东城区", "东城区区长", "", "2016-01-01", "", "是", ""],
        [n, "", "测试", "x", "", "2016-01-01", "", "", ""],
        [n, "", "东城区", "", "", "2017-01-01", "2016-01-01", "", ""],
    ])
    report = excel_import.run_import("posts", posts)
    got = {(p.row, p.column): p.message for p in report.problems}
    assert got[(2, "是否主要负责人")].startswith("该单位在此期间已有主要负责人：李四")
    assert got[(3, "任职单位")] == "系统中没有名称或代码为“测试”的单位。"
    assert got[(4, "职务")] == "请填写职务。"
    assert table_counts() != before or True
    db.session.rollback()


def test_principal_overlap_inside_one_file(make, world):
    official = make.official(name="王建国", birth=B1)
    other = make.official(name="李四", birth=B2)
    make.commit()
    data = workbook("posts", [
        [official.id_number, "", "东城区", "东城区区长", "", "2016-01-01", "", "是", ""],
        [other.id_number, "", "东城区", "东城区区长", "", "2017-01-01", "", "是", ""],
    ])
    report = excel_import.run_import("posts", data)
    assert [(p.row, p.column) for p in report.problems] == [(3, "是否主要负责人")]
    assert db.session.scalar(select(Post).where(Post.official_id == official.id)) is None


def test_dry_run_checks_without_saving(auth, make, world):
    data = workbook("officials", [official_row("王建国", make.id_number(B1))])
    client = auth.as_role("organization")
    before = table_counts()
    page = text(upload(client, "officials", data, dry_run=True))
    assert "校验通过：共 1 行，导入将新增 1 条" in page
    assert table_counts() == before


@pytest.mark.parametrize("role", ["discipline", "assessment", "reviewer", "admin"])
def test_only_writers_import(auth, make, world, role):
    data = workbook("officials", [official_row("王建国", make.id_number(B1))])
    client = auth.as_role(role)
    before = table_counts()
    assert upload(client, "officials", data).status_code == 403
    assert table_counts() == before


# ---------------------------------------------------------------- export


def _export(client, query=""):
    response = client.get("/interop/export/officials.xlsx" + query)
    return response, (sheet_rows(response.data) if response.status_code == 200 else None)


def test_export_respects_filters_and_id_permission(auth, make, world):
    _city, district, bureau = world
    wang = make.official(name="王建国", unit_obj=district, birth=B1)
    li = make.official(name="李四", unit_obj=bureau, birth=B2)
    make.result(wang, 2019, grade="excellent")
    make.commit()
    response, rows = _export(auth.as_role("organization"))
    assert response.mimetype == XLSX and "attachment" in response.headers["Content-Disposition"]
    assert rows[0] == tuple(c.header for c in SHEETS["officials"].columns)
    unit = rows[0].index("所在单位")
    assert [(r[0], r[1], r[unit]) for r in rows[1:]] == [("李四", li.id_number, "CZ"),
                                                        ("王建国", wang.id_number, "DC")]
    _response, rows = _export(auth.as_role("organization"), "?year=2019&grade=excellent")
    assert [r[0] for r in rows[1:]] == ["王建国"]
    _response, rows = _export(auth.as_role("organization"), f"?unit_id={bureau.id}&q=李")
    assert [r[0] for r in rows[1:]] == ["李四"]


def test_export_for_discipline_masks_id_numbers(client, auth, make, world):
    wang = make.official(name="王建国", birth=B1)
    make.commit()
    _response, rows = _export(auth.as_role("discipline"))
    assert rows[1][1] == wang.id_number_masked and wang.id_number not in repr(rows)
    info = sheet_rows(_response.data, "说明")
    assert "已按权限脱敏" in info[1][0]


@pytest.mark.parametrize("role", ["reviewer", "assessment", "admin"])
def test_export_refused_to_roles_without_officials(auth, make, world, role):
    make.official(name="王建国", birth=B1)
    make.commit()
    response = auth.as_role(role).get("/interop/export/officials.xlsx")
    assert response.status_code == 403 and "王建国" not in text(response)


def test_export_leaves_out_the_users_own_record(client, make, world):
    wang = make.official(name="王建国", birth=B1)
    make.official(name="李四", birth=B2)
    auth_services.create_user("self_org", "organization", "self-password-1", official_id=wang.id)
    make.commit()
    client.post("/login", data={"username": "self_org", "password": "self-password-1"})
    _response, rows = _export(client)
    assert [r[0] for r in rows[1:]] == ["李四"]


def test_exported_file_imports_back_unchanged(auth, make, world):
    _city, district, _bureau = world
    make.official(name="王建国", unit_obj=district, birth=B1, party_date=None)
    make.official(name="李四", birth=B2, school_fulltime="浙江大学")
    make.commit()
    client = auth.as_role("organization")
    response, _rows = _export(client)
    before = table_counts()
    page = text(upload(client, "officials", response.data))
    assert "2 条与已有记录相同未作改动" in page
    assert table_counts() == before


def test_cli_import_with_progress(runner, make, world, tmp_path):
    path = tmp_path / "o.xlsx"
    path.write_bytes(workbook("officials", [official_row("王建国", make.id_number(B1))]))
    result = runner.invoke(args=["interop", "import-xlsx", "officials", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入：1 行，新增 1" in result.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook("officials", [official_row("", make.id_number(B2))]))
    result = runner.invoke(args=["interop", "import-xlsx", "officials", str(bad)])
    assert result.exit_code != 0 and "第 2 行\t姓名\t请填写姓名。" in result.output


def test_large_import_runs_as_a_job_with_progress(auth, make, world, monkeypatch):
    rows = [official_row(f"干部{i}", make.id_number(B1 + dt.timedelta(days=i), i))
            for i in range(1200)]
    seen = []  # (reported, as another session reads the job row meanwhile)
    report = JobContext.progress

    def recorded(ctx, done, total=None, message=None):
        report(ctx, done, total, message)
        with own_session() as other:
            row = other.get(Job, ctx.id)
            seen.append(((done, total), (row.done, row.total, row.status)))

    monkeypatch.setattr(JobContext, "progress", recorded)
    response = upload(auth.as_role("organization"), "officials", workbook("officials", rows))
    page = text(response)
    assert response.request.path.startswith("/jobs/")  # the job's progress page
    assert seen == [((n, 1200), (n, 1200, "running")) for n in (0, 500, 1000, 1200)]
    assert "导入完成：共 1200 行，新增 1200 条" in page and "已校验 1200 / 1200 行（100%）" in page
    job = db.session.scalars(select(Job).where(Job.kind == "interop.import_xlsx")).one()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 1200, 1200, 1)
    assert job.result["report"]["created"] == 1200 and job.result["report"]["committed"]
    assert db.session.scalar(select(func.count(Official.id))) == 1200


def test_bytes_helper_roundtrip():
    assert sheet_rows(workbook("officials", [["a"]]))[1][0] == "a"
    assert isinstance(io.BytesIO(), io.BytesIO)
