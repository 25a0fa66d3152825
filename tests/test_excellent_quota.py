"""The 优秀 quota of officials' annual assessment (issue 12.5): entry, API, import, approvals."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.assessments import approvals, quota
from kaohe.assessments.models import AssessmentResult, ExcellentQuotaApproval
from kaohe.assessments.services import save_result
from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.interop import excel_import
from kaohe.officials.models import Official
from kaohe.settings import services as settings
from tests.helpers import field_errors, form_version, table_counts, text
from tests.interop_support import upload, workbook
from tests.test_queries import statements

D = dt.date
YEAR = 2025


def _data(result: AssessmentResult, **change) -> dict:
    keys = ("year", "kind", "quarter", "task_name", "grade", "score", "unit_rank", "unit_size",
            "votes_total", "votes_excellent", "votes_competent", "votes_basically_competent",
            "votes_incompetent", "public_rating", "comment")
    return {**{k: getattr(result, k) for k in keys}, **change}


def _official(result: AssessmentResult) -> Official:
    return db.session.get(Official, result.official_id)


def _regrade(result: AssessmentResult, grade: str, **change) -> AssessmentResult:
    return save_result(_official(result), result, _data(result, grade=grade, **change))


def _staff(make, unit, n: int, year: int = YEAR, grade: str = "competent", tag: str = "干部"):
    """The annual results of ``year`` of ``n`` new officials recorded in ``unit``."""
    return [make.result(make.official(name=f"{tag}{i}", unit_obj=unit), year, grade,
                        check_quota=True) for i in range(n)]


def _approve(unit, year=YEAR, pct=25, **kw):
    data = {"year": year, "pct": pct, "approved_by": "市委组织部",
            "document_number": f"江组通〔{year}〕7号", "note": ""}
    return approvals.save_approval(unit, None, {**data, **kw})


def _refusal(call) -> str:
    with pytest.raises(ValidationFailed) as exc:
        call()
    return exc.value.errors["grade"]


def _counts(unit_id, year=YEAR):
    u = quota.usage(unit_id, year)
    return u.assessed, u.excellent, u.allowed


# ---------------------------------------------------------------- the rule at its boundaries


@pytest.mark.parametrize("assessed, approved, allowed", [
    (4, None, 0), (5, None, 1), (9, None, 1), (10, None, 2), (4, 25, 1), (8, 25, 2),
    (1, None, 0), (3, 25, 0), (15, None, 3), (20, 25, 5),
])
def test_exactly_at_quota_accepted_one_over_refused(make, assessed, approved, allowed):
    unit = make.unit(name="东城区")
    if approved:
        _approve(unit, pct=approved)
    staff = _staff(make, unit, assessed)
    for r in staff[:allowed]:  # 称职 → 优秀 up to the quota
        _regrade(r, "excellent")
    assert _counts(unit.id) == (assessed, allowed, allowed)
    if allowed == assessed:
        return
    pct = approved or 20
    message = _refusal(lambda: _regrade(staff[allowed], "excellent"))
    assert message.startswith(f"不能评为优秀：该单位{YEAR}年度参加考核 {assessed} 人，优秀比例上限 "
                              f"{pct}%，最多 {allowed} 人，已有 {allowed} 人（参加考核人数含本人）。")
    assert "单位：东城区" in message
    if approved:
        assert "经市委组织部批准（文号：江组通〔2025〕7号）" in message
        assert "「经批准的优秀比例上限」" in message
    else:
        assert "「年度考核优秀比例上限」" in message and "经批准可提高至 25%" in message
    db.session.refresh(staff[allowed])
    assert staff[allowed].grade == "competent"
    assert _counts(unit.id) == (assessed, allowed, allowed)


def test_small_unit_message_names_the_numbers(make):
    unit = make.unit(name="小单位")
    staff = _staff(make, unit, 2)
    o = make.official(name="新人", unit_obj=unit)
    message = _refusal(lambda: make.result(o, YEAR, "excellent", check_quota=True))
    # The result being entered counts as assessed: 3, floor(0.6) = 0.
    assert f"该单位{YEAR}年度参加考核 3 人，优秀比例上限 20%，最多 0 人，已有 0 人" in message
    assert db.session.scalar(select(AssessmentResult).where(
        AssessmentResult.official_id == o.id)) is None
    make.result(o, YEAR, "competent", check_quota=True)
    assert _counts(unit.id) == (3, 0, 0) and len(staff) == 2


def test_lowering_is_always_allowed_even_over_quota(make):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 10)
    for r in staff[:2]:
        _regrade(r, "excellent")
    staff[9].soft_delete()  # 9 assessed now: 2 优秀 > 1, shown on the unit page
    db.session.flush()
    assert quota.usage(unit.id, YEAR).excess == 1
    _regrade(staff[0], "basically_competent")
    assert _counts(unit.id) == (9, 1, 1)


def test_editing_an_excellent_result_keeps_it_without_a_recount(make):
    """Changing the comment of an existing 优秀 is not a new 优秀 (the unit may be over)."""
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 5)
    _regrade(staff[0], "excellent")
    staff[4].soft_delete()
    db.session.flush()
    saved = _regrade(staff[0], "excellent", comment="更正评语")
    assert saved.comment == "更正评语" and quota.usage(unit.id, YEAR).excess == 1


def test_quarterly_and_special_results_are_not_counted(make):
    unit = make.unit(name="东城区")
    o = make.official(name="王建国", unit_obj=unit)
    make.result(o, YEAR, "excellent", kind="quarterly", quarter=2, check_quota=True)
    make.result(o, YEAR, "excellent", kind="special", task_name="脱贫攻坚", check_quota=True)
    assert quota.usage_by_year(unit.id) == []
    _refusal(lambda: make.result(o, YEAR, "excellent", check_quota=True))


def test_settings_are_read_when_checked(make):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 4)
    _refusal(lambda: _regrade(staff[0], "excellent"))
    settings.set_value(quota.BASE_PCT, 25)
    _regrade(staff[0], "excellent")  # 25% of 4 = 1
    message = _refusal(lambda: _regrade(staff[1], "excellent"))
    assert "优秀比例上限 25%，最多 1 人，已有 1 人" in message
    assert "规则参数「年度考核优秀比例上限」" in message
    assert "经批准可提高至" not in message  # the approved ceiling (25%) is no higher


def test_years_are_independent(make):
    unit = make.unit(name="东城区")
    old = _staff(make, unit, 5, year=YEAR - 1)
    new = [make.result(_official(r), YEAR, "competent") for r in old]
    _regrade(old[0], "excellent")
    _regrade(new[1], "excellent")  # 2025's one place is still free
    _refusal(lambda: _regrade(new[2], "excellent"))
    assert _counts(unit.id, YEAR - 1) == (5, 1, 1) and _counts(unit.id, YEAR) == (5, 1, 1)
    # Moving a result to another year moves it between the counts.
    o = make.official(name="调入", unit_obj=unit)
    r = make.result(o, YEAR - 3, "competent")
    _regrade(r, "competent", year=YEAR)
    assert _counts(unit.id, YEAR) == (6, 1, 1) and _counts(unit.id, YEAR - 3) == (0, 0, 0)


def test_empty_unit(make, auth):
    unit = make.unit(name="空单位")
    make.commit()
    assert quota.usage_by_year(unit.id) == [] and _counts(unit.id) == (0, 0, 0)
    page = text(auth.as_role("organization").get(f"/units/{unit.id}"))
    assert "该单位尚无年度考核结果。" in page


# ---------------------------------------------------------------- the unit of a result


@pytest.mark.parametrize("a_end, b_start, unit_of_year", [
    (D(YEAR, 12, 31), D(YEAR + 1, 1, 1), "A"),   # left A on 31 December: still A's
    (D(YEAR, 12, 30), D(YEAR, 12, 31), "B"),     # joined B on 31 December: B's
    (D(YEAR, 6, 30), D(YEAR, 7, 1), "B"),
    (D(YEAR + 1, 1, 1), D(YEAR + 1, 1, 2), "A"),
    (D(YEAR, 12, 30), D(YEAR + 1, 1, 1), "recorded"),  # no post that day: 所在单位
])
def test_unit_is_the_post_held_on_31_december(make, a_end, b_start, unit_of_year):
    units = {k: make.unit(name=f"{k}单位") for k in ("A", "B", "recorded")}
    o = make.official(name="王建国", unit_obj=units["recorded"])
    make.post(o, units["A"], start=D(2010, 1, 1), end=a_end, title="甲职务")
    make.post(o, units["B"], start=b_start, title="乙职务")
    assert quota.units_of([(o.id, YEAR)]) == {(o.id, YEAR): units[unit_of_year].id}
    make.result(o, YEAR, "competent")
    assert [k for k, u in units.items() if quota.usage(u.id, YEAR).assessed] == [unit_of_year]


def test_principal_post_decides_between_concurrent_posts(make):
    a, b = make.unit(name="区委"), make.unit(name="园区")
    o = make.official(name="王建国", unit_obj=b)
    make.post(o, a, start=D(2015, 1, 1), principal=True, title="区委书记")
    make.post(o, b, start=D(2020, 1, 1), title="园区党工委书记（兼）")
    assert quota.units_of([(o.id, YEAR), (o.id, 2014)]) == {(o.id, YEAR): a.id,
                                                             (o.id, 2014): b.id}


def test_official_without_any_unit_cannot_be_excellent(make):
    o = make.official(name="无单位")
    message = _refusal(lambda: make.result(o, YEAR, "excellent", check_quota=True))
    assert message == quota.unknown_unit_message(YEAR)
    assert "无法确定该干部2025年度所在单位" in message
    assert make.result(o, YEAR, "competent", check_quota=True).grade == "competent"


# ---------------------------------------------------------------- the form and the API


def test_form_refuses_with_message_next_to_grade(auth, make):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 4)
    make.commit()
    r = staff[0]
    client = auth.as_role("organization")
    url = f"/officials/{r.official_id}/results/{r.id}/edit"
    form = {"year": str(YEAR), "kind": "annual", "quarter": "", "task_name": "",
            "grade": "excellent", "score": "", "unit_rank": "", "unit_size": "",
            "votes_total": "", "votes_excellent": "", "votes_competent": "",
            "votes_basically_competent": "", "votes_incompetent": "", "public_rating": "",
            "comment": "", **form_version(client, url)}
    before = table_counts()
    response = client.post(url, data=form)
    assert response.status_code == 200
    errors = field_errors(text(response), "grade")
    assert len(errors) == 1 and errors[0].startswith(
        f"不能评为优秀：该单位{YEAR}年度参加考核 4 人，优秀比例上限 20%，最多 0 人，已有 0 人")
    assert table_counts() == before
    new = make.official(name="新人", unit_obj=unit)
    make.commit()
    response = client.post(f"/officials/{new.id}/results/new",
                           data={k: v for k, v in form.items() if k != "version"})
    assert response.status_code == 302  # 5 assessed with this one: 1 place
    assert _counts(unit.id) == (5, 1, 1)


def _token(make) -> dict:
    user = db.session.scalar(select(User).where(User.username == "organization"))
    token = auth_services.create_token(user)
    make.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_refuses_over_quota(client, make):
    unit = make.unit(name="东城区")
    _staff(make, unit, 4)
    first, second = (make.official(name=n, unit_obj=unit) for n in ("甲", "乙"))
    headers = _token(make)
    body = {"year": YEAR, "kind": "annual", "grade": "excellent"}
    response = client.post(f"/api/v1/officials/{first.id}/results", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()  # 5 assessed: 1 place
    before = table_counts()
    response = client.post(f"/api/v1/officials/{second.id}/results", json=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["fields"]["grade"].startswith(
        f"不能评为优秀：该单位{YEAR}年度参加考核 6 人，优秀比例上限 20%，最多 1 人，已有 1 人")
    assert table_counts() == before
    body["grade"] = "competent"
    response = client.post(f"/api/v1/officials/{second.id}/results", json=body, headers=headers)
    assert response.status_code == 201 and _counts(unit.id) == (6, 1, 1)


# ---------------------------------------------------------------- the Excel import


def _rows(results, grades, year=YEAR):
    return [[_official(r).id_number, "", year, g] for r, g in zip(results, grades)]


HEAD = ["身份证号", "姓名", "年度", "等次"]


def test_import_checks_the_file_and_saves_nothing_over_quota(make):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 10)
    grades = ["优秀", "称职", "优秀", "称职", "称职", "优秀", "称职", "称职", "称职", "称职"]
    make.commit()  # the refused import rolls back the whole transaction
    before = table_counts()
    report = excel_import.run_import("annual", workbook("annual", _rows(staff, grades),
                                                         headers=HEAD))
    assert not report.committed and table_counts() == before
    got = {(p.row, p.column): p.message for p in report.problems}
    assert set(got) == {(2, "等次"), (4, "等次"), (7, "等次")}
    assert got[(4, "等次")].startswith(
        f"不能评为优秀：该单位{YEAR}年度参加考核 10 人，优秀比例上限 20%，最多 2 人，导入后优秀 3 人"
        "（按本文件导入后计；本文件评为优秀的：第 2、4、7 行）。")
    grades[5] = "称职"
    report = excel_import.run_import("annual", workbook("annual", _rows(staff, grades),
                                                         headers=HEAD))
    assert report.committed and report.updated == 2 and _counts(unit.id) == (10, 2, 2)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_import_is_order_independent(make, order):
    """Lowering one official and raising another in one file passes in either order."""
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 10)
    for r in staff[:2]:
        _regrade(r, "excellent")
    rows = _rows([staff[0], staff[5]], ["称职", "优秀"])
    report = excel_import.run_import("annual", workbook("annual", [rows[i] for i in order],
                                                         headers=HEAD))
    assert report.committed, report.problems
    db.session.expire_all()
    assert [r.grade for r in db.session.scalars(select(AssessmentResult).where(
        AssessmentResult.id.in_([staff[0].id, staff[5].id])).order_by(AssessmentResult.id))] \
        == ["competent", "excellent"]


def test_import_counts_new_results_of_the_file(make):
    """New officials' results in the file count as assessed (5 → one place)."""
    unit = make.unit(name="东城区")
    people = [make.official(name=f"新{i}", unit_obj=unit) for i in range(5)]
    rows = [[o.id_number, "", YEAR, "优秀" if i == 0 else "称职"] for i, o in enumerate(people)]
    make.commit()
    before = table_counts()
    report = excel_import.run_import("annual", workbook("annual", rows[:4], headers=HEAD),
                                     dry_run=True)
    assert [(p.row, p.message.startswith(f"不能评为优秀：该单位{YEAR}年度参加考核 4 人，优秀比例上限 "
                                         "20%，最多 0 人，导入后优秀 1 人")) for p in report.problems] \
        == [(2, True)]
    assert table_counts() == before
    report = excel_import.run_import("annual", workbook("annual", rows, headers=HEAD))
    assert report.committed and report.created == 5 and _counts(unit.id) == (5, 1, 1)


