"""What every kind is computed for: the user, the date, whom the user must not see and,
for the list of one unit's reminders of a kind, that unit."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select, true

from kaohe.auth.permissions import recused_official_ids
from kaohe.officials.models import Official


@dataclass(frozen=True)
class Ctx:
    user: object
    today: dt.date
    recused: frozenset[int]
    unit_id: int | None = None  # only officials recorded in this unit (0: in none)

    @classmethod
    def of(cls, user, today: dt.date, unit_id: int | None = None) -> Ctx:
        return cls(user, today, recused_official_ids(user), unit_id)

    def visible(self, column):
        """SQL condition: ``column`` (an official id) is not one the user recuses from
        (回避), and is in the unit when one is asked for."""
        shown = column.not_in(self.recused) if self.recused else true()
        if self.unit_id is None:
            return shown
        unit = (Official.unit_id.is_(None) if self.unit_id == 0
                else Official.unit_id == self.unit_id)
        return and_(shown, column.in_(select(Official.id).where(unit)))
