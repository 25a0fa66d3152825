"""Unit tree pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from kaohe.assessments import quota
from kaohe.assessments import quota_views
from kaohe.auth.permissions import P, can, guard
from kaohe.core.crud import run_form
from kaohe.extensions import db
from kaohe.units import services
from kaohe.units.forms import UnitForm
from kaohe.units.models import Unit

bp = guard(Blueprint("units", __name__, url_prefix="/units"), read=P.UNITS_READ)
edit_bp = guard(Blueprint("edit", __name__), read=P.UNITS_WRITE)


@bp.route("/")
def index():
    return render_template("units/index.html", rows=services.tree())


@bp.route("/<int:unit_id>")
def show(unit_id: int):
    """The unit, and for readers of officials its 优秀 quota per year."""
    unit = db.get_or_404(Unit, unit_id, description="单位不存在。")
    usages = quota.usage_by_year(unit.id) if can(P.OFFICIALS_READ) else None
    return render_template("units/show.html", unit=unit, usages=usages,
                           base_label=quota.setting_label(quota.BASE_PCT),
                           approved_label=quota.setting_label(quota.APPROVED_PCT))


def _edit(unit: Unit | None):
    form = UnitForm(obj=unit)
    saved = run_form(form, lambda: services.save_unit(unit, form.data_for_service()),
                     record=unit)
    if saved is not None:
        flash("单位已保存。", "success")
        return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=unit)


@edit_bp.route("/new", methods=["GET", "POST"])
def new():
    return _edit(None)


@edit_bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit(unit_id: int):
    return _edit(db.get_or_404(Unit, unit_id))


bp.register_blueprint(edit_bp)
bp.register_blueprint(quota_views.bp)
