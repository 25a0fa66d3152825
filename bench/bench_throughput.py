"""Profile-page throughput under load (issue 17), beside a bare Flask "hello" floor.

    python bench/bench_throughput.py [--db sqlite|postgresql|both] [--officials 1000]
                                     [--workers 4] [--connections 50] [--seconds 20]
                                     [--warmup 90] [--rounds 1] [--port 18170]

Builds a scratch database (bench/scratch_db.py) with ``seed_demo(--officials)``, then
serves it with gunicorn and ``gunicorn.conf.py`` (gthread workers; ``--workers`` for
both apps), and the bare Flask app of bench/hello_app.py under the very same gunicorn
settings on the next port. wrk (``/usr/bin/wrk``) drives each with ``--connections``
connections: the hello app's ``/``, and Kaohe's profile pages of every official in
turn (a Lua script cycling through the URLs) with the session cookie of demo-org,
logged in beforehand through the login form (CSRF token read from it), kept as the
answers renew it. Any answer but 200 is counted and fails the run (an expired session
would answer 302). Prints req/s and p50/p99 latency of both, the ratio and the load
average, and after each round how many Kaohe workers gunicorn has started (a worker
replaced mid-round starts cold) and their resident memory. Target: Kaohe ≥ 1/8 of the floor's requests per second. Every server is
stopped at the end.

The warm-up (``--warmup`` seconds of the same load on each app) lets every worker show
every profile once: each keeps the bodies it rendered (kaohe.officials.profile_page)
while nothing they show is written, as a server does through a working day.
Connections reach workers at random, so a worker has shown its thousand pages only
after several thousand requests: after 30 s the first round still measured workers
rendering pages for the first time (1/12 of the floor, where later rounds gave 1/8).
With ``--warmup 5`` the run measures mostly first renderings.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from bench_load import Browser, prepare  # noqa: E402
from scratch_db import each_database  # noqa: E402

TARGET_RATIO = 1 / 8
WRK = os.environ.get("WRK", "/usr/bin/wrk")
# Each wrk thread walks the URL list from its own offset and keeps the session cookie as
# renewed (a browser's cookie jar per thread); answers other than 200 are counted per
# thread; done() prints one JSON line the benchmark parses.
LUA = r"""
local paths = {%(paths)s}
local cookie = %(cookie)s
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  i = (id * 7919) %% #paths
  bad = 0
  statuses = ""
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = cookie})
end
function response(status, headers, body)
  -- Keep the session cookie a response renews (a browser does; the session's idle
  -- clock is rewritten at most twice a minute, so a stale copy renews on every page).
  local renewed = headers["Set-Cookie"]
  if renewed then
    local value = renewed:match("^session=([^;]*)")
    if value then cookie = "session=" .. value end
  end
  if status ~= 200 then
    bad = bad + 1
    if #statuses < 80 then statuses = statuses .. status .. " " end
  end
end
function done(summary, latency, requests)
  local total_bad, seen = 0, ""
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
    seen = seen .. t:get("statuses")
  end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, ' ..
    '"errors": %%d, "bad": %%d, "statuses": "%%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, total_bad, seen))
