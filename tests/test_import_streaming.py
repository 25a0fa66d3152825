"""The Excel import streamed (issue 17): an over-long sheet refused before a row is
parsed, rows checked and saved batch by batch, all or nothing across batches."""
from __future__ import annotations

import datetime as dt
import weakref

import pytest
from sqlalchemy import func, select

from kaohe.audit.models import AuditLog
from kaohe.extensions import db
from kaohe.interop import bulk, excel_import, xlsx_read
from kaohe.interop.xlsx_read import Book, FileRefused, SheetRows
from kaohe.officials.models import Official
from tests.helpers import table_counts
from tests.interop_support import official_row, workbook
from tests.test_xlsx_bombs import HEADER, MAIN, SHEET, TITLE, _rows, part, sheet_xml, xlsx

B1 = dt.date(1975, 3, 8)
LIMIT = 300  # rows allowed per import in these tests (50 000 in production)


@pytest.fixture
def unit(make):
    make.unit(name="东城区", kind="county", code="DC")
    make.commit()


def _no_parsing(monkeypatch):
    """Make parsing any row or shared string fail the test."""
    def fail(*_args):
        raise AssertionError("a row or string was parsed")

    monkeypatch.setattr(xlsx_read._SheetRows, "start", fail)
    monkeypatch.setattr(xlsx_read._SharedStrings, "start", fail)


@pytest.mark.parametrize("dimension", [b"", b"A1:B2", b"garbage"])
def test_over_long_sheet_is_refused_before_any_row_is_parsed(app, monkeypatch, dimension):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_ROWS", LIMIT)
    data = xlsx(sheet_xml(HEADER + _rows(LIMIT + 1), dimension), b"<sst " + MAIN + b"/>")
    _no_parsing(monkeypatch)
    before = table_counts()
    with pytest.raises(FileRefused) as exc:
        excel_import.run_import("officials", data)
    assert str(exc.value) == xlsx_read.too_many_rows(LIMIT + 2)
    assert f"超过 {LIMIT + 1:,} 行" in str(exc.value)
    assert table_counts() == before


def test_declared_dimension_over_the_limit_is_refused_unparsed(app, monkeypatch):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_ROWS", LIMIT)
    last = LIMIT + 2
    data = xlsx(sheet_xml(HEADER + _rows(3), b"A1:Q%d" % last))
    _no_parsing(monkeypatch)
    with pytest.raises(FileRefused) as exc:
        SheetRows(data, excel_import.SHEETS["officials"], xlsx_read.Report("officials"))
    assert str(exc.value) == xlsx_read.too_many_rows(last, f"A1:Q{last}")


def test_a_sheet_at_the_limit_is_read_whole(monkeypatch):
    monkeypatch.setattr(xlsx_read, "XLSX_MAX_ROWS", LIMIT)
    data = xlsx(sheet_xml(HEADER + _rows(LIMIT)))
    stream = SheetRows(data, SHEET, xlsx_read.Report("officials"))
    assert stream.total == LIMIT and len(list(stream)) == LIMIT


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_rows_are_counted_exactly_across_chunks(prefix):
    # Rows of ~10 KB each: many row tags fall across the 64 KiB chunks the count reads.
    long = b"\xe5\xb9\xb2" * 3_333
    tag = prefix + b"row"
    rows = b"".join(b'<%s r="%d"><%sc t="inlineStr"><%sis><%st>%s</%st></%sis></%sc></%s>'
                    % (tag, n, prefix, prefix, prefix, long, prefix, prefix, prefix, tag)
                    for n in range(1, 41))
    ns = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    body = (b"<" + prefix + b"worksheet " + (ns if prefix else MAIN) + b"><" + prefix
            + b"sheetData>" + rows + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>")
    book = Book(xlsx(part("xl/worksheets/sheet1.xml", body)), count=TITLE.decode())
    try:
        assert book.row_count == 40
        assert len(list(book.rows(TITLE.decode()))) == 40  # the parse agrees
    finally:
        book.close()


def _rows_of(count: int, make) -> list[list]:
    return [official_row(f"干部{i}", make.id_number(B1 + dt.timedelta(days=i), i))
            for i in range(count)]


def _tracked(monkeypatch) -> dict:
    """Count the rows the importer holds at once: each row read is a weakly referenced
    dict, and the live ones are counted whenever the next row is read."""
    seen = {"live": weakref.WeakSet(), "most": 0, "read": 0}

    class Row(dict):
        __hash__ = object.__hash__  # by identity, to sit in the WeakSet

    class Tracked(SheetRows):
        def __iter__(self):
            for number, raw in super().__iter__():
                row = Row(raw)
                seen["live"].add(row)
                seen["read"] += 1
                seen["most"] = max(seen["most"], len(seen["live"]))
                yield number, row

    monkeypatch.setattr(excel_import, "SheetRows", Tracked)
    return seen


def test_rows_are_read_checked_and_saved_a_batch_at_a_time(app, make, unit, monkeypatch):
    monkeypatch.setattr(excel_import, "BATCH", 50)
    seen = _tracked(monkeypatch)
    inserts = []
    real_insert = bulk.insert_records

    def insert_records(model, rows):
        inserts.append(len(rows))
        return real_insert(model, rows)

    monkeypatch.setattr(bulk, "insert_records", insert_records)
    report = excel_import.run_import("officials", workbook("officials", _rows_of(320, make)))
    assert report.committed and report.created == 320 and seen["read"] == 320
    # Never more than two batches of rows at once (the one checked, the one read ahead
    # by kaohe.core.prefetch), one row being read and the last row of the batch before.
    assert seen["most"] <= 2 * 50 + 2
    assert inserts == [50] * 6 + [20]
    assert db.session.scalar(select(func.count(Official.id))) == 320
    # Each audit row names the record it describes (the bulk insert's ids in row order).
    audited = {e.entity_id: e.after["id_number"] for e in db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "official", AuditLog.action == "create"))}
    assert audited == dict(db.session.execute(select(Official.id, Official.id_number)).all())
    assert len(audited) == 320


def test_a_bad_row_in_a_late_batch_saves_nothing(app, make, unit, monkeypatch):
    monkeypatch.setattr(excel_import, "BATCH", 50)
    rows = _rows_of(120, make)
    rows.append(list(rows[3]))  # row 5 again, two batches later
    rows[110][0] = ""  # no name
    before = table_counts()
    report = excel_import.run_import("officials", workbook("officials", rows))
    assert not report.committed and report.created == 119
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (112, "姓名", "请填写姓名。"), (122, "身份证号", "与第 5 行身份证号重复。")]
    assert table_counts() == before


def test_dry_run_streams_without_saving(app, make, unit, monkeypatch):
    monkeypatch.setattr(excel_import, "BATCH", 50)
    monkeypatch.setattr(bulk, "insert_records", None)  # never called
    before = table_counts()
    report = excel_import.run_import("officials", workbook("officials", _rows_of(120, make)),
                                     dry_run=True)
    assert report.ok and not report.committed and report.created == 120
    assert table_counts() == before
