"""The one loop every executor runs: submit items, keep a bounded window in flight, hand
back the results in the items' order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["in_order"]

T = TypeVar("T")
F = TypeVar("F")  # the engine's handle on submitted work (a future)
R = TypeVar("R")


def in_order(
    submit: Callable[[T], F],
    items: Iterable[T],
    *,
    limit: int,
    result: Callable[[F], R],
    cancel: Callable[[F], object],
) -> Iterator[R]:
    """``result(submit(item))`` for every item, in the items' order, with at most ``limit``
    submitted and not yet read (so a long stream is not read ahead into memory). On an
    error, or when the caller stops early, the work submitted and not read is cancelled."""
    pending: deque[F] = deque()
    try:
        for item in items:
            pending.append(submit(item))
            if len(pending) >= limit:
                yield result(pending.popleft())
        while pending:
            yield result(pending.popleft())
    finally:
        for handle in pending:
            cancel(handle)
