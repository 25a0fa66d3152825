"""Hostile .xlsx uploads (issue 16.4): every bound holds, in little time and memory.

The files are built here: a zip whose parts are deflate streams made of one
compressed megabyte repeated (after a full flush the compressor starts afresh, so
the same input gives the same bytes), which is how 834 KB can hold 20 million
shared strings or 315 KB one 300 MB string, without compressing 300 MB per test.
Sizes in the zip's directory can be set to lie.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import struct
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from kaohe.core.limits import (XLSX_MAX_CELL_CHARS, XLSX_MAX_PART_BYTES, XLSX_MAX_PARTS,
                               XLSX_MAX_ROWS, XLSX_MAX_SHARED_STRINGS)
from kaohe.interop import xlsx_parts, xlsx_read
from kaohe.interop.sheets import SHEETS
from kaohe.interop.xlsx_read import Book, FileRefused, Report, read_rows
from tests.helpers import field_errors, table_counts, text
from tests.interop_support import upload

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
R = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TITLE = SHEETS["officials"].title.encode()
SHEET = dataclasses.replace(SHEETS["officials"], columns=SHEETS["officials"].columns[:2])


@dataclass
class Part:
    name: str
    deflated: bytes
    crc: int
    size: int
    declared: int | None = None  # the size the zip's directory gives, when it lies


def part(name: str, body: bytes, declared: int | None = None) -> Part:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Part(name, c.compress(body) + c.flush(), zlib.crc32(body), len(body), declared)


def repeated(name: str, head: bytes, unit: bytes, times: int, tail: bytes,
             declared: int | None = None) -> Part:
    """``head + unit * times + tail``, compressed in a few milliseconds."""
    per_block = max(1, (1 << 20) // len(unit))
    block = unit * per_block
    blocks, rest = divmod(times, per_block)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(unit * rest + tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(unit * rest + tail, crc)
    size = len(head) + len(block) * blocks + len(unit) * rest + len(tail)
    return Part(name, start + piece * blocks + end, crc, size, declared)


def zip_of(parts: list[Part]) -> bytes:
    """A zip of deflated ``parts``, written by hand so that sizes may lie."""
    out, directory = bytearray(), bytearray()
    for p in parts:
        name, size = p.name.encode(), p.size if p.declared is None else p.declared
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, p.crc,
                           len(p.deflated), size, len(name), 0) + name + p.deflated
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21,
                                 p.crc, len(p.deflated), size, len(name), 0, 0, 0, 0, 0,
                                 offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                      len(out), 0)
    return bytes(out + directory + end)


STYLES = (b"<styleSheet " + MAIN + b'><numFmts count="1"><numFmt numFmtId="164" '
          b'formatCode="yyyy&quot;\xe5\xb9\xb4&quot;m&quot;\xe6\x9c\x88&quot;"/></numFmts>'
          b'<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3">'
          b'<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')


def xlsx(sheet: Part | bytes, strings: Part | bytes | None = None, extra=(),
         date1904=False) -> bytes:
    """A minimal workbook (as Excel writes one: shared strings, styles, relationships)."""
    if isinstance(sheet, bytes):
        sheet = part("xl/worksheets/sheet1.xml", sheet)
    if isinstance(strings, bytes):
        strings = part("xl/sharedStrings.xml", strings)
    rels = (b"<Relationships " + RELS + b">"
            b'<Relationship Id="rId1" Type="' + R + b'/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="' + R + b'/styles" Target="styles.xml"/>'
            + (b'<Relationship Id="rId3" Type="' + R + b'/sharedStrings" '
               b'Target="/xl/sharedStrings.xml"/>' if strings else b"") + b"</Relationships>")
    workbook = (b"<workbook " + MAIN + b' xmlns:r="' + R + b'"><workbookPr'
                + (b' date1904="1"' if date1904 else b"") + b'/><sheets><sheet name="' + TITLE
                + b'" sheetId="1" r:id="rId1"/></sheets></workbook>')
    types = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
             b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
             b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType='
             b'"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
             + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if strings
                else b"") + b"</Types>")
    root = (b"<Relationships " + RELS + b'><Relationship Id="rId1" Type="' + R
            + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    parts = [part("[Content_Types].xml", types), part("_rels/.rels", root),
             part("xl/workbook.xml", workbook), part("xl/_rels/workbook.xml.rels", rels),
             part("xl/styles.xml", STYLES), sheet, *([strings] if strings else []), *extra]
    return zip_of(parts)


def sheet_xml(rows: bytes, dimension: bytes = b"") -> bytes:
    return (b"<worksheet " + MAIN + b">" + (b'<dimension ref="' + dimension + b'"/>'
                                            if dimension else b"")
            + b"<sheetData>" + rows + b"</sheetData></worksheet>")


HEADER = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d</t></is></c>'
          b'<c r="B1" t="inlineStr"><is><t>\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7</t>'
          b"</is></c></row>")  # 姓名, 身份证号


def read(data: bytes) -> tuple[list, float]:
    """Rows read by the import's reader, and the peak memory it allocated."""
    tracemalloc.start()
    try:
        rows = list(read_rows(data, SHEET, Report("officials")))
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(data: bytes, memory: bool = True) -> tuple[str, float]:
    """(message, peak memory in MB) of a file the reader must refuse; the rows read before
    the refusal are dropped as they come. ``memory=False``: not traced (much quicker)."""
    if memory:
        tracemalloc.start()
    try:
        with pytest.raises(FileRefused) as exc:
            for _row in read_rows(data, SHEET, Report("officials")):
                pass
        peak = tracemalloc.get_traced_memory()[1] if memory else 0
    finally:
        if memory:
            tracemalloc.stop()
    return str(exc.value), peak / 2**20


