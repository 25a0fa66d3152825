"""Watermarked downloads are one complete file (issue 16.7).

A download used to be the stored PDF followed by an incremental update laying the
stamp over it: cutting the file at its first ``%%EOF`` gave the stored, unmarked
document. Now every download is written whole: one xref, one ``%%EOF``, each page's
content a single stream holding its drawing and the stamp, no object of the stored
file's page content left, no earlier revision to cut back to.
"""
from __future__ import annotations

import collections
import hashlib
import io
import re

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, StreamObject
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.discussions import watermark as wm
from kaohe.discussions.models import DiscussionBundle
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from tests import discussions_support as s
from tests.dossier_support import flat, reader
from tests.helpers import text

PLAIN = ("competent",) * 3
OBJECT = re.compile(rb"(?m)^(\d+) 0 obj\b")


def _contents(pdf: bytes) -> list[bytes]:
    return [p.get_contents().get_data() for p in reader(pdf).pages]


def _streams(pdf: bytes) -> list[bytes]:
    """The decoded data of every stream object written in ``pdf``."""
    r = reader(pdf)
    out = []
    for n in {int(m) for m in OBJECT.findall(pdf)}:
        obj = r.get_object(n)
        if isinstance(obj, StreamObject):
            out.append(obj.get_data())
    return out


def _readable_prefixes(data: bytes):
    """Every document a reader recovers from ``data`` cut after a ``%%EOF`` or before
    or after a ``startxref`` (pypdf rebuilds a missing xref from the objects)."""
    cuts = set()
    for token in (b"%%EOF", b"startxref"):
        for m in re.finditer(re.escape(token), data):
            cuts.update((m.start(), m.end()))
    for cut in sorted(cuts):
        try:
            pages = [p.extract_text() for p in PdfReader(io.BytesIO(data[:cut])).pages]
        except Exception:  # nothing readable left: nothing to recover either
            continue
        yield cut, pages


def assert_one_marked_file(data: bytes, stored: bytes, label: str) -> None:
    """``data`` is one complete PDF, every page marked with ``label``, nothing of
    ``stored``'s unmarked pages recoverable from it."""
    assert data.count(b"%%EOF") == 1 and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"startxref") == 1 and len(re.findall(rb"(?m)^xref\b", data)) == 1
    numbers = collections.Counter(int(n) for n in OBJECT.findall(data))
    assert numbers and max(numbers.values()) == 1  # no object written twice (no revisions)
    assert stored[:stored.rindex(b"xref")] not in data
    plain, marked = reader(stored), reader(data)
    assert len(marked.pages) == len(plain.pages)
    for before, after in zip(plain.pages, marked.pages):
        assert isinstance(after.raw_get("/Contents"), IndirectObject)
        assert isinstance(after["/Contents"].get_object(), StreamObject)  # one stream
        assert before.get_contents().get_data() in after.get_contents().get_data()
        assert label in after.extract_text() and label not in before.extract_text()
        assert flat(before.extract_text())[:40] in flat(after.extract_text())
    clean = set(_contents(stored))
    assert not clean.intersection(_streams(data))  # no unmarked page content object
    recovered = list(_readable_prefixes(data))
    assert recovered, "the whole file reads"
    for cut, pages in recovered:
        assert pages and all(label in p for p in pages), f"unmarked document at byte {cut}"


def _item():
    d = s.discussion()
    it = s.ready_item(d, s.official(name="王建国", grades=PLAIN))
    s.assign(d)
    return d, it


