"""Fonts of Kaohe's PDFs: a chain of embedded TrueType fonts chosen per character.

Every text is split into *runs* (:meth:`FontSet.runs`): each character is drawn by
the first font of the chain whose cmap has it — the primary CJK font, then the
fallbacks. A character no font has is a :class:`MissingGlyphError` naming it, never
a blank; the fonts themselves also refuse to draw a character they lack, so a text
that bypasses the runs still cannot silently lose one.

The chain is chosen by a *spec*: a primary spec, or ``(primary, fallbacks)`` —
:func:`spec_from` reads it from the Flask config (``KAOHE_CJK_FONT``,
``KAOHE_FALLBACK_FONTS``). The primary spec is:

* ``None`` or ``""`` — the first existing file of :data:`SEARCH_PATHS`
  (Debian ``fonts-wqy-microhei`` first), else the CID font;
* a file path — that TrueType file; ``.ttc`` collections use sub-font 0, or
  ``path#N`` for sub-font N; a missing or unreadable file falls back (logged);
* ``"STSong-Light"`` — force ReportLab's built-in CID font (not embedded; the
  viewer supplies the glyphs through the Adobe-GB1 character collection; the
  characters it can show are those of :mod:`kaohe.dossier.gb1`).

Fallbacks: ``None`` — the existing files of :data:`FALLBACK_PATHS` (DejaVu Sans for
Latin and symbols, Debian ``fonts-hanazono``: HanaMinA for CJK Extension A and
HanaMinB for Extension B and beyond); else a list of file specs (``[]``: none).
Fallbacks are loaded the first time a character needs them (HanaMin A+B take
~90 MB). ReportLab reads only TrueType outlines: a CFF-based font (``.otf``, Noto
CJK's ``.ttc``) is skipped with a log line.

Characters beyond U+FFFF (Extension B …) are single code points in Python; ReportLab
reads format-12 cmaps and draws them, but writes their ToUnicode entries as plain hex
(``<20000>``), which text extraction misreads: :class:`~kaohe.dossier.glyphs.ChainTTFont`
writes UTF-16.

The CID font's ``UniGB-UCS2-H`` encoding lacks some characters that occur in
names and text, above all the middle dot of 阿依古丽·买买提 (U+00B7): :meth:`FontSet.clean`
replaces them with an equivalent the collection has (U+30FB is GB 2312's 间隔号).
Invisible format characters (zero-width space, variation selectors …) no font has
are dropped, whitespace no font has becomes a space. A private-use character (自造字)
is drawn only by the primary font, which may have been chosen for its private glyphs;
a fallback's private glyphs are arbitrary. Nor is a right-to-left letter (Arabic
script, e.g. Uyghur) taken from a fallback: unjoined and reversed, it would be wrong.

Fonts are registered once per process; this module needs no app context, so
render workers can use it.

Speed: ReportLab embeds a TrueType font as subsets of 256 glyphs, each cut from
the font file and compressed for every document. The faces keep the compressed
bytes of recent subsets (:class:`~kaohe.dossier.glyphs.SubsetCachingFace`), and
:func:`preload` assigns the dossier's fixed template characters first, so the first
subsets are the same in every dossier and come from the cache. Text all in the
primary font takes one set lookup per character to split into runs. Output bytes
are the same either way.
"""
from __future__ import annotations

import logging
import os
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Container

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from kaohe.dossier.fontspec import FontSpec, spec_from  # noqa: F401 (spec_from: re-exported)
from kaohe.dossier.gb1 import COVERAGE as GB1
from kaohe.dossier.glyphs import ChainCIDFont, ChainTTFont, MissingGlyphError, SubsetCachingFace

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
# Tried in this order for a character the primary font lacks (Debian, then Fedora paths).
FALLBACK_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "/usr/share/fonts/hanazono/HanaMinB.ttf",
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


