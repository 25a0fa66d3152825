"""Generate dossiers: validate the request, snapshot, number, render, store (flush only)."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable, Iterable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kaohe.core import clock
from kaohe.assessments.models import AssessmentResult
from kaohe.audit.services import current_actor
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.dossier.fontspec import FontSpec, spec_from
from kaohe.dossier.models import Dossier
from kaohe.dossier.snapshot import build_snapshot
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.ops.metrics import DOSSIER_SECONDS
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.unitassess.services.official import shared_rankings

PREFIX = "KH"
MAX_ATTEMPTS = 5


now_local = clock.now_local  # generation time, Beijing time to the second


def font_spec() -> tuple:
    """The PDF font chain configured for the app (see :func:`kaohe.dossier.fontspec.spec_from`)."""
    return spec_from(current_app.config)


def render_pdf(snap: dict, font: FontSpec = None) -> bytes:
    """The dossier PDF of ``snap``: :func:`kaohe.dossier.render.render_pdf`."""
    # The renderer (ReportLab, the dossier's styles) is loaded with the first PDF, not by
    # every process that imports these services: ~0.1 s and 10 MB per start (issue 17).
    from kaohe.dossier import render

    return render.render_pdf(snap, font)


def earliest_records(official_ids: list[int]) -> dict[int, dt.date]:
    """Per official, the earliest date any record refers to (results: 1 January of the
    year); officials without records are absent."""
    out: dict[int, dt.date] = {}

    def keep(oid, day):
        if day is not None:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
            out[oid] = min(out.get(oid, day), day)

    for model, col in ((Post, Post.start_date), (Review, Review.date), (OrgNote, OrgNote.date)):
        rows = db.session.execute(
            select(model.official_id, func.min(col)).where(
                model.official_id.in_(official_ids), model.deleted_at.is_(None))
            .group_by(model.official_id))
        for oid, day in rows:
            keep(oid, day)
    A = AssessmentResult
    for oid, year in db.session.execute(
            select(A.official_id, func.min(A.year)).where(
                A.official_id.in_(official_ids), A.deleted_at.is_(None)).group_by(A.official_id)):
        keep(oid, dt.date(year, 1, 1) if year is not None else None)
    return out


def earliest_record(official_id: int) -> dt.date | None:
    return earliest_records([official_id]).get(official_id)


def check_many(official_ids: list[int], as_of: dt.date, today: dt.date | None = None) -> None:
    """Raise ValidationFailed (Chinese message) unless a dossier can be made for each."""
    today = today or clock.today()
    known = set(db.session.scalars(select(Official.id).where(Official.id.in_(official_ids))))
    missing = [str(i) for i in official_ids if i not in known]
    if missing:
        raise ValidationFailed(f"干部不存在（编号 {'、'.join(missing)}）。", "official_id")
    if as_of > today:
        raise ValidationFailed(f"材料截止日期不能晚于今天（{today.isoformat()}）。", "as_of")
    first = earliest_records(official_ids)
    for oid in official_ids:
        who = f"该干部（编号 {oid}）" if len(official_ids) > 1 else "该干部"
        if oid not in first:
            raise ValidationFailed(f"{who}尚无任何任职经历、考核结果、研判记录或组织掌握情况，"
                                   "无法生成考评材料。", "as_of")
        if as_of < first[oid]:
            raise ValidationFailed(f"材料截止日期（{as_of.isoformat()}）早于{who}最早的记录"
                                   f"（{first[oid].isoformat()}），无法生成考评材料。", "as_of")


def check(official_id: int, as_of: dt.date, today: dt.date | None = None) -> None:
    """Raise ValidationFailed (Chinese message) unless a dossier can be made."""
    check_many([official_id], as_of, today)


def number(year: int, seq: int) -> str:
    return f"{PREFIX}-{year}-{seq:06d}"


def next_seq(year: int) -> int:
    """The next free sequence number of ``year`` (numbers are KH-YYYY-NNNNNN)."""
    last = db.session.scalar(select(func.max(Dossier.number))
                             .where(Dossier.number.like(f"{PREFIX}-{year}-%")))
    return int(last.rsplit("-", 1)[1]) + 1 if last else 1


def _user_name(user_id: int | None) -> str:
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is not None:
            return user.name
    actor = current_actor()[1]
    return "命令行" if actor.startswith("cli") else actor


def with_meta(snap: dict, number_: str, generated_at: dt.datetime, generated_by: str) -> dict:
    """``snap`` with the ``dossier`` block the renderer needs."""
    return {**snap, "dossier": {"number": number_, "generated_at": generated_at.isoformat(),
                                "generated_by": generated_by}}


def _insert(snap: dict, pdf: bytes, user_id: int | None) -> Dossier | None:
    meta = snap["dossier"]
    created = dt.datetime.fromisoformat(meta["generated_at"]).astimezone(dt.timezone.utc)
    d = Dossier(number=meta["number"], official_id=snap["official"]["id"],
                as_of=dt.date.fromisoformat(snap["as_of"]), snapshot=snap, pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(), created_by_id=user_id,
                created_at=created.replace(tzinfo=None))
    try:
        with db.session.begin_nested():
            db.session.add(d)
    except IntegrityError:  # the number was taken meanwhile
        return None
    return d


def store(snap: dict, pdf: bytes | None, user_id: int | None, font: str | None = None) -> Dossier:
    """Insert ``snap`` (with meta) and its ``pdf``; renumber and re-render on a clash."""
    if pdf is not None:
        d = _insert(snap, pdf, user_id)
        if d is not None:
            return d
    meta = snap["dossier"]
    at = dt.datetime.fromisoformat(meta["generated_at"])
    for _ in range(MAX_ATTEMPTS):
        snap = with_meta(snap, number(at.year, next_seq(at.year)), at, meta["generated_by"])
        d = _insert(snap, render_pdf(snap, font), user_id)
        if d is not None:
            return d
    raise ValidationFailed("材料编号分配冲突，请稍后重试。")


@DOSSIER_SECONDS.time()
def generate(official_id: int, as_of: dt.date | None = None, user_id: int | None = None,
             context: dict | None = None, *, today: dt.date | None = None) -> Dossier:
    """Validate, snapshot, number, render and store one dossier; flush only."""
    today = today or clock.today()
    as_of = as_of or today
    check(official_id, as_of, today)
    snap = build_snapshot(official_id, as_of, context)
    at = now_local()
    snap = with_meta(snap, number(at.year, next_seq(at.year)), at, _user_name(user_id))
    font = font_spec()
    return store(snap, render_pdf(snap, font), user_id, font)


def generate_batch(official_ids: Iterable[int], as_of: dt.date | None = None,
                   user_id: int | None = None, *, workers: int | None = None,
                   on_done: Callable[[], None] | None = None,
                   today: dt.date | None = None) -> tuple[bytes, list[Dossier]]:
    """Dossiers of ``official_ids`` (consecutive numbers), rendered on every core and
    merged into one PDF with a bookmark per official; flush only.

    Every official is checked before anything is made, so one bad id stops the batch.
    """
    from kaohe.dossier import batch  # the renderer and a process pool: see render_pdf

    today = today or clock.today()
    as_of = as_of or today
    ids = list(dict.fromkeys(official_ids))
    if not ids:
        raise ValidationFailed("请指定至少一名干部。", "official_id")
    check_many(ids, as_of, today)
    font = font_spec()
    at, by = now_local(), _user_name(user_id)
    seq = next_seq(at.year)
    snaps = (with_meta(build_snapshot(oid, as_of), number(at.year, seq + i), at, by)
             for i, oid in enumerate(ids))
    made, merger = [], batch.Merger()
    with shared_rankings():  # a unit group's round is ranked once for the whole batch
        for snap, pdf in batch.render_many(snaps, font, workers, on_done):
            d = store(snap, pdf, user_id, font)
            made.append(d)
            merger.add(batch.title(d.snapshot), d.pdf)
    return merger.finish(), made


def dossiers_of(official_id: int) -> list[Dossier]:
    """The official's dossiers, newest first (without the PDF bytes)."""
    return list(db.session.scalars(select(Dossier).where(Dossier.official_id == official_id)
                                   .order_by(Dossier.created_at.desc(), Dossier.id.desc())))
