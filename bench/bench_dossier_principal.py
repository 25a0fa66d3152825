"""Benchmark: a principal leader's dossier against a non-principal's (issue 12.10). Not a test.

    python bench/bench_dossier_principal.py [--units 200] [--indicators 60] [--repeat 15]
                                            [--postgresql postgresql://postgres@127.0.0.1]

Builds a throw-away database with a unit group of ``--units`` units and, for each of
2017, 2018 and 2019, a published scheme of ``--indicators`` indicators with the three
rounds entered (半年, 前三季度, 全年), public ratings and events. Two officials with the
same personal records work in one unit of the group: its principal leader (主要负责人),
whose dossier section 三 shows the unit's ranked result of each year, and a deputy, whose
does not. Prints the load average, the median time of a dossier (snapshot, number,
render, store, commit: ``services.generate``, as of 2020-04-10) of each, the ratio and
the SQL statements of each snapshot; the principal leader's dossier when the rankings
must be computed (the first after a change of the data they read; see
``kaohe.unitassess.services.round_cache``); then the time of a batch of ``--batch``
principal leaders' dossiers (one rendering process) against as many deputies'.

Target: principal ≤ 1.5 × non-principal.
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

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.scratch_db import postgresql_database, sqlite_database  # noqa: E402
from kaohe import create_app  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.auth.services import sync_roles  # noqa: E402
from kaohe.dossier import services  # noqa: E402
from kaohe.dossier.snapshot import build_snapshot  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.unitassess.services import round_cache  # noqa: E402
from tests import factories as f  # noqa: E402

YEARS, ROUNDS = (2017, 2018, 2019), ("half", "q3", "full")
AS_OF = dt.date(2020, 4, 10)
TARGET_RATIO = 1.5


def scheme(year: int, units, n_indicators: int, rng: random.Random) -> None:
    """A published scheme of ``year`` with every round of every unit entered."""
    from kaohe.unitassess import ROUND_ELAPSED
    from kaohe.unitassess.models import (Category, Indicator, IndicatorResult, PublicRating,
                                         Scheme, ScoreEvent)

    s = Scheme(year=year, group="county", name=f"{year} 年度区县目标责任考核", status="draft",
               public_weight=D(10), total_points=D(100), note="", published_by="bench")
    db.session.add(s)
    db.session.flush()
    cat = Category(scheme_id=s.id, name="经济发展")
    db.session.add(cat)
    db.session.flush()
    inds = []
    for j in range(n_indicators):
        method = "rank" if j % 6 == 0 else "grade" if j % 6 == 1 else "ratio"
        inds.append(Indicator(
            scheme_id=s.id, category_id=cat.id, code=f"I{j:02d}", name=f"指标{j}",
            max_points=D(90) / n_indicators, method=method, higher_is_better=j % 5 != 0,
            floor_ratio=D("0.5"), cap_ratio=D("1.1"),
            grade_map="好=1;中=0.8;差=0.5" if method == "grade" else ""))
    db.session.add_all(inds)
    s.status, s.published_at = "published", dt.datetime(year, 1, 15)
    db.session.flush()
    for r in ROUNDS:
        rows = []
        for u in units:
            for ind in inds:
                grade = rng.choice(["好", "中", "差"]) if ind.method == "grade" else ""
                actual = None if grade else D(str(round(
                    100 * ROUND_ELAPSED[r] * rng.uniform(.6, 1.2), 2)))
                rows.append(dict(scheme_id=s.id, indicator_id=ind.id, unit_id=u.id, round=r,
                                 target=None if grade else D(100), actual=actual, grade=grade,
                                 note=""))
        db.session.execute(IndicatorResult.__table__.insert(), rows)
        db.session.execute(PublicRating.__table__.insert(), [
            dict(scheme_id=s.id, unit_id=u.id, round=r, score=D(rng.randint(60, 100)),
                 source="") for u in units])
    db.session.execute(ScoreEvent.__table__.insert(), [
        dict(scheme_id=s.id, unit_id=rng.choice(units).id, kind=rng.choice(
            ["provincial_commendation", "provincial_deduction", "efficiency_bonus",
             "efficiency_penalty"]), date=dt.date(year, rng.randint(1, 12), 1),
             points=D(1), reason="事由", evidence="依据") for _ in range(300)])


def official(name: str, unit, principal: bool):
    """An official of ``unit`` since 2015 with a full personal record in the window."""
    o = f.official(name=name, unit_obj=unit)
    f.post(o, unit, start=dt.date(2015, 1, 1), principal=principal,
           title="区委书记" if principal else "副区长")
    for year in YEARS:
        f.result(o, year, "competent", score=88, public_rating=86, votes_total=40,
                 votes_excellent=20, votes_competent=16, votes_basically_competent=4,
                 votes_incompetent=0, comment="工作扎实，勇于担当，群众满意度较高。")
        for q in (1, 2, 3, 4):
            f.result(o, year, "competent", kind="quarterly", quarter=q)
        f.review(o, date=dt.date(year, 6, 1), strengths="政治站位高，大局意识强。" * 3)
    f.note(o, date=dt.date(2019, 3, 1))
    f.note(o, date=dt.date(2019, 4, 1), kind="personal_report")
    return o


def build(n_units: int, n_indicators: int, n_batch: int):
    """The group's schemes; (principal, deputy) of ``n_batch`` units, the first pair being
    the one timed alone."""
    rng = random.Random(2020)
    units = [f.unit(code=f"C{i:04d}", name=f"第{i}区", kind="county") for i in range(n_units)]
    for year in YEARS:
        scheme(year, units, n_indicators, rng)
    pairs = [(official(f"区委书记{i}", units[n_units // 2 + i], principal=True).id,
              official(f"副区长{i}", units[n_units // 2 + i], principal=False).id)
             for i in range(max(1, n_batch))]
    db.session.commit()
    return pairs


def dossier(oid: int) -> dict:
    """A dossier as the web action makes it (its audit entries move the log on)."""
    snap = services.generate(oid, AS_OF).snapshot
    db.session.commit()
    return snap


def statements(oid: int) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        build_snapshot(oid, AS_OF)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def run(url: str, args) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        sync_roles()
        db.session.commit()
        cli_actor.set("cli:bench")
        t = time.perf_counter()
        pairs = build(args.units, args.indicators, args.batch)
        chief, deputy = pairs[0]
        print(f"data: {args.units} units × {args.indicators} indicators × {len(ROUNDS)} rounds × "
              f"{len(YEARS)} published years in {time.perf_counter() - t:.1f} s")
        snap = dossier(chief)
        results = snap["unit_results"].get("results") or []
        assert [r["year"] for r in results] == list(YEARS), snap["unit_results"]
        assert all(r["size"] == args.units for r in results)
        dossier(deputy)  # warm-up
        times: dict[int, list[float]] = {chief: [], deputy: []}
        cold = []
        for _ in range(args.repeat):
            for oid in (chief, deputy):  # interleaved: both see the same machine load
                db.session.expire_all()
                t = time.perf_counter()
                dossier(oid)
                times[oid].append((time.perf_counter() - t) * 1000)
        for _ in range(3):
            round_cache.clear()
            db.session.expire_all()
            t = time.perf_counter()
            dossier(chief)
            cold.append((time.perf_counter() - t) * 1000)
        principal, other = statistics.median(times[chief]), statistics.median(times[deputy])
        ratio = principal / other
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(f"non-principal's dossier: median {other:.1f} ms, {statements(deputy)} statements")
        print(f"principal leader's dossier: median {principal:.1f} ms, "
              f"{statements(chief)} statements")
        print(f"ratio principal / non-principal: {ratio:.2f}× "
              f"[target ≤ {TARGET_RATIO}×: {'OK' if ratio <= TARGET_RATIO else 'MISSED'}]")
        print(f"principal leader's dossier with the rankings computed (first after a change): "
              f"median {statistics.median(cold):.1f} ms")
        batch = {}
        for side, ids in (("principal", [p for p, _ in pairs]), ("deputy", [d for _, d in pairs])):
            t = time.perf_counter()
            round_cache.clear()
            services.generate_batch(ids, AS_OF, workers=1)
            batch[side] = time.perf_counter() - t
            db.session.rollback()
        print(f"batch of {len(pairs)} (one process): principal leaders "
              f"{batch['principal']:.2f} s, deputies {batch['deputy']:.2f} s, "
              f"ratio {batch['principal'] / batch['deputy']:.2f}×")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--indicators", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--batch", type=int, default=30, help="dossiers per batch")
    ap.add_argument("--postgresql", metavar="SERVER", help="run on a fresh PostgreSQL database")
    args = ap.parse_args()
    make = (lambda: postgresql_database(args.postgresql)) if args.postgresql else sqlite_database
    with make() as url:
        run(url, args)


if __name__ == "__main__":
    main()
