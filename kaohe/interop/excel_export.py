"""Write .xlsx files: import templates and exports of what the user may see.

The officials export has the columns of the officials import template, so an
export by the organization department can be edited and imported again. Every
row of every workbook Kaohe writes goes through :func:`append` (formula injection).

openpyxl is loaded on first use, in the functions that write workbooks: it costs
0.25 s and 13 MB at import, which every worker and CLI command paid (issue 17).
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING, Iterable

from flask import Response
from sqlalchemy.orm import selectinload

from kaohe.core.downloads import attachment
from kaohe.extensions import db
from kaohe.interop.sheets import DATE_HINT, SHEETS, Sheet
from kaohe.officials.models import Official

if TYPE_CHECKING:
    from openpyxl import Workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED_COLOR, HEADER_COLOR = "FDE2E1", "E8EEF7"  # header fills
MAX_EXPORT_ROWS = 100_000
# OWASP CSV injection: a spreadsheet reads text starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_value(ws, value):
    """``value`` for a row of ``ws``: text a spreadsheet could take for a formula becomes
    a text cell with Excel's quote prefix (shown and edited as text, as if typed after
    ``'``), its value unchanged so that it imports back as it was; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value)  # openpyxl takes "=…" for a formula: make it text
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def append(ws, values: Iterable) -> None:
    """Append a row of ``values`` to ``ws`` (normal or write-only) through :func:`safe_value`."""
    ws.append([safe_value(ws, v) for v in values])


def download_response(data: bytes, filename: str, mimetype: str = XLSX_MIME) -> Response:
    """``data`` as a download named ``filename`` (:func:`kaohe.core.downloads.attachment`)."""
    return attachment(data, filename, mimetype)


def _header(ws, sheet: Sheet, with_notes: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    append(ws, [c.header for c in sheet.columns])
    for i, c in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9B1C1C" if c.required else "1F2937")
        cell.fill = PatternFill("solid", fgColor=REQUIRED_COLOR if c.required else HEADER_COLOR)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if with_notes:
            note = ("必填。" if c.required else "") + (
                c.note or (DATE_HINT if c.kind in ("date", "month_date") else ""))
            if note:
                cell.comment = Comment(note, "考核系统")
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(c.header) * 2 + 4)
    ws.freeze_panes = "A2"


def _to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template(kind: str) -> bytes:
    """The import template of ``kind``: headers, drop-downs, an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = SHEETS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title
    _header(ws, sheet, with_notes=True)
    for i, c in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        if c.choices:
            options = [k for k in c.choices if k and not k.isascii()] or [k for k in c.choices if k]
            dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                allow_blank=not c.required, showErrorMessage=False)
            dv.add(f"{letter}2:{letter}10001")
            ws.add_data_validation(dv)
        if c.kind in ("date", "month_date") or c.field in ("id_number",):
            for row in range(2, 3):
                ws.cell(row=row, column=i).number_format = "@"
    help_ws = wb.create_sheet("填写说明")
    append(help_ws, ["列", "是否必填", "说明"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for c in sheet.columns:
        append(help_ws, [c.header, "必填" if c.required else "可选",
                         c.note or (DATE_HINT if c.kind in ("date", "month_date") else "")])
    append(help_ws, [])
    append(help_ws, ["说明", "", "第 1 行为列标题，请勿修改；从第 2 行起每行一条记录。"
                     "导入前逐行校验，有任何问题则全部不导入并列出问题；"
                     "同一文件重复导入不会产生重复记录。"])
    append(help_ws, ["示例", "", "　".join(f"{c.header}：{v}" for c, v in
                                           zip(sheet.columns, sheet.example) if v)])
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["B"].width = 10
    help_ws.column_dimensions["C"].width = 90
    return _to_bytes(wb)


def _date(value) -> str:
    return value.isoformat() if value else ""


def official_row(o: Official, full_id: bool) -> list:
    return [o.name, o.id_number if full_id else o.id_number_masked, o.gender_label,
            _date(o.birth_date), o.ethnicity, o.native_place, o.political_status,
            _date(o.party_date), o.democratic_party, _date(o.democratic_party_date),
            _date(o.work_start_date), o.edu_fulltime, o.degree_fulltime,
            o.school_fulltime, o.edu_inservice, o.degree_inservice, o.school_inservice,
            o.unit.code if o.unit else "", o.current_post, o.rank]


def officials(stmt, full_id: bool, title: str = "干部名单", hidden: Iterable[int] = ()) -> bytes:
    """Every official of ``stmt`` (the search statement, unpaginated) in import format.

    Units are written by code (unique) so the file imports back unchanged;
    ``hidden`` official ids (recusal) are left out.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    sheet = SHEETS["officials"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet.title)
    ws.freeze_panes = "A2"
    for i, c in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(c.header) * 2 + 4)
    append(ws, [c.header for c in sheet.columns])
    skip = set(hidden)
    stmt = stmt.options(selectinload(Official.unit)).limit(MAX_EXPORT_ROWS)
    for o in db.session.scalars(stmt).yield_per(1000):
        if o.id not in skip:
            append(ws, official_row(o, full_id))
    info = wb.create_sheet("说明")
    append(info, [title])
    append(info, ["身份证号" + ("为完整号码。" if full_id else "已按权限脱敏。")])
    append(info, ["“所在单位”列为单位代码。"])
    return _to_bytes(wb)


RANKING_HEADERS = ("名次", "单位", "单位代码", "指标得分", "民评官得分", "加分", "扣分", "总分",
                   "等次", "等次说明", "提示")


def ranking(rr) -> bytes:
    """The ranking of a round (:class:`kaohe.unitassess.services.data.RoundRanking`) as shown."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("排名")
    ws.freeze_panes = "A3"
    for i, width in enumerate((6, 28, 10, 10, 10, 8, 8, 10, 8, 30, 40), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    s = rr.scheme
    append(ws, [f"{s.year} 年{s.group_label}目标责任考核 · {rr.round_label}排名（{rr.size} 个单位）"
                + ("" if s.is_published else "（方案尚未发布，为试算结果）")
                + f"；数据完整性：{rr.completeness.text}"
                + ("" if rr.complete else "，数据未录齐的单位不排名、不评定等次")])
    append(ws, RANKING_HEADERS)
    for r in rr.rows:
        sc = r.score
        append(ws, [r.rank, r.name, r.code, sc.indicator_points, sc.public_points, sc.bonus,
                    sc.deduction, sc.total if r.complete else None, r.grade_label,
                    r.grade_note, "；".join(r.flags)])
    return _to_bytes(wb)
