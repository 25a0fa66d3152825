"""The job queue as the rest of the app declares and binds it, without loading Huey.

Huey (and the redis client it imports) cost 0.3 s and 20 MB at import, paid by every
worker and CLI command whether or not it touched a job (issue 17). So tasks are declared
here (:func:`task`, with :func:`crontab` schedules) and registered on the Huey instance
when :mod:`kaohe.jobs.engine` is first loaded: at the first submission, the first
request of a web process with the embedded consumer, ``/readyz``, or ``flask worker``.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from flask import Flask


class _State:
    app: Flask | None = None
    consumer: Any = None  # the embedded huey Consumer, once started
    pid: int = 0
    lock = threading.Lock()
    huey: Any = None  # the Huey instance, once kaohe.jobs.engine is loaded


state = _State()


def engine() -> ModuleType:
    """:mod:`kaohe.jobs.engine` (the Huey instance and consumers), loaded on first use."""
    from kaohe.jobs import engine as module

    return module


@dataclass(frozen=True)
class Schedule:
    """The arguments of Huey's ``crontab``, made into Huey's schedule when it loads."""

    spec: dict = field(default_factory=dict)


def crontab(**spec: str) -> Schedule:
    """A periodic task's schedule: the arguments of Huey's ``crontab`` (minute, hour, day,
    month, day_of_week)."""
    return Schedule(spec)


class Task:
    """A Huey task declared before Huey is loaded. Calling it enqueues (as Huey's task
    does), ``call_local`` runs the function now; any other attribute (``schedule``…) is
    the Huey task's."""

    def __init__(self, name: str, fn: Callable, every: Schedule | None = None) -> None:
        self.name, self.fn, self.every = name, fn, every
        self.wrapper = None  # Huey's task, once bound

    def bind(self, huey) -> None:
        from huey import crontab as huey_crontab  # Huey is loaded by now (engine)

        decorate = (huey.task(name=self.name) if self.every is None
                    else huey.periodic_task(huey_crontab(**self.every.spec), name=self.name))
        self.wrapper = decorate(self.fn)

    def bound(self):
        if self.wrapper is None:
            engine()  # loading the engine binds every declared task
        return self.wrapper

    def call_local(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        return self.bound()(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.bound(), name)


TASKS: list[Task] = []


def task(name: str, every: Schedule | None = None) -> Callable[[Callable], Task]:
    """Decorator declaring ``fn`` as the Huey task ``name`` (periodic when ``every``)."""
    def decorator(fn: Callable) -> Task:
        declared = Task(name, fn, every)
        TASKS.append(declared)
        if state.huey is not None:
            declared.bind(state.huey)
        return declared

    return decorator


def bind(huey) -> None:
    """Register every declared task on ``huey`` and configure it for the current app
    (called once, by :mod:`kaohe.jobs.engine` as it loads)."""
    state.huey = huey
    for declared in TASKS:
        declared.bind(huey)
    if state.app is not None:
        engine().configure(state.app)


def immediate_for(app: Flask) -> bool:
    """Whether ``app`` runs tasks where they are enqueued (Huey's immediate mode)."""
    return app.config.get("KAOHE_JOBS_IMMEDIATE", app.testing)


def is_immediate() -> bool:
    """Whether Huey runs tasks where they are enqueued (loads it)."""
    return engine().huey.immediate


def init_app(app: Flask) -> None:
    """Bind the queue to ``app``: Huey is configured for it now if loaded, else when it
    loads; the embedded consumer starts on the first request."""
    state.app = app
    if state.huey is not None:
        engine().configure(app)
    embedded = app.config["KAOHE_EMBEDDED_WORKER"]  # a flag parsed by kaohe.config
    if not immediate_for(app) and embedded not in (False, "0"):  # "0": set in a test's config
        app.before_request(ensure_embedded_worker)


def ensure_embedded_worker() -> None:
    """Start this process's embedded consumer unless it is running."""
    if state.pid == os.getpid():
        return
    with state.lock:
        if state.pid != os.getpid():
            engine().start_consumer(workers=2)
            state.pid = os.getpid()
