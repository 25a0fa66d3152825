"""Entering targets/actuals, public ratings, bonus/deduction events and interviews.

Every write checks the scheme is published (scores only exist against fixed rules),
the unit belongs to the scheme's group and the indicator to the scheme; a refused input
raises ValidationFailed and nothing is saved.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import (EVENT_KINDS, Indicator, IndicatorResult, Interview,
                                     PublicRating, Scheme, ScoreEvent)
from kaohe.unitassess.services.scheme import parse_grade_map
from kaohe.unitassess.services.scoring import round_end
from kaohe.units.models import Unit


def ensure_scorable(scheme: Scheme) -> None:
    if not scheme.is_published:
        raise ValidationFailed(f"{scheme.year} 年{scheme.group_label}考核方案尚未发布，"
                               "规则未确定前不能录入考核数据；请先发布方案。")


def _unit_in_group(scheme: Scheme, unit_id, errors: dict, field: str = "unit_id") -> Unit | None:
    unit = db.session.get(Unit, unit_id or 0)
    if unit is None or unit.deleted_at is not None:
        errors[field] = "请选择单位。"
        return None
    if unit.kind != scheme.group:
        errors[field] = f"「{unit.name}」不属于{scheme.group_label}考核组，不能按本方案考核。"
    return unit


def _round(errors: dict, value) -> None:
    if not value:
        errors["round"] = "请选择考核轮次。"
    elif value not in ROUNDS:
        errors["round"] = "考核轮次应为 半年 / 前三季度 / 全年。"


def value_errors(indicator: Indicator, data: dict) -> dict[str, str]:
    """The rules of an indicator's values (field → message): a 定性 indicator takes one of
    its grades; others a non-negative actual; 完成率 indicators also a target above 0;
    counted in 人, 个, 项… (:attr:`Indicator.counts_whole`) whole numbers."""
    errors: dict[str, str] = {}
    if indicator.method == "grade":
        grades = parse_grade_map(indicator.grade_map)
        if (data.get("grade") or "") not in grades:
            errors["grade"] = f"定性指标须选择等次：{'、'.join(grades)}。"
        return errors
    actual, target = data.get("actual"), data.get("target")
    if actual is None:
        errors["actual"] = "请填写实际完成值。"
    elif actual < 0:
        errors["actual"] = "实际完成值不能为负数。"
    if indicator.method == "ratio" and (target is None or target <= 0):
        errors["target"] = "完成率指标须填写大于 0 的目标值。"
    if indicator.counts_whole:
        unit = indicator.unit_label.strip()
        for field, value, label in (("actual", actual, "实际完成值"), ("target", target, "目标值")):
            if field not in errors and value is not None and value % 1:
                errors[field] = f"计量单位为「{unit}」，{label}须为整数。"
    return errors


def save_result(scheme: Scheme, result: IndicatorResult | None, data: dict) -> IndicatorResult:
    ensure_scorable(scheme)
    errors: dict[str, str] = {}
    _unit_in_group(scheme, data.get("unit_id"), errors)
    _round(errors, data.get("round"))
    indicator = db.session.get(Indicator, data.get("indicator_id") or 0)
    if not data.get("indicator_id"):
        errors["indicator_id"] = "请选择指标。"
    elif indicator is None or indicator.scheme_id != scheme.id:
        errors["indicator_id"] = "该指标不在本考核方案中，不能录入（方案外指标不计分）。"
    else:
        errors.update(value_errors(indicator, data))
    if not errors:
        stmt = select(IndicatorResult.id).where(
            IndicatorResult.indicator_id == indicator.id,
            IndicatorResult.unit_id == data["unit_id"], IndicatorResult.round == data["round"])
        if result is not None:
            stmt = stmt.where(IndicatorResult.id != result.id)
        if db.session.scalar(stmt) is not None:
            errors["indicator_id"] = (f"该单位「{indicator.name}」{ROUNDS[data['round']]}"
                                      "考核数据已录入，不能重复录入；如需更正请修改原记录。")
    records.raise_if(errors)
    data = dict(data)
    if indicator.method != "grade":
        data["grade"] = ""
    data["note"] = (data.get("note") or "").strip()
    return records.save(IndicatorResult, result, data, scheme_id=scheme.id)


def save_rating(scheme: Scheme, rating: PublicRating | None, data: dict) -> PublicRating:
    ensure_scorable(scheme)
    errors: dict[str, str] = {}
    _unit_in_group(scheme, data.get("unit_id"), errors)
    _round(errors, data.get("round"))
    score = data.get("score")
    if score is None or not 0 <= score <= 100:
        errors["score"] = "民评官成绩应在 0 到 100 分之间。"
    if not errors:
        stmt = select(PublicRating.id).where(
            PublicRating.scheme_id == scheme.id, PublicRating.unit_id == data["unit_id"],
            PublicRating.round == data["round"])
        if rating is not None:
            stmt = stmt.where(PublicRating.id != rating.id)
        if db.session.scalar(stmt) is not None:
            errors["unit_id"] = "该单位本轮民评官成绩已录入，不能重复录入。"
    records.raise_if(errors)
    return records.save(PublicRating, rating, data, scheme_id=scheme.id)


def save_event(scheme: Scheme, ev: ScoreEvent | None, data: dict,
               today: dt.date | None = None) -> ScoreEvent:
    ensure_scorable(scheme)
    errors: dict[str, str] = {}
    _unit_in_group(scheme, data.get("unit_id"), errors)
    if data.get("kind") not in EVENT_KINDS:
        errors["kind"] = "请选择加减分类型。"
    date = data.get("date")
    if date is None or date.year != scheme.year:
        errors["date"] = f"日期应在 {scheme.year} 年内（加减分计入该年度考核）。"
    else:
        records.not_in_future(errors, "date", date, today)
    points = data.get("points")
    if points is None or not Decimal("0") < points <= Decimal("50"):
        errors["points"] = "分值应大于 0 且不超过 50 分（填写正数，加减由类型决定）。"
    if not (data.get("reason") or "").strip():
        errors["reason"] = "加减分必须写明事由（加分加得清清楚楚，扣分扣得明明白白）。"
    if not (data.get("evidence") or "").strip():
        errors["evidence"] = "请填写依据（文件文号、通报名称等）。"
    records.raise_if(errors)
    data = dict(data, reason=data["reason"].strip(), evidence=data["evidence"].strip())
    return records.save(ScoreEvent, ev, data, scheme_id=scheme.id)


def save_interview(scheme: Scheme, unit: Unit, round_: str, data: dict,
                   today: dt.date | None = None) -> Interview:
    errors: dict[str, str] = {}
    ensure_scorable(scheme)
    _round(errors, round_)
    if unit.kind != scheme.group:
        errors["_"] = "该单位不属于本考核组。"
    if not (data.get("leader_name") or "").strip():
        errors["leader_name"] = "请填写被约谈的主要负责人姓名。"
    if data.get("date") is None:
        errors["date"] = "请填写约谈日期。"
    elif "round" not in errors and data["date"] <= round_end(scheme.year, round_):
        # An interview is about a round's result, which exists only once the round is over.
        end = round_end(scheme.year, round_)
        errors["date"] = (f"约谈日期应在{scheme.year} 年{ROUNDS[round_]}考核结束"
                          f"（{end.isoformat()}）之后：约谈针对的是该轮的考核结果。")
    else:
        records.not_in_future(errors, "date", data["date"], today)
    if not (data.get("notes") or "").strip():
        errors["notes"] = "请填写约谈情况记录。"
    records.raise_if(errors)
    data = dict(data, leader_name=data["leader_name"].strip())
    return records.save(Interview, None, data, scheme_id=scheme.id, unit_id=unit.id,
                        round=round_)
