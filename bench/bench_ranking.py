"""Benchmark: ranking and itemised breakdown of 200 units × 60 indicators × 3 rounds.

Builds a throw-away SQLite database, loads a published scheme with 60 indicators
(ratio, rank and grade methods), 36 000 results, public ratings and events, then
times ``load_round`` (database read + scoring + ranking + grades + flags) for the three
rounds, and the pure computation alone. Prints median seconds; target < 1 s.

    python bench/bench_ranking.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.extensions import db  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "TESTING": True})
    with app.app_context():
        upgrade()
        from kaohe.unitassess.services import data, ranking, scoring

        data.party_conduct_source = lambda: None  # no discipline data in this database
        s = build()
        full, pure = [], []
        for _ in range(args.repeat):
            db.session.expire_all()
            t0 = time.perf_counter()
            out = [data.load_round(s, r) for r in ROUNDS]
            full.append(time.perf_counter() - t0)
            assert all(rr.size == UNITS for rr in out)
            assert len(out[2].rows[0].score.lines) >= INDICATORS + 1
        # pure computation on pre-loaded inputs
        specs = data.indicator_specs(s)
        from kaohe.unitassess.models import IndicatorResult
        loaded = {}
        for r in ROUNDS:
            loaded[r] = {(x.unit_id, x.indicator_id): scoring.ResultRow(
                x.unit_id, x.indicator_id, data._f(x.target), data._f(x.actual), x.grade)
                for x in db.session.query(IndicatorResult).filter_by(round=r)}
        unit_ids = sorted({u for u, _ in loaded["full"]})
        meta = {u: (f"B{u:04d}", "") for u in unit_ids}
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for r in ROUNDS:
                scores = scoring.score_round(2023, r, unit_ids, specs, loaded[r], 10.0, {}, [],
                                             [], scoring.Params())
                ranking.rank_units(scores, meta, ranking.Bands())
            pure.append(time.perf_counter() - t0)
    print(f"{UNITS} units × {INDICATORS} indicators × {len(ROUNDS)} rounds "
          f"({UNITS * INDICATORS * len(ROUNDS)} results), {args.repeat} runs")
    print(f"load + score + rank + breakdown, 3 rounds: median {statistics.median(full):.3f} s")
    print(f"score + rank only (inputs in memory), 3 rounds: median {statistics.median(pure):.3f} s")


if __name__ == "__main__":
    main()
