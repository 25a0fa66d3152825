"""Plain-argument helpers used by every record service."""
from __future__ import annotations

import datetime as dt
from typing import TypeVar

from kaohe.core import clock
from kaohe.audit.services import current_actor
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db

M = TypeVar("M")


def not_in_future(errors: dict[str, str], field: str, value: dt.date | None,
                  today: dt.date | None = None) -> None:
    if value is not None and value > (today or clock.today()):
        errors[field] = "日期不能晚于今天。"


def require_choice(errors: dict[str, str], field: str, value, choices) -> None:
    if value not in choices:
        errors[field] = "取值不在允许的范围内。"


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


def save(model: type[M], obj: M | None, data: dict, **fixed) -> M:
    """Create (``obj`` None) or update a record from validated ``data``; flush only."""
    if obj is None:
        obj = model(**fixed)
        if hasattr(model, "recorded_by_id"):
            obj.recorded_by_id = current_actor()[0]
    columns = model.__table__.columns.keys()
    for key, value in data.items():
        if key in columns and key not in ("id", "deleted_at", "created_at", "recorded_by_id"):
            setattr(obj, key, value)
    db.session.add(obj)
    db.session.flush()
    return obj


def soft_delete(obj) -> None:
    obj.soft_delete()
    db.session.flush()
