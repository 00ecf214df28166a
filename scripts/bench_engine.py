"""Benchmark the Dask engine: pre-annotation of N documents on 2 workers vs 1 worker.

Starts a Dask LocalCluster of one single-threaded worker process and one of two, in this
run, and times the same predictions (``stream_predictions`` over article-sized documents,
no cache) on each, after a warm-up batch has loaded the spaCy pipeline on every worker
(the engine's preload), so the figure is the prediction work, not the start-up. Prints
both times and the ratio (1 worker's time / 2 workers'; target ≥ 1.7 on 2 cores) and
checks that the predictions are identical. The machine's other load counts: say it
(``uptime``) with the figure.

Environment: ``ANNOTATE_BENCH_DOCS`` (default 2000), ``ANNOTATE_BENCH_PREDICTORS``
(comma-separated, default entities.rules), ``ANNOTATE_BENCH_WORKERS`` (default 2).

Run: ``.venv/bin/python scripts/bench_engine.py`` (``ANNOTATE_BENCH_DOCS=200`` for a quick one)
"""

from __future__ import annotations

import logging
import os
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


def _timed(workers: int, docs: list[Any]) -> tuple[float, list[Any]]:
    """Seconds to predict ``docs`` on a fresh local cluster of ``workers``, warmed up."""
    with DaskExecutor(workers=workers) as engine:
        warm = docs[: BATCH_DOCUMENTS * workers]  # one batch each: every worker loads the pipeline
        list(stream_predictions(NAMES, warm, engine=engine))
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
    many, out_many = _timed(WORKERS, docs)
    one, out_one = _timed(1, docs)
    if out_one != out_many:
        raise SystemExit(f"the predictions differ between 1 and {WORKERS} workers")
    chars = sum(len(d.text) for d in docs)
    load = os.getloadavg()
    print(
        f"dask engine, {', '.join(NAMES)}, {N_DOCS} documents ({chars} characters): "
        f"{WORKERS} workers {many:.1f} s ({N_DOCS / many:.1f} docs/s) vs 1 worker {one:.1f} s "
        f"({N_DOCS / one:.1f} docs/s) → speed-up {one / many:.2f}× (target ≥ 1.7 on 2 cores; "
        f"same predictions; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
