"""The indicator grid page: a round's actuals for every unit × indicator (keyboard, paste
from Excel), saved all or nothing through :mod:`kaohe.unitassess.services.grid`."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for

from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.edit_views import edit_bp
from kaohe.unitassess.services import data, grid
from kaohe.unitassess.services.scheme import parse_grade_map
from kaohe.unitassess.views import round_or_404, scheme_or_404

CELL = re.compile(r"^c-(\d{1,9})-(\d{1,9})$")
MAX_CELLS = 50_000


def hint(indicator) -> str:
    if indicator.method == "grade":
        try:
            return "等次：" + "/".join(parse_grade_map(indicator.grade_map))
        except ValueError:
            return "等次"
    if indicator.method == "ratio":
        return "实际/目标" + (f"（{indicator.unit_label}）" if indicator.unit_label else "")
    return "实际值，单位间排名" + (f"（{indicator.unit_label}）" if indicator.unit_label else "")


@edit_bp.route("/schemes/<int:scheme_id>/<round_>/grid", methods=["GET", "POST"])
def grid_page(scheme_id: int, round_: str):
    """Every unit × indicator of a round on one page."""
    s = scheme_or_404(scheme_id)
    round_ = round_or_404(round_)
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        cells = {}
        for name, value in request.form.items():
            m = CELL.match(name)
            if m:
                cells[(int(m.group(1)), int(m.group(2)))] = value
                typed[name] = value
        try:
            if len(cells) > MAX_CELLS:
                raise ValidationFailed(f"一次最多保存 {MAX_CELLS} 个单元格。", "grid")
            saved = grid.save_grid(s, round_, cells)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            if saved.created or saved.updated:
                flash(f"已保存：新增 {saved.created} 项，修改 {saved.updated} 项"
                      f"（未改动 {saved.unchanged} 项）。", "success")
            else:
                flash("没有修改任何单元格，未保存新内容。", "info")
            return redirect(url_for("unitassess.edit.grid_page", scheme_id=s.id, round_=round_))
    units = data.group_units(s.group)
    indicators = list(s.indicators)
    recorded = grid.existing(s, round_)
    values = {grid.cell_name(u.id, i.id): grid.display(i, recorded.get((u.id, i.id)))
              for u in units for i in indicators}
    named = {grid.cell_name(u.id, i.id): f"{u.name} · {i.name}" for u in units for i in indicators}
    return render_template("unitassess/grid.html", scheme=s, round=round_, rounds=ROUNDS,
                           units=units, indicators=indicators, values=values, typed=typed,
                           errors=errors, named=named, hint=hint, cell=grid.cell_name)
