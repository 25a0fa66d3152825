"""An iterator read ahead by a thread, so that producing the next items (parsing a
file) overlaps the consumer's waits on the database.

The Excel import spends about half of its time waiting for PostgreSQL (each batch's
COPY fires the name-search triggers row by row) while the GIL is free; the sheet's
XML parsing, done meanwhile in a thread, no longer adds to it (issue 17). The queue is
bounded: memory stays flat in the file's length.
"""
from __future__ import annotations

import queue
import threading
from typing import Generic, Iterator, TypeVar

T = TypeVar("T")
_END = object()


class Prefetched(Generic[T]):
    """Iterate ``source`` in a thread, at most ``ahead`` items in advance. An exception
    the source raises is raised to the consumer where it occurred in the sequence.
    :meth:`close` (or leaving the ``with`` block) stops and joins the thread: the source
    may then be closed safely."""

    def __init__(self, source: Iterator[T], ahead: int):
        self._source = source
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kaohe-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put((True, item)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put((False, exc))
            return
        self._put((True, _END))

    def __iter__(self) -> Iterator[T]:
        while True:
            ok, item = self._queue.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> "Prefetched[T]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
