"""Validation at disk speed (issue 16): ``annotate validate`` of one large export, end to end
from the file, against a bare ``ijson.items`` pass over the same file, in one run.

For each size a deterministic synthetic export is written (a broken record every 997
tasks, a cancelled annotation every 1009), then, alternated round by round in fresh child
processes (best of ``--rounds``, as the machine's load only ever slows a round down):

- baseline: ``for task in ijson.items(f, "item", use_float=True): pass``;
- ours: :func:`annotate.validate.run_validation` of the file with the valid records, the
  quarantine and the JSON report written (what ``annotate validate -o … --quarantine …
  --report …`` does, without the interpreter's start-up and imports, timed in the child).

It prints, per size, both times, the ratio ours/baseline (target ≤ 1.5) and the peak RSS
of the validating child (target: flat, < 150 MB at 1 GB; compare two sizes), as JSON.

    .venv/bin/python scripts/bench_validate_speed.py                 # 100 MB and 200 MB
    .venv/bin/python scripts/bench_validate_speed.py --sizes-mb 20   # a quick look
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # tests/ (annotate as installed)
from tests.synthetic import synthetic_documents, write_synthetic_export

_BASELINE = """
import json, sys, time, ijson
start = time.perf_counter()
with open(sys.argv[1], "rb") as fh:
    n = sum(1 for _ in ijson.items(fh, "item", use_float=True))
print(json.dumps({"seconds": time.perf_counter() - start, "items": n}))
"""

_OURS = """
import json, resource, sys, time
from pathlib import Path
from annotate.corpus import read_articles
from annotate.validate import run_validation
export, corpus, out = map(Path, sys.argv[1:4])
docs = {d.id: d for d in read_articles([corpus])}
start = time.perf_counter()
report = run_validation(
    [export], docs, output=out / "valid.jsonl", quarantine=out / "quarantine.jsonl",
    report=out / "report.json",
)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "counts": report.counts()}))
"""


def _child(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def _one_size(work: Path, size_mb: float, rounds: int) -> dict[str, object]:
    docs = synthetic_documents(20)
    corpus = work / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"text": d.text, "lang": "fr"}, ensure_ascii=False) + "\n" for d in docs
        ),
        encoding="utf-8",
    )
    export = work / f"export-{size_mb:g}mb.json"
    info = write_synthetic_export(
        export, docs, size=int(size_mb * 1_000_000), bad_every=997, cancelled_every=1009
    )
    best: dict[str, float] = {}
    peak = 0.0
    counts: object = None
    for i in range(rounds):
        for name in ("baseline", "ours") if i % 2 == 0 else ("ours", "baseline"):
            if name == "baseline":
                got = _child(_BASELINE, str(export))
            else:
                got = _child(_OURS, str(export), str(corpus), str(work))
                peak = max(peak, float(str(got["peak_rss_mb"])))
                counts = got["counts"]
            best[name] = min(best.get(name, float("inf")), float(str(got["seconds"])))
    export.unlink()
    return {
        "export_mb": round(info.bytes / 1e6, 1),
        "tasks": info.tasks,
        "baseline_ijson_seconds": round(best["baseline"], 2),
        "ours_seconds": round(best["ours"], 2),
        "ours_over_ijson": round(best["ours"] / best["baseline"], 2),
        "ours_mb_per_second": round(info.bytes / 1e6 / best["ours"], 1),
        "peak_rss_mb": round(peak, 1),
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[100, 200])
    parser.add_argument("--rounds", type=int, default=2, help="best of this many per side")
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        results = [_one_size(Path(tmp), size, args.rounds) for size in args.sizes_mb]
    print(json.dumps({"sizes": results}, indent=2))


if __name__ == "__main__":
    main()
