"""An assigned reviewer's own agenda bundle (issue 14.4): the items recused for them left
out, built by the bundle job, watermarked with their name at download, registered."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.discussions import bundle as bundles
from kaohe.discussions.models import DiscussionBundle
from kaohe.extensions import db
from tests import discussions_support as s
from tests.conftest import PASSWORD
from tests.helpers import text


def _agenda():
    d = s.discussion()
    mine = s.official(name="王建国")
    a = s.ready_item(d, mine)
    b = s.ready_item(d, s.official(name="李海燕"), action="exchange", post="市发改委主任")
    auth_services.create_user("rv_linked", "reviewer", PASSWORD, display_name="关联审阅人",
                              official_id=mine.id)
    s.assign(d, "rv_linked")
    s.assign(d, "reviewer")
    return d, a, b


def _titles(pdf: bytes) -> list[str]:
    return [o.title for o in PdfReader(io.BytesIO(pdf)).outline if not isinstance(o, list)]


def test_reviewer_bundle_leaves_out_recused_items(make, client):
    d, a, b = _agenda()
    make.commit()
    client.post("/login", data={"username": "rv_linked", "password": PASSWORD})
    page = text(client.get(f"/discussions/{d.id}"))
    assert 'id="my-bundle"' in page and "生成汇编 PDF" in page and "my-bundle-link" not in page
    r = client.post(f"/discussions/{d.id}/my-bundle")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    assert "议程材料汇编" in text(client.get(r.headers["Location"]))
    made = db.session.scalar(select(DiscussionBundle))
    assert (made.status, made.for_user_id, made.total) == ("done", s.user("rv_linked").id, 3)
    nb = b.current_dossier.dossier.number
    assert _titles(made.pdf) == ["议程目录", "1. 李海燕 · 干部任免审批表", f"1. 李海燕 · 交流（{nb}）"]
    assert "王建国" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
    page = text(client.get(f"/discussions/{d.id}"))
    assert "my-bundle-link" in page and f"（{made.pages} 页）" in page
    download = client.get(f"/discussions/{d.id}/my-bundle.pdf")
    assert download.status_code == 200 and download.data != made.pdf
    stamped = PdfReader(io.BytesIO(download.data))
    assert len(stamped.pages) == made.pages
    assert all("关联审阅人" in p.extract_text() for p in stamped.pages)
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "discussion_access")
                             .order_by(AuditLog.id.desc())).first()
    assert (log.action, log.after["what"], log.after["sha256"]) == (
        "download", "本人议程材料汇编", made.sha256)
    # The staff's full bundle is another thing: none made yet.
    assert bundles.latest(d) is None and bundles.latest(d, s.user("rv_linked")).id == made.id


def test_each_reviewer_sees_only_their_own_copy(make, client, auth):
    d, a, b = _agenda()
    made = bundles.start(d, s.user("rv_linked"))
    bundles.build(made.id)
    make.commit()
    other = auth.as_role("reviewer")
    assert other.get(f"/discussions/{d.id}/my-bundle.pdf").status_code == 404
    assert 'id="my-bundle-link"' not in text(other.get(f"/discussions/{d.id}"))
    other.post(f"/discussions/{d.id}/my-bundle")
    full = db.session.scalars(select(DiscussionBundle).where(
        DiscussionBundle.for_user_id == s.user("reviewer").id)).one()
    assert len(_titles(full.pdf)) == 5  # not recused: both items
    stamped = PdfReader(io.BytesIO(other.get(f"/discussions/{d.id}/my-bundle.pdf").data))
    assert all("reviewer测试" in p.extract_text() for p in stamped.pages)
    job_of_other = bundles.ref(made.id)
    from kaohe.jobs import services as jobs_services

    job = jobs_services.latest(job_of_other)
    assert other.get(f"/jobs/{job.id}").status_code == 404  # another reviewer's job


def test_unassigned_reviewer_and_staff_are_refused(make, auth):
    d, a, b = _agenda()
    s.discussion(title="另一次会议")
    make.commit()
    org = auth.as_role("organization")
    assert org.post(f"/discussions/{d.id}/my-bundle").status_code == 403
    assert org.get(f"/discussions/{d.id}/my-bundle.pdf").status_code == 403
    auth.logout()
    rv = auth.as_role("reviewer")
    other = db.session.scalar(select(type(d)).where(type(d).title == "另一次会议"))
    assert rv.post(f"/discussions/{other.id}/my-bundle").status_code == 403
    assert rv.get(f"/discussions/{other.id}/my-bundle.pdf").status_code == 403
    assert db.session.scalar(select(DiscussionBundle)) is None
