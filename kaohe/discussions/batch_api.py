"""Integration API of a discussion's batch work: the 征求意见函 of a whole agenda.

Token-only (``integrity.request``, the organization), validated by the page's form and
the same service as :mod:`.batch_views`: a refusal is ``400 {error, fields}`` with
nothing saved.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from kaohe.api.openapi import documented
from kaohe.api.tokens import form_data, save, token_only
from kaohe.auth.permissions import P
from kaohe.discussions import batch_integrity
from kaohe.discussions.batch_forms import LetterForm
from kaohe.discussions.services import access

bp = token_only(Blueprint("batch_api", __name__, url_prefix="/api/v1"), P.INTEGRITY_REQUEST,
                session_refused="该接口只接受组织部门的 API 令牌（Authorization: Bearer）。",
                forbidden="只有组织部门的令牌可以征求党风廉政意见。")


@bp.post("/discussions/<int:discussion_id>/integrity-letter")
@documented(body=LetterForm, tags=["discussions"])
def integrity_letter(discussion_id: int):
    """一并征求本次会议各议题的党风廉政意见，生成征求意见函"""
    discussion = access.discussion_or_403(discussion_id)
    data = form_data(LetterForm)
    letter = save(lambda: batch_integrity.request_all(discussion, data["number"],
                                                      data["dated"]))
    return jsonify({
        "id": letter.id, "number": letter.number, "dated": letter.dated.isoformat(),
        "sha256": letter.sha256,
        "pdf_url": url_for("integrity_letters.download", letter_id=letter.id),
        "opinions": [{"opinion_id": e.opinion_id, "official_id": e.opinion.official_id,
                      "purpose": e.opinion.purpose} for e in letter.entries],
        "agenda": [{"item_id": i.id, "official_id": i.official_id,
                    "integrity_opinion": batch_integrity.state(i).label}
                   for i in discussion.items if not access.recused(i.official_id)],
    }), 201
