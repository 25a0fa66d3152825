"""The 征求意见函 download, for the organization and the commission (``discipline.read``).

A reader recused from any official the letter names (回避) does not get it; each
download is recorded in the audit log with the letter's SHA-256.
"""
from __future__ import annotations

from flask import Blueprint, abort

from kaohe.audit.services import record_event
from kaohe.auth.permissions import P, guard, is_recused
from kaohe.core.downloads import attachment
from kaohe.discipline import letters
from kaohe.discipline.letter_models import IntegrityLetter
from kaohe.extensions import db

bp = guard(Blueprint("integrity_letters", __name__, url_prefix="/integrity-opinions/letters"),
           read=P.DISCIPLINE_READ)


def readable(letter: IntegrityLetter) -> bool:
    return not any(is_recused(e.opinion.official_id) for e in letter.entries)


@bp.app_template_global()
def integrity_letters() -> list[IntegrityLetter]:
    """The latest letters the current user may read (the queue page lists them)."""
    return [x for x in letters.letters() if readable(x)]


@bp.get("/<int:letter_id>.pdf")
def download(letter_id: int):
    letter = db.get_or_404(IntegrityLetter, letter_id)
    if not readable(letter):
        abort(403)
    record_event("download", "integrity_letter", letter.id,
                 {"number": letter.number, "sha256": letter.sha256})
    db.session.commit()
    return attachment(letter.pdf, f"征求意见函_{letter.number}.pdf")