@pytest.mark.parametrize("role", ["reviewer", "organization"])
def test_dossier_download_is_one_marked_file(make, auth, role):
    d, it = _item()
    make.commit()
    stored = it.current_dossier.dossier
    original, sha = stored.pdf, stored.sha256
    r = auth.as_role(role).get(f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "no-store" in r.headers["Cache-Control"]
    assert_one_marked_file(r.data, original, f"{role}测试 查阅 20")
    assert "王建国" in flat(reader(r.data).pages[0].extract_text())
    db.session.expire_all()
    again = db.session.get(Dossier, stored.id)
    assert again.pdf == original and again.sha256 == sha == hashlib.sha256(original).hexdigest()


def test_cutting_a_download_at_its_first_eof_leaves_it_marked(make, auth):
    """The attack as it was made: keep the bytes up to the first ``%%EOF``."""
    d, it = _item()
    make.commit()
    data = auth.as_role("reviewer").get(f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf").data
    cut = data[:data.index(b"%%EOF") + len(b"%%EOF")]
    pages = reader(cut).pages
    assert len(pages) > 1 and all("reviewer测试 查阅" in p.extract_text() for p in pages)


def test_bundle_download_is_one_marked_file(make, auth):
    d = s.discussion()
    for name in ("王建国", "李海燕", "赵志强"):
        s.ready_item(d, s.official(name=name, grades=PLAIN))
    make.commit()
    client = auth.as_role("organization")
    assert client.post(f"/discussions/{d.id}/bundle").status_code == 302
    made = db.session.scalar(select(DiscussionBundle).where(
        DiscussionBundle.discussion_id == d.id))
    assert made.status == "done", made.error
    original, sha = made.pdf, made.sha256
    r = client.get(f"/discussions/{d.id}/bundle.pdf")
    assert r.status_code == 200
    assert_one_marked_file(r.data, original, "organization测试 查阅 20")
    assert len(reader(r.data).outline) == len(reader(original).outline)  # bookmarks kept
    db.session.expire_all()
    again = db.session.get(DiscussionBundle, made.id)
    assert again.pdf == original and again.sha256 == sha


def _canvas_pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    draw(c)
    c.save()
    return buf.getvalue()


def _text_pages(c):
    for i in range(3):
        c.drawString(72, 720, f"page {i + 1} of the record")
        c.showPage()


def _image_and_alpha(c):
    """Pages with resources of their own: an image XObject and a graphics state."""
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")
    for i in range(2):
        c.drawImage(ImageReader(io.BytesIO(picture.getvalue())), 72, 600, 80, 60)
        c.setFillColorRGB(0, 0, 1, alpha=0.5)
        c.drawString(72, 720, f"page {i + 1} with a picture")
        c.showPage()


def _two_sizes(c):
    c.drawString(72, 720, "page 1 portrait")
    c.showPage()
    c.setPageSize(landscape(A4))
    c.drawString(72, 500, "page 2 landscape")
    c.showPage()


@pytest.mark.parametrize("draw", [_text_pages, _image_and_alpha, _two_sizes])
def test_reportlab_pdfs_are_rewritten_whole_without_pypdf(ctx, monkeypatch, draw):
    """Every shape ReportLab writes takes the fast way (pypdf is never called) and
    keeps its own resources next to the stamp's."""
    pdf = _canvas_pdf(draw)
    monkeypatch.setattr(wm, "watermark_pypdf", None)  # would fail if called
    out = wm.watermark(pdf, "审阅人甲 查阅 2020-04-10 09:00")
    assert_one_marked_file(out, pdf, "审阅人甲 查阅")
    for before, after in zip(reader(pdf).pages, reader(out).pages):
        assert after.mediabox == before.mediabox
        for kind in ("/XObject", "/ExtGState", "/Font"):
            own = before["/Resources"].get(kind)
            if own is not None:
                assert set(own.get_object()) <= set(after["/Resources"][kind].get_object())


def test_other_pdfs_with_a_revision_of_their_own_are_rewritten_whole(ctx):
    """A PDF not of ReportLab's shape (here: with its own incremental update, whose
    first revision is clean) goes through pypdf and still comes out as one file."""
    base = _canvas_pdf(_text_pages)
    writer = PdfWriter(io.BytesIO(base), incremental=True)
    writer.add_metadata({"/Title": "revised"})
    revised = io.BytesIO()
    writer.write(revised)
    revised = revised.getvalue()
    assert revised.count(b"%%EOF") == 2  # the shape this module does not handle itself
    out = wm.watermark(revised, "审阅人乙 查阅 2020-04-10 09:00")
    assert_one_marked_file(out, revised, "审阅人乙 查阅")


def _download_rows() -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "discussion_access", AuditLog.action == "download")))


@pytest.mark.parametrize("what", ["dossier", "bundle"])
def test_a_refused_download_is_not_audited_as_a_download(make, auth, what):
    """A reader's name no font can draw refuses the download (422, in Chinese); the
    reading register then holds no download, and one when it is delivered."""
    d, it = _item()
    make.commit()
    client = auth.as_role("organization")
    if what == "bundle":
        assert client.post(f"/discussions/{d.id}/bundle").status_code == 302
        url = f"/discussions/{d.id}/bundle.pdf"
    else:
        url = f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf"
    before = len(_download_rows())
    s.user("organization").display_name = "组织部\ue000"
    make.commit()
    r = client.get(url)
    assert r.status_code == 422 and "U+E000" in text(r)
    assert len(_download_rows()) == before
    s.user("organization").display_name = "组织部甲"
    make.commit()
    r = client.get(url)
    assert r.status_code == 200 and "组织部甲 查阅" in reader(r.data).pages[0].extract_text()
    assert len(_download_rows()) == before + 1
