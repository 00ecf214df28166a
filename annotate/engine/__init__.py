"""Executors: *where* a heavy step runs, kept apart from *what* it computes.

:class:`~annotate.engine.local.LocalExecutor` maps a function over work items in a pool of
local processes (or in this process for one job), yielding results in the items' order,
so that the output is the same whatever the number of jobs.
"""

from __future__ import annotations

from annotate.engine.local import LocalExecutor, default_jobs

__all__ = ["LocalExecutor", "default_jobs"]
