"""Every character of every record is drawn: the font chain of kaohe.dossier.fonts in
every PDF Kaohe makes (dossier, 公示, watermarked download, agenda bundle), and a
visible Chinese error naming a character no installed font can draw."""
from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import unicodedata

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from kaohe.discussions import bundle as bundles
from kaohe.discussions.models import DiscussionBundle, ItemDossier
from kaohe.dossier import fonts, services
from kaohe.dossier.glyphs import MissingGlyphError, to_unicode_cmap
from kaohe.dossier.models import Dossier
from kaohe.dossier.render import render_pdf
from kaohe.extensions import db
from tests import discussions_support as s
from tests import ua_helpers as h
from tests.dossier_support import AS_OF, D, flat, page_texts, reader, require_cjk_truetype
from tests.helpers import form_alerts, text

A, B = "HanaMinA", "HanaMinB"
WQY = "WenQuanYiMicroHei-0"  # embedded name of wqy-microhei.ttc#0
EXT_G = "\U00030000"  # CJK Extension G: in no installed font
UNDRAWABLE = [EXT_G, "\ue000", "\u0378"]  # + a private-use and an unassigned code point
PLAIN = ("competent",) * 3  # annual grades of the agenda officials (no 优秀 quota to mind)


def require_fallback_fonts() -> None:
    """Skip (fail under CI, whose .ci/run installs them) without fonts-hanazono."""
    require_cjk_truetype()
    found = " ".join(fonts.find_fallbacks())
    if f"{A}.ttf" not in found or f"{B}.ttf" not in found:
        message = "CJK Extension fonts missing: apt-get install fonts-hanazono"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def embedded_fonts(pdf: bytes) -> set[str]:
    """Names (without subset prefix) of the embedded fonts of every page and form XObject."""
    names: set[str] = set()

    def walk(resources):
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if "/FontFile2" in (font.get("/FontDescriptor") or {}):
                names.add(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1])
        for ref in (resources.get("/XObject") or {}).values():
            walk(ref.get_object().get("/Resources") or {})

    for page in reader(pdf).pages:
        walk(page["/Resources"])
    return names


def poppler_text(pdf: bytes) -> str | None:
    """The text pdftotext (poppler) reads, when it is installed."""
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def dossier_count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


def small_official(make, name: str, unit: str = "东城区", **kw):
    o = make.official(name=name, unit_obj=make.unit(name=unit), **kw)
    make.post(o, o.unit, start=D(2016, 1, 1), title="副区长")
    make.review(o, date=D(2019, 6, 1), strengths=f"{name}同志政治站位高。")
    return o


# ---- the chain -------------------------------------------------------------------------


def short(name: str) -> str:
    """「wqy」, 「A」 or 「B」 for a font registered by kaohe.dossier.fonts."""
    return {"wqy-microhei.ttc": "wqy", f"{A}.ttf": "A", f"{B}.ttf": "B"}[
        name.split("-", 1)[1].rsplit("-", 1)[0]]


@pytest.mark.parametrize("value,expected", [
    ("", []),
    ("王建国", [("wqy", "王建国")]),
    ("王𠀀㐀", [("wqy", "王"), ("A", "𠀀㐀")]),
    ("䶮龑", [("A", "䶮"), ("wqy", "龑")]),
    ("李𠀁明", [("wqy", "李"), ("B", "𠀁"), ("wqy", "明")]),  # U+20001: HanaMinB only
    ("𪚥𫝀", [("A", "𪚥"), ("B", "𫝀")]),  # Extension B in A, Extension D in B
    ("王\t建\U000e0100国", [("wqy", "王 建国")]),  # tab → space, variation selector dropped
])
def test_runs_take_each_character_from_the_first_font_that_has_it(value, expected):
    require_fallback_fonts()
    assert [(short(f), part) for f, part in fonts.load(None).runs(value)] == expected


@pytest.mark.parametrize("char", UNDRAWABLE)
def test_a_character_no_font_has_is_an_error_naming_it(char):
    require_fallback_fonts()
    with pytest.raises(MissingGlyphError) as caught:
        fonts.load(None).runs(f"王{char}建国")
    message = caught.value.errors["_"]
    shown = "□" if unicodedata.category(char) in ("Co", "Cn") else char
    assert message.startswith("无法生成 PDF：字符")
    assert f"（U+{ord(char):04X}）" in message and f"出现在「王{shown}建国」中" in message
    again = pickle.loads(pickle.dumps(caught.value))  # from a render worker to its parent
    assert again.errors == caught.value.errors and again.char == char


