"""「按单位批量生成考评材料」: the form that queues a unit's batch (a background job)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import SubmitField
from wtforms.validators import DataRequired, InputRequired

from kaohe.auth.permissions import P, guard
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.core.forms import BaseForm, ChineseDateField
from kaohe.dossier import batch_job
from kaohe.units.forms import UnitSelectField

bp = guard(Blueprint("dossier_batch", __name__, url_prefix="/dossiers/batch"),
           read=P.DOSSIER_GENERATE)


class BatchForm(BaseForm):
    unit_id = UnitSelectField("单位", blank="请选择", validators=[InputRequired("请选择单位。")],
                              description="该单位及其下级单位的全部干部（须回避的除外）")
    as_of = ChineseDateField("材料截止日期", default=clock.today,
                             validators=[DataRequired("请填写材料截止日期。")],
                             description="考评年度为该日期之前的完整年度")
    submit = SubmitField("批量生成")


@bp.route("/", methods=["GET", "POST"])
def new():
    form = BatchForm()
    job = run_form(form, lambda: batch_job.submit_batch(form.unit_id.data, form.as_of.data))
    if job is None:
        return render_template("dossier/batch.html", form=form)
    flash("已提交，正在后台生成考评材料；完成后可在本页下载。", "info")
    return redirect(url_for("jobs.show", job_id=job.id))
