"""One page of a list computed in full (the reminders of a kind are computed from the
data on the day, not stored, so they are paged after sorting)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list, page: int, per_page: int) -> Page:
        """Page ``page`` (1-based; past the last: the last) of ``rows``."""
        page = min(page, max(1, -(-len(rows) // per_page)))
        start = (page - 1) * per_page
        return cls(rows[start:start + per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0
