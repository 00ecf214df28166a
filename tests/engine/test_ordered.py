"""engine.ordered.in_order, the loop both executors run: results in input order, a bounded
window in flight, the unread work cancelled when the caller stops early."""

from __future__ import annotations

import itertools
from concurrent.futures import Future

from annotate.engine import LocalExecutor
from annotate.engine.ordered import in_order


def _done(value: int) -> Future[int]:
    future: Future[int] = Future()
    future.set_result(value)
    return future


def test_results_come_in_input_order_with_a_bounded_window() -> None:
    submitted: list[int] = []
    read = 0

    def submit(item: int) -> Future[int]:
        assert len(submitted) - read < 3  # never more than `limit` in flight
        submitted.append(item)
        return _done(item * item)

    for value in in_order(submit, range(10), limit=3, result=Future.result, cancel=Future.cancel):
        assert value == submitted[read] ** 2
        read += 1
    assert read == 10


def test_an_early_stop_cancels_the_work_not_read() -> None:
    handles: list[Future[int]] = []

    def submit(item: int) -> Future[int]:
        handle: Future[int] = Future()  # only the first is done; the others stay pending
        if item == 0:
            handle.set_result(item)
        handles.append(handle)
        return handle

    stream = in_order(submit, range(10), limit=4, result=Future.result, cancel=Future.cancel)
    assert list(itertools.islice(stream, 1)) == [0]
    stream.close()
    assert len(handles) == 4
    assert all(h.cancelled() for h in handles[1:])


def test_the_local_pool_keeps_the_order() -> None:
    with LocalExecutor(2) as engine:
        assert list(engine.map(abs, range(-20, 0))) == list(range(20, 0, -1))
