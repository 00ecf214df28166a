"""A release of N entity spans built through the real release path, verified, and loaded
back streamed, against bare pyarrow on the same rows; time and peak memory of each side,
in one run.

The gold set is made without Label Studio (``tests.synthetic.synthetic_gold_set``:
documents of 1,000 one-word mentions, one annotation of 100 spans per paragraph, the gold
chosen by ``select_gold``, as ``annotate.pipeline.gold_set`` chooses it). Each phase runs
in its own child process, so that each peak RSS (``ru_maxrss``) is its own:

- ``gold``: the gold set alone (what every build starts from: the memory baseline);
- ``build``: ``annotate.release.build.build_release`` (the data and metadata writers that
  ``annotate build`` and ``annotate release`` run: every config, cut into shards past the
  shard limit, the shards listed in the manifest's ``data_files`` and the card's
  ``configs``);
- ``verify``: ``annotate.release.verify.verify_release(load=False)`` (checksums, every
  row checked against the release's schema copy);
- ``load``: ``datasets.load_dataset(<release>, <config>, streaming=True)`` for every
  config, every row counted from ``.iter(batch_size=10_000)`` (batches of Python lists,
  the features applied);
- ``load-arrow``: the same, ``.with_format("arrow")``: Arrow tables of 10,000 rows
  (``datasets`` 5.2 batches an unformatted stream example by example, a dict per row);
- ``bare-write``: the gold set, its entity rows made by the layer into one list, one
  ``pa.Table.from_pylist`` and one ``pyarrow.parquet.write_table`` (one file: no shards,
  no other config, no card);
- ``bare-read``: the release's own parquet files read with
  ``ParquetFile.iter_batches(batch_size=10_000)``, each batch made Python lists;
- ``bare-scan``: the same batches, not made Python objects (the read and decoding alone).

``verify`` is compared with ``bare-read`` and ``bare-scan`` of the same files, in the same
run; ``--verify`` runs only ``build``, ``verify`` and the two bare reads.

``--slope`` runs ``gold`` and ``build`` at N and 2N spans and prints how much the peak RSS
grows per million spans, for the build and for the gold set it starts from.

    .venv/bin/python scripts/bench_shards.py                      # 5M spans, the issue's size
    .venv/bin/python scripts/bench_shards.py --spans 1000000 --slope
    .venv/bin/python scripts/bench_shards.py --spans 1000000 --verify
    .venv/bin/python scripts/bench_shards.py --spans 200000 --max-shard-size 5MB  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10_000  # rows per batch read back, on both sides
DATASET, VERSION = "bench-shards", "1.0.0"
sys.path.insert(0, str(ROOT))  # the generator is in tests/


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _release(out: Path) -> Path:
    return out / DATASET / VERSION


def _gold(spans: int) -> Any:
    from tests.synthetic import synthetic_gold_set

    return synthetic_gold_set(spans)


def _gold_only(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    start = time.perf_counter()
    gold = _gold(spans)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
        "tasks": len(gold.choices),
    }


def _build(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import yaml

    from annotate.release.build import build_release
    from annotate.release.shards import shard_limits

    gold = _gold(spans)
    start = time.perf_counter()
    result = build_release(
        gold, out=out, dataset=DATASET, version=VERSION, shards=shard_limits(max_size=max_size)
    )
    elapsed = time.perf_counter() - start
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    card = (result.path / "README.md").read_text(encoding="utf-8")
    card_configs = yaml.safe_load(card.split("---\n")[1])["configs"]
    carded = {c["config_name"]: c["data_files"][0]["path"] for c in card_configs}
    rows = {e["path"]: e["rows"] for e in manifest["files"] if "rows" in e}
    listing = {
        path: {"rows": rows[path], "bytes": (result.path / path).stat().st_size}
        for files in manifest["data_files"].values()
        for path in files
    }
    for config, files in manifest["data_files"].items():  # the card lists what the manifest does
        assert carded[config] in (files, files[0]), (config, carded[config], files)
    return {"seconds": elapsed, "peak_mb": _peak_mb(), "files": listing, "counts": result.counts}


def _verify(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    from annotate.release.verify import verify_release

    start = time.perf_counter()
    report = verify_release(_release(out), load=False)
    problems = [str(p) for p in report.problems[:5]]
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "ok": not problems,
            "rows": report.rows, "problems": problems}  # fmt: skip


def _configs(out: Path) -> list[str]:
    manifest = json.loads((_release(out) / "manifest.json").read_text(encoding="utf-8"))
    return list(manifest["data_files"])


def _load(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import datasets
    from datasets.utils import logging as ds_logging

    ds_logging.disable_progress_bar()
    start = time.perf_counter()
    counts = {}
    for config in _configs(out):
        stream = datasets.load_dataset(str(_release(out)), config, split="train", streaming=True)
        batches = stream.iter(batch_size=BATCH)  # decoded as Python lists, features applied
        counts[config] = sum(len(batch["doc_id"]) for batch in batches)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


def _load_arrow(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import datasets
    from datasets.utils import logging as ds_logging

    ds_logging.disable_progress_bar()
    start = time.perf_counter()
    counts = {}
    for config in _configs(out):
        stream = datasets.load_dataset(
            str(_release(out)), config, split="train", streaming=True
        ).with_format("arrow")
        counts[config] = sum(t.num_rows for t in stream.iter(batch_size=BATCH))
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


def _bare_write(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from annotate.layers import get_layer

    gold = _gold(spans)
    start = time.perf_counter()
    layer = get_layer("entities")
    rows = []
    for choice in gold.choices.values():
        ann = choice.annotation
        rows += layer.rows(ann, gold.documents[ann.doc_id])
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, out / "bare.parquet", compression="zstd")
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _bare_read(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    start = time.perf_counter()
    manifest = json.loads((_release(out) / "manifest.json").read_text(encoding="utf-8"))
    counts = {}
    for config, files in manifest["data_files"].items():
        counts[config] = 0
        for rel in files:
            batches = pq.ParquetFile(_release(out) / rel).iter_batches(batch_size=BATCH)
            counts[config] += sum(len(batch.to_pydict()["doc_id"]) for batch in batches)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


def _bare_scan(out: Path, spans: int, max_size: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    start = time.perf_counter()
    manifest = json.loads((_release(out) / "manifest.json").read_text(encoding="utf-8"))
    counts = {}
    for config, files in manifest["data_files"].items():
        counts[config] = 0
        for rel in files:
            batches = pq.ParquetFile(_release(out) / rel).iter_batches(batch_size=BATCH)
            counts[config] += sum(batch.num_rows for batch in batches)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": counts}


PHASES = {
    "gold": _gold_only,
    "build": _build,
    "verify": _verify,
    "load": _load,
    "load-arrow": _load_arrow,
    "bare-write": _bare_write,
    "bare-read": _bare_read,
    "bare-scan": _bare_scan,
}
VERIFY_PHASES = ["build", "verify", "bare-read", "bare-scan"]


def _child(phase: str, out: Path, spans: int, max_size: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--out", str(out)]
    cmd += ["--spans", str(spans), "--max-shard-size", max_size]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    print(f"  {phase}: {result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=5_000_000)
    parser.add_argument("--max-shard-size", default="500MB", help="as annotate build takes it")
    parser.add_argument("--slope", action="store_true", help="peak RSS at N and 2N spans")
    parser.add_argument(
        "--verify", action="store_true", help="only build, verify and the bare reads"
    )
    parser.add_argument("--phase", choices=list(PHASES))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.out, args.spans, args.max_shard_size)))
        return
    print(f"load average at start: {os.getloadavg()}", flush=True)
    if args.slope:
        _slope(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        out = Path(tmp)
        names = VERIFY_PHASES if args.verify else list(PHASES)
        phases = {p: _child(p, out, args.spans, args.max_shard_size) for p in names}
    if args.verify:
        _verify_report(args, phases)
        return
    _report(args, phases)


def _slope(args: argparse.Namespace) -> None:
    peaks: dict[str, list[float]] = {"gold": [], "build": []}
    sizes = [args.spans, 2 * args.spans]
    for spans in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
            for phase in peaks:
                peaks[phase].append(_child(phase, Path(tmp), spans, args.max_shard_size)["peak_mb"])
    per_m = {p: (v[1] - v[0]) / (sizes[1] - sizes[0]) * 1e6 for p, v in peaks.items()}
    print(f"peak RSS at {sizes[0]:,} and {sizes[1]:,} spans (shard limit {args.max_shard_size}):")
    for phase, values in peaks.items():
        print(
            f"  {phase}: {values[0]:.0f} MB, {values[1]:.0f} MB: {per_m[phase]:.0f} MB per M spans"
        )
    print(
        f"build over its gold set: {per_m['build'] - per_m['gold']:.0f} MB per M spans; "
        f"slope ratio build/gold {per_m['build'] / per_m['gold']:.2f}; "
        f"load average at end: {os.getloadavg()}"
    )
    print(json.dumps({"sizes": sizes, "peaks": peaks, "per_million": per_m}))


def _verify_lines(args: argparse.Namespace, phases: dict[str, dict[str, Any]]) -> None:
    v, read, scan = (phases[p] for p in ("verify", "bare-read", "bare-scan"))
    assert v["ok"], v["problems"]
    assert v["rows"] == sum(read["rows"].values()) == sum(scan["rows"].values()), (v, read)
    print(f"verify(load=False) of {v['rows']:,} rows ({args.spans:,} entity spans):")
    for name, base in (("iter_batches + to_pydict", read), ("iter_batches alone", scan)):
        print(
            f"  verify {v['seconds']:.2f} s, peak {v['peak_mb']:.0f} MB | {name} "
            f"{base['seconds']:.2f} s, peak {base['peak_mb']:.0f} MB | time ratio "
            f"{v['seconds'] / base['seconds']:.2f}, peak ratio {v['peak_mb'] / base['peak_mb']:.2f}"
        )


def _verify_report(args: argparse.Namespace, phases: dict[str, dict[str, Any]]) -> None:
    _verify_lines(args, phases)
    print(f"load average at end: {os.getloadavg()}")
    print(json.dumps({"spans": args.spans, "phases": phases}))


def _report(args: argparse.Namespace, phases: dict[str, dict[str, Any]]) -> None:
    b, v, lo, br = (phases[p] for p in ("build", "verify", "load", "bare-read"))
    assert lo["rows"] == br["rows"] == phases["load-arrow"]["rows"], (lo, br)
    assert lo["rows"]["entities"] == args.spans, lo
    assert v["ok"], v["problems"]
    print(f"{args.spans:,} entity spans, shard limit {args.max_shard_size}; files:")
    for path, f in b["files"].items():
        print(f"  {path}: {f['rows']:,} rows, {f['bytes'] / 1e6:.1f} MB")
    print(
        f"gold set alone: {phases['gold']['seconds']:.1f} s, peak {phases['gold']['peak_mb']:.0f} MB"
    )
    _verify_lines(args, phases)
    pairs = [
        (
            "build_release (all configs)",
            b,
            "entity rows -> from_pylist -> write_table",
            "bare-write",
        ),
        ("load_dataset(streaming=True), count", lo, "iter_batches + to_pydict", "bare-read"),
        (
            "the same, with_format('arrow')",
            phases["load-arrow"],
            "iter_batches + to_pydict",
            "bare-read",
        ),
    ]
    for name, ours, base_name, base_phase in pairs:
        base = phases[base_phase]
        print(
            f"{name}: {ours['seconds']:.1f} s, peak {ours['peak_mb']:.0f} MB | {base_name}: "
            f"{base['seconds']:.1f} s, peak {base['peak_mb']:.0f} MB | time ratio "
            f"{ours['seconds'] / base['seconds']:.2f}, peak ratio "
            f"{ours['peak_mb'] / base['peak_mb']:.2f}"
        )
    print(f"load average at end: {os.getloadavg()}")
    print(json.dumps({"spans": args.spans, "phases": phases}))


if __name__ == "__main__":
    main()
