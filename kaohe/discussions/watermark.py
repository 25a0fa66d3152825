"""A light diagonal watermark (reader's name and time) stamped on every page of a download.

The stored PDF is never changed: the stamp is made at download time on a copy.
The watermark page is drawn with ReportLab (:mod:`kaohe.discussions.stamp`, loaded
with the first stamp: issue 17). Each download is written as one complete
PDF: every page's content becomes a single stream holding the page's own drawing
(``q … Q``) followed by the stamp's drawing operators, its resources joined by the
stamp's fonts under names of their own; the objects are numbered as in the stored
file, so the page's old content object is overwritten and nothing unmarked is left;
one xref table, one ``%%EOF``. No earlier revision is left to cut back to (an
incremental update appended to the stored bytes was: cutting at its first ``%%EOF``
gave the clean document). PDFs of ReportLab's (and :mod:`kaohe.dossier.pdfmerge`'s)
shape are rewritten here byte by byte in milliseconds; any other is rewritten with
pypdf. A bundle's download is stamped into a temporary file and sent from it, each
page's stamped content made as it is written (:func:`stamped_download`).
"""
from __future__ import annotations

import io
import re
import tempfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from flask import Response, request
from werkzeug.wsgi import wrap_file

from kaohe.core.downloads import PDF_MIME, content_disposition
from kaohe.dossier import pdfmerge
from kaohe.dossier.fontspec import FontSpec

PREFIX = b"Kh"  # resource names of the stamp in the pages (ReportLab never uses it)


def watermark(pdf: bytes, text: str, font: FontSpec = None) -> bytes:
    """A complete new PDF: ``pdf`` with ``text`` drawn over every page.

    Raises :class:`~kaohe.dossier.glyphs.MissingGlyphError` when no font of the chain
    can draw a character of ``text``."""
    out = io.BytesIO()
    watermark_to(out, pdf, text, font)
    return out.getvalue()


def watermark_to(out: BinaryIO, pdf: bytes, text: str, font: FontSpec = None) -> None:
    """:func:`watermark` into the seekable binary file ``out`` (at its start)."""
    from kaohe.discussions.stamp import stamp_page  # ReportLab: see the module's docstring

    try:
        rewrite_to(out, pdf, lambda width, height: stamp_page(width, height, text, font))
    except (ValueError, IndexError, KeyError, AttributeError, zlib.error):  # MergeError too
        out.seek(0)
        out.truncate()
        watermark_pypdf_to(out, pdf, text, font)


def stamped_download(pdf: bytes, text: str, filename: str, font: FontSpec = None) -> Response:
    """A download of ``pdf`` with ``text`` drawn over every page, stamped into a
    temporary file and sent from it: a 500-item bundle is not copied in memory again."""
    out = tempfile.TemporaryFile()
    try:
        watermark_to(out, pdf, text, font)
    except BaseException:
        out.close()
        raise
    size = out.tell()
    out.seek(0)
    response = Response(wrap_file(request.environ, out), mimetype=PDF_MIME,
                        direct_passthrough=True, headers={
                            "Content-Disposition": content_disposition(filename),
                            "Cache-Control": "private, no-store"})
    response.content_length = size
    return response


# ---- the fast way: ReportLab-shaped PDFs, objects copied byte for byte ----------------

_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_CONTENTS = re.compile(rb"/Contents\s*(?:(\d+) 0 R|\[([^\]]*)\])")
_RESOURCES = re.compile(rb"/Resources\s*<<")
_KEY = re.compile(rb"\s*(/[^\s/\[\]()<>{}%]+)\s*")
_VALUE = re.compile(rb"\d+ \d+ R|\[[^\[\]()<>]*\]|/[^\s/\[\]()<>{}%]+|[-+.\d]+|true|false|null")
_BRACKETS = re.compile(rb"<<|>>")
_REFERENCE = re.compile(rb"(\d+) 0 R$")
_REFERENCES = re.compile(rb"(\d+) 0 R")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
# A literal string (skipped: its bytes are text) or a name (renamed when a resource).
_STRING_OR_NAME = re.compile(rb"\((?:\\.|[^\\)])*\)|/([^\s/\[\]()<>{}%]+)", re.S)


def _dict_at(body: bytes, start: int) -> bytes:
    """The ``<< … >>`` dictionary starting at ``start`` (nested dictionaries included)."""
    depth = 0
    for m in _BRACKETS.finditer(body, start):
        depth += 1 if m.group() == b"<<" else -1
        if depth == 0:
            return body[start:m.end()]
    raise pdfmerge.MergeError("unbalanced dictionary")


