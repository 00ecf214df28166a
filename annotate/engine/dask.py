"""The Dask executor: work items run on a Dask distributed cluster, results in input order.

Without an address a :class:`distributed.LocalCluster` is started for the run (one
single-threaded worker process per core, or ``workers``) and shut down after it; with one
(``address`` or ``DASK_SCHEDULER_ADDRESS``) the run joins that cluster's scheduler and
leaves it running. Every worker must have annotate (and the models its predictors use)
installed: the functions sent to them are pickled by reference to their modules.

An unreachable address fails fast with :class:`~annotate.errors.EngineError` (one line and
a hint), before any work: a TCP address is probed first, so a refused connection does not
wait for Dask's connect timeout.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from distributed import WorkerPlugin

from annotate.engine.local import default_jobs
from annotate.engine.ordered import in_order
from annotate.errors import EngineError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["ADDRESS_ENV", "CONNECT_TIMEOUT_S", "DaskExecutor"]

T = TypeVar("T")
R = TypeVar("R")

ADDRESS_ENV = "DASK_SCHEDULER_ADDRESS"  # Dask's own name for it
CONNECT_TIMEOUT_S = 10.0
_HINT = (
    "start the scheduler (`dask scheduler`, then `dask worker ADDRESS` on each machine), "
    f"check --address / ${ADDRESS_ENV}, or leave both out to start a local cluster"
)


def _probe(address: str, timeout: float) -> None:
    """Raise EngineError unless ``address`` parses and (for TCP) accepts a connection."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else ("", 0)
    except ValueError as exc:
        raise EngineError(
            f"not a Dask scheduler address: {address!r} ({exc})",
            hint="give one like tcp://10.0.0.5:8786",
        ) from None
    if not host:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise EngineError(
            f"cannot reach the Dask scheduler at {address}: {why}", hint=_HINT
        ) from None


class _Preload(WorkerPlugin):
    """A Dask worker plugin that runs ``fn`` once on every worker (and on every worker
    that joins later), so that a model is loaded once per worker, not once per batch."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn = fn

    def setup(self, worker: Any) -> None:
        self.fn()


class DaskExecutor:
    """Runs ``fn`` over items as Dask tasks, at most ``2 × workers`` in flight, yielding the
    results in the items' order (see the module docstring)."""

    name = "dask"

    def __init__(
        self,
        *,
        workers: int | None = None,
        address: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self.address = address or os.environ.get(ADDRESS_ENV) or None
        self.n_workers = workers
        self.connect_timeout = connect_timeout
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("the Dask engine is used outside its `with` block")
        return self._client

    @property
    def workers(self) -> int:
        """The worker threads of the cluster (each runs one item at a time)."""
        info = self.client.scheduler_info()["workers"]
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def __enter__(self) -> Self:
        from distributed import Client, LocalCluster

        if self.address:
            _probe(self.address, self.connect_timeout)
            try:
                self._client = Client(
                    self.address, timeout=self.connect_timeout, set_as_default=False
                )
                self._client.wait_for_workers(1, timeout=self.connect_timeout)
            except (OSError, TimeoutError) as exc:
                self._close()
                raise EngineError(
                    f"the Dask scheduler at {self.address} did not answer: {exc}", hint=_HINT
                ) from None
            return self
        import dask

        # A worker samples its own stacks every 10 ms and the GIL every 1 ms by default:
        # CPU taken from the predictions, which on a machine with as many workers as cores
        # has no spare core to run on. The cluster we start for the run turns them off.
        with dask.config.set(_QUIET_WORKERS):
            self._cluster = LocalCluster(
                n_workers=self.n_workers or default_jobs(),
                threads_per_worker=1,  # the predictors' models are not shared between threads
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        self._client = Client(self._cluster, set_as_default=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def preload(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` once on every worker, now and on workers that join later."""
        name = f"annotate-preload-{getattr(fn, '__qualname__', type(fn).__name__)}"
        self.client.register_plugin(_Preload(fn), name=name)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        client = self.client
        return in_order(
            partial(client.submit, fn, pure=False),
            items,
            limit=2 * self.workers,
            result=_result,
            cancel=lambda future: future.cancel(),
        )


_QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
}


def _result(future: Any) -> Any:
    """The future's result; the cluster losing the work is an EngineError (an error raised
    by the step itself, on a worker, comes through as it was raised)."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    try:
        return future.result()
    except (KilledWorker, CancelledError, CommClosedError) as exc:
        raise EngineError(
            f"the Dask cluster lost a batch of work ({type(exc).__name__}: {exc})",
            hint="check the workers' logs (memory, crashes) and rerun: finished predictions "
            "are in the prediction cache",
        ) from None
