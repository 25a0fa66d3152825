"""Records and readers of the 考察材料 tests (built through the real services, not committed)."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from kaohe.kaocha import services
from tests import discussions_support as s

D = dt.date


def paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of a .docx, empty ones left out."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text]


def after(lines: list[str], heading: str, until: str | None = None) -> list[str]:
    """The paragraphs after ``heading`` up to the next first-level heading (or ``until``)."""
    start = lines.index(heading) + 1
    out = []
    for line in lines[start:]:
        if line == until or until is None and line[:2] in ("二、", "三、", "四、") \
                or line.startswith("考察组："):
            break
        out.append(line)
    return out


def pdf(pages: int = 1, text: str = "考察材料定稿") -> bytes:
    """A small PDF as ReportLab writes it."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for n in range(pages):
        c.drawString(100, 700, f"{text} page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def docx(text: str = "王建国同志考察材料（定稿）") -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def item(date: D = s.DAY, name: str = "王建国", **kw):
    """A discussion on ``date`` with one promotion item of a new official."""
    d = s.discussion(date=date)
    o = s.official(name=name)
    return d, s.item(d, o, **kw)


def ready(date: D = s.DAY, name: str = "王建国"):
    """A discussion with one promotion item ready to be discussed (the meeting may be held)."""
    d = s.discussion(date=date)
    return d, s.ready_item(d, s.official(name=name))


def recommend(d, it, participants=50, votes=45, kind="meeting", held_on=D(2020, 3, 20),
              **kw):
    return services.save_recommendation(d, it, None, {
        "kind": kind, "held_on": held_on, "scope": kw.pop("scope", "区委全委会成员"),
        "participants": participants, "votes": votes, "note": kw.pop("note", "")})


def nested_pdf(texts=("Nested page one", "Nested page two")) -> bytes:
    """A PDF not shaped as ReportLab writes it: a nested page tree, then an appended
    incremental update (as editors save), so the bundle cannot join it byte for byte."""
    pages = len(texts)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % pages,
               b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (5 + 2 * n) for n in range(pages)), pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n, text in enumerate(texts):
        stream = b"BT /F1 24 Tf 72 700 Td (%s) Tj ET" % text.encode("ascii")
        objects.append(b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 4 0 R >> >> >>" % (6 + 2 * n))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    # Incremental update: an Info dictionary added after the first %%EOF.
    info = len(out)
    out += b"%d 0 obj\n<< /Title (Final) >>\nendobj\n" % (len(objects) + 1)
    second = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (len(objects) + 1, info)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 2, len(objects) + 1, xref, second)
    return bytes(out)
