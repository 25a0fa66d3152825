"""Write pages of the assessment office (考核办) and the organization's interviews (约谈)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from kaohe.core import clock
from kaohe.auth.permissions import P, guard, is_recused
from kaohe.core.crud import run_form
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import choice_list
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.forms import (CategoryForm, CopyForm, EventForm, IndicatorForm,
                                    InterviewForm, RatingForm, ResultForm, SchemeForm)
from kaohe.unitassess.models import (Category, Indicator, IndicatorResult, PublicRating,
                                     ScoreEvent)
from kaohe.unitassess.services import data, entry, scheme as svc
from kaohe.unitassess.views import bp, round_or_404, scheme_or_404, unit_in_scheme_or_404

edit_bp = guard(Blueprint("edit", __name__), read=P.UNITASSESS_WRITE)
interview_bp = guard(Blueprint("interview", __name__), read=P.UNITASSESS_INTERVIEW)


def _to_scheme(s, anchor=None):
    return redirect(url_for("unitassess.scheme", scheme_id=s.id, _anchor=anchor))


def _warn_if_frozen(s, form):
    """A published scheme's forms still render, saying up front that saving is refused."""
    if s is not None and s.is_published and request.method == "GET":
        form.form_errors.append(svc.frozen_message(s))


def _post_action(s, action, done: str, anchor=None):
    try:
        action()
        db.session.commit()
        flash(done, "success")
    except ValidationFailed as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
    return _to_scheme(s, anchor)


