"""CJK fonts for the dossier PDF: an embedded TrueType font, or ReportLab's CID fallback.

The font is chosen by a *spec* (the ``KAOHE_CJK_FONT`` config value):

* ``None`` or ``""`` — the first existing file of :data:`SEARCH_PATHS`
  (Debian ``fonts-wqy-microhei`` first), else the fallback;
* a file path — that TrueType file; ``.ttc`` collections use sub-font 0, or
  ``path#N`` for sub-font N; a missing or unreadable file falls back (logged);
* ``"STSong-Light"`` — force ReportLab's built-in CID font (not embedded; the
  viewer supplies the glyphs through the Adobe-GB1 character collection).

The CID fallback's ``UniGB-UCS2-H`` encoding lacks some characters that occur in
names and text, above all the middle dot of 阿依古丽·买买提 (U+00B7): :meth:`FontSet.clean`
replaces them with an equivalent the collection has (U+30FB is GB 2312's 间隔号).

Fonts are registered once per process and per spec; this module needs no app context,
so render workers can use it.

Speed: ReportLab embeds a TrueType font as subsets of 256 glyphs, each cut from
the font file and compressed for every document. :class:`SubsetCachingFace`
keeps the compressed bytes of recent subsets, and :func:`preload` assigns the
dossier's fixed template characters first, so the first subsets are the same in
every dossier and come from the cache. Output bytes are the same either way.
"""
from __future__ import annotations

import logging
import os
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace

log = logging.getLogger(__name__)

FALLBACK = "STSong-Light"
TTF_NAME = "KaoheCJK"
SEARCH_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/simhei.ttf",
)

# Characters the CID fallback's UniGB-UCS2-H CMap does not map, with a stand-in it does.
CID_SUBSTITUTES = {
    0x00B7: "\u30fb",  # MIDDLE DOT (阿依古丽·买买提) → KATAKANA MIDDLE DOT = GB 2312 A1A4
    0x2022: "\u30fb", 0x2027: "\u30fb", 0x2219: "\u30fb", 0x22C5: "\u30fb",
    0xFF65: "\u30fb", 0x2E31: "\u30fb",
    0x2212: "-", 0x2011: "-", 0x2E3A: "\u2014\u2014", 0x301C: "\uff5e",
    0x00A0: " ", 0x2002: " ", 0x2009: " ", 0x2003: "\u3000",
    0x200B: "", 0xFEFF: "",
}
# For an embedded TrueType font: used only when the font lacks the original.
TTF_SUBSTITUTES = {0x2E3A: "\u2014\u2014", 0x301C: "\uff5e", 0x00B7: "\u30fb"}


@dataclass(frozen=True)
class FontSet:
    """The registered font used for every text of the dossier."""

    name: str
    embedded: bool
    source: str
    _table: dict = field(default_factory=dict, compare=False, repr=False)

    def clean(self, text: str) -> str:
        """``text`` with characters the font cannot show replaced by equivalents."""
        return text.translate(self._table) if self._table else text


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


def preload(fs: FontSet, doc, text: str, fill: str = "") -> None:
    """Give the characters of ``text`` the first codes of ``doc``'s subsets of ``fs``,
    then characters of ``fill`` until the last of those subsets is full."""
    if not fs.embedded:
        return
    font = pdfmetrics.getFont(fs.name)
    font.splitString(fs.clean(text), doc)
    state, have = font.state[doc], font.face.charToGlyph
    for ch in fill:
        if not state.nextCode & 0xFF:
            break
        if ord(ch) not in state.assignments and ord(ch) in have:
            font.splitString(ch, doc)


def _split_spec(spec: str) -> tuple[str, int]:
    path, _, index = spec.partition("#")
    return path, int(index) if index.isdigit() else 0


def _ttf(path: str, index: int) -> FontSet:
    name = f"{TTF_NAME}-{os.path.basename(path)}-{index}"
    font = TTFont(name, path, subfontIndex=index)
    font.face.__class__ = SubsetCachingFace  # same data, cached subsets
    pdfmetrics.registerFont(font)
    have = font.face.charToGlyph
    table = {cp: sub for cp, sub in TTF_SUBSTITUTES.items()
             if cp not in have and all(ord(c) in have for c in sub)}
    return FontSet(name, True, f"{path}#{index}" if index else path, table)


def _cid() -> FontSet:
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FontSet(FALLBACK, False, FALLBACK, dict(CID_SUBSTITUTES))


def find_ttf() -> str | None:
    """The first CJK TrueType file of :data:`SEARCH_PATHS` present on this machine."""
    return next((p for p in SEARCH_PATHS if os.path.isfile(p)), None)


@lru_cache(maxsize=8)
def load(spec: str | None = None) -> FontSet:
    """Register (once per process) and return the font selected by ``spec``."""
    if spec == FALLBACK:
        return _cid()
    path, index = _split_spec(spec) if spec else (find_ttf(), 0)
    if path:
        try:
            return _ttf(path, index)
        except Exception as exc:  # unreadable, not TrueType, bad sub-font …
            log.warning("CJK font %s unusable (%s); using %s", path, exc, FALLBACK)
    else:
        log.warning("no CJK TrueType font found; using %s", FALLBACK)
    return _cid()
