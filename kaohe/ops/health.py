"""Probes and metrics for load balancers and monitoring: no login, no data shown.

* ``GET /healthz``: the process answers (liveness; never touches the database);
* ``GET /readyz``: the database answers ``SELECT 1`` and the job queue is reachable
  (readiness: 200 JSON, else 503 JSON naming what failed);
* ``GET /metrics``: Prometheus text, only with ``Authorization: Bearer
  $KAOHE_METRICS_TOKEN``; without the variable, or with a wrong or missing token, the
  route does not exist for the caller (404).
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kaohe.extensions import db
from kaohe.jobs.services import queue_ok, queue_stats
from kaohe.ops import metrics

bp = Blueprint("ops", __name__)
PROBE_HEADERS = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    return Response("ok\n", mimetype="text/plain", headers=PROBE_HEADERS)


def database_ok() -> tuple[bool, str]:
    """Whether the database answers ``SELECT 1`` (the reason when not, no address)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("readiness: database check failed: %s", type(exc).__name__)
        return False, f"unreachable ({type(exc).__name__})"
    return True, "ok"


@bp.get("/readyz")
def readyz():
    checks = {"database": database_ok(), "queue": queue_ok()}
    failed = [name for name, (ok, _why) in checks.items() if not ok]
    body = {"status": "unavailable" if failed else "ok", "failed": failed,
            "checks": {name: why for name, (_ok, why) in checks.items()}}
    return jsonify(body), 503 if failed else 200, PROBE_HEADERS


class QueueCollector(Collector):
    """Job figures read at scrape time: the queue's depth (the queue is shared by every
    server) and the job rows by status (the database)."""

    def collect(self):
        try:
            stats = queue_stats()
        except SQLAlchemyError:  # a down database is what monitoring must show, not hide
            db.session.rollback()
            current_app.logger.warning("metrics: job counts unavailable", exc_info=True)
            stats = {}
        depth = stats.get("pending", -1)  # -1: the queue did not answer
        yield GaugeMetricFamily("kaohe_job_stats_up", "Whether the queue and the job counts "
                                "could be read", value=int(depth >= 0 and "failed" in stats))
        if depth >= 0:
            yield GaugeMetricFamily("kaohe_job_queue_depth", "Jobs waiting for a worker",
                                    value=depth)
        for name, state, doc in (("kaohe_jobs_running", "running", "Jobs being run"),
                                 ("kaohe_jobs_failed", "failed", "Failed jobs (until cleanup)")):
            if state in stats:
                yield GaugeMetricFamily(name, doc, value=stats[state])


def _authorised() -> bool:
    token = current_app.config.get("KAOHE_METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    # Constant time: the comparison tells nothing about how much of the token matched.
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@bp.get("/metrics")
def scrape():
    if not _authorised():
        abort(404)
    return Response(metrics.exposition(QueueCollector()), headers=PROBE_HEADERS,
                    content_type=CONTENT_TYPE_LATEST)
