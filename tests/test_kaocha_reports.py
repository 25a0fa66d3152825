"""The final 考察材料 frozen onto an agenda item, the 民主推荐 records, reviewers and the bundle."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import DiscussionBundle
from kaohe.discussions.services import decisions
from kaohe.extensions import db
from kaohe.interop.models import FamilyMember
from kaohe.kaocha import files, services
from kaohe.kaocha.models import MIME, DemocraticRecommendation, InspectionReport
from tests import discussions_support as s
from tests import kaocha_support as ks
from tests.conftest import PASSWORD
from tests.dossier_support import flat
from tests.helpers import field_errors, table_counts, text

D = ks.D


def _url(d, it, tail=""):
    return f"/discussions/{d.id}/items/{it.id}/kaocha{tail}"


def _upload(client, d, it, data: bytes, name="考察材料.pdf", reason=""):
    return client.post(_url(d, it, "/reports/new"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "reason": reason})


def _encrypted() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(ks.pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """``data`` (a zip) with each part passed through ``change(name, bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


def _docm() -> bytes:
    return _rezip(ks.docx(), lambda name, b: b.replace(files.WORD_MAIN.encode(),
                                                       files.WORD_MACRO.encode()))


def _bomb() -> bytes:
    """A .docx whose document part inflates to 40 MB of zeros."""
    base = ks.docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (40 * 1024 * 1024))
    return out.getvalue()


def _broken_docx() -> bytes:
    return _rezip(ks.docx(), lambda name, b: b[:40] if name == "word/document.xml" else b)


# ---------------------------------------------------------------- type by content

@pytest.mark.parametrize("make_data,kind", [
    (ks.pdf, "pdf"), (lambda: ks.pdf(pages=files.MAX_PAGES), "pdf"), (ks.nested_pdf, "pdf"),
    (ks.docx, "docx"),
])
def test_accepted_files(make, make_data, kind):
    assert files.kind_of(make_data()) == kind


@pytest.mark.parametrize("make_data,message", [
    (lambda: b"", files.EMPTY),
    (lambda: b"%PDF-1.4\n" + b"0" * files.MAX_BYTES, files.TOO_LARGE),
    (lambda: ks.pdf()[:-200], files.BAD_PDF),
    (lambda: b"%PDF-1.4 not really", files.BAD_PDF),
    (_encrypted, files.ENCRYPTED),
    (lambda: ks.pdf(pages=files.MAX_PAGES + 1), files.TOO_MANY_PAGES),
    (lambda: "考察材料正文".encode("utf-8"), files.WRONG_TYPE),
    (lambda: bytes.fromhex("89504e470d0a1a0a") + b"\0" * 64, files.WRONG_TYPE),
    (_xlsx, files.WRONG_TYPE),
    (_docm, files.MACRO),
    (_bomb, files.DOCX_TOO_LARGE),
    (_broken_docx, files.BAD_DOCX),
    (lambda: b"PK\x03\x04" + b"\0" * 100, files.BAD_DOCX),
])
def test_refused_files(make, make_data, message):
    with pytest.raises(ValidationFailed) as exc:
        files.kind_of(make_data())
    assert exc.value.errors == {"file": message}


def test_foreign_pdf_is_rewritten_for_the_bundle_only(make):
    data = ks.nested_pdf()
    ready = files.merge_ready(data)
    assert ready != data and PdfReader(io.BytesIO(ready)).pages[1].extract_text() == \
        "Nested page two"
    own = ks.pdf()
    assert files.merge_ready(own) is own  # ReportLab's shape is joined as it is


# ---------------------------------------------------------------- freezing

def test_freeze_keeps_the_bytes_their_hash_and_every_version(make):
    d, it = ks.item()
    first = ks.pdf(text="first")
    made = services.freeze(d, it, first, "C:\\考察\\王建国考察材料.pdf", None, s.user("organization").id)
    assert (made.version, made.kind, made.filename, made.size) == (1, "pdf", "王建国考察材料.pdf",
                                                                   len(first))
    assert made.sha256 == hashlib.sha256(first).hexdigest()
    with pytest.raises(ValidationFailed) as exc:
        services.freeze(d, it, ks.docx(), "b.docx", "  ", None)
    assert exc.value.errors == {"reason": "已上传第 1 版考察材料；上传新版本须填写更换原因（原版本保留）。"}
    second = services.freeze(d, it, ks.docx(), "b.docx", "补充民主测评情况", None)
    db.session.expire_all()
    versions = services.reports(it)
    assert [(r.version, r.kind, r.reason) for r in versions] == [
        (1, "pdf", ""), (2, "docx", "补充民主测评情况")]
    assert versions[0].data == first and services.current_report(it).id == second.id
    # Audited, without the file's bytes.
    make.commit()
    logs = list(db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "inspection_report")))
    assert len(logs) == 2 and all("data" not in (log.after or {}) for log in logs)
    assert logs[0].after["sha256"] == made.sha256