@dataclass(frozen=True, eq=False)
class Face:
    """One font of a chain: its registered name and the code points it draws."""

    name: str
    source: str
    embedded: bool
    covers: Container[int] = field(repr=False)


class FontSet:
    """The font chain of a PDF: ``primary`` first, then the fallbacks in order."""

    def __init__(self, primary: Face, fallbacks: tuple[str, ...], table: dict):
        self.primary, self._specs, self._table = primary, fallbacks, table
        self._faces: list[Face | None] = []  # loaded fallbacks (None: unusable)
        self._memo: dict[str, Face | None] = {}
        self._lock = threading.Lock()

    name = property(lambda self: self.primary.name, doc="Registered name of the primary font.")
    embedded = property(lambda self: self.primary.embedded)
    source = property(lambda self: self.primary.source)

    def __repr__(self):
        return f"FontSet({self.primary.source!r}, fallbacks={self._specs!r})"

    def clean(self, text: str) -> str:
        """``text`` with characters the primary font cannot show replaced by equivalents."""
        return text.translate(self._table) if self._table else text

    def in_primary(self, text: str) -> bool:
        """Whether the primary font draws every character of ``text``."""
        return all(map(self.primary.covers.__contains__, map(ord, text)))

    def fallbacks(self) -> list[Face]:
        """The usable fallback fonts (all loaded now)."""
        return [f for f in map(self._fallback, range(len(self._specs))) if f is not None]

    def _fallback(self, i: int) -> Face | None:
        with self._lock:
            while len(self._faces) <= i:
                self._faces.append(_face(self._specs[len(self._faces)]))
            return self._faces[i]

    def face_of(self, ch: str) -> Face | None:
        """The first font of the chain that has ``ch`` (None: none has it)."""
        try:
            return self._memo[ch]
        except KeyError:
            pass
        cp, face = ord(ch), None
        if cp in self.primary.covers:
            face = self.primary
        elif unicodedata.category(ch) != "Co" and not right_to_left(ch):
            for i in range(len(self._specs)):
                f = self._fallback(i)
                if f is not None and cp in f.covers:
                    face = f
                    break
        self._memo[ch] = face
        return face

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` (already :meth:`clean`) as (font name, substring) runs, each drawn by
        the first font of the chain that has its characters.

        Raises :class:`MissingGlyphError` for a character no font has (format
        characters are dropped and whitespace becomes a space instead).
        """
        if self.in_primary(text):
            return [(self.primary.name, text)] if text else []
        out: list[tuple[str, str]] = []
        name, buf = None, []
        for ch in text:
            face = self.face_of(ch)
            if face is None:
                if ch.isspace():
                    ch, face = " ", self.primary
                elif _ignorable(ch):
                    continue
                else:
                    raise MissingGlyphError(ch, text)
            if face.name != name:
                if buf:
                    out.append((name, "".join(buf)))
                name, buf = face.name, []
            buf.append(ch)
        if buf:
            out.append((name, "".join(buf)))
        return out

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` (already :meth:`clean`) drawn by its runs."""
        return sum(stringWidth(t, f, size) for f, t in self.runs(text))


def right_to_left(ch: str) -> bool:
    """A letter of a right-to-left script (Arabic, e.g. Uyghur, or Hebrew): ReportLab
    lays text out left to right without joining, so it would print the word wrong."""
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _ignorable(ch: str) -> bool:
    """Invisible by definition: format characters and variation selectors."""
    return unicodedata.category(ch) == "Cf" or "VARIATION SELECTOR" in unicodedata.name(ch, "")


def draw_runs(canvas, fs: FontSet, x: float, y: float, text: str, size: float, *,
              align: str = "left", mode: int = 0) -> float:
    """Draw the line ``text`` on ``canvas`` in the chain ``fs``, starting at ``x``
    (``align="right"``: ending at ``x``; ``"center"``: centred on it), baseline ``y``,
    text render ``mode`` (2: fill and stroke); returns its width."""
    parts = fs.runs(fs.clean(text))
    w = sum(stringWidth(t, f, size) for f, t in parts)
    x -= {"left": 0, "right": w, "center": w / 2}[align]
    obj = canvas.beginText(x, y)
    if mode:
        obj.setTextRenderMode(mode)
    for name, part in parts:
        obj.setFont(name, size)
        obj.textOut(part)
    canvas.drawText(obj)
    return w


def preload(fs: FontSet, doc, text: str, fill: str = "") -> None:
    """Give the characters of ``text`` the first codes of ``doc``'s subsets of the
    primary font, then characters of ``fill`` until the last of those subsets is full."""
    if not fs.embedded:
        return
    font = pdfmetrics.getFont(fs.name)
    have = font.face.charToGlyph
    font.splitString("".join(c for c in fs.clean(text) if ord(c) in have), doc)
    state = font.state[doc]
    for ch in fill:
        if not state.nextCode & 0xFF:
            break
        if ord(ch) not in state.assignments and ord(ch) in have:
            font.splitString(ch, doc)


def _split_spec(spec: str) -> tuple[str, int]:
    path, _, index = spec.partition("#")
    return path, int(index) if index.isdigit() else 0


@lru_cache(maxsize=32)
def _ttf(path: str, index: int) -> Face:
    name = f"{TTF_NAME}-{os.path.basename(path)}-{index}"
    font = ChainTTFont(name, path, subfontIndex=index)
    font.face.__class__ = SubsetCachingFace  # same data, cached subsets
    pdfmetrics.registerFont(font)
    return Face(name, f"{path}#{index}" if index else path, True, font.face.charToGlyph)


def _face(spec: str) -> Face | None:
    """The fallback font of ``spec``, or None (logged) when it cannot be used."""
    try:
        return _ttf(*_split_spec(spec))
    except Exception as exc:  # missing, CFF outlines, bad sub-font …
        log.warning("fallback font %s unusable (%s); skipped", spec, exc)
        return None


def _cid() -> Face:
    pdfmetrics.registerFont(ChainCIDFont(FALLBACK))
    return Face(FALLBACK, FALLBACK, False, GB1)


def find_ttf() -> str | None:
    """The first CJK TrueType file of :data:`SEARCH_PATHS` present on this machine."""
    return next((p for p in SEARCH_PATHS if os.path.isfile(p)), None)


def find_fallbacks() -> tuple[str, ...]:
    """The files of :data:`FALLBACK_PATHS` present on this machine."""
    return tuple(p for p in FALLBACK_PATHS if os.path.isfile(p))


def load(spec: FontSpec = None) -> FontSet:
    """Register (once per process) and return the chain selected by ``spec``."""
    primary, fallbacks = spec if isinstance(spec, tuple) else (spec, None)
    return _load(primary or None, find_fallbacks() if fallbacks is None else tuple(fallbacks))


@lru_cache(maxsize=8)
def _load(spec: str | None, fallbacks: tuple[str, ...]) -> FontSet:
    face = None
    if spec != FALLBACK:
        path, index = _split_spec(spec) if spec else (find_ttf(), 0)
        if path:
            try:
                face = _ttf(path, index)
            except Exception as exc:  # unreadable, not TrueType, bad sub-font …
                log.warning("CJK font %s unusable (%s); using %s", path, exc, FALLBACK)
        else:
            log.warning("no CJK TrueType font found; using %s", FALLBACK)
    if face is None:
        return FontSet(_cid(), fallbacks, dict(CID_SUBSTITUTES))
    have = face.covers
    table = {cp: sub for cp, sub in TTF_SUBSTITUTES.items()
             if cp not in have and all(ord(c) in have for c in sub)}
    own = _split_spec(face.source)
    return FontSet(face, tuple(f for f in fallbacks if _split_spec(f) != own), table)
