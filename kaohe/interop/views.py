"""Import and export pages: Excel templates and imports, officials export, LRMX files."""
from __future__ import annotations

import click
from flask import Blueprint, abort, render_template

from kaohe.audit.services import cli_actor
from kaohe.auth.permissions import P, can, guard, recused_official_ids
from kaohe.core.models import utcnow
from kaohe.interop import excel_export, lrmx
from kaohe.interop.forms import LrmxImportForm, XlsxImportForm
from kaohe.interop.import_page import import_response, template_response
from kaohe.interop.lrmx_parse import LrmxRefused
from kaohe.interop.sheets import SHEETS, sheets_of
from kaohe.officials import services as official_services

bp = guard(Blueprint("interop", __name__, url_prefix="/interop"), read=P.OFFICIALS_READ)
edit_bp = guard(Blueprint("edit", __name__), read=P.OFFICIALS_WRITE)


download = excel_export.download_response


# ---------------------------------------------------------------- exports (readers)


@bp.get("/export/officials.xlsx")
def export_officials():
    """The officials search (same filters as the list page) as an Excel file."""
    from kaohe.officials.views import search_form_and_criteria

    _form, criteria = search_form_and_criteria()
    hidden = recused_official_ids()  # 回避
    stmt = official_services.search_statements(criteria, exclude_ids=hidden)[0]
    data = excel_export.officials(stmt, full_id=can(P.ID_NUMBER_FULL), hidden=hidden)
    return download(data, f"干部名单_{utcnow():%Y%m%d}.xlsx", excel_export.XLSX_MIME)


# ---------------------------------------------------------------- imports (writers)


def _page(xlsx_forms=None, lrmx_form=None, status=200):
    sheets = sheets_of("officials")
    forms = {kind: XlsxImportForm(prefix=kind) for kind in sheets}
    forms.update(xlsx_forms or {})
    return render_template("interop/index.html", sheets=sheets, forms=forms,
                           lrmx_form=lrmx_form or LrmxImportForm(prefix="lrmx")), status


@edit_bp.get("/")
def index():
    return _page()


@edit_bp.get("/templates/<kind>")
def template(kind: str):
    """The import template of ``kind`` (officials, posts, annual, quarterly)."""
    if kind not in sheets_of("officials"):
        abort(404)
    return template_response(kind)


@edit_bp.post("/import/<kind>")
def import_xlsx(kind: str):
    """Check every row of the uploaded file, then import all of it or nothing."""
    if kind not in sheets_of("officials"):
        abort(404)
    return import_response(kind, lambda form: _page({kind: form}), "interop.edit.index")


@edit_bp.route("/lrmx", methods=["POST"])
def import_lrmx():
    """Import one LRMX file (官方干部任免审批表)."""
    form = LrmxImportForm(prefix="lrmx")
    if not form.validate_on_submit():
        return _page(lrmx_form=form)
    try:
        report = lrmx.import_lrmx(form.file.data.read(), dry_run=form.dry_run.data)
    except LrmxRefused as exc:
        form.file.errors = [str(exc)]
        return _page(lrmx_form=form)
    return render_template("interop/lrmx_result.html", report=report)


bp.register_blueprint(edit_bp)

# LRMX export page and download, and the LRMX commands, on this blueprint.
from kaohe.interop import lrmx_cli, lrmx_views  # noqa: E402,F401


# ---------------------------------------------------------------- CLI


@bp.cli.command("import-xlsx")
@click.argument("kind", type=click.Choice(sorted(SHEETS)))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只校验，不导入")
def import_xlsx_command(kind: str, path: str, dry_run: bool) -> None:
    """Import an .xlsx file (flask interop import-xlsx KIND FILE), with a progress bar."""
    from tqdm import tqdm

    from kaohe.interop import excel_import  # loaded on first use: openpyxl, 0.25 s (issue 17)

    cli_actor.set(f"cli:import-xlsx:{kind}")
    with open(path, "rb") as fh:
        data = fh.read()
    report = excel_import.Report(kind=kind, dry_run=dry_run)
    bar = None
    try:
        for done, total in excel_import.import_steps(kind, data, report):
            if bar is None:
                bar = tqdm(total=total, unit="行", desc="校验并导入")
            bar.n = done
            bar.refresh()
    except excel_import.FileRefused as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    for p in report.problems:
        click.echo(f"第 {p.row} 行\t{p.column or '—'}\t{p.message}")
    if not report.ok:
        raise click.ClickException(f"共 {report.problem_count} 个问题，未导入任何内容。")
    verb = "校验通过（未导入）" if dry_run else "已导入"
    click.echo(f"{verb}：{report.rows} 行，新增 {report.created}，更新 {report.updated}，"
               f"未变 {report.unchanged}。")