# ---------------------------------------------------------------- schemes
@edit_bp.route("/schemes/new", methods=["GET", "POST"])
@edit_bp.route("/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
def scheme_form(scheme_id: int | None = None):
    s = scheme_or_404(scheme_id) if scheme_id else None
    form = SchemeForm(obj=s)
    _warn_if_frozen(s, form)
    if s is None and request.method == "GET":
        form.year.data = clock.today().year
        form.public_weight.data = settings.get("unitassess.public_weight_default")
        form.total_points.data = 100
    saved = run_form(form, lambda: svc.save_scheme(s, form.data_for_service()), record=s)
    if saved is not None:
        flash("考核方案已保存（草案）。", "success")
        return _to_scheme(saved)
    return render_template("unitassess/form.html", form=form, scheme=s,
                           title="修改考核方案" if s else "新建考核方案")


@edit_bp.route("/schemes/<int:scheme_id>/copy", methods=["GET", "POST"])
def copy(scheme_id: int):
    s = scheme_or_404(scheme_id)
    form = CopyForm()
    if request.method == "GET":
        form.year.data = s.year + 1
    saved = run_form(form, lambda: svc.copy_scheme(s, form.year.data))
    if saved is not None:
        flash(f"已按 {s.year} 年方案生成 {saved.year} 年方案草案，可修改后发布。", "success")
        return _to_scheme(saved)
    return render_template("unitassess/form.html", form=form, scheme=s,
                           title=f"复制 {s.year} 年{s.group_label}方案为新年度草案")


@edit_bp.post("/schemes/<int:scheme_id>/publish")
def publish(scheme_id: int):
    s = scheme_or_404(scheme_id)
    return _post_action(s, lambda: svc.publish(s), "方案已发布并锁定，年度内不得修改。")


# ---------------------------------------------------------------- categories / indicators
@edit_bp.route("/schemes/<int:scheme_id>/categories/new", methods=["GET", "POST"])
def category_form(scheme_id: int):
    s = scheme_or_404(scheme_id)
    form = CategoryForm()
    _warn_if_frozen(s, form)
    if run_form(form, lambda: svc.save_category(s, None, form.data_for_service())) is not None:
        flash("类别已添加。", "success")
        return _to_scheme(s, "indicators")
    return render_template("unitassess/form.html", form=form, scheme=s, title="新增指标类别")


@edit_bp.post("/schemes/<int:scheme_id>/categories/<int:category_id>/delete")
def category_delete(scheme_id: int, category_id: int):
    s = scheme_or_404(scheme_id)
    c = db.get_or_404(Category, category_id)
    if c.scheme_id != s.id:
        abort(404)
    return _post_action(s, lambda: svc.delete_category(s, c), "类别已删除。", "indicators")


@edit_bp.route("/schemes/<int:scheme_id>/indicators/new", methods=["GET", "POST"])
@edit_bp.route("/schemes/<int:scheme_id>/indicators/<int:indicator_id>/edit",
               methods=["GET", "POST"])
def indicator_form(scheme_id: int, indicator_id: int | None = None):
    s = scheme_or_404(scheme_id)
    ind = db.get_or_404(Indicator, indicator_id) if indicator_id else None
    if ind is not None and ind.scheme_id != s.id:
        abort(404)
    form = IndicatorForm(obj=ind)
    _warn_if_frozen(s, form)
    form.category_id.choices = choice_list((c.id, c.name) for c in s.categories)
    if run_form(form, lambda: svc.save_indicator(s, ind, form.data_for_service()),
                record=ind) is not None:
        flash("指标已保存。", "success")
        return _to_scheme(s, "indicators")
    return render_template("unitassess/form.html", form=form, scheme=s,
                           title="修改指标" if ind else "新增指标")


@edit_bp.post("/schemes/<int:scheme_id>/indicators/<int:indicator_id>/delete")
def indicator_delete(scheme_id: int, indicator_id: int):
    s = scheme_or_404(scheme_id)
    ind = db.get_or_404(Indicator, indicator_id)
    if ind.scheme_id != s.id:
        abort(404)
    return _post_action(s, lambda: svc.delete_indicator(s, ind), "指标已删除。", "indicators")


# ---------------------------------------------------------------- scores
def _unit_choices(s):
    # A blank first option: the first unit of the list is never recorded by default.
    return choice_list(((u.id, f"{u.name}（{u.code}）") for u in data.group_units(s.group)),
                       "请选择")


@edit_bp.route("/schemes/<int:scheme_id>/entry", methods=["GET", "POST"])
def entry_page(scheme_id: int):
    """Targets/actuals, public ratings and bonus/deduction events of a published scheme."""
    s = scheme_or_404(scheme_id)
    which = request.form.get("form") if request.method == "POST" else None
    forms = {"result": ResultForm(prefix="r", formdata=None if which != "result" else request.form),
             "rating": RatingForm(prefix="p", formdata=None if which != "rating" else request.form),
             "event": EventForm(prefix="e", formdata=None if which != "event" else request.form)}
    units = _unit_choices(s)
    for f in forms.values():
        f.unit_id.choices = units
    forms["result"].indicator_id.choices = choice_list(
        ((i.id, f"{i.code} {i.name}（{svc.fmt(i.max_points)} 分）") for i in s.indicators),
        "请选择")
    if not s.is_published:
        flash(f"{s.year} 年{s.group_label}考核方案尚未发布，规则未确定前不能录入考核数据。", "error")
    savers = {"result": entry.save_result, "rating": entry.save_rating, "event": entry.save_event}
    if which in forms:
        f = forms[which]
        if run_form(f, lambda: savers[which](s, None, f.data_for_service())) is not None:
            flash("已保存。", "success")
            return redirect(url_for("unitassess.edit.entry_page", scheme_id=s.id,
                                    round=request.args.get("round", "full")))
    round_ = request.args.get("round", "full")
    round_ = round_ if round_ in ROUNDS else "full"
    results = db.session.scalars(
        select(IndicatorResult).where(IndicatorResult.scheme_id == s.id,
                                      IndicatorResult.round == round_)
        .order_by(IndicatorResult.unit_id, IndicatorResult.indicator_id).limit(500)).all()
    ratings = db.session.scalars(select(PublicRating).where(
        PublicRating.scheme_id == s.id, PublicRating.round == round_)).all()
    events = db.session.scalars(select(ScoreEvent).where(ScoreEvent.scheme_id == s.id)
                                .order_by(ScoreEvent.date.desc())).all()
    return render_template("unitassess/entry.html", scheme=s, forms=forms, round=round_,
                           results=results, ratings=ratings, events=events)


@edit_bp.post("/schemes/<int:scheme_id>/<kind>/<int:item_id>/delete")
def item_delete(scheme_id: int, kind: str, item_id: int):
    s = scheme_or_404(scheme_id)
    model = {"results": IndicatorResult, "ratings": PublicRating, "events": ScoreEvent}.get(kind)
    if model is None:
        abort(404)
    item = db.get_or_404(model, item_id)
    if item.scheme_id != s.id:
        abort(404)
    item.soft_delete()
    db.session.commit()
    flash("已删除（删除记录保留在审计日志中）。", "info")
    return redirect(url_for("unitassess.edit.entry_page", scheme_id=s.id))


# ---------------------------------------------------------------- interviews (organization)
@interview_bp.route("/schemes/<int:scheme_id>/<round_>/units/<int:unit_id>/interviews/new",
                    methods=["GET", "POST"])
def interview_form(scheme_id: int, round_: str, unit_id: int):
    s = scheme_or_404(scheme_id)
    round_or_404(round_)
    unit = unit_in_scheme_or_404(s, unit_id)
    form = InterviewForm()
    on = min(clock.today(), data.scoring.round_end(s.year, round_))
    leader = data.principal_leader(unit.id, on)
    if leader is not None and is_recused(leader.id):
        abort(403)  # 回避: nobody records an interview of themselves or a relative
    if request.method == "GET":
        row = data.load_round(s, round_).row_for(unit.id)
        form.leader_name.data = leader.name if leader else ""
        form.reason.data = "；".join(row.flags) if row else ""
        form.date.data = clock.today()

    def save():
        payload = form.data_for_service()
        if leader is not None and (payload.get("leader_name") or "").strip() == leader.name:
            payload["official_id"] = leader.id
        return entry.save_interview(s, unit, round_, payload)

    if run_form(form, save) is not None:
        flash("约谈记录已保存。", "success")
        return redirect(url_for("unitassess.breakdown", scheme_id=s.id, round_=round_,
                                unit_id=unit.id, _anchor="interviews"))
    return render_template("unitassess/form.html", form=form, scheme=s,
                           title=f"记录约谈：{unit.name}（{ROUNDS[round_]}）")


bp.register_blueprint(edit_bp)
bp.register_blueprint(interview_bp)
