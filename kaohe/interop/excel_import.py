"""Import officials, posts and results from .xlsx: every row checked, all or nothing.

Every row goes through the form class of the page (field rules, in Chinese) and
then through the feature's service rules, exactly as if typed in. Rows are
matched on natural keys (ID number; + unit + start date for posts; + year
(+ quarter) for results): a row equal to what is recorded changes nothing, so
importing the same file twice is harmless. When any row has a problem the whole
transaction is rolled back and the report lists every problem (row, column,
message); otherwise everything is committed at once.

New officials and results pass the services' checks (``check_official``,
``assessments.services.validate``, with the existence lookups answered from
what the import preloaded) and are then inserted in bulk with their audit rows
(:mod:`kaohe.interop.bulk`); updates go through the services' save functions. The
sheet is streamed a batch of rows at a time (see :func:`import_steps`), so memory
does not follow the file's length; the audit entries wait for the commit, though
(:mod:`kaohe.audit.pending`).
"""
from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kaohe.assessments import quota
from kaohe.assessments import services as assessment_services
from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.services import save_result
from kaohe.audit.services import record_event
from kaohe.core.errors import ValidationFailed
from kaohe.core.prefetch import Prefetched
from kaohe.extensions import db
from kaohe.interop import bulk
from kaohe.interop.row_check import (CHUNK, Lookup, RowProblems, changed, official_for_row,
                                     refuse_if_recused, row_form, validated, with_current)
from kaohe.interop.sheets import SHEETS, CellError, Sheet, cell_text, parse_date
from kaohe.interop.xlsx_read import FileRefused, Report, SheetRows, read_rows  # noqa: F401 (public)
from kaohe.officials import idcard
from kaohe.officials.models import Official, Post
from kaohe.officials.services import check_official, save_official, save_post
from kaohe.search import keys
from kaohe.search.pinyin import index_text


BATCH = 1_000  # rows read, checked and saved together


class Run:
    """State of one import: lookups, rows seen, new records waiting for the bulk insert."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.fill = row_form(sheet.form_cls)
        self.lookup = Lookup()
        self.existing = _Existing()
        self.rows: dict = {}  # natural key → first row number
        self.number = 0  # the row being read
        self.pending: dict[type, list[dict]] = defaultdict(list)
        self.flush_now: Callable[[], None] = lambda: None
        self.cache: dict = {}  # per-kind preloads (schemes, indicators…)
        self.excellent = _QuotaOfFile()
        self.search_keys = keys.InsertsIndexedAtEnd()

    def once(self, key, field_name: str, label: str) -> None:
        """Refuse a second row with the same natural key."""
        if key in self.rows:
            raise RowProblems({field_name: f"与第 {self.rows[key]} 行{label}重复。"})
        self.rows[key] = self.number

    def validated(self, raw: dict, current=None, errors=None, extra=None) -> dict:
        return validated(self.sheet, raw, self.lookup, self.fill, current, errors, extra)

    def with_current(self, raw: dict, data: dict, current, extra=None) -> dict:
        return with_current(self.sheet, raw, self.lookup, self.fill, data, current, extra)

    def begin_batch(self, kind: str, batch: list[tuple[int, dict]]) -> None:
        """Load the officials the batch names and, for posts and results, their records
        (those of earlier batches are let go: rows are matched within their batch)."""
        self.lookup.forget_officials()
        self.existing = _Existing()
        self.lookup.load_officials(cell_text(raw.get("id_number")).upper() for _n, raw in batch)
        if kind in ("posts", "annual", "quarterly"):
            what = "posts" if kind == "posts" else "results"
            self.existing.prefetch(what, [o.id for o in self.lookup.officials.values()])

    def end_batch(self, save: bool) -> None:
        """Flush the batch's updates and insert its new records when ``save``, else
        drop them (a file with a problem or a dry run saves nothing)."""
        self.flush_now()
        if save:
            for model, new_rows in self.pending.items():
                if model is Official:
                    self.search_keys.before_insert(db.session.connection())
                bulk.insert_records(model, new_rows)
        self.pending.clear()


# ---------------------------------------------------------------- kinds


def _import_official(raw, run: Run):
    number = cell_text(raw.get("id_number")).upper()
    birth = raw.get("birth_date")
    # 出生日期 given to the month only: take the day from the ID number when they agree.
    if birth is not None:
        try:
            day, month_only = parse_date(birth, month_ok=True)
        except CellError:
            month_only = False
        if (month_only and idcard.problem(number) is None
                and idcard.birth_date(number).replace(day=1) == day):
            raw = {**raw, "birth_date": idcard.birth_date(number)}
    official = run.lookup.officials.get(number)
    refuse_if_recused(official)
    data = run.validated(raw, official)
    data["id_number"] = data["id_number"].upper()
    key = data["id_number"]
    run.once(key, "id_number", "身份证号")
    if official is not None and not changed(official, data):
        return "unchanged"
    if official is None:
        data, errors = check_official(None, data, run.lookup.id_number_holder,
                                      run.lookup.unit_ids.__contains__)
        if errors:
            raise RowProblems(errors)
        # Inserted in bulk, past the model's name validator: its pinyin index set here.
        run.pending[Official].append({**data, "name_pinyin": index_text(data["name"])})
        return "created"
    save_official(official, data)
    return "updated"


def _import_post(raw, run: Run):
    official = official_for_row(raw, run.lookup)
    data = run.validated(raw)
    key = (official.id, data["unit_id"], data["start_date"])
    run.once(key, "start_date", "干部、任职单位和任职时间")
    post = run.existing("posts", official).get(key)
    data = run.with_current(raw, data, post)
    if data.get("is_principal"):
        run.flush_now()  # the overlap check must see the file's earlier posts
    if post is not None and not changed(post, data):
        return "unchanged"
    save_post(official, post, data)
    return "updated" if post is not None else "created"


def _no_duplicate(_official_id, _data, _exclude_id):
    """The result's key was just looked up among the preloaded results: there is none."""
    return None


