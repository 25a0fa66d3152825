"""Concatenate dossier PDFs (as ReportLab writes them) into one, a bookmark per part.

General PDF mergers (pypdf) parse and clone every object, which costs more than
rendering here (each font subset carries a 256-number /Widths array). ReportLab's
output has a simple, fixed shape: a classic xref table, no object streams, one
flat /Pages node, an /Outlines tree. So the objects are copied byte for byte,
their numbers shifted (references are rewritten outside stream data only), and a
new page tree, outline and catalog are written around them. Each part's own
outline (its sections) hangs under the part's bookmark. Anything of another
shape raises :class:`MergeError`. :class:`Merger` writes the merge to a file one part
at a time (the agenda bundle's hundreds of dossiers are never all in memory).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterable

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.S)
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+) 0 R")
_LENGTH = re.compile(rb"/Length (\d+)")
_PARENT = re.compile(rb"/Parent \d+ 0 R")
_PAGES, _OUTLINES, _CATALOG, _INFO = 1, 2, 3, 4  # the merge's own objects
_OWN = _INFO  # how many: the parts' objects are numbered after them


class MergeError(ValueError):
    """A part is not a PDF of the shape this module handles."""


@dataclass
class _Part:
    header: bytes
    objects: list[bytes]  # body of object i + 1 (without "N 0 obj" / "endobj")
    root: int
    info: int | None
    pages_node: int
    kids: list[int]
    outlines: int | None


def _key(trailer: bytes, name: bytes) -> int | None:
    m = re.search(rb"/" + name + rb" (\d+) 0 R", trailer)
    return int(m.group(1)) if m else None


def parse(pdf: bytes) -> _Part:
    """The objects, catalog, info and flat page tree of ``pdf`` (ReportLab's shape)."""
    m = _STARTXREF.search(pdf[-64:])
    t = _TRAILER.search(pdf, len(pdf) - 1024 if len(pdf) > 1024 else 0)
    if not (pdf.startswith(b"%PDF-") and m and t):
        raise MergeError("not a PDF with a classic trailer")
    xref = int(m.group(1))
    head = re.match(rb"xref\s+0 (\d+)\s+", pdf[xref:xref + 64])
    if not head:
        raise MergeError("no classic xref table")
    size = int(head.group(1))
    entries = _ENTRY.findall(pdf, xref + head.end(), xref + head.end() + 20 * size + 64)
    if len(entries) < size:
        raise MergeError("short xref table")
    offsets = [int(o) for o, _g, kind in entries[1:size]]
    if any(kind != b"n" for _o, _g, kind in entries[1:size]):
        raise MergeError("free objects in the xref table")
    bounds = sorted(offsets) + [xref]
    following = {o: bounds[i + 1] for i, o in enumerate(bounds[:-1])}
    objects = []
    for number, start in enumerate(offsets, start=1):
        prefix = b"%d 0 obj" % number
        if not pdf.startswith(prefix, start):
            raise MergeError(f"object {number} not at its xref offset")
        body = pdf[start + len(prefix):following[start]].strip()
        if not body.endswith(b"endobj"):
            raise MergeError(f"object {number} not closed")
        objects.append(body[:-6].strip(b"\r\n"))
    trailer = t.group(1)
    root = _key(trailer, b"Root")
    catalog = objects[root - 1]
    pages_node = int(re.search(rb"/Pages (\d+) 0 R", catalog).group(1))
    kids_m = re.search(rb"/Kids \[([^\]]*)\]", objects[pages_node - 1])
    if not kids_m:
        raise MergeError("page tree without /Kids")
    kids = [int(k) for k in _REF.findall(kids_m.group(1))]
    if any(b"/Type /Pages" in objects[k - 1] for k in kids):
        raise MergeError("nested page tree")
    out_m = re.search(rb"/Outlines (\d+) 0 R", catalog)
    return _Part(pdf[:pdf.index(b"\n")], objects, root, _key(trailer, b"Info"), pages_node,
                 kids, int(out_m.group(1)) if out_m else None)


def page_count(pdf: bytes) -> int:
    return len(parse(pdf).kids)


def shift(body: bytes, offset: int) -> bytes:
    """``body`` with every reference moved by ``offset`` (stream data untouched)."""
    def ref(m):
        return b"%d 0 R" % (int(m.group(1)) + offset)

    at = body.find(b"stream")
    if at != -1 and _LENGTH.search(body, 0, at):
        return _REF.sub(ref, body[:at]) + body[at:]
    return _REF.sub(ref, body)


def text_string(text: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, hex)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def merge(parts: list[tuple[str, bytes]], title: str = "") -> bytes:
    """One PDF of ``parts`` = [(bookmark title, pdf bytes)], pages in order."""
    if not parts:
        raise MergeError("nothing to merge")
    out = io.BytesIO()
    merger = Merger(out, title)
    for name, pdf in parts:
        merger.add(name, pdf)
    merger.close()
    return out.getvalue()


class Merger:
    """Writes the merge of parts, added one at a time, to the binary file ``out``, so
    that only the part being added is held in memory (a 500-item agenda bundle held
    every dossier at once: issue 17). The page tree, outline root, catalog and info
    are objects 1–4, written last; a part's outline item is written once the next
    part's is known (its /Next link)."""

    def __init__(self, out: BinaryIO, title: str = ""):
        self.out, self.title = out, title
        self.offsets: dict[int, int] = {}
        self.kids: list[int] = []
        self.items: list[int] = []
        self.allocated = _OWN  # objects numbered so far
        self.header = b""
        self.held: bytes = b""  # the last part's outline item, its /Next link unknown

    def _write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def add(self, name: str, pdf: bytes) -> int:
        """Append the part ``pdf`` under the bookmark ``name``; its page count."""
        d = parse(pdf)
        if not self.header:
            self.header = d.header
            self.out.write(d.header + b"\n%\x93\x8c\x8b\x9e\n")
        offset = self.allocated
        item = (d.outlines or d.root) + offset  # the part's outline root becomes its item
        if self.items:
            self._write(self.items[-1], self.held.replace(b"@NEXT@", b"/Next %d 0 R" % item))
        children = b""
        if d.outlines:
            old = d.objects[d.outlines - 1]
            first = re.search(rb"/First (\d+) 0 R", old)
            last = re.search(rb"/Last (\d+) 0 R", old)
            count = re.search(rb"/Count (\d+)", old)
            if first and last:
                children = (b" /First %d 0 R /Last %d 0 R /Count -%s"
                            % (int(first.group(1)) + offset, int(last.group(1)) + offset,
                               count.group(1) if count else b"0"))
        prev = b" /Prev %d 0 R" % self.items[-1] if self.items else b""
        self.held = (b"<< /Title " + text_string(name) + b" /Parent %d 0 R" % _OUTLINES
                     + b" /Dest [ %d 0 R /Fit ]" % (d.kids[0] + offset) + children + prev
                     + b" @NEXT@ >>")
        kids = set(d.kids)
        dropped = {d.root, d.info, d.pages_node}
        for number, body in enumerate(d.objects, start=1):
            if number + offset == item:
                continue
            if number in dropped:
                body = b"null"
            else:
                body = shift(body, offset)
                if number in kids:
                    body = _PARENT.sub(b"/Parent %d 0 R" % _PAGES, body, 1)
            self._write(number + offset, body)
        self.kids += [k + offset for k in d.kids]
        self.items.append(item)
        self.allocated += len(d.objects)
        return len(d.kids)

    def close(self) -> int:
        """Write the page tree, outline, catalog, info and xref; the page count."""
        if not self.items:
            raise MergeError("nothing to merge")
        self._write(self.items[-1], self.held.replace(b" @NEXT@", b""))
        self._write(_PAGES, b"<< /Count %d /Kids [ %s ] /Type /Pages >>"
                    % (len(self.kids), b" ".join(b"%d 0 R" % k for k in self.kids)))
        self._write(_OUTLINES, b"<< /Count %d /First %d 0 R /Last %d 0 R /Type /Outlines >>"
                    % (len(self.items), self.items[0], self.items[-1]))
        self._write(_CATALOG, b"<< /Outlines %d 0 R /PageMode /UseOutlines /Pages %d 0 R"
                    b" /Type /Catalog >>" % (_OUTLINES, _PAGES))
        self._write(_INFO, b"<< /Creator (Kaohe) /Producer (Kaohe dossier merge) /Title "
                    + text_string(self.title) + b" >>")
        _xref(self.out, [self.offsets[n] for n in range(1, self.allocated + 1)], _CATALOG,
              _INFO)
        return len(self.kids)


def write(header: bytes, bodies: list[bytes], root: int, info: int | None) -> bytes:
    """One complete PDF (a single xref table and ``%%EOF``) of the objects ``bodies``
    (object i + 1 is ``bodies[i]``), catalog ``root``."""
    out = io.BytesIO()
    write_to(out, header, bodies, root, info)
    return out.getvalue()


def write_to(out: BinaryIO, header: bytes, bodies: Iterable[bytes], root: int,
             info: int | None) -> None:
    """:func:`write` into the binary file ``out``, each object as ``bodies`` yields it."""
    out.write(header + b"\n%\x93\x8c\x8b\x9e\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    _xref(out, offsets, root, info)


def _xref(out: BinaryIO, offsets: list[int], root: int, info: int | None) -> None:
    """The xref table of objects 1… at ``offsets`` and the trailer, written at the end."""
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<<%s /Root %d 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n"
              % (b" /Info %d 0 R" % info if info else b"", root, len(offsets) + 1, xref))
