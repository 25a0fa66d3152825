"""The whole agenda as one printable PDF: a cover list of the items with their status,
then every attached (current) dossier, each under its own bookmark.

:func:`start` records a :class:`DiscussionBundle` row; :func:`launch` builds it in a
background thread started by the request (its own app context and session), which
commits its progress (``done``/``total``) as it goes; the page polls a JSON status
endpoint. Under ``TESTING`` (or ``KAOHE_BUNDLE_INLINE``) the build runs inside the
request instead, on the request's session. The frozen dossiers are joined byte for
byte (:mod:`kaohe.dossier.pdfmerge`), so the bundle costs little beyond the cover.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading

from flask import current_app
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, TableStyle
from reportlab.platypus.doctemplate import SimpleDocTemplate

from kaohe.appform.services import item_form
from kaohe.audit.services import current_actor
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionBundle
from kaohe.discussions.services.readiness import readiness
from kaohe.dossier import pdfmerge
from kaohe.dossier.fonts import FontSpec
from kaohe.dossier.services import font_spec, now_local
from kaohe.dossier.styles import Heavy, kit
from kaohe.dossier.tables import MIN_ROW_SPLIT, WholeRows
from kaohe.extensions import db

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)  # a build not finished by then has died
LINE = Color(0.6, 0.6, 0.6)


def status_text(item: AgendaItem) -> str:
    r = readiness(item)
    parts = []
    if item.decision:
        parts.append(f"决定：{item.decision_label}（赞成 {item.votes_for}、反对 "
                     f"{item.votes_against}、弃权 {item.votes_abstain}）")
    parts.append("具备上会条件" if r.ready else "未具备上会条件：" + "；".join(r.missing))
    if r.warnings:
        parts.append("提示：" + "；".join(w["text"] for w in r.warnings))
    return "\n".join(parts)


def bookmark(n: int, item: AgendaItem) -> str:
    cur = item.current_dossier
    number = f"（{cur.dossier.number}）" if cur else "（未附材料）"
    return f"{n}. {item.official.name} · {item.action_label}{number}"


def item_parts(n: int, item: AgendaItem) -> list[tuple[str, bytes]]:
    """The PDFs agenda item ``n`` contributes to the bundle, in reading order, each
    under its own bookmark."""
    parts = [(f"{n}. {item.official.name} · 干部任免审批表", item_form(item))]
    cur = item.current_dossier
    if cur is not None:
        parts.append((bookmark(n, item), cur.dossier.pdf))
    return parts


def render_cover(discussion: Discussion, rows: list[list[str]], generated: str,
                 font: FontSpec = None) -> bytes:
    k = kit(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=18 * mm,
                            rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
                            title=f"{discussion.title} 议程材料汇编")
    head = [k.p(t, k.label) for t in ("序号", "干部", "拟任免事项", "材料", "状态")]
    # A row may be taller than a page (four-musts notes have no length limit): it splits.
    table = WholeRows([head] + [[k.p(c, k.cell) for c in row] for row in rows],
                      colWidths=[12 * mm, 26 * mm, 48 * mm, 30 * mm, 58 * mm], repeatRows=1,
                      splitInRow=MIN_ROW_SPLIT)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, LINE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), Color(0.93, 0.93, 0.93))]))
    present = (f"应到 {len(discussion.members)} 人，实到 {discussion.present_count} 人"
               if discussion.is_held else f"应到会成员 {len(discussion.members)} 人")
    story = [Heavy("议程材料汇编", k, 20, align="center", space_after=6 * mm),
             k.p(f"会议：{discussion.kind_label} · {discussion.title}"),
             k.p(f"日期：{discussion.date.isoformat()}　状态：{discussion.status_label}　{present}"),
             k.p(f"议题 {len(rows)} 个。生成时间 {generated}。内部资料，注意保密。", k.small),
             Spacer(1, 4 * mm), table]
    doc.build(story)
    return buf.getvalue()


def cover_rows(items: list[AgendaItem]) -> list[list[str]]:
    rows = []
    for n, item in enumerate(items, start=1):
        cur = item.current_dossier
        what = item.action_label + (f"：{item.proposed_post}" if item.proposed_post else "")
        rows.append([str(n), item.official.name, what,
                     f"{cur.dossier.number}（第 {cur.version} 版）" if cur else "未附材料",
                     status_text(item)])
    return rows


def start(discussion: Discussion) -> DiscussionBundle:
    bundle = DiscussionBundle(discussion_id=discussion.id, total=len(discussion.items) + 2,
                              created_by_id=current_actor()[0])
    db.session.add(bundle)
    db.session.flush()
    return bundle


def build(bundle_id: int, commit: bool) -> None:
    """Make the bundle; ``commit`` each step (background) or only flush (inline, inside a
    savepoint so that a failure keeps the bundle row to report it)."""
    try:
        if commit:
            _work(bundle_id, db.session.commit)
        else:
            with db.session.begin_nested():
                _work(bundle_id, db.session.flush)
    except Exception as exc:  # reported on the page, never a hung progress bar
        log.exception("bundle %s failed", bundle_id)
        if commit:
            db.session.rollback()
        bundle = db.session.get(DiscussionBundle, bundle_id)
        if bundle is not None:
            reason = ("；".join(exc.errors.values()) if isinstance(exc, ValidationFailed)
                      else exc.__class__.__name__)  # e.g. a character no font can draw
            bundle.status, bundle.error = "failed", f"生成失败：{reason}"
            bundle.finished_at = utcnow()
            (db.session.commit if commit else db.session.flush)()


def _work(bundle_id: int, save) -> None:
    bundle = db.session.get(DiscussionBundle, bundle_id)
    bundle.status = "running"
    save()
    discussion = db.session.get(Discussion, bundle.discussion_id)
    items = discussion.items
    bundle.total = len(items) + 2
    font = font_spec()
    cover = render_cover(discussion, cover_rows(items),
                         now_local().strftime("%Y-%m-%d %H:%M"), font)
    parts = [("议程目录", cover)]
    bundle.done = 1
    save()
    every = max(1, len(items) // 25)
    for n, item in enumerate(items, start=1):
        parts.extend(item_parts(n, item))
        bundle.done = 1 + n
        if n % every == 0:
            save()
    pdf = pdfmerge.merge(parts, f"{discussion.title} 议程材料汇编")
    bundle.pdf, bundle.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    bundle.pages = pdfmerge.page_count(pdf)
    bundle.done, bundle.status, bundle.finished_at = bundle.total, "done", utcnow()
    save()


def _run(app, bundle_id: int) -> None:
    from kaohe import extensions

    with app.app_context():
        mark_writing = getattr(extensions, "want_write", None)  # SQLite: BEGIN IMMEDIATE
        if mark_writing is not None:
            mark_writing()
        try:
            build(bundle_id, commit=True)
        finally:
            db.session.remove()


def launch(bundle_id: int) -> threading.Thread | None:
    """Build the committed bundle ``bundle_id`` in the background (inline when testing)."""
    app = current_app._get_current_object()
    if app.config.get("KAOHE_BUNDLE_INLINE", app.testing):
        build(bundle_id, commit=False)
        return None
    thread = threading.Thread(target=_run, args=(app, bundle_id), daemon=True,
                              name=f"kaohe-bundle-{bundle_id}")
    thread.start()
    return thread


def state(bundle: DiscussionBundle | None) -> dict:
    if bundle is None:
        return {"status": "none", "percent": 0}
    status = bundle.status
    if status in ("queued", "running") and utcnow() - bundle.created_at > STALE_AFTER:
        status = "failed"
    return {"id": bundle.id, "status": status, "done": bundle.done, "total": bundle.total,
            "percent": bundle.percent if status != "failed" else 0,
            "error": bundle.error or ("生成中断，请重新生成。" if status == "failed" else ""),
            "pages": bundle.pages, "sha256": bundle.sha256}


def latest(discussion: Discussion) -> DiscussionBundle | None:
    from sqlalchemy import select

    return db.session.scalars(select(DiscussionBundle)
                              .where(DiscussionBundle.discussion_id == discussion.id)
                              .order_by(DiscussionBundle.id.desc()).limit(1)).first()
