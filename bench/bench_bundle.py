"""Benchmark of the agenda bundle (issues 6 and 17). Not a test.

    python bench/bench_bundle.py [--items 100] [--seed 2020] [--db sqlite|postgresql]
                                 [--keep PATH] [--repeat 1]

Builds a scratch database (SQLite file, or with ``--db postgresql`` a fresh database on
``KAOHE_TEST_PG_SERVER``/``--pg-server``, dropped afterwards) with the demo city
(``--items`` officials, as the dossier benchmark loads it), one discussion dated today
with an agenda item per official, its four musts recorded and every dossier attached
(frozen). ``--keep PATH`` (SQLite only) keeps the prepared file and reuses it when it
exists: setting up 500 items takes minutes (each dossier is rendered once).

Each measurement runs in a fresh subprocess so that its peak RSS (VmHWM) is its own,
not the setup's; the idle app (interpreter, imports, app context) is measured too.

* Kaohe bundle: ``bundles.start`` + ``bundles.build`` + commit, as the job does it
  (target for 500 items: ≤ 10 s and ≤ 200 MB peak).
* Floor: the same frozen dossier PDFs read from the database one at a time and
  concatenated with pypdf's plainest merge (``PdfWriter.append`` of each, then
  ``write`` to a file). The floor does not render the cover or the 任免审批表 that
  Kaohe renders for every item, nor does it store the result in the database.
* Kaohe download: the reader's watermark on every page of the stored bundle, beside
  the floor of loading the stored bundle and writing it to a file unchanged.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_db import postgresql_database  # noqa: E402

TARGET_S, TARGET_MB = 10.0, 200.0
DAY = dt.date.today()


def _app(url: str, tmp: str):
    from kaohe import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "KAOHE_JOBS_QUEUE_FILE": f"{tmp}/queue.db",
                       "KAOHE_EMBEDDED_WORKER": "0"})


def prepare(url: str, tmp: str, items: int, seed: int) -> int:
    """Load the data and the discussion with every dossier attached; its id."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from bench_dossier import load_data
    from kaohe.audit.services import cli_actor
    from kaohe.auth.services import sync_roles
    from kaohe.discussions.services import agenda
    from kaohe.extensions import db
    from kaohe.officials.models import Official

    app = _app(url, tmp)
    with app.app_context():
        cli_actor.set("cli:bench")
        upgrade()
        sync_roles()
        print(f"data: {load_data(items, seed)}", flush=True)
        db.session.commit()
        ids = list(db.session.scalars(select(Official.id).order_by(Official.id).limit(items)))
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
        print(f"attach (setup, sequential): {attach_s:.1f} s "
              f"({1000 * attach_s / max(len(ids), 1):.0f} ms per dossier)", flush=True)
        return d.id


# ---- the measured steps, each in its own process ---------------------------------------

def step_idle(app, discussion_id: int, out: str) -> dict:
    return {}


def step_kaohe(app, discussion_id: int, out: str) -> dict:
    from kaohe.discussions import bundle as bundles
    from kaohe.discussions.models import Discussion
    from kaohe.extensions import db

    with app.test_request_context(method="POST"):  # as the job runs it
        made = bundles.start(db.session.get(Discussion, discussion_id))
        db.session.commit()
        t0 = time.perf_counter()
        bundles.build(made.id)
        db.session.commit()
        seconds = time.perf_counter() - t0
        assert made.status == "done", made.error
        return {"seconds": seconds, "pages": made.pages, "bundle_id": made.id}


def step_floor(app, discussion_id: int, out: str) -> dict:
    from pypdf import PdfWriter
    from sqlalchemy import select

    from kaohe.discussions.models import AgendaItem
    from kaohe.dossier.models import Dossier
    from kaohe.extensions import db

    with app.app_context():
        t0 = time.perf_counter()
        items = db.session.scalars(select(AgendaItem).where(
            AgendaItem.discussion_id == discussion_id)
            .order_by(AgendaItem.position, AgendaItem.id)).all()
        writer = PdfWriter()
        for item in items:
            cur = item.current_dossier
            if cur is None:
                continue
            pdf = db.session.scalar(select(Dossier.pdf).where(Dossier.id == cur.dossier_id))
            writer.append(_stream(pdf))
        with open(out, "wb") as f:
            writer.write(f)
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "pages": len(writer.pages)}


def _latest_bundle(discussion_id: int):
    from sqlalchemy import select

    from kaohe.discussions.models import DiscussionBundle
    from kaohe.extensions import db
    return db.session.scalars(select(DiscussionBundle).where(
        DiscussionBundle.discussion_id == discussion_id, DiscussionBundle.status == "done")
        .order_by(DiscussionBundle.id.desc()).limit(1)).first()


