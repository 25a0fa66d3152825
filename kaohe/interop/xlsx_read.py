"""Reading an uploaded .xlsx: the report of an import, and the rows of its sheet.

Every part is streamed (:mod:`kaohe.interop.xlsx_parts`) into a small handler that
keeps only what the import needs: the sheet list and date epoch (workbook), which
styles are dates (styles), the shared strings and the rows of one sheet, each read in
one pass. The bounds of :mod:`kaohe.core.limits` are checked while reading, so a
hostile file is refused after reading only as much as the first bound it passes,
in memory that does not grow with the file: the number and total length of the
shared strings (the table's declared count is checked first), the length of one
cell, and the rows of the sheet. The rows are bounded twice: before anything else of
the sheet is read, its ``<dimension>`` and a count of its ``<row>`` tags in the raw
bytes (:mod:`kaohe.interop.xlsx_count`), then a running count while parsing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from kaohe.core.limits import (XLSX_MAX_CELL_CHARS, XLSX_MAX_PARTS, XLSX_MAX_ROWS,
                               XLSX_MAX_SHARED_CHARS, XLSX_MAX_SHARED_STRINGS)
from kaohe.interop.sheets import Sheet, normalise_header
from kaohe.interop.xlsx_count import OverLimit, count_rows, last_row
from kaohe.interop.xlsx_parts import BAD_XML, NOT_XLSX, FileRefused, Package

MAX_PROBLEMS = 1_000  # the report stops listing after this many
MAX_STYLES = 100_000  # cell formats and number formats (Excel allows 64 000)
MAX_COLUMN = 16_384  # XFD
BAD_SHEET = "工作表内容无法解析（格式损坏或含有不允许的 XML 内容）。"
CELL_TOO_LONG = (f"有单元格的内容超过 {XLSX_MAX_CELL_CHARS} 个字符（Excel 单元格的上限），"
                 "文件无法导入。")
TOO_MANY_STRINGS = (f"文件中不同的文本超过 {XLSX_MAX_SHARED_STRINGS:,} 个，超出一次导入的上限，"
                    "请拆分文件。")
TOO_MUCH_TEXT = (f"文件中的文本总长度超过 {XLSX_MAX_SHARED_CHARS // 10_000} 万字，"
                 "超出一次导入的上限，请拆分文件。")
# Element names as expat gives them: namespace}local.
M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, C, V, T, R_PH, SI, SST, DIMENSION = (M + n for n in (
    "row", "c", "v", "t", "rPh", "si", "sst", "dimension"))
SHEET, WORKBOOK_PR, NUM_FMT, CELL_XFS, XF = (M + n for n in (
    "sheet", "workbookPr", "numFmt", "cellXfs", "xf"))
REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def too_many_rows(rows: int, ref: str = "") -> str:
    where = f"工作表的范围为 {ref}，共 {rows:,} 行" if ref else f"工作表超过 {rows - 1:,} 行"
    return (f"{where}，一次最多导入 {XLSX_MAX_ROWS:,} 行（不含标题行），"
            "请删除多余的行（包括设置了格式的空行）或拆分文件。")


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


class _Text:
    """Collects the text of one element, refusing more than a cell may hold."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.on = False

    def begin(self, on: bool = True) -> None:
        self.parts, self.length, self.on = [], 0, on

    def data(self, text: str) -> None:
        if self.on:
            self.length += len(text)
            if self.length > XLSX_MAX_CELL_CHARS:
                raise FileRefused(CELL_TOO_LONG)
            self.parts.append(text)

    def value(self) -> str:
        return "".join(self.parts)


class _WorkbookPart:
    """workbook.xml: the sheets (name, relationship id) and the date epoch."""

    def __init__(self):
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, name, attrs):
        if name == SHEET:
            if len(self.sheets) >= XLSX_MAX_PARTS:
                raise FileRefused(BAD_XML)
            self.sheets.append((attrs.get("name", ""), attrs.get(REL_ID, "")))
        elif name == WORKBOOK_PR:
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

    def end(self, name):
        pass

    def data(self, text):
        pass


