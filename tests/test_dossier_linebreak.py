"""Chinese line breaking (禁则): the breaker alone, and inside real PDFs."""
from __future__ import annotations

import io
import random

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from kaohe.dossier.fonts import load
from kaohe.dossier.linebreak import CANNOT_END, CANNOT_START, CJKParagraph, break_lines
from tests.dossier_support import reader

CLOSING = "，。；：！？、）》”…"


def lines_of(text: str, width_chars: int, widths=None) -> list[str]:
    widths = widths or [10.0] * len(text)
    return [text[a:b] for a, b in break_lines(text, widths, [width_chars * 10.0])]


def test_comma_is_never_pushed_to_the_next_line():
    # Five characters fit; the sixth is a comma: the fifth character goes down with it.
    assert lines_of("一二三四五，六七八九十", 5) == ["一二三四", "五，六七八", "九十"]


@pytest.mark.parametrize("mark", list(CLOSING))
def test_every_closing_mark(mark):
    out = lines_of(f"甲乙丙丁{mark}戊己庚辛", 4)
    assert all(line[0] not in CLOSING for line in out), out
    assert "".join(out) == f"甲乙丙丁{mark}戊己庚辛"


def test_opening_marks_do_not_end_a_line():
    assert lines_of("甲乙丙（丁戊）己", 4) == ["甲乙丙", "（丁戊）", "己"]
    assert lines_of("甲乙丙《丁戊》己", 4) == ["甲乙丙", "《丁戊》", "己"]
    assert lines_of("甲乙丙“丁戊”己", 4) == ["甲乙丙", "“丁戊”", "己"]


def test_pairs_numbers_and_codes_stay_whole():
    assert lines_of("甲乙丙——丁戊", 4) == ["甲乙丙", "——丁戊"]
    assert lines_of("甲乙丙……。丁", 4) == ["甲乙", "丙……。", "丁"]
    assert lines_of("得分为92.5分", 5) == ["得分为", "92.5分"]
    assert lines_of("编号KH-2026-000123", 8) == ["编号", "KH-2026-", "000123"]  # too long: cut


def test_two_closing_marks_in_a_row():
    out = lines_of("甲乙丙丁）。戊己", 4)
    assert out == ["甲乙", "丙丁）。", "戊己"] or all(ln[0] not in CLOSING for ln in out)


def test_hard_breaks_and_leading_spaces():
    assert lines_of("甲乙\n丙丁", 10) == ["甲乙", "丙丁"]
    assert lines_of("ab cd ef", 3) == ["ab", "cd", "ef"]


def test_a_line_with_no_allowed_break_is_cut_at_the_margin():
    assert lines_of("1234567890", 4) == ["1234", "5678", "90"]
    assert lines_of("，，，，，，", 2) == ["，，，，，，"]  # nothing else possible: marks hang


def test_random_texts_keep_every_rule():
    rng = random.Random(3)
    alphabet = "政治站位高抓落实有韧劲群众满意度" + "，。；：！？、）》”…（《“" + "2019"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        text = text.lstrip(CLOSING)
        width = rng.randint(3, 20)
        widths = [5.0 if c.isdigit() else 10.0 for c in text]
        spans = break_lines(text, widths, [width * 10.0])
        assert "".join(text[a:b] for a, b in spans) == text
        for n, (a, b) in enumerate(spans):
            if n:  # absolute: closing marks hang rather than start a line
                assert text[a] not in CANNOT_START, (text, spans)
            forced = all(not _ok(text, i) for i in range(a + 1, b))
            if b < len(text) and not forced:
                assert text[b - 1] not in CANNOT_END, (text, spans)


def _ok(text, i):
    from kaohe.dossier.linebreak import can_break

    return can_break(text[i - 1], text[i])


def _pdf_lines(paragraph_cls, text: str, width: float) -> list[str]:
    fs = load(None)
    style = ParagraphStyle("t", fontName=fs.name, fontSize=10, leading=14, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=(width + 20, 800), leftMargin=10, rightMargin=10)
    doc.build([paragraph_cls(text, style)])
    return [ln for ln in reader(buf.getvalue()).pages[0].extract_text().split("\n") if ln]


# Ten full-width characters per line; each 11th character is a closing mark.
TRAP = "".join(f"{w}的内容正好有十个字{c}" for w, c in zip("甲乙丙丁戊己庚", "，；：！？》”"))


def test_reportlab_cjk_wrap_alone_starts_lines_with_fullwidth_marks():
    """Why CJKParagraph exists: ReportLab's wordWrap='CJK' (5.1) lets ，；：！？》” start a
    line. If this fails after a ReportLab upgrade, the workaround may no longer be needed."""
    lines = _pdf_lines(Paragraph, TRAP, 100.5)
    assert any(line[0] in CLOSING for line in lines[1:]), lines


def test_cjk_paragraph_keeps_the_rule_in_a_real_pdf():
    lines = _pdf_lines(CJKParagraph, TRAP, 100.5)
    assert "".join(lines) == TRAP
    assert all(line[0] not in CLOSING for line in lines), lines
    assert max(len(line) for line in lines) <= 10
