"""kaohe.core.prefetch: the items in order, an error where it occurred, at most
``ahead`` items read in advance, and the thread stopped by close() (issue 17)."""
from __future__ import annotations

import threading

import pytest

from kaohe.core.prefetch import Prefetched


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
@pytest.mark.parametrize("ahead", [1, 3, 500])
def test_items_arrive_in_order(n, ahead):
    with Prefetched(iter(range(n)), ahead) as reading:
        assert list(reading) == list(range(n))


def test_an_error_is_raised_after_the_items_before_it():
    def source():
        yield from (1, 2)
        raise ValueError("第 3 行无法读取")

    got = []
    with Prefetched(source(), 5) as reading, pytest.raises(ValueError, match="第 3 行"):
        for x in reading:
            got.append(x)
    assert got == [1, 2]


def test_reads_at_most_ahead_and_close_stops_the_thread():
    produced, waiting = [], threading.Event()

    def source():
        for i in range(100):
            produced.append(i)
            if len(produced) == 5:
                waiting.set()
            yield i

    reading = Prefetched(source(), 3)
    first = next(iter(reading))
    assert waiting.wait(5)
    reading.close()
    assert first == 0
    # One taken, three queued, one more read and waiting for room: then stopped.
    assert len(produced) == 5
    assert not any(t.name == "kaohe-prefetch" and t.is_alive() for t in threading.enumerate())
