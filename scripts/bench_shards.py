"""A synthetic release of N entity spans written as shards and loaded back, against bare
pyarrow on the same rows; time and peak memory of each side, in one run.

Built without Label Studio (``tests/synthetic.synthetic_entity_release``: documents of
1,000 one-word mentions and their gold rows, generated a document at a time). Each phase
runs in its own child process, so that each peak RSS (``ru_maxrss``) is its own:

- ``write``: the rows streamed into Arrow record batches (``shards.record_batches``) and
  written by ``shards.write_config`` (entities and documents, the release's layout and
  shard limits) with a card whose ``configs`` list the shards;
- ``load``: ``datasets.load_dataset(<release>, "entities", streaming=True)`` (and
  ``"documents"``), every row counted from ``.iter(batch_size=10_000)``: batches of Python
  lists with the features applied (row by row, ``datasets`` yields some 20k rows/s of CPU
  here, which would make the 5M run take minutes of iteration alone);
- ``bare-write``: the same batches gathered into one Arrow table per config, each written
  by one ``pyarrow.parquet.write_table`` (the whole table in memory, one file);
- ``bare-read``: those files read back with ``ParquetFile.iter_batches(batch_size=10_000)``,
  each batch made Python lists (``to_pydict``), as the streaming batches are.

    .venv/bin/python scripts/bench_shards.py --spans 5000000      # the issue's size
    .venv/bin/python scripts/bench_shards.py --spans 200000 --max-shard-size 5MB  # quick
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10_000  # rows per batch read back, on both sides
sys.path.insert(0, str(ROOT))  # the generator is in tests/


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    from annotate.layers import get_layer
    from annotate.release.card import render_card
    from annotate.release.shards import record_batches, shard_limits, write_config
    from annotate.release.tables import DOCUMENT_FEATURES, document_rows, to_table
    from tests.synthetic import synthetic_entity_release

    start = time.perf_counter()
    layer = get_layer("entities")
    limits = shard_limits(max_size=max_size)
    documents, rows = synthetic_entity_release(spans)
    files: dict[str, dict[str, int]] = {}
    files["entities"] = write_config(
        record_batches(rows, layer.features()),
        out / "entities",
        limits=limits,
        schema=layer.features().arrow_schema,
    )
    docs = to_table(document_rows(documents), DOCUMENT_FEATURES)
    files["documents"] = write_config(docs, out / "documents", limits=limits)
    template = out.parent / "card.md"
    template.write_text("---\n{{ card_data }}\n---\n\n# {{ dataset }}\n", encoding="utf-8")
    card = render_card(
        template,
        dataset="bench-shards",
        version="0.0.0",
        configs=["documents", "entities"],
        layers=[layer],
        languages=["fr"],
        license="other",
        total_rows=spans,
        context={},
        data_files={c: [f"{c}/{name}" for name in names] for c, names in files.items()},
    )
    (out / "README.md").write_text(card, encoding="utf-8")
    elapsed = time.perf_counter() - start
    listing = {
        f"{c}/{name}": {"rows": n, "bytes": (out / c / name).stat().st_size}
        for c, names in files.items()
        for name, n in names.items()
    }
    return {"seconds": elapsed, "peak_mb": _peak_mb(), "files": listing}


def _load(out: Path) -> dict[str, Any]:
    import datasets
    from datasets.utils import logging as ds_logging

    ds_logging.disable_progress_bar()
    start = time.perf_counter()
    counts = {}
    for config in ("entities", "documents"):
        stream = datasets.load_dataset(str(out), config, split="train", streaming=True)
        batches = stream.iter(batch_size=BATCH)  # decoded as Python lists, features applied
        counts[config] = sum(len(batch["doc_id"]) for batch in batches)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


def _bare_write(out: Path, spans: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from annotate.layers import get_layer
    from annotate.release.shards import record_batches
    from annotate.release.tables import DOCUMENT_FEATURES, document_rows, to_table
    from tests.synthetic import synthetic_entity_release

    start = time.perf_counter()
    documents, rows = synthetic_entity_release(spans)
    table = pa.Table.from_batches(record_batches(rows, get_layer("entities").features()))
    pq.write_table(table, out / "bare.parquet")
    docs = to_table(document_rows(documents), DOCUMENT_FEATURES)
    pq.write_table(docs, out / "bare-documents.parquet")
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _bare_read(out: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    start = time.perf_counter()
    counts = {}
    for config, name in (("entities", "bare.parquet"), ("documents", "bare-documents.parquet")):
        batches = pq.ParquetFile(out / name).iter_batches(batch_size=BATCH)
        counts[config] = sum(len(batch.to_pydict()["doc_id"]) for batch in batches)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


def _child(phase: str, out: Path, spans: int, max_size: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--out", str(out)]
    cmd += ["--spans", str(spans), "--max-shard-size", max_size]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _idle_mb() -> float:
    """The peak RSS of a child that only imports what the phases import."""
    code = "import datasets, pyarrow.parquet, annotate.release.shards, resource;"
    code += "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--max-shard-size", default="500MB", help="as annotate build takes it")
    parser.add_argument("--phase", choices=["write", "load", "bare-write", "bare-read"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.phase:
        run = {
            "write": lambda: _write(args.out / "release", args.spans, args.max_shard_size),
            "load": lambda: _load(args.out / "release"),
            "bare-write": lambda: _bare_write(args.out, args.spans),
            "bare-read": lambda: _bare_read(args.out),
        }[args.phase]
        print(json.dumps(run()))
        return
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        out = Path(tmp)
        phases = {
            p: _child(p, out, args.spans, args.max_shard_size)
            for p in ("write", "load", "bare-write", "bare-read")
        }
        idle = _idle_mb()
    _report(args, phases, idle)


def _report(args: argparse.Namespace, phases: dict[str, dict[str, Any]], idle: float) -> None:
    w, lo, bw, br = (phases[p] for p in ("write", "load", "bare-write", "bare-read"))
    assert lo["rows"] == br["rows"] and lo["rows"]["entities"] == args.spans, (lo, br)
    print(f"{args.spans:,} entity spans, shard limit {args.max_shard_size}; shards:")
    for path, f in w["files"].items():
        print(f"  {path}: {f['rows']:,} rows, {f['bytes'] / 1e6:.1f} MB")
    print(f"imports alone: peak RSS {idle:.0f} MB")
    rows = [
        ("write (rows streamed -> shards)", w, "bare write_table of the whole table", bw),
        ("load_dataset(streaming=True), count", lo, "iter_batches + to_pydict", br),
    ]
    for name, ours, base_name, base in rows:
        print(
            f"{name}: {ours['seconds']:.1f} s, peak {ours['peak_mb']:.0f} MB | {base_name}: "
            f"{base['seconds']:.1f} s, peak {base['peak_mb']:.0f} MB | time ratio "
            f"{ours['seconds'] / base['seconds']:.2f}, peak ratio "
            f"{ours['peak_mb'] / base['peak_mb']:.2f}"
        )
    print(json.dumps({"spans": args.spans, "phases": phases, "idle_mb": idle}))


if __name__ == "__main__":
    main()
