"""Benchmark of the agenda bundle (issue 6). Not a test.

    python bench/bench_bundle.py [--items 100] [--seed 2020]

Builds a fresh temporary SQLite database with the demo city (``--items`` officials,
as the dossier benchmark loads it), one discussion dated today with an agenda item per
official, its four musts recorded and every dossier attached (frozen), then
prints:

* seconds to attach the dossiers (setup, one at a time as the page does it);
* seconds for the bundle as the page makes it: the request records the bundle and its
  job, a Huey consumer in this process (as the embedded worker) builds it, the page
  polls the status until done (target: under 10 s for 100 items), with the number of
  progress steps seen;
* seconds to stamp the reader's watermark on every page of the bundle (download).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from kaohe import create_app  # noqa: E402
from kaohe.audit.services import cli_actor  # noqa: E402
from kaohe.auth.services import sync_roles  # noqa: E402
from kaohe.discussions import bundle as bundles  # noqa: E402
from kaohe.discussions.models import DiscussionBundle  # noqa: E402
from kaohe.discussions.services import agenda  # noqa: E402
from kaohe.discussions.watermark import reader_label, watermark  # noqa: E402
from kaohe.dossier.services import font_spec  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.jobs import engine  # noqa: E402
from kaohe.officials.models import Official  # noqa: E402

TARGET_S = 10.0
DAY = dt.date.today()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2020)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_dossier import load_data

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "SECRET_KEY": "bench", "KAOHE_JOBS_QUEUE_FILE": f"{tmp}/queue.db",
                          "KAOHE_EMBEDDED_WORKER": "0"})
        with app.app_context():
            cli_actor.set("cli:bench")
            upgrade()
            sync_roles()
            source = load_data(args.items, args.seed)
            db.session.commit()
            ids = list(db.session.scalars(select(Official.id).order_by(Official.id)
                                          .limit(args.items)))
            d = agenda.save_discussion(None, {
                "kind": "standing", "date": DAY, "title": "基准测试常委会",
                "member_names": "\n".join(f"成员{i}" for i in range(1, 12))})
            for oid in ids:
                it = agenda.save_item(d, None, {"official_id": str(oid), "action": "promote",
                                                "proposed_post": "区委书记",
                                                "reason": "工作实绩突出。"})
                for kind in ("file_audit", "personal_report", "petition"):
                    agenda.save_check(d, it, kind, {"result": "clear", "checked_by": "干部科",
                                                    "checked_on": DAY, "note": ""})
            db.session.commit()
            t0 = time.perf_counter()
            for oid in ids:
                agenda.attach(d, oid, None, None)
            db.session.commit()
            attach_s = time.perf_counter() - t0
            discussion_id = d.id

        consumer = engine.start_consumer(workers=1)
        t0 = time.perf_counter()
        with app.test_request_context(method="POST"):  # as the request does it
            made = bundles.start(db.session.get(type(d), discussion_id))
            db.session.commit()  # queues the bundle's job
            bundle_id = made.id
        with app.test_request_context():  # the page's polls (GET: read transactions)
            seen, state = set(), {}
            while True:  # the page polls the status endpoint
                db.session.remove()
                state = bundles.state(db.session.get(DiscussionBundle, bundle_id))
                seen.add(state["done"])
                if state["status"] in ("done", "failed"):
                    break
                time.sleep(0.05)
            bundle_s = time.perf_counter() - t0
            consumer.stop(graceful=True)
            assert state["status"] == "done", state
            row = db.session.get(DiscussionBundle, bundle_id)
            t0 = time.perf_counter()
            stamped = watermark(row.pdf, reader_label("基准测试", "2020-04-09 10:00"), font_spec())
            stamp_s = time.perf_counter() - t0

    print(f"data: {source}")
    print(f"items: {len(ids)}; attach (setup, sequential): {attach_s:.1f} s "
          f"({1000 * attach_s / args.items:.0f} ms per dossier)")
    print(f"bundle, background job, polled: {bundle_s:.2f} s for {row.pages} pages, "
          f"{len(row.pdf) / 2**20:.1f} MB, {len(seen)} progress values seen "
          f"(target < {TARGET_S:.0f} s: {'ok' if bundle_s < TARGET_S else 'MISSED'})")
    print(f"watermark on download: {stamp_s:.2f} s for {row.pages} pages "
          f"({len(stamped) / 2**20:.1f} MB)")


if __name__ == "__main__":
    main()
