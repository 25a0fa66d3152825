"""Concatenate dossier PDFs (as ReportLab writes them) into one, a bookmark per part.

General PDF mergers (pypdf) parse and clone every object, which costs more than
rendering here (each font subset carries a 256-number /Widths array). ReportLab's
output has a simple, fixed shape: a classic xref table, no object streams, one
flat /Pages node, an /Outlines tree. So the objects are copied byte for byte,
their numbers shifted (references are rewritten outside stream data only), and a
new page tree, outline and catalog are written around them. Each part's own
outline (its sections) hangs under the part's bookmark. Anything of another
shape raises :class:`MergeError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.S)
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+) 0 R")
_LENGTH = re.compile(rb"/Length (\d+)")
_PARENT = re.compile(rb"/Parent \d+ 0 R")


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
    docs = [parse(pdf) for _t, pdf in parts]
    total = sum(len(d.objects) for d in docs)
    pages_root, outline_root, catalog, info = total + 1, total + 2, total + 3, total + 4
    bodies: list[bytes] = []
    kids: list[int] = []
    items: list[int] = []
    offset = 0
    for (name, _pdf), d in zip(parts, docs):
        shifted = [shift(b, offset) for b in d.objects]
        for k in d.kids:
            shifted[k - 1] = _PARENT.sub(b"/Parent %d 0 R" % pages_root, shifted[k - 1], 1)
        for dropped in (d.root, d.info, d.pages_node):
            if dropped:
                shifted[dropped - 1] = b"null"
        first_page = d.kids[0] + offset
        item = (d.outlines or d.root) + offset  # the part's outline root becomes its item
        children = b""
        if d.outlines:
            old = shifted[d.outlines - 1]
            first = re.search(rb"/First (\d+) 0 R", old)
            last = re.search(rb"/Last (\d+) 0 R", old)
            count = re.search(rb"/Count (\d+)", old)
            if first and last:
                children = (b" /First %s 0 R /Last %s 0 R /Count -%s"
                            % (first.group(1), last.group(1), count.group(1) if count else b"0"))
        shifted[item - offset - 1] = (
            b"<< /Title " + text_string(name) + b" /Parent %d 0 R" % outline_root
            + b" /Dest [ %d 0 R /Fit ]" % first_page + children + b" @LINKS@ >>")
        kids += [k + offset for k in d.kids]
        items.append(item)
        bodies += shifted
        offset += len(d.objects)
    for i, item in enumerate(items):
        links = b""
        if i:
            links += b"/Prev %d 0 R " % items[i - 1]
        if i + 1 < len(items):
            links += b"/Next %d 0 R" % items[i + 1]
        bodies[item - 1] = bodies[item - 1].replace(b" @LINKS@", b" " + links.strip() if links
                                                    else b"")
    bodies.append(b"<< /Count %d /Kids [ %s ] /Type /Pages >>"
                  % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    bodies.append(b"<< /Count %d /First %d 0 R /Last %d 0 R /Type /Outlines >>"
                  % (len(items), items[0], items[-1]))
    bodies.append(b"<< /Outlines %d 0 R /PageMode /UseOutlines /Pages %d 0 R /Type /Catalog >>"
                  % (outline_root, pages_root))
    bodies.append(b"<< /Creator (Kaohe) /Producer (Kaohe dossier merge) /Title "
                  + text_string(title) + b" >>")
    return write(docs[0].header, bodies, catalog, info)


def write(header: bytes, bodies: list[bytes], root: int, info: int | None) -> bytes:
    """One complete PDF (a single xref table and ``%%EOF``) of the objects ``bodies``
    (object i + 1 is ``bodies[i]``), catalog ``root``."""
    out = bytearray(header + b"\n%\x93\x8c\x8b\x9e\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<<%s /Root %d 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (b" /Info %d 0 R" % info if info else b"", root, len(bodies) + 1, xref))
    return bytes(out)
