"""Reviewers: assigned discussions only, recusal, the reading register, watermarks."""
from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from kaohe.interop.models import FamilyMember
from tests import discussions_support as s
from tests.helpers import text

PASSWORD = "reviewer-password-1"


def _two_discussions():
    mine = s.discussion(title="2020年第3次常委会")
    other = s.discussion(title="2020年第4次书记专题会", kind="secretary")
    a = s.ready_item(mine, s.official(name="王建国"))
    b = s.ready_item(other, s.official(name="李海燕"))
    s.assign(mine)
    return mine, other, a, b


def test_reviewer_sees_only_assigned_discussions(make, auth):
    mine, other, a, b = _two_discussions()
    make.commit()
    client = auth.as_role("reviewer")
    index = text(client.get("/discussions/"))
    assert "2020年第3次常委会" in index and "2020年第4次书记专题会" not in index
    home = text(client.get("/home"))
    assert "分配给我审阅的干部讨论" in home and "2020年第3次常委会" in home
    assert "2020年第4次书记专题会" not in home
    assert client.get(f"/discussions/{mine.id}").status_code == 200
    assert client.get(f"/discussions/{mine.id}/items/{a.id}").status_code == 200
    for url in (f"/discussions/{other.id}", f"/discussions/{other.id}/items/{b.id}",
                f"/discussions/{other.id}/items/{b.id}/dossiers/1.pdf",
                f"/discussions/{mine.id}/items/{b.id}"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "李海燕" not in text(response) if response.mimetype == "text/html" else True
    assert client.get(f"/discussions/{other.id}").status_code == 403


@pytest.mark.parametrize("url", ["/discussions/{d}/edit", "/discussions/{d}/items/new",
                                 "/discussions/{d}/hold", "/discussions/{d}/register",
                                 "/discussions/{d}/bundle/status", "/discussions/new"])
def test_reviewer_reads_only(make, auth, url):
    mine, _other, _a, _b = _two_discussions()
    make.commit()
    client = auth.as_role("reviewer")
    assert client.get(url.format(d=mine.id)).status_code == 403
    assert client.post(url.format(d=mine.id), data={}).status_code in (403, 405)
    page = text(client.get(f"/discussions/{mine.id}"))
    assert "添加议题" not in page and "附材料" not in page and "标记为已召开" not in page


def _reviewer_with_official(official_id):
    auth_services.create_user("rv_linked", "reviewer", PASSWORD, display_name="关联审阅人",
                              official_id=official_id)


def _relative(of_official, relative_official):
    db.session.add(FamilyMember(official_id=of_official.id, relation="兄弟",
                                name=relative_official.name,
                                relative_official_id=relative_official.id))
    db.session.flush()


@pytest.mark.parametrize("how", ["self", "relative_declared_by_item_official",
                                 "relative_declared_by_reviewer"])
def test_recusal(make, client, how):
    d = s.discussion()
    target = s.official(name="王建国")
    bystander = s.official(name="李海燕")
    a = s.ready_item(d, target)
    b = s.ready_item(d, bystander)
    if how == "self":
        _reviewer_with_official(target.id)
    else:
        brother = s.f.official(name="王建军")
        _reviewer_with_official(brother.id)
        if how == "relative_declared_by_item_official":
            _relative(target, brother)
        else:
            _relative(brother, target)
    s.assign(d, "rv_linked")
    make.commit()
    client.post("/login", data={"username": "rv_linked", "password": PASSWORD})
    page = text(client.get(f"/discussions/{d.id}"))
    row_a = page.split(f'id="item{a.id}"')[1].split("</tr>")[0]
    row_b = page.split(f'id="item{b.id}"')[1].split("</tr>")[0]
    assert "您需回避本议题" in row_a and a.current_dossier.dossier.number not in row_a
    assert "您需回避本议题" not in row_b and b.current_dossier.dossier.number in row_b
    assert client.get(f"/discussions/{d.id}/items/{a.id}").status_code == 403
    assert client.get(f"/discussions/{d.id}/items/{a.id}/dossiers/1.pdf").status_code == 403
    assert client.get(f"/discussions/{d.id}/items/{b.id}").status_code == 200


def test_reading_register(make, auth):
    mine, _other, a, _b = _two_discussions()
    make.commit()
    client = auth.as_role("reviewer")
    client.get(f"/discussions/{mine.id}")
    client.get(f"/discussions/{mine.id}/items/{a.id}")
    assert client.get(f"/discussions/{mine.id}/items/{a.id}/dossiers/1.pdf").status_code == 200
    rows = list(db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "discussion_access").order_by(AuditLog.id)))
    number = a.current_dossier.dossier.number
    assert [(r.action, r.actor_name, r.entity_id, r.after["what"]) for r in rows] == [
        ("view", "reviewer", mine.id, "会议议程"), ("view", "reviewer", mine.id, "议题"),
        ("download", "reviewer", mine.id, "考评材料")]
    assert rows[2].after["number"] == number and rows[2].after["version"] == 1
    assert all(r.at is not None for r in rows)
    auth.logout()
    org = auth.as_role("organization")
    org.get(f"/discussions/{mine.id}")  # staff pages are audited otherwise, not registered
    page = text(org.get(f"/discussions/{mine.id}/register"))
    body = page.split('id="register"')[1]
    assert body.count("<tr>") == 4  # head + three rows
    assert "reviewer" in body and "下载" in body and "查阅" in body and number in body


def test_download_is_watermarked_on_every_page_and_the_stored_pdf_is_untouched(make, auth):
    mine, _other, a, _b = _two_discussions()
    make.commit()
    stored = a.current_dossier.dossier
    original, sha = stored.pdf, stored.sha256
    response = auth.as_role("reviewer").get(f"/discussions/{mine.id}/items/{a.id}/dossiers/1.pdf")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers[
        "Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data.count(b"%%EOF") == 1  # one complete file (tests/test_watermark_full.py)
    stamped = PdfReader(io.BytesIO(response.data))
    plain = PdfReader(io.BytesIO(original))
    assert len(stamped.pages) == len(plain.pages) > 1
    for page in stamped.pages:
        assert "reviewer测试 查阅 20" in page.extract_text()
    for page in plain.pages:
        assert "reviewer测试" not in page.extract_text()
    db.session.expire_all()
    again = db.session.get(Dossier, stored.id)
    assert again.pdf == original and again.sha256 == sha == hashlib.sha256(original).hexdigest()


def test_assigning_a_non_reviewer_is_refused(make, auth):
    mine, _other, _a, _b = _two_discussions()
    make.commit()
    from tests.helpers import field_errors, table_counts
    client = auth.as_role("organization")
    for role in ("organization", "admin", "discipline"):
        before = table_counts()
        page = text(client.post(f"/discussions/{mine.id}/reviewers",
                                data={"user_id": s.user(role).id}))
        [error] = field_errors(page, "user_id")
        assert "只能分配“干部工作领导小组成员”角色的用户为审阅人" in error and f"{role}测试" in error
        assert table_counts() == before
    page = text(client.post(f"/discussions/{mine.id}/reviewers", data={"user_id": "999999"}))
    assert field_errors(page, "user_id") == ["请选择审阅人。"]
    page = text(client.post(f"/discussions/{mine.id}/reviewers",
                            data={"user_id": s.user("reviewer").id}))
    assert field_errors(page, "user_id") == ["reviewer测试已是本次会议的审阅人。"]
