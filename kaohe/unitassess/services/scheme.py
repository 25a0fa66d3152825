"""Schemes: draft editing, weight check, publication (freeze) and copy to a new year.

Publishing copies every rule figure from the settings into the scheme (figures.py).
A published scheme is read-only. The services refuse changes with FROZEN_MESSAGE, and a
``before_flush`` hook refuses any ORM write to a published scheme, its categories or its
indicators, so no view, CLI or script can slip past the freeze.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from kaohe.audit.services import current_actor
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.unitassess.models import GROUPS, METHODS, Category, Indicator, Scheme
from kaohe.unitassess.services import figures

FROZEN_MESSAGE = ("规则已在年初确定，年中不得修改：{year} 年{group}考核方案已发布锁定"
                  "（赛前定规则，赛中不任意修改）。如需调整，请在下一年度方案中进行。")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def frozen_message(scheme: Scheme) -> str:
    return FROZEN_MESSAGE.format(year=scheme.year, group=scheme.group_label)


def ensure_draft(scheme: Scheme) -> None:
    if scheme.is_published:
        raise ValidationFailed(frozen_message(scheme))


def _d(value) -> Decimal:
    return Decimal(str(value if value is not None else 0))


def fmt(value) -> str:
    """12.50 → "12.5", 90.00 → "90"; a zero is "0", never "-0" (no deduction is −0.0)."""
    text = f"{_d(value):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


# ---------------------------------------------------------------- weights
def weight_error(scheme: Scheme) -> str | None:
    """Chinese message when indicator points + public-rating weight ≠ total, else None."""
    indicators = sum((_d(i.max_points) for i in scheme.indicators), Decimal(0))
    public = _d(scheme.public_weight)
    total = _d(scheme.total_points)
    if not scheme.indicators:
        return "方案尚无任何指标，不能发布。"
    if indicators + public != total:
        diff = indicators + public - total
        return (f"权重合计不等于满分：各项指标分值合计 {fmt(indicators)} 分 + 民评官权重 "
                f"{fmt(public)} 分 = {fmt(indicators + public)} 分，应为 {fmt(total)} 分"
                f"（{'多' if diff > 0 else '少'} {fmt(abs(diff))} 分）。")
    return None


def category_totals(scheme: Scheme) -> list[tuple[Category, Decimal, list[Indicator]]]:
    rows = []
    for c in scheme.categories:
        items = [i for i in scheme.indicators if i.category_id == c.id]
        rows.append((c, sum((_d(i.max_points) for i in items), Decimal(0)), items))
    return rows


# ---------------------------------------------------------------- schemes
def _check_scheme(data: dict, scheme_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    year = data.get("year")
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = f"年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间。"
    if data.get("group") not in GROUPS:
        errors["group"] = "请选择考核组（单位类型）。"
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写方案名称。"
    pw = data.get("public_weight")
    if pw is None or not 0 <= _d(pw) <= 100:
        errors["public_weight"] = "民评官权重应在 0 到 100 分之间。"
    tp = data.get("total_points")
    if tp is not None and not 0 < _d(tp) <= 1000:
        errors["total_points"] = "满分应大于 0。"
    if not errors:
        stmt = select(Scheme.id).where(Scheme.year == year, Scheme.group == data["group"])
        if scheme_id:
            stmt = stmt.where(Scheme.id != scheme_id)
        if db.session.scalar(stmt) is not None:
            errors["year"] = f"{year} 年{GROUPS[data['group']]}考核方案已存在，每年每组只能有一个方案。"
    return errors


def save_scheme(scheme: Scheme | None, data: dict) -> Scheme:
    if scheme is not None:
        ensure_draft(scheme)
    data = dict(data)
    if data.get("public_weight") is None and scheme is None:
        data["public_weight"] = settings.get("unitassess.public_weight_default")
    if data.get("total_points") is None:
        data["total_points"] = Decimal(100)
    errors = _check_scheme(data, scheme.id if scheme else None)
    if errors:
        raise ValidationFailed(errors)
    scheme = scheme or Scheme(status="draft")
    for key in ("year", "group", "name", "public_weight", "total_points", "note"):
        if key in data:
            setattr(scheme, key, data[key] if key != "name" else data[key].strip())
    db.session.add(scheme)
    db.session.flush()
    return scheme


def publish(scheme: Scheme) -> Scheme:
    ensure_draft(scheme)
    problem = weight_error(scheme)
    if problem:
        raise ValidationFailed(problem)
    empty = [c.name for c, _, items in category_totals(scheme) if not items]
    if empty:
        raise ValidationFailed(f"类别「{'、'.join(empty)}」下没有指标，请删除该类别或补充指标后再发布。")
    figures.freeze(scheme)  # the settings of today are the rules of the year
    scheme.status = "published"
    scheme.published_at = utcnow()
    scheme.published_by = current_actor()[1]
    db.session.flush()
    return scheme


def copy_scheme(source: Scheme, year: int) -> Scheme:
    """A new draft for ``year`` with the categories and indicators of ``source``."""
    new = save_scheme(None, {
        "year": year, "group": source.group,
        "name": source.name.replace(str(source.year), str(year)) if str(source.year) in source.name
        else f"{year} 年{source.group_label}目标责任考核方案",
        "public_weight": source.public_weight, "total_points": source.total_points,
        "note": f"复制自 {source.year} 年方案。"})
    new.copied_from_id = source.id
    mapping = {}
    for c in source.categories:
        nc = Category(scheme_id=new.id, name=c.name, sort_order=c.sort_order)
        db.session.add(nc)
        db.session.flush()
        mapping[c.id] = nc.id
    for i in source.indicators:
        db.session.add(Indicator(
            scheme_id=new.id, category_id=mapping[i.category_id], code=i.code, name=i.name,
            max_points=i.max_points, method=i.method, higher_is_better=i.higher_is_better,
            floor_ratio=i.floor_ratio, cap_ratio=i.cap_ratio, grade_map=i.grade_map,
            unit_label=i.unit_label, sort_order=i.sort_order))
    db.session.flush()
    db.session.expire(new)
    return new


# ---------------------------------------------------------------- categories / indicators
def save_category(scheme: Scheme, category: Category | None, data: dict) -> Category:
    ensure_draft(scheme)
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("请填写类别名称。", "name")
    if any(c.name == name and c is not category for c in scheme.categories):
        raise ValidationFailed(f"类别「{name}」已存在。", "name")
    category = category or Category(scheme_id=scheme.id)
    category.name = name
    category.sort_order = data.get("sort_order") or 0
    db.session.add(category)
    db.session.flush()
    db.session.expire(scheme, ["categories"])
    return category


def parse_grade_map(text: str) -> dict[str, float]:
    """"优=1;良=0.85" → {"优": 1.0, "良": 0.85}; raises ValueError with a Chinese message."""
    result: dict[str, float] = {}
    for part in (text or "").replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            frac = float(value)
        except ValueError:
            raise ValueError(f"等次折算「{part}」格式不正确，应为 等次=比例，例如 优=1;良=0.85。") from None
        if not sep or not name.strip() or not 0 <= frac <= 1:
            raise ValueError(f"等次折算「{part}」不正确：比例应在 0 到 1 之间。")
        result[name.strip()] = frac
    return result


def _check_indicator(scheme: Scheme, data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写指标名称。"
    cat = db.session.get(Category, data.get("category_id") or 0)
    if cat is None or cat.scheme_id != scheme.id:
        errors["category_id"] = "请选择本方案中的类别。"
    mp = data.get("max_points")
    if mp is None or not 0 < _d(mp) <= 100:
        errors["max_points"] = "指标分值应大于 0 且不超过 100 分。"
    method = data.get("method")
    if method not in METHODS:
        errors["method"] = "请选择计分方法。"
    floor, cap = _d(data.get("floor_ratio")), _d(data.get("cap_ratio") or 1)
    if method in ("ratio", "rank") and not 0 <= floor < 1:
        errors["floor_ratio"] = "下限应在 0 到 1 之间（不含 1）。"
    if method == "ratio" and not 1 <= cap <= 2:
        errors["cap_ratio"] = "封顶系数应在 1 到 2 之间。"
    if method == "grade":
        try:
            if not parse_grade_map(data.get("grade_map") or ""):
                errors["grade_map"] = "定性评定须填写等次折算，例如 优=1;良=0.85;中=0.7;差=0.4。"
        except ValueError as exc:
            errors["grade_map"] = str(exc)
    return errors


def save_indicator(scheme: Scheme, indicator: Indicator | None, data: dict) -> Indicator:
    ensure_draft(scheme)
    errors = _check_indicator(scheme, data)
    if errors:
        raise ValidationFailed(errors)
    indicator = indicator or Indicator(scheme_id=scheme.id)
    for key in ("category_id", "code", "name", "max_points", "method", "higher_is_better",
                "floor_ratio", "cap_ratio", "grade_map", "unit_label", "sort_order"):
        if key in data:
            value = data[key]
            if key in ("code", "name", "grade_map", "unit_label"):
                value = (value or "").strip()
            if key == "floor_ratio" and value is None:
                value = Decimal(0)
            if key == "cap_ratio" and value is None:
                value = Decimal(1)
            if key == "sort_order" and value is None:
                value = 0
            setattr(indicator, key, value)
    db.session.add(indicator)
    db.session.flush()
    db.session.expire(scheme, ["indicators"])
    return indicator


def delete_indicator(scheme: Scheme, indicator: Indicator) -> None:
    ensure_draft(scheme)
    db.session.delete(indicator)
    db.session.flush()
    db.session.expire(scheme, ["indicators"])


def delete_category(scheme: Scheme, category: Category) -> None:
    ensure_draft(scheme)
    if any(i.category_id == category.id for i in scheme.indicators):
        raise ValidationFailed(f"类别「{category.name}」下还有指标，请先删除指标。")
    db.session.delete(category)
    db.session.flush()
    db.session.expire(scheme, ["categories"])


# ---------------------------------------------------------------- the freeze, at ORM level
def _was_published(scheme: Scheme) -> bool:
    hist = inspect(scheme).attrs.status.history
    before = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
    return before == "published"


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _ctx, _instances) -> None:
    touched = [o for o in (*session.new, *session.dirty, *session.deleted)
               if isinstance(o, (Scheme, Category, Indicator))]
    for obj in touched:
        if isinstance(obj, Scheme):
            if obj in session.new or not session.is_modified(obj, include_collections=False):
                continue
            if _was_published(obj):
                raise ValidationFailed(frozen_message(obj))
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        scheme = session.get(Scheme, obj.scheme_id)
        if scheme is not None and scheme.is_published and _was_published(scheme):
            raise ValidationFailed(frozen_message(scheme))
