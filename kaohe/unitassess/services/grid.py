"""The indicator grid: a round's actuals for every unit × indicator, saved all or nothing.

A cell is text as typed or pasted from Excel: a number for 排名 indicators (units are
ranked by it), ``实际/目标`` for 完成率 indicators (a bare number keeps the target already recorded), a grade for
定性 indicators. :func:`save_grid` reads every cell against the same rules as the entry
form (:func:`kaohe.unitassess.services.entry.value_errors`), then writes them in one
flush (new results and changed ones; unchanged cells cost nothing), audited as every
write is. One bad cell refuses the whole grid with a message per cell.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.interop.bulk import insert_records
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import Indicator, IndicatorResult, Scheme
from kaohe.unitassess.services.data import group_units
from kaohe.unitassess.services.entry import ensure_scorable, value_errors
from kaohe.unitassess.services.scheme import fmt

LIMIT = Decimal("1e12")  # Numeric(16, 4) holds 12 digits before the point


def cell_name(unit_id: int, indicator_id: int) -> str:
    return f"c-{unit_id}-{indicator_id}"


@dataclass
class Saved:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def existing(scheme: Scheme, round_: str) -> dict[tuple[int, int], IndicatorResult]:
    """The round's recorded results by (unit, indicator)."""
    rows = db.session.scalars(select(IndicatorResult).where(
        IndicatorResult.scheme_id == scheme.id, IndicatorResult.round == round_))
    return {(r.unit_id, r.indicator_id): r for r in rows}


def display(indicator: Indicator, result: IndicatorResult | None) -> str:
    """A recorded result as the grid shows (and reads back) its cell."""
    if result is None:
        return ""
    if indicator.method == "grade":
        return result.grade
    actual = fmt(result.actual) if result.actual is not None else ""
    if indicator.method == "ratio" and result.target is not None:
        return f"{actual}/{fmt(result.target)}"
    return actual


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"「{text}」不是数字。") from None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValueError(f"「{text}」超出可录入的范围。")
    return value


def parse_cell(indicator: Indicator, text: str, old: IndicatorResult | None) -> dict:
    """The values a cell's text stands for; ValueError (Chinese) when unreadable."""
    text = unicodedata.normalize("NFKC", text).strip()  # full-width digits and ／
    if indicator.method == "grade":
        return {"grade": text, "actual": None, "target": None}
    actual_text, sep, target_text = text.partition("/")
    if sep and indicator.method != "ratio":
        raise ValueError("排名指标只填实际值，不填目标值。")
    target = _number(target_text.strip()) if sep else (old.target if old else None)
    return {"grade": "", "actual": _number(actual_text.strip()), "target": target}


def save_grid(scheme: Scheme, round_: str, cells: dict[tuple[int, int], str]) -> Saved:
    """Save the grid's ``cells`` ((unit id, indicator id) → text; cells left out are
    unchanged); raises ValidationFailed keyed by cell name when any cell is refused."""
    ensure_scorable(scheme)
    if round_ not in ROUNDS:
        raise ValidationFailed("考核轮次应为 半年 / 前三季度 / 全年。", "round")
    units = {u.id for u in group_units(scheme.group)}
    indicators = {i.id: i for i in scheme.indicators}
    recorded = existing(scheme, round_)
    errors: dict[str, str] = {}
    changes: list[tuple[Indicator, int, dict, IndicatorResult | None]] = []
    saved = Saved()
    for (unit_id, indicator_id), text in cells.items():
        name = cell_name(unit_id, indicator_id)
        indicator = indicators.get(indicator_id)
        if unit_id not in units or indicator is None:
            errors[name] = "该单位或指标不属于本考核方案。"
            continue
        old = recorded.get((unit_id, indicator_id))
        if not (text or "").strip():
            if old is not None:
                errors[name] = "已录入的数据不能在表格中清空；如需删除请到录入页删除该记录。"
            continue
        if old is not None and unicodedata.normalize("NFKC", text).strip() == display(indicator, old):
            saved.unchanged += 1
            continue
        try:
            values = parse_cell(indicator, text, old)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        problems = value_errors(indicator, values)
        if problems:
            errors[name] = "".join(dict.fromkeys(problems.values()))
            continue
        changes.append((indicator, unit_id, values, old))
    if errors:
        raise ValidationFailed(errors)
    new_rows = []
    for indicator, unit_id, values, old in changes:
        if old is None:
            new_rows.append({"scheme_id": scheme.id, "indicator_id": indicator.id,
                             "unit_id": unit_id, "round": round_, "note": "", **values})
        else:
            for key, value in values.items():
                setattr(old, key, value)
            saved.updated += 1
    db.session.flush()
    # A round entered for the first time is thousands of new results: one Core insert with
    # the audit rows the flush listener would write (the ORM path costs ~0.5 ms a result).
    saved.created = len(insert_records(IndicatorResult, new_rows))
    return saved
