"""「打印任免审批表」: from the profile (size and 计算年龄时间 chosen) and from an agenda
item (its 拟任/拟免 and 任免理由, ages on the discussion's date).

The profile's form is for those who may produce dossiers (same guard and recusal
as the dossier); each print is audited. An agenda item's form follows the rules of
its dossier download: managers, and reviewers assigned to the discussion, never one
who must recuse themselves; each download is in the reading register and carries
the reader's watermark.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from kaohe.appform import services
from kaohe.appform.forms import PrintForm
from kaohe.audit.services import record_event
from kaohe.auth.permissions import P, can, guard, require
from kaohe.core.crud import official_or_404
from kaohe.core.downloads import attachment
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.services import access
from kaohe.discussions.watermark import reader_label, watermark
from kaohe.dossier.services import font_spec, now_local
from kaohe.extensions import db

bp = guard(Blueprint("appform", __name__), read=P.DOSSIER_GENERATE)
item_bp = Blueprint("appform_item", __name__)
BLUEPRINTS = (bp, item_bp)


@item_bp.before_request
def _guard():
    if current_user.is_authenticated and can(P.DISCUSSIONS_REVIEW):
        return  # further limited per discussion and item by access.*_or_403
    require(P.DISCUSSIONS_MANAGE)


def _pdf(data: bytes, name: str):
    return attachment(data, name)


@bp.get("/officials/<int:official_id>/appointment-form")
def official(official_id: int):
    """The form page; with its fields in the query, the PDF."""
    o = official_or_404(official_id)
    form = PrintForm(request.args if "size" in request.args else None)
    if "size" not in request.args:
        return render_template("appform/print.html", official=o, form=form)
    if form.validate():
        try:
            pdf = services.official_form(o, form.as_of.data, form.size.data,
                                         filled_by=current_user.name)
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        else:
            record_event("appointment_form_print", "official", o.id,
                         {"as_of": form.as_of.data.isoformat(), "size": form.size.data})
            db.session.commit()
            return _pdf(pdf, services.download_name(o, form.as_of.data, form.size.data))
    return render_template("appform/print.html", official=o, form=form), 422


@item_bp.get("/discussions/<int:discussion_id>/items/<int:item_id>/appointment-form.pdf")
def item(discussion_id: int, item_id: int):
    """The item's form (A4, or ``?size=B5``), stamped with the reader's name and time."""
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    size = request.args.get("size", "A4")
    pdf = services.item_form(it, size)  # another size: 422 with the reason
    at = now_local()
    # Stamped first: a refused stamp (a character no font draws: 422) is no download.
    pdf = watermark(pdf, reader_label(current_user.name, at.strftime("%Y-%m-%d %H:%M")),
                    font_spec())
    access.log("download", discussion, "干部任免审批表", item_id=it.id, official=it.official.name,
               size=size)
    db.session.commit()
    return _pdf(pdf, services.download_name(it.official, discussion.date, size))
