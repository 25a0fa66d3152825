"""Unit tree services."""
from __future__ import annotations

from sqlalchemy import select

from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.units.models import UNIT_KINDS, Unit


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.code)))


def tree(units: list[Unit] | None = None) -> list[tuple[Unit, int]]:
    """Units in depth-first order with their depth, for indented lists and selects."""
    units = all_units() if units is None else units
    children: dict[int | None, list[Unit]] = {}
    ids = {u.id for u in units}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in children.get(parent, []):
            out.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


def descendant_ids(unit_id: int) -> list[int]:
    """The unit and every unit below it."""
    rows = db.session.execute(select(Unit.id, Unit.parent_id)).all()
    kids: dict[int, list[int]] = {}
    for uid, pid in rows:
        kids.setdefault(pid, []).append(uid)
    out, stack = [], [unit_id]
    while stack:
        uid = stack.pop()
        out.append(uid)
        stack.extend(kids.get(uid, []))
    return out


UNIT_MISSING = "所选单位不存在。"


def get_unit(unit_id: int | None, field: str = "unit_id") -> Unit:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise ValidationFailed(UNIT_MISSING, field)
    return unit


def unit_exists(unit_id: int | None) -> bool:
    """Whether ``unit_id`` names a unit (the check of :func:`get_unit`)."""
    return bool(unit_id) and db.session.get(Unit, unit_id) is not None


def save_unit(unit: Unit | None, data: dict) -> Unit:
    errors: dict[str, str] = {}
    code = (data.get("code") or "").strip()
    clash = db.session.scalar(select(Unit.id).where(Unit.code == code).execution_options(
        include_deleted=True))
    if clash and (unit is None or clash != unit.id):
        errors["code"] = "单位代码已存在。"
    records.require_choice(errors, "kind", data.get("kind"), UNIT_KINDS)
    parent_id = data.get("parent_id") or None
    if parent_id:
        if db.session.get(Unit, parent_id) is None:
            errors["parent_id"] = "上级单位不存在。"
        elif unit is not None and parent_id in descendant_ids(unit.id):
            errors["parent_id"] = "上级单位不能是本单位或其下级单位。"
    records.raise_if(errors)
    return records.save(Unit, unit, {**data, "code": code, "parent_id": parent_id})
