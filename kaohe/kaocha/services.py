"""Business rules of the 考察材料: the draft, 民主推荐 records, frozen final versions.

Like every write on an agenda item, recording a 民主推荐 or a final version is refused
once the meeting is held (:func:`kaohe.discussions.services.agenda.ensure_open`).
Services take plain arguments and only flush; views and tests commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import func, select

from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.core.perkey import PerKey
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services.agenda import ensure_open
from kaohe.dossier.services import font_spec
from kaohe.extensions import db
from kaohe.kaocha import content
from kaohe.kaocha.models import RECOMMENDATION_KINDS, DemocraticRecommendation, InspectionReport
from kaohe.officials.models import Official

MAX_PARTICIPANTS = 100_000
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def draft_docx(official: Official, as_of: dt.date, date: dt.date, group: str = "",
               inspectors: str = "", item: AgendaItem | None = None) -> bytes:
    """The editable draft 「〈姓名〉同志考察材料」 of ``official`` as a .docx."""
    # files and writer are loaded on first use: python-docx, lxml and pypdf cost
    # 0.3 s and 20 MB at import, which every worker and CLI command paid (issue 17).
    from kaohe.kaocha import writer

    return writer.write(content.build(official, as_of, date, group, inspectors, item))


def draft_name(official: Official) -> str:
    return f"{content.clean(official.name)}同志考察材料（初稿）.docx"


# ---------------------------------------------------------------- 民主推荐

def recommendations(item: AgendaItem) -> list[DemocraticRecommendation]:
    return list(db.session.scalars(select(DemocraticRecommendation).where(
        DemocraticRecommendation.item_id == item.id)
        .order_by(DemocraticRecommendation.held_on, DemocraticRecommendation.id)))


def save_recommendation(discussion: Discussion, item: AgendaItem,
                        rec: DemocraticRecommendation | None,
                        data: dict) -> DemocraticRecommendation:
    """Record (or correct) a 民主推荐 of ``item``: participants ≥ 1, votes within them,
    held no later than today and the meeting."""
    ensure_open(discussion, "held_on")
    errors: dict[str, str] = {}
    records.require_choice(errors, "kind", data.get("kind"), RECOMMENDATION_KINDS)
    held_on = data.get("held_on")
    if held_on is None:
        errors["held_on"] = "请填写推荐日期。"
    elif held_on > discussion.date:
        errors["held_on"] = f"民主推荐应在会议（{discussion.date.isoformat()}）之前进行。"
    else:
        records.not_in_future(errors, "held_on", held_on)
    participants, votes = data.get("participants"), data.get("votes")
    if participants is None or not 1 <= participants <= MAX_PARTICIPANTS:
        errors["participants"] = f"参加人数应为 1 到 {MAX_PARTICIPANTS} 之间的整数。"
    if votes is None or votes < 0:
        errors["votes"] = "请填写得票数（不小于 0 的整数）。"
    elif participants is not None and votes > participants:
        errors["votes"] = f"得票数（{votes}）不能超过参加人数（{participants}）。"
    records.raise_if(errors)
    return records.save(DemocraticRecommendation, rec, data, item_id=item.id)


def delete_recommendation(discussion: Discussion, rec: DemocraticRecommendation) -> None:
    ensure_open(discussion)
    records.soft_delete(rec)


# ---------------------------------------------------------------- final versions

def reports(item: AgendaItem) -> list[InspectionReport]:
    """The final versions of ``item``, oldest first (the last is current)."""
    return list(db.session.scalars(select(InspectionReport).where(
        InspectionReport.item_id == item.id).order_by(InspectionReport.version)))


# An agenda bundle reads every item's (issue 17; kaohe.core.perkey).
_CURRENT = PerKey(lambda: select(InspectionReport).order_by(InspectionReport.version.desc()),
                  lambda: InspectionReport.item_id, first=True)


def current_report(item: AgendaItem) -> InspectionReport | None:
    return _CURRENT(item.id)


def safe_filename(name: str | None) -> str:
    """The uploaded file's own name, for display: its last path part, no control
    characters, at most 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("", base).strip()[:200] or "考察材料"


def freeze(discussion: Discussion, item: AgendaItem, data: bytes, filename: str | None,
           reason: str | None, user_id: int | None) -> InspectionReport:
    """Freeze an uploaded final version onto ``item`` as version n + 1 (the bytes as
    uploaded, their SHA-256); a replacement needs a reason. Nothing is stored on refusal."""
    from kaohe.kaocha import files

    ensure_open(discussion, "file")
    kind = files.kind_of(data)
    reason = (reason or "").strip()
    last = db.session.scalar(select(func.max(InspectionReport.version)).where(
        InspectionReport.item_id == item.id))
    if last and not reason:
        raise ValidationFailed(f"已上传第 {last} 版考察材料；上传新版本须填写更换原因"
                               "（原版本保留）。", "reason")
    report = InspectionReport(item_id=item.id, version=(last or 0) + 1, kind=kind,
                              filename=safe_filename(filename), size=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), data=data,
                              reason=reason, uploaded_by_id=user_id)
    db.session.add(report)
    db.session.flush()
    return report


def download_name(item: AgendaItem, report: InspectionReport) -> str:
    return f"考察材料_{content.clean(item.official.name)}_v{report.version}.{report.kind}"


def bundle_parts(n: int, item: AgendaItem) -> list[tuple[str, bytes]]:
    """What agenda item ``n``'s current final 考察材料 adds to the agenda bundle: the PDF
    itself, or for a DOCX a page saying it is attached separately."""
    report = current_report(item)
    if report is None:
        return []
    title = f"{n}. {item.official.name} · 考察材料（第 {report.version} 版）"
    if report.kind == "pdf":
        from kaohe.kaocha import files

        return [(title, files.merge_ready(report.data))]
    from kaohe.kaocha import notice  # ReportLab, loaded on first use like files (issue 17)

    return [(title + "（Word 文件，另附）", notice.docx_notice(item, report, font_spec()))]