def test_to_unicode_cmap_writes_supplementary_characters_as_utf16():
    cmap = to_unicode_cmap("AAAAAA+X", [0, 0x4E00, 0x20000, 0x2A6A5])
    assert "<01> <4E00>" in cmap and "<02> <D840DC00>" in cmap and "<03> <D869DEA5>" in cmap
    assert "<20000>" not in cmap and "4 beginbfchar" in cmap


def test_right_to_left_letters_are_refused_not_printed_reversed():
    require_fallback_fonts()
    fs = fonts.load(None)
    name = "\u0626\u0627\u064a\u0634\u06d5"  # Uyghur in Arabic script
    assert any(ord(name[0]) in f.covers for f in fs.fallbacks())  # DejaVu Sans has it
    with pytest.raises(MissingGlyphError, match="从右向左书写的文字") as caught:
        fs.runs(f"阿依夏（{name}）")
    assert caught.value.char == name[0]


def test_private_use_glyphs_of_a_fallback_are_never_used():
    require_fallback_fonts()
    fs = fonts.load(None)
    pua = chr(0xF137)
    assert any(ord(pua) in f.covers for f in fs.fallbacks())  # HanaMinA maps it
    with pytest.raises(MissingGlyphError, match="私用区字符（自造字）"):
        fs.runs(pua)


def test_fonts_refuse_to_draw_what_they_lack_even_outside_the_runs():
    require_cjk_truetype()
    canvas = Canvas(io.BytesIO())
    canvas.setFont(fonts.load(None).name, 10)
    with pytest.raises(MissingGlyphError, match=r"U\+20000"):
        canvas.drawString(0, 0, "王𠀀")
    canvas.setFont(fonts.load((fonts.FALLBACK, ())).name, 10)
    with pytest.raises(MissingGlyphError, match=r"U\+E000"):
        canvas.drawString(0, 0, "王\ue000")


def test_unusable_fallbacks_are_skipped_with_a_log_line(caplog, monkeypatch):
    require_cjk_truetype()
    monkeypatch.setattr(fonts.log, "disabled", False)  # alembic's fileConfig disables loggers
    noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # CFF outlines
    fs = fonts.load((None, ("/nonexistent/font.ttf", noto, *fonts.find_fallbacks())))
    assert [f.source for f in fs.fallbacks()] == list(fonts.find_fallbacks())
    assert "/nonexistent/font.ttf unusable" in caplog.text
    if os.path.exists(noto):
        assert "postscript outlines are not supported" in caplog.text


@pytest.mark.parametrize("config,spec", [
    ({}, (None, None)),
    ({"KAOHE_CJK_FONT": "STSong-Light", "KAOHE_FALLBACK_FONTS": []}, ("STSong-Light", ())),
    ({"KAOHE_FALLBACK_FONTS": ""}, (None, ())),
    ({"KAOHE_FALLBACK_FONTS": "/x/a.ttf"}, (None, ("/x/a.ttf",))),
    ({"KAOHE_FALLBACK_FONTS": ["/x/a.ttf", "/x/b.ttc#1"]}, (None, ("/x/a.ttf", "/x/b.ttc#1"))),
])
def test_spec_from_config(config, spec):
    assert fonts.spec_from(config) == spec


# ---- the dossier -----------------------------------------------------------------------


@pytest.mark.parametrize("name,fallbacks", [
    ("王𠀀㐀", {A}), ("䶮龑", {A}), ("李𠀁", {B}), ("𪚥𫝀", {A, B}),
])
def test_dossier_draws_every_character_on_cover_headers_and_tables(make, name, fallbacks):
    require_fallback_fonts()
    o = small_official(make, name, unit=f"{name[-1]}州区")
    d = services.generate(o.id, AS_OF, context={
        "proposed_action": "拟提名为", "proposed_post": f"{name}州市副市长人选",
        "discussion_title": f"常委会（{name}）", "discussion_date": D(2020, 4, 12)})
    pages = [flat(t) for t in page_texts(d.pdf)]
    assert flat(f"姓名{name}") in pages[0] and f"{name}州市副市长人选" in pages[0]
    assert all(name in p for p in pages)  # the header of every page
    assert f"姓名{name}性别" in pages[1] and f"{name[-1]}州区" in pages[1]  # section 一's table
    assert f"{name}同志政治站位高" in "".join(pages)
    assert embedded_fonts(d.pdf) == {WQY, *fallbacks}
    poppler = poppler_text(d.pdf)
    if poppler is not None:
        assert name in flat(poppler) and f"{name}州市副市长人选" in flat(poppler)
    # Same snapshot, same bytes, with the fallbacks too.
    assert render_pdf(d.snapshot, services.font_spec()) == d.pdf


