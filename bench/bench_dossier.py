"""Benchmark of the three-year evaluation dossier (issue 3). Not a test.

    python bench/bench_dossier.py [--officials 300] [--dossiers 100] [--seed 2020]
                                  [--as-of YYYY-MM-DD] [--memory-rounds 600]

Builds a fresh temporary SQLite database, loads the demo city
(``kaohe.demo.seed.seed_demo``; a small built-in data set when that module is
absent) and prints:

* median ms per dossier (snapshot + render, one process), and the floor: a bare
  ReportLab document laying out the same snapshot's text (every string of the
  snapshot as a plain paragraph in the same font, no queries), and their ratio;
* seconds for a batch of ``--dossiers`` dossiers (snapshots, rendering on every
  core, storing, merging into one PDF with bookmarks);
* memory: live traced memory (tracemalloc) and RSS at checkpoints over many
  dossiers (flat = no growth), and the peak traced memory of one dossier.

Targets on a 2-core machine: ≤ 80 ms median, ≤ 6 s per 100-dossier batch,
≤ 1.5× the floor, flat memory.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402
from sqlalchemy import select  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.auth.services import sync_roles  # noqa: E402
from kaohe.dossier import services  # noqa: E402
from kaohe.dossier.render import render_pdf  # noqa: E402
from kaohe.dossier.snapshot import build_snapshot  # noqa: E402
from kaohe.dossier.styles import kit  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.officials.models import Official  # noqa: E402

TARGET_MS, TARGET_BATCH_S, TARGET_RATIO = 80.0, 6.0, 1.5


def load_data(n: int, seed: int) -> str:
    try:
        from kaohe.demo.seed import seed_demo
    except ImportError:
        small_city(n, seed)
        return "built-in small data set"
    for _ in seed_demo(n, seed):
        pass
    return f"seed_demo({n}, {seed})"


def small_city(n: int, seed: int) -> None:
    """Fallback data: n officials with posts, results, reviews and notes (real services)."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests import factories as f

    rng = random.Random(seed)
    grades = ["excellent", "competent", "competent", "competent", "basically_competent"]
    unit = f.unit(name="江州市浔江区")
    for i in range(n):
        o = f.official(name=rng.choice("王李张刘陈杨黄赵") + rng.choice("建国志强丽华晓明海燕"),
                       birth=dt.date(1965 + i % 20, 1 + i % 12, 1 + i % 27), unit_obj=unit)
        f.post(o, unit, start=dt.date(2014, 1, 1), end=dt.date(2017, 6, 30), title="副区长")
        f.post(o, unit, start=dt.date(2017, 7, 1), principal=i % 3 == 0, title="区长")
        for year in range(2016, 2020):
            if rng.random() < 0.9:
                f.result(o, year, rng.choice(grades), score=rng.randint(70, 98),
                         public_rating=rng.randint(70, 99), votes_total=40, votes_excellent=20,
                         votes_competent=15, votes_basically_competent=5, votes_incompetent=0,
                         comment="工作扎实，勇于担当，群众满意度较高；推进重点项目有力。")
            for q in (1, 2, 3, 4):
                f.result(o, year, rng.choice(grades), kind="quarterly", quarter=q)
        for k in range(3):
            f.review(o, date=dt.date(2017 + k, 6, 1), strengths="政治站位高，大局意识强，抓落实有韧劲。" * 3,
                     weaknesses="创新意识不足；基层调研不够深入。", summary="综合表现较好。")
        f.note(o, date=dt.date(2018, 3, 1))
        f.note(o, date=dt.date(2019, 5, 1), kind="personal_report")
    db.session.commit()


def leaves(value):
    """Every string and number of a snapshot (not the keys)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
        yield str(value)


def floor_pdf(snap: dict, font_name: str) -> bytes:
    """The floor: the snapshot's text as plain ReportLab paragraphs, same font."""
    style = ParagraphStyle("floor", fontName=font_name, fontSize=10.5, leading=16,
                           wordWrap="CJK")
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, invariant=1).build(
        [Paragraph(escape(t), style) for t in leaves(snap)])
    return buf.getvalue()


