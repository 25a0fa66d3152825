"""Benchmark of a web server's start (issue 17): gunicorn with ``gunicorn.conf.py`` and its
workers, from launch until every worker is idle, beside the bare Flask "hello" floor.

    python bench/bench_workers.py [--workers 5] [--runs 5]

Each run launches gunicorn (``-w`` workers, a free port, a throw-away instance folder,
SQLite) and waits until the port answers, every worker is up and the CPU time of the
master and its workers has stopped growing for half a second. It then reports:

* **CPU**: user + system time of the master and every worker (``/proc/<pid>/stat``);
* **ready**: wall time from launch until that CPU time last grew;
* **PSS**: the proportional set size of the master and the workers added up
  (``/proc/<pid>/smaps_rollup``): pages shared between processes count once in all,
  so this is the memory the server takes from the machine.

Cases: the floor, ``bench/hello_app.py`` under the same settings; Kaohe as configured
(``preload_app``: the master imports the app and forks the workers); Kaohe with
``KAOHE_WEB_PRELOAD=0`` (every worker imports the app itself, as before). Prints the
medians, the ratios to the floor, and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import free_port  # noqa: E402
from bench_throughput import gunicorn, workers  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
CASES = {
    "hello (floor)": ("bench.hello_app:app", {}),
    "Kaohe, preloaded": ("app:app", {}),
    "Kaohe, KAOHE_WEB_PRELOAD=0": ("app:app", {"KAOHE_WEB_PRELOAD": "0"}),
}


def tree(master: int) -> list[int]:
    """The master and its children (the workers)."""
    return [master, *(pid for pid, _fields in workers(master))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(spec: str, extra: dict, workers: int, work: Path) -> dict:
    instance = Path(tempfile.mkdtemp(prefix="inst_", dir=work))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "PROMETHEUS_"))}
    env.update(KAOHE_INSTANCE_PATH=str(instance), KAOHE_SECRET_KEY="bench", **extra)
    start = time.monotonic()
    with gunicorn(spec, free_port(), workers, work / "gunicorn.log", env) as proc:
        last_total, last_change = -1.0, time.monotonic()
        while time.monotonic() - last_change < 0.5 or len(tree(proc.pid)) < workers + 1:
            pids = tree(proc.pid)
            total = sum(cpu_seconds(p) for p in pids)
            if total != last_total:
                last_total, last_change = total, time.monotonic()
            if time.monotonic() - start > 120:
                raise SystemExit(f"{spec}: workers not idle after 120 s")
            time.sleep(0.05)
        pids = tree(proc.pid)
        return {"cpu": sum(cpu_seconds(p) for p in pids), "ready": last_change - start,
                "pss": sum(pss_mb(p) for p in pids)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    load_before = os.getloadavg()
    samples: dict[str, list[dict]] = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory(prefix="kaohe_bench_workers_") as tmp:
        for _ in range(args.runs):  # interleaved: load changes hit every case alike
            for name, (spec, extra) in CASES.items():
                samples[name].append(measure(spec, extra, args.workers, Path(tmp)))
    load_after = os.getloadavg()
    medians = {name: {k: statistics.median(r[k] for r in runs) for k in ("cpu", "ready", "pss")}
               for name, runs in samples.items()}
    floor = medians["hello (floor)"]
    print(f"gunicorn start, {args.workers} workers, medians of {args.runs} runs")
    print(f"{'case':28s} {'CPU':>8s} {'ratio':>6s} {'ready':>8s} {'ratio':>6s} "
          f"{'PSS':>9s} {'ratio':>6s}")
    for name, m in medians.items():
        print(f"{name:28s} {m['cpu']:7.2f}s {m['cpu'] / floor['cpu']:5.2f}× "
              f"{m['ready']:7.2f}s {m['ready'] / floor['ready']:5.2f}× "
              f"{m['pss']:7.1f}MB {m['pss'] / floor['pss']:5.2f}×")
    print("load average (1, 5, 15 min): before " + ", ".join(f"{x:.2f}" for x in load_before)
          + "; after " + ", ".join(f"{x:.2f}" for x in load_after))


if __name__ == "__main__":
    main()
