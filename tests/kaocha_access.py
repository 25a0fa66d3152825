"""考察材料 rows of the access matrix (tests/test_access_matrix.py and tests/route_support.py
import these)."""
from __future__ import annotations

import io

from pypdf import PdfReader

ORG = frozenset({"organization"})
READERS = frozenset({"organization", "reviewer"})  # a final version: as the item's dossier
REDIRECT = "redirect"  # as ua_access.REDIRECT: a 302 back to the page
FORMS = ("new_recommendation", "edit_recommendation", "upload")


def expected(only) -> dict:
    rows = {("kaocha.item_draft", "GET"): only(ORG), ("kaocha.official_draft", "GET"): only(ORG),
            ("kaocha.report", "GET"): only(READERS),
            ("kaocha.delete_recommendation", "POST"): only(ORG, REDIRECT)}
    for ep in FORMS:
        rows[(f"kaocha.{ep}", "GET")] = only(ORG)
        rows[(f"kaocha.{ep}", "POST")] = only(ORG)
    return rows


BLANKED = {"kaocha.new_recommendation": "held_on", "kaocha.edit_recommendation": "held_on",
           "kaocha.upload": "file"}


def url_values(world) -> dict:
    """The world's draft discussion item (tests/discussions_access.py) with a 民主推荐 and a
    frozen final PDF (made once per world, committed)."""
    from kaohe.extensions import db
    from kaohe.kaocha import services
    from tests import discussions_access
    from tests import kaocha_support as ks

    values = discussions_access.url_values(world)
    if not hasattr(world, "kaocha"):
        d, it = world.discussion, world.item
        rec = ks.recommend(d, it, participants=40, votes=37)
        report = services.freeze(d, it, ks.pdf(text="Final report"), "定稿.pdf", None, None)
        db.session.commit()
        world.kaocha = {"rec_id": rec.id, "version": report.version}
    return {**values, **world.kaocha}


def writes(endpoint: str, expected) -> bool:
    """A permitted delete and a download (reading register) write to the audit log."""
    return expected in (200, REDIRECT) and endpoint in ("kaocha.report",
                                                        "kaocha.delete_recommendation")


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    ep = endpoint.split(".")[1]
    if ep == "report":
        assert response.mimetype == "application/pdf"
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert "Final report" in text and f"{role}测试" in text
    elif ep in ("item_draft", "official_draft"):
        assert "王建国同志考察材料" in page and 'id="date"' in page
    elif method == "GET":
        first = {"new_recommendation": "kind", "edit_recommendation": "kind",
                 "upload": "file"}[ep]
        assert f'id="{first}"' in page and "王建国" in page
        if ep == "edit_recommendation":
            assert 'value="37"' in page
    else:
        field, message = {"new_recommendation": ("held_on", "请填写推荐日期。"),
                          "edit_recommendation": ("held_on", "请填写推荐日期。"),
                          "upload": ("file", "请选择要上传的考察材料文件。")}[ep]
        assert field_errors(page, field) == [message]