class _Styles:
    """styles.xml: the indexes of the cell formats that show a date."""

    def __init__(self):
        self.custom: dict[int, str] = {}
        self.in_xfs = False
        self.xfs = 0
        self.dates: set[int] = set()

    def start(self, name, attrs):
        if name == NUM_FMT:
            if len(self.custom) >= MAX_STYLES:
                raise FileRefused(BAD_XML)
            self.custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif name == CELL_XFS:
            self.in_xfs = True
        elif name == XF and self.in_xfs:
            if self.xfs >= MAX_STYLES:
                raise FileRefused(BAD_XML)
            number = int(attrs.get("numFmtId", 0))
            code = self.custom.get(number) or BUILTIN_FORMATS.get(number)
            if code and is_date_format(code):
                self.dates.add(self.xfs)
            self.xfs += 1

    def end(self, name):
        if name == CELL_XFS:
            self.in_xfs = False

    def data(self, text):
        pass


class _SharedStrings:
    """sharedStrings.xml: every string's plain text (runs joined, phonetic runs left out)."""

    def __init__(self):
        self.strings: list[str] = []
        self.total = 0
        self.text = _Text()
        self.phonetic = 0

    def start(self, name, attrs):
        if name == T:
            self.text.on = not self.phonetic
        elif name == SI:
            self.text.begin(on=False)  # collected from its <t> elements only
        elif name == R_PH:
            self.phonetic += 1
        elif name == SST:
            declared = attrs.get("uniqueCount", "")
            if declared.isdigit() and int(declared) > XLSX_MAX_SHARED_STRINGS:
                raise FileRefused(TOO_MANY_STRINGS)

    def end(self, name):
        if name == T:
            self.text.on = False
        elif name == SI:
            if len(self.strings) >= XLSX_MAX_SHARED_STRINGS:
                raise FileRefused(TOO_MANY_STRINGS)
            self.total += self.text.length
            if self.total > XLSX_MAX_SHARED_CHARS:
                raise FileRefused(TOO_MUCH_TEXT)
            # openpyxl's reading of the "_x005F_" escape, kept so values stay as they were
            self.strings.append(self.text.value().replace("x005F_", ""))
        elif name == R_PH:
            self.phonetic -= 1

    def data(self, text):
        self.text.data(text)


class _SheetRows:
    """A worksheet, row by row: (row number, {column index: value}) in :attr:`done`."""

    def __init__(self, book: Book):
        self.book = book
        self.done: list[tuple[int, dict]] = []
        self.count = 0
        self.number = 0
        self.values: dict[int, object] = {}
        self.column = -1
        self.kind = self.style = None
        self.has_value = False
        self.text = _Text()
        self.phonetic = 0

    def start(self, name, attrs):
        if name == C:
            self.column = _column(attrs.get("r"), self.column)
            self.kind, self.style = attrs.get("t"), attrs.get("s")
            self.has_value = False
            self.text.on = False
        elif name == V or (name == T and self.kind == "inlineStr" and not self.phonetic):
            if not self.has_value:
                self.text.begin()
                self.has_value = True
            self.text.on = True
        elif name == R_PH:
            self.phonetic += 1
        elif name == ROW:
            self.count += 1
            if self.count > XLSX_MAX_ROWS + 1:
                raise FileRefused(too_many_rows(self.count))
            self.number = int(attrs.get("r") or self.number + 1)
            self.values, self.column = {}, -1
        elif name == DIMENSION:
            last = last_row(attrs.get("ref", ""))
            if last is not None and last > XLSX_MAX_ROWS + 1:
                raise FileRefused(too_many_rows(last, attrs["ref"][:40]))

    def end(self, name):
        if name == V or name == T:
            self.text.on = False
        elif name == C:
            if self.has_value:
                value = self.book.value(self.kind, self.style, self.text.value())
                if value is not None:
                    self.values[self.column] = value
        elif name == ROW:
            self.done.append((self.number, self.values))
        elif name == R_PH:
            self.phonetic -= 1

    def data(self, text):
        self.text.data(text)


def _column(ref: str | None, previous: int) -> int:
    """0-based column of cell reference ``ref`` ("AB12"); the next one when absent."""
    if not ref:
        return previous + 1
    index = 0
    for char in ref.rstrip("0123456789"):
        if not "A" <= char <= "Z":
            raise ValueError(ref)
        index = index * 26 + ord(char) - 64
    if not 1 <= index <= MAX_COLUMN:
        raise ValueError(ref)
    return index - 1


