"""The whole agenda as one printable PDF: a cover list of the items with their status,
then every attached (current) dossier, each under its own bookmark.

:func:`start` records a :class:`DiscussionBundle` row and submits a background job
(:mod:`kaohe.jobs`) that builds it: any server's worker may run it, and runs it again
if its worker dies; the page polls a JSON status read from the job's row. The frozen
dossiers are joined byte for byte (:mod:`kaohe.dossier.pdfmerge`), so the bundle costs
little beyond the cover (:mod:`kaohe.discussions.bundle_cover`). The merge is streamed
to a temporary file, one part at a time: a 500-item bundle that held every dossier at
once peaked at 540 MB (issue 17).
"""
from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from typing import Callable

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import selectinload

from kaohe import jobs
from kaohe.appform.services import item_form
from kaohe.audit.services import current_actor
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionBundle
from kaohe.discussions.services import access
from kaohe.discussions.services.readiness import read_together, readiness
from kaohe.dossier import pdfmerge
from kaohe.dossier.models import Dossier
from kaohe.dossier.services import font_spec, now_local
from kaohe.extensions import db
from kaohe.kaocha import services as kaocha
from kaohe.jobs import services as jobs_services
from kaohe.jobs.runner import LostClaim
from kaohe.ops.metrics import BUNDLE_SECONDS
from kaohe.officials.models import Official, Post

log = logging.getLogger(__name__)
KIND = "discussions.bundle"
CHUNK = 4 << 20  # bytes of the stored bundle a statement writes or reads


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
        # Read past the ORM: loaded onto the Dossier, the bytes would stay in the
        # session (the items hold their dossiers) until the whole bundle is built.
        pdf = db.session.scalar(select(Dossier.pdf).where(Dossier.id == cur.dossier_id))
        parts.append((bookmark(n, item), pdf))
    parts.extend(kaocha.bundle_parts(n, item))  # the final 考察材料
    return parts


def cover_rows(items: list[AgendaItem]) -> list[list[str]]:
    rows = []
    for n, item in enumerate(items, start=1):
        cur = item.current_dossier
        what = item.motion
        rows.append([str(n), item.official.name, what,
                     f"{cur.dossier.number}（第 {cur.version} 版）" if cur else "未附材料",
                     status_text(item)])
    return rows


def ref(bundle_id: int) -> str:
    """The ``ref`` of the bundle's job."""
    return f"discussion_bundle:{bundle_id}"


def items_of(discussion: Discussion, bundle: DiscussionBundle) -> list[AgendaItem]:
    """The items a bundle carries: all, or for a reviewer's copy those they need not
    recuse themselves from (回避)."""
    if bundle.for_user_id is None:
        return discussion.items
    reader = db.session.get(User, bundle.for_user_id)
    recused = access.recused_ids(discussion.items, reader)
    return [i for i in discussion.items if i.id not in recused]


def _form_loads() -> tuple:
    """Besides what readiness reads (read_together): the 任免审批表's 简历 (the officials'
    posts with their units) and 照片. The dossiers' PDFs stay deferred (read one part at
    a time)."""
    return (selectinload(AgendaItem.official).undefer(Official.photo),
            selectinload(AgendaItem.official).selectinload(Official.posts)
            .selectinload(Post.unit))


def start(discussion: Discussion, for_user: User | None = None) -> DiscussionBundle:
    """Record a bundle (``for_user``: a reviewer's own copy) and submit the job that
    builds it (queued at commit). Flush only."""
    bundle = DiscussionBundle(discussion_id=discussion.id, created_by_id=current_actor()[0],
                              for_user_id=for_user.id if for_user is not None else None)
    bundle.total = total = len(items_of(discussion, bundle)) + 2
    db.session.add(bundle)
    db.session.flush()
    payload = {"bundle_id": bundle.id, "discussion_id": discussion.id}
    if for_user is not None:
        payload["for_user_id"] = for_user.id
    jobs.submit(KIND, payload, ref=ref(bundle.id), total=total)
    return bundle


