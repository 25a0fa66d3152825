"""Imports and exports of the unit assessment (考核办) and discipline (纪委监委) areas.

Each area has its own guard: the unit-indicator import needs
``UNITASSESS_WRITE`` (assessment role), the ranking export ``UNITASSESS_READ``
(the ranking page's readers), the findings import ``DISCIPLINE_WRITE``
(discipline role only). The publication list is exported by the unit
assessment itself (``unitassess.publication_xlsx``); this page links to it.
"""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from kaohe.auth.permissions import P, guard
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.interop import excel_export
from kaohe.interop.import_page import import_response, template_response
from kaohe.interop.forms import XlsxImportForm
from kaohe.interop.sheets import SHEETS

ua_bp = guard(Blueprint("interop_ua", __name__, url_prefix="/interop/unit-assessment"),
              read=P.UNITASSESS_READ)
ua_edit_bp = guard(Blueprint("edit", __name__), read=P.UNITASSESS_WRITE)
discipline_bp = guard(Blueprint("interop_discipline", __name__, url_prefix="/interop/discipline"),
                      read=P.DISCIPLINE_WRITE)


@ua_bp.get("/schemes/<int:scheme_id>/<round_>/ranking.xlsx")
def export_ranking(scheme_id: int, round_: str):
    """The ranking page of a round as an Excel file."""
    from kaohe.unitassess.services.data import load_round
    from kaohe.unitassess.views import round_or_404, scheme_or_404

    rr = load_round(scheme_or_404(scheme_id), round_or_404(round_))
    s = rr.scheme
    return excel_export.download_response(
        excel_export.ranking(rr), f"{s.year}年{s.group_label}{rr.round_label}排名_{utcnow():%Y%m%d}.xlsx")


def _ua_page(form=None):
    from kaohe.unitassess.models import Scheme
    from kaohe.unitassess.services.data import rounds_with_data

    from kaohe.unitassess import ROUNDS

    schemes = db.session.scalars(select(Scheme).where(Scheme.status == "published")
                                 .order_by(Scheme.year.desc(), Scheme.group)).all()
    rounds = [(s, r, ROUNDS[r]) for s in schemes for r in rounds_with_data(s)]
    return render_template("interop/area.html", sheet=SHEETS["indicators"],
                           form=form or XlsxImportForm(prefix="indicators"),
                           template_url="interop_ua.edit.template",
                           import_url="interop_ua.edit.import_xlsx", index_url="interop_ua.edit.index",
                           rounds=rounds)


@ua_edit_bp.get("/")
def index():
    return _ua_page()


@ua_edit_bp.get("/template")
def template():
    return template_response("indicators")


@ua_edit_bp.post("/import")
def import_xlsx():
    """Check every row of the uploaded unit indicator actuals, then import all or nothing."""
    return import_response("indicators", lambda form: _ua_page(form), "interop_ua.edit.index")


def _discipline_page(form=None):
    return render_template("interop/area.html", sheet=SHEETS["findings"],
                           form=form or XlsxImportForm(prefix="findings"),
                           template_url="interop_discipline.template",
                           import_url="interop_discipline.import_xlsx",
                           index_url="interop_discipline.index")


@discipline_bp.get("/", endpoint="index")
def discipline_index():
    return _discipline_page()


@discipline_bp.get("/template", endpoint="template")
def discipline_template():
    return template_response("findings")


@discipline_bp.post("/import", endpoint="import_xlsx")
def discipline_import():
    """Check every row of the uploaded findings, then import all or nothing."""
    return import_response("findings", lambda form: _discipline_page(form),
                           "interop_discipline.index")


ua_bp.register_blueprint(ua_edit_bp)
BLUEPRINTS = (ua_bp, discipline_bp)
