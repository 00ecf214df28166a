"""Peak memory and throughput of ``annotate validate`` on a large export.

Writes a deterministic synthetic corpus and a Label Studio export of the given size (with
a broken record every 997 tasks and a cancelled annotation every 1009), runs
``python -m annotate validate`` on it in a child process, and prints the child's peak
resident memory (``ru_maxrss``), its time and the counts, as JSON. The cost of starting
the command (imports) is measured too, in a separate child.

    .venv/bin/python scripts/bench_validate_memory.py --size-mb 1024      # the 1 GB run
    .venv/bin/python scripts/bench_validate_memory.py --size-mb 50        # CI-sized
    .venv/bin/python scripts/bench_validate_memory.py --size-mb 40 --bad-every 1  # all fail
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the generator is in tests/
from tests.synthetic import synthetic_documents, write_synthetic_export


def _child_peak_mb(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; its wall time and peak RSS (MB). ``RUSAGE_CHILDREN`` holds the largest
    peak of the children waited for so far, so children are run smallest first."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kb / 1024, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=50, help="export size in MB (10^6 bytes)")
    parser.add_argument(
        "--bad-every",
        type=int,
        default=997,
        help="every N-th task is broken (1: every record fails, the report's worst case)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to write the inputs (default: a temp dir)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(dir=args.workdir) if not args.keep else None
    work = Path(tmp.name) if tmp else Path(tempfile.mkdtemp(dir=args.workdir))
    try:
        docs = synthetic_documents(20)
        corpus = work / "corpus.jsonl"
        corpus.write_text(
            "".join(
                json.dumps({"text": d.text, "lang": "fr"}, ensure_ascii=False) + "\n" for d in docs
            ),
            encoding="utf-8",
        )
        t0 = time.perf_counter()
        info = write_synthetic_export(
            work / "export.json",
            docs,
            size=int(args.size_mb * 1_000_000),
            bad_every=args.bad_every,
            cancelled_every=1009,
        )
        generated = time.perf_counter() - t0
        python = sys.executable
        _t, startup_mb, _done = _child_peak_mb(
            [python, "-c", "import annotate.cli, annotate.validate"]
        )
        elapsed, peak_mb, done = _child_peak_mb(
            [
                python,
                "-m",
                "annotate",
                "validate",
                str(work / "export.json"),
                "--articles",
                str(corpus),
                "--output",
                str(work / "valid.jsonl"),
                "--quarantine",
                str(work / "quarantine.jsonl"),
                "--report",
                str(work / "report.json"),
            ]
        )
        report = json.loads((work / "report.json").read_text()) if done.returncode == 0 else None
        print(
            json.dumps(
                {
                    "export_bytes": info.bytes,
                    "tasks": info.tasks,
                    "spans_per_record": 10,
                    "generated_seconds": round(generated, 1),
                    "exit_code": done.returncode,
                    "validate_seconds": round(elapsed, 1),
                    "records_per_second": round(info.tasks / elapsed),
                    "megabytes_per_second": round(info.bytes / 1e6 / elapsed, 2),
                    "peak_rss_mb": round(peak_mb, 1),
                    "startup_rss_mb": round(startup_mb, 1),
                    "peak_over_startup": round(peak_mb / startup_mb, 2),
                    "counts": report["counts"] if report else None,
                    "expected": {
                        "valid": info.valid,
                        "quarantined": info.bad,
                        "cancelled": info.cancelled,
                    },
                    "stderr": done.stderr[-2000:] if done.returncode else "",
                },
                indent=2,
            )
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
