"""Imports of unit indicator actuals and discipline findings; ranking export (issue 8)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.discipline.models import DisciplineFinding
from kaohe.extensions import db
from kaohe.unitassess.models import IndicatorResult
from tests import ua_helpers
from tests.helpers import text
from tests.interop_support import XLSX, sheet_rows, workbook


def post(client, url: str, kind: str, data: bytes, dry_run=False):
    form = {f"{kind}-file": (io.BytesIO(data), "导入.xlsx")}
    if dry_run:
        form[f"{kind}-dry_run"] = "y"
    # An import runs as a job: the page answers with its progress page, which shows the
    # report once the job has run (under tests, when the request commits).
    return client.post(url, data=form, content_type="multipart/form-data", buffered=True,
                       follow_redirects=True)


@pytest.fixture
def ua(make, monkeypatch):
    ua_helpers.no_discipline(monkeypatch)
    s = ua_helpers.scheme()
    east, west = ua_helpers.units(2)
    draft = ua_helpers.scheme(year=2022, publish=False)
    db.session.commit()
    return s, east, west, draft


def ind_row(year, unit, code, round_="全年", target=100, actual=90, name="", grade="", note=""):
    return (year, unit, code, name, round_, target, actual, grade, note)


def test_indicator_actuals_import_idempotent_and_updates(auth, ua):
    s, east, west, _draft = ua
    client = auth.as_role("assessment")
    template = client.get("/interop/unit-assessment/template")
    assert template.status_code == 200 and template.mimetype == XLSX
    assert sheet_rows(template.data)[0][:5] == ("年度", "单位", "指标编号", "指标名称", "考核轮次")
    rows = [ind_row(2023, "第1区", "GDP", name="地区生产总值"), ind_row(2023, "区002", "TAX", "半年", 80, 30),
            ind_row("2023", "第2区", "", name="固定资产投资", actual="95.5")]
    url = "/interop/unit-assessment/import"
    page = text(post(client, url, "indicators", workbook("indicators", rows)))
    assert "导入完成：共 3 行，新增 3 条" in page, page
    results = db.session.scalars(select(IndicatorResult)).all()
    assert {(r.unit_id, r.round, r.actual) for r in results} == {
        (east.id, "full", Decimal("90")), (west.id, "half", Decimal("30")),
        (west.id, "full", Decimal("95.5"))}
    page = text(post(client, url, "indicators", workbook("indicators", rows)))
    assert "新增 0 条，更新 0 条，3 条与已有记录相同" in page
    rows[0] = ind_row(2023, "第1区", "GDP", actual=99)
    page = text(post(client, url, "indicators", workbook("indicators", rows)))
    assert "新增 0 条，更新 1 条，2 条" in page
    db.session.expire_all()
    assert db.session.scalar(select(IndicatorResult.actual).where(
        IndicatorResult.unit_id == east.id, IndicatorResult.round == "full")) == Decimal("99")
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "xlsx:indicators"))


def test_indicator_problems_reported_and_nothing_imported(auth, ua):
    s, east, west, draft = ua
    rows = [ind_row(2023, "第1区", "GDP"),
            ind_row(2023, "第1区", "NOPE"),
            ind_row(2023, "第1区", "GDP"),  # the same key twice
            ind_row(2022, "第2区", "GDP"),  # draft scheme
            ind_row(2023, "第2区", "TAX", "全年", None, 10),  # ratio needs a target
            ind_row(2023, "无此单位", "TAX"),
            ind_row(2023, "第2区", "INV", "第五季度")]
    page = text(post(auth.as_role("assessment"), "/interop/unit-assessment/import",
                     "indicators", workbook("indicators", rows)))
    assert "未导入任何内容" in page
    for expected in ("没有编号为“NOPE”的指标", "与第 2 行单位、指标和考核轮次重复", "尚未发布",
                     "完成率指标须填写大于 0 的目标值", "没有名称或代码为“无此单位”的单位",
                     "“第五季度”不是允许的取值"):
        assert expected in page, expected
    assert db.session.scalar(select(IndicatorResult.id)) is None


def test_indicator_import_refuses_a_fraction_of_a_count(auth, make, monkeypatch):
    """An indicator counted in 人 takes whole numbers through the import as on the form:
    the fractional row is named, nothing is imported."""
    ua_helpers.no_discipline(monkeypatch)
    ua_helpers.scheme(indicators=[{"code": "JOB", "name": "新增就业", "max_points": Decimal("90"),
                                   "unit_label": "人"}])
    ua_helpers.units(1)
    db.session.commit()
    rows = [ind_row(2023, "第1区", "JOB", "半年", 1200, 600),
            ind_row(2023, "第1区", "JOB", "全年", 1200, "1180.5")]
    page = text(post(auth.as_role("assessment"), "/interop/unit-assessment/import",
                     "indicators", workbook("indicators", rows)))
    assert "未导入任何内容" in page and "计量单位为「人」，实际完成值须为整数。" in page, page
    assert db.session.scalar(select(IndicatorResult.id)) is None


def test_findings_import_idempotent_update_and_rules(auth, make):
    official = make.official()
    make.commit()
    number = official.id_number
    row = [number, "王建国", "2023-05-10", "信访举报", "谈话函询", "线索处置中", "", "",
           "反映收受礼金问题", "详细：某某"]
    client = auth.as_role("discipline")
    assert sheet_rows(client.get("/interop/discipline/template").data)[0][0] == "身份证号"
    url = "/interop/discipline/import"
    page = text(post(client, url, "findings", workbook("findings", [row])))
    assert "新增 1 条" in page, page
    assert "新增 0 条，更新 0 条，1 条" in text(post(client, url, "findings", workbook("findings", [row])))
    closed = row[:4] + ["政务警告", "已结案", "2023-08-01", "", row[8], row[9]]
    assert "更新 1 条" in text(post(client, url, "findings", workbook("findings", [closed])))
    f = db.session.scalar(select(DisciplineFinding))
    assert (f.kind, f.status, f.decision_date) == ("admin_warning", "closed", dt.date(2023, 8, 1))
    bad = [row[:4] + ["警告", "已结案", "", "", "摘要", ""],  # 警告 is ambiguous; no decision date
           ["110101199003070000", "", "2023-01-01", "信访举报", "诫勉", "已结案", "2023-02-01", "",
            "摘要", ""]]
    page = text(post(client, url, "findings", workbook("findings", bad)))
    assert "未导入任何内容" in page and "“警告”不是允许的取值" in page and "身份证号" in page
    assert db.session.scalar(select(DisciplineFinding.kind)) == "admin_warning"


@pytest.mark.parametrize("role", ["organization", "assessment", "admin", "reviewer"])
def test_only_discipline_imports_findings(auth, role):
    client = auth.as_role(role)
    assert client.get("/interop/discipline/").status_code == 403
    assert client.get("/interop/discipline/template").status_code == 403


@pytest.mark.parametrize("role", ["organization", "discipline", "admin"])
def test_only_assessment_imports_indicator_actuals(auth, role):
    assert auth.as_role(role).get("/interop/unit-assessment/").status_code == 403


def test_ranking_export_and_publication_link(auth, ua):
    s, east, west, _draft = ua
    ua_helpers.fill(s, east, 1.0)
    ua_helpers.fill(s, west, 0.8)
    db.session.commit()
    url = f"/interop/unit-assessment/schemes/{s.id}/full/ranking.xlsx"
    assert auth.as_role("discipline").get(url).status_code == 403
    auth.logout()
    client = auth.as_role("assessment")
    page = text(client.get("/interop/unit-assessment/"))
    assert "排名 Excel" in page and f"/unit-assessment/schemes/{s.id}/full/publication.xlsx" in page
    for role in ("assessment", "organization"):
        auth.logout()
        response = auth.as_role(role).get(url)
        assert response.status_code == 200 and response.mimetype == XLSX
        rows = sheet_rows(response.data)
        assert rows[1][:3] == ("名次", "单位", "单位代码")
        assert [r[1] for r in rows[2:]] == ["第1区", "第2区"]
