"""Discussion rows of the access matrix (tests/test_access_matrix.py imports these)."""
from __future__ import annotations

import io

from pypdf import PdfReader

ORG = frozenset({"organization"})
READERS = frozenset({"organization", "reviewer"})
REDIRECT = "redirect"  # as ua_access.REDIRECT: a 302 back to the page
READ = ("index", "show", "item", "download")
FORMS = ("new", "edit", "new_item", "edit_item", "check", "hold", "decide")


def expected(only) -> dict:
    rows = {(f"discussions.{ep}", "GET"): only(READERS) for ep in READ}
    for ep in FORMS:
        rows[(f"discussions.{ep}", "GET")] = only(ORG)
        rows[(f"discussions.{ep}", "POST")] = only(ORG)
    for ep in ("attach", "assign"):
        rows[(f"discussions.{ep}", "POST")] = only(ORG)
    for ep in ("delete_item", "unassign", "bundle_start"):
        rows[(f"discussions.{ep}", "POST")] = only(ORG, REDIRECT)
    for ep in ("bundle_status", "bundle_download", "register"):
        rows[(f"discussions.{ep}", "GET")] = only(ORG)
    return rows


BLANKED = {"discussions.new": "title", "discussions.edit": "title",
           "discussions.new_item": "official_id", "discussions.edit_item": "reason",
           "discussions.check": "result", "discussions.hold": "present",
           "discussions.decide": "decision", "discussions.attach": "official_id",
           "discussions.assign": "user_id"}


def url_values(world) -> dict:
    """A draft discussion of the world's official: checks, a dossier, the reviewer
    assigned, a finished bundle (made once per world, committed)."""
    from kaohe.discussions import bundle
    from kaohe.discussions.services import agenda
    from kaohe.extensions import db
    from tests import discussions_support as s

    if not hasattr(world, "discussion"):
        d = s.discussion()
        s.ds.opinion(world.official, requested=s.DAY.replace(month=2, day=20), outcome=1,
                     answered=s.DAY.replace(month=3, day=1))
        it = s.item(d, world.official)
        s.checks(d, it)
        agenda.attach(d, world.official.id, None, None)
        s.assign(d)
        made = bundle.start(d)
        bundle.build(made.id)
        db.session.commit()
        world.discussion, world.item = d, it
    return {"discussion_id": world.discussion.id, "item_id": world.item.id,
            "kind": "file_audit", "version": 1}


def writes(endpoint: str, method: str, role, expected) -> bool:
    """Requests that add to the audit log: the reading register and permitted actions."""
    if expected not in (200, REDIRECT) or not endpoint.startswith("discussions."):
        return False
    ep = endpoint.split(".")[1]
    if ep in ("download", "bundle_download") or method == "POST" and expected == REDIRECT:
        return True
    return role == "reviewer" and ep in ("show", "item")


def adjust(counts: dict, endpoint: str, expected) -> dict:
    """Row counts a permitted action changes on purpose."""
    counts = dict(counts)
    if expected == REDIRECT and endpoint == "discussions.bundle_start":
        counts["discussion_bundle"] += 1
    if expected == REDIRECT and endpoint == "discussions.unassign":
        counts["discussion_reviewer"] -= 1
    return counts


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    ep = endpoint.split(".")[1]
    d, it = world.discussion, world.item
    if ep == "index":
        assert "2020年第3次常委会" in page and f"/discussions/{d.id}" in page
    elif ep == "show":
        assert "王建国" in page and "东城区委书记" in page and "具备上会条件" in page
        assert ("/register" in page) == (role == "organization")  # the reading register
        # The full agenda bundle for the department, a reviewer's own (recused items out).
        assert ('id="bundle"' in page) == (role == "organization")
        assert ('id="my-bundle"' in page) == (role == "reviewer")
    elif ep == "item":
        assert "王建国" in page and "档案审核" in page and "干部科刘科长" in page
        assert it.current_dossier.dossier.number in page
    elif ep == "download":
        assert response.mimetype == "application/pdf"
        assert response.data != it.current_dossier.dossier.pdf  # stamped copy
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert f"{role}测试" in text
    elif ep == "bundle_status":
        data = response.get_json()
        assert data["status"] == "done" and data["percent"] == 100 and data["pages"] > 1
    elif ep == "bundle_download":
        assert response.mimetype == "application/pdf"
        outline = PdfReader(io.BytesIO(response.data)).outline
        titles = [o.title for o in outline if not isinstance(o, list)]
        assert titles == ["议程目录", "1. 王建国 · 干部任免审批表",
                          f"1. 王建国 · 提拔（{it.current_dossier.dossier.number}）"]
    elif ep == "register":
        assert "查阅登记" in page
    elif method == "GET":
        first = {"new": "kind", "edit": "title", "new_item": "official_id",
                 "edit_item": "reason", "check": "result", "hold": "present",
                 "decide": "decision"}[ep]
        assert f'id="{first}"' in page
    else:
        field, message = {
            "new": ("title", "请填写会议名称。"),
            "edit": ("title", "请填写会议名称。"),
            "new_item": ("official_id", "请填写干部编号或姓名。"),
            "edit_item": ("reason", "请填写任免理由。"),
            "check": ("result", "请选择核查结果。"),
            "hold": ("present", None),
            "decide": ("decision", "请选择决定。"),
            "attach": ("official_id", "该干部不在本次会议议程中，不能附考评材料；请先将其列入议程。"),
            "assign": ("user_id", "请选择审阅人。"),
        }[ep]
        errors = field_errors(page, field)
        if message is None:
            assert errors and "不足应到会成员 6 人的三分之二" in errors[0]
        else:
            assert errors == [message]
