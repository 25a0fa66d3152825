"""Counting a worksheet's rows in its raw bytes, before any of it is parsed.

An import refuses a sheet with too many rows; counting ``<row>`` start tags in the
inflated bytes (a regular expression over each chunk, no XML parser, no cell read)
lets it refuse one before the shared strings and the rows are parsed, and tells the
import how many rows to expect. Text cannot hold a bare ``<``, so outside comments
and CDATA (which can only over-count) every match is an element; the parse counts
again, so a tag this misses (an exotic namespace prefix) is still bounded there.
"""
from __future__ import annotations

import re
from typing import Iterator

from kaohe.interop.xlsx_parts import FileRefused

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s/>]")
DIMENSION_TAG = re.compile(rb"<" + _PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
TAG_TAIL = 256  # bytes of a tag cut by a chunk's end, carried to the next chunk


class OverLimit(Exception):
    """The sheet has (``ref``: its ``<dimension>`` declares) ``rows`` rows, over the limit."""

    def __init__(self, rows: int, ref: str = ""):
        super().__init__(rows, ref)
        self.rows, self.ref = rows, ref


def last_row(ref: str) -> int | None:
    """The last row of a ``<dimension>`` ("A1:Q120" → 120); None when unreadable."""
    digits = ref.rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() and len(digits) <= 12 else None


def count_rows(chunks: Iterator[bytes], limit: int) -> int:
    """The ``<row>`` elements in ``chunks`` (a sheet's bytes, as inflated).

    Raises :class:`OverLimit` as soon as the ``<dimension>`` (before the first row)
    declares a last row over ``limit`` or more than ``limit`` rows are counted. A part
    that is damaged or inflates too far (:class:`FileRefused`) only ends the count: the
    parse meets it again, or first a problem of its own (a cell too long), and says which.
    """
    count, tail, dimension_seen = 0, b"", False
    while True:
        try:
            chunk = next(chunks, None)
        except FileRefused:
            break
        if chunk is None:
            break
        text = tail + chunk
        cut = text.rfind(b"<")  # a tag cut by the chunk's end is counted with the next one
        if cut < 0 or b">" in text[cut:]:
            cut = len(text)
        if not dimension_seen:
            found = DIMENSION_TAG.search(text, 0, cut)
            dimension_seen = found is not None or count > 0
            if found is not None:
                ref = found.group(1).decode("ascii", "replace")
                last = last_row(ref)
                if last is not None and last > limit:
                    raise OverLimit(last, ref[:40])
        count += sum(1 for _tag in ROW_TAG.finditer(text, 0, cut))
        if count > limit:
            raise OverLimit(limit + 1)
        tail = text[cut:cut + TAG_TAIL]
    return count
