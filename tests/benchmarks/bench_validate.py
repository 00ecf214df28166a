"""Validation throughput, measured in one run on the same records:

- ours: :class:`annotate.validate.RecordValidator` — compiled schema + semantic checks;
- baseline: a plain ``jsonschema.Draft202012Validator`` loop (what users would write);
- floor: ``jsonschema_rs`` ``is_valid`` alone (structure only, nothing else);
- end to end: a Label Studio export of the same size read and validated by
  :func:`annotate.validate.run_validation` (JSON parsing and conversion included).

Run (not part of the test suite; no timed assertion — the ratios are printed):

    .venv/bin/python -m pytest tests/benchmarks/bench_validate.py --benchmark-enable

``ANNOTATE_BENCH_RECORDS`` (default 100000) sets the number of records (10 spans each);
``ANNOTATE_BENCH_BASELINE_RECORDS`` (default: all) limits the slow baseline to the first
records of the same list, for a quick run — its throughput is per record either way.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from annotate.schemas import load_schema, registry
from annotate.validate import record_validator, run_validation
from annotate.validation.structural import StructuralValidator
from tests.synthetic import (
    synthetic_documents,
    synthetic_records,
    write_synthetic_export,
)

N = int(os.environ.get("ANNOTATE_BENCH_RECORDS", "100000"))
N_BASELINE = int(os.environ.get("ANNOTATE_BENCH_BASELINE_RECORDS", str(N)))
SPANS = 10
THROUGHPUT: dict[str, float] = {}  # records per second, filled by each benchmark

Records = list[tuple[dict[str, Any], Any, str]]


@pytest.fixture(scope="module")
def documents() -> list[Any]:
    return synthetic_documents(20)


@pytest.fixture(scope="module")
def records(documents: list[Any]) -> Records:
    return list(synthetic_records(N, documents, spans=SPANS))


def _measure(benchmark: Any, name: str, fn: Any, n: int, rounds: int, warmup: int = 0) -> Any:
    """Best of ``rounds`` (after ``warmup`` unmeasured rounds): the machine's noise only
    ever slows a round down."""
    result = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=warmup)
    if benchmark.stats is not None:  # None under --benchmark-disable
        per_second = n / benchmark.stats.stats.min
        THROUGHPUT[name] = per_second
        benchmark.extra_info.update(
            records=n, spans_per_record=SPANS, records_per_second=per_second
        )
    return result


def test_ours(benchmark: Any, records: Records) -> None:
    check = record_validator("entities").check

    def run() -> int:
        return sum(1 for rec, doc, seg in records if check(rec, document=doc, segment_text=seg))

    assert _measure(benchmark, "ours", run, len(records), rounds=5, warmup=1) == 0


def test_floor_jsonschema_rs_is_valid(benchmark: Any, records: Records) -> None:
    is_valid = StructuralValidator("entities").fast_is_valid()

    def run() -> int:
        return sum(1 for rec, _doc, _seg in records if not is_valid(rec))

    assert _measure(benchmark, "floor", run, len(records), rounds=5, warmup=1) == 0


def test_baseline_plain_jsonschema(benchmark: Any, records: Records) -> None:
    validator = jsonschema.Draft202012Validator(load_schema("entities"), registry=registry())
    subset = records[:N_BASELINE]

    def run() -> int:
        return sum(1 for rec, _doc, _seg in subset if list(validator.iter_errors(rec)))

    assert _measure(benchmark, "baseline", run, len(subset), rounds=1) == 0


def test_end_to_end_export(benchmark: Any, documents: list[Any], tmp_path_factory: Any) -> None:
    """Reading included: an export with as many tasks as records (one annotation each)."""
    work: Path = tmp_path_factory.mktemp("bench")
    probe = write_synthetic_export(work / "probe.json", documents, size=2_000_000)
    size = int(probe.bytes / probe.tasks * N)
    info = write_synthetic_export(work / "export.json", documents, size=size)
    docs = {d.id: d for d in documents}

    def run() -> Any:
        return run_validation([work / "export.json"], docs, output=work / "valid.jsonl")

    report = _measure(benchmark, "end_to_end", run, info.tasks, rounds=1)
    assert report.counts()["valid"] == info.tasks
    benchmark.extra_info["export_bytes"] = info.bytes


def _paired(records: Records, rounds: int = 6) -> dict[str, float]:
    """Ours and the floor alternated round by round, best of each: on a shared machine the
    load changes from one minute to the next, and pairing keeps it out of the ratio."""
    check = record_validator("entities").check
    is_valid = StructuralValidator("entities").fast_is_valid()
    runs = {  # the same loops as the benchmarks above
        "ours": lambda: sum(1 for r, d, s in records if check(r, document=d, segment_text=s)),
        "floor": lambda: sum(1 for r, _d, _s in records if not is_valid(r)),
    }
    best: dict[str, float] = {}
    for i in range(rounds):
        for name in ("ours", "floor") if i % 2 else ("floor", "ours"):
            start = time.perf_counter()
            runs[name]()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    return {name: len(records) / seconds for name, seconds in best.items()}


def test_ratios(records: Records) -> None:
    """Not a check: prints the ratios the issue asks for (targets: ≥ 25x the baseline,
    ≥ 0.3x the floor)."""
    if {"ours", "baseline", "floor"} - set(THROUGHPUT):
        pytest.skip("run with --benchmark-enable")
    paired = _paired(records)
    summary = {
        "records": N,
        "spans_per_record": SPANS,
        "records_per_second": {k: round(v) for k, v in THROUGHPUT.items()},
        "ours_vs_baseline": round(THROUGHPUT["ours"] / THROUGHPUT["baseline"], 1),
        "ours_vs_floor": round(THROUGHPUT["ours"] / THROUGHPUT["floor"], 3),
        "paired_records_per_second": {k: round(v) for k, v in paired.items()},
        "paired_ours_vs_floor": round(paired["ours"] / paired["floor"], 3),
    }
    print("\nvalidation benchmark:", json.dumps(summary, indent=2))
