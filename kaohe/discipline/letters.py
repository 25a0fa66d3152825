"""征求意见函: several integrity-opinion requests made at once and one letter for them.

:func:`request_many` makes each request through :func:`.services.request_opinion` (the
same rules as a single request) and freezes the letter's PDF with its SHA-256; any
refusal raises before the caller commits, so nothing is half-made (all or nothing).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from kaohe.audit.services import current_actor
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.discipline import services
from kaohe.discipline.letter_models import IntegrityLetter, IntegrityLetterEntry
from kaohe.discipline.models import IntegrityOpinion
from kaohe.dossier.fmt import unit_post
from kaohe.dossier.services import font_spec
from kaohe.extensions import db
from kaohe.moves.services.publicity import ISSUER_KEY
from kaohe.officials.models import Official, Post
from kaohe.settings import services as settings

MAX_NUMBER = 64


@dataclass(frozen=True)
class Request:
    """One official the letter asks about, and why (征求事由, e.g. 拟提拔)."""

    official: Official
    purpose: str


def post_text(official: Official, on: dt.date) -> str:
    """工作单位及职务 on ``on``: the posts held that day with their unit (said once),
    principal first; else the unit."""
    posts = db.session.scalars(select(Post).where(
        Post.official_id == official.id, Post.start_date <= on,
        (Post.end_date.is_(None)) | (Post.end_date >= on))
        .order_by(Post.is_principal.desc(), Post.start_date.desc(), Post.id)).all()
    if posts:
        return "、".join(dict.fromkeys(
            unit_post(p.unit.name if p.unit is not None else "", p.title) for p in posts))
    return official.unit.name if official.unit is not None else ""


def check_header(number: str, dated: dt.date | None) -> dict[str, str]:
    """The letter's 文号 (required, unique) and date (not in the future)."""
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = "请填写文号。"
    elif len(number) > MAX_NUMBER:
        errors["number"] = f"文号不超过 {MAX_NUMBER} 字。"
    elif db.session.scalar(select(IntegrityLetter.id).where(IntegrityLetter.number == number)):
        errors["number"] = f"文号“{number}”已用于另一份征求意见函，请核对。"
    if dated is None:
        errors["dated"] = "请填写发函日期。"
    records.not_in_future(errors, "dated", dated)
    return errors


def request_many(requests: list[Request], number: str, dated: dt.date | None,
                 discussion_id: int | None = None) -> IntegrityLetter:
    """Request the opinion of every official of ``requests`` on ``dated`` and record the
    letter asking for them; flush only. Refuses as a whole (field → message)."""
    # The letter's drawing (ReportLab) is loaded with the first letter, not by every
    # process that imports the views (issue 17).
    from kaohe.discipline import letter_pdf

    number = (number or "").strip()
    records.raise_if(check_header(number, dated))
    if not requests:
        raise ValidationFailed("没有需要征求党风廉政意见的干部。")
    opinions = []
    for r in requests:
        try:
            opinions.append(services.request_opinion(
                r.official, {"purpose": r.purpose, "requested_on": dated}))
        except ValidationFailed as exc:
            reason = "；".join(exc.errors.values())
            raise ValidationFailed(f"{r.official.name}：{reason}（本次均未征求）") from exc
    data = {"number": number, "dated": dated.isoformat(), "issuer": settings.get(ISSUER_KEY),
            "rows": [{"name": r.official.name, "post": post_text(r.official, dated),
                      "purpose": r.purpose} for r in requests]}
    pdf = letter_pdf.render(data, font_spec())
    letter = IntegrityLetter(number=number, dated=dated, discussion_id=discussion_id, pdf=pdf,
                             sha256=hashlib.sha256(pdf).hexdigest(),
                             created_by_id=current_actor()[0])
    letter.entries = [IntegrityLetterEntry(opinion_id=o.id, position=n)
                      for n, o in enumerate(opinions, 1)]
    db.session.add(letter)
    db.session.flush()
    return letter


def letter_of(opinion_id: int) -> IntegrityLetter | None:
    """The letter an opinion was requested by, if any."""
    return db.session.scalar(select(IntegrityLetter).join(IntegrityLetterEntry).where(
        IntegrityLetterEntry.opinion_id == opinion_id))


def letters(limit: int = 100) -> list[IntegrityLetter]:
    """The latest letters, newest first (the queue page lists them)."""
    return list(db.session.scalars(select(IntegrityLetter).order_by(
        IntegrityLetter.dated.desc(), IntegrityLetter.id.desc()).limit(limit)))


def next_waiting(visible, after: int | None = None) -> int | None:
    """Id of the next waiting request ``visible(official_id)`` allows: after answering
    ``after``, the next of its letter in the letter's order (the officer works through a
    letter), else the oldest of the queue."""
    waiting = select(IntegrityOpinion.id, IntegrityOpinion.official_id).where(
        IntegrityOpinion.outcome.is_(None), IntegrityOpinion.deleted_at.is_(None))
    letter = letter_of(after) if after is not None else None
    if letter is not None:
        rows = db.session.execute(
            waiting.join(IntegrityLetterEntry,
                         IntegrityLetterEntry.opinion_id == IntegrityOpinion.id)
            .where(IntegrityLetterEntry.letter_id == letter.id)
            .order_by(IntegrityLetterEntry.position, IntegrityLetterEntry.id))
        found = next((oid for oid, official_id in rows if visible(official_id)), None)
        if found is not None:
            return found
    rows = db.session.execute(waiting.order_by(IntegrityOpinion.requested_on, IntegrityOpinion.id))
    return next((oid for oid, official_id in rows if visible(official_id)), None)
