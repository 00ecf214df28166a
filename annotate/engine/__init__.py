"""Executors: *where* a heavy step runs, kept apart from *what* it computes.

An executor maps a function over work items and yields the results in the items' order,
with a bounded number of items in flight (a long stream is never read ahead into memory),
so the output is the same whatever the engine and the number of workers. Two are known
(:data:`ENGINES`):

- ``local`` (:class:`~annotate.engine.local.LocalExecutor`): a pool of processes on this
  machine (or this process alone for one job);
- ``dask`` (:class:`~annotate.engine.dask.DaskExecutor`): a Dask distributed cluster,
  joined at a scheduler address (``--address`` or ``DASK_SCHEDULER_ADDRESS``) or started on
  this machine for the run and shut down after it.

Open one with :func:`open_engine` and use it as a context manager::

    with open_engine("dask", workers=2) as engine:
        results = list(engine.map(fn, items))

A step that needs something loaded once per worker (a spaCy pipeline) passes a
*preload* callable to :meth:`Executor.preload`: the local engine runs it in this process
before its pool forks (the workers inherit it), the Dask engine once on every worker,
including workers that join later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Protocol, Self, TypeVar

from annotate.engine.local import LocalExecutor, default_jobs
from annotate.errors import ConfigError

__all__ = [
    "ENGINES",
    "Executor",
    "LocalExecutor",
    "default_jobs",
    "engine_names",
    "open_engine",
]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Where a heavy step runs (see the module docstring)."""

    name: str

    @property
    def workers(self) -> int: ...

    def preload(self, fn: Callable[[], object]) -> None: ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def _local(*, workers: int | None, address: str | None) -> Executor:
    if address:
        raise ConfigError(
            "--address is for a distributed engine; the local engine runs on this machine",
            hint="add --engine dask to join the cluster at that address",
        )
    return LocalExecutor(workers)


def _dask(*, workers: int | None, address: str | None) -> Executor:
    from annotate.engine.dask import DaskExecutor  # imports distributed: only when asked for

    return DaskExecutor(workers=workers, address=address)


# The known engines: name -> factory(workers=, address=).
ENGINES: dict[str, Callable[..., Executor]] = {"local": _local, "dask": _dask}


def engine_names() -> list[str]:
    """The names of the known engines, sorted."""
    return sorted(ENGINES)


def open_engine(
    name: str = "local", *, workers: int | None = None, address: str | None = None
) -> Executor:
    """The engine called ``name`` (not started yet: use it with ``with``). ``workers``:
    processes of the local pool, or of the Dask cluster started for the run (``None``:
    every core); ``address``: a Dask scheduler to join instead. An unknown name lists the
    known ones."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown engine {name!r}; known: {', '.join(engine_names())}",
            hint="pass --engine local (this machine) or --engine dask",
        ) from None
    if workers is not None and workers < 1:
        raise ConfigError(f"--jobs must be at least 1, got {workers}")
    return factory(workers=workers, address=address)
