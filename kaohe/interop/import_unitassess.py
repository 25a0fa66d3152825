"""Import of unit indicator actuals (单位指标完成情况) through the unit assessment's entry service.

A row names the year, the unit (the unit's kind gives the scheme's group), the
indicator (by code, else by name) and the round; it is matched on
(indicator, unit, round), the key the service allows once. The row then goes
through the entry page's form and :func:`kaohe.unitassess.services.entry.save_result`
(published scheme only, unit in the group, indicator in the scheme, method rules).
"""
from __future__ import annotations

from sqlalchemy import select

from kaohe.extensions import db
from kaohe.interop.row_check import RowProblems, changed, unit_id
from kaohe.interop.sheets import CellError, cell_text
from kaohe.unitassess.models import Indicator, IndicatorResult, Scheme
from kaohe.unitassess.services.entry import save_result
from kaohe.units.models import Unit


class _Schemes:
    """Schemes by (year, group) with their indicators and results, loaded once."""

    def __init__(self):
        self.schemes = {(s.year, s.group): s for s in db.session.scalars(select(Scheme))}
        self.indicators: dict[int, list[Indicator]] = {}
        self.results: dict[int, dict] = {}

    def load(self, scheme: Scheme) -> None:
        if scheme.id in self.indicators:
            return
        self.indicators[scheme.id] = list(db.session.scalars(
            select(Indicator).where(Indicator.scheme_id == scheme.id)))
        self.results[scheme.id] = {(r.indicator_id, r.unit_id, r.round): r
                                   for r in db.session.scalars(select(IndicatorResult).where(
                                       IndicatorResult.scheme_id == scheme.id))}


def _scheme(raw, run, errors) -> Scheme | None:
    if "schemes" not in run.cache:
        run.cache["schemes"] = _Schemes()
    schemes = run.cache["schemes"]
    year_text = cell_text(raw.get("year"))
    if not year_text.isdigit():
        errors["year"] = "请填写考核方案年度（四位数字，如 2024）。"
        return None
    try:
        unit = db.session.get(Unit, unit_id(cell_text(raw.get("unit_id")), run.lookup))
    except CellError:
        return None  # reported by the form's unit column
    if unit is None:
        return None
    scheme = schemes.schemes.get((int(year_text), unit.kind))
    if scheme is None:
        errors["year"] = (f"{year_text} 年没有{unit.kind_label}考核组的考核方案"
                          f"（单位「{unit.name}」）。")
        return None
    schemes.load(scheme)
    return scheme


def _indicator(raw, run, scheme: Scheme, errors) -> Indicator | None:
    code, name = cell_text(raw.get("indicator_code")), cell_text(raw.get("indicator_name"))
    indicators = run.cache["schemes"].indicators[scheme.id]
    if code:
        found = [i for i in indicators if i.code == code]
        if not found:
            errors["indicator_code"] = f"{scheme.name}中没有编号为“{code}”的指标。"
        elif name and found[0].name != name:
            errors["indicator_name"] = f"编号 {code} 的指标名称为“{found[0].name}”，与所填不一致。"
    elif name:
        found = [i for i in indicators if i.name == name]
        if not found:
            errors["indicator_name"] = f"{scheme.name}中没有名为“{name}”的指标。"
        elif len(found) > 1:
            errors["indicator_name"] = f"{scheme.name}中有多个名为“{name}”的指标，请填写指标编号。"
    else:
        errors["indicator_code"] = "请填写指标编号或指标名称。"
        return None
    return found[0] if len(found) == 1 and not errors else None


def import_indicator_result(raw, run):
    errors: dict[str, str] = {}
    scheme = _scheme(raw, run, errors)
    indicator = _indicator(raw, run, scheme, errors) if scheme is not None else None
    extra = {"indicator_id": str(indicator.id)} if indicator is not None else {}
    data = run.validated(raw, errors=errors, extra=extra)
    if scheme is None or indicator is None:  # pragma: no cover (validated raised)
        raise RowProblems(errors or {"year": "无法确定考核方案。"})
    key = (indicator.id, data["unit_id"], data["round"])
    run.once(key, "indicator_code", "单位、指标和考核轮次")
    current = run.cache["schemes"].results[scheme.id].get(key)
    data = run.with_current(raw, data, current, extra)
    if current is not None and not changed(current, data):
        return "unchanged"
    saved = save_result(scheme, current, data)
    run.cache["schemes"].results[scheme.id][key] = saved
    return "updated" if current is not None else "created"