def test_rare_characters_in_long_wrapped_text_and_headings(make):
    require_fallback_fonts()
    o = small_official(make, "王𠀀")
    long = "王𠀀同志坚持以人民为中心，统筹推进𪚥䶮工作；" * 5  # wraps, fits on one page
    make.review(o, date=D(2019, 8, 1), strengths=long, weaknesses="𠀁" * 80)
    make.note(o, date=D(2019, 3, 1), content=long)
    body = flat("".join(page_texts(services.generate(o.id, AS_OF).pdf)))
    assert body.count(flat(long)) == 2 and "𠀁" * 80 in body


def test_generating_from_the_page_shows_the_error_and_saves_nothing(client, auth, make):
    require_fallback_fonts()
    o = small_official(make, f"王{EXT_G}")
    make.commit()
    auth.login("organization")
    r = client.post(f"/officials/{o.id}/dossiers", data={"as_of": "2020-04-10"})
    assert r.status_code == 200
    [alert] = form_alerts(text(r))
    assert "无法生成 PDF：字符" in alert and "U+30000" in alert and "在已安装的字体中都没有字形" in alert
    assert dossier_count() == 0


@pytest.mark.parametrize("char", UNDRAWABLE)
def test_the_cli_reports_the_character_and_writes_nothing(runner, make, tmp_path, char):
    require_cjk_truetype()
    o = small_official(make, f"王{char}")
    make.commit()
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["dossier", str(o.id), "--as-of", "2020-04-10", "-o", str(out)])
    assert result.exit_code != 0 and f"U+{ord(char):04X}" in result.output, result.output
    assert not out.exists() and dossier_count() == 0


def test_batch_reports_the_character_from_a_render_worker(runner, make, tmp_path):
    require_fallback_fonts()
    good = small_official(make, "王𠀀㐀")
    bad = small_official(make, "李\ue000")
    make.commit()
    out = tmp_path / "all.pdf"
    args = ["dossier-batch", str(good.id), "--as-of", "2020-04-10", "-o", str(out),
            "--workers", "2"]
    result = runner.invoke(args=args[:2] + [str(bad.id)] + args[2:])
    assert result.exit_code != 0 and "U+E000" in result.output and "私用区" in result.output
    assert not out.exists() and dossier_count() == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "王𠀀㐀" in flat(page_texts(out.read_bytes())[0])


def test_fallbacks_configured_away_make_the_error(app, make, monkeypatch):
    require_cjk_truetype()
    monkeypatch.setitem(app.config, "KAOHE_FALLBACK_FONTS", [])
    o = small_official(make, "王𠀀")
    with pytest.raises(MissingGlyphError, match=r"U\+20000"):
        services.generate(o.id, AS_OF)
    assert dossier_count() == 0