# ---------------------------------------------------------------- a normal file


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_excel_style_file_reads_as_openpyxl_reads_it():
    strings = (b"<sst " + MAIN + b' count="4" uniqueCount="4"><si><t>\xe7\x8e\x8b\xe5\xbb\xba\xe5'
               b'\x9b\xbd</t></si><si><r><t>\xe6\x9d\x8e</t></r><r><rPr><b/></rPr><t xml:space='
               b'"preserve">\xe7\xa7\x80 \xe8\x8b\xb1</t></r><rPh sb="0" eb="1"><t>li</t></rPh>'
               b"</si><si><t/></si><si><t>a_x005F_x000D_b</t></si></sst>")
    rows = (HEADER + b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
            b'<c r="C2" s="1"><v>27461</v></c><c r="D2" s="2"><v>36000.5</v></c>'
            b'<c r="E2" t="b"><v>1</v></c><c r="F2"><v>-12</v></c><c r="G2"><v>1.5</v></c>'
            b'<c r="H2" t="str"><f>A2&amp;""</f><v>=cached</v></c><c r="I2"><f>1+1</f><v/></c>'
            b'<c r="J2" t="s"><v>3</v></c><c r="K2" t="inlineStr"><is><r><t>x</t></r>'
            b"<r><t>y</t></r></is></c></row>"
            b'<row r="4"><c t="s"><v>2</v></c><c><v>7</v></c></row>')
    for date1904 in (False, True):
        data = xlsx(sheet_xml(rows, b"A1:K4"), strings, date1904=date1904)
        book = Book(data)
        ours = [(n, [v.get(i) for i in range(11)]) for n, v in book.rows("干部基本信息")]
        book.close()
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        theirs = [list(r)[:11] + [None] * (11 - len(r)) for r in sheet.iter_rows(values_only=True)]
        assert [v for _n, v in ours] == [theirs[0], theirs[1], theirs[3]]
        assert [n for n, _v in ours] == [1, 2, 4]
        born = dt.datetime(1979, 3, 9) if date1904 else dt.datetime(1975, 3, 8)  # 1462 days on
        assert ours[1][1][:3] == ["王建国", "李秀 英", born]
        assert ours[1][1][7:10] == ["=cached", None, "a_x000D_b"] and ours[2][1][:2] == ["", 7]


# ---------------------------------------------------------------- shared strings


def test_834_kb_with_20_million_shared_strings_is_refused_from_the_zip_directory():
    strings = repeated("xl/sharedStrings.xml", b"<sst " + MAIN + b' uniqueCount="20000000">',
                       b"<si><t>A</t></si>", 20_000_000, b"</sst>")
    data = xlsx(sheet_xml(HEADER), strings)
    assert len(data) < 900_000 and strings.size > 300_000_000
    message, peak = refused(data)
    assert message == xlsx_parts.too_large("xl/sharedStrings.xml")
    assert "解压后超过 64 MB" in message and peak < 4


@pytest.mark.parametrize("declared,message", [(100_000, xlsx_parts.BROKEN),
                                              (16_000_000, xlsx_read.TOO_MANY_STRINGS)])