def test_cli_import_refuses_over_quota(runner, make, tmp_path):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 4)
    make.commit()
    path = tmp_path / "annual.xlsx"
    path.write_bytes(workbook("annual", _rows(staff, ["称职", "优秀", "称职", "称职"]),
                              headers=HEAD))
    before = table_counts()
    result = runner.invoke(args=["interop", "import-xlsx", "annual", str(path)])
    assert result.exit_code != 0
    assert (f"第 3 行\t等次\t不能评为优秀：该单位{YEAR}年度参加考核 4 人，优秀比例上限 20%，"
            "最多 0 人，导入后优秀 1 人") in result.output
    assert table_counts() == before


def test_import_page_lists_the_row(auth, make):
    unit = make.unit(name="东城区")
    o = make.official(name="王建国", unit_obj=unit)
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    page = text(upload(client, "annual",
                       workbook("annual", [[o.id_number, "", YEAR, "优秀"]], headers=HEAD)))
    assert "未导入任何内容" in page and "<td>2</td><td>等次</td><td>不能评为优秀" in page
    assert table_counts() == before


# ---------------------------------------------------------------- approvals


def test_approval_form_records_and_is_audited(auth, make):
    unit = make.unit(name="东城区")
    staff = _staff(make, unit, 4)
    make.commit()
    client = auth.as_role("organization")
    response = client.post(f"/units/{unit.id}/excellent-quota/new", data={
        "year": str(YEAR), "pct": "25", "approved_by": "市委组织部",
        "document_number": "江组通〔2025〕7号", "note": "重点任务突出"})
    assert response.status_code == 302
    approval = db.session.scalar(select(ExcellentQuotaApproval))
    assert (approval.unit_id, approval.year, approval.pct, approval.approved_by) == (
        unit.id, YEAR, 25, "市委组织部")
    log = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "excellent_quota_approval")).all()
    assert [(x.action, x.actor_name, x.after["document_number"]) for x in log] == [
        ("create", "organization", "江组通〔2025〕7号")]
    _regrade(staff[0], "excellent")  # 25% of 4 = 1
    make.commit()
    page = text(client.get(f"/units/{unit.id}"))
    assert ("<tr><td>2025</td><td>4</td><td>1</td><td>25%，最多 1 人<br>"
            '<span class="muted">经市委组织部批准，文号：江组通〔2025〕7号</span></td>'
            "<td>已满</td>") in page.replace("\n        ", "")


