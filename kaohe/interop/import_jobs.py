"""An Excel import started from a page runs as a background job (:mod:`kaohe.jobs`):
the uploaded file travels in the job's row, any server's worker checks and imports it
(all or nothing, as the CLI does, through the same :func:`excel_import.import_steps`),
and the report is kept with the job for its progress page."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from kaohe import jobs
from kaohe.interop.sheets import SHEETS
from kaohe.interop.xlsx_parts import FileRefused

if TYPE_CHECKING:
    from kaohe.interop.xlsx_read import Report

# The reader and the importer are loaded on first use, in the functions below: they
# import openpyxl, 0.25 s and 13 MB that every worker and CLI command paid (issue 17).

KIND = "interop.import_xlsx"
PROGRESS_EVERY = 500  # rows between progress reports (import_steps' step)


def preflight(kind: str, data: bytes) -> None:
    """Refuse at once a file that cannot be read at all (not an .xlsx, no sheet, no
    header row), before it is queued: raises :class:`FileRefused`. Reads the header
    and the first row only."""
    from kaohe.interop.xlsx_read import Report, read_rows

    next(read_rows(data, SHEETS[kind], Report(kind=kind)), None)


def submit(kind: str, data: bytes, dry_run: bool, back: str):
    """Queue the import of ``data`` (flush only; it starts once committed)."""
    return jobs.submit(KIND, {"kind": kind, "dry_run": dry_run, "back": back}, blob=data,
                       ref=f"xlsx:{kind}", message="等待校验")


def report_dict(report: Report) -> dict:
    """The report as JSON for the job's row (read back by the result template)."""
    out = dataclasses.asdict(report)
    out["ok"] = report.ok
    return out


@jobs.job_kind(KIND, "Excel 批量导入", max_attempts=2,
               result_template="interop/_import_report.html")
def run(ctx: jobs.JobContext) -> dict:
    """Check every row, then import all or nothing; a repeated run changes nothing more
    (rows equal to what is recorded are left alone)."""
    from kaohe.interop import excel_import
    from kaohe.interop.xlsx_read import Report

    kind, dry_run = ctx.payload["kind"], ctx.payload["dry_run"]
    report = Report(kind=kind, dry_run=dry_run)
    try:
        for done, total in excel_import.import_steps(kind, ctx.blob, report, PROGRESS_EVERY):
            ctx.progress(done, total, "正在逐行校验" if done < total else "校验完成")
    except FileRefused as exc:
        raise jobs.JobFailed(str(exc)) from None
    sheet = SHEETS[kind]
    return {"report": report_dict(report), "title": sheet.title, "area": sheet.area,
            "back": ctx.payload["back"]}