def _import_result(kind):
    def run_row(raw, run: Run):
        official = official_for_row(raw, run.lookup)
        data = run.validated(raw)
        data["quarter"] = data.get("quarter") if kind == "quarterly" else None
        key = (official.id, data.get("year"), kind, data["quarter"])
        run.once(key, "quarter" if kind == "quarterly" else "year",
                 "干部和年度" + ("、季度" if kind == "quarterly" else ""))
        result = run.existing("results", official).get(key)
        data = run.with_current(raw, data, result)
        data["quarter"] = data.get("quarter") if kind == "quarterly" else None
        data["task_name"] = ""
        if result is not None and not changed(result, data):
            return "unchanged"
        before = result.grade if result is not None else None
        if result is None:
            errors = assessment_services.validate(official.id, data, duplicate=_no_duplicate)
            if errors:
                raise RowProblems(errors)
            run.pending[AssessmentResult].append({**data, "official_id": official.id})
        else:
            # The 优秀 quota is checked on the whole file's final state, after every row.
            save_result(official, result, data, check_quota=False)
        if kind == "annual":
            run.excellent.note(run.number, official.id, data["year"], data["grade"], before)
        return "created" if result is None else "updated"

    return run_row


class _QuotaOfFile:
    """The 优秀 quota over a file of annual results, checked once every row is read.

    The rows' grades are laid over what is recorded, so a file that lowers one
    official and raises another passes in any row order; every row raising an
    official to 优秀 in a unit and year left over the quota is refused.
    """

    def __init__(self):
        self.final: dict[tuple[int, int], str] = {}
        self.raised: dict[int, tuple[int, int]] = {}  # row number → (official id, year)

    def note(self, number: int, official_id: int, year: int, grade: str,
             before: str | None) -> None:
        self.final[(official_id, year)] = grade
        if grade == quota.EXCELLENT and before != quota.EXCELLENT:
            self.raised[number] = (official_id, year)

    def problems(self) -> dict[int, dict[str, str]]:
        refusals = quota.check(self.final, self.raised)
        rows: dict[tuple[int, int], list[int]] = defaultdict(list)
        for number, refusal in sorted(refusals.items()):
            if refusal.usage is not None:
                rows[(refusal.usage.unit_id, refusal.year)].append(number)
        out = {}
        for number, refusal in refusals.items():
            u = refusal.usage
            if u is None:
                out[number] = {"grade": quota.unknown_unit_message(refusal.year)}
                continue
            listed = "、".join(map(str, rows[(u.unit_id, u.year)]))
            out[number] = {"grade": (
                f"不能评为优秀：{u.headline()}，导入后优秀 {u.excellent} 人"
                f"（按本文件导入后计；本文件评为优秀的：第 {listed} 行）。{u.footnote()}")}
        return out


def _importers() -> dict[str, Callable]:
    from kaohe.interop.import_discipline import import_finding
    from kaohe.interop.import_unitassess import import_indicator_result

    return {"officials": _import_official, "posts": _import_post,
            "annual": _import_result("annual"), "quarterly": _import_result("quarterly"),
            "indicators": import_indicator_result, "findings": import_finding}


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

    Rows cannot see each other through the services' queries meanwhile
    (duplicates inside the file are found by :meth:`Run.once` instead);
    autoflush is off, and everything is flushed at the end. The audit listener
    writes the same rows, only in bigger batches.
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
    """:func:`run_import` as a generator of (rows done, rows in total), for progress.

    The sheet is streamed in batches of :data:`BATCH` rows: each batch's officials
    and records are loaded, its rows checked, and, while no row has failed, its new
    records inserted, all in the one transaction that is committed or rolled back at
    the end. Only the batch, the report and the file's natural keys stay in memory.
    """
    run = Run(SHEETS[kind])
    importer = _importers()[kind]
    stream = SheetRows(data, run.sheet, report)  # an over-long sheet is refused here
    # Read ahead in a thread: the parsing overlaps the waits on each batch's insert.
    reading = Prefetched(iter(stream), ahead=BATCH)
    rows = iter(reading)
    total, done = stream.total, 0
    try:
        yield 0, total
        with batched_flushes() as flush_now:
            run.flush_now = flush_now
            while batch := list(itertools.islice(rows, BATCH)):
                run.begin_batch(kind, batch)
                for number, raw in batch:
                    run.number = number
                    try:
                        outcome = importer(raw, run)
                        setattr(report, outcome, getattr(report, outcome) + 1)
                    except (RowProblems, ValidationFailed) as exc:
                        _report_row(report, run.sheet, number, exc.errors)
                    done += 1
                    if done % every == 0 and done < total:
                        yield done, total
                batch = None  # not held while the next one is read
                run.end_batch(save=report.ok and not report.dry_run)
        for number, errors in sorted(run.excellent.problems().items()):
            _report_row(report, run.sheet, number, errors)
        if report.ok and report.rows and not report.dry_run:
            if report.created or report.updated:
                record_event("import", f"xlsx:{kind}", None, {
                    "rows": report.rows, "created": report.created,
                    "updated": report.updated, "unchanged": report.unchanged})
            run.search_keys.finish(db.session.connection())
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
    finally:
        reading.close()  # the thread stopped before the file is let go
        stream.close()
    yield max(total, done), max(total, done)


def _report_row(report: Report, sheet: Sheet, number: int, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        column = sheet.column(name)
        report.add(number, column.header if column else "", message)
