"""Fitting text in the form's cells: shrink, then wrap, then continue — at the boundaries."""
from __future__ import annotations

import pytest

from kaohe.appform import fit
from kaohe.dossier.fonts import load
from kaohe.dossier.glyphs import MissingGlyphError

FS = load()
BASE, FLOOR = 14.0, 7.0
EM = FS.width("国", 1)  # width of one ideograph at 1 pt


def paras(text, **kw):
    return fit.measure(FS, text, **kw)


def joined(fitted: fit.Fitted) -> str:
    return "".join(t for _x, t in fitted.lines)


@pytest.mark.parametrize("chars,size", [
    (10, BASE),  # exactly the width at the form's size
    (11, 12.5),  # one more: the largest step that fits (10 × 14 / 11 = 12.7 → 12.5)
    (20, FLOOR),  # exactly the width at the floor
])
def test_one_line_shrinks_down_to_the_floor(chars, size):
    width = 10 * EM * BASE
    got = fit.fit(paras("国" * chars), width, 100, BASE, FLOOR)
    assert got.size == size and got.lines == [(0.0, "国" * chars)] and not got.rest


def test_past_the_floor_it_wraps_at_the_largest_size_that_fits_the_height():
    width = 10 * EM * BASE
    two_lines = 2 * BASE * fit.LEADING
    # 21 characters at 7 pt are wider than the box; at 13 pt they take three lines, at
    # 12.5 pt (11 a line) two.
    got = fit.fit(paras("国" * 21), width, two_lines, BASE, FLOOR)
    assert got.size == 12.5 and [t for _x, t in got.lines] == ["国" * 11, "国" * 10]
    assert not got.rest


@pytest.mark.parametrize("extra", [0, 1])
def test_wrapping_exactly_fills_the_box_then_continues(extra):
    width, rows = 10 * EM * FLOOR, 4
    height = rows * FLOOR * fit.LEADING
    text = "国" * (10 * rows + extra)
    got = fit.fit(paras(text), width, height, FLOOR, FLOOR)
    if not extra:
        assert joined(got) == text and not got.rest
    else:  # one line for the marker: three lines shown, the rest continued
        assert len(got.lines) == rows - 1 and got.size == FLOOR
        assert joined(got) + "".join(p.text for p in got.rest) == text


def test_overflow_keeps_every_paragraph_in_order():
    text = "\n".join(f"第{n}段" + "国" * 30 for n in range(20))
    got = fit.fit(paras(text), 20 * EM * 10, 60, 10, 10, single=False)
    assert got.rest
    shown = "".join(t for _x, t in got.lines)
    rest = "".join(p.text for p in got.rest)
    assert shown + rest == text.replace("\n", "")


def test_resume_periods_hang_under_their_text_and_sub_lines_indent():
    text = ("2001.09--2005.07  " + "国" * 40 + "\n2005.07--         市财政局副局长\n"
            "（其间：2006.09--2008.07在职学习）")
    ps = paras(text, periods=True)
    assert [p.indented for p in ps] == [False, False, True]
    assert ps[0].indent == pytest.approx(ps[1].indent, abs=FS.width(" ", 1))
    assert ps[2].indent == ps[1].indent
    got = fit.fit(ps, 30 * EM * 10, 500, 10, 10, single=False)
    xs = [x for x, _t in got.lines]
    hang = ps[0].indent * 10
    assert xs[0] == 0 and xs[1] == pytest.approx(hang)
    assert xs[-1] == pytest.approx(ps[2].indent * 10)  # under the open period's text
    assert got.lines[0][1].startswith("2001.09--2005.07")


def test_text_without_dates_gets_no_indent_and_empty_text_nothing():
    assert fit.measure(FS, "  \n\n ") == []
    assert fit.fit([], 100, 100, BASE, FLOOR).lines == []
    [p] = paras("干部任免审批表", periods=True)
    assert p.indent == 0 and not p.indented


def test_a_character_no_font_has_is_refused():
    with pytest.raises(MissingGlyphError):
        paras("王\U00030000")


@pytest.mark.parametrize("raw,text", [("王建\t\t国", "王建 国"), ("  王建国 \r\n", "王建国"),
                                      ("王\u00a0建国", "王 建国")])
def test_spaces_are_collapsed(raw, text):
    [p] = paras(raw)
    assert p.text == text and len(p.widths) == len(text)
