"""Benchmark of the start-up cost (issue 17): ``import app`` ≤ 3× a bare Flask app's
CPU time and memory.

    python bench/bench_startup.py [--runs 7] [--top 10]

Every measurement is a fresh interpreter (what each CLI command and each worker pays):
the child runs one snippet, then reports its own user+sys CPU time and maximum resident
set size (``resource.getrusage``, interpreter start included). The floor, measured in the
same run, is a bare Flask app (``from flask import Flask; app = Flask(__name__)``). Cases:

* ``Flask + extensions`` — a bare Flask app that also imports the extensions the stack
  keeps (Flask-SQLAlchemy with SQLAlchemy's ORM, Flask-WTF, Flask-Login): what any app
  on this stack pays before its first model, a reference (not a target);
* ``import kaohe`` — the package alone;
* ``kaohe.models`` — Flask-SQLAlchemy and every model, without views or blueprints: a
  reference for what any start must pay (not a target);
* ``import app`` — what gunicorn and ``flask --app app`` load: it calls ``create_app()``
  (blueprints, extensions, job queue), on a throw-away instance folder (SQLite);
* ``import app, bytecode cached`` — the same with compiled bytecode to read, as a
  deployment that may write ``__pycache__`` (or ran ``compileall``) has. The other cases
  run with ``PYTHONDONTWRITEBYTECODE=1`` and this checkout has no ``__pycache__``, so
  they compile every kaohe module at each start (the floor's Flask comes compiled from
  its installation); this case keeps its bytecode in a temporary folder
  (``PYTHONPYCACHEPREFIX``), written by the warm-up run, not in the checkout.

Prints medians and p95 per case, the ratios to the floor, the load average, and the
modules with the largest cumulative import time (``-X importtime``) that ``import app``
still loads, so the next engineer sees what remains.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
REPORT = ("import json, resource; r = resource.getrusage(resource.RUSAGE_SELF); "
          "print(json.dumps({'cpu': r.ru_utime + r.ru_stime, 'rss': r.ru_maxrss}))")
CASES = {
    "bare Flask (floor)": "from flask import Flask; app = Flask(__name__)",
    "Flask + extensions (ref.)": ("from flask import Flask; import flask_sqlalchemy, flask_wtf, "
                                  "flask_login; app = Flask(__name__)"),
    "import kaohe": "import kaohe",
    "kaohe.models (reference)": "import kaohe.extensions, kaohe.models",
    "import app (create_app)": "import app",
    "import app, bytecode cached": "import app",
}
CACHED = "import app, bytecode cached"


def measure(snippet: str, env: dict) -> tuple[float, float]:
    """CPU seconds and max RSS (MB) of a fresh interpreter running ``snippet``."""
    out = subprocess.run([sys.executable, "-c", f"{snippet}\n{REPORT}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    return figures["cpu"], figures["rss"] / 1024  # ru_maxrss is in KiB on Linux


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def top_imports(env: dict, top: int, runs: int = 3) -> list[tuple[int, str]]:
    """The ``top`` entries by import time (µs) under ``import app``, each its least over
    ``runs`` runs (wall clock: a run descheduled under load inflates single modules)."""
    best: dict[str, int] = {}
    for _ in range(runs):
        for micros, name in _import_times(env):
            best[name] = min(micros, best.get(name, micros))
    return sorted(((micros, name) for name, micros in best.items()), reverse=True)[:top]


def _import_times(env: dict) -> list[tuple[int, str]]:
    """One ``-X importtime`` run of ``import app``: third-party packages imported by app or
    kaohe code (cumulative: with what they import), and kaohe modules (their own time)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=ROOT,
                         env=env, capture_output=True, text=True, check=True).stderr
    entries = []  # (depth, name, own µs, cumulative µs), children before their parent
    for line in err.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, raw = line[len("import time:"):].split("|")
        name = raw.strip()
        entries.append(((len(raw) - len(raw.lstrip())) // 2, name, int(own), int(cumulative)))
    rows, libraries = [], {}
    for i, (depth, name, own, cumulative) in enumerate(entries):
        parent = next((e[1] for e in entries[i + 1:] if e[0] < depth), "")
        package = name.split(".")[0]
        if package == "kaohe":
            rows.append((own, f"{name} (own time)"))
        elif package != "app" and parent.split(".")[0] in ("app", "kaohe"):
            # "import reportlab.lib.colors" logs reportlab, reportlab.lib and
            # reportlab.lib.colors as siblings under the importing kaohe module: add them up.
            total, first = libraries.get(package, (0, parent))
            libraries[package] = (total + cumulative, first)
    return rows + [(total, f"{package} (first imported by {first})")
                   for package, (total, first) in libraries.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kaohe_bench_startup_") as instance, \
            tempfile.TemporaryDirectory(prefix="kaohe_bench_pyc_") as pycache:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAOHE_")}
        env.update(KAOHE_INSTANCE_PATH=instance, PYTHONDONTWRITEBYTECODE="1")
        cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = pycache
        measure("import app", env)  # first start: creates the secret key and the queue file
        measure("import app", cached)  # writes the bytecode of every module imported
        load_before = os.getloadavg()
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in CASES}
        for _ in range(args.runs):  # interleaved: load changes hit every case alike
            for name, snippet in CASES.items():
                samples[name].append(measure(snippet, cached if name == CACHED else env))
        load_after = os.getloadavg()
        imports = top_imports(cached, args.top)  # import costs, not compiling

    floor_cpu = statistics.median(c for c, _ in samples["bare Flask (floor)"])
    floor_rss = statistics.median(r for _, r in samples["bare Flask (floor)"])
    print(f"start-up cost, {args.runs} fresh interpreters per case (python {sys.version.split()[0]})")
    print(f"{'case':28s} {'CPU med':>9s} {'CPU p95':>9s} {'ratio':>6s} {'RSS med':>9s} {'ratio':>6s}")
    for name, runs in samples.items():
        cpu = [c * 1000 for c, _ in runs]
        rss = [r for _, r in runs]
        print(f"{name:28s} {statistics.median(cpu):7.0f}ms {p95(cpu):7.0f}ms "
              f"{statistics.median(cpu) / (floor_cpu * 1000):5.2f}× "
              f"{statistics.median(rss):7.1f}MB {statistics.median(rss) / floor_rss:5.2f}×")
    print(f"target: import app ≤ {TARGET_RATIO:.0f}× the floor (CPU and RSS)")
    print("load average (1, 5, 15 min): before "
          + ", ".join(f"{x:.2f}" for x in load_before) + "; after "
          + ", ".join(f"{x:.2f}" for x in load_after))
    print(f"\ntop {args.top} by import time under `import app` (-X importtime: wall clock, "
          "least of 3 runs, bytecode cached):")
    for micros, name in imports:
        print(f"  {micros / 1000:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
