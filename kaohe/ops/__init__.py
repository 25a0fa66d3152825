"""Operations: the client address behind proxies, request logs, metrics, probes.

``init_app`` runs before every other request hook is registered, so the request id and
the timer cover the whole request (session checks, guards, error handlers). The probes
and ``/metrics`` are the ``ops`` blueprint (:mod:`kaohe.ops.health`).
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kaohe.ops import logging, metrics


def trust_proxies(app: Flask) -> None:
    """Behind ``KAOHE_PROXY_HOPS`` proxies, take the client's address, scheme and host from
    the headers they add (each trusted hop's X-Forwarded-For entry, counted from the
    right): the login throttle and the audit log then see each user's own address rather
    than the proxy's. With 0 the headers are ignored: a client could forge them."""
    hops = app.config["KAOHE_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def init_app(app: Flask) -> None:
    trust_proxies(app)
    logging.init_app(app)
    metrics.init_app(app)
