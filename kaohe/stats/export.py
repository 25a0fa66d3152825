"""The team-structure report as an Excel workbook and a printable PDF.

Both are drawn from the same :func:`kaohe.stats.queries.figures` dict as the page and
the API, through :func:`sections`, so the four can never disagree.
"""
from __future__ import annotations

import io

from kaohe.dossier.services import font_spec
from kaohe.interop.excel_export import append

# (key of figures(), section title)
SECTIONS = (("age", "年龄结构"), ("gender", "性别"), ("ethnicity", "民族"),
            ("politics", "政治面貌"), ("education_fulltime", "全日制学历"),
            ("education_highest", "最高学历"), ("rank", "职级"), ("tenure", "任现职年限"))


def sections(fig: dict) -> list[tuple[str, list[dict]]]:
    """(title, rows) of every distribution of the report, grades per year last."""
    out = [(title, fig[key]) for key, title in SECTIONS]
    out += [(f"{g['year']} 年度考核等次", g["rows"]) for g in fig["grades"]]
    return out


def summary_lines(fig: dict, scope_label: str) -> list[str]:
    avg = f"{fig['average_age']} 岁" if fig["average_age"] is not None else "—"
    return [f"范围：{scope_label}　统计日期：{fig['as_of']}", fig["basis"],
            f"干部 {fig['total']} 人，平均年龄 {avg}；女干部 {fig['female']} 人"
            f"（{fig['female_share']}%），少数民族干部 {fig['minority']} 人（{fig['minority_share']}%）。"]


def workbook(fig: dict, teams: list[dict], scope_label: str) -> bytes:
    """The report as .xlsx: a summary sheet with every distribution, and the teams that
    miss a required member."""
    from openpyxl import Workbook  # loaded on first use: 0.25 s, 13 MB at import (issue 17)
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "结构分析"
    for line in summary_lines(fig, scope_label):
        append(ws, [line])
    for title, rows in sections(fig):
        append(ws, [])
        append(ws, [title, "人数", "占比（%）"])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for row in rows:
            append(ws, [row["label"], row["count"], row["share"]])
    ws.column_dimensions["A"].width = 28
    teams_ws = wb.create_sheet("班子结构")
    append(teams_ws, ["单位", "班子成员数", "缺少"])
    for t in teams:
        append(teams_ws, [t["unit"], t["members"], "；".join(t["missing"])])
    teams_ws.column_dimensions["A"].width = 30
    teams_ws.column_dimensions["C"].width = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(fig: dict, teams: list[dict], scope_label: str, generated: str) -> bytes:
    """The report as a printable A4 PDF: one ruled table per distribution."""
    # Loaded on first use, as openpyxl above: ReportLab and the dossier's styles (issue 17).
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from kaohe.dossier.styles import Heavy, kit
    from kaohe.dossier.tables import grid

    k = kit(font_spec())
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=20 * mm,
                            rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
                            title="干部队伍结构分析")
    story = [Heavy("干部队伍结构分析", k, 18, align="center", space_after=5 * mm)]
    story += [k.p(line) for line in summary_lines(fig, scope_label)]
    story.append(k.p(f"生成时间 {generated}。内部资料，注意保密。", k.small))
    widths = [70 * mm, 40 * mm, 40 * mm]
    for title, rows in sections(fig):
        story += k.h2(title, room=40 * mm)
        story.append(grid(k, [["项目", "人数", "占比（%）"]]
                          + [[r["label"], r["count"], r["share"]] for r in rows],
                          widths, center_cols=(1, 2)))
    story += k.h2("班子结构检查", room=30 * mm)
    if teams:
        story.append(grid(k, [["单位", "成员", "缺少"]]
                          + [[t["unit"], t["members"], "；".join(t["missing"])] for t in teams],
                          [70 * mm, 20 * mm, 80 * mm], center_cols=(1,)))
    else:
        story.append(k.p("各班子均符合结构要求。"))
    story.append(Spacer(1, 2 * mm))
    doc.build(story)
    return buf.getvalue()
