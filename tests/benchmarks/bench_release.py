"""Benchmark: writing a release of N entity spans, as a ratio to bare ``pq.write_table``.

The release path timed is everything after validation and gold selection: the parquet
file of every config with its features, the schema copy, the plot, the card and the
manifest with every file's sha256 (``write_data`` + ``write_metadata``; training formats
off, as they are options). The baseline is ``pyarrow.parquet.write_table`` of the same
entity table, already built, with pyarrow's defaults; a second baseline adds building that
table from the same Python rows (``pa.Table.from_pylist``), which the release must do too.

Both ratios are reported. Turning a million Python rows into Arrow costs about three
times the write itself (``from_pylist`` alone does), so the 2x target is checked against
the second baseline, the bare-pyarrow way to write the same rows. N is
``ANNOTATE_BENCH_SPANS`` (default 20,000 so that CI stays fast); the target is checked
from 500,000 spans, where the fixed costs (plot, card) no longer dominate:

    ANNOTATE_BENCH_SPANS=1000000 .venv/bin/python -m pytest tests/benchmarks/bench_release.py \
        --benchmark-enable -s

(The file is named ``bench_*.py``: pass it to pytest explicitly, as above.)
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotate.layers import get_layer
from annotate.model import Document, Segment
from annotate.release.build import ReleaseData, staging, write_data, write_metadata
from annotate.release.tables import segment_row, to_table
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
        rows={"segments": segments, "entities": entities, "claims": [], "translation_errors": []},
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


@pytest.mark.slow
def test_release_of_n_spans_against_write_table(benchmark, tmp_path):
    data = _data(SPANS)
    rows = data.rows["entities"]
    features = get_layer("entities").features()
    table = to_table(rows, features)
    made = iter(range(10_000))

    def release() -> Path:
        version = f"0.0.{next(made)}"
        with staging(tmp_path / "releases", "bench", version) as tmp:
            file_rows = write_data(data, tmp)
            write_metadata(
                data,
                tmp,
                file_rows=file_rows,
                dataset="bench",
                version=version,
                card_template=CARD,
            )
            assert pq.read_metadata(tmp / "entities/train.parquet").num_rows == SPANS
        return tmp

    def bare() -> None:
        pq.write_table(table, tmp_path / "bare.parquet")

    def bare_from_rows() -> None:
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "bare-rows.parquet")

    benchmark.pedantic(release, rounds=1, iterations=1)
    ours = _best(release)
    baseline = _best(bare)
    baseline_rows = _best(bare_from_rows)
    ratio = ours / baseline
    benchmark.extra_info.update(
        spans=SPANS,
        release_s=round(ours, 3),
        write_table_s=round(baseline, 3),
        from_pylist_write_table_s=round(baseline_rows, 3),
        ratio_to_write_table=round(ratio, 2),
        ratio_to_from_pylist_write_table=round(ours / baseline_rows, 2),
    )
    print(
        f"\n{SPANS} spans: release {ours:.3f}s, bare write_table {baseline:.3f}s "
        f"(ratio {ratio:.2f}), from_pylist+write_table {baseline_rows:.3f}s "
        f"(ratio {ours / baseline_rows:.2f})"
    )
    if SPANS >= 500_000:  # the fixed costs (plot, card) are small only at this size
        assert ours / baseline_rows < 2, (
            f"release is {ours / baseline_rows:.2f}x from_pylist + write_table (target 2x)"
        )