def test_cid_font_alone_draws_its_encoding_and_refuses_the_rest(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_CJK_FONT", fonts.FALLBACK)
    monkeypatch.setitem(app.config, "KAOHE_FALLBACK_FONTS", [])
    o = small_official(make, "王㐀·买买提")  # Extension A is in UniGB-UCS2-H
    pdf = services.generate(o.id, AS_OF).pdf
    assert b"FontFile2" not in pdf and embedded_fonts(pdf) == set()
    assert all("王㐀・买买提" in t for t in page_texts(pdf))
    for char in ("𠀀", "\ue000", "\u0378"):
        o = small_official(make, f"赵{char}")
        with pytest.raises(MissingGlyphError, match=f"U\\+{ord(char):04X}"):
            services.generate(o.id, AS_OF)


def test_cid_font_with_truetype_fallbacks(app, make, monkeypatch):
    require_fallback_fonts()
    monkeypatch.setitem(app.config, "KAOHE_CJK_FONT", fonts.FALLBACK)
    o = small_official(make, "王𠀀")
    pdf = services.generate(o.id, AS_OF).pdf
    assert b"/STSong-Light" in pdf and embedded_fonts(pdf) == {A}
    assert all("王𠀀" in t for t in page_texts(pdf))


# ---- the other PDFs --------------------------------------------------------------------


def _scheme_with(make, unit_name: str, leader: str):
    s_ = h.scheme()
    city = make.unit(code="CITY", name="某市", kind="city")
    unit = make.unit(code="C01", name=unit_name, kind="county", parent=city,
                     leader_in_charge=leader)
    h.fill(s_, unit, 1.0)
    h.rating(s_, unit, 90)
    make.commit()
    return s_


def test_publication_pdf_draws_rare_characters(client, auth, make):
    require_fallback_fonts()
    s_ = _scheme_with(make, "𠀀州区", "李䶮副市长")
    auth.login("assessment")
    r = client.get(f"/unit-assessment/schemes/{s_.id}/full/publication.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    body = flat("".join(page_texts(r.data)))
    assert body.count("𠀀州区") == 2 and "李䶮副市长" in body  # unit and its department
    assert embedded_fonts(r.data) == {WQY, A}


def test_publication_pdf_with_an_undrawable_character_is_a_message_not_a_500(
        client, auth, make):
    require_cjk_truetype()
    s_ = _scheme_with(make, "东城区", "李\ue000副市长")
    auth.login("assessment")
    r = client.get(f"/unit-assessment/schemes/{s_.id}/full/publication.pdf")
    assert r.status_code == 422
    assert "U+E000" in text(r) and "私用区字符" in text(r) and "李□副市长" in text(r)


def test_watermarked_download_draws_the_readers_rare_name(make, auth):
    require_fallback_fonts()
    d = s.discussion()
    it = s.ready_item(d, s.official(name="王𠀀㐀", grades=PLAIN))
    s.user("organization").display_name = "组织部𪚥"
    make.commit()
    r = auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf")
    assert r.status_code == 200
    assert r.data.count(b"%%EOF") == 1  # rewritten whole (tests/test_watermark_full.py)
    for page in reader(r.data).pages:
        assert "组织部𪚥 查阅" in page.extract_text() and "王𠀀㐀" in page.extract_text()
    assert {A, WQY} <= embedded_fonts(r.data)
    s.user("organization").display_name = f"组织部{EXT_G}"
    make.commit()
    r = auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf")
    assert r.status_code == 422 and "U+30000" in text(r)


def test_attaching_a_dossier_shows_the_error_and_attaches_nothing(make, auth):
    require_fallback_fonts()
    d = s.discussion()
    it = s.item(d, s.official(name=f"王{EXT_G}", grades=PLAIN))
    s.checks(d, it)
    make.commit()
    page = text(auth.as_role("organization").post(
        f"/discussions/{d.id}/attach", data={"official_id": str(it.official_id)}))
    assert any("U+30000" in a and "无法生成 PDF" in a for a in form_alerts(page)), page
    assert db.session.scalar(select(func.count(ItemDossier.id))) == 0 and dossier_count() == 0


def test_bundle_cover_draws_rare_names_and_reports_undrawable_ones(make):
    require_fallback_fonts()
    d = s.discussion(title="2020年第3次常委会（𠀀）")
    s.ready_item(d, s.official(name="王𠀀㐀", grades=PLAIN))
    s.item(d, s.official(name="李𠀁", grades=PLAIN), action="retire", post="")
    made = bundles.start(d)
    bundles.build(made.id)
    assert made.status == "done", made.error
    cover = flat(reader(made.pdf).pages[0].extract_text())
    assert "王𠀀㐀" in cover and "李𠀁" in cover and "2020年第3次常委会（𠀀）" in cover
    assert {A, B} <= embedded_fonts(made.pdf)
    s.item(d, s.official(name="赵\ue000", grades=PLAIN), action="retire", post="")
    made = bundles.start(d)
    bundles.build(made.id)
    made = db.session.get(DiscussionBundle, made.id)
    assert made.status == "failed" and "U+E000" in made.error and "私用区" in made.error
