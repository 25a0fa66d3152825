"""Import officials, posts and results from .xlsx: every row checked, all or nothing.

Every row goes through the form class of the page (field rules, in Chinese) and
then through the feature's service (business rules), exactly as if typed in.
Rows are matched on natural keys (ID number; + unit + start date for posts;
+ year (+ quarter) for results): a row equal to what is recorded changes
nothing, so importing the same file twice is harmless. When any row has a
problem the whole transaction is rolled back and the report lists every
problem (row, column, message); otherwise everything is committed at once.
"""
from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.services import save_result
from kaohe.audit.services import record_event
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import BaseForm
from kaohe.extensions import db
from kaohe.interop.sheets import SHEETS, CellError, Column, Sheet, cell_text, normalise_header, parse_date
from kaohe.officials import idcard
from kaohe.officials.models import Official, Post
from kaohe.officials.services import save_official, save_post
from kaohe.units.models import Unit

MAX_ROWS = 50_000
MAX_PROBLEMS = 1_000  # the report stops listing after this many
CHUNK = 500


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


def _row_form(form_cls):
    """One instance of the page's form, re-filled for every row (binding is the slow part)."""

    class RowForm(form_cls):
        def __init__(self):
            # Skip BaseForm.__init__'s database choices: unit selects accept any id
            # (validate_choice=False) and the service reports unknown units.
            super(BaseForm, self).__init__(formdata=None, meta={"csrf": False})
            for f in self:
                if getattr(f, "choices", ()) is None:
                    f.choices = []

    form = RowForm()

    def fill(formdata):
        form.process(formdata)
        return form

    return fill


# ---------------------------------------------------------------- reading


def read_rows(data: bytes, sheet: Sheet, report: Report) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {field: raw cell value}) for each non-empty row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileRefused("无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件"
                          "（可先下载模板填写）。") from exc
    except Exception as exc:  # defusedxml refusals, malformed parts
        raise FileRefused("文件内容无法解析（格式损坏或含有不允许的 XML 内容）。") from exc
    try:
        ws = wb[sheet.title] if sheet.title in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
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
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if report.rows >= MAX_ROWS:
                raise FileRefused(f"一次最多导入 {MAX_ROWS} 行，请拆分文件。")
            report.rows += 1
            yield number, {c.field: (values[positions[c.header]]
                                     if positions.get(c.header, len(values)) < len(values)
                                     else None)
                           for c in sheet.columns if c.header in positions}
    finally:
        wb.close()


# ---------------------------------------------------------------- one row


class Lookup:
    """Units by name or code, officials by ID number; loaded once per import."""

    def __init__(self):
        self.units: dict[str, int | None] = {}
        # Held here so the services' session.get(Unit, id) finds them in the identity map.
        self.unit_objects = list(db.session.scalars(select(Unit)))
        for unit in self.unit_objects:
            self.units[unit.code] = unit.id
            # A name shared by two units is ambiguous: None.
            self.units[unit.name] = None if unit.name in self.units and \
                self.units[unit.name] != unit.id else unit.id
        self.officials: dict[str, Official] = {}

    def load_officials(self, numbers) -> None:
        wanted = sorted({n for n in numbers if n and n not in self.officials})
        for i in range(0, len(wanted), CHUNK):
            for o in db.session.scalars(select(Official).where(
                    Official.id_number.in_(wanted[i:i + CHUNK]))):
                self.officials[o.id_number] = o


def _form_values(sheet: Sheet, raw: dict, lookup: Lookup,
                 current=None) -> tuple[MultiDict, dict[str, str]]:
    """Cells → the form data a browser would post; cell-level problems by field.

    A column missing from the file keeps ``current``'s value (blank for a new record).
    """
    form, errors = MultiDict(sheet.fixed), {}
    for c in sheet.columns:
        if c.kind == "person" or c.field == "person_name":
            continue
        if c.field not in raw:
            text = _current_text(current, c.field) if current is not None else ""
        else:
            try:
                text = _convert(c, raw[c.field], lookup)
            except CellError as exc:
                errors[c.field] = str(exc)
                continue
        if c.kind != "bool" or text:  # an unticked checkbox is not posted
            form[c.field] = text
    return form, errors


