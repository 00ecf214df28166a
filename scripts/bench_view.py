"""Benchmark `annotate view` against reading the release and writing as many bare pages.

It writes the viewer in the format new releases get (3: rows as JSON, drawn in the
browser, each rater's span marked a dispute or a note by annotate.disputes, as release
2.2.0) or, with ANNOTATE_BENCH_FORMAT=2, in format 2 (the same without the marks, as
2.1.0), or 1 (displaCy, as release 2.0.0).

A synthetic release of N documents (default 1,000; ANNOTATE_BENCH_DOCS) is made by copying
the bundled 1.0.0 release's rows N times under new document ids (so each page has the
article's 40 entities, 16 claims, 30 errors and three raters' raw rows). The baseline reads
every parquet file of it and writes one file per document (and an index) from a bare Jinja
template holding the document's text; the ratio is the median of paired rounds.

    .venv/bin/python scripts/bench_view.py          # prints the ratio and the largest page
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.release.viewer import VIEWER_FORMAT, write_viewer  # noqa: E402

SOURCE = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"
DOCS = int(os.environ.get("ANNOTATE_BENCH_DOCS", "1000"))
ROUNDS = int(os.environ.get("ANNOTATE_BENCH_ROUNDS", "3"))
FORMAT = int(os.environ.get("ANNOTATE_BENCH_FORMAT", str(VIEWER_FORMAT)))


def synthetic(out: Path, n: int) -> Path:
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    for config in manifest["configs"]:
        table = pq.read_table(SOURCE / config / "train.parquet")
        parts = []
        for i in range(n):
            ids = pa.array([hashlib.sha256(str(i).encode()).hexdigest()] * table.num_rows)
            parts.append(table.set_column(table.schema.get_field_index("doc_id"), "doc_id", ids))
        (out / config).mkdir(parents=True)
        pq.write_table(pa.concat_tables(parts), out / config / "train.parquet")
    shutil.copytree(SOURCE / "schema", out / "schema")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def baseline(release: Path, out: Path) -> None:
    tables = {p.parent.name: pq.read_table(p).to_pylist() for p in release.glob("*/train.parquet")}
    page = jinja2.Environment(autoescape=True).from_string(
        "<!DOCTYPE html><html><body><h1>{{ title }}</h1><p>{{ text }}</p></body></html>"
    )
    out.mkdir(parents=True)
    for d in tables["documents"]:
        (out / f"doc-{d['doc_id'][:16]}.html").write_text(page.render(**d), encoding="utf-8")
    (out / "index.html").write_text(page.render(title="index", text=""), encoding="utf-8")


def main() -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        release = synthetic(Path(tmp) / "release", DOCS)
        ratios, ours, base = [], [], []
        for r in range(ROUNDS):
            t0 = time.perf_counter()
            baseline(release, Path(tmp) / f"base{r}")
            t1 = time.perf_counter()
            result = write_viewer(release, out=Path(tmp) / f"view{r}", viewer_format=FORMAT)
            t2 = time.perf_counter()
            base.append(t1 - t0)
            ours.append(t2 - t1)
            ratios.append((t2 - t1) / (t1 - t0))
        sizes = [p.stat().st_size for p in result.pages]
        largest = max(sizes)
        over = sum(1 for n in sizes if n > 2_000_000)
    print(
        f"annotate view (format {FORMAT}) of {DOCS} documents: {min(ours):.2f} s (best of {ROUNDS})"
    )
    print(f"baseline (read parquet + {DOCS + 1} bare pages): {min(base):.2f} s")
    print(f"ratio (median of paired rounds): {statistics.median(ratios):.2f} (target < 1.5)")
    print(f"largest of {len(sizes)} pages: {largest / 1e6:.2f} MB (limit 2 MB; {over} over it)")
    load = ", ".join(f"{a:.2f}" for a in (*load_before[:1], os.getloadavg()[0]))
    print(f"load average (1 min) before, after: {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