class Book:
    """The parts of the workbook the rows need; a sheet is read by :meth:`rows`."""

    def __init__(self, data: bytes, count: str | None = None):
        """``count``: a sheet whose rows are counted (:attr:`row_count`, refusing an
        over-long sheet) before the styles and shared strings are read."""
        self.package = Package(data)
        self.row_count = 0
        try:
            self._read(count)
        except BaseException:
            self.close()
            raise

    def _read(self, count: str | None) -> None:
        package = self.package
        try:
            main = next((name for _id, name in package.related("", "officeDocument")),
                        "xl/workbook.xml")
            if main not in package.sizes:
                raise FileRefused(NOT_XLSX)
            workbook, styles, strings = _WorkbookPart(), _Styles(), _SharedStrings()
            package.read(main, workbook)
            sheets = dict(package.related(main, "worksheet"))
            self.sheets = [(name, sheets[rid]) for name, rid in workbook.sheets if rid in sheets]
            if not self.sheets:
                raise FileRefused("文件中没有工作表。")
            if count is not None:
                self.row_count = self.count_rows(count)
            for kind, handler in (("styles", styles), ("sharedStrings", strings)):
                for _id, name in package.related(main, kind)[:1]:
                    package.read(name, handler)
        except (ValueError, KeyError) as exc:  # a number or name that is not one
            raise FileRefused(BAD_XML) from exc
        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        self.date_styles = styles.dates
        self.strings = strings.strings

    def close(self) -> None:
        self.package.close()

    def part(self, title: str) -> str:
        """The part of sheet ``title``, else of the first sheet."""
        return next((t for name, t in self.sheets if name == title), self.sheets[0][1])

    def count_rows(self, title: str) -> int:
        """The ``<row>`` elements of sheet ``title`` (header and empty rows included),
        counted without parsing; refuses a sheet over the row limit (see above)."""
        try:
            return count_rows(self.package.chunks(self.part(title)), XLSX_MAX_ROWS + 1)
        except OverLimit as exc:
            raise FileRefused(too_many_rows(exc.rows, exc.ref)) from None

    def rows(self, title: str) -> Iterator[tuple[int, dict]]:
        """(row number, {0-based column: value}) of each row of sheet ``title`` (else the
        first); values as openpyxl's ``values_only``, empty cells and rows left out."""
        target = self.part(title)
        sheet = _SheetRows(self)
        try:
            for _chunk in self.package.parse(target, sheet):
                yield from sheet.done
                sheet.done.clear()
            yield from sheet.done
        except (ValueError, IndexError, OverflowError, TypeError) as exc:
            raise FileRefused(BAD_SHEET) from exc

    def value(self, kind: str | None, style: str | None, text: str):
        """A cell's value from its type, style and text (as openpyxl reads it)."""
        if kind == "inlineStr" or kind in ("str", "e", "d"):
            return text
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return text == "1"
        if not text:
            return None  # a formula without a cached value
        number = int(text) if text.lstrip("-").isdigit() else float(text)
        if style is not None and int(style) in self.date_styles:
            return from_excel(number, self.epoch)
        return number


class SheetRows:
    """The rows of an import's sheet, streamed: (row number, {field: raw cell value})
    for each non-empty row, read when iterated (once). Opening reads the workbook's
    small parts and counts the sheet's rows without parsing them, so an over-long
    sheet is refused here (:class:`FileRefused`) and :attr:`total` is known."""

    def __init__(self, data: bytes, sheet: Sheet, report: Report):
        self.sheet, self.report = sheet, report
        self.book = Book(data, count=sheet.title)
        # Row elements after the header: an upper bound of the rows the import reads.
        self.total = max(self.book.row_count - 1, 0)

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        try:
            yield from self._rows()
        finally:
            self.book.close()

    def close(self) -> None:
        """Let the file go (iterating to the end does so too)."""
        self.book.close()

    def _rows(self) -> Iterator[tuple[int, dict]]:
        sheet, report = self.sheet, self.report
        rows = self.book.rows(sheet.title)
        _number, header = next(rows, (0, {}))
        if not header:
            raise FileRefused("工作表为空：第 1 行应为列标题（可下载模板查看）。")
        positions: dict[str, int] = {}
        by_header = {c.header: c for c in sheet.columns}
        for i, text in sorted(header.items()):
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
            if all(isinstance(v, str) and not v.strip() for v in values.values()):
                continue
            report.rows += 1
            yield number, {name: values.get(i) for name, i in wanted}


def read_rows(data: bytes, sheet: Sheet, report: Report) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {field: raw cell value}) for each non-empty row (see
    :class:`SheetRows`; nothing is read before the first ``next``)."""
    yield from SheetRows(data, sheet, report)
