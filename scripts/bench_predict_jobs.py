"""Benchmark ``--jobs``: the three built-in predictors over a corpus with N jobs vs one.

Alternated pairs (one job, N jobs, N jobs, one job, …) in this process, the spaCy pipeline
loaded beforehand; prints the median ratio (one job's time / N jobs' time) with both times,
and checks that the predictions are the same. The machine's other load counts: run it
when the machine is quiet.

Environment: ``ANNOTATE_BENCH_DOCS`` (article-sized documents, default 40),
``ANNOTATE_BENCH_JOBS`` (default: every core), ``ANNOTATE_BENCH_ROUNDS`` (pairs, default 3).

Run: ``.venv/bin/python scripts/bench_predict_jobs.py``
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.engine import default_jobs  # noqa: E402
from annotate.preannotate import PredictorOptions, run_predictors  # noqa: E402
from annotate.preannotate.entities import shared_rules_nlp  # noqa: E402
from tests.benchmarks.bench_preannotate import article_sized_documents  # noqa: E402

NAMES = ["entities.rules", "claims.cues", "translation_errors.checks"]
N_DOCS = int(os.environ.get("ANNOTATE_BENCH_DOCS", "40"))
JOBS = int(os.environ.get("ANNOTATE_BENCH_JOBS", str(default_jobs())))
ROUNDS = int(os.environ.get("ANNOTATE_BENCH_ROUNDS", "3"))


def _run(docs: list[Any], jobs: int) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    out = run_predictors(NAMES, docs, jobs=jobs)
    elapsed = time.perf_counter() - start
    return elapsed, [(p.doc_id, p.model_version, [s.to_dict() for s in p.spans]) for p in out]


def main() -> None:
    docs = article_sized_documents(N_DOCS)
    shared_rules_nlp(PredictorOptions())  # loaded once, before any pool forks
    one, many, ratios = [], [], []
    for i in range(ROUNDS):
        if i % 2 == 0:
            (a, out_one), (b, out_many) = _run(docs, 1), _run(docs, JOBS)
        else:
            (b, out_many), (a, out_one) = _run(docs, JOBS), _run(docs, 1)
        if out_one != out_many:
            raise SystemExit(f"the predictions differ between 1 and {JOBS} jobs")
        one.append(a)
        many.append(b)
        ratios.append(a / b)
    chars = sum(len(d.text) for d in docs)
    print(
        f"predictions, {N_DOCS} documents ({chars} characters), {JOBS} jobs: "
        f"{statistics.median(many):.1f} s vs 1 job {statistics.median(one):.1f} s → speed-up "
        f"{statistics.median(ratios):.2f}× (target ≥ 1.7 on 2 cores; median of {ROUNDS} "
        f"alternated pairs; same predictions)"
    )


if __name__ == "__main__":
    main()