def may_read(job, user) -> bool:
    """Whom the bundle's progress is shown besides its creator: the discussion's managers
    who are recused from none of its items (回避), as for the bundle itself."""
    if job.payload.get("for_user_id") is not None:
        return False  # a reviewer's copy: theirs only
    discussion = db.session.get(Discussion, job.payload.get("discussion_id"))
    return (discussion is not None and access.manages(user)
            and not access.recused_ids(discussion.items, user))


@jobs.job_kind(KIND, "议程材料汇编", can_read=may_read)
def build_job(ctx: jobs.JobContext) -> dict:
    """The job: build the bundle; its failure fails the job with the same message."""
    bundle = build(ctx.payload["bundle_id"], ctx.progress)
    if bundle.status == "failed":
        raise jobs.JobFailed(bundle.error)
    return {"bundle_id": bundle.id, "pages": bundle.pages}


@BUNDLE_SECONDS.time()
def build(bundle_id: int, progress: Callable[[int, int], None] | None = None) -> DiscussionBundle:
    """Make the bundle in the caller's session (flush only); a failure (e.g. a character
    no font can draw) is recorded on the bundle, never a hung progress bar."""
    bundle = db.session.get(DiscussionBundle, bundle_id)
    try:
        _work(bundle, progress or (lambda _done, _total: None))
    except LostClaim:
        raise
    except Exception as exc:
        log.exception("bundle %s failed", bundle_id)
        reason = ("；".join(exc.errors.values()) if isinstance(exc, ValidationFailed)
                  else exc.__class__.__name__)
        bundle.status, bundle.error = "failed", f"生成失败：{reason}"
        bundle.finished_at = utcnow()
    db.session.flush()
    return bundle


def _work(bundle: DiscussionBundle, progress: Callable[[int, int], None]) -> None:
    # Nothing is written before the end: on SQLite the job's progress is recorded
    # while the build's transaction has written nothing (kaohe.jobs.runner).
    discussion = db.session.get(Discussion, bundle.discussion_id)
    items = items_of(discussion, bundle)
    with read_together(items, *_form_loads()):  # issue 17: ~12 reads per item, one at a time
        _merge(bundle, discussion, items, progress)


def _merge(bundle: DiscussionBundle, discussion: Discussion, items: list[AgendaItem],
           progress: Callable[[int, int], None]) -> None:
    from kaohe.discussions import bundle_cover  # ReportLab: see that module's docstring

    total = len(items) + 2
    font = font_spec()
    with tempfile.TemporaryFile() as out:
        merger = pdfmerge.Merger(out, f"{discussion.title} 议程材料汇编")
        merger.add("议程目录", bundle_cover.render_cover(
            discussion, cover_rows(items), now_local().strftime("%Y-%m-%d %H:%M"), font))
        progress(1, total)
        every = max(1, len(items) // 25)
        for n, item in enumerate(items, start=1):
            for name, pdf in item_parts(n, item):
                merger.add(name, pdf)
            if n % every == 0:
                progress(1 + n, total)
        bundle.pages = merger.close()
        out.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: out.read(1 << 20), b""):
            digest.update(chunk)
        bundle.sha256 = digest.hexdigest()
        size = out.tell()
        out.seek(0)
        # Finished before the bytes go in: on SQLite any later update of the row would
        # rewrite its record, the stored bundle with it, in memory.
        bundle.total = bundle.done = total
        bundle.status, bundle.finished_at = "done", utcnow()
        _store(bundle, out, size)