def step_stamp(app, discussion_id: int, out: str) -> dict:
    from kaohe.discussions import bundle as bundles
    from kaohe.discussions.watermark import reader_label, watermark_to
    from kaohe.dossier.services import font_spec

    with app.test_request_context():
        t0 = time.perf_counter()
        made = _latest_bundle(discussion_id)
        with open(out, "wb") as f:  # as the download view does it
            label = reader_label("基准测试", "2020-04-09 10:00")
            watermark_to(f, bundles.stored_pdf(made), label, font_spec())
            size = f.tell()
        return {"seconds": time.perf_counter() - t0, "pages": made.pages, "mb": size / 2**20}


def step_copy(app, discussion_id: int, out: str) -> dict:
    with app.test_request_context():
        t0 = time.perf_counter()
        made = _latest_bundle(discussion_id)
        with open(out, "wb") as f:
            f.write(made.pdf)
        return {"seconds": time.perf_counter() - t0, "pages": made.pages,
                "mb": len(made.pdf) / 2**20}


def _stream(pdf: bytes):
    import io
    return io.BytesIO(pdf)


STEPS = {"idle": step_idle, "kaohe": step_kaohe, "floor": step_floor, "stamp": step_stamp,
         "copy": step_copy}


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, not ``ru_maxrss``, which on Linux keeps the
    forking parent's RSS across the exec (the setup's 240 MB showed in every step)."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def child(step: str, url: str, tmp: str, discussion_id: int) -> None:
    app = _app(url, tmp)
    with app.app_context():
        from kaohe.audit.services import cli_actor
        cli_actor.set("cli:bench")
    result = STEPS[step](app, discussion_id, f"{tmp}/{step}.pdf")
    result["peak_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(result), flush=True)


def run(step: str, url: str, tmp: str, discussion_id: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", step, "--url", url,
                           "--tmp", tmp, "--discussion", str(discussion_id)],
                          capture_output=True, text=True)
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.exit(f"step {step} failed:\n{done.stderr[-3000:]}")
    out = Path(f"{tmp}/{step}.pdf")
    out.unlink(missing_ok=True)  # no big files left behind
    return json.loads(lines[-1][7:])


def measure(url: str, tmp: str, discussion_id: int, repeat: int) -> None:
    runs = {s: [run(s, url, tmp, discussion_id) for _ in range(repeat)] for s in
            ("idle", "kaohe", "floor", "stamp", "copy")}

    def med(step, key):
        return statistics.median(r[key] for r in runs[step])

    idle = med("idle", "peak_mb")
    print(f"idle app process: {idle:.0f} MB peak RSS")
    for name, kaohe, floor, what in (
            ("bundle", "kaohe", "floor", "pypdf PdfWriter.append of the frozen dossiers"),
            ("download", "stamp", "copy", "stored bundle copied unchanged to a file")):
        ks, fs = med(kaohe, "seconds"), med(floor, "seconds")
        km, fm = med(kaohe, "peak_mb"), med(floor, "peak_mb")
        print(f"{name}: Kaohe {ks:.2f} s, {km:.0f} MB peak RSS "
              f"({km - idle:.0f} MB over idle), {runs[kaohe][0]['pages']} pages | "
              f"floor ({what}): {fs:.2f} s, {fm:.0f} MB ({fm - idle:.0f} MB over idle), "
              f"{runs[floor][0]['pages']} pages | ratio time {ks / max(fs, 1e-9):.2f}, "
              f"memory over idle {(km - idle) / max(fm - idle, 1):.2f} "
              f"(medians of {repeat})")
    ks, km = med("kaohe", "seconds"), med("kaohe", "peak_mb")
    print(f"bundle target ≤ {TARGET_S:.0f} s and ≤ {TARGET_MB:.0f} MB: "
          f"{'ok' if ks <= TARGET_S and km <= TARGET_MB else 'MISSED'}; "
          f"download {med('stamp', 'mb'):.1f} MB")
    print(f"load average: {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pg-server", default=os.environ.get("KAOHE_TEST_PG_SERVER",
                                                          "postgresql://postgres@127.0.0.1"))
    ap.add_argument("--keep", help="SQLite file to keep the prepared data in (reused)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    ap.add_argument("--discussion", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.url, args.tmp, args.discussion)
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="kaohe_bench_bundle_") as tmp:
        if args.db == "postgresql":
            with postgresql_database(args.pg_server) as url:
                measure(url, tmp, prepare(url, tmp, args.items, args.seed), args.repeat)
            return
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        url = f"sqlite:///{path.resolve()}"
        marker = path.with_suffix(".discussion")
        if args.keep and path.exists() and marker.exists():
            discussion_id = int(marker.read_text())
            print(f"reusing {path} (discussion {discussion_id})")
        else:
            discussion_id = prepare(url, tmp, args.items, args.seed)
            if args.keep:
                marker.write_text(str(discussion_id))
        measure(url, tmp, discussion_id, args.repeat)


if __name__ == "__main__":
    main()