def _entries(d: bytes) -> dict[bytes, bytes]:
    """The entries of the dictionary ``d`` (values: references, names, numbers, flat
    arrays or dictionaries; anything else raises :class:`MergeError`)."""
    out, i = {}, 2
    while key := _KEY.match(d, i):
        i = key.end()
        value = _dict_at(d, i) if d.startswith(b"<<", i) else None
        if value is None:
            m = _VALUE.match(d, i)
            if m is None:
                raise pdfmerge.MergeError("value of an unhandled kind")
            value = m.group(0)
        out[key.group(1)] = value
        i += len(value)
    if d[i:].strip() != b">>":
        raise pdfmerge.MergeError("unparsed dictionary")
    return out


def _dict(entries: dict[bytes, bytes]) -> bytes:
    return b"<< " + b" ".join(k + b" " + v for k, v in entries.items()) + b" >>"


def _decoded(body: bytes) -> bytes:
    """The data of the stream object ``body`` (no filter, Flate, ASCII85 then Flate)."""
    head = _dict_at(body, 0)
    length = re.search(rb"/Length (\d+)(?! \d+ R)", head)
    at = body.find(b"stream", len(head))
    if length is None or at < 0 or b"/DecodeParms" in head:
        raise pdfmerge.MergeError("stream of an unhandled kind")
    at += len(b"stream\r\n") if body.startswith(b"stream\r\n", at) else len(b"stream\n")
    data = body[at:at + int(length.group(1))]
    f = _FILTER.search(head)
    filters = re.findall(rb"/(\w+)", f.group(1)) if f else []
    for name in filters:
        if name == b"ASCII85Decode":  # ReportLab's decoder in C (base64's is 50× slower)
            from reportlab.lib.rl_accel import asciiBase85Decode

            data = asciiBase85Decode(data.strip().removeprefix(b"<~"))
        elif name == b"FlateDecode":
            data = zlib.decompress(data)
        else:
            raise pdfmerge.MergeError("stream filter not handled")
    return data


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 3)  # level 6: twice the time for a 3 % smaller file
    return b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed \
        + b"\nendstream"


@dataclass
class _Stamp:
    ops: bytes  # drawing operators, resource names prefixed
    resources: dict[bytes, dict[bytes, bytes]]  # kind (/Font …) → prefixed name → value
    objects: dict[int, bytes]  # the objects they refer to, numbered in the output


def _load_stamp(stamp: bytes, tag: bytes, first: int) -> _Stamp:
    """The stamp page ``stamp`` as operators and resources to join to a page; its
    objects get numbers from ``first``; its resource names start with ``tag``."""
    st = pdfmerge.parse(stamp)
    page = st.objects[st.kids[0] - 1]
    resources = _entries(_dict_at(page, _RESOURCES.search(page).end() - 2))
    wanted, names = {}, {}
    for kind in (b"/Font", b"/ExtGState"):
        if kind not in resources:
            continue
        value = resources[kind]
        ref = _REFERENCE.match(value)
        entries = _entries(st.objects[int(ref.group(1)) - 1] if ref else value)
        wanted[kind] = {b"/" + tag + k[1:]: v for k, v in entries.items()}
        names.update((k[1:], tag + k[1:]) for k in entries)
    if set(resources) - {b"/Font", b"/ExtGState", b"/ProcSet"}:
        raise pdfmerge.MergeError("stamp resources of an unhandled kind")
    # The stamp's objects reachable from those resources, renumbered from ``first``.
    todo = [int(n) for kind in wanted.values() for v in kind.values()
            for n in _REFERENCES.findall(v)]
    keep: set[int] = set()
    while todo:
        n = todo.pop()
        if n not in keep:
            keep.add(n)
            todo += [int(r) for r in _REFERENCES.findall(_head(st.objects[n - 1]))]
    number = {old: first + i for i, old in enumerate(sorted(keep))}

    def renumber(body: bytes) -> bytes:
        head = _head(body)
        return _REFERENCES.sub(lambda m: b"%d 0 R" % number[int(m.group(1))], head) \
            + body[len(head):]

    ops = _STRING_OR_NAME.sub(
        lambda m: b"/" + names[m.group(1)] if m.group(1) in names else m.group(0),
        b"\n".join(_decoded(st.objects[int(n) - 1]) for n in _content_refs(page)))
    return _Stamp(ops, {k: {n: renumber(v) for n, v in e.items()} for k, e in wanted.items()},
                  {number[old]: renumber(st.objects[old - 1]) for old in keep})


def _head(body: bytes) -> bytes:
    """An object without its stream data (whose bytes may look like references)."""
    at = body.find(b"stream")
    return body[:at] if at >= 0 else body


def _content_refs(page: bytes) -> list[bytes]:
    m = _CONTENTS.search(page)
    if m is None:
        raise pdfmerge.MergeError("page without contents")
    return [m.group(1)] if m.group(1) else _REFERENCES.findall(m.group(2))


def rewrite(pdf: bytes, make_stamp) -> bytes:
    """A new complete PDF of ``pdf`` (ReportLab's shape) with the page
    ``make_stamp(width, height)`` returns drawn over every page of that size."""
    out = io.BytesIO()
    rewrite_to(out, pdf, make_stamp)
    return out.getvalue()