end
"""


@contextlib.contextmanager
def gunicorn(app_spec: str, port: int, workers: int, log_path: Path, env: dict):
    """gunicorn with the repository's gunicorn.conf.py (only bind and workers set here);
    its log (the app's JSON request lines) goes to ``log_path`` as in production."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "-w", str(workers), "-b", f"127.0.0.1:{port}", app_spec],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn ({app_spec}) exited with {proc.returncode}; "
                                 f"see {log_path}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start within 60 s")
                time.sleep(0.2)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wrk(port: int, paths: list[str], cookie: str, connections: int, seconds: float,
        workdir: Path) -> dict:
    """One wrk run over ``paths``; its summary (requests, seconds, p50/p99 ms, errors)."""
    script = workdir / f"wrk_{port}.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths),
                             "cookie": json.dumps(cookie)})
    out = subprocess.run(
        [WRK, "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    result = json.loads(line.removeprefix("WRKJSON "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def login_cookie(port: int, password: str, probe: str) -> str:
    """demo-org's session cookie, checked on one profile page."""
    browser = Browser(port)
    browser.login("demo-org", password)
    status, _h, body = browser.request("GET", probe)
    if status != 200 or "干部" not in body.decode("utf-8", "replace"):
        raise SystemExit(f"GET {probe} with the session → {status}")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def workers(master: int) -> list[tuple[int, list[str]]]:
    """(pid, fields of /proc/<pid>/stat after the command name) of each child of
    ``master``: the workers of a gunicorn master."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master:  # ppid
            found.append((int(stat.parent.name), fields))
    return found


def workers_rss(master: int) -> list[float]:
    """Resident memory (MB) of each worker of the gunicorn ``master``."""
    page = os.sysconf("SC_PAGE_SIZE")
    return sorted(int(fields[21]) * page / 2**20 for _pid, fields in workers(master))  # rss


def boots(log_path: Path) -> int:
    """Workers gunicorn has started so far: a replaced worker (max_requests, a crash)
    starts cold (an import, no kept pages) and skews the round it falls in."""
    with open(log_path, "rb") as log:
        return sum(b"Booting worker" in ln for ln in log)


def line(name: str, r: dict) -> str:
    return (f"    {name:<22}{r['rps']:>9.1f} req/s  p50 {r['p50_ms']:>7.1f} ms  "
            f"p99 {r['p99_ms']:>7.1f} ms  ({r['requests']} requests, "
            f"{r['errors']} socket errors, {r['bad']} non-200)")


def run(label: str, url: str, args) -> bool:
    print(f"\n== {label}: {args.officials} officials, gunicorn.conf.py with {args.workers} "
          f"workers for both apps, wrk {args.connections} connections, {args.seconds:g} s "
          f"per measurement")
    info = prepare(url, args.officials, args.seed, 0)
    paths = [f"/officials/{i}" for i in info["officials"]]
    random.Random(args.seed).shuffle(paths)
    ok = True
    with tempfile.TemporaryDirectory(prefix="kaohe_tp_") as tmp:
        work = Path(tmp)
        env = {**os.environ, "KAOHE_DATABASE_URL": "",
               "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics")}
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-throughput-secret"}
        kaohe_port, hello_port = args.port, args.port + 1
        with gunicorn(f"kaohe:create_app({config!r})", kaohe_port, args.workers,
                      work / "kaohe.log", env) as kaohe_server, \
                gunicorn("hello_app:app", hello_port, args.workers, work / "hello.log",
                         {**env, "PYTHONPATH": str(BENCH)}):
            cookie = login_cookie(kaohe_port, info["password"], paths[0])
            for port, targets in ((hello_port, ["/"]), (kaohe_port, paths)):
                if args.warmup:
                    wrk(port, targets, cookie, args.connections, args.warmup, work)
            for n in range(1, args.rounds + 1):
                hello = wrk(hello_port, ["/"], "", args.connections, args.seconds, work)
                load_hello = os.getloadavg()
                profile = wrk(kaohe_port, paths, cookie, args.connections, args.seconds,
                              work)
                load_profile = os.getloadavg()
                ratio = profile["rps"] / hello["rps"]
                met = ratio >= TARGET_RATIO and not (profile["bad"] or profile["errors"]
                                                     or hello["bad"] or hello["errors"])
                ok &= met
                print(f"  round {n}")
                print(line("bare Flask hello", hello) + f"  load {load_hello[0]:.2f}")
                print(line("Kaohe profile page", profile) + f"  load {load_profile[0]:.2f}")
                rss = workers_rss(kaohe_server.pid)
                print(f"    Kaohe workers: {boots(work / 'kaohe.log')} started so far for "
                      f"{args.workers}; resident {min(rss, default=0):.0f}–"
                      f"{max(rss, default=0):.0f} MB each")
                if profile["statuses"]:
                    print(f"    statuses other than 200: {profile['statuses']}")
                print(f"    ratio Kaohe/floor {ratio:.3f} (1/{1 / ratio:.1f}); target ≥ "
                      f"1/{1 / TARGET_RATIO:.0f}: {'met' if met else 'MISSED'}; "
                      f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            log_lines = sum(1 for _ in open(work / "kaohe.log", "rb"))
            print(f"    Kaohe wrote {log_lines} log lines (one JSON line per request)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--officials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=90)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--port", type=int, default=18170, help="Kaohe's; the floor's is +1")
    parser.add_argument("--pg-server", default=os.environ.get("KAOHE_TEST_PG_SERVER")
                        or "postgresql://postgres@127.0.0.1")
    args = parser.parse_args()
    ok = True
    for label, url in each_database(args.db, args.pg_server, "kaohe_tp"):
        ok &= run(label, url, args)
    print("\nresult:", "target met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
