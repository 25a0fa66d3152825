"""The admin's holiday calendar (节假日与调休) used by the 任前公示's working days."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kaohe.auth.permissions import P, guard
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.extensions import db
from kaohe.moves.forms import HolidayForm
from kaohe.moves.models import Holiday
from kaohe.moves.services import holidays

bp = guard(Blueprint("holidays", __name__, url_prefix="/admin/holidays"),
           read=P.SETTINGS_MANAGE)


def _year() -> int:
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else clock.today().year
    return min(max(year, dt.MINYEAR), dt.MAXYEAR)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = HolidayForm()
    made = run_form(form, lambda: holidays.save_holiday(form.data_for_service()))
    if made is not None:
        flash(f"已添加 {made.day.isoformat()}（{made.kind_label}）。", "success")
        return redirect(url_for("holidays.index", year=made.day.year))
    year = form.day.data.year if form.day.data else _year()
    return render_template("moves/holidays.html", form=form, year=year,
                           rows=holidays.listing(year))


@bp.post("/<int:holiday_id>/delete")
def delete(holiday_id: int):
    found = db.session.get(Holiday, holiday_id)
    if found is None:
        abort(404)
    holidays.delete_holiday(found)
    db.session.commit()
    flash(f"已删除 {found.day.isoformat()}。", "info")
    return redirect(url_for("holidays.index", year=found.day.year))