def test_20_million_shared_strings_behind_a_lying_size_are_refused_while_streaming(
        monkeypatch, declared, message):
    # The zip's directory says 100 KB or 16 MB. zipfile stops inflating there: the stream
    # ends broken (CRC), or the running count passes its bound (lowered: a quicker test).
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_SHARED_STRINGS", 10_000)
    strings = repeated("xl/sharedStrings.xml", b"<sst " + MAIN + b">", b"<si><t>A</t></si>",
                       20_000_000, b"</sst>", declared=declared)
    refusal, peak = refused(xlsx(sheet_xml(HEADER), strings))
    assert refusal == message and peak < 4


def test_declared_count_of_shared_strings_is_checked_before_reading_them():
    strings = (b"<sst " + MAIN + b' uniqueCount="' + str(XLSX_MAX_SHARED_STRINGS + 1).encode()
               + b'"><si><t>A</t></si>' + b"<bad XML" * 1000)
    assert refused(xlsx(sheet_xml(HEADER), strings))[0] == xlsx_read.TOO_MANY_STRINGS


@pytest.mark.parametrize("count,ok", [(200, True), (201, False)])
def test_number_of_shared_strings_at_the_bound(monkeypatch, count, ok):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_SHARED_STRINGS", 200)
    strings = b"<sst " + MAIN + b">" + b"".join(
        b"<si><t>%d</t></si>" % i for i in range(count)) + b"</sst>"
    data = xlsx(sheet_xml(HEADER + b'<row r="2"><c r="A2" t="s"><v>199</v></c></row>'), strings)
    if ok:
        assert read(data)[0] == [(2, {"name": "199", "id_number": None})]
    else:
        assert refused(data)[0] == xlsx_read.TOO_MANY_STRINGS


@pytest.mark.parametrize("total,ok", [(1000, True), (1001, False)])
def test_total_length_of_shared_strings_at_the_bound(monkeypatch, total, ok):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_SHARED_CHARS", 1000)
    strings = (b"<sst " + MAIN + b"><si><t>" + "干".encode() * 600 + b"</t></si><si><r><t>"
               + b"x" * (total - 700) + b"</t></r><r><t>" + b"y" * 100 + b"</t></r></si></sst>")
    data = xlsx(sheet_xml(HEADER), strings)
    if ok:
        assert read(data)[0] == []
    else:
        assert refused(data)[0] == xlsx_read.TOO_MUCH_TEXT


# ---------------------------------------------------------------- one cell


@pytest.mark.parametrize("declared", [None, 40_000_000])
def test_one_300_mb_string_is_refused_in_constant_memory(declared):
    strings = repeated("xl/sharedStrings.xml", b"<sst " + MAIN + b"><si><t>", b"A" * 1024,
                       300 * 1024, b"</t></si></sst>", declared=declared)
    data = xlsx(sheet_xml(HEADER), strings)
    assert len(data) < 400_000 and strings.size > 300_000_000
    message, peak = refused(data)
    assert message == (xlsx_parts.too_large("xl/sharedStrings.xml") if declared is None
                       else xlsx_read.CELL_TOO_LONG)
    assert peak < 4


def test_one_300_mb_inline_string_in_the_sheet_is_refused_in_constant_memory():
    sheet = repeated("xl/worksheets/sheet1.xml", sheet_xml(HEADER).split(b"</sheetData>")[0]
                     + b'<row r="2"><c r="A2" t="inlineStr"><is><t>', "干".encode() * 1000,
                     100_000, b"</t></is></c></row></sheetData></worksheet>", declared=50_000_000)
    message, peak = refused(xlsx(sheet))
    assert message == xlsx_read.CELL_TOO_LONG and peak < 4


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("length,ok", [(XLSX_MAX_CELL_CHARS, True),
                                       (XLSX_MAX_CELL_CHARS + 1, False)])
def test_length_of_one_cell_at_the_bound(shared, length, ok):
    value = "干" * length
    if shared:
        data = xlsx(sheet_xml(HEADER + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                    b"<sst " + MAIN + b"><si><t>" + value.encode() + b"</t></si></sst>")
    else:
        data = xlsx(sheet_xml(HEADER + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
                              + value.encode() + b"</t></is></c></row>"))
    if ok:
        assert read(data)[0] == [(2, {"name": value, "id_number": None})]
    else:
        assert refused(data)[0] == xlsx_read.CELL_TOO_LONG


# ---------------------------------------------------------------- rows


def _rows(count: int, first: int = 2) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>n</t></is></c></row>'
                    % (n, n) for n in range(first, first + count))


