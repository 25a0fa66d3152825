"""Dossier pages: generate (「生成考评材料」), list an official's dossiers, download."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from kaohe.core import clock
from kaohe.audit.services import record_event
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import official_or_404, run_form
from kaohe.core.downloads import attachment
from kaohe.dossier import services
from kaohe.dossier.forms import DossierForm
from kaohe.dossier.models import Dossier
from kaohe.extensions import db

bp = guard(Blueprint("dossier", __name__), read=P.DOSSIER_GENERATE)


@bp.app_template_global()
def dossier_today() -> str:
    """Default as-of date of the 「生成考评材料」 form on the profile."""
    return clock.today().isoformat()


def _page(official, form):
    return render_template("dossier/index.html", official=official, form=form,
                           dossiers=services.dossiers_of(official.id))


@bp.get("/officials/<int:official_id>/dossiers")
def index(official_id: int):
    return _page(official_or_404(official_id), DossierForm())


@bp.post("/officials/<int:official_id>/dossiers")
def generate(official_id: int):
    official = official_or_404(official_id)
    form = DossierForm()
    made = run_form(form, lambda: services.generate(official.id, form.as_of.data,
                                                    current_user.id))
    if made is None:
        return _page(official, form)
    flash(f"考评材料已生成，材料编号 {made.number}。", "success")
    return redirect(url_for("dossier.index", official_id=official.id, _anchor=f"d{made.id}"))


@bp.get("/dossiers/<int:dossier_id>/download")
def download(dossier_id: int):
    dossier = db.get_or_404(Dossier, dossier_id)
    official_or_404(dossier.official_id)  # recusal (回避) and deleted officials
    name = dossier.snapshot["official"]["name"]
    record_event("dossier_download", "dossier", dossier.id,
                 {"official_id": dossier.official_id, "number": dossier.number})
    db.session.commit()
    return attachment(dossier.pdf, f"干部考评材料_{name}_{dossier.number}.pdf")
