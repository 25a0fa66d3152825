"""Benchmark of ``seed-demo`` at scale (issue 17: a million officials in ≤ 15 min).

    python bench/bench_seed.py [--officials 100000] [--db sqlite|postgresql|both]
                               [--seed 2020] [--pg-server URL] [--keep URL]

Each database gets a fresh scratch database (bench/scratch_db.py; ``--keep``: the
empty database at URL instead, kept for ``bench_officials.py --url``), migrated, then
``seed_demo(N, seed)``; printed: every progress line with the seconds since the
previous one, the total seconds, rows/s over all rows written, and the peak RSS of
the seeding process. The floor, measured in the same run on a second fresh
database: the same N officials rows (the seed's own rows, prepared as tuples
outside the clock) inserted plainly with DBAPI ``executemany`` in batches of 5 000
into the officials table (with its indexes and the name search triggers, which write
~15 key rows per official row by row; the seed turns them off and builds the keys
once after the officials), one commit. Each database runs in its own child process
so peak RSS belongs to that run alone.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from scratch_db import migrated_app, postgresql_database, sqlite_database  # noqa: E402

FLOOR_BATCH = 5000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def seed(url: str, n: int, seed_value: int) -> dict:
    from kaohe.demo.seed import seed_demo
    from kaohe.extensions import db

    app = migrated_app(url)
    with app.app_context():
        started = last = time.perf_counter()
        for line in seed_demo(n, seed_value):
            now = time.perf_counter()
            print(f"    {now - last:7.1f} s  {line}", flush=True)
            last = now
        seconds = time.perf_counter() - started
        tables = [t for t in db.metadata.sorted_tables]
        with db.engine.connect() as conn:
            rows = sum(conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables)
        db.session.remove()
        db.engine.dispose()
    return {"seconds": seconds, "rows": rows, "rss_mb": _rss_mb()}


def floor(url: str, n: int, seed_value: int) -> float:
    """Seconds to executemany the seed's N officials rows (prepared beforehand)."""
    from kaohe.demo.seed import Seeder
    from kaohe.extensions import db
    from kaohe.officials.models import Official

    app = migrated_app(url)
    with app.app_context():
        seeder = Seeder(n, seed_value)
        seeder.make_units()
        db.session.commit()
        rows, spent = seeder.official_rows(), 0.0
        first = next(rows)
        # The seed's columns plus the defaults Core adds to its INSERT (the row version).
        defaults = {c.name: c.default.arg for c in Official.__table__.columns
                    if c.name not in first and c.default is not None and c.default.is_scalar}
        columns = [*first, *defaults]
        rows = ({**r, **defaults} for r in itertools.chain([first], rows))
        marks = ", ".join(["?" if db.engine.dialect.name == "sqlite" else "%s"] * len(columns))
        sql = f"INSERT INTO official ({', '.join(columns)}) VALUES ({marks})"
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            while True:
                batch = [tuple(r[c] for c in columns) for _, r in zip(range(FLOOR_BATCH), rows)]
                if not batch:
                    break
                started = time.perf_counter()
                cursor.executemany(sql, batch)
                spent += time.perf_counter() - started
            started = time.perf_counter()
            raw.commit()
            spent += time.perf_counter() - started
        finally:
            raw.close()
        db.engine.dispose()
    return spent


def child(kind: str, n: int, seed_value: int, server: str, keep: str | None) -> None:
    database = sqlite_database if kind == "sqlite" else (
        lambda: postgresql_database(server))
    if keep:
        result = seed(keep, n, seed_value)
    else:
        with database() as url:
            result = seed(url, n, seed_value)
    # Printed before the floor runs: a floor that fails (a full disk at a million) still
    # leaves the seed's figures.
    print("RESULT " + json.dumps(result), flush=True)
    with database() as url:
        print("FLOOR " + json.dumps(floor(url, n, seed_value)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--pg-server", default=os.environ.get(
        "KAOHE_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1"))
    parser.add_argument("--keep", metavar="URL",
                        help="seed this empty database (of --db's engine) and keep it, "
                             "e.g. for bench_officials.py --url")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.officials, args.seed, args.pg_server, args.keep)
        return
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if args.keep and len(kinds) != 1:
        parser.error("--keep names one database: choose --db sqlite or --db postgresql")
    summary = []
    for kind in kinds:
        print(f"\n== {kind}: seed-demo --officials {args.officials} --seed {args.seed}, "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        result = None
        with subprocess.Popen(
                [sys.executable, __file__, "--child", kind, "--officials", str(args.officials),
                 "--seed", str(args.seed), "--pg-server", args.pg_server,
                 *(["--keep", args.keep] if args.keep else [])],
                stdout=subprocess.PIPE, text=True) as proc:
            for line in proc.stdout:
                if line.startswith("RESULT "):
                    result = json.loads(line[7:]) | {"floor_s": None}
                    load = os.getloadavg()  # at the end of the seed, before the floor
                elif line.startswith("FLOOR ") and result is not None:
                    result["floor_s"] = json.loads(line[6:])
                else:
                    print(line, end="", flush=True)
        if result is None:
            raise SystemExit(f"{kind}: the seed failed (exit {proc.returncode})")
        summary.append((kind, result, load))
    print(f"\n{'db':<11}{'officials':>10}{'rows':>11}{'seed s':>9}{'rows/s':>9}"
          f"{'RSS MB':>8}{'floor s':>9}{'floor/s':>9}{'ratio':>7}  load 1/5/15 min")
    for kind, r, load in summary:
        floor_s = r["floor_s"]
        floor_cols = (f"{floor_s:>9.1f}{args.officials / floor_s:>9.0f}"
                      f"{r['seconds'] / floor_s:>7.1f}" if floor_s
                      else f"{'failed':>9}{'—':>9}{'—':>7}")
        print(f"{kind:<11}{args.officials:>10}{r['rows']:>11}{r['seconds']:>9.1f}"
              f"{r['rows'] / r['seconds']:>9.0f}{r['rss_mb']:>8.0f}{floor_cols}  "
              + "/".join(f"{x:.2f}" for x in load))
    print("ratio = whole seed (every table) / the floor (officials rows only); "
          "floor/s = officials rows per second plainly")


if __name__ == "__main__":
    main()
