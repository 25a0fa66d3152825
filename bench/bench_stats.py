"""Benchmark of the team-structure report (issue 14.2): 100 000 officials in ≤ 300 ms.

    python bench/bench_stats.py [--officials 100000] [--db sqlite|postgresql|both]
                                [--repeat 15] [--seed 2020] [--pg-server URL] [--url URL]

``--url``: an existing database instead of a fresh one (seeded only when empty; kept).

Each run builds a fresh database (scratch_db), loads ``seed_demo(N)`` and times
:func:`kaohe.stats.queries.figures` plus the team checks for the whole city and for the
largest unit, against a floor: one bare ``SELECT col, count(*) … GROUP BY col`` per
distribution over the same rows through the same connection (the scans the report cannot
avoid, without its CASE expressions, joins and shaping). Prints medians, p95, the ratio
and the load average. The rows "viewed again" time :func:`kaohe.stats.report.report`, as
the page, files and API call it, once the report is kept (nothing it reads written since):
what every view but the first after a change costs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.demo.seed import seed_demo  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.officials.models import Official  # noqa: E402
from kaohe.stats import queries  # noqa: E402
from kaohe.stats import report as kept_report  # noqa: E402
from kaohe.stats.rules import team_rules  # noqa: E402
from scratch_db import each_database, migrated_app  # noqa: E402

TARGET_MS = 300.0
FLOOR_SQL = [f"SELECT {col}, count(*) FROM official WHERE deleted_at IS NULL GROUP BY {col}"
             for col in ("birth_date", "gender", "ethnicity", "political_status", "edu_fulltime",
                         "edu_inservice", "rank", "unit_id")]
FLOOR_SQL.append("SELECT year, grade, count(*) FROM assessment_result WHERE kind = 'annual' "
                 "AND deleted_at IS NULL GROUP BY year, grade")
FLOOR_SQL.append("SELECT official_id, max(start_date) FROM post WHERE end_date IS NULL "
                 "AND deleted_at IS NULL GROUP BY official_id")


def timed(fn, floor, repeat: int) -> tuple[list[float], list[float]]:
    """Runs of ``fn`` and of ``floor`` in ms, alternated so that a change of the machine's
    load hits both alike (after one warm-up of each: plans and caches)."""
    fn(), floor()
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for out, f in zip(runs, (fn, floor)):
            started = time.perf_counter()
            f()
            out.append((time.perf_counter() - started) * 1000)
    return runs


def _p95(runs: list[float]) -> float:
    return sorted(runs)[min(len(runs) - 1, int(len(runs) * 0.95))]


def run(label: str, url: str, n: int, seed: int, repeat: int) -> None:
    print(f"\n== {label}: {n} officials")
    app = migrated_app(url)
    with app.app_context():
        cli_actor.set("bench")
        started = time.perf_counter()
        for _line in seed_demo(n, seed):  # does nothing on a database already seeded
            pass
        print(f"    seed: {time.perf_counter() - started:.0f} s")
        n = db.session.scalar(sa.select(sa.func.count(Official.id)))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        unit_id = db.session.scalar(sa.select(Official.unit_id).group_by(Official.unit_id)
                                    .order_by(sa.func.count().desc()).limit(1))
        day = dt.date.today()
        rules = team_rules()

        def report(scope):
            return lambda: (queries.figures(scope, day), queries.team_checks(scope, day, rules))

        def floor():
            conn = db.session.connection()
            for sql in FLOOR_SQL:
                conn.exec_driver_sql(sql).all()

        total = queries.figures(queries.Scope(), day)["total"]
        assert total == n, f"report counts {total} of {n} officials"
        print(f"    {'case':<42}{'median ms':>10}{'p95 ms':>9}{'floor ms':>10}{'ratio':>7}"
              f"  target ≤ {TARGET_MS:.0f} ms")
        scopes = (("city", queries.Scope()),
                  ("largest unit + sub-units", queries.Scope(unit_id=unit_id)),
                  ("largest unit's team", queries.Scope(unit_id=unit_id, team=True)))
        db.session.commit()  # nothing waits for a commit: the report may be kept
        cases = [(name, report(scope)) for name, scope in scopes]
        cases += [(f"{name}, viewed again", lambda scope=scope: kept_report.report(scope, day))
                  for name, scope in scopes]
        for name, fn in cases:
            runs, floor_runs = timed(fn, floor, repeat)
            med, floor_med = statistics.median(runs), statistics.median(floor_runs)
            verdict = "ok" if med <= TARGET_MS else "OVER"
            print(f"    {name:<42}{med:>10.1f}{_p95(runs):>9.1f}{floor_med:>10.1f}"
                  f"{med / floor_med:>7.2f}  {verdict}  (floor p95 {_p95(floor_runs):.1f})")
        print(f"    load average {os.getloadavg()[0]:.2f}")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officials", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--pg-server", default=os.environ.get(
        "KAOHE_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1"))
    parser.add_argument("--url", help="an existing database (kept)")
    args = parser.parse_args()
    if args.url:
        run(args.url.split(":")[0], args.url, args.officials, args.seed, args.repeat)
        return
    for label, url in each_database(args.db, args.pg_server, "kaohe_bench_stats"):
        run(label, url, args.officials, args.seed, args.repeat)


if __name__ == "__main__":
    main()
