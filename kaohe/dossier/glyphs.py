"""ReportLab font objects that never draw a blank, and the error they raise.

:class:`ChainTTFont` and :class:`ChainCIDFont` refuse a character they have no glyph
for (ReportLab would draw glyph 0 or CID 0: nothing, or an empty box) with a
:class:`MissingGlyphError` naming it. :class:`ChainTTFont` also writes ToUnicode
entries beyond U+FFFF as UTF-16 (ReportLab writes ``<20000>``, which text
extraction misreads). :class:`SubsetCachingFace` caches compressed font subsets
across documents (see :mod:`kaohe.dossier.fonts`).
"""
from __future__ import annotations

import threading
import unicodedata
import zlib
from collections import OrderedDict

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, TTFontFace, makeToUnicodeCMap,
)

from kaohe.core.errors import ValidationFailed
from kaohe.dossier.gb1 import COVERAGE as GB1


class MissingGlyphError(ValidationFailed):
    """A character no font of the chain can draw; the message names it in Chinese."""

    def __init__(self, char: str, text: str = ""):
        self.char, self.text = char, text
        shown = f"「{char}」" if _visible(char) else ""
        where = f"（出现在「{excerpt(text, char)}」中）" if text and text != char else ""
        if unicodedata.category(char) == "Co":
            why, fix = "是私用区字符（自造字），没有通用字形", "请改用标准汉字"
        elif unicodedata.bidirectional(char) in ("R", "AL"):
            why, fix = "属于从右向左书写的文字，PDF 不能正确排版", "请改用汉字译名"
        else:
            why, fix = "在已安装的字体中都没有字形", "请核对该文字，或请系统管理员安装含有该字的字体"
        super().__init__(f"无法生成 PDF：字符{shown}（U+{ord(char):04X}）{why}，"
                         f"无法打印{where}。{fix}。")

    def __reduce__(self):  # rebuilt from its arguments in the parent of a render worker
        return (type(self), (self.char, self.text))


def _visible(ch: str) -> bool:
    """Whether ``ch`` can be shown in a message (not a control, surrogate, private or
    unassigned code point)."""
    return unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")


def excerpt(text: str, char: str, room: int = 12) -> str:
    """The part of ``text`` around the first ``char`` (with … where cut; □ for what
    cannot be shown)."""
    at = text.find(char)
    lo, hi = max(0, at - room), at + room + 1
    part = "".join(c if _visible(c) else "□" for c in text[lo:hi])
    return ("…" if lo else "") + part + ("…" if hi < len(text) else "")


class SubsetCachingFace(TTFontFace):
    """TrueType face whose compressed subsets are cached (LRU) across documents."""

    CACHE_SIZE = 48
    _cache: OrderedDict = OrderedDict()
    _lock = threading.Lock()

    def _subset_bytes(self, subset) -> tuple[int, bytes]:
        key = (self.filename, self.subfontNameX, tuple(subset))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        raw = self.makeSubset(subset)
        hit = (len(raw), zlib.compress(raw))
        with self._lock:
            self._cache[key] = hit
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return hit

    def addSubsetObjects(self, doc, fontname, subset):
        """As ReportLab's, with the font file stream taken from the cache."""
        length, data = self._subset_bytes(subset)
        font_file = pdfdoc.PDFStream(content=data)
        font_file.dictionary["Length1"] = length
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor", "Ascent": self.ascent, "CapHeight": self.capHeight,
            "Descent": self.descent, "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(self.bbox), "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": self.italicAngle, "StemV": self.stemV, "FontFile2": ref,
            "MissingWidth": self.defaultWidth})
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class ChainTTFont(TTFont):
    """ReportLab TrueType font that refuses characters it lacks (instead of drawing
    glyph 0) and maps characters beyond U+FFFF right in its ToUnicode CMaps."""

    def splitString(self, text, doc, encoding="utf-8"):
        if isinstance(text, str):
            have = self.face.charToGlyph
            bad = next((c for c in text if ord(c) not in have and c != "\xa0"), None)
            if bad is not None:
                raise MissingGlyphError(bad, text)
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc):
        state = self.state.get(doc)
        wide = [(n, list(s)) for n, s in enumerate(state.subsets if state else ())
                if max(s, default=0) > 0xFFFF]
        super().addObjects(doc)
        for n, subset in wide:
            base = (SUBSETN(n) + b"+" + self.face.name + self.face.subfontNameX).decode("pdfdoc")
            doc.idToObject["toUnicodeCMap:" + base].content = to_unicode_cmap(base, subset)


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap of ``subset``, code points beyond U+FFFF as UTF-16BE."""
    cmap = makeToUnicodeCMap(fontname, subset)
    for i, v in enumerate(subset):
        if v > 0xFFFF:
            cmap = cmap.replace("<%02X> <%04X>" % (i, v),
                                "<%02X> <%s>" % (i, chr(v).encode("utf-16-be").hex().upper()))
    return cmap


class ChainCIDFont(UnicodeCIDFont):
    """ReportLab's CID font refusing characters its CMap does not map (shown blank)."""

    def formatForPdf(self, text):
        bad = next((c for c in text if ord(c) not in GB1), None)
        if bad is not None:
            raise MissingGlyphError(bad, text)
        return super().formatForPdf(text)
