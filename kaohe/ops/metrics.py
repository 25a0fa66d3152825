"""Prometheus metrics (prometheus-client).

Instruments live here and import nothing of the app, so any feature can time its work
(``DOSSIER_SECONDS``, ``BUNDLE_SECONDS``). Under gunicorn each worker is a process:
with ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it) the client keeps the
values in files there and a scrape adds up every process's, including a job worker
started with the same directory on the same machine (gunicorn.conf.py drops the files of
processes gone when it starts). Figures read from the database or the queue are collected
at scrape time by the view, never stored here.
"""
from __future__ import annotations

import os

from flask import Flask, Response, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.registry import Collector

from kaohe.ops.logging import duration_ms

REGISTRY = CollectorRegistry()
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; from a cached page to a long dossier or bundle.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

REQUESTS = Counter("kaohe_http_requests", "HTTP requests answered",
                   ("endpoint", "method", "status"), registry=REGISTRY)
REQUEST_SECONDS = Histogram("kaohe_http_request_duration_seconds",
                            "Time to answer an HTTP request", ("endpoint", "method", "status"),
                            buckets=_BUCKETS, registry=REGISTRY)
DOSSIER_SECONDS = Histogram("kaohe_dossier_generation_seconds",
                            "Time to generate and store one dossier", buckets=_BUCKETS,
                            registry=REGISTRY)
BUNDLE_SECONDS = Histogram("kaohe_bundle_generation_seconds",
                           "Time to build one agenda bundle", buckets=_BUCKETS,
                           registry=REGISTRY)


def _observe(response: Response) -> Response:
    # The endpoint, not the path: a bounded set of label values ("none": no route).
    labels = (request.endpoint or "none", request.method, str(response.status_code))
    REQUESTS.labels(*labels).inc()
    REQUEST_SECONDS.labels(*labels).observe(duration_ms() / 1000)
    return response


def exposition(*collectors: Collector) -> bytes:
    """The text exposition of every metric (of all processes in multiprocess mode) and
    of ``collectors``, which are asked at this moment."""
    registry = CollectorRegistry()
    # prometheus-client's own variable: it chose its multiprocess mode from it at import.
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Local())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


class _Local(Collector):
    """This process's instruments, inside a scrape's registry."""

    def collect(self):
        return REGISTRY.collect()


def init_app(app: Flask) -> None:
    app.after_request(_observe)
