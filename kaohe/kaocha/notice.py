"""The page an agenda bundle carries in place of a DOCX final 考察材料 (ReportLab).

:func:`kaohe.kaocha.services.bundle_parts` loads this module when a bundle needs the
page, so processes that build no bundle never load ReportLab (issue 17).
"""
from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from kaohe.core import clock
from kaohe.discussions.models import AgendaItem
from kaohe.dossier.fonts import FontSpec
from kaohe.dossier.styles import Heavy, kit
from kaohe.kaocha.models import InspectionReport


def docx_notice(item: AgendaItem, report: InspectionReport, font: FontSpec = None) -> bytes:
    """The page the bundle carries in place of a DOCX final: it is attached separately."""
    k = kit(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=25 * mm,
                            rightMargin=25 * mm, topMargin=30 * mm, bottomMargin=25 * mm,
                            title=f"{item.official.name}同志考察材料")
    by = report.uploaded_by.name if report.uploaded_by is not None else "—"
    at = clock.to_local(report.uploaded_at).strftime("%Y-%m-%d %H:%M")
    doc.build([
        Heavy(f"{item.official.name}同志考察材料", k, 18, align="center", space_after=8 * mm),
        k.p(f"考察材料定稿（第 {report.version} 版）为 Word 文件，不能并入本汇编，另行附送。"),
        Spacer(1, 4 * mm),
        k.p(f"文件名：{report.filename}", k.small),
        k.p(f"大小：{report.size} 字节　上传：{by}，{at}", k.small),
        k.p(f"SHA-256：{report.sha256}", k.small),
    ])
    return buf.getvalue()
