"""The admin's holiday calendar (放假 and 调休上班 days) read as a :class:`WorkCalendar`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.core import records
from kaohe.extensions import db
from kaohe.moves import rules
from kaohe.moves.models import Holiday
from kaohe.moves.workdays import WorkCalendar


def calendar() -> WorkCalendar:
    rows = db.session.execute(select(Holiday.day, Holiday.kind)).all()
    return WorkCalendar(frozenset(d for d, k in rows if k == "holiday"),
                        frozenset(d for d, k in rows if k == "workday"))


def listing(year: int | None = None) -> list[Holiday]:
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return list(db.session.scalars(query))


def save_holiday(data: dict) -> Holiday:
    """Add a day: a holiday on a weekday or weekend (放假), or a 调休 working day, which
    must fall on a Saturday or Sunday. One entry per day."""
    errors: dict[str, str] = {}
    day, kind = data.get("day"), data.get("kind")
    name = (data.get("name") or "").strip()
    if day is None:
        errors["day"] = "请填写日期。"
    records.require_choice(errors, "kind", kind, rules.HOLIDAY_KINDS)
    if len(name) > 32:
        errors["name"] = "名称不能超过 32 字。"
    if day is not None and kind == "workday" and day.weekday() < 5:
        errors["day"] = f"{day.isoformat()} 是周一至周五，本来就是工作日，不必登记为调休上班。"
    if day is not None and "day" not in errors and db.session.scalar(
            select(Holiday.id).where(Holiday.day == day)) is not None:
        errors["day"] = f"{day.isoformat()} 已登记，请先删除原记录。"
    records.raise_if(errors)
    return records.save(Holiday, None, {"day": day, "kind": kind, "name": name})


def delete_holiday(holiday: Holiday) -> None:
    db.session.delete(holiday)
    db.session.flush()
