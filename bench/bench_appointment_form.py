"""Benchmark of the printed 干部任免审批表 (issue 13.1) against the dossier. Not a test.

    python bench/bench_appointment_form.py [--officials 30] [--runs 3]

Builds a fresh temporary SQLite database with ``--officials`` officials (posts, three
annual results, reviews, organization notes, an appointment sheet, family members
and a photo; every fifth with a 60-line written 简历 that continues on the attached
sheet), then prints, each as the median over officials × ``--runs``:

* ms per page of the form (records read + drawn, A4 and B5) and pages per form;
* ms per page of the dossier of the same officials in the same run (snapshot +
  render), and the ratio form / dossier (target ≤ 1);
* the load average, since the machine is shared.

Records are made with the test factories (the real services).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from PIL import Image  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.appform import services as appform  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.auth.services import sync_roles  # noqa: E402
from kaohe.dossier import services as dossiers  # noqa: E402
from kaohe.dossier.pdfmerge import page_count  # noqa: E402
from kaohe.dossier.render import render_pdf  # noqa: E402
from kaohe.dossier.snapshot import build_snapshot  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.interop.models import AppointmentSheet, FamilyMember  # noqa: E402
from kaohe.officials import photos  # noqa: E402
from tests import factories as f  # noqa: E402

D = dt.date
AS_OF = D.today()
YEAR = AS_OF.year


def photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 160)).save(buf, "JPEG")
    return buf.getvalue()


def official(unit, k: int, picture: bytes):
    o = f.official(name=f"王建{k}", unit_obj=unit, birth=D(1970 + k % 15, 1 + k % 12, 1 + k % 28))
    photos.attach(o, picture)
    f.post(o, unit, start=D(2012, 1, 1), end=D(2016, 12, 31), title="副区长")
    f.post(o, unit, start=D(2017, 1, 1), principal=k == 0, title="区长")
    for year in (YEAR - 3, YEAR - 2, YEAR - 1):
        f.result(o, year, "competent", score=88, comment="工作扎实，勇于担当。" * 10)
    f.review(o, date=D(YEAR - 2, 6, 1), strengths="政治站位高，大局意识强。" * 10)
    f.note(o, date=D(YEAR - 2, 3, 1))
    resume = "\n".join(f"{1990 + n // 2}.{1 + n % 2 * 6:02d}--{1990 + (n + 1) // 2}."
                       f"{1 + (n + 1) % 2 * 6:02d}  某某市某某区某某街道办事处科员、副主任科员，"
                       f"负责综合协调和文稿起草工作" for n in range(60)) if k % 5 == 0 else ""
    db.session.add(AppointmentSheet(
        official_id=o.id, birth_place="浙江杭州", health="健康", tech_title="高级经济师",
        specialty="财政金融", proposed_post="东城区委书记", proposed_removal="东城区区长职务",
        resume=resume, rewards="无", reason="工作需要。" * 20, reporting_unit="中共测试市委组织部",
        filled_by="刘科长"))
    for n, (rel, name) in enumerate((("妻子", "李梅"), ("儿子", "王明"), ("父亲", "王山"))):
        db.session.add(FamilyMember(official_id=o.id, relation=rel, name=name,
                                    birth_date=D(1950 + 20 * n, 5, 1), political_status="群众",
                                    work="东城区第一中学教师", sort_order=n))
    return o


def per_page(fn, runs: int) -> tuple[list[float], list[int]]:
    times, pages = [], []
    for _ in range(runs):
        t = time.perf_counter()
        pdf = fn()
        elapsed = (time.perf_counter() - t) * 1000
        n = page_count(pdf)
        times.append(elapsed / n)
        pages.append(n)
    return times, pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--officials", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kaohe-bench-appform-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        sync_roles()
        cli_actor.set("cli:bench")
        unit = f.unit(name="东城区")
        picture = photo()
        people = [official(unit, k, picture) for k in range(args.officials)]
        db.session.commit()
        font = dossiers.font_spec()

        def dossier(o):
            snap = dossiers.with_meta(build_snapshot(o.id, AS_OF), "KH-0000-000001",
                                      dossiers.now_local(), "bench")
            return render_pdf(snap, font)

        for o in people[:2]:  # warm-up: fonts, imports
            appform.official_form(o, AS_OF)
            dossier(o)
        results = {}
        for name, fn in (("form A4", lambda o: appform.official_form(o, AS_OF, "A4")),
                         ("form B5", lambda o: appform.official_form(o, AS_OF, "B5")),
                         ("dossier", dossier)):
            times, pages = [], []
            for o in people:
                t, p = per_page(lambda: fn(o), args.runs)
                times += t
                pages += p
            results[name] = (statistics.median(times), statistics.median(pages), max(pages))
        print(f"{args.officials} officials × {args.runs} runs; {os.cpu_count()} CPUs; "
              f"load average {os.getloadavg()[0]:.1f} (the machine is shared)")
        for name, (ms, pages, most) in results.items():
            print(f"{name:8s}: median {ms:6.1f} ms per page (pages median {pages:.0f}, max {most})")
        dossier_ms = results["dossier"][0]
        for name in ("form A4", "form B5"):
            ratio = results[name][0] / dossier_ms
            print(f"ratio {name} / dossier per page: {ratio:.2f} "
                  f"[target ≤ 1: {'OK' if ratio <= 1 else 'MISSED'}]")


if __name__ == "__main__":
    main()