@pytest.mark.parametrize("change, field, message", [
    ({"pct": 26}, "pct", "批准的优秀比例应高于规则参数「年度考核优秀比例上限」 20%，且不超过规则参数「经批准的优秀比例上限」 25%。"),
    ({"pct": 20}, "pct", "批准的优秀比例应高于"),
    ({"document_number": " "}, "document_number", "请填写批准文号。"),
    ({"approved_by": ""}, "approved_by", "请填写批准单位。"),
    ({"year": 1979}, "year", "年度应在 1980 至"),
])
def test_approval_validation(make, change, field, message):
    unit = make.unit(name="东城区")
    with pytest.raises(ValidationFailed) as exc:
        _approve(unit, **change)
    assert exc.value.errors[field].startswith(message)


def test_approval_once_per_unit_and_year_and_not_above_setting(make):
    unit, other = make.unit(name="东城区"), make.unit(name="西城区")
    _approve(unit)
    with pytest.raises(ValidationFailed) as exc:
        _approve(unit, pct=22)
    assert exc.value.errors["year"].startswith("该单位2025年度已登记优秀比例批准（文号：江组通〔2025〕7号）")
    _approve(unit, year=YEAR - 1)
    _approve(other)
    settings.set_value(quota.APPROVED_PCT, 30)  # the setting is read when recording
    _approve(unit, year=YEAR - 2, pct=30)


