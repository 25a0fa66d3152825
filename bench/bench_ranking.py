"""Benchmark (issue 17): ranking 200 units × 60 indicators × 3 rounds against a floor.

Builds a throw-away database (SQLite, PostgreSQL or both), loads a published scheme with
60 indicators (ratio, rank and grade methods), 36 000 results, public ratings and events,
then times, in the same run and alternately,

* Kaohe: ``load_round`` of the three rounds (database read + each unit's figures +
  completeness + ranking + grades + flags; the itemised breakdown lines are built only
  for a unit whose lines are read, checked here before timing), and
* the floor: raw SQL reading the same results, ratings, events and indicators, and plain
  float arithmetic computing the same total per unit (ratio, rank and grade methods, the
  public rating, the events up to the round's end) and sorting them.

The floor's totals are asserted equal to Kaohe's (to the cent) before timing. Prints
medians, p95, the ratio (target ≤ 2×) and the load average.

    python bench/bench_ranking.py [--repeat 15] [--db sqlite|postgresql|both]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402

from kaohe.extensions import db  # noqa: E402
from kaohe.unitassess import ROUND_ELAPSED, ROUND_END  # noqa: E402
from kaohe.unitassess.models import EVENT_KINDS  # noqa: E402
from scratch_db import each_database, migrated_app  # noqa: E402

UNITS, INDICATORS, ROUNDS = 200, 60, ("half", "q3", "full")


def build():
    from kaohe.unitassess import ROUND_ELAPSED
    from kaohe.unitassess.models import (Category, Indicator, IndicatorResult, PublicRating,
                                         Scheme, ScoreEvent)
    from kaohe.units.models import Unit

    rng = random.Random(2023)
    units = [Unit(code=f"B{i:04d}", name=f"单位{i}", kind="county", leader_in_charge="副市长")
             for i in range(UNITS)]
    db.session.add_all(units)
    s = Scheme(year=2023, group="county", name="bench", status="draft",
               public_weight=D(10), total_points=D(100), note="", published_by="")
    db.session.add(s)
    db.session.flush()
    cat = Category(scheme_id=s.id, name="经济发展")
    db.session.add(cat)
    db.session.flush()
    inds = []
    for j in range(INDICATORS):
        method = "rank" if j % 6 == 0 else "grade" if j % 6 == 1 else "ratio"
        inds.append(Indicator(scheme_id=s.id, category_id=cat.id, code=f"I{j:02d}",
                              name=f"指标{j}", max_points=D(1.5), method=method,
                              higher_is_better=j % 5 != 0, floor_ratio=D("0.5"),
                              cap_ratio=D("1.1"), grade_map="好=1;中=0.8;差=0.5" if method == "grade" else ""))
    db.session.add_all(inds)
    s.status = "published"
    db.session.flush()
    rows = []
    for r in ROUNDS:
        for u in units:
            for ind in inds:
                grade = rng.choice(["好", "中", "差"]) if ind.method == "grade" else ""
                actual = None if grade else D(str(round(100 * ROUND_ELAPSED[r] * rng.uniform(.6, 1.2), 2)))
                rows.append(dict(scheme_id=s.id, indicator_id=ind.id, unit_id=u.id, round=r,
                                 target=None if grade else D(100), actual=actual, grade=grade,
                                 note=""))
        db.session.execute(PublicRating.__table__.insert(), [
            dict(scheme_id=s.id, unit_id=u.id, round=r, score=D(rng.randint(60, 100)), source="")
            for u in units])
    db.session.execute(IndicatorResult.__table__.insert(), rows)
    db.session.execute(ScoreEvent.__table__.insert(), [
        dict(scheme_id=s.id, unit_id=rng.choice(units).id, kind=rng.choice(
            ["provincial_commendation", "provincial_deduction", "efficiency_bonus",
             "efficiency_penalty"]), date=dt.date(2023, rng.randint(1, 12), 1),
             points=D(1), reason="事由", evidence="依据") for _ in range(300)])
    db.session.commit()
    return s


FLOOR_SQL = {
    "indicators": "SELECT id, method, max_points, higher_is_better, floor_ratio, cap_ratio, "
                  "grade_map FROM ua_indicator WHERE scheme_id = :s",
    "units": "SELECT id FROM unit WHERE kind = :g AND deleted_at IS NULL",
    "results": "SELECT unit_id, indicator_id, CAST(target AS FLOAT), CAST(actual AS FLOAT), "
               "grade FROM ua_result WHERE scheme_id = :s AND round = :r AND deleted_at IS NULL",
    "ratings": "SELECT unit_id, CAST(score AS FLOAT) FROM ua_public_rating "
               "WHERE scheme_id = :s AND round = :r AND deleted_at IS NULL",
    "events": "SELECT unit_id, kind, date, CAST(points AS FLOAT) FROM ua_event "
              "WHERE scheme_id = :s AND deleted_at IS NULL",
}


def floor_totals(conn, scheme_id: int, year: int, group: str, round_: str, weight: float,
                 multiplier: float) -> list[tuple[int, float]]:
    """(unit, total) best first: raw SQL and plain float arithmetic, same figures."""
    q = {k: sa.text(v) for k, v in FLOOR_SQL.items()}
    specs = {}
    for i, method, top, higher, low, cap, gmap in conn.execute(q["indicators"], {"s": scheme_id}):
        grades = {}
        for part in (gmap or "").split(";"):
            name, _, value = part.partition("=")
            if name:
                grades[name] = float(value)
        specs[i] = (method, float(top), bool(higher), float(low), float(cap), grades)
    units = [u for (u,) in conn.execute(q["units"], {"g": group})]
    total = dict.fromkeys(units, 0.0)
    elapsed = ROUND_ELAPSED[round_]
    ranked: dict[int, list] = {}
    for u, i, target, actual, grade in conn.execute(q["results"], {"s": scheme_id, "r": round_}):
        method, top, higher, low, cap, grades = specs[i]
        if method == "grade":
            total[u] += round(top * grades.get(grade, 0.0), 2) if grade else 0.0
        elif method == "rank":
            if actual is not None:
                ranked.setdefault(i, []).append((actual, u))
        elif actual is not None and target:
            r = actual / target / elapsed if higher else (target / actual if actual > 0 else cap)
            total[u] += 0.0 if r < low else round(top * min(r, cap), 2)
    for i, values in ranked.items():
        method, top, higher, low, cap, _ = specs[i]
        values.sort(reverse=higher)
        n, first, last = len(values), 0, None
        for pos, (v, u) in enumerate(values, start=1):
            if v != last:
                first, last = pos, v
            share = 1.0 if n <= 1 else 1 - (first - 1) / (n - 1) * (1 - low)
            total[u] += round(top * share, 2)
    for u, score in conn.execute(q["ratings"], {"s": scheme_id, "r": round_}):
        total[u] += round(score / 100 * weight, 2)
    end = dt.date(year, *ROUND_END[round_])
    for u, kind, day, points in conn.execute(q["events"], {"s": scheme_id}):
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        if day <= end and u in total:
            _, sign, provincial = EVENT_KINDS[kind]
            total[u] += round(sign * points * (multiplier if provincial else 1.0), 2)
    return sorted(((u, round(t, 2)) for u, t in total.items()), key=lambda x: -x[1])


def timed(fn, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def run(label: str, url: str, repeat: int) -> None:
    print(f"\n== {label}: {UNITS} units × {INDICATORS} indicators × {len(ROUNDS)} rounds "
          f"({UNITS * INDICATORS * len(ROUNDS)} results)")
    app = migrated_app(url)
    with app.app_context():
        from kaohe.unitassess.services import data, figures

        data.party_conduct_source = lambda: None  # no discipline data in this database
        s = build()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        multiplier = figures.params(figures.of(s)).provincial_multiplier
        key = (s.id, s.year, s.group)
        weight = float(s.public_weight)

        def kaohe():
            db.session.expire_all()  # read the records again, as a new request would
            return [data.load_round(s, r) for r in ROUNDS]

        def floor():
            conn = db.session.connection()
            return [floor_totals(conn, *key, r, weight, multiplier) for r in ROUNDS]

        for rr, expected in zip(kaohe(), floor()):  # also the warm-up
            assert rr.size == UNITS and len(rr.rows[0].score.lines) >= INDICATORS + 1
            assert all(round(sum(x.points for x in row.score.lines), 2) == row.score.total
                       for row in rr.rows), "breakdown lines differ from the totals"
            got = {row.unit_id: row.score.total for row in rr.rows}
            assert all(abs(got[u] - t) < 0.006 for u, t in expected), "totals differ"
            assert [row.score.total for row in rr.rows] == [t for _, t in expected]
        k_runs, f_runs = [], []
        for _ in range(repeat):  # alternate, so load changes hit both alike
            k_runs += timed(kaohe, 1)
            f_runs += timed(floor, 1)
        km, fm = statistics.median(k_runs), statistics.median(f_runs)
        p95 = sorted(k_runs)[min(repeat - 1, int(repeat * 0.95))]
        print(f"    kaohe load_round × 3: median {km:.1f} ms (p95 {p95:.1f})")
        print(f"    floor raw SQL + float: median {fm:.1f} ms")
        print(f"    ratio {km / fm:.2f}  target ≤ 2.00  {'ok' if km <= 2 * fm else 'OVER'}; "
              f"load average {os.getloadavg()[0]:.2f}")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-server", default=os.environ.get(
        "KAOHE_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1"))
    args = parser.parse_args()
    for label, url in each_database(args.db, args.pg_server, "kaohe_bench_ranking"):
        run(label, url, args.repeat)


if __name__ == "__main__":
    main()
