"""The characters ReportLab's built-in CID font ``STSong-Light`` can show.

ReportLab writes its text in the ``UniGB-UCS2-H`` encoding and embeds no glyphs: the
viewer maps each UCS-2 code to a CID of the Adobe-GB1 character collection and
draws it with its own font. A code the CMap does not map becomes CID 0 and is shown
blank, so :mod:`kaohe.dossier.fonts` refuses it instead. The ranges below are that
CMap's (``UniGB-UCS2-H``, Adobe-GB1-4, as shipped by poppler-data and ghostscript),
merged: nothing beyond U+FFFF, CJK Extension A included.
"""
from __future__ import annotations

from bisect import bisect_right

RANGES = (
    "0020-007E 00A4-00A5 00A7-00A8 00B0-00B1 00D7 00E0-00E1 00E8-00EA 00EC-00ED 00F2-00F3 "
    "00F7 00F9-00FA 00FC 0101 0113 011B 012B 014D 016B 01CE 01D0 01D2 01D4 01D6 01D8 01DA "
    "01DC 01F9 02C7 02C9-02CB 02D9 0391-03A1 03A3-03A9 03B1-03C1 03C3-03C9 0401 0410-044F "
    "0451 1E3F 2010 2013-2016 2018-2019 201C-201D 2025-2026 2030 2032-2033 2035 203B 20AC "
    "2103 2105 2109 2116 2121 2160-216B 2170-2179 2190-2193 2196-2199 2208 220F 2211 2215 "
    "221A 221D-2220 2223 2225 2227-222B 222E 2234-2237 223D 2248 224C 2252 2260-2261 "
    "2264-2267 226E-226F 2295 2299 22A5 22BF 22EF 2312 2460-2469 2474-249B 2500-254B "
    "2550-2573 2581-258F 2593-2595 25A0-25A1 25B2-25B3 25BC-25BD 25C6-25C7 25CB 25CE-25CF "
    "25E2-25E5 2605-2606 2609 2640 2642 2E80-2E99 2E9B-2EF3 2F00-2FD5 2FF0-2FFB 3000-3003 "
    "3005-3017 301D-301E 3021-3029 3033-3035 3038-303A 303E-303F 3041-3094 309B-309E "
    "30A1-30FE 3105-312C 31A0-31B7 3220-3229 3231 32A3 338E-338F 339C-339E 33A1 33C4 33CE "
    "33D1-33D2 33D5 3400-4DB5 4E00-9FA5 E816-E818 E81E E826 E82B-E82C E831-E832 E83B E843 "
    "E854-E855 E864 F92C FA0D-FA0F FA11 FA13-FA14 FA18 FA1F-FA21 FA23-FA24 FA27-FA29 FE30 "
    "FE49-FE52 FE54-FE57 FE59-FE66 FE68-FE6B FF01-FF5E FFE0-FFE5 "
)


def _parse(spec: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for token in spec.split():
        lo, _, hi = token.partition("-")
        starts.append(int(lo, 16))
        ends.append(int(hi or lo, 16))
    return starts, ends


class Coverage:
    """Code points of :data:`RANGES` (``cp in COVERAGE``)."""

    def __init__(self, spec: str):
        self._starts, self._ends = _parse(spec)

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]

    def __len__(self) -> int:
        return sum(e - s + 1 for s, e in zip(self._starts, self._ends))


COVERAGE = Coverage(RANGES)
