"""花名册: any officials search as a roster (Excel or PDF) with the columns the user chooses.

Rows come from the search's own statement (same filters and recusal as the list page),
streamed in chunks; annual grades of the last concluded years are read per chunk with one
query, so a large result never loads every official's records at once.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.core.periods import age_on
from kaohe.dossier.services import font_spec
from kaohe.extensions import db
from kaohe.interop.excel_export import append
from kaohe.officials.models import Official
from kaohe.officials.politics import party_text

CHUNK = 1000
PDF_MAX_ROWS = 5000  # a printed roster beyond this is a different job: narrow the search
XLSX_MAX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Official, "Context"], object]
    width: float = 22  # mm in the PDF


@dataclass(frozen=True)
class Context:
    day: dt.date
    full_id: bool


def _month(value: dt.date | None) -> str:
    return value.strftime("%Y.%m") if value else ""


def _edu(level: str, degree: str) -> str:
    return level + (degree if degree and degree != "无" else "")


COLUMNS: dict[str, Column] = {
    "name": Column("姓名", lambda o, c: o.name, 18),
    "gender": Column("性别", lambda o, c: o.gender_label, 10),
    "birth": Column("出生年月", lambda o, c: _month(o.birth_date), 17),
    "age": Column("年龄", lambda o, c: age_on(o.birth_date, c.day), 10),
    "ethnicity": Column("民族", lambda o, c: o.ethnicity, 14),
    "native_place": Column("籍贯", lambda o, c: o.native_place, 20),
    "politics": Column("政治面貌", lambda o, c: o.political_status or "未填写", 18),
    "party": Column("入党时间", lambda o, c: party_text(o, "print"), 20),
    "work_start": Column("参加工作时间", lambda o, c: _month(o.work_start_date), 18),
    "edu_fulltime": Column("全日制学历学位",
                           lambda o, c: _edu(o.edu_fulltime, o.degree_fulltime), 24),
    "school_fulltime": Column("全日制毕业院校及专业", lambda o, c: o.school_fulltime, 34),
    "edu_inservice": Column("在职学历学位",
                            lambda o, c: _edu(o.edu_inservice, o.degree_inservice), 24),
    "unit": Column("单位", lambda o, c: o.unit.name if o.unit else "", 34),
    "current_post": Column("现任职务", lambda o, c: o.current_post, 40),
    "rank": Column("职级", lambda o, c: o.rank, 18),
    "id_number": Column("身份证号",
                        lambda o, c: o.id_number if c.full_id else o.id_number_masked, 36),
}
GRADES_KEY = "grades"  # one column per concluded year of the assessment window
LABELS = {**{k: c.header for k, c in COLUMNS.items()}, GRADES_KEY: "近年年度考核（每年一列）"}
DEFAULT = ("name", "gender", "birth", "politics", "edu_fulltime", "unit", "current_post",
           "rank", GRADES_KEY)


def chosen(keys: list[str]) -> list[str]:
    """The known column keys among ``keys``, in the order offered, without repeats."""
    wanted = set(keys)
    return [k for k in LABELS if k in wanted]


def headers(keys: list[str], years: tuple[int, ...]) -> list[str]:
    out = []
    for key in keys:
        out += ([f"{y}年度考核" for y in years] if key == GRADES_KEY else [COLUMNS[key].header])
    return out


def rows(stmt, keys: list[str], ctx: Context, years: tuple[int, ...]) -> Iterator[list]:
    """The roster's rows for the officials ``stmt`` selects, in its order."""
    stmt = stmt.options(selectinload(Official.unit)).execution_options(yield_per=CHUNK)
    for chunk in db.session.scalars(stmt).partitions(CHUNK):
        grades = _grades([o.id for o in chunk], years) if GRADES_KEY in keys else {}
        for o in chunk:
            row = []
            for key in keys:
                if key == GRADES_KEY:
                    row += [GRADES.get(grades.get((o.id, y), ""), "未录入") for y in years]
                else:
                    row.append(COLUMNS[key].value(o, ctx))
            yield row


def _grades(ids: list[int], years: tuple[int, ...]) -> dict[tuple[int, int], str]:
    A = AssessmentResult
    found = db.session.execute(select(A.official_id, A.year, A.grade).where(
        A.official_id.in_(ids), A.kind == "annual", A.year.in_(years)))
    return {(oid, year): grade for oid, year, grade in found}


def window_years(day: dt.date) -> tuple[int, ...]:
    return assessment_window(day).years


def workbook(head: list[str], body: Iterator[list], title: str) -> bytes:
    """The roster as .xlsx (write-only: rows are streamed, not held)."""
    from openpyxl import Workbook  # loaded on first use: 0.25 s, 13 MB at import (issue 17)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    append(ws, [title])
    append(ws, ["序号", *head])
    for n, row in enumerate(body, start=1):
        append(ws, [n, *row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(keys: list[str], head: list[str], body: Iterator[list], title: str,
        note: str) -> bytes:
    """The roster as a landscape A4 PDF with the header row repeated on every page."""
    # Loaded on first use, as openpyxl above: ReportLab and the dossier's styles (issue 17).
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from kaohe.dossier.styles import Heavy, kit
    from kaohe.dossier.tables import grid

    k = kit(font_spec())
    widths = [10 * mm]
    for key in keys:
        widths += ([16 * mm] * (len(head) - len(keys) + 1) if key == GRADES_KEY
                   else [COLUMNS[key].width * mm])
    usable = landscape(A4)[0] - 24 * mm
    scale = min(1.0, usable / sum(widths))
    widths = [w * scale for w in widths]
    table = grid(k, [["序号", *head]] + [[n, *row] for n, row in enumerate(body, start=1)],
                 widths, center_cols=(0,))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), invariant=1, leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                            title=title)
    doc.build([Heavy(title, k, 16, align="center", space_after=3 * mm), k.p(note, k.small),
               table])
    return buf.getvalue()