def test_nothing_is_frozen_after_the_meeting(make):
    d, it = ks.ready()
    decisions.hold(d, [m.id for m in d.members])
    with pytest.raises(ValidationFailed) as exc:
        services.freeze(d, it, ks.pdf(), "a.pdf", None, None)
    assert "会议已召开" in exc.value.errors["file"]
    with pytest.raises(ValidationFailed):
        ks.recommend(d, it)


@pytest.mark.parametrize("name,shown", [
    ("../../etc/passwd", "passwd"), ("a\x00b\x1fc.pdf", "abc.pdf"), ("", "考察材料"),
    ("名" * 300 + ".pdf", "名" * 200),
])
def test_safe_filename(name, shown):
    assert services.safe_filename(name) == shown


# ---------------------------------------------------------------- upload page

def test_upload_page_freezes_a_pdf(make, auth):
    d, it = ks.item()
    make.commit()
    client = auth.as_role("organization")
    form = text(client.get(_url(d, it, "/reports/new")))
    assert 'enctype="multipart/form-data"' in form and 'id="reason"' not in form
    data = ks.pdf()
    response = _upload(client, d, it, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#kaocha")
    [made] = services.reports(it)
    assert made.data == data and made.uploaded_by.username == "organization"
    page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    block = page.split('id="kaocha"')[1]
    assert "考察材料.pdf（PDF）" in block and made.sha256[:12] in block and "当前" in block
    assert "organization测试" in block


@pytest.mark.parametrize("make_data,name,message", [
    (lambda: b"", "empty.pdf", files.EMPTY),
    (_xlsx, "考察材料.docx", files.WRONG_TYPE),
    (lambda: b"\x89PNG\r\n\x1a\n" + b"0" * 100, "scan.pdf", files.WRONG_TYPE),
    (lambda: b"%PDF-1.7\n" + b"x" * files.MAX_BYTES, "big.pdf", files.TOO_LARGE),
    (_docm, "宏.docx", files.MACRO),
])
def test_upload_page_refuses_with_a_message_and_saves_nothing(make, auth, make_data, name,
                                                              message):
    d, it = ks.item()
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    response = _upload(client, d, it, make_data(), name)
    assert response.status_code == 200
    assert field_errors(text(response), "file") == [message]
    db.session.expire_all()
    assert table_counts() == before


def test_upload_page_without_a_file(make, auth):
    d, it = ks.item()
    make.commit()
    response = auth.as_role("organization").post(_url(d, it, "/reports/new"), data={})
    assert field_errors(text(response), "file") == [files.EMPTY]


def test_request_over_the_server_limit_is_413_in_chinese(make, auth, app):
    d, it = ks.item()
    make.commit()
    big = b"%PDF-1.7\n" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = _upload(auth.as_role("organization"), d, it, big)
    assert response.status_code == 413 and "上传的文件过大" in text(response)
    assert services.reports(it) == []


def test_second_version_needs_a_reason_on_the_page(make, auth):
    d, it = ks.item()
    services.freeze(d, it, ks.pdf(), "v1.pdf", None, None)
    make.commit()
    client = auth.as_role("organization")
    assert 'id="reason"' in text(client.get(_url(d, it, "/reports/new")))
    response = _upload(client, d, it, ks.docx(), "v2.docx")
    assert field_errors(text(response), "reason") == [
        "已上传第 1 版考察材料；上传新版本须填写更换原因（原版本保留）。"]
    assert _upload(client, d, it, ks.docx(), "v2.docx", "补充谈话情况").status_code == 302
    assert [r.version for r in services.reports(it)] == [1, 2]


# ---------------------------------------------------------------- downloads and reviewers

def _reviewed(make, data=None):
    d, it = ks.item()
    stored = services.freeze(d, it, data or ks.pdf(pages=2), "定稿.pdf", None, None)
    s.assign(d)
    make.commit()
    return d, it, stored


def test_assigned_reviewer_downloads_a_stamped_pdf_and_the_stored_one_is_untouched(make, auth):
    d, it, stored = _reviewed(make)
    original = stored.data
    client = auth.as_role("reviewer")
    page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    block = page.split('id="kaocha"')[1]
    assert "定稿.pdf" in block and "上传" not in block.split("</table>")[1]
    assert "生成考察材料初稿" not in block and "登记民主推荐" not in block
    response = client.get(_url(d, it, "/reports/1"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    stamped = PdfReader(io.BytesIO(response.data))
    assert len(stamped.pages) == 2
    assert all("reviewer测试 查阅 20" in p.extract_text() for p in stamped.pages)
    db.session.expire_all()
    again = db.session.get(InspectionReport, stored.id)
    assert again.data == original and again.sha256 == hashlib.sha256(original).hexdigest()
    log = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "discussion_access").order_by(AuditLog.id.desc())).first()
    assert (log.action, log.after["what"], log.after["version"], log.after["sha256"]) == (
        "download", "考察材料", 1, stored.sha256)
    assert client.get(_url(d, it, "/reports/2")).status_code == 404
    assert client.get(_url(d, it, "/draft")).status_code == 403
    assert _upload(client, d, it, ks.pdf()).status_code == 403


def test_docx_download_carries_the_reader_in_every_header(make, auth):
    original = ks.docx()
    d, it, stored = _reviewed(make, original)
    assert stored.kind == "docx"
    response = auth.as_role("reviewer").get(_url(d, it, "/reports/1"))
    assert response.mimetype == MIME["docx"]
    doc = Document(io.BytesIO(response.data))
    assert doc.paragraphs[0].text == "王建国同志考察材料（定稿）"
    assert doc.sections[0].header.paragraphs[0].text.startswith("reviewer测试 查阅 20")
    assert db.session.get(InspectionReport, stored.id).data == original


def test_unassigned_reviewer_gets_nothing(make, auth):
    d, it = ks.item()
    services.freeze(d, it, ks.pdf(), "定稿.pdf", None, None)
    make.commit()
    client = auth.as_role("reviewer")
    assert client.get(_url(d, it, "/reports/1")).status_code == 403


@pytest.mark.parametrize("how", ["self", "relative"])
def test_recused_reviewer_and_organization_user_get_nothing(make, client, how):
    d, it = ks.item()
    services.freeze(d, it, ks.pdf(), "定稿.pdf", None, None)
    linked = it.official_id
    if how == "relative":
        brother = s.f.official(name="王建军")
        db.session.add(FamilyMember(official_id=it.official_id, relation="兄弟", name="王建军",
                                    relative_official_id=brother.id))
        linked = brother.id
    auth_services.create_user("rv_linked", "reviewer", PASSWORD, official_id=linked)
    auth_services.create_user("org_linked", "organization", PASSWORD, official_id=linked)
    db.session.flush()
    s.assign(d, "rv_linked")
    make.commit()
    for username in ("rv_linked", "org_linked"):
        client.post("/login", data={"username": username, "password": PASSWORD})
        for tail in ("/reports/1", "/draft", "/draft?date=2020-04-08", "/reports/new",
                     "/recommendations/new"):
            response = client.get(_url(d, it, tail))
            assert response.status_code == 403, (username, tail)
            assert b"%PDF" not in response.data[:10] and "王建国" not in text(response)
        assert client.get(f"/officials/{it.official_id}/kaocha/draft").status_code == 403
        client.post("/logout")


# ---------------------------------------------------------------- 民主推荐

FORM = {"kind": "meeting", "held_on": "2020-03-20", "scope": "区委全委会成员",
        "participants": "48", "votes": "41", "note": ""}


@pytest.mark.parametrize("change,field,message", [
    ({"votes": "49"}, "votes", "得票数（49）不能超过参加人数（48）。"),
    ({"participants": "0"}, "participants", "参加人数应为 1 到 100000 之间的整数。"),
    ({"participants": "100001"}, "participants", "参加人数应为 1 到 100000 之间的整数。"),
    ({"votes": "-1"}, "votes", "得票数应为不小于 0、不超过参加人数的整数。"),
    ({"votes": ""}, "votes", "请填写得票数。"),
    ({"held_on": "2020-04-11"}, "held_on", "民主推荐应在会议（2020-04-10）之前进行。"),
    ({"held_on": "2020-02-30"}, "held_on", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ({"kind": ""}, "kind", "请选择推荐方式。"),
    ({"kind": "secret"}, "kind", "不是有效的选择。"),
    ({"participants": "四十"}, "participants", "不是有效的整数。"),
    ({"participants": "9" * 30}, "participants", "参加人数应为 1 到 100000 之间的整数。"),
])
def test_recommendation_form_refusals(make, auth, change, field, message):
    d, it = ks.item()
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    response = client.post(_url(d, it, "/recommendations/new"), data={**FORM, **change})
    assert response.status_code == 200
    assert field_errors(text(response), field) == [message]
    db.session.expire_all()
    assert table_counts() == before


def test_recommendation_boundaries_are_accepted(make, auth):
    d, it = ks.item()
    make.commit()
    client = auth.as_role("organization")
    for data in ({"held_on": "2020-04-10", "votes": "48"}, {"votes": "0", "participants": "1"}):
        assert client.post(_url(d, it, "/recommendations/new"),
                           data={**FORM, **data}).status_code == 302
    rows = services.recommendations(it)
    assert [(r.held_on, r.participants, r.votes) for r in rows] == [
        (D(2020, 3, 20), 1, 0), (D(2020, 4, 10), 48, 48)]
    page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    assert "100.0%" in page and "0.0%" in page


def test_recommendation_edit_and_delete(make, auth):
    d, it = ks.item()
    rec = ks.recommend(d, it)
    make.commit()
    client = auth.as_role("organization")
    form = text(client.get(_url(d, it, f"/recommendations/{rec.id}/edit")))
    assert 'value="区委全委会成员"' in form and 'name="version"' in form
    response = client.post(_url(d, it, f"/recommendations/{rec.id}/edit"),
                           data={**FORM, "votes": "47", "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DemocraticRecommendation, rec.id).votes == 47
    assert client.post(_url(d, it, f"/recommendations/{rec.id}/delete")).status_code == 302
    assert services.recommendations(it) == []
    assert client.get(_url(d, it, f"/recommendations/{rec.id}/edit")).status_code == 404


def test_recommendation_is_locked_after_the_meeting(make, auth):
    d, it = ks.ready()
    rec = ks.recommend(d, it)
    decisions.hold(d, [m.id for m in d.members])
    make.commit()
    client = auth.as_role("organization")
    response = client.post(_url(d, it, f"/recommendations/{rec.id}/edit"),
                           data={**FORM, "votes": "1", "version": "1"})
    assert "会议已召开" in text(response)
    assert client.post(_url(d, it, f"/recommendations/{rec.id}/delete")).status_code == 302
    db.session.expire_all()
    assert db.session.get(DemocraticRecommendation, rec.id).votes == 45
    assert len(services.recommendations(it)) == 1


# ---------------------------------------------------------------- agenda bundle

def _bundle(client, d) -> PdfReader:
    assert client.post(f"/discussions/{d.id}/bundle").status_code == 302
    state = client.get(f"/discussions/{d.id}/bundle/status").get_json()
    assert state["status"] == "done", state
    return PdfReader(io.BytesIO(db.session.get(DiscussionBundle, state["id"]).pdf))


def test_bundle_carries_the_pdf_final_after_the_dossier(make, auth):
    d = s.discussion()
    a = s.ready_item(d, s.official(name="王建国"))
    b = s.ready_item(d, s.official(name="李海燕"))
    services.freeze(d, a, ks.nested_pdf(("Final A one", "Final A two")), "a.pdf", None, None)
    services.freeze(d, b, ks.pdf(text="Final B old"), "b1.pdf", None, None)
    services.freeze(d, b, ks.pdf(text="Final B new"), "b2.pdf", "改写", None)
    make.commit()
    reader = _bundle(auth.as_role("organization"), d)
    top = [o for o in reader.outline if not isinstance(o, list)]
    titles = [o.title for o in top]
    assert "1. 王建国 · 考察材料（第 1 版）" in titles and "2. 李海燕 · 考察材料（第 2 版）" in titles
    assert titles.index("1. 王建国 · 考察材料（第 1 版）") < titles.index(
        "2. 李海燕 · 考察材料（第 2 版）")
    start = reader.get_destination_page_number(top[titles.index("1. 王建国 · 考察材料（第 1 版）")])
    assert [reader.pages[start + n].extract_text() for n in (0, 1)] == ["Final A one",
                                                                         "Final A two"]
    texts = [p.extract_text() for p in reader.pages]
    assert any("Final B new page 1" in t for t in texts)
    assert not any("Final B old" in t for t in texts)


def test_bundle_states_a_docx_final_is_attached_separately(make, auth):
    d = s.discussion()
    a = s.ready_item(d, s.official(name="王建国"))
    made = services.freeze(d, a, ks.docx(), "王建国考察材料.docx", None, s.user("organization").id)
    make.commit()
    reader = _bundle(auth.as_role("organization"), d)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "1. 王建国 · 考察材料（第 1 版）（Word 文件，另附）" in titles
    notice = flat(reader.pages[-1].extract_text())
    for fact in ("王建国同志考察材料", "为Word文件，不能并入本汇编，另行附送", "王建国考察材料.docx",
                 made.sha256, "organization测试"):
        assert flat(fact) in notice, fact
