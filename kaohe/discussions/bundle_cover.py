"""The agenda bundle's cover: the list of the items with their status (ReportLab).

:mod:`kaohe.discussions.bundle` loads this module when it builds a bundle, so processes
that build none never load ReportLab (issue 17).
"""
from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, TableStyle
from reportlab.platypus.doctemplate import SimpleDocTemplate

from kaohe.discussions.models import Discussion
from kaohe.dossier.fonts import FontSpec
from kaohe.dossier.styles import Heavy, kit
from kaohe.dossier.tables import MIN_ROW_SPLIT, WholeRows

LINE = Color(0.6, 0.6, 0.6)


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
