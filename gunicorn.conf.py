"""Gunicorn settings for Kaohe (``gunicorn -c gunicorn.conf.py app:app``).

Every figure can be set from the environment (``KAOHE_WEB_*`` below) or overridden on
the command line. Long work (imports, bundles, batches) runs as background jobs
(``flask --app app worker``), so requests stay short; the timeout still leaves room for
the longest request that stays synchronous, one dossier with many pages.
"""
from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path

# prometheus-client picks its multiprocess mode when it is first imported: the folder is
# chosen before that import, here in the master, so every forked worker inherits both.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kaohe-metrics-")
# Made now, not in on_starting: the preloaded app (below) writes its metric files first.
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("KAOHE_LOG_FORMAT", "json")  # JSON logs unless told otherwise

from prometheus_client import multiprocess  # noqa: E402

from kaohe.config import flag  # noqa: E402  (a typo stops the start, as the app's settings do)


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("KAOHE_WEB_BIND", "0.0.0.0:8000")
# The usual 2 × cores + 1, capped: more processes than that only queue on the database.
workers = _number("KAOHE_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
# Threads per worker: requests waiting on the database or the disk overlap.
threads = _number("KAOHE_WEB_THREADS", 4)
worker_class = "gthread"
# The app is imported once, by the master, and every worker is forked from it (issue 17):
# a worker started or replaced costs a fork instead of importing the app (~0.6 s of CPU
# each), and the workers share the master's pages of code and models (app.py freezes them
# out of the collector's reach, so they stay shared). New code then takes a restart, not
# a HUP. KAOHE_WEB_PRELOAD=0 imports the app in every worker instead.
preload_app = flag("KAOHE_WEB_PRELOAD", os.environ.get("KAOHE_WEB_PRELOAD", "1"))
timeout = _number("KAOHE_WEB_TIMEOUT", 120)
graceful_timeout = _number("KAOHE_WEB_GRACEFUL_TIMEOUT", 30)
# Longer than a load balancer's idle timeout (60 s on common ones): the balancer, not
# gunicorn, closes an idle connection, so no request races a closing socket (502).
keepalive = _number("KAOHE_WEB_KEEPALIVE", 75)
# Recycle workers now and then (a leak stays bounded); the jitter keeps them from all
# restarting at once. Rarely: a new worker starts with nothing kept (kaohe.audit.kept:
# pages, rankings, reminders; bounded in number) and renders every page anew. At 20 000
# requests, a load of 150 requests/s per worker replaced one worker every half minute and
# each replacement (then importing the app again) cost the server ~40 % of its throughput
# for the next 20 s; the workers' memory stays flat meanwhile (127–128 MB each over
# 42 000 requests apiece, bench/bench_throughput.py), so there is no leak to bound often.
max_requests = _number("KAOHE_WEB_MAX_REQUESTS", 200_000)
max_requests_jitter = _number("KAOHE_WEB_MAX_REQUESTS_JITTER", 20_000)
# The app logs one line per request itself (with its request id, user and duration).
accesslog = None
errorlog = "-"
# No runtime control socket: its one default path would be shared by every instance on
# a host (and nothing here uses it).
control_socket_disable = True


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def on_starting(_server) -> None:
    """Drop the metric files of processes gone (an earlier run's workers), whose figures
    would be added in; a job worker sharing the folder keeps its own (``*_<pid>.db``)."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if not pid.isdigit() or not _running(int(pid)):
            path.unlink(missing_ok=True)


def child_exit(_server, worker) -> None:
    """Drop a dead worker's live gauges from the shared metric files."""
    multiprocess.mark_process_dead(worker.pid)


def post_fork(server, _worker) -> None:
    """A forked worker opens database connections of its own: any its master's pools hold
    are let go without closing them (the master's, not the worker's), as SQLAlchemy
    advises for engines that cross a fork. The app opens none while it loads today. Apps
    without Flask-SQLAlchemy (the benchmarks' hello app) have nothing to let go."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is None:
        return
    with app.app_context():
        for engine in extension.engines.values():
            engine.dispose(close=False)
