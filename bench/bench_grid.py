"""Benchmark of the indicator grid (issue 14.4): a round of 200 units × 60 indicators
saved through the grid's service in ≤ 5 s.

    python bench/bench_grid.py [--units 200] [--indicators 60] [--db sqlite|postgresql|both]
                               [--pg-server URL]

Each run builds a fresh database, a published scheme and its units, then times
:func:`kaohe.unitassess.services.grid.save_grid` for every cell (new results: parsed,
checked, inserted, audited, committed) beside the floor: the same rows written by one
plain Core ``INSERT`` (no checks, no audit) and committed. Prints both, the ratio and the
load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.core.models import utcnow  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.unitassess.models import IndicatorResult  # noqa: E402
from kaohe.unitassess.services import grid, scheme as svc  # noqa: E402
from kaohe.units.services import save_unit  # noqa: E402
from scratch_db import each_database, migrated_app  # noqa: E402

TARGET_S = 5.0


def build(n_units: int, n_indicators: int):
    s = svc.save_scheme(None, {"year": 2025, "group": "county", "name": "基准方案",
                               "public_weight": Decimal("10"), "note": ""})
    cat = svc.save_category(s, None, {"name": "经济发展", "sort_order": 1})
    points = Decimal(90) / n_indicators
    for i in range(n_indicators):
        svc.save_indicator(s, None, {
            "category_id": cat.id, "method": "ratio", "higher_is_better": True,
            "floor_ratio": Decimal("0.5"), "cap_ratio": Decimal("1"), "grade_map": "",
            "unit_label": "", "sort_order": i, "code": f"I{i:02d}", "name": f"指标{i}",
            "max_points": points.quantize(Decimal("0.0001"))})
    db.session.flush()
    s.indicators[-1].max_points += Decimal(90) - sum(i.max_points for i in s.indicators)
    svc.publish(s)
    units = [save_unit(None, {"code": f"B{u:04d}", "name": f"区{u}", "kind": "county",
                              "parent_id": None, "leader_in_charge": "副市长"})
             for u in range(n_units)]
    db.session.commit()
    cells = {(u.id, i.id): f"{80 + (u.id + i.id) % 20}/100" for u in units for i in s.indicators}
    return s, cells


def run(label: str, url: str, n_units: int, n_indicators: int) -> None:
    print(f"\n== {label}: {n_units} units × {n_indicators} indicators")
    app = migrated_app(url)
    with app.app_context():
        cli_actor.set("bench")
        s, cells = build(n_units, n_indicators)
        started = time.perf_counter()
        saved = grid.save_grid(s, "full", cells)
        db.session.commit()
        kaohe_s = time.perf_counter() - started
        assert saved.created == len(cells)
        now = utcnow()
        rows = [{"scheme_id": s.id, "indicator_id": i, "unit_id": u, "round": "half",
                 "target": Decimal(100), "actual": Decimal(text.split("/")[0]), "grade": "",
                 "note": "", "version": 1, "created_at": now, "recorded_by_id": None}
                for (u, i), text in cells.items()]
        started = time.perf_counter()
        db.session.execute(IndicatorResult.__table__.insert(), rows)
        db.session.commit()
        floor_s = time.perf_counter() - started
        verdict = "ok" if kaohe_s <= TARGET_S else "OVER"
        print(f"    grid save {kaohe_s:.2f} s ({len(cells)} cells)   floor (plain INSERT) "
              f"{floor_s:.2f} s   ratio {kaohe_s / floor_s:.1f}   target ≤ {TARGET_S:.0f} s: "
              f"{verdict}   load average {os.getloadavg()[0]:.2f}")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-server", default=os.environ.get(
        "KAOHE_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1"))
    args = parser.parse_args()
    for label, url in each_database(args.db, args.pg_server, "kaohe_bench_grid"):
        run(label, url, args.units, args.indicators)


if __name__ == "__main__":
    main()
