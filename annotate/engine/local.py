"""The local executor: a process pool on this machine, results in input order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Self, TypeVar

from annotate.engine.ordered import in_order
from annotate.errors import ConfigError

__all__ = ["LocalExecutor", "default_jobs"]

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Runs ``fn`` over items in ``jobs`` processes (``None``: every core; 1: in this
    process, no pool). At most ``2 × jobs`` items are in flight, so a long stream of items
    is not read ahead into memory.

    On Linux the workers are forked, so they inherit what the parent has already loaded
    (a spaCy pipeline loaded before the pool starts, e.g. by :meth:`preload`, is shared,
    not loaded again). A pool lives for one :meth:`map`."""

    name = "local"

    def __init__(self, jobs: int | None = None) -> None:
        if jobs is not None and jobs < 1:
            raise ConfigError(f"--jobs must be at least 1, got {jobs}")
        self.jobs = jobs or default_jobs()

    @property
    def workers(self) -> int:
        return self.jobs

    def preload(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` here, before any pool forks: the workers inherit what it loaded."""
        fn()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.jobs == 1:
            yield from map(fn, items)
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=self.jobs, mp_context=context) as pool:
            yield from in_order(
                lambda item: pool.submit(fn, item),
                items,
                limit=2 * self.jobs,
                result=Future.result,
                cancel=Future.cancel,
            )