def test_approval_cannot_be_withdrawn_or_lowered_while_used(make):
    unit = make.unit(name="东城区")
    approval = _approve(unit, pct=25)
    staff = _staff(make, unit, 8)
    for r in staff[:2]:
        _regrade(r, "excellent")  # 25% of 8 = 2
    with pytest.raises(ValidationFailed) as exc:
        approvals.delete_approval(approval)
    assert "已有优秀 2 人；撤销批准后最多 1 人" in exc.value.errors["_"]
    with pytest.raises(ValidationFailed) as exc:
        approvals.save_approval(unit, approval, {
            "year": YEAR, "pct": 22, "approved_by": "市委组织部", "document_number": "X"})
    assert "改为 22%后最多 1 人" in exc.value.errors["pct"]
    _regrade(staff[1], "competent")
    approvals.delete_approval(approval)
    assert quota.usage(unit.id, YEAR).pct == 20


@pytest.mark.parametrize("role", ["assessment", "admin", "discipline"])
def test_only_the_organization_records_approvals(auth, make, role):
    unit = make.unit(name="东城区")
    make.commit()
    client = auth.as_role(role)
    response = client.post(f"/units/{unit.id}/excellent-quota/new", data={
        "year": str(YEAR), "pct": "25", "approved_by": "市委组织部", "document_number": "X"})
    assert response.status_code == 403
    assert db.session.scalar(select(ExcellentQuotaApproval)) is None
    page = text(client.get(f"/units/{unit.id}"))
    assert "登记提高比例的批准" not in page
    assert ("年度考核优秀比例" in page) == (role == "discipline")  # readers of officials


