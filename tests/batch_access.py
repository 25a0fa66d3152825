"""Access-matrix rows of a discussion's batch work (issue 14.4): the 征求意见函, the
attach-all job, saved member lists, a reviewer's own bundle (tests/test_access_matrix.py)."""
from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

ORG = frozenset({"organization"})
REVIEWER = frozenset({"reviewer"})
LETTER_READERS = frozenset({"organization", "discipline"})
REDIRECT = "redirect"  # as ua_access.REDIRECT
BLUEPRINTS = ("batch", "reviewer_bundle", "integrity_letters", "batch_api")
LETTER_NUMBER = "组干函〔2020〕1号"


def expected(only, token) -> dict:
    rows = {("batch.member_lists_index", "GET"): only(ORG),
            ("batch.attach_all", "POST"): only(ORG, REDIRECT),
            ("batch.delete_member_list", "POST"): only(ORG, REDIRECT),
            ("reviewer_bundle.start", "POST"): only(REVIEWER, REDIRECT),
            ("reviewer_bundle.download", "GET"): only(REVIEWER),
            ("integrity_letters.download", "GET"): only(LETTER_READERS),
            ("batch_api.integrity_letter", "POST"): only(ORG, token)}
    for ep in ("integrity_letter", "new_member_list", "edit_member_list"):
        rows[(f"batch.{ep}", "GET")] = only(ORG)
        rows[(f"batch.{ep}", "POST")] = only(ORG)
    return rows


BLANKED = {"batch.integrity_letter": "number", "batch.new_member_list": "name",
           "batch.edit_member_list": "name"}
ERRORS = {"batch.integrity_letter": ("number", "请填写文号。"),
          "batch.new_member_list": ("name", "请填写名单名称。"),
          "batch.edit_member_list": ("name", "请填写名单名称。")}


def url_values(world) -> dict:
    """The discussion world (tests/discussions_access.py), a saved member list, a letter
    about another official and the reviewer's own finished bundle; committed once."""
    from kaohe.discipline import letters
    from kaohe.discussions import bundle, member_lists
    from kaohe.extensions import db
    from tests import discussions_access
    from tests import discussions_support as s
    from tests import factories as f

    values = discussions_access.url_values(world)
    if not hasattr(world, "member_list"):
        world.member_list = member_lists.save_list(None, {"name": "常委会组成人员",
                                                          "member_names": "李书记\n张市长"})
        other = f.official(name="钱学明", unit_obj=world.district)
        world.letter = letters.request_many([letters.Request(other, "拟提拔")], LETTER_NUMBER,
                                            dt.date(2020, 3, 1))
        made = bundle.start(world.discussion, s.user("reviewer"))
        bundle.build(made.id)
        db.session.commit()
    return {**values, "list_id": world.member_list.id, "letter_id": world.letter.id}


def writes(endpoint: str, expected) -> bool:
    """Permitted requests that write on purpose (downloads are registered)."""
    return expected in (200, REDIRECT) and endpoint in (
        "reviewer_bundle.download", "integrity_letters.download") \
        or expected == REDIRECT and endpoint in ("reviewer_bundle.start",
                                                 "batch.delete_member_list")


def adjust(counts: dict, endpoint: str, expected) -> dict:
    counts = dict(counts)
    if expected == REDIRECT and endpoint == "reviewer_bundle.start":
        counts["discussion_bundle"] += 1
    return counts


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    if endpoint in ERRORS and method == "POST":
        field, message = ERRORS[endpoint]
        assert field_errors(page, field) == [message]
    elif endpoint == "batch.integrity_letter":
        assert "一并征求党风廉政意见" in page and "议程中没有需要征求党风廉政意见的议题" in page
        assert "王建国" in page and "已有有效回复" in page  # answered before the meeting
    elif endpoint == "batch.member_lists_index":
        assert "常委会组成人员" in page and "李书记、张市长" in page
    elif endpoint == "batch.new_member_list":
        assert 'id="name"' in page and "从系统用户中选择" in page
    elif endpoint == "batch.edit_member_list":
        assert "常委会组成人员" in page and "张市长" in page
    elif endpoint == "reviewer_bundle.download":
        stamped = PdfReader(io.BytesIO(response.data))
        assert all(f"{role}测试" in p.extract_text() for p in stamped.pages)
        titles = [o.title for o in stamped.outline if not isinstance(o, list)]
        assert titles[:2] == ["议程目录", "1. 王建国 · 干部任免审批表"]
    elif endpoint == "integrity_letters.download":
        assert response.mimetype == "application/pdf"
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert LETTER_NUMBER.replace("〔", "").replace("〕", "")[:5] in text.replace(
            "〔", "").replace("〕", "") and "钱学明" in text
    else:  # pragma: no cover - a new endpoint needs its own content check
        raise AssertionError(f"no content check for {method} {endpoint}")
