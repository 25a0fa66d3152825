"""Benchmark of the Excel import (issue 8). Not a test.

    python bench/bench_import.py [--rows 10000] [--runs 3] [--url DATABASE_URL]

For each of ``--runs`` runs: builds a fresh temporary SQLite database (or empties
``--url``'s), creates 20 units, and times (wall clock) :func:`run_import` on an
officials workbook of ``--rows`` rows and on an annual-results workbook of the
same size (reading, checking every row through the forms and services, saving
with the audit log, committing), each followed by a second import of the same
file (idempotent: nothing changes). Prints every run, then the median of each
step in seconds and rows/s. Target: 10 000 rows in under 10 s on SQLite.
"""
from __future__ import annotations

import argparse
import statistics
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.interop import excel_import  # noqa: E402
from kaohe.interop.sheets import SHEETS  # noqa: E402
from kaohe.officials import idcard  # noqa: E402
from kaohe.units.services import save_unit  # noqa: E402

TARGET_S = 10.0
GRADES = ("优秀", "称职", "称职", "称职", "基本称职")


def id_number(i: int) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(i * 7) % 12000)
    first17 = f"3301{i // 1000 % 100:02d}{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + idcard.check_digit(first17), birth


def workbook(kind: str, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEETS[kind].title)
    ws.append([c.header for c in SHEETS[kind].columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def officials_rows(n: int):
    for i in range(n):
        number, birth = id_number(i)
        yield (f"干部{i:05d}", number, "男" if i % 3 else "女", birth.isoformat(), "汉族",
               "浙江杭州", "", "", "大学", "学士", "", "", "", "", f"B{i % 20:02d}",
               "科长", "正科级")


def results_rows(n: int):
    # Official i is in unit i % 20; one in five of each unit is 优秀: the 20% quota, exactly.
    for i in range(n):
        yield (id_number(i)[0], f"干部{i:05d}", 2019, GRADES[i // 20 % len(GRADES)], 80 + i % 20,
               "", "", "", "", "", "", "", "", "")


STEPS = (("import officials (new)", "officials", "officials"),
         ("re-import officials (unchanged)", "officials", "officials"),
         ("import annual results (new)", "annual", "results"),
         ("re-import annual results (unchanged)", "annual", "results"))


def timed(label: str, kind: str, data: bytes, rows: int) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    report = excel_import.run_import(kind, data)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.ok, report.problems[:5]
    print(f"  {label:<38} {rows:>6} rows  {seconds:6.2f} s (CPU {cpu:5.2f} s)  "
          f"{rows / seconds:8.0f} rows/s  "
          f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")
    return seconds


def one_run(url: str, rows: int, books: dict) -> list[float]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    cli_actor.set("cli:bench-import")
    with app.app_context():
        if not url.startswith("sqlite"):
            db.drop_all()
        upgrade()
        for i in range(20):
            save_unit(None, {"code": f"B{i:02d}", "name": f"测试单位{i}", "kind": "department"})
        db.session.commit()
        times = [timed(label, kind, books[book], rows) for label, kind, book in STEPS]
        db.session.remove()
        db.engine.dispose()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--url", help="database URL (default: a temporary SQLite file per run)")
    args = ap.parse_args()
    books = {"officials": workbook("officials", officials_rows(args.rows)),
             "results": workbook("annual", results_rows(args.rows))}
    print(f"workbook sizes: officials {len(books['officials']) // 1024} KiB, "
          f"results {len(books['results']) // 1024} KiB")
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="kaohe_bench_") as tmp:
            url = args.url or f"sqlite:///{tmp}/bench.db"
            print(f"run {n + 1} ({url.split(':')[0]}):")
            runs.append(one_run(url, args.rows, books))
    print(f"median of {args.runs} runs:")
    medians = [statistics.median(r[i] for r in runs) for i in range(len(STEPS))]
    for (label, _kind, _book), seconds in zip(STEPS, medians):
        print(f"  {label:<38} {seconds:6.2f} s  {args.rows / seconds:8.0f} rows/s")
    slowest_new = max(medians[0], medians[2])
    verdict = "OK" if slowest_new < TARGET_S * args.rows / 10_000 else "SLOW"
    print(f"target: 10 000 rows < {TARGET_S:.0f} s (slowest new import, median "
          f"{slowest_new:.2f} s) → {verdict}")


if __name__ == "__main__":
    main()
