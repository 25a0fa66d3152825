"""「打印任免审批表」 through the pages, the agenda item, the bundle and the CLI."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.discussions import bundle as bundles
from kaohe.discussions.services import access
from kaohe.extensions import db
from kaohe.officials.models import Official
from tests import discussions_support as s
from tests import factories
from tests.appform_support import flat, full_official, pages, sheet
from tests.conftest import PASSWORD
from tests.helpers import field_errors, text


def _last_event(action: str) -> AuditLog:
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                              .order_by(AuditLog.seq.desc())).first()


def test_profile_button_and_form(make, auth):
    o = full_official()
    make.commit()
    client = auth.as_role("organization")
    profile = text(client.get(f"/officials/{o.id}"))
    assert "打印任免审批表" in profile and f"/officials/{o.id}/appointment-form" in profile
    page = text(client.get(f"/officials/{o.id}/appointment-form"))
    assert 'id="as_of"' in page and 'value="B5"' in page
    assert re.search(r'<input checked[^>]*value="A4"', page)  # the standard size preset


@pytest.mark.parametrize("size", ["A4", "B5"])
def test_profile_print_downloads_the_pdf_and_is_audited(make, auth, size):
    o = full_official()
    make.commit()
    client = auth.as_role("organization")
    response = client.get(f"/officials/{o.id}/appointment-form?size={size}&as_of=2026-03-08")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    box = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == (210 if size == "A4" else 176)
    got = pages(response.data)
    assert "（51岁）" in flat(got[0]) and "东城区委书记" in got[0]  # the sheet's 拟任
    event = _last_event("appointment_form_print")
    assert (event.entity_id, event.after, event.actor_name) == (
        o.id, {"as_of": "2026-03-08", "size": size}, "organization")


@pytest.mark.parametrize("sheet_filler,shown", [("刘科长", "刘科长"), ("", "organization测试")])
def test_filler_is_the_sheets_or_the_printing_user(make, auth, sheet_filler, shown):
    o = factories.official()
    sheet(o, filled_by=sheet_filler)
    make.commit()
    response = auth.as_role("organization").get(
        f"/officials/{o.id}/appointment-form?size=A4&as_of=2026-01-01")
    assert f"填表人：{shown}" in flat(pages(response.data)[1])


@pytest.mark.parametrize("query,field,message", [
    ("size=A4&as_of=", "as_of", "请填写计算年龄时间。"),
    ("size=A4&as_of=2026-02-30", "as_of", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ("size=A4&as_of=1975-03-07", "as_of",
     "计算年龄时间（1975-03-07）不能早于该干部的出生日期（1975-03-08）。"),
    ("size=A3&as_of=2026-01-01", "size", None),
    ("size=&as_of=2026-01-01", "size", None),
])
def test_bad_input_is_refused_next_to_the_field(make, auth, query, field, message):
    o = full_official()
    make.commit()
    client = auth.as_role("organization")
    before = db.session.scalar(select(db.func.count(AuditLog.id)))
    response = client.get(f"/officials/{o.id}/appointment-form?{query}")
    assert response.status_code == 422 and response.mimetype == "text/html"
    errors = field_errors(text(response), field)
    assert errors and (message is None or errors == [message])
    assert db.session.scalar(select(db.func.count(AuditLog.id))) == before


def test_a_character_no_font_has_is_a_chinese_message(make, auth):
    o = factories.official(name="王\U00030000")
    make.commit()
    response = auth.as_role("organization").get(
        f"/officials/{o.id}/appointment-form?size=A4&as_of=2026-01-01")
    assert response.status_code == 422 and "U+30000" in text(response)
    assert "Traceback" not in text(response)


@pytest.mark.parametrize("role", ["discipline", "reviewer", "assessment", "admin"])
def test_only_dossier_makers_print_from_the_profile(make, auth, role):
    o = full_official()
    make.commit()
    response = auth.as_role(role).get(f"/officials/{o.id}/appointment-form?size=A4&as_of=2026-01-01")
    assert response.status_code == 403 and "王建国" not in text(response)


def test_recused_user_cannot_print(make, client):
    from kaohe.auth import services as auth_services

    o = full_official()
    auth_services.create_user("self_org", "organization", PASSWORD, official_id=o.id)
    make.commit()
    client.post("/login", data={"username": "self_org", "password": PASSWORD})
    response = client.get(f"/officials/{o.id}/appointment-form?size=A4&as_of=2026-01-01")
    assert response.status_code == 403 and not response.data.startswith(b"%PDF")


def _agenda(action="promote", post="东城区委书记", removal=""):
    d = s.discussion()
    o = s.official(name="王建国")
    sheet(o, proposed_post="表上拟任职务", proposed_removal="表上拟免职务", reason="表上理由")
    it = s.item(d, o, action=action, post=post, reason="议题任免理由：工作实绩突出。")
    it.proposed_removal = removal
    return d, it


# The item's own 拟任/拟免 only: never the sheet's, which may hold another proposal.
@pytest.mark.parametrize("action,post,removal,proposed,removed", [
    ("promote", "东城区委书记", "东城区区长", "东城区委书记", "东城区区长"),
    ("exchange", "东城区委书记", "", "东城区委书记", ""),
    ("dismiss", "", "东城区区长", "", "东城区区长"),
    ("dismiss", "东城区委书记", "", "", "东城区委书记"),  # recorded before 拟免 had a field
])
def test_agenda_item_form_uses_the_item_and_the_meeting_date(make, auth, action, post, removal,
                                                              proposed, removed):
    d, it = _agenda(action, post, removal)
    s.assign(d)
    make.commit()
    client = auth.as_role("reviewer")
    page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    url = f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf"
    assert url in page and f"{url}?size=B5" in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    one, two = (flat(p) for p in pages(response.data))
    born = it.official.birth_date
    age = d.date.year - born.year - ((d.date.month, d.date.day) < (born.month, born.day))
    assert f"（{age}岁）" in one and proposed in one and removed in one
    assert "表上拟任职务" not in one and "表上拟免职务" not in one
    assert "议题任免理由：工作实绩突出。" in two and "表上理由" not in two
    stamped = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "reviewer测试" in stamped  # the reader's watermark
    [entry] = [e for e in access.register(d) if e.action == "download"]
    assert entry.after["what"] == "干部任免审批表" and entry.after["item_id"] == it.id


def test_item_form_refuses_other_sizes_and_unassigned_reviewers(make, auth):
    d, it = _agenda()
    make.commit()
    client = auth.as_role("reviewer")
    assert client.get(f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf").status_code == 403
    auth.logout()
    client = auth.as_role("organization")
    response = client.get(f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf?size=A5")
    assert response.status_code == 422 and "纸张规格只能是 A4 或 B5。" in text(response)


def test_recused_reviewer_gets_no_item_form(make, client):
    d, it = _agenda()
    from kaohe.auth import services as auth_services

    user = auth_services.create_user("rev_self", "reviewer", PASSWORD, official_id=it.official_id)
    s.assign(d, "rev_self")
    make.commit()
    assert user.official_id == it.official_id
    client.post("/login", data={"username": "rev_self", "password": PASSWORD})
    response = client.get(f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf")
    assert response.status_code == 403


def test_bundle_puts_each_form_before_its_dossier(make):
    d = s.discussion()
    a = s.ready_item(d, s.official(name="王建国"))
    made = bundles.start(d)
    bundles.build(made.id)
    reader = PdfReader(io.BytesIO(made.pdf))
    top = [o for o in reader.outline if not isinstance(o, list)]
    titles = [o.title for o in top]
    number = a.current_dossier.dossier.number
    assert titles == ["议程目录", "1. 王建国 · 干部任免审批表", f"1. 王建国 · 提拔（{number}）"]
    first = reader.get_destination_page_number(top[1])
    form = flat(reader.pages[first].extract_text())
    assert "干部任免审批表" in form and "东城区委书记" in form
    assert reader.get_destination_page_number(top[2]) == first + 2  # two pages, then the dossier


@pytest.mark.parametrize("size", ["A4", "B5"])
def test_cli_writes_the_form(make, runner, tmp_path, size):
    o = full_official()
    make.commit()
    out = tmp_path / "form.pdf"
    result = runner.invoke(args=["appointment-form", str(o.id), "--as-of", "2026-03-07",
                                 "--size", size, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成王建国的干部任免审批表" in result.output and f"（{size}，2 页）" in result.output
    assert "（50岁）" in flat(pages(out.read_bytes())[0])
    assert _last_event("appointment_form_print").actor_name == "cli:appointment-form"


@pytest.mark.parametrize("args,code,message", [
    (["999999", "-o", "{out}"], 1, "干部不存在（编号 999999）。"),
    (["{id}", "--as-of", "1975-03-07", "-o", "{out}"], 1, "不能早于该干部的出生日期"),
    (["{id}", "--as-of", "2026-02-30", "-o", "{out}"], 2, "日期格式不正确"),
    (["{id}", "--size", "A3", "-o", "{out}"], 2, "A3"),
    (["{id}"], 2, "-o"),
    (["{id}", "-o", "{missing}"], 1, "无法写入文件"),
])
def test_cli_exit_codes(make, runner, tmp_path, args, code, message):
    o = full_official()
    make.commit()
    out, missing = tmp_path / "form.pdf", tmp_path / "no-such-dir" / "form.pdf"
    args = [a.format(id=o.id, out=out, missing=missing) for a in args]
    result = runner.invoke(args=["appointment-form", *args])
    assert result.exit_code == code and message in result.output, result.output
    assert not out.exists()


def test_cli_refuses_a_deleted_official(make, runner, tmp_path):
    o = full_official()
    o.soft_delete()
    make.commit()
    result = runner.invoke(args=["appointment-form", str(o.id), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "干部不存在" in result.output
    assert db.session.scalar(select(Official).where(Official.id == o.id)) is None
