"""Benchmark of the watermarked download (issue 16.7). Not a test.

    python bench/bench_watermark.py [--runs 9] [--dossiers 10]

Builds a fresh temporary SQLite database with an official whose dossier runs to about
30 pages (long annual comments and reviews) and ``--dossiers`` − 1 ordinary
ones, an agenda item for each and the agenda bundle (cover and all dossiers), then
prints the median over ``--runs`` of:

* ms to stamp the reader's watermark on the long dossier and on the bundle, written
  as one complete new file (what the download routes send);
* the floor: ms to write the same file anew without a stamp (parse, one xref) plus
  ms to draw the stamp page alone.

Records are made with the test factories (the real services).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.auth.services import sync_roles  # noqa: E402
from kaohe.discussions import bundle as bundles  # noqa: E402
from kaohe.discussions.services import agenda  # noqa: E402
from kaohe.discussions.watermark import reader_label, stamp_page, watermark  # noqa: E402
from kaohe.dossier import pdfmerge  # noqa: E402
from kaohe.dossier.services import font_spec  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from tests import factories as f  # noqa: E402

D = dt.date
YEAR = D.today().year  # the discussion is dated today: the window is the 3 years before
SENTENCE = "坚持以人民为中心，统筹推进经济社会发展；善于抓落实、抓重点、抓关键，群众认可度高。"


def words(n: int) -> str:
    return (SENTENCE * (n // len(SENTENCE) + 1))[:n]


def official(unit, k: int, long: bool):
    o = f.official(name=f"王建{k}", unit_obj=unit)
    f.post(o, unit, start=D(2015, 1, 1), principal=k == 0, title="区长")
    for year in (YEAR - 3, YEAR - 2, YEAR - 1):
        f.result(o, year, "competent", score=88, comment=words(4000 if long else 300))
    for i in range(3 if long else 1):
        f.review(o, date=D(YEAR - 2, 1 + i, 1), strengths=words(4000),
                 weaknesses=words(4000 if long else 200), summary=words(4000 if long else 200))
    return o


def median_ms(fn, runs: int) -> float:
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--dossiers", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "SECRET_KEY": "bench", "KAOHE_JOBS_IMMEDIATE": True})
        with app.app_context():
            cli_actor.set("cli:bench")
            upgrade()
            sync_roles()
            unit = f.unit(name="东城区")
            d = agenda.save_discussion(None, {
                "kind": "standing", "date": D.today(), "title": "基准测试常委会",
                "member_names": "\n".join(f"成员{i}" for i in range(1, 12))})
            for k in range(args.dossiers):
                o = official(unit, k, long=k == 0)
                it = agenda.save_item(d, None, {"official_id": str(o.id), "action": "promote",
                                                "proposed_post": "区委书记", "reason": "实绩突出。"})
                for kind in ("file_audit", "personal_report", "petition"):
                    agenda.save_check(d, it, kind, {"result": "clear", "checked_by": "干部科",
                                                    "checked_on": D.today(), "note": ""})
                agenda.attach(d, o.id, None, None)
            db.session.commit()
            dossier = d.items[0].current_dossier.dossier.pdf
            made = bundles.start(d)
            bundles.build(made.id)  # inline, in this session
            assert made.status == "done", made.error
            font = font_spec()
            print(f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} runs")
            for name, pdf in (("dossier", dossier), (f"bundle of {args.dossiers}", made.pdf)):
                pages = pdfmerge.page_count(pdf)
                stamped = median_ms(lambda i, pdf=pdf: watermark(
                    pdf, reader_label(f"基准{i}", "2020-04-10 09:00"), font), args.runs)

                def copy(_i, pdf=pdf):
                    doc = pdfmerge.parse(pdf)
                    pdfmerge.write(doc.header, doc.objects, doc.root, doc.info)

                floor = median_ms(copy, args.runs) + median_ms(
                    lambda i: stamp_page(595.2756, 841.8898, reader_label(f"基准{i}", "x"),
                                         font), args.runs)
                print(f"{name}: {pages} pages, {len(pdf) / 1024:.0f} KB: watermarked download "
                      f"{stamped:.0f} ms (floor: plain rewrite + stamp page {floor:.0f} ms, "
                      f"{stamped / floor:.1f}×)")


if __name__ == "__main__":
    main()
