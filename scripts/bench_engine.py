"""Benchmark the Dask engine: pre-annotation of N documents on 2 workers vs 1 worker.

Starts a Dask LocalCluster of one single-threaded worker process and one of two, both
kept open for the run, and warms each up (a batch per worker: the spaCy pipeline loaded on
every worker, the engine's preload) so the figure is the prediction work, not the
start-up. The N documents are then cut into ``ANNOTATE_BENCH_ROUNDS`` parts (default 4)
and each part is predicted on both clusters, alternating which goes first (1, 2 | 2, 1 |
1, 2 | …), so that a change of the shared machine's load hits both sides. Prints the
total time of each side, the ratio of the totals (1 worker's time / 2 workers'; target
≥ 1.7 on 2 cores), the median of the per-round ratios, the sizes, and the load average
before and after; checks that the predictions are identical on both.

Environment: ``ANNOTATE_BENCH_DOCS`` (default 2000), ``ANNOTATE_BENCH_PREDICTORS``
(comma-separated, default entities.rules), ``ANNOTATE_BENCH_WORKERS`` (default 2),
``ANNOTATE_BENCH_ROUNDS`` (default 4).

Run: ``.venv/bin/python scripts/bench_engine.py`` (``ANNOTATE_BENCH_DOCS=200`` for a quick one)
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.engine.dask import DaskExecutor  # noqa: E402
from annotate.preannotate.batches import BATCH_DOCUMENTS, stream_predictions  # noqa: E402
from tests.benchmarks.bench_preannotate import article_sized_documents  # noqa: E402

N_DOCS = int(os.environ.get("ANNOTATE_BENCH_DOCS", "2000"))
NAMES = os.environ.get("ANNOTATE_BENCH_PREDICTORS", "entities.rules").split(",")
WORKERS = int(os.environ.get("ANNOTATE_BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("ANNOTATE_BENCH_ROUNDS", "4"))


def _warmed(workers: int, docs: list[Any]) -> DaskExecutor:
    """An open local cluster of ``workers``, every worker's pipeline loaded and used once."""
    engine = DaskExecutor(workers=workers).__enter__()
    list(stream_predictions(NAMES, docs[: BATCH_DOCUMENTS * workers], engine=engine))
    return engine


def _timed(engine: DaskExecutor, docs: list[Any]) -> tuple[float, list[Any]]:
    """Seconds to predict ``docs`` on ``engine``, and the predictions."""
    start = time.perf_counter()
    out = [
        (d.id, p.model_version, [s.to_dict() for s in p.spans])
        for d, preds in stream_predictions(NAMES, docs, engine=engine)
        for p in preds
    ]
    return time.perf_counter() - start, out


def main() -> None:
    logging.getLogger("distributed").setLevel(logging.ERROR)
    docs = article_sized_documents(N_DOCS)
    before = os.getloadavg()
    one_engine, many_engine = _warmed(1, docs), _warmed(WORKERS, docs)
    step = -(-N_DOCS // ROUNDS)
    times: dict[int, list[float]] = {1: [], WORKERS: []}
    outs: dict[int, list[Any]] = {1: [], WORKERS: []}
    try:
        for r in range(ROUNDS):
            part = docs[r * step : (r + 1) * step]
            sides = [(1, one_engine), (WORKERS, many_engine)]
            for workers, engine in sides if r % 2 == 0 else sides[::-1]:
                seconds, out = _timed(engine, part)
                times[workers].append(seconds)
                outs[workers].extend(out)
    finally:
        many_engine.__exit__(None, None, None)
        one_engine.__exit__(None, None, None)
    if outs[1] != outs[WORKERS]:
        raise SystemExit(f"the predictions differ between 1 and {WORKERS} workers")
    one, many = sum(times[1]), sum(times[WORKERS])
    per_round = statistics.median(a / b for a, b in zip(times[1], times[WORKERS], strict=True))
    chars = sum(len(d.text) for d in docs)
    load = os.getloadavg()
    print(
        f"dask engine, {', '.join(NAMES)}, {N_DOCS} documents ({chars} characters) in "
        f"{ROUNDS} alternating rounds: {WORKERS} workers {many:.1f} s ({N_DOCS / many:.1f} "
        f"docs/s) vs 1 worker {one:.1f} s ({N_DOCS / one:.1f} docs/s) → speed-up "
        f"{one / many:.2f}× (median of the rounds {per_round:.2f}×; target ≥ 1.7 on 2 cores; "
        f"same predictions; load average {before[0]:.1f} before, {load[0]:.1f} {load[1]:.1f} "
        f"{load[2]:.1f} after, on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
