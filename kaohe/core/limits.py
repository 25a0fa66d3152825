"""Bounds of integers that reach the database.

ids and counts are ``INTEGER`` columns (32-bit on PostgreSQL); a bigger number from a
URL, a query string or a form would make the database driver fail (500) instead of
giving "not found" or a message next to the field.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_INT = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: numbers beyond ``MAX_INT`` do not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(value, low: int = 1, high: int = MAX_INT) -> int | None:
    """``value`` as an int within [low, high], else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None
