"""LRMX export: the 报送前校验 page and the download (the import is on the import page)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from kaohe.auth.permissions import P, can
from kaohe.core import clock
from kaohe.core.crud import official_or_404
from kaohe.core.downloads import attachment
from kaohe.interop.forms import LrmxExportForm
from kaohe.interop import lrmx_export
from kaohe.interop.lrmx_check import check_fields
from kaohe.interop.views import bp

LRMX_MIME = "application/xml"


def download_name(official) -> str:
    return f"{official.name}_干部任免审批表.lrmx"


def _as_of_form() -> tuple[LrmxExportForm, bool]:
    form = LrmxExportForm(request.args)
    return form, form.validate() if request.args else True


@bp.get("/officials/<int:official_id>/lrmx")
def lrmx_page(official_id: int):
    """报送前校验: the form's problems against the specification, then the download."""
    official = official_or_404(official_id)
    form, valid = _as_of_form()
    as_of = ((form.as_of.data if valid else None)
             or lrmx_export.sheet_of(official).age_reference_date or clock.today())
    fields, members = lrmx_export.export_fields(official, full_id=can(P.ID_NUMBER_FULL),
                                                as_of=as_of, filled_by=current_user.name)
    return render_template("interop/lrmx_export.html", official=official, form=form,
                           as_of=as_of, problems=check_fields(fields, members),
                           fields=fields), (200 if valid else 422)


@bp.get("/officials/<int:official_id>.lrmx")
def export_lrmx(official_id: int):
    """The official's 干部任免审批表 as an LRMX file."""
    official = official_or_404(official_id)
    form, valid = _as_of_form()
    if not valid:
        return render_template("interop/lrmx_export.html", official=official, form=form,
                               as_of=None, problems=None, fields=None), 422
    data = lrmx_export.export_lrmx(official, full_id=can(P.ID_NUMBER_FULL),
                                   as_of=form.as_of.data, filled_by=current_user.name)
    return attachment(data, download_name(official), LRMX_MIME)
