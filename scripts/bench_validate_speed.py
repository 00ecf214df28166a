"""Validation at disk speed (issue 16): ``annotate validate`` of one large export, end to end
from the file, against a bare ``ijson.items`` pass over the same file, in one run.

For each size a deterministic synthetic export is written (a broken record every 997
tasks, a cancelled annotation every 1009), then, alternated round by round in fresh child
processes (best of ``--rounds``, as the machine's load only ever slows a round down):

- baseline: ``for task in ijson.items(f, "item", use_float=True): pass``;
- ours: :func:`annotate.validate.run_validation` of the file with the valid records, the
  quarantine and the JSON report written (what ``annotate validate -o … --quarantine …
  --report …`` does, without the interpreter's start-up and imports, timed in the child).

It prints, per size, both times, the ratio ours/baseline (target ≤ 1.5; and the median
of each round's own ratio, steadier where the machine's speed drifts) and the peak RSS
of the validating child (target: flat, < 150 MB at 1 GB; compare two sizes), as JSON.

Two more lines, each measured in the same run against its own baseline:

- ``failing``: an export of ``--failing-mb`` whose every record fails (an unknown label,
  every issue worded by ``jsonschema``) against a clean export of the same size (ours on
  both): failing/clean;
- ``jobs``: ``--jobs-files`` exports of ``--jobs-mb`` each (distinct task and annotation
  ids, as parts of one project are) validated with ``--jobs 2``
  (``Engine("local", 2)``) against ``--jobs 1``: the speed-up jobs1/jobs2 (at most 2 on
  2 cores; ``--jobs-files 0`` leaves it out).

The load average (``os.getloadavg()``) is printed before and after: figures taken at a
1-minute load above ~2.5 on 2 cores mean little.

    .venv/bin/python scripts/bench_validate_speed.py                 # 100 MB and 200 MB
    .venv/bin/python scripts/bench_validate_speed.py --sizes-mb 20 --failing-mb 2 \
        --jobs-files 4 --jobs-mb 5                                    # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

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
from annotate.validate import Engine, run_validation
jobs, corpus, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
exports = [Path(p) for p in sys.argv[4:]]
docs = {d.id: d for d in read_articles([corpus])}
start = time.perf_counter()
report = run_validation(
    exports, docs, output=out / "valid.jsonl", quarantine=out / "quarantine.jsonl",
    report=out / "report.json", engine=Engine("local", jobs),
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


def _corpus(work: Path) -> tuple[list[Any], Path]:
    docs = synthetic_documents(20)
    corpus = work / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"text": d.text, "lang": "fr"}, ensure_ascii=False) + "\n" for d in docs
        ),
        encoding="utf-8",
    )
    return docs, corpus


def _ours(work: Path, corpus: Path, exports: list[Path], jobs: int = 1) -> dict[str, object]:
    return _child(_OURS, str(jobs), str(corpus), str(work), *map(str, exports))


def _one_size(work: Path, size_mb: float, rounds: int) -> dict[str, object]:
    docs, corpus = _corpus(work)
    export = work / f"export-{size_mb:g}mb.json"
    info = write_synthetic_export(
        export, docs, size=int(size_mb * 1_000_000), bad_every=997, cancelled_every=1009
    )
    best: dict[str, float] = {}
    peak = 0.0
    counts: object = None
    paired: list[float] = []  # ours / baseline of each round: the two ran seconds apart
    for i in range(rounds):
        times: dict[str, float] = {}
        for name in ("baseline", "ours") if i % 2 == 0 else ("ours", "baseline"):
            if name == "baseline":
                got = _child(_BASELINE, str(export))
            else:
                got = _ours(work, corpus, [export])
                peak = max(peak, float(str(got["peak_rss_mb"])))
                counts = got["counts"]
            times[name] = float(str(got["seconds"]))
            best[name] = min(best.get(name, float("inf")), times[name])
        paired.append(times["ours"] / times["baseline"])
    export.unlink()
    return {
        "export_mb": round(info.bytes / 1e6, 1),
        "tasks": info.tasks,
        "baseline_ijson_seconds": round(best["baseline"], 2),
        "ours_seconds": round(best["ours"], 2),
        "ours_over_ijson": round(best["ours"] / best["baseline"], 2),
        # a machine whose speed drifts over minutes (a shared host) moves both bests apart:
        # the median of the rounds' own ratios is the steadier figure
        "median_round_ratio": round(statistics.median(paired), 2),
        "round_ratios": [round(r, 2) for r in paired],
        "ours_mb_per_second": round(info.bytes / 1e6 / best["ours"], 1),
        "peak_rss_mb": round(peak, 1),
        "counts": counts,
    }


def _pair(
    rounds: int, first: tuple[str, Any], second: tuple[str, Any]
) -> dict[str, dict[str, object]]:
    """Best of ``rounds`` of two runs, alternated round by round."""
    best: dict[str, dict[str, object]] = {}
    for i in range(rounds):
        for name, run in (first, second) if i % 2 == 0 else (second, first):
            got = run()
            if name not in best or float(str(got["seconds"])) < float(str(best[name]["seconds"])):
                best[name] = got
    return best


def _failing(work: Path, size_mb: float, rounds: int) -> dict[str, object]:
    """An all-failing export against a clean one of the same size (ours on both)."""
    docs, corpus = _corpus(work)
    size = int(size_mb * 1_000_000)
    clean, failing = work / "clean.json", work / "failing.json"
    info = write_synthetic_export(clean, docs, size=size)
    write_synthetic_export(failing, docs, size=size, bad_every=1)
    best = _pair(
        rounds,
        ("clean", lambda: _ours(work, corpus, [clean])),
        ("failing", lambda: _ours(work, corpus, [failing])),
    )
    clean.unlink()
    failing.unlink()
    c, f = float(str(best["clean"]["seconds"])), float(str(best["failing"]["seconds"]))
    return {
        "export_mb": round(info.bytes / 1e6, 1),
        "tasks": info.tasks,
        "clean_seconds": round(c, 2),
        "failing_seconds": round(f, 2),
        "failing_over_clean": round(f / c, 2),
        "failing_peak_rss_mb": best["failing"]["peak_rss_mb"],
    }


def _jobs(work: Path, files: int, size_mb: float, rounds: int) -> dict[str, object]:
    """``files`` exports validated with --jobs 2 against --jobs 1."""
    docs, corpus = _corpus(work)
    exports = [work / f"part-{i}.json" for i in range(files)]
    size = int(size_mb * 1_000_000)
    for i, path in enumerate(exports):
        # distinct ids: files sharing them hold the same annotations, every later file a
        # duplicate of the first, which the ordered pass validates again (serially)
        write_synthetic_export(
            path, docs, size=size, bad_every=997, seed=i, first_id=1 + i * 10_000_000
        )
    best = _pair(
        rounds,
        ("jobs1", lambda: _ours(work, corpus, exports, 1)),
        ("jobs2", lambda: _ours(work, corpus, exports, 2)),
    )
    for path in exports:
        path.unlink()
    one, two = float(str(best["jobs1"]["seconds"])), float(str(best["jobs2"]["seconds"]))
    return {
        "files": files,
        "mb_each": size_mb,
        "jobs1_seconds": round(one, 2),
        "jobs2_seconds": round(two, 2),
        "jobs1_over_jobs2": round(one / two, 2),
        "same_counts": best["jobs1"]["counts"] == best["jobs2"]["counts"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[100, 200])
    parser.add_argument("--rounds", type=int, default=2, help="best of this many per side")
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temp dir)")
    parser.add_argument("--failing-mb", type=float, default=20, help="0: leave it out")
    parser.add_argument("--jobs-files", type=int, default=4, help="0: leave it out")
    parser.add_argument("--jobs-mb", type=float, default=25, help="the size of each file")
    args = parser.parse_args()
    out: dict[str, object] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        out["sizes"] = [_one_size(Path(tmp), size, args.rounds) for size in args.sizes_mb]
        if args.failing_mb:
            out["failing"] = _failing(Path(tmp), args.failing_mb, args.rounds)
        if args.jobs_files:
            out["jobs"] = _jobs(Path(tmp), args.jobs_files, args.jobs_mb, args.rounds)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
