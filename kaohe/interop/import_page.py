"""The web side of an Excel import: template download, upload, streamed progress and report."""
from __future__ import annotations

from flask import Response, abort, stream_template

from kaohe.interop import excel_export, excel_import
from kaohe.interop.forms import XlsxImportForm
from kaohe.interop.sheets import SHEETS


def template_response(kind: str) -> Response:
    """The import template of ``kind`` as a download."""
    if kind not in SHEETS:
        abort(404)
    return excel_export.download_response(excel_export.template(kind),
                                          f"{SHEETS[kind].title}导入模板.xlsx")


def import_response(kind: str, page, back: str):
    """Check every row of the uploaded file, then import all of it or nothing.

    ``page(form)`` renders the upload page again with the form's errors; ``back``
    is the endpoint of that page, linked from the report.
    """
    form = XlsxImportForm(prefix=kind)
    if not form.validate_on_submit():
        return page(form)
    data = form.file.data.read()
    report = excel_import.Report(kind=kind, dry_run=form.dry_run.data)
    try:
        steps = excel_import.import_steps(kind, data, report)
        first = next(steps)  # reads the file: refusals still get a normal page
    except excel_import.FileRefused as exc:
        form.file.errors = [str(exc)]
        return page(form)

    def progress():
        yield first
        yield from steps

    # Streamed: the progress lines reach the browser while the rows are checked.
    return Response(stream_template("interop/import_result.html", sheet=SHEETS[kind],
                                    report=report, steps=progress(), back=back))
