"""Reading an uploaded .xlsx: the report of an import, and the rows of its sheet.

The rows are read straight from the sheet's XML (one pass, with the hardened
parser of defusedxml); openpyxl reads the workbook's parts around it (shared
strings, styles for dates, the list of sheets). ``load_workbook(read_only=True)``
parses a sheet twice when the file has no ``<dimension>`` (as written by many
tools), and builds a cell object per value: about three times slower.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from defusedxml.ElementTree import iterparse

from kaohe.interop.sheets import Sheet, normalise_header

MAX_ROWS = 50_000
MAX_PROBLEMS = 1_000  # the report stops listing after this many
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, VALUE, INLINE, TEXT = NS + "row", NS + "v", NS + "is", NS + "t"


@dataclass
class Problem:
    row: int  # Excel row number (1: the header)
    column: str  # Chinese header, "" for the whole row
    message: str


@dataclass
class Report:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notices: list[str] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem_count

    def add(self, row: int, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message))


class FileRefused(Exception):
    """The file as a whole cannot be read (not xlsx, too many rows, no header)."""


class _Workbook:
    """The parts of the workbook the rows need; the sheet is read by :meth:`rows`."""

    def __init__(self, data: bytes):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            self.sheets = [(s.name, rel.target) for s, rel in reader.parser.find_sheets()
                           if "worksheet" in rel.Type and rel.target in reader.valid_files]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
            raise FileRefused("无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件"
                              "（可先下载模板填写）。") from exc
        except Exception as exc:  # defusedxml refusals, malformed parts
            raise FileRefused("文件内容无法解析（格式损坏或含有不允许的 XML 内容）。") from exc
        if not self.sheets:
            raise FileRefused("文件中没有工作表。")
        self.archive = reader.archive
        self.strings = reader.shared_strings
        self.date_styles = set(reader.wb._date_formats)
        self.epoch = reader.wb.epoch

    def close(self) -> None:
        self.archive.close()

    def rows(self, title: str) -> Iterator[tuple[int, tuple]]:
        """(row number, values) of each row of sheet ``title`` (else the first).

        Values as openpyxl's ``values_only``; rows absent from the file are skipped.
        """
        target = next((t for name, t in self.sheets if name == title), self.sheets[0][1])
        columns: dict[str, int] = {}
        number = 0
        try:
            with self.archive.open(target) as src:
                for _event, row in iterparse(src):
                    if row.tag != ROW:
                        continue
                    values: list = []
                    for cell in row:
                        ref = cell.get("r")
                        if ref:
                            letters = ref.rstrip("0123456789")
                            index = columns.get(letters)
                            if index is None:
                                index = columns[letters] = _column_index(letters)
                            values.extend([None] * (index - len(values)))
                        values.append(self._value(cell))
                    number = int(row.get("r") or number + 1)
                    row.clear()
                    yield number, tuple(values)
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused("工作表内容无法解析（格式损坏或含有不允许的 XML 内容）。") from exc

    def _value(self, cell):
        kind = cell.get("t")
        if kind == "inlineStr":
            node = cell.find(INLINE)
            return None if node is None else "".join(t.text or "" for t in node.iter(TEXT))
        text = cell.findtext(VALUE)
        if text is None:
            return None
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return text == "1"
        if kind in ("str", "e", "d"):
            return text
        number = int(text) if text.lstrip("-").isdigit() else float(text)
        style = cell.get("s")
        if style is not None and int(style) in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number, self.epoch)
        return number


def _column_index(letters: str) -> int:
    from openpyxl.utils.cell import column_index_from_string

    return column_index_from_string(letters) - 1


def read_rows(data: bytes, sheet: Sheet, report: Report) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {field: raw cell value}) for each non-empty row."""
    wb = _Workbook(data)
    try:
        rows = wb.rows(sheet.title)
        _number, header = next(rows, (0, ()))
        if not header or all(v is None for v in header):
            raise FileRefused("工作表为空：第 1 行应为列标题（可下载模板查看）。")
        positions: dict[str, int] = {}
        by_header = {c.header: c for c in sheet.columns}
        for i, text in enumerate(header):
            name = normalise_header(text)
            if name in by_header and name not in positions:
                positions[name] = i
            elif name:
                report.notices.append(f"第 {i + 1} 列“{name}”不是模板中的列，已忽略。")
        for c in sheet.columns:
            if c.required and c.header not in positions:
                report.add(1, c.header, f"缺少必填列“{c.header}”。")
        if not report.ok:
            return
        wanted = [(c.field, positions[c.header]) for c in sheet.columns if c.header in positions]
        for number, values in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if report.rows >= MAX_ROWS:
                raise FileRefused(f"一次最多导入 {MAX_ROWS} 行，请拆分文件。")
            report.rows += 1
            n = len(values)
            yield number, {name: values[i] if i < n else None for name, i in wanted}
    finally:
        wb.close()
