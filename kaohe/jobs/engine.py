"""The Huey instance of the process, its storage, and the embedded consumer.

One :class:`KaoheHuey` exists per process. This module is loaded on first use (see
:mod:`kaohe.jobs.queue`): as it loads, the tasks declared so far are registered on it
and its storage is chosen from the configuration of the app bound by ``init_app``:

* ``KAOHE_REDIS_URL`` set: Redis, shared by every server and ``flask worker``;
* otherwise SQLite, a file in the instance folder (one machine);
* ``KAOHE_JOBS_IMMEDIATE`` (default: under ``TESTING``): tasks run synchronously where
  they are enqueued (Huey's immediate mode).

Without ``KAOHE_EMBEDDED_WORKER=0`` the web process runs a consumer in background
threads, started on its first request (so after gunicorn's fork, once per process).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from huey import Huey
from huey.consumer import Consumer
from huey.storage import RedisStorage, SqliteStorage
from redis import ConnectionPool

from kaohe.jobs import queue
from kaohe.jobs.queue import ensure_embedded_worker, init_app, state  # noqa: F401 (API)

log = logging.getLogger(__name__)


class KaoheHuey(Huey):
    """Huey whose storage is chosen after import, when the app's configuration is known."""

    def configure(self, storage_class: type, immediate: bool, **storage_kwargs) -> None:
        self.storage.close()
        self.storage_class, self.storage_kwargs = storage_class, storage_kwargs
        self._immediate = immediate
        self.storage = self.create_storage()


class EmbeddedConsumer(Consumer):
    """A consumer inside the web process: threads only, and the web server keeps the
    process's signal handlers (Huey's would stop gunicorn's graceful shutdown)."""

    def _set_signal_handlers(self) -> None:
        pass


huey = KaoheHuey("kaohe", results=False, immediate=True)


def storage_for(app: Flask) -> tuple[type, dict]:
    """The storage class and its arguments for ``app``'s configuration."""
    url = app.config.get("KAOHE_REDIS_URL")  # kaohe.config reads the environment
    if url:
        # Timeouts: an unreachable Redis fails a submission or /readyz in seconds, not
        # after the operating system's TCP timeout.
        return RedisStorage, {"connection_pool": ConnectionPool.from_url(
            url, socket_connect_timeout=5, socket_timeout=30)}
    path = app.config.get("KAOHE_JOBS_QUEUE_FILE") or str(Path(app.instance_path) / "jobs-queue.db")
    return SqliteStorage, {"filename": path}


def configure(app: Flask) -> None:
    """Give the Huey instance ``app``'s storage and mode (called by ``init_app``)."""
    storage_class, kwargs = storage_for(app)
    huey.configure(storage_class, queue.immediate_for(app), **kwargs)


def start_consumer(consumer_class: type = EmbeddedConsumer, workers: int = 2) -> Consumer:
    """Start a consumer's scheduler and worker threads in this process; returns it."""
    consumer = consumer_class(huey, workers=workers, worker_type="thread", periodic=True,
                              scheduler_interval=1, max_delay=2.0)
    consumer.start()
    state.consumer = consumer
    log.info("embedded job worker started (%s threads, pid %s)", workers, os.getpid())
    return consumer


queue.bind(huey)  # last: registers the tasks declared before Huey was loaded
