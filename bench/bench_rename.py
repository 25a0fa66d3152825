"""Benchmark of renaming officials: the cost of keeping the name search keys in step
(the update trigger of migration 0030). Not a test.

    python bench/bench_rename.py [--officials 10000] [--renames 1000] [--runs 3]
                                 [--db both] [--pg postgresql://postgres@127.0.0.1]

On a scratch database per engine loaded with ``--officials`` officials (seed-demo's
data), each run renames ``--renames`` officials spread over the table, one UPDATE of
the name and its pinyin each, inside a transaction rolled back afterwards:

* floor: the same statements with the search-key triggers off (dropped or disabled in
  the transaction): the update alone, leaving the key table stale;
* Kaohe: with the triggers, which delete the old name's keys by primary key and write
  the new name's.

Migration 0024's triggers scanned the whole key table for each official (SQLite 10 ms,
PostgreSQL 20 ms per rename among 10 000 officials; seconds at a million). Prints each
run, the medians, Kaohe / floor, the key table's size and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bench import scratch_db  # noqa: E402
from kaohe.demo.seed import seed_demo  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.officials.models import Official  # noqa: E402
from kaohe.search import keys  # noqa: E402
from kaohe.search.index import OfficialSearchKey  # noqa: E402
from kaohe.search.pinyin import index_text  # noqa: E402

UPDATE = text("UPDATE official SET name = :name, name_pinyin = :spelled WHERE id = :id")


def _triggers_off(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ALTER TABLE official DISABLE TRIGGER {keys.PG_TRIGGER}")
    else:
        for name in keys.SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")


def one_run(renames: list[dict], floor: bool) -> float:
    """Seconds for the renames, in a transaction rolled back afterwards."""
    connection = db.session.connection()
    if floor:
        _triggers_off(connection)
    start = time.perf_counter()
    for params in renames:
        connection.execute(UPDATE, params)
    seconds = time.perf_counter() - start
    db.session.rollback()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--officials", type=int, default=10_000)
    ap.add_argument("--renames", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1")
    args = ap.parse_args()
    for engine, url in scratch_db.each_database(args.db, args.pg, "kaohe_bench_rename"):
        app = scratch_db.migrated_app(url)
        with app.app_context():
            for _line in seed_demo(args.officials, 2020):
                pass
            db.session.commit()
            key_rows = db.session.scalar(select(func.count()).select_from(OfficialSearchKey))
            step = max(1, args.officials // args.renames)
            officials = db.session.execute(select(Official.id, Official.name)
                                           .order_by(Official.id)).all()[::step][:args.renames]
            renames = [{"id": oid, "name": name[:1] + "新" + name[1:],
                        "spelled": index_text(name[:1] + "新" + name[1:])}
                       for oid, name in officials]
            print(f"{engine}: {args.officials} officials, {key_rows} search keys; "
                  f"{len(renames)} renames a run; load before {os.getloadavg()[0]:.2f}")
            results: dict[str, list[float]] = {"floor": [], "kaohe": []}
            for n in range(args.runs):
                for step_name in results:
                    seconds = one_run(renames, floor=step_name == "floor")
                    results[step_name].append(seconds)
                    print(f"  run {n + 1} {step_name:<6} {seconds:7.3f} s  "
                          f"({seconds / len(renames) * 1000:.2f} ms a rename)  "
                          f"load {os.getloadavg()[0]:.2f}")
            floor, kaohe = (statistics.median(results[k]) for k in ("floor", "kaohe"))
            print(f"  medians: floor {floor:.3f} s, Kaohe {kaohe:.3f} s, "
                  f"ratio {kaohe / floor:.1f}×; load after {os.getloadavg()[0]:.2f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