def _store(bundle: DiscussionBundle, out, size: int) -> None:
    """The bundle's ``size`` bytes from the file ``out`` into its column, a slice at a
    time: bound whole, a 75 MB bundle was copied by the driver (SQLite copies the bound
    value; psycopg its own buffers). ``pdf`` is the table's last column
    (migration 0027): elsewhere SQLite filled the zeroblob into the row's record, twice
    the bundle's size in memory (500 items: peak 317 MB, 170 MB with it last)."""
    db.session.flush()
    table = DiscussionBundle.__table__
    row = update(table).where(table.c.id == bundle.id)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(row.values(pdf=func.zeroblob(size)))
        raw = db.session.connection().connection.dbapi_connection
        with raw.blobopen(table.name, "pdf", bundle.id) as blob:  # id is the rowid
            for chunk in iter(lambda: out.read(CHUNK), b""):
                blob.write(chunk)
    else:
        _store_postgresql(bundle.id, out)
    db.session.expire(bundle, ["pdf"])


def _store_postgresql(bundle_id: int, out) -> None:
    """The slices go to a temporary table (not written to the WAL), then into the row in
    one statement: appended slice by slice (``pdf || slice``), every append wrote the
    whole value again, TOAST and WAL (500 items: 15 s of the bundle's 28 s)."""
    db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS bundle_slice "
                            "(n integer PRIMARY KEY, data bytea NOT NULL) ON COMMIT DROP"))
    db.session.execute(text("DELETE FROM bundle_slice"))
    for n, chunk in enumerate(iter(lambda: out.read(CHUNK), b"")):
        db.session.execute(text("INSERT INTO bundle_slice VALUES (:n, :data)"),
                           {"n": n, "data": chunk})
    db.session.execute(text(  # a rerun's bundle replaced; none at all for an empty file
        "UPDATE discussion_bundle SET pdf = (SELECT string_agg(data, ''::bytea ORDER BY n) "
        "FROM bundle_slice) WHERE id = :id"), {"id": bundle_id})
    db.session.execute(text("DELETE FROM bundle_slice"))


def stored_pdf(bundle: DiscussionBundle) -> bytes:
    """The stored bundle, read in slices: a driver reading a large bytea at once holds
    several copies of it (psycopg: the hex text, then the bytes)."""
    column = DiscussionBundle.pdf
    where = DiscussionBundle.id == bundle.id
    size = db.session.scalar(select(func.length(column)).where(where)) or 0
    buf = io.BytesIO()
    for at in range(1, size + 1, CHUNK):
        buf.write(db.session.scalar(select(func.substr(column, at, CHUNK)).where(where)))
    return buf.getvalue()  # BytesIO hands over its buffer uncopied


def state(bundle: DiscussionBundle | None) -> dict:
    """The bundle's progress for the page: its job's (readable from any server) until
    the bundle is finished."""
    if bundle is None:
        return {"status": "none", "percent": 0}
    job = None if bundle.status in ("done", "failed") else jobs_services.latest(ref(bundle.id))
    if job is not None and job.finished:  # finished between the two reads: the bundle too
        db.session.refresh(bundle)
        job = None if bundle.status in ("done", "failed") else job
    if job is not None:
        status, done, total, error = job.status, job.done, job.total, job.error
        percent = job.percent
    else:  # finished, or a row from before background jobs whose thread died
        status = bundle.status if bundle.status in ("done", "failed") else "failed"
        done, total, percent = bundle.done, bundle.total, bundle.percent
        error = bundle.error or ("生成中断，请重新生成。" if status == "failed" else "")
    return {"id": bundle.id, "status": status, "done": done, "total": total,
            "percent": percent if status != "failed" else 0, "error": error,
            "pages": bundle.pages, "sha256": bundle.sha256}


def latest(discussion: Discussion, for_user: User | None = None) -> DiscussionBundle | None:
    """The latest full bundle, or with ``for_user`` that reviewer's latest own copy."""
    reader = DiscussionBundle.for_user_id == for_user.id if for_user is not None \
        else DiscussionBundle.for_user_id.is_(None)
    return db.session.scalars(select(DiscussionBundle)
                              .where(DiscussionBundle.discussion_id == discussion.id, reader)
                              .order_by(DiscussionBundle.id.desc()).limit(1)).first()
