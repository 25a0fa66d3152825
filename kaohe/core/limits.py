"""Bounds of integers that reach the database.

ids and counts are ``INTEGER`` columns (32-bit on PostgreSQL); a bigger number from a
URL, a query string or a form would make the database driver fail (500) instead of
giving "not found" or a message next to the field.
"""
from __future__ import annotations

from flask import abort, request
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


def query_int(name: str, default=None, low: int = 1, high: int = MAX_INT):
    """The query-string argument ``name`` as an int within [low, high] (``default``
    when absent or empty); anything else answers 400 with a message naming it."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"参数 {name} 应为整数。")
    if value < low or value > high:
        abort(400, description=f"参数 {name} 超出范围。")
    return value


# ---------------------------------------------------------------- uploads
# The work an uploaded file can cause is bounded by these figures (issue 16.4, 16.5).

# .xlsx imports (kaohe.interop.xlsx_read): the zip, its XML parts, the cells.
XLSX_MAX_PARTS = 1_000  # entries in the zip
XLSX_MAX_PART_BYTES = 64 * 1024 * 1024  # one part, uncompressed (a 50 000-row sheet: ~40 MB)
XLSX_MAX_SHARED_STRINGS = 500_000  # entries of the shared-strings table (~5 s to read)
XLSX_MAX_SHARED_CHARS = 16_000_000  # their total length, in characters
XLSX_MAX_CELL_CHARS = 32_767  # one cell (Excel's own limit)
XLSX_MAX_ROWS = 50_000  # rows of one import, the header row not counted

# Official photos (kaohe.officials.photos): checked from the header before decoding.
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_SIDE = 8_000  # pixels, width and height
PHOTO_MAX_PIXELS = 16_000_000  # width × height (a 12-megapixel phone picture fits)
PHOTO_STORED_BOX = (1_200, 1_600)  # stored photos are scaled down to fit in it