# ---------------------------------------------------------------- the unit page


def test_unit_page_shows_use_per_year_with_one_grouped_query(auth, make):
    unit = make.unit(name="东城区")
    small = _staff(make, unit, 3, year=YEAR - 2, tag="甲")
    big = _staff(make, unit, 10, year=YEAR, tag="乙")
    _regrade(big[0], "excellent")
    small[2].soft_delete()  # deleted results do not count
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get(f"/units/{unit.id}")).replace("\n        ", "")
    assert "<tr><td>2025</td><td>10</td><td>1</td><td>20%，最多 2 人</td><td>未满</td>" in page
    assert "<tr><td>2023</td><td>2</td><td>0</td><td>20%，最多 0 人</td><td>已满</td>" in page
    # Each count from a fresh transaction: a setting without a row is looked up once per
    # transaction (kaohe.settings.services), whatever the number of results.
    make.commit()
    with statements() as few:
        quota.usage_by_year(unit.id)
    _staff(make, unit, 12, year=YEAR - 1, tag="丙")
    make.commit()
    with statements() as many:
        usages = quota.usage_by_year(unit.id)
    assert [u.year for u in usages] == [YEAR, YEAR - 1, YEAR - 2]
    assert len(many) == len(few)


def test_unit_page_flags_a_year_over_quota(auth, make):
    unit, other = make.unit(name="东城区"), make.unit(name="西城区")
    staff = _staff(make, unit, 5)
    _regrade(staff[0], "excellent")
    # A post entered later moves one official to another unit on 31 December.
    make.post(_official(staff[4]), other, start=D(YEAR, 6, 1), title="调任")
    make.commit()
    page = text(auth.as_role("organization").get(f"/units/{unit.id}")).replace("\n        ", "")
    assert '<tr><td>2025</td><td>4</td><td>1</td><td>20%，最多 0 人</td><td><strong class="error">超出上限 1 人</strong></td>' in page
