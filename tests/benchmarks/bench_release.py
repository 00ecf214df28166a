"""Benchmark: writing a release of N entity spans, as a ratio to bare ``pq.write_table``.

A release is made in two steps (see :mod:`annotate.release.build`): ``collect`` reads,
validates, picks the gold and assembles one Arrow table per config; the release is then
written from those tables. The step timed against the target is the second one, everything
that writing a release adds to writing the table: the parquet file of every config with its
Hugging Face features and zstd, the schema copy, the plot, the card and the manifest with
every file's sha256 (``write_data`` + ``write_metadata``; training formats off, as they are
options). The baseline is ``pyarrow.parquet.write_table`` of the same entity table with
pyarrow's defaults. Each round starts from a fresh ``ReleaseData`` sharing only the tables,
so nothing the card or the plot computes is carried over between rounds.

Also reported, not checked: assembling the tables from the Python rows (what ``collect``
does after validation), and the whole path from rows as a ratio to
``pa.Table.from_pylist`` + ``write_table`` of the same rows. N is ``ANNOTATE_BENCH_SPANS``
(default 20,000 so that CI stays fast); the 2x target is checked from 500,000 spans, where
the fixed costs (plot, card) no longer dominate:

    ANNOTATE_BENCH_SPANS=1000000 .venv/bin/python -m pytest tests/benchmarks/bench_release.py \
        --benchmark-enable -s

(The file is named ``bench_*.py``: pass it to pytest explicitly, as above.)
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotate.model import Document, Segment
from annotate.release.build import place, staging, write_data, write_metadata
from annotate.release.data import ReleaseData
from annotate.release.rows import ListRows
from annotate.release.tables import segment_row
from annotate.validate import Report

SPANS = int(os.environ.get("ANNOTATE_BENCH_SPANS", "20000"))
PER_DOC = 1000
CARD = Path(__file__).resolve().parents[2] / "dataset_card.md"
LABELS = ["PER", "ORG", "LOC", "FAC", "PRODUCT", "EVENT", "DATE", "MONEY", "QUANTITY", "MISC"]


def _data(n: int) -> ReleaseData:
    """n entity spans over documents of PER_DOC mentions each, one paragraph per document."""
    documents: dict[str, Document] = {}
    entities = []
    segments = []
    for d in range((n + PER_DOC - 1) // PER_DOC):
        k = min(PER_DOC, n - d * PER_DOC)
        words = [f"Nom{d}x{i} dit" for i in range(k)]
        text = " ".join(words) + "."
        doc_id = f"{d:064x}"
        documents[doc_id] = Document(
            doc_id, text, "fr", paragraphs=[Segment(0, len(text), 0)], title=f"doc {d}"
        )
        pos = 0
        for i, w in enumerate(words):
            end = pos + w.index(" ")
            entities.append(
                {
                    "doc_id": doc_id,
                    "segment_start": 0,
                    "segment_end": len(text),
                    "span_id": f"s{d}-{i}",
                    "start": pos,
                    "end": end,
                    "span_text": text[pos:end],
                    "label": LABELS[i % len(LABELS)],
                    "kb_id": f"Q{i}" if i % 3 == 0 else None,
                }
            )
            pos += len(w) + 1
        segments.append(
            segment_row(
                doc_id=doc_id,
                layer="entities",
                segment_start=0,
                segment_end=len(text),
                judgement=None,
                annotator="annotator",
                rule="single",
                candidates=1,
                spans=k,
            )
        )
    return ReleaseData(
        documents=documents,
        row_source=ListRows({"segments": segments, "entities": entities}),
        report=Report(),
        gold_rules={"entities": Counter(single=len(segments))},
        inputs=[],
        created=None,
        created_from=None,
    )


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _paired(ours, baseline, repeat: int = 9) -> tuple[float, float, float]:
    """``repeat`` rounds of each, interleaved so that each pair sees the same machine:
    the best time of each, and the median of the rounds' ratios (the figure checked: a
    slow spell of a shared machine slows both halves of a pair, not one best time)."""
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (baseline, b)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return min(a), min(b), statistics.median(x / y for x, y in zip(a, b, strict=True))


@pytest.mark.slow
def test_release_of_n_spans_against_write_table(benchmark, tmp_path):
    data = _data(SPANS)
    rows = data.rows["entities"]
    assembly = _best(lambda: replace(data, _tables={}).assemble())
    data.assemble()
    table = data.table("entities")
    made = iter(range(10_000))

    def release() -> Path:
        fresh = replace(data, _counted={}, _card=None)  # only the tables are shared
        version = f"0.0.{next(made)}"
        target = tmp_path / "releases" / "bench" / version
        with staging(tmp_path / "releases", "bench", version) as tmp:
            file_rows = write_data(fresh, tmp)
            write_metadata(
                fresh,
                tmp,
                file_rows=file_rows,
                dataset="bench",
                version=version,
                card_template=CARD,
            )
            place(tmp, target)
        return target

    def bare() -> None:
        pq.write_table(table, tmp_path / "bare.parquet")

    def bare_from_rows() -> None:
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "bare-rows.parquet")

    first = benchmark.pedantic(release, rounds=1, iterations=1)
    assert pq.read_metadata(first / "entities/train.parquet").num_rows == SPANS
    ours, baseline, ratio = _paired(release, bare)
    baseline_rows = _best(bare_from_rows)
    from_rows = (assembly + ours) / baseline_rows
    benchmark.extra_info.update(
        spans=SPANS,
        release_s=round(ours, 3),
        write_table_s=round(baseline, 3),
        ratio_to_write_table=round(ratio, 2),
        best_time_ratio=round(ours / baseline, 2),
        assemble_s=round(assembly, 3),
        from_pylist_write_table_s=round(baseline_rows, 3),
        rows_to_release_ratio_to_from_pylist_write_table=round(from_rows, 2),
    )
    print(
        f"\n{SPANS} spans: release {ours:.3f}s, bare write_table {baseline:.3f}s (best times; "
        f"median paired ratio {ratio:.2f}); assembling the tables from rows {assembly:.3f}s; "
        f"rows to release {assembly + ours:.3f}s vs from_pylist+write_table "
        f"{baseline_rows:.3f}s (ratio {from_rows:.2f})"
    )
    if SPANS >= 500_000:  # the fixed costs (plot, card) are small only at this size
        assert ratio < 2, f"release is {ratio:.2f}x bare write_table (target 2x)"
