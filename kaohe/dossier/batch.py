"""Batch generation: many dossiers as ONE merged PDF with a bookmark per official.

Snapshots are built (and numbers allocated) in the calling process, which holds
the database session; rendering needs only the snapshot, so it runs in a pool of
worker processes, one per core. Results come back in input order; the caller
stores each as a :class:`~kaohe.dossier.models.Dossier` row while the workers go
on rendering, and :class:`Merger` joins them (byte-level, :mod:`kaohe.dossier.pdfmerge`).

Workers are forked where the platform allows it: they start at once with the
font already registered. They never touch the
database objects they inherit and leave through ``os._exit``, so no inherited
connection is used or closed by them. Elsewhere they are spawned.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable, Iterable, Iterator

from kaohe.dossier import pdfmerge
from kaohe.dossier.render import render_pdf
from kaohe.dossier.styles import kit


def _warm(font: str | None) -> None:
    """Worker initializer: register the font and build the styles once per process."""
    kit(font)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def render_many(snaps: Iterable[dict], font: str | None = None, workers: int | None = None,
                on_done: Callable[[], None] | None = None) -> Iterator[tuple[dict, bytes]]:
    """Render ``snaps`` on ``workers`` processes; yields (snapshot, pdf) in input order.

    Snapshots are submitted as ``snaps`` produces them, so building the next one in
    this process overlaps with rendering in the workers.
    """
    workers = workers or default_workers()
    if workers == 1:
        for snap in snaps:
            pdf = render_pdf(snap, font)
            if on_done:
                on_done()
            yield snap, pdf
        return
    kit(font)  # register the font here, so forked workers inherit it
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_warm,
                             initargs=(font,)) as pool:
        pending: list[tuple[dict, Future]] = []
        for snap in snaps:
            fut = pool.submit(render_pdf, snap, font)
            if on_done:
                fut.add_done_callback(lambda _f: on_done())
            pending.append((snap, fut))
        for snap, fut in pending:
            yield snap, fut.result()


class Merger:
    """Builds ONE PDF from dossiers appended in order, a top-level bookmark for each
    (its own section outline nested below); see :mod:`kaohe.dossier.pdfmerge`."""

    def __init__(self):
        self.parts: list[tuple[str, bytes]] = []

    def add(self, title: str, pdf: bytes) -> None:
        self.parts.append((title, pdf))

    def finish(self) -> bytes:
        return pdfmerge.merge(self.parts, "干部考评材料汇编")


def title(snap: dict) -> str:
    return f"{snap['official']['name']}（{snap['dossier']['number']}）"
