"""The agenda bundle: cover list, one bookmark per item, background build, progress."""
from __future__ import annotations

import io

from pypdf import PdfReader

from kaohe.discussions import bundle as bundles
from kaohe.discussions import bundle_cover
from kaohe.discussions.models import DiscussionBundle
from kaohe.discussions.services import decisions
from kaohe.extensions import db
from kaohe.jobs import services as jobs_services
from tests import discussions_support as s
from tests.dossier_support import flat
from tests.helpers import text


def _agenda():
    d = s.discussion()
    a = s.ready_item(d, s.official(name="王建国"))
    b = s.ready_item(d, s.official(name="李海燕"), action="exchange", post="市发改委主任",
                     removal="东城区区长")
    c = s.item(d, s.official(name="赵志强"), action="retire", post="")
    return d, [a, b, c]


def test_bundle_has_cover_list_and_a_bookmark_per_item(make, auth):
    d, (a, b, c) = _agenda()
    make.commit()
    client = auth.as_role("organization")
    assert client.post(f"/discussions/{d.id}/bundle").status_code == 302
    state = client.get(f"/discussions/{d.id}/bundle/status").get_json()
    assert state["status"] == "done" and state["percent"] == 100
    assert state["done"] == state["total"] == 5
    made = db.session.get(DiscussionBundle, state["id"])
    reader = PdfReader(io.BytesIO(made.pdf))
    top = [o for o in reader.outline if not isinstance(o, list)]
    na, nb = a.current_dossier.dossier.number, b.current_dossier.dossier.number
    assert [o.title for o in top] == ["议程目录", "1. 王建国 · 干部任免审批表",
                                      f"1. 王建国 · 提拔（{na}）", "2. 李海燕 · 干部任免审批表",
                                      f"2. 李海燕 · 交流（{nb}）", "3. 赵志强 · 干部任免审批表"]
    pages = [reader.get_destination_page_number(o) for o in top]
    assert pages[0] == 0 and pages[1] == 1 and pages == sorted(set(pages))
    assert len(reader.pages) == made.pages
    cover = flat(reader.pages[0].extract_text())
    for fact in ("议程材料汇编", "2020年第3次常委会", "王建国", "李海燕", "赵志强", "交流，拟任市发改委主任，拟免东城区区长",
                 "具备上会条件", "未具备上会条件", "未附材料", na):
        assert flat(fact) in cover, fact
    # Each item's 任免审批表, then its dossier, byte for byte as stored (stamped at download).
    assert "干部任免审批表" in flat(reader.pages[1].extract_text())
    assert "干部考评材料" in flat(reader.pages[pages[2]].extract_text())
    download = client.get(f"/discussions/{d.id}/bundle.pdf")
    stamped = PdfReader(io.BytesIO(download.data))
    assert len(stamped.pages) == made.pages
    assert all("organization测试" in p.extract_text() for p in stamped.pages)


def test_cover_shows_decisions_after_the_meeting(make):
    d = s.discussion()
    a = s.ready_item(d, s.official(name="王建国"))
    decisions.hold(d, [m.id for m in d.members])
    decisions.decide(d, a, {"decision": "approve", "votes_for": 6, "votes_against": 0,
                            "votes_abstain": 0})
    made = bundles.start(d)
    bundles.build(made.id)
    cover = flat(PdfReader(io.BytesIO(made.pdf)).pages[0].extract_text())
    assert flat("决定：同意（赞成 6、反对 0、弃权 0）") in cover and flat("实到 6 人") in cover


def test_start_submits_a_job_run_once_committed(make):
    d, _items = _agenda()
    made = bundles.start(d)
    job = jobs_services.latest(bundles.ref(made.id))
    assert (job.kind, job.status, job.total) == ("discussions.bundle", "queued", 5)
    assert job.payload == {"bundle_id": made.id, "discussion_id": d.id}
    assert made.status == "queued" and made.pdf is None  # nothing runs before the commit
    make.commit()
    db.session.refresh(job)
    assert (job.status, job.done, job.attempts) == ("done", 5, 1)
    assert db.session.get(DiscussionBundle, made.id).status == "done"


def test_progress_state_from_the_job_and_a_dead_build(make):
    d, _items = _agenda()
    made = bundles.start(d)
    job = jobs_services.latest(bundles.ref(made.id))
    assert bundles.state(made)["status"] == "queued" and bundles.state(made)["percent"] == 0
    job.status, job.done = "running", 2  # as another server's worker reports it
    assert bundles.state(made)["status"] == "running" and bundles.state(made)["percent"] == 40
    job.status, job.error = "failed", "执行中断：工作进程退出，已重试 2 次"
    state = bundles.state(made)
    assert state["status"] == "failed" and state["error"] == job.error and state["percent"] == 0
    # A bundle left running by a thread of the days before jobs: reported as interrupted.
    db.session.delete(job)
    made.status = "running"
    state = bundles.state(made)
    assert state["status"] == "failed" and "生成中断" in state["error"]
    assert bundles.state(None) == {"status": "none", "percent": 0}


def test_page_has_progress_bar_and_no_inline_script_or_style(make, auth):
    d, _items = _agenda()
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get(f"/discussions/{d.id}"))
    assert '<progress id="bundle-bar"' in page and "js/discussions.js" in page
    assert "data-status-url" in page
    assert "<script>" not in page and "style=" not in page
    client.post(f"/discussions/{d.id}/bundle", headers={"Accept": "application/json"})
    page = text(client.get(f"/discussions/{d.id}"))
    assert "已完成" in page and "下载汇编 PDF" in page


def test_failed_build_is_reported(make, auth, monkeypatch):
    d, _items = _agenda()
    make.commit()

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bundle_cover, "render_cover", boom)
    client = auth.as_role("organization")
    client.post(f"/discussions/{d.id}/bundle", headers={"Accept": "application/json"})
    state = client.get(f"/discussions/{d.id}/bundle/status").get_json()
    assert state["status"] == "failed" and state["error"] == "生成失败：RuntimeError"
    job = jobs_services.latest(bundles.ref(state["id"]))
    assert (job.status, job.error, job.attempts) == ("failed", "生成失败：RuntimeError", 1)
    assert db.session.get(DiscussionBundle, state["id"]).pdf is None
    # The inline build records the failure on the bundle itself.
    made = bundles.build(bundles.start(d).id)
    assert made.status == "failed" and "RuntimeError" in made.error