def _current_text(obj, name: str) -> str:
    value = getattr(obj, name, None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _convert(c: Column, value, lookup: Lookup) -> str:
    if c.kind in ("date", "month_date"):
        if value is None or cell_text(value) == "":
            return ""
        day, _month_only = parse_date(value, month_ok=c.kind == "month_date")
        return day.isoformat()
    text = cell_text(value)
    if text == "":
        return ""
    if c.kind == "choice" or c.kind == "bool":
        if text not in c.choices:
            shown = "、".join(k for k in c.choices if k)
            raise CellError(f"“{text}”不是允许的取值；应为：{shown}。")
        return c.choices[text]
    if c.kind == "unit":
        if text not in lookup.units:
            raise CellError(f"系统中没有名称或代码为“{text}”的单位。")
        if lookup.units[text] is None:
            raise CellError(f"有多个单位名为“{text}”，请改填单位代码。")
        return str(lookup.units[text])
    if c.kind == "int" and isinstance(value, float) and not value.is_integer():
        raise CellError(f"“{text}”不是整数。")
    return text


class RowProblems(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors


def _validated(sheet: Sheet, raw: dict, lookup: Lookup, form_cls, current=None) -> dict:
    formdata, errors = _form_values(sheet, raw, lookup, current)
    form = form_cls(formdata)
    if not form.validate():
        for name, messages in form.errors.items():
            if messages and name not in errors:
                errors[name] = messages[0]
    if errors:
        raise RowProblems(errors)
    data = form.data_for_service()
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _with_current(sheet, raw, lookup, form_cls, data, current):
    """Re-read the row over ``current`` when the file lacks some of the sheet's columns."""
    if current is None or all(c.field in raw for c in sheet.columns):
        return data
    return _validated(sheet, raw, lookup, form_cls, current)


def _official_for_row(raw: dict, lookup: Lookup) -> Official:
    number = cell_text(raw.get("id_number")).upper()
    issue = idcard.problem(number) if number else "请填写身份证号。"
    if issue:
        raise RowProblems({"id_number": issue})
    official = lookup.officials.get(number)
    if official is None:
        raise RowProblems({"id_number": f"系统中没有身份证号为 {number} 的干部，请先导入干部基本信息。"})
    name = cell_text(raw.get("person_name"))
    if name and name != official.name:
        raise RowProblems({"person_name": f"与身份证号对应的干部姓名（{official.name}）不一致。"})
    return official


def _changed(obj, data: dict) -> bool:
    return any(getattr(obj, k) != v for k, v in data.items() if hasattr(obj, k))


# ---------------------------------------------------------------- kinds


def _import_official(raw, lookup, form_cls, seen, existing_by_key):
    number = cell_text(raw.get("id_number")).upper()
    birth = raw.get("birth_date")
    # 出生日期 given to the month only: take the day from the ID number when they agree.
    if birth is not None and idcard.problem(number) is None:
        try:
            day, month_only = parse_date(birth, month_ok=True)
        except CellError:
            month_only = False
        if month_only and idcard.birth_date(number).replace(day=1) == day:
            raw = {**raw, "birth_date": idcard.birth_date(number)}
    official = lookup.officials.get(number)
    data = _validated(SHEETS["officials"], raw, lookup, form_cls, official)
    data["id_number"] = data["id_number"].upper()
    key = data["id_number"]
    _once(seen, key, "id_number", "身份证号")
    if official is not None and not _changed(official, data):
        return "unchanged"
    saved = save_official(official, data)
    lookup.officials[key] = saved
    return "updated" if official is not None else "created"


def _once(seen: dict, key, field_name: str, label: str) -> None:
    if key in seen:
        raise RowProblems({field_name: f"与第 {seen['_rows'][key]} 行{label}重复。"})
    seen[key] = True
    seen["_rows"][key] = seen["_current"]


def _import_post(raw, lookup, form_cls, seen, existing_by_key):
    official = _official_for_row(raw, lookup)
    data = _validated(SHEETS["posts"], raw, lookup, form_cls)
    key = (official.id, data["unit_id"], data["start_date"])
    _once(seen, key, "start_date", "干部、任职单位和任职时间")
    post = existing_by_key("posts", official).get(key)
    data = _with_current(SHEETS["posts"], raw, lookup, form_cls, data, post)
    if data.get("is_principal"):
        seen["_flush"]()  # the overlap check must see the file's earlier posts
    if post is not None and not _changed(post, data):
        return "unchanged"
    save_post(official, post, data)
    return "updated" if post is not None else "created"


def _import_result(kind):
    def run(raw, lookup, form_cls, seen, existing_by_key):
        official = _official_for_row(raw, lookup)
        data = _validated(SHEETS[kind], raw, lookup, form_cls)
        data["quarter"] = data.get("quarter") if kind == "quarterly" else None
        data["task_name"] = ""
        key = (official.id, data.get("year"), kind, data["quarter"])
        _once(seen, key, "quarter" if kind == "quarterly" else "year",
              "干部和年度" + ("、季度" if kind == "quarterly" else ""))
        result = existing_by_key("results", official).get(key)
        data = _with_current(SHEETS[kind], raw, lookup, form_cls, data, result)
        data["quarter"] = data.get("quarter") if kind == "quarterly" else None
        data["task_name"] = ""
        if result is not None and not _changed(result, data):
            return "unchanged"
        save_result(official, result, data)
        return "updated" if result is not None else "created"

    return run


IMPORTERS: dict[str, Callable] = {"officials": _import_official, "posts": _import_post,
                                  "annual": _import_result("annual"),
                                  "quarterly": _import_result("quarterly")}


class _Existing:
    """Posts and results of the officials of the file, loaded in chunks on demand."""

    def __init__(self):
        self.loaded: dict[str, set[int]] = {"posts": set(), "results": set()}
        self.items: dict[str, dict] = {"posts": {}, "results": {}}

    def prefetch(self, what: str, official_ids) -> None:
        ids = sorted(set(official_ids) - self.loaded[what])
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            if what == "posts":
                for p in db.session.scalars(select(Post).where(Post.official_id.in_(part))):
                    self.items[what][(p.official_id, p.unit_id, p.start_date)] = p
            else:
                for r in db.session.scalars(select(AssessmentResult).where(
                        AssessmentResult.official_id.in_(part),
                        AssessmentResult.kind.in_(("annual", "quarterly")))):
                    self.items[what][(r.official_id, r.year, r.kind, r.quarter)] = r
            self.loaded[what].update(part)

    def __call__(self, what: str, official: Official) -> dict:
        if official.id not in self.loaded[what]:
            self.prefetch(what, [official.id])
        return self.items[what]


@contextlib.contextmanager
def batched_flushes(every: int = 500):
    """Let the services' per-record ``flush()`` run once per ``every`` records.

    Used for sheets whose rows cannot see each other through the services'
    queries (duplicates inside the file are found by :func:`_once` instead);
    autoflush is off meanwhile, and everything is flushed at the end. The audit
    listener writes the same rows, only in bigger batches.
    """
    session = db.session()
    real_flush = type(session).flush
    count = 0

    def flush(objects=None):
        nonlocal count
        count += 1
        if count % every == 0:
            real_flush(session, objects)

    session.flush = flush
    try:
        with session.no_autoflush:
            yield lambda: real_flush(session)
        real_flush(session)
    finally:
        del session.flush


def run_import(kind: str, data: bytes, *, dry_run: bool = False,
               progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every row of ``data`` and import them all, or nothing; commits or rolls back.

    Raises :class:`FileRefused` when the file cannot be read at all.
    """
    report = Report(kind=kind, dry_run=dry_run)
    for done, total in import_steps(kind, data, report):
        if progress:
            progress(done, total)
    return report


def import_steps(kind: str, data: bytes, report: Report,
                 every: int = 500) -> Iterator[tuple[int, int]]:
    """:func:`run_import` as a generator of (rows done, rows in total), for progress."""
    sheet = SHEETS[kind]
    form_cls = _row_form(sheet.form_cls)
    lookup, existing = Lookup(), _Existing()
    seen: dict = {"_rows": {}}
    importer = IMPORTERS[kind]
    # Read the whole sheet first (cheap), then preload the officials it names.
    rows = list(read_rows(data, sheet, report))
    total = len(rows)
    yield 0, total
    lookup.load_officials(cell_text(raw.get("id_number")).upper() for _n, raw in rows)
    if kind != "officials":
        what = "posts" if kind == "posts" else "results"
        existing.prefetch(what, [o.id for o in lookup.officials.values()])
    try:
        with batched_flushes() as flush_now:
            seen["_flush"] = flush_now
            for index, (number, raw) in enumerate(rows, start=1):
                seen["_current"] = number
                try:
                    outcome = importer(raw, lookup, form_cls, seen, existing)
                    setattr(report, outcome, getattr(report, outcome) + 1)
                except (RowProblems, ValidationFailed) as exc:
                    _report_row(report, sheet, number, exc.errors)
                if index % every == 0 and index < total:
                    yield index, total
        if report.ok and report.rows and not report.dry_run:
            if report.created or report.updated:
                record_event("import", f"xlsx:{kind}", None, {
                    "rows": report.rows, "created": report.created,
                    "updated": report.updated, "unchanged": report.unchanged})
            db.session.commit()
            report.committed = True
        else:
            db.session.rollback()
    except IntegrityError:
        db.session.rollback()
        report.add(0, "", "保存时与他人刚刚录入的记录冲突，未导入任何内容，请稍后重试。")
    except BaseException:
        db.session.rollback()  # includes the client going away mid-stream (GeneratorExit)
        raise
    yield total, total


def _report_row(report: Report, sheet: Sheet, number: int, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        column = sheet.column(name)
        report.add(number, column.header if column else "", message)
