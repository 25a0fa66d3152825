"""「任免审批表信息」: the appointment-form facts of an official and the family.

Same access and recusal as the official's other records (P.OFFICIALS_WRITE,
:func:`~kaohe.core.crud.official_or_404`); edits are versioned and audited.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from kaohe.appform.data import family_of
from kaohe.appsheet import family
from kaohe.appsheet.forms import FamilyForm, SheetForm
from kaohe.appsheet.services import save_sheet
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import official_or_404, register_record_views, run_form
from kaohe.interop.lrmx_export import sheet_of
from kaohe.interop.models import FamilyMember

bp = guard(Blueprint("appsheet", __name__), read=P.OFFICIALS_WRITE)
family_bp = guard(Blueprint("family", __name__,
                            url_prefix="/officials/<int:official_id>/family"),
                  read=P.OFFICIALS_WRITE)
BLUEPRINTS = (bp, family_bp)


@bp.route("/officials/<int:official_id>/appointment-sheet", methods=["GET", "POST"])
def edit(official_id: int):
    official = official_or_404(official_id)
    sheet = sheet_of(official)
    record = sheet if sheet.id else None
    form = SheetForm(obj=record)
    if run_form(form, lambda: save_sheet(official, record, form.data_for_service()),
                record=record) is not None:
        flash("任免审批表信息已保存。", "success")
        return redirect(url_for("appsheet.edit", official_id=official.id))
    return render_template("appsheet/edit.html", form=form, official=official,
                           members=family_of(official.id), birth_text=family.birth_text)


register_record_views(family_bp, model=FamilyMember, form_cls=FamilyForm,
                      save=family.save_member, title="家庭成员", anchor="family",
                      template="appsheet/family_form.html", back="appsheet.edit")
