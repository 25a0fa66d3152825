"""A light diagonal watermark (reader's name and time) stamped on every page of a download.

The stored PDF is never changed: the stamp is made at download time on a copy.
The watermark page is drawn with ReportLab (the dossier's font chain, light grey at
low opacity, the text repeated diagonally). It is laid over the pages as a PDF
*incremental update*: the stored bytes are kept as they are and followed by the
watermark (a form XObject with its font), two small content streams wrapping
each page's own content (``q … Q``, then the stamp) and the changed page objects.
This costs milliseconds even for a 400-page bundle, and the download starts with
the stored file byte for byte. PDFs of another shape than ReportLab's (and
:mod:`kaohe.dossier.pdfmerge`'s) are stamped with pypdf instead.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache

from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas

from kaohe.dossier import pdfmerge
from kaohe.dossier.fonts import FontSpec, draw_runs, load

GREY = Color(0.45, 0.45, 0.45, alpha=0.16)
ANGLE = 35
SIZE = 15


def stamp_page(width: float, height: float, text: str, font: FontSpec = None) -> bytes:
    """One page of ``width`` × ``height`` with ``text`` repeated diagonally, in the font
    chain of the spec ``font``."""
    fs = load(font)
    label = fs.clean(text)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    c.setFillColor(GREY)
    c.saveState()
    c.translate(width / 2, height / 2)
    c.rotate(ANGLE)
    span = max(width, height) * 1.3
    step_y, step_x = 120, fs.width(label, SIZE) + 90
    row = 0
    y = -span / 2
    while y < span / 2:
        x = -span / 2 + (row % 2) * step_x / 2
        while x < span / 2:
            draw_runs(c, fs, x, y, label, SIZE)
            x += step_x
        y += step_y
        row += 1
    c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


@lru_cache(maxsize=32)
def _stamp(width: float, height: float, text: str, font: FontSpec):
    return PdfReader(io.BytesIO(stamp_page(width, height, text, font))).pages[0]


_CONTENTS = re.compile(rb"/Contents (?:(\d+) 0 R|\[([^\]]*)\])")
_MEDIABOX = re.compile(rb"/MediaBox \[\s*([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)\s*\]")
XNAME = b"/KhWm"


def _dict_at(body: bytes, start: int) -> bytes:
    """The ``<< … >>`` dictionary starting at ``start`` (nested dictionaries included)."""
    depth, i = 0, start
    while i < len(body):
        if body.startswith(b"<<", i):
            depth, i = depth + 1, i + 2
        elif body.startswith(b">>", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return body[start:i]
        else:
            i += 1
    raise pdfmerge.MergeError("unbalanced dictionary")


def _form_xobject(stamp: bytes, offset: int) -> tuple[list[bytes], bytes, tuple]:
    """The stamp's objects (numbers shifted by ``offset``) and a form XObject body."""
    st = pdfmerge._parse(stamp)
    objects = [pdfmerge._shift(b, offset) for b in st.objects]
    page = st.objects[st.kids[0] - 1]
    at = page.index(b"/Resources <<") + len(b"/Resources ")
    resources = pdfmerge._shift(_dict_at(page, at), offset)
    box = tuple(float(x) for x in _MEDIABOX.search(page).groups())
    contents = int(_CONTENTS.search(page).group(1))
    stream = st.objects[contents - 1]
    head = (b"<< /Type /XObject /Subtype /Form /BBox [ %s ] /Resources " % b" ".join(
        b"%g" % x for x in box) + resources + b" ")
    return objects, head + stream[2:].lstrip(), box


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def stamp_incremental(pdf: bytes, make_stamp) -> bytes:
    """``pdf`` followed by an incremental update laying the page ``make_stamp(width,
    height)`` returns over every page (all pages must have the first page's size)."""
    main = pdfmerge._parse(pdf)
    first = _MEDIABOX.search(main.objects[main.kids[0] - 1])
    if first is None:
        raise pdfmerge.MergeError("page without a MediaBox")
    stamp = make_stamp(float(first.group(3)) - float(first.group(1)),
                       float(first.group(4)) - float(first.group(2)))
    m = pdfmerge._STARTXREF.search(pdf[-64:])
    prev = int(m.group(1))
    n = len(main.objects)
    stamp_objects, form, box = _form_xobject(stamp, n)
    form_no = n + len(stamp_objects) + 1
    q_no, tail_no = form_no + 1, form_no + 2
    new = stamp_objects + [form, _stream(b"q"), _stream(b"Q q %s Do Q" % XNAME)]
    changed: dict[int, bytes] = {}
    for k in main.kids:
        body = main.objects[k - 1]
        mb = _MEDIABOX.search(body)
        if mb is None or tuple(float(x) for x in mb.groups()) != box:
            raise pdfmerge.MergeError("page of another size")
        c = _CONTENTS.search(body)
        refs = c.group(1) + b" 0 R" if c and c.group(1) else (c.group(2).strip() if c else None)
        at = body.find(b"/Resources <<")
        if refs is None or at < 0:
            raise pdfmerge.MergeError("page without inline resources or contents")
        res_start = at + len(b"/Resources ")
        resources = _dict_at(body, res_start)
        if b"/XObject" in resources:
            x = resources.index(b"/XObject")
            if not resources.startswith(b"/XObject <<", x):
                raise pdfmerge.MergeError("indirect XObject resources")
            y = x + len(b"/XObject <<")
            resources = resources[:y] + b" %s %d 0 R " % (XNAME, form_no) + resources[y:]
        else:
            resources = b"<< /XObject << %s %d 0 R >> " % (XNAME, form_no) + resources[2:]
        body = body[:res_start] + resources + body[res_start + len(_dict_at(body, res_start)):]
        body = body[:c.start()] + b"/Contents [ %d 0 R %s %d 0 R ]" % (q_no, refs, tail_no) \
            + body[c.end():]
        changed[k] = body
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: dict[int, int] = {}
    for number, body in [*changed.items(), *enumerate(new, start=n + 1)]:
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    numbers = sorted(offsets)
    run: list[int] = []
    for number in numbers + [None]:
        if run and (number is None or number != run[-1] + 1):
            out += b"%d %d\n" % (run[0], len(run))
            out += b"".join(b"%010d 00000 n \n" % offsets[r] for r in run)
            run = []
        if number is not None:
            run.append(number)
    info = b" /Info %d 0 R" % main.info if main.info else b""
    out += (b"trailer\n<< /Size %d /Root %d 0 R%s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (tail_no + 1, main.root, info, prev, xref))
    return bytes(out)


def watermark(pdf: bytes, text: str, font: FontSpec = None) -> bytes:
    """A copy of ``pdf`` with ``text`` stamped over every page."""
    try:
        return stamp_incremental(pdf, lambda w, h: stamp_page(w, h, text, font))
    except (pdfmerge.MergeError, AttributeError, ValueError, IndexError):
        return watermark_pypdf(pdf, text, font)


def watermark_pypdf(pdf: bytes, text: str, font: FontSpec = None) -> bytes:
    """The general way (any PDF pypdf reads): merge the stamp page over each page."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        box = page.mediabox
        page.merge_page(_stamp(round(float(box.width), 2), round(float(box.height), 2), text,
                               font), over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reader_label(name: str, at: str) -> str:
    return f"{name} 查阅 {at} 内部资料 注意保密"