def rewrite_to(out: BinaryIO, pdf: bytes, make_stamp) -> None:
    """:func:`rewrite` into the binary file ``out``. Each page's stamped content stream
    is made as it is written, so that the stamped pages are never all held at once."""
    doc = pdfmerge.parse(pdf)
    bodies = list(doc.objects)
    stamps: dict[tuple[float, ...], _Stamp] = {}
    amended: set[tuple] = set()  # (shared resource dictionary, page box) already joined
    used: set[int] = set()
    contents: dict[int, tuple[list[int], tuple[float, ...], _Stamp]] = {}
    for k in doc.kids:
        page = bodies[k - 1]
        box_m = _MEDIABOX.search(page)
        res_m = _RESOURCES.search(page)
        if box_m is None or res_m is None:
            raise pdfmerge.MergeError("page without its own MediaBox or Resources")
        box = tuple(float(x) for x in box_m.groups())
        if box not in stamps:
            stamp = make_stamp(box[2] - box[0], box[3] - box[1])
            stamps[box] = _load_stamp(stamp, PREFIX + b"%d" % len(stamps), len(bodies) + 1)
            bodies += [stamps[box].objects[n] for n in sorted(stamps[box].objects)]
        st = stamps[box]
        # Resources: the stamp's fonts and graphics states joined to the page's own.
        res_at = res_m.end() - 2
        old_resources = _dict_at(page, res_at)
        resources = _entries(old_resources)
        for kind, add in st.resources.items():
            value = resources.get(kind)
            ref = _REFERENCE.match(value) if value else None
            if ref:
                n = int(ref.group(1))
                if (n, box) not in amended:
                    amended.add((n, box))
                    bodies[n - 1] = _joined(bodies[n - 1], add)
            else:
                resources[kind] = _joined(value or b"<< >>", add)
        # Contents: one stream, the page's drawing then the stamp's (made when written);
        # the old objects are overwritten (the first) or emptied (any further ones).
        refs = [int(r) for r in _content_refs(page)]
        if used.intersection(refs):
            raise pdfmerge.MergeError("content stream shared by pages")
        used.update(refs)
        contents[refs[0]] = (refs, box, st)
        for r in refs[1:]:
            bodies[r - 1] = b"null"
        page = page[:res_at] + _dict(resources) + page[res_at + len(old_resources):]
        c = _CONTENTS.search(page)
        bodies[k - 1] = page[:c.start()] + b"/Contents %d 0 R" % refs[0] + page[c.end():]

    def body(number: int) -> bytes:
        if number not in contents:
            return bodies[number - 1]
        refs, box, st = contents[number]
        own = b"\n".join(_decoded(doc.objects[r - 1]) for r in refs)
        move = b"1 0 0 1 %g %g cm\n" % box[:2] if box[:2] != (0, 0) else b""
        return _stream(b"q\n" + own + b"\nQ\nq\n" + move + st.ops + b"\nQ\n")

    pdfmerge.write_to(out, doc.header, (body(n) for n in range(1, len(bodies) + 1)),
                      doc.root, doc.info)


def _joined(d: bytes, add: dict[bytes, bytes]) -> bytes:
    """The dictionary ``d`` with the entries ``add`` (whose names must be new to it)."""
    entries = _entries(d)
    if entries.keys() & add.keys():
        raise pdfmerge.MergeError("resource name taken")
    return _dict({**entries, **add})


# ---- the general way: any PDF pypdf reads ---------------------------------------------

@lru_cache(maxsize=32)
def _stamp(width: float, height: float, text: str, font: FontSpec):
    from pypdf import PdfReader  # loaded on first use: 0.17 s, 9 MB at import (issue 17)

    from kaohe.discussions.stamp import stamp_page

    return PdfReader(io.BytesIO(stamp_page(width, height, text, font))).pages[0]


def watermark_pypdf(pdf: bytes, text: str, font: FontSpec = None) -> bytes:
    """Merge the stamp page over each page with pypdf and write a new file (pypdf
    replaces each page's old content stream by the merged one)."""
    out = io.BytesIO()
    watermark_pypdf_to(out, pdf, text, font)
    return out.getvalue()


def watermark_pypdf_to(out: BinaryIO, pdf: bytes, text: str, font: FontSpec = None) -> None:
    """:func:`watermark_pypdf` into the binary file ``out``."""
    from pypdf import PdfReader, PdfWriter  # loaded on first use (issue 17)

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        box = page.mediabox
        page.merge_page(_stamp(round(float(box.width), 2), round(float(box.height), 2), text,
                               font), over=True)
        page.compress_content_streams()
    writer.write(out)


def reader_label(name: str, at: str) -> str:
    return f"{name} 查阅 {at} 内部资料 注意保密"
