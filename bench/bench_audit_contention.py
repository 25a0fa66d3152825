"""Benchmark: login latency while an import transaction is open (issue 15). Not a test.

    python bench/bench_audit_contention.py [--rows 20000] [--hold 4] [--server URL]

On a fresh PostgreSQL database (``--server``, default postgresql://postgres@127.0.0.1):
a thread runs an "import" in one transaction — ``--rows`` audited units inserted
through :func:`kaohe.interop.bulk.insert_records` and flushed — keeps it open for
``--hold`` seconds (the rest of a long import), then commits. Meanwhile the main
thread signs in again and again (POST /login, the production password hasher, each
from its own address), and each login writes its audit event. Three phases:

* ``no import``: the baseline;
* ``before``: the import locks the chain head at its first write and keeps it to its
  commit, as the audit listener did before issue 15 (reproduced by taking the head
  lock right after the flush; no lock timeout, as then);
* ``after``: the current code: entries wait in the session, the head is locked only
  for the commit's last step.

Prints per phase: logins done, median/p95/max login latency, 503 answers, and the
import's commit time (the longest a login can wait in ``after``).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from bench.scratch_db import postgresql_database  # noqa: E402
from kaohe import create_app  # noqa: E402
from kaohe.audit import chain  # noqa: E402
from kaohe.auth import services as auth  # noqa: E402
from kaohe.extensions import db  # noqa: E402
from kaohe.interop.bulk import insert_records  # noqa: E402
from kaohe.units.models import Unit  # noqa: E402

PASSWORD = "bench-Password-2026!"


class Import(threading.Thread):
    """One import transaction: write, hold, commit; ``lock_early`` takes the chain
    head at the first write as the code before issue 15 did."""

    def __init__(self, app, rows: int, hold: float, lock_early: bool, tag: str):
        super().__init__()
        self.app, self.rows, self.hold, self.lock_early, self.tag = app, rows, hold, lock_early, tag
        self.written = threading.Event()
        self.commit_s = 0.0

    def run(self):
        with self.app.test_request_context("/import", method="POST"):
            insert_records(Unit, [{"code": f"{self.tag}{i}", "name": "导入", "kind": "county"}
                                  for i in range(self.rows)])
            if self.lock_early:
                chain.lock_head(db.session.connection(), timeout_ms=0)
            self.written.set()
            time.sleep(self.hold)
            started = time.perf_counter()
            db.session.commit()
            self.commit_s = time.perf_counter() - started
            db.session.remove()


def logins(app, until, counter) -> tuple[list[float], int]:
    """Sign in (a new browser each time) until ``until()``; returns latencies (s)
    and the number of 503 answers."""
    times, busy = [], 0
    while not until():
        counter[0] += 1
        address = f"10.{counter[0] // 62500 % 250}.{counter[0] // 250 % 250}.{counter[0] % 250}"
        started = time.perf_counter()
        response = app.test_client().post("/login", data={"username": "bench", "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": address})
        times.append(time.perf_counter() - started)
        busy += response.status_code == 503
    return times, busy


def phase(app, label, rows, hold, lock_early, counter):
    if rows == 0:
        deadline = time.perf_counter() + hold
        times, busy = logins(app, lambda: time.perf_counter() > deadline, counter)
        commit = "-"
    else:
        job = Import(app, rows, hold, lock_early, f"{label[:2]}{counter[0]}-")
        job.start()
        job.written.wait()
        times, busy = logins(app, lambda: not job.is_alive(), counter)
        job.join()
        commit = f"{job.commit_s:.2f} s"
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{label:10} logins {len(times):4}  median {statistics.median(times) * 1000:8.1f} ms"
          f"  p95 {p95 * 1000:8.1f} ms  max {times[-1] * 1000:8.1f} ms  503: {busy}"
          f"  import commit: {commit}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--hold", type=float, default=4.0, help="seconds the import stays open")
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1")
    args = ap.parse_args()
    with postgresql_database(args.server, "kaohe_bench_audit") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "KAOHE_AUDIT_KEY": "b" * 40,
                          "KAOHE_AUDIT_LOCK_TIMEOUT_MS": 600_000})  # no timeout, as before
        with app.app_context():
            upgrade()
            auth.sync_roles()
            auth.create_user("bench", "organization", PASSWORD)
            db.session.commit()
        print(f"{args.rows} audited rows written by an import held open {args.hold:.0f} s "
              "after its writes, PostgreSQL")
        counter = [0]
        phase(app, "no import", 0, args.hold, False, counter)
        phase(app, "before", args.rows, args.hold, True, counter)
        phase(app, "after", args.rows, args.hold, False, counter)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
