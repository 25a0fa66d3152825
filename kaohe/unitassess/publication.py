"""Publication list (公示) of a round: rows, page, PDF (ReportLab) and Excel (openpyxl)."""
from __future__ import annotations

import io

from flask import current_app, render_template, send_file

from kaohe.core import clock
from kaohe.unitassess.services.data import RoundRanking
from kaohe.unitassess.services.ranking import RankRow
from kaohe.unitassess.views import bp, publishable_round

HEADERS = ["名次", "单位", "得分", "等次", "责任部门", "市级分管领导"]
TIE_BREAK = ("同分时依次比较：指标与民评官得分（不含加减分）高者在前，扣分少者在前，"
             "单位代码小者在前。")


def responsible_department(rr: RoundRanking, row: RankRow) -> str:
    """The unit's supervising unit when it is not the city itself, else the unit."""
    unit = rr.units[row.unit_id]
    parent = unit.parent
    if parent is not None and parent.kind != "city":
        return parent.name
    return unit.name


def publication_rows(rr: RoundRanking) -> list[dict]:
    rows = []
    for r in rr.rows:
        unit = rr.units[r.unit_id]
        rows.append({"rank": r.rank, "unit": unit.name, "code": unit.code,
                     "score": r.score.total, "grade": r.grade_label,
                     "department": responsible_department(rr, r),
                     "leader": unit.leader_in_charge or "—",
                     "bonus": r.score.bonus, "deduction": r.score.deduction,
                     "note": "；".join(filter(None, [r.grade_note, *r.flags]))})
    return rows


def title_of(rr: RoundRanking) -> str:
    s = rr.scheme
    return f"{s.year} 年{s.group_label}目标责任考核（{rr.round_label}）结果公示"


@bp.route("/schemes/<int:scheme_id>/<round_>/publication")
def publication(scheme_id: int, round_: str):
    rr = publishable_round(scheme_id, round_)
    return render_template("unitassess/publication.html", rr=rr, scheme=rr.scheme,
                           rows=publication_rows(rr), title=title_of(rr), tie_break=TIE_BREAK)


def pdf_bytes(rr: RoundRanking) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    from kaohe.dossier.fonts import load, spec_from
    from kaohe.dossier.styles import paragraph

    # The dossier's font chain (embedded TrueType fonts, else ReportLab's CID font);
    # names and titles are plain text in runs of it (a rare character in a fallback font).
    fs = load(spec_from(current_app.config))
    font = fs.name
    title_style = ParagraphStyle("t", fontName=font, fontSize=15, leading=22, alignment=1,
                                 wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title_of(rr),
                            author="考核办")
    data = [HEADERS] + [[str(r["rank"]), paragraph(fs, r["unit"], cell),
                         f"{r['score']:.2f}", r["grade"], paragraph(fs, r["department"], cell),
                         paragraph(fs, r["leader"], cell)]
                        for r in publication_rows(rr)]
    table = Table(data, colWidths=[14 * mm, 52 * mm, 20 * mm, 16 * mm, 45 * mm, 33 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9ca3af")),
        ("ALIGN", (0, 0), (0, -1), "CENTER"), ("ALIGN", (2, 1), (3, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    s = rr.scheme
    story = [paragraph(fs, title_of(rr), title_style), Spacer(1, 4 * mm),
             paragraph(fs, f"根据《{s.name}》（{s.published_at:%Y-%m-%d} 发布），"
                       f"现将{rr.round_label}考核结果公示如下。得分由指标得分、民评官得分及"
                       f"加减分构成，逐项明细可向考核办查询。", body)
             if s.published_at else Spacer(1, 1),
             Spacer(1, 3 * mm), table, Spacer(1, 4 * mm),
             paragraph(fs, f"排名规则：按总分由高到低排列；{TIE_BREAK}", body),
             paragraph(fs, f"公示日期：{clock.today().isoformat()}　　考核办", body)]
    doc.build(story)
    return buf.getvalue()


def xlsx_bytes(rr: RoundRanking) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from kaohe.interop.excel_export import append  # text that could be a formula stays text

    wb = Workbook()
    ws = wb.active
    ws.title = "公示"
    append(ws, [title_of(rr)])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, HEADERS + ["加分", "扣分", "备注"])
    for c in ws[2]:
        c.font = Font(bold=True)
    for r in publication_rows(rr):
        append(ws, [r["rank"], r["unit"], r["score"], r["grade"], r["department"], r["leader"],
                    r["bonus"], r["deduction"], r["note"]])
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=3):
        row[0].number_format = "0.00"
    for col, width in zip("ABCDEFGHI", (6, 28, 10, 8, 24, 16, 8, 8, 40)):
        ws.column_dimensions[col].width = width
    append(ws, [])
    append(ws, [f"排名规则：按总分由高到低排列；{TIE_BREAK}"])
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _filename(rr: RoundRanking, ext: str) -> str:
    return f"unit-ranking-{rr.scheme.year}-{rr.scheme.group}-{rr.round}.{ext}"


@bp.route("/schemes/<int:scheme_id>/<round_>/publication.pdf")
def publication_pdf(scheme_id: int, round_: str):
    rr = publishable_round(scheme_id, round_)
    return send_file(io.BytesIO(pdf_bytes(rr)), mimetype="application/pdf",
                     download_name=_filename(rr, "pdf"))


@bp.route("/schemes/<int:scheme_id>/<round_>/publication.xlsx")
def publication_xlsx(scheme_id: int, round_: str):
    rr = publishable_round(scheme_id, round_)
    return send_file(io.BytesIO(xlsx_bytes(rr)), as_attachment=True,
                     download_name=_filename(rr, "xlsx"),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