def one(oid: int, as_of: dt.date, font) -> tuple[dict, bytes]:
    snap = build_snapshot(oid, as_of)
    at = services.now_local()
    snap = services.with_meta(snap, services.number(at.year, 1), at, "bench")
    return snap, render_pdf(snap, font)


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, peak
    except OSError:
        return peak, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--officials", type=int, default=300)
    ap.add_argument("--dossiers", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    ap.add_argument("--memory-rounds", type=int, default=600)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="kaohe-bench-dossier-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        sync_roles()
        db.session.commit()
        cli_actor.set("cli:bench")
        t = time.perf_counter()
        source = load_data(args.officials, args.seed)
        print(f"data: {source} in {time.perf_counter() - t:.1f} s; as-of {args.as_of}")
        everyone = list(db.session.scalars(select(Official.id).order_by(Official.id)))
        first = services.earliest_records(everyone)
        ids = [oid for oid in everyone if oid in first][:args.dossiers]
        font = services.font_spec()
        k = kit(font)
        print(f"font: {k.font.source} ({'embedded TrueType' if k.font.embedded else 'CID'}); "
              f"{len(ids)} officials; {os.cpu_count()} CPUs")
        for oid in ids[:3]:  # warm-up: font registration, imports
            one(oid, args.as_of, font)
            floor_pdf(one(oid, args.as_of, font)[0], k.font.name)

        ms, cpu, floor_ms, floor_cpu, pages, sizes = [], [], [], [], [], []
        for oid in ids:
            t, c = time.perf_counter(), time.process_time()
            snap, pdf = one(oid, args.as_of, font)
            ms.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            t, c = time.perf_counter(), time.process_time()
            floor_pdf(snap, k.font.name)
            floor_ms.append((time.perf_counter() - t) * 1000)
            floor_cpu.append((time.process_time() - c) * 1000)
            pages.append(pdf.count(b"/Type /Page\n"))
            sizes.append(len(pdf))
        med, fmed = statistics.median(ms), statistics.median(floor_ms)
        cmed, fcmed = statistics.median(cpu), statistics.median(floor_cpu)
        ratio = med / fmed
        print(f"load average now: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
        print(f"\nper dossier (snapshot + render), n={len(ms)}: median {med:.1f} ms wall "
              f"({cmed:.1f} ms CPU), p90 {sorted(ms)[int(len(ms) * 0.9)]:.1f} ms "
              f"[target ≤ {TARGET_MS:.0f} ms: {'OK' if med <= TARGET_MS else 'MISSED'}]")
        print(f"  pages median {statistics.median(pages):.0f}, size median "
              f"{statistics.median(sizes) / 1024:.0f} KiB")
        print(f"floor (bare ReportLab, same text, no queries): median {fmed:.1f} ms wall "
              f"({fcmed:.1f} ms CPU)")
        print(f"ratio dossier / floor: {ratio:.2f}× wall, {cmed / fcmed:.2f}× CPU "
              f"[target ≤ {TARGET_RATIO}×: {'OK' if ratio <= TARGET_RATIO else 'MISSED'}]")

        t = time.perf_counter()
        merged, made = services.generate_batch(ids, args.as_of)
        batch_s = time.perf_counter() - t
        db.session.rollback()
        print(f"\nbatch of {len(made)} dossiers (snapshots, render on {os.cpu_count()} "
              f"processes, store, merge): {batch_s:.2f} s, merged {len(merged) / 1e6:.1f} MB "
              f"[target ≤ {TARGET_BATCH_S:.0f} s per 100: "
              f"{'OK' if batch_s * 100 / max(len(made), 1) <= TARGET_BATCH_S else 'MISSED'}]")

        print(f"\nmemory over {args.memory_rounds} dossiers (snapshot + render):")
        tracemalloc.start()
        peaks, marks = [], {}
        checkpoints = {50, 100, 200, 400, args.memory_rounds}
        for i in range(1, args.memory_rounds + 1):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            one(ids[i % len(ids)], args.as_of, font)
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
            db.session.expunge_all()
            if i in checkpoints:
                gc.collect()
                marks[i] = (tracemalloc.get_traced_memory()[0] / 1e6, rss_mb())
        tracemalloc.stop()
        for i, (live, (rss, peak)) in sorted(marks.items()):
            print(f"  after {i:>4}: live traced {live:6.2f} MB, RSS {rss:6.1f} MB, "
                  f"ru_maxrss {peak:6.1f} MB")
        first, last = marks[min(marks)], marks[max(marks)]
        print(f"  growth from {min(marks)} to {max(marks)}: traced {last[0] - first[0]:+.2f} MB, "
              f"RSS {last[1][0] - first[1][0]:+.1f} MB; peak traced per dossier "
              f"{statistics.median(peaks) / 1e6:.1f} MB (median)")


if __name__ == "__main__":
    main()
