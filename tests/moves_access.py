"""Rows of the access matrix for 凡动必谈/考/训, 任前公示, 任职 and the holiday calendar
(tests/test_access_matrix.py and tests/route_support.py import these)."""
from __future__ import annotations

import datetime as dt

ORG = frozenset({"organization"})
ADMIN = frozenset({"admin"})
REDIRECT = "redirect"  # as ua_access.REDIRECT: a 302 back to the page
FORMS = ("record_form", "appointment", "publicity_new", "outcome")
NAME = "李公示"


def expected(only) -> dict:
    rows = {}
    for ep in FORMS:
        rows[(f"moves.{ep}", "GET")] = only(ORG)
        rows[(f"moves.{ep}", "POST")] = only(ORG)
    rows[("moves.record_delete", "POST")] = only(ORG, REDIRECT)
    rows[("moves.publicity_show", "GET")] = only(ORG)
    rows[("moves.publicity_pdf", "GET")] = only(ORG)
    rows[("holidays.index", "GET")] = only(ADMIN)
    rows[("holidays.index", "POST")] = only(ADMIN)
    rows[("holidays.delete", "POST")] = only(ADMIN, REDIRECT)
    return rows


BLANKED = {"moves.record_form": "status", "moves.appointment": "appointed_on",
           "moves.publicity_new": "start_on", "moves.outcome": "outcome", "holidays": "day"}
MESSAGES = {"moves.record_form": ("status", "请选择培训情况。"),
            "moves.appointment": ("appointed_on", "请填写任职日期。"),
            "moves.publicity_new": ("start_on", "请填写公示开始日期。"),
            "moves.outcome": ("outcome", "请选择公示结果。"),
            "holidays.index": ("day", "请填写日期。")}


def url_values(world) -> dict:
    """A held discussion with an approved promotion, its 公示 ended without objection,
    任前谈话 and a planned training; a holiday (made once per world, committed)."""
    from kaohe.extensions import db
    from kaohe.moves.models import MoveTraining
    from kaohe.moves.services import holidays
    from kaohe.moves.services.query import item_records
    from tests import moves_support as ms

    if not hasattr(world, "moves"):
        d, it, made = ms.ready_to_appoint(name=NAME, title="2020年第5次常委会")
        holiday = holidays.save_holiday({"day": dt.date(2020, 10, 1), "kind": "holiday",
                                         "name": "国庆节"})
        db.session.commit()
        world.moves = {"discussion_id": d.id, "item_id": it.id, "kind": "trainings",
                       "record_id": item_records(it, MoveTraining)[0].id,
                       "publicity_id": made.id, "entry_id": made.entries[0].id,
                       "holiday_id": holiday.id, "pdf": made.pdf}
    return {k: v for k, v in world.moves.items() if k != "pdf"}


def writes(endpoint: str, expected) -> bool:
    """Permitted deletes and the 公示 download (reading register) write to the audit log."""
    return expected in (200, REDIRECT) and endpoint == "moves.publicity_pdf" \
        or expected == REDIRECT and endpoint in ("moves.record_delete", "holidays.delete")


def adjust(counts: dict, endpoint: str, expected) -> dict:
    counts = dict(counts)
    if expected == REDIRECT and endpoint == "holidays.delete":
        counts["holiday"] -= 1
    return counts


def check_allowed(endpoint, method, response, page, world, field_errors) -> None:
    if endpoint == "moves.publicity_show":
        assert NAME in page and "东城区委书记" in page and "无异议" in page
    elif endpoint == "moves.publicity_pdf":
        assert response.mimetype == "application/pdf" and response.data == world.moves["pdf"]
    elif method == "GET":
        field, _message = MESSAGES.get(endpoint, ("day", None))
        assert f'id="{field}"' in page
        if endpoint == "holidays.index":
            assert "2026-" not in page or "国庆节" not in page
    else:
        field, message = MESSAGES[endpoint]
        assert field_errors(page, field) == [message]
