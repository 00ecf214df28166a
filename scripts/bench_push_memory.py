"""Benchmark push's memory: peak RSS of ``annotate push`` at two corpus sizes against its
start-up RSS, against the real local Label Studio (scripts/label-studio.sh).

Three runs, each a whole new ``annotate push`` process into a project of its own (deleted
after): a one-article corpus (the baseline: the process's imports, the connection, the
projects), then corpora of N1 and N2 paragraph tasks written as several ``.jsonl`` /
``.jsonl.gz`` shards of article-like documents (ten paragraphs each). ``push`` streams
them (a survey pass keeping 64-bit key digests, then batches predicted and imported), so
the peak should grow with the per-task digests and the project's key listing (tens of
bytes a task), not with the corpus text. Prints each peak, the growth over the baseline in
MiB per 1,000 tasks between the two sizes, the corpus sizes in MB, and the load average.

Environment: ``ANNOTATE_BENCH_SIZES`` (tasks, default ``2000,8000``; a larger pair such as
``20000,80000`` for a real archive), ``ANNOTATE_BENCH_PREDICTORS`` (default ``none``;
``entities.rules`` adds the predictions, computed with ``--jobs 1`` in the push process).

Run: ``scripts/label-studio.sh start && .venv/bin/python scripts/bench_push_memory.py``
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ANNOTATE = str(Path(PY).with_name("annotate"))
SIZES = [int(n) for n in os.environ.get("ANNOTATE_BENCH_SIZES", "2000,8000").split(",")]
PREDICTORS = os.environ.get("ANNOTATE_BENCH_PREDICTORS", "none")
PARAGRAPHS_PER_DOC = 10
DOCS_PER_SHARD = 200


def credentials() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env").read_text().splitlines() if "=" in line)
    values = {k.strip(): v.strip() for k, v in pairs}
    return {
        "LABEL_STUDIO_URL": values["LABEL_STUDIO_URL"],
        "LABEL_STUDIO_API_KEY": values["LABEL_STUDIO_API_KEY"],
    }


def write_corpus(folder: Path, n_tasks: int, seed: int = 0) -> int:
    """``n_tasks`` paragraphs in documents of ten, as shards of 200 documents (every other
    one gzipped); returns the corpus's bytes of text."""
    sys.path.insert(0, str(ROOT))
    from annotate.corpus import read_articles

    article = next(iter(read_articles(ROOT / "data" / "articles" / "stargate-fr.txt")))
    pool = [article.text[s.start : s.end] for s in article.sentences]
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    lines: list[str] = []
    size = 0
    for d in range(0, n_tasks, PARAGRAPHS_PER_DOC):
        count = min(PARAGRAPHS_PER_DOC, n_tasks - d)
        text = "\n".join(" ".join(rng.sample(pool, 3)) + f" ({d + i})" for i in range(count))
        size += len(text.encode("utf-8"))
        lines.append(json.dumps({"text": text, "lang": "fr"}, ensure_ascii=False) + "\n")
    for k in range(0, len(lines), DOCS_PER_SHARD):
        data = "".join(lines[k : k + DOCS_PER_SHARD]).encode("utf-8")
        shard = k // DOCS_PER_SHARD
        if shard % 2:
            (folder / f"part-{shard:04d}.jsonl.gz").write_bytes(gzip.compress(data, mtime=0))
        else:
            (folder / f"part-{shard:04d}.jsonl").write_bytes(data)
    return size


def peak_push(corpus: Path, prefix: str, env: dict[str, str]) -> tuple[float, float]:
    """Peak RSS (MiB) and wall time (s) of one ``annotate push`` process."""
    args = [ANNOTATE, "push", str(corpus), "--layers", "entities", "--prefix", prefix]
    args += ["--predictors", PREDICTORS, "--jobs", "1", "--no-cache"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=corpus.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"annotate push failed ({status}): {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return usage.ru_maxrss / 1024, elapsed


def delete_projects(prefixes: list[str], creds: dict[str, str]) -> None:
    sys.path.insert(0, str(ROOT))
    from annotate.labelstudio import client as ls
    from annotate.labelstudio.sync import project_title

    client = ls.connect(url=creds["LABEL_STUDIO_URL"], api_key=creds["LABEL_STUDIO_API_KEY"])
    for prefix in prefixes:
        project_id = ls.find_project(client, title=project_title(prefix, "entities"))
        if project_id is not None:
            client.projects.delete(project_id)


def main() -> None:
    creds = credentials()
    env = {**os.environ, **creds}
    run = uuid.uuid4().hex[:6]
    prefixes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        try:
            rows = []
            for n in [1, *SIZES]:
                corpus = Path(tmp) / f"corpus-{n}"
                size = write_corpus(corpus, n)
                prefixes.append(f"mem{n}-{run}")
                peak, elapsed = peak_push(corpus, prefixes[-1], env)
                rows.append((n, size, peak, elapsed))
        finally:
            delete_projects(prefixes, creds)
    (_, _, base, base_s), (n1, size1, peak1, s1), (n2, size2, peak2, s2) = rows
    slope = (peak2 - peak1) / ((n2 - n1) / 1000)
    load = os.getloadavg()
    print(f"annotate push, predictors {PREDICTORS}: peak RSS against the start-up RSS")
    print(f"  baseline (1 task)         {base:7.1f} MiB  ({base_s:.1f} s)")
    for n, size, peak, elapsed in ((n1, size1, peak1, s1), (n2, size2, peak2, s2)):
        print(
            f"  {n:6d} tasks ({size / 1e6:5.1f} MB text) {peak:7.1f} MiB  = baseline + "
            f"{peak - base:5.1f} MiB, {peak / base:.2f}× ({elapsed:.1f} s)"
        )
    print(
        f"  growth {slope:.2f} MiB per 1,000 tasks between {n1} and {n2} tasks "
        f"(the text grows {(size2 - size1) / 1e6 / ((n2 - n1) / 1000):.2f} MB per 1,000 tasks); "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
