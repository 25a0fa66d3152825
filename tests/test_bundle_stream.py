"""The streamed agenda bundle (issue 17): parts merged one at a time into a file, the
content as before: pages in order, one bookmark per part pointing at its first page,
each part's own outline under its bookmark; the download stamped into a file."""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from kaohe.appform.services import item_form
from kaohe.discussions import bundle as bundles
from kaohe.discussions.models import DiscussionBundle
from kaohe.discussions.watermark import watermark, watermark_to
from kaohe.dossier import pdfmerge
from kaohe.extensions import db
from tests import discussions_support as s
from tests.dossier_support import flat


def _pdf(label: str, pages: int, sections: bool = True) -> bytes:
    """A ReportLab PDF of ``pages`` pages reading "<label> p<n>", with an outline entry
    per page when ``sections``."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for n in range(1, pages + 1):
        c.drawString(72, 720, f"{label} p{n}")
        if sections:
            c.bookmarkPage(f"{label}-{n}")
            c.addOutlineEntry(f"{label} section {n}", f"{label}-{n}", level=0)
        c.showPage()
    c.save()
    return buf.getvalue()


def _tops(reader: PdfReader) -> list:
    return [o for o in reader.outline if not isinstance(o, list)]


def test_merger_streams_parts_in_order_with_bookmarks_and_their_outlines():
    parts = [("cover", _pdf("cover", 1, sections=False)), ("alpha", _pdf("alpha", 3)),
             ("beta", _pdf("beta", 2, sections=False)), ("gamma", _pdf("gamma", 4))]
    out = io.BytesIO()
    merger = pdfmerge.Merger(out, "汇编")
    assert [merger.add(name, pdf) for name, pdf in parts] == [1, 3, 2, 4]
    assert merger.close() == 10
    pdf = out.getvalue()
    assert pdf == pdfmerge.merge(parts, "汇编")
    reader = PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text().strip() for p in reader.pages]
    assert texts == ["cover p1", "alpha p1", "alpha p2", "alpha p3", "beta p1", "beta p2",
                     "gamma p1", "gamma p2", "gamma p3", "gamma p4"]
    tops = _tops(reader)
    assert [o.title for o in tops] == ["cover", "alpha", "beta", "gamma"]
    assert [reader.get_destination_page_number(o) for o in tops] == [0, 1, 4, 6]
    # A part's own sections hang under its bookmark, pointing at its pages.
    nested = [o for o in reader.outline if isinstance(o, list)]
    assert [[c.title for c in n] for n in nested] == [
        ["alpha section 1", "alpha section 2", "alpha section 3"],
        ["gamma section 1", "gamma section 2", "gamma section 3", "gamma section 4"]]
    assert [reader.get_destination_page_number(c) for c in nested[1]] == [6, 7, 8, 9]
    assert reader.metadata.title == "汇编"
    # Still of the shape the fast watermark rewrites byte by byte.
    assert pdfmerge.page_count(pdf) == 10


def test_merger_refuses_nothing_and_foreign_shapes():
    merger = pdfmerge.Merger(io.BytesIO())
    try:
        merger.close()
        raise AssertionError("an empty merge was written")
    except pdfmerge.MergeError:
        pass
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    foreign = io.BytesIO()
    writer.write(foreign)
    try:
        merger.add("x", foreign.getvalue() + b"garbage")
        raise AssertionError("a foreign PDF was merged")
    except pdfmerge.MergeError:
        pass


def test_bundle_of_several_items_pages_bookmarks_and_order(make):
    d = s.discussion()
    names = ["王建国", "李海燕", "赵志强", "陈晓明"]
    items = [s.ready_item(d, s.official(name=n)) for n in names[:3]]
    items.append(s.item(d, s.official(name=names[3]), action="retire", post=""))  # no dossier
    made = bundles.start(d)
    bundles.build(made.id)
    assert made.status == "done", made.error
    reader = PdfReader(io.BytesIO(made.pdf))
    # The parts, rendered again independently: the cover, then per item its form and
    # its frozen dossier (if any).
    expected = [("议程目录", None)]
    for n, item in enumerate(items, start=1):
        expected.append((f"{n}. {item.official.name} · 干部任免审批表", item_form(item)))
        if item.current_dossier is not None:
            expected.append((bundles.bookmark(n, item), item.current_dossier.dossier.pdf))
    tops = _tops(reader)
    assert [o.title for o in tops] == [title for title, _pdf in expected]
    starts = [reader.get_destination_page_number(o) for o in tops]
    sizes = [b - a for a, b in zip(starts, starts[1:] + [len(reader.pages)])]
    assert starts[0] == 0 and all(size > 0 for size in sizes)
    for (title, pdf), start, size in zip(expected[1:], starts[1:], sizes[1:]):
        part = PdfReader(io.BytesIO(pdf))
        assert len(part.pages) == size, title  # page count: the sum of the parts
        assert flat(reader.pages[start].extract_text()) == flat(part.pages[0].extract_text())
    assert made.pages == len(reader.pages) == sum(sizes)
    cover = flat("".join(reader.pages[i].extract_text() for i in range(sizes[0])))
    positions = [cover.index(flat(n)) for n in names]
    assert positions == sorted(positions)  # the cover lists the items in agenda order
    assert made.sha256 and len(made.sha256) == 64


def test_download_is_stamped_into_a_file_page_by_page(make, auth):
    d = s.discussion()
    s.ready_item(d, s.official(name="王建国"))
    s.ready_item(d, s.official(name="李海燕"))
    make.commit()
    client = auth.as_role("organization")
    client.post(f"/discussions/{d.id}/bundle")
    state = client.get(f"/discussions/{d.id}/bundle/status").get_json()
    response = client.get(f"/discussions/{d.id}/bundle.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert "attachment" in response.headers["Content-Disposition"]
    stamped = PdfReader(io.BytesIO(response.data))
    assert len(stamped.pages) == state["pages"]
    assert all("organization测试" in p.extract_text() for p in stamped.pages)
    assert _tops(stamped)[0].title == "议程目录"


def test_watermark_into_a_file_falls_back_to_pypdf_from_the_start():
    writer = PdfWriter()  # not ReportLab's shape: the pypdf way, after a failed start
    for _ in range(3):
        writer.add_blank_page(300, 400)
    foreign = io.BytesIO()
    writer.write(foreign)
    out = io.BytesIO(b"left over from before")
    watermark_to(out, foreign.getvalue(), "张三 查阅")
    assert out.getvalue().startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 3 and all("张三" in p.extract_text() for p in reader.pages)
    native = _pdf("native", 2)
    assert watermark(native, "李四 查阅").count(b"%%EOF") == 1


def test_bundle_stored_and_read_back_in_slices(make, monkeypatch):
    import hashlib

    monkeypatch.setattr(bundles, "CHUNK", 10_000)  # many slices on either database
    d = s.discussion()
    s.ready_item(d, s.official(name="王建国"))
    made = bundles.start(d)
    bundles.build(made.id)
    make.commit()
    db.session.expire_all()
    whole = db.session.get(DiscussionBundle, made.id).pdf
    assert len(whole) > 3 * 10_000 and whole.endswith(b"%%EOF\n")
    assert hashlib.sha256(whole).hexdigest() == made.sha256
    assert bundles.stored_pdf(made) == whole
    assert len(PdfReader(io.BytesIO(whole)).pages) == made.pages


def test_two_bundles_stored_in_one_transaction_keep_their_own_bytes(make, monkeypatch):
    """PostgreSQL gathers the slices in a temporary table for the transaction: the second
    bundle must not carry the first one's slices."""
    import hashlib

    monkeypatch.setattr(bundles, "CHUNK", 10_000)
    made = []
    for name, people in (("甲", 1), ("乙", 2)):
        d = s.discussion(title=f"第{name}次会议")
        for k in range(people):
            s.ready_item(d, s.official(name=f"{name}干部{k}"))
        made.append(bundles.start(d))
        bundles.build(made[-1].id)
    make.commit()
    db.session.expire_all()
    stored = [db.session.get(DiscussionBundle, m.id).pdf for m in made]
    assert [hashlib.sha256(b).hexdigest() for b in stored] == [m.sha256 for m in made]
    assert [len(PdfReader(io.BytesIO(b)).pages) for b in stored] == [m.pages for m in made]
    assert made[0].pages < made[1].pages
