"""Attach or refresh every dossier of a discussion in one step (issue 14.4): a background
job with progress, through the per-item attach service; recused items skipped and listed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kaohe.auth import services as auth_services
from kaohe.discussions import batch_attach
from kaohe.discussions.models import ItemDossier
from kaohe.discussions.services import agenda
from kaohe.extensions import db
from kaohe.jobs.models import Job
from tests import discussions_support as s
from tests.conftest import PASSWORD
from tests.helpers import table_counts, text


def _agenda():
    """Four items: without a dossier, with a stale one, with a current one, and one the
    user ``org_linked`` is (回避)."""
    d = s.discussion()
    fresh = s.item(d, s.official(name="王建国"))
    stale = s.ready_item(d, s.official(name="李海燕"), action="exchange", post="市发改委主任")
    agenda.save_item(d, stale, {"official_id": str(stale.official_id), "action": "exchange",
                                "proposed_post": "市商务局局长", "reason": stale.reason})
    current = s.ready_item(d, s.official(name="赵志强"), action="further_use", post="市委副秘书长")
    mine = s.official(name="孙卫东")
    recused = s.item(d, mine, action="retire", post="")
    auth_services.create_user("org_linked", "organization", PASSWORD, display_name="关联干部科",
                              official_id=mine.id)
    return d, fresh, stale, current, recused


def test_attach_all_job_through_the_page(make, client):
    d, fresh, stale, current, recused = _agenda()
    make.commit()
    before_current = current.current_dossier.dossier_id
    client.post("/login", data={"username": "org_linked", "password": PASSWORD})
    show = text(client.get(f"/discussions/{d.id}"))
    assert "一键附/更新全部考评材料" in show and f"/discussions/{d.id}/attach-all" in show
    r = client.post(f"/discussions/{d.id}/attach-all")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    job = db.session.scalar(select(Job).where(Job.kind == batch_attach.KIND))
    assert (job.status, job.done, job.total, job.created_by_id) == (
        "done", 4, 4, s.user("org_linked").id)
    assert job.result == {"discussion_id": d.id, "attached": ["王建国"], "refreshed": ["李海燕"],
                          "current": ["赵志强"], "recused": ["孙卫东"]}
    db.session.expire_all()
    assert [v.version for v in db.session.get(type(fresh), fresh.id).dossiers] == [1]
    refreshed = db.session.get(type(stale), stale.id).dossiers
    assert [v.version for v in refreshed] == [1, 2]
    assert refreshed[1].reason.startswith("批量更新：") and "拟任职务已修改" in refreshed[1].reason
    assert db.session.get(type(current), current.id).current_dossier.dossier_id == before_current
    assert db.session.get(type(recused), recused.id).dossiers == []
    page = text(client.get(r.headers["Location"]))
    assert "批量附考评材料" in page and "已完成" in page
    rows = page.split('id="attach-result"')[1]
    for key, name in (("attached", "王建国"), ("refreshed", "李海燕"), ("current", "赵志强"),
                      ("recused", "孙卫东")):
        row = rows.split(f'id="attach-{key}"')[1].split("</tr>")[0]
        assert name in row and "1 人" in row
    # Once more: everything is current now, the recused item still skipped.
    client.post(f"/discussions/{d.id}/attach-all")
    again = db.session.scalars(select(Job).where(Job.kind == batch_attach.KIND)
                               .order_by(Job.id.desc())).first()
    assert again.result["current"] == ["王建国", "李海燕", "赵志强"]
    assert again.result["recused"] == ["孙卫东"] and again.result["attached"] == []


def test_the_job_page_is_the_submitters_and_managers(make, auth):
    d, *_ = _agenda()
    make.commit()
    org = auth.as_role("organization")
    location = org.post(f"/discussions/{d.id}/attach-all").headers["Location"]
    auth.logout()
    assert auth.as_role("reviewer").get(location).status_code == 404


@pytest.mark.parametrize("case", ["held", "empty"])
def test_refused_without_a_job(make, auth, case):
    d = s.discussion()
    if case == "held":
        s.item(d, s.official())
        d.status = "held"  # holding needs ready items; only the lock matters here
    make.commit()
    client = auth.as_role("organization")
    before = table_counts(), db.session.scalar(select(func.count(Job.id)))
    r = client.post(f"/discussions/{d.id}/attach-all", follow_redirects=True)
    message = "会议已召开" if case == "held" else "议程中还没有议题"
    assert message in text(r)
    assert (table_counts(), db.session.scalar(select(func.count(Job.id)))) == before


def test_a_failing_item_attaches_nothing(make, monkeypatch):
    """One transaction: a refusal on the last item leaves the earlier ones unattached."""
    d = s.discussion()
    s.item(d, s.official(name="王建国"))
    last = s.item(d, s.official(name="李海燕")).official_id
    make.commit()
    real = agenda.attach

    def attach(discussion, official_id, reason, user_id):
        if official_id == last:
            raise agenda.ValidationFailed("模拟失败")
        return real(discussion, official_id, reason, user_id)

    monkeypatch.setattr(agenda, "attach", attach)
    job = batch_attach.submit(d)
    db.session.commit()
    db.session.refresh(job)
    assert job.status == "failed" and "模拟失败" in job.error
    assert db.session.scalar(select(func.count(ItemDossier.id))) == 0
