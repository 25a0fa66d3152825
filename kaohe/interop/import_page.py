"""The web side of an Excel import: template download, upload → background job → the
job's progress page, which shows the report once every row is checked."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for

from kaohe.extensions import db
from kaohe.interop import excel_export, import_jobs
from kaohe.interop.forms import XlsxImportForm
from kaohe.interop.sheets import SHEETS
from kaohe.interop.xlsx_parts import FileRefused


def template_response(kind: str) -> Response:
    """The import template of ``kind`` as a download."""
    if kind not in SHEETS:
        abort(404)
    return excel_export.download_response(excel_export.template(kind),
                                          f"{SHEETS[kind].title}导入模板.xlsx")


def import_response(kind: str, page, back: str):
    """Queue the uploaded file's import (every row checked, then all of it or nothing)
    and go to its progress page; a file that cannot be read is refused on the form.

    ``page(form)`` renders the upload page again with the form's errors; ``back``
    is the endpoint of that page, linked from the report.
    """
    form = XlsxImportForm(prefix=kind)
    if not form.validate_on_submit():
        return page(form)
    data = form.file.data.read()
    try:
        import_jobs.preflight(kind, data)
    except FileRefused as exc:
        form.file.errors = [str(exc)]
        return page(form)
    job = import_jobs.submit(kind, data, form.dry_run.data, back)
    db.session.commit()  # queues the job
    flash("文件已上传，正在后台逐行校验；完成后本页显示结果。", "info")
    return redirect(url_for("jobs.show", job_id=job.id))
