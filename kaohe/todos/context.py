"""What every kind is computed for: the user, the date and whom the user must not see."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import true

from kaohe.auth.permissions import recused_official_ids


@dataclass(frozen=True)
class Ctx:
    user: object
    today: dt.date
    recused: frozenset[int]

    @classmethod
    def of(cls, user, today: dt.date) -> Ctx:
        return cls(user, today, recused_official_ids(user))

    def visible(self, column):
        """SQL condition: ``column`` (an official id) is not one the user recuses from (回避)."""
        return column.not_in(self.recused) if self.recused else true()
