"""The 征求意见函 as a PDF (A4, 公文 margins), drawn from plain data in ReportLab's
invariant mode: the same data and font give the same bytes, stored with their SHA-256."""
from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle

from kaohe.dossier.fonts import FontSpec
from kaohe.dossier.styles import BOTTOM, LEFT, PAGE_H, PAGE_W, RIGHT, TOP, Heavy, kit
from kaohe.dossier.tables import MIN_ROW_SPLIT, WholeRows
from kaohe.moves.publicity_pdf import cn_day

LINE = Color(0.5, 0.5, 0.5)
ADDRESSEE = "市纪委监委："
BODY = ("根据《党政领导干部选拔任用工作条例》和凡提必听纪检监察机关意见的有关规定，"
        "现就下列{count}名同志征求你委党风廉政意见，请于收函后及时回复。")
CLOSE = "附：拟征求意见人员名单（{count}人）"


def title(count: int, first_name: str) -> str:
    """The letter's title: 关于征求〈第一人姓名〉等N名同志党风廉政意见的函 (〈姓名〉同志 for one)."""
    who = f"{first_name}同志" if count == 1 else f"{first_name}等{count}名同志"
    return f"关于征求{who}党风廉政意见的函"


def render(data: dict, font: FontSpec = None) -> bytes:
    """PDF bytes of a letter: ``data`` = {number, dated (ISO), issuer, rows: [{name,
    post, purpose}]}."""
    k = kit(font)
    rows = data["rows"]
    body = ParagraphStyle("letter_body", parent=k.body, fontSize=14, leading=26,
                          firstLineIndent=28)
    plain = ParagraphStyle("letter_plain", parent=body, firstLineIndent=0)
    center = ParagraphStyle("letter_no", parent=plain, alignment=TA_CENTER)
    sign = ParagraphStyle("letter_sign", parent=plain, alignment=TA_RIGHT)
    head = [k.p(t, k.label) for t in ("序号", "姓名", "工作单位及职务", "征求事由")]
    table = WholeRows([head] + [[k.p(str(n), k.cell_c), k.p(r["name"], k.cell),
                                 k.p(r["post"] or "—", k.cell), k.p(r["purpose"], k.cell)]
                                for n, r in enumerate(rows, 1)],
                      colWidths=[14 * mm, 28 * mm, 76 * mm, 38 * mm], repeatRows=1,
                      splitInRow=MIN_ROW_SPLIT)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, LINE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), Color(0.93, 0.93, 0.93))]))
    heading = title(len(rows), rows[0]["name"])
    day = cn_day(dt.date.fromisoformat(data["dated"]))
    story = [k.p(data["number"], center), Spacer(0, 6),
             Heavy(heading, k, 20, align="center", space_after=18),
             k.p(ADDRESSEE, plain), k.p(BODY.format(count=len(rows)), body),
             k.p(CLOSE.format(count=len(rows)), body), Spacer(0, 8), table, Spacer(0, 30),
             k.p(data["issuer"], sign), k.p(day, sign)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT, rightMargin=RIGHT,
                            topMargin=TOP, bottomMargin=BOTTOM, invariant=1, title=heading,
                            author=data["issuer"], creator="Kaohe")
    doc.build(story)
    return buf.getvalue()
