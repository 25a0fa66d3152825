"""Benchmark of the Excel import against its floor (issues 8 and 17). Not a test.

    python bench/bench_import.py [--rows 10000 50000] [--runs 3]
                                 [--url postgresql://postgres@127.0.0.1]

For each size, an officials workbook of that many new officials is written once. Each
run then measures, one after the other, each in a fresh subprocess on a fresh scratch
database (a temporary SQLite file, or a database created on ``--url``'s PostgreSQL
server and dropped afterwards) holding the 20 units the rows name:

* floor: openpyxl (``read_only``) reads the workbook and the rows, mapped to the
  officials table's columns, are inserted with plain ``executemany`` (1 000 a batch),
  committed once: no checks, no audit;
* Kaohe: :func:`run_import` on the same bytes (every row through the page's form and
  the services' rules, the audit rows, one transaction);
* a reference, not a target: Kaohe with the pinyin name index left empty. The floor's
  rows carry no pinyin, so the database's search-key triggers write a name's character
  keys only (13 a row here), where Kaohe's rows add the pinyin prefixes of its readings
  (6 more for 干部…, 17 more before the standard readings of migration 0029); this run
  shows what that index costs, the rest being Kaohe's own work.

Each step reports its wall time and its peak memory: the subprocess's peak RSS
(``ru_maxrss``) less its RSS just before the step, the app loaded. Prints every run,
the medians, Kaohe / floor, and the load average (``os.getloadavg()``) before and after.
Target: Kaohe ≤ 1.2 × floor; Kaohe's memory about the same at 10 000 and 50 000 rows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook, load_workbook  # noqa: E402

from bench import scratch_db  # noqa: E402
from kaohe.officials import idcard  # noqa: E402

TARGET = 1.2
UNITS = 20
STEPS = ("floor", "kaohe", "no pinyin")
HEADERS = ("姓名", "身份证号", "性别", "出生日期", "民族", "籍贯", "政治面貌", "入党时间",
           "参加工作时间", "全日制学历", "全日制学位", "全日制毕业院校及专业", "所在单位", "现任职务",
           "职级")
# The floor's mapping of those columns to the officials table (no checks).
FIELDS = ("name", "id_number", "gender", "birth_date", "ethnicity", "native_place",
          "political_status", "party_date", "work_start_date", "edu_fulltime",
          "degree_fulltime", "school_fulltime", "unit_id", "current_post", "rank")
DATES = {"birth_date", "party_date", "work_start_date"}


def id_number(i: int) -> tuple[str, dt.date]:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(i * 7) % 12000)
    first17 = f"3301{i // 1000 % 100:02d}{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + idcard.check_digit(first17), birth


def officials_workbook(n: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("干部基本信息")
    ws.append(HEADERS)
    for i in range(n):
        number, birth = id_number(i)
        ws.append((f"干部{i:05d}", number, "男" if i % 3 else "女", birth.isoformat(), "汉族",
                   "浙江杭州", "中共党员", "1998.07", "1996.08", "大学本科", "经济学学士",
                   "浙江大学经济学专业", f"B{i % UNITS:02d}", "科长", "正科级"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- one step (subprocess)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _floor(data: bytes) -> int:
    """openpyxl read + plain executemany insert of the same rows into the same table."""
    from sqlalchemy import insert, select

    from kaohe.extensions import db
    from kaohe.interop.bulk import _default
    from kaohe.officials.models import Official
    from kaohe.units.models import Unit

    table = Official.__table__
    defaults = {c.key: _default(c) for c in table.columns if c.key != "id"}
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    genders = {"男": "M", "女": "F"}
    connection = db.session.connection()
    book = load_workbook(io.BytesIO(data), read_only=True)
    batch, count = [], 0
    for values in book.active.iter_rows(min_row=2, values_only=True):
        row = dict(defaults)
        for name, value in zip(FIELDS, values):
            if name in DATES:
                text = str(value).replace(".", "-")
                value = dt.date.fromisoformat(text if text.count("-") == 2 else text + "-01")
            row[name] = value
        row["gender"], row["unit_id"] = genders[row["gender"]], units[row["unit_id"]]
        batch.append(row)
        if len(batch) == 1000:
            connection.execute(insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(insert(table), batch)
        count += len(batch)
    book.close()
    db.session.commit()
    return count


def child(step: str, path: str, url: str) -> None:
    from kaohe import create_app
    from kaohe.audit.services import cli_actor
    from kaohe.interop import excel_import

    data = Path(path).read_bytes()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    cli_actor.set("cli:bench-import")
    with app.app_context():
        before = _rss_bytes()
        start = time.perf_counter()
        if step == "floor":
            rows = _floor(data)
        else:
            if step == "no pinyin":  # the reference run only
                excel_import.index_text = lambda _name: ""
            report = excel_import.run_import("officials", data)
            assert report.committed, report.problems[:3]
            rows = report.created
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": (peak - before) / 2**20}))


# ---------------------------------------------------------------- driver


def prepare(url: str) -> None:
    """Schema and the units the rows name, in a subprocess of its own."""
    code = ("import sys; sys.path.insert(0, '.');"
            "from bench.scratch_db import migrated_app;"
            "from kaohe.extensions import db;"
            "from kaohe.units.services import save_unit;"
            f"app = migrated_app({url!r}); ctx = app.app_context(); ctx.push();"
            f"[save_unit(None, {{'code': f'B{{i:02d}}', 'name': f'测试单位{{i}}',"
            f" 'kind': 'department'}}) for i in range({UNITS})]; db.session.commit()")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                   cwd=Path(__file__).resolve().parent.parent)


def measure(step: str, path: str, server: str | None) -> dict:
    database = (scratch_db.postgresql_database(server, "kaohe_bench_import") if server
                else scratch_db.sqlite_database("kaohe_bench_import"))
    with database as url:
        prepare(url)
        out = subprocess.run([sys.executable, __file__, "--child", step, path, url],
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--url", help="PostgreSQL server URL (default: SQLite files)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    print(f"database: {'PostgreSQL ' + args.url if args.url else 'SQLite'}; "
          f"load average before: {os.getloadavg()}")
    summary = []
    with tempfile.TemporaryDirectory(prefix="kaohe_bench_import_") as tmp:
        for rows in args.rows:
            path = f"{tmp}/officials_{rows}.xlsx"
            Path(path).write_bytes(officials_workbook(rows))
            print(f"{rows} rows ({os.path.getsize(path) // 1024} KiB):")
            runs: dict[str, list[dict]] = {step: [] for step in STEPS}
            for n in range(args.runs):
                for step in STEPS:
                    result = measure(step, path, args.url)
                    assert result["rows"] == rows, result
                    runs[step].append(result)
                    print(f"  run {n + 1} {step:<9} {result['seconds']:7.2f} s  "
                          f"peak +{result['peak_mb']:6.1f} MB  load {os.getloadavg()[0]:.2f}")
            med = {step: {k: statistics.median(r[k] for r in runs[step])
                          for k in ("seconds", "peak_mb")} for step in STEPS}
            ratio = med["kaohe"]["seconds"] / med["floor"]["seconds"]
            summary.append((rows, med, ratio))
    print(f"medians of {args.runs} runs "
          f"({'PostgreSQL' if args.url else 'SQLite'}; target Kaohe ≤ {TARGET} × floor):")
    for rows, med, ratio in summary:
        print(f"  {rows:>6} rows  floor {med['floor']['seconds']:6.2f} s "
              f"(+{med['floor']['peak_mb']:.0f} MB)  Kaohe {med['kaohe']['seconds']:6.2f} s "
              f"(+{med['kaohe']['peak_mb']:.0f} MB)  ratio {ratio:.2f} "
              f"{'OK' if ratio <= TARGET else 'SLOW'}")
        bare = med["no pinyin"]["seconds"]
        print(f"  {'':>6}       Kaohe without the pinyin name index (reference) {bare:6.2f} s, "
              f"ratio {bare / med['floor']['seconds']:.2f}: the index costs "
              f"{med['kaohe']['seconds'] - bare:.2f} s")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