def test_dimension_over_the_limit_is_refused_before_any_row_is_parsed():
    last = XLSX_MAX_ROWS + 2
    data = xlsx(sheet_xml(b"<row><c><this is not XML", b"A1:Q%d" % last))
    message, _peak = refused(data)
    assert message == xlsx_read.too_many_rows(last, f"A1:Q{last}")
    assert f"共 {last:,} 行" in message and "50,000 行" in message


@pytest.mark.parametrize("dimension", [b"A1:Q%d" % (XLSX_MAX_ROWS + 1), b"A1", b"A1:", b"nonsense",
                                       b"A1:Q99999999999999999999", b"A1:B2"])
def test_a_readable_dimension_within_the_limit_or_an_unreadable_one_is_no_refusal(dimension):
    assert read(xlsx(sheet_xml(HEADER + _rows(3), dimension)))[0] == [
        (n, {"name": "n", "id_number": None}) for n in (2, 3, 4)]


@pytest.mark.parametrize("dimension", [b"", b"A1:B2", b"garbage"])
def test_more_rows_than_allowed_are_refused_while_streaming(dimension):
    data = xlsx(sheet_xml(HEADER + _rows(XLSX_MAX_ROWS + 1), dimension))
    message, _peak = refused(data, memory=False)
    assert message == xlsx_read.too_many_rows(XLSX_MAX_ROWS + 2)
    assert "超过 50,001 行" in message


def test_rows_are_counted_in_constant_memory(monkeypatch):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_ROWS", 5_000)  # traced: a quicker test
    for rows in (1_000, 4_000):
        data = xlsx(sheet_xml(HEADER + _rows(rows)))
        tracemalloc.start()
        for _row in read_rows(data, SHEET, Report("officials")):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 1 * 2**20  # the same for 1 000 and 4 000 rows: chunks, not the sheet
    message, peak = refused(xlsx(sheet_xml(HEADER + _rows(5_001))))
    assert "超过 5,001 行" in message and peak < 2


def test_exactly_the_allowed_rows_are_read():
    rows = list(read_rows(xlsx(sheet_xml(HEADER + _rows(XLSX_MAX_ROWS))), SHEET,
                          Report("officials")))
    assert len(rows) == XLSX_MAX_ROWS and rows[-1][0] == XLSX_MAX_ROWS + 1


def test_cell_beyond_the_last_column_is_refused():
    data = xlsx(sheet_xml(HEADER + b'<row r="2"><c r="XFE2"><v>1</v></c></row>'))
    assert refused(data)[0] == xlsx_read.BAD_SHEET


# ---------------------------------------------------------------- the zip and its XML


def test_too_many_parts_are_refused():
    extra = [part(f"xl/media/{i}.bin", b"") for i in range(XLSX_MAX_PARTS)]
    assert refused(xlsx(sheet_xml(HEADER), extra=extra))[0] == xlsx_parts.TOO_MANY_PARTS
    data = bytearray(xlsx(sheet_xml(HEADER), extra=extra[:XLSX_MAX_PARTS - 6]))
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == XLSX_MAX_PARTS
    assert read(bytes(data))[0] == []  # exactly the limit
    data[-12:-8] = b"\xff\xff\xff\xff"  # the end record claims 65 535 entries (zip64)
    assert refused(bytes(data))[0] == xlsx_parts.TOO_MANY_PARTS


def test_a_dtd_is_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst ' + MAIN
              + b"><si><t>&b;</t></si></sst>")
    assert refused(xlsx(sheet_xml(HEADER), laughs))[0] == xlsx_parts.BAD_XML


def test_the_refusal_is_shown_next_to_the_upload_field(auth):
    strings = repeated("xl/sharedStrings.xml", b"<sst " + MAIN + b"><si><t>", b"A" * 1024,
                       300 * 1024, b"</t></si></sst>", declared=40_000_000)
    client = auth.as_role("organization")
    before = table_counts()
    page = text(upload(client, "officials", xlsx(sheet_xml(HEADER), strings)))
    assert field_errors(page, "officials-file") == [xlsx_read.CELL_TOO_LONG]
    assert table_counts() == before
