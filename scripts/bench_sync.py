"""Benchmark push and pull against the real local Label Studio (scripts/label-studio.sh).

Each figure is the median of alternated pairs (ours, baseline, ours, baseline, …), every
run a whole new process, so that a slow spell of the shared machine slows both halves of a
pair; each ratio is printed with its baseline:

1. ``annotate push`` of N paragraph tasks (no predictors) vs a process making one
   ``import_tasks`` call of the same tasks (read from a JSON file) — target ≤ 1.25;
2. ``annotate push --predictors entities.rules`` (empty prediction cache) vs the same call
   with the same predictions — the cost of predicting;
3. a rerun of that push (nothing new, predictions cached) vs the first push — target ≤ 0.3;
4. ``annotate pull`` of the project vs paginated ``tasks.list(fields="all")`` — target
   ≤ 1/3;
5. pull's peak RSS per MB of the real server's export (``store_export``) against a process
   that only imports and connects; the peak RSS of the whole ``annotate pull`` at several
   sizes up to 1 GB is ``scripts/bench_pull_memory.py``'s.

Environment: ``ANNOTATE_BENCH_TASKS`` (N, default 2000; 10000 for the issue's size),
``ANNOTATE_BENCH_PRED_TASKS`` (tasks of the predictor runs, default N/4),
``ANNOTATE_BENCH_ROUNDS`` (pairs, default 3), ``ANNOTATE_BENCH_ONLY`` (a comma-separated
subset of ``push,pull,predictors``; pull needs push's projects).

Run: ``scripts/label-studio.sh start && .venv/bin/python scripts/bench_sync.py``
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ANNOTATE = str(Path(PY).with_name("annotate"))
N = int(os.environ.get("ANNOTATE_BENCH_TASKS", "2000"))
N_PRED = int(os.environ.get("ANNOTATE_BENCH_PRED_TASKS", str(max(50, N // 4))))
ROUNDS = int(os.environ.get("ANNOTATE_BENCH_ROUNDS", "3"))
PARTS = os.environ.get("ANNOTATE_BENCH_ONLY", "push,pull,predictors").split(",")
PARAGRAPHS_PER_DOC = 10

BULK_IMPORT = """
import json, sys
from label_studio_sdk import LabelStudio
url, key, project, path = sys.argv[1:5]
client = LabelStudio(base_url=url, api_key=key, timeout=1800)
tasks = json.load(open(path, encoding="utf-8"))
client.projects.import_tasks(int(project), request=tasks, return_task_ids=True)
"""

PAGINATED_LIST = """
import json, sys
from label_studio_sdk import LabelStudio
url, key, project, path = sys.argv[1:5]
client = LabelStudio(base_url=url, api_key=key, timeout=1800)
tasks = [t.dict() for t in client.tasks.list(project=int(project), fields="all", page_size=100)]
json.dump(tasks, open(path, "w", encoding="utf-8"), default=str)
"""

STORE_EXPORT = """
import sys
from pathlib import Path
from annotate.labelstudio.raw_exports import store_export
from annotate.labelstudio.rest import open_api
url, key, project, folder, only_connect = sys.argv[1:6]
client = open_api(url=url, api_key=key)
if only_connect != "1":
    store_export(client, int(project), folder=Path(folder))
"""


def env_credentials() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env").read_text().splitlines() if "=" in line)
    values = {k.strip(): v.strip() for k, v in pairs}
    return {"url": values["LABEL_STUDIO_URL"], "api_key": values["LABEL_STUDIO_API_KEY"]}


def write_corpus(folder: Path, n_tasks: int, seed: int = 0) -> Path:
    """A .jsonl corpus of n_tasks paragraphs (ten per article) from the article's sentences."""
    sys.path.insert(0, str(ROOT))
    from annotate.corpus import read_articles

    article = next(iter(read_articles(ROOT / "data" / "articles" / "stargate-fr.txt")))
    pool = [article.text[s.start : s.end] for s in article.sentences]
    rng = random.Random(seed)
    path = folder / f"corpus-{n_tasks}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for d in range(0, n_tasks, PARAGRAPHS_PER_DOC):
            count = min(PARAGRAPHS_PER_DOC, n_tasks - d)
            paragraphs = [" ".join(rng.sample(pool, 3)) + f" ({d + i})" for i in range(count)]
            line = {"text": "\n".join(paragraphs), "lang": "fr", "title": f"bench {d}"}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one child process; raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(args[:3])} … exited {proc.returncode}:\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss


def pairs(ours: Callable[[int], float], base: Callable[[int], float]) -> tuple[float, float, float]:
    """Alternated pairs; the medians of ours, of the baseline and of the per-pair ratios."""
    a, b, r = [], [], []
    for i in range(ROUNDS):
        if i % 2 == 0:
            x, y = ours(i), base(i)
        else:
            y, x = base(i), ours(i)
        a.append(x)
        b.append(y)
        r.append(x / y)
    return statistics.median(a), statistics.median(b), statistics.median(r)


def report(name: str, ours: float, base: float, ratio: float, target: str, base_name: str) -> None:
    print(
        f"{name}: {ours:.2f} s vs {base_name} {base:.2f} s → ratio {ratio:.2f} "
        f"(target {target}; median of {ROUNDS} alternated pairs; "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
        flush=True,
    )


class Bench:
    def __init__(self, work: Path) -> None:
        from annotate.labelstudio import client as ls
        from annotate.labelstudio.rest import open_api

        self.ls = ls
        self.work = work
        self.creds = env_credentials()
        # not the SDK: a parent's size is inherited by each child's peak RSS (fork)
        self.client = open_api(**self.creds)
        self.run = uuid.uuid4().hex[:6]
        self.env = {**os.environ, **self.prediction_env(work / "no-cache")}
        self.projects: list[int] = []

    def prediction_env(self, folder: Path) -> dict[str, str]:
        return {
            "ANNOTATE_PREDICTION_CACHE": str(folder),
            "LABEL_STUDIO_URL": self.creds["url"],
            "LABEL_STUDIO_API_KEY": self.creds["api_key"],
        }

    def prefix(self, tag: str) -> str:
        return f"b{self.run}{tag}"

    def project_id(self, prefix: str) -> int:
        from annotate.labelstudio.sync import project_title

        found = self.ls.find_project(self.client, title=project_title(prefix, "entities"))
        assert found is not None
        return found

    def new_project(self, tag: str) -> int:
        from annotate.labelstudio.sync import project_title
        from annotate.layers import get_layer

        title = project_title(self.prefix(tag), "entities")
        config = get_layer("entities").label_config()
        project_id, _ = self.ls.ensure_project(self.client, title=title, label_config=config)
        self.projects.append(project_id)
        return project_id

    def push(self, corpus: Path, tag: str, *extra: str, env: dict[str, str] | None = None) -> float:
        args = [ANNOTATE, "push", str(corpus), "--layers", "entities", "--prefix"]
        elapsed, _ = timed([*args, self.prefix(tag), *extra], env or self.env)
        self.projects.append(self.project_id(self.prefix(tag)))
        return elapsed

    def bulk_import(self, tasks_json: Path, tag: str) -> float:
        project = self.new_project(tag)
        args = [PY, "-c", BULK_IMPORT, self.creds["url"], self.creds["api_key"], str(project)]
        return timed([*args, str(tasks_json)], self.env)[0]

    def tasks_json(self, corpus: Path, *extra: str) -> Path:
        out = self.work / f"{corpus.stem}{'-pred' if extra else ''}.json"
        args = [ANNOTATE, "tasks", str(corpus), "--layer", "entities", "--out", str(out)]
        timed([*args, *extra], self.env)
        return out

    def cleanup(self) -> None:
        for project_id in set(self.projects):
            try:
                self.client.call("DELETE", f"api/projects/{project_id}/")
            except Exception as exc:  # a benchmark's leftovers: say so, go on
                print(f"could not delete project {project_id}: {type(exc).__name__}")


def bench_push(bench: Bench, corpus: Path) -> None:
    tasks = bench.tasks_json(corpus)
    ours, base, ratio = pairs(
        lambda i: bench.push(corpus, f"p{i}", "--predictors", "none"),
        lambda i: bench.bulk_import(tasks, f"i{i}"),
    )
    report(f"push {N} tasks", ours, base, ratio, "≤ 1.25", "one import_tasks call process")


def bench_predictors(bench: Bench, corpus: Path) -> None:
    preds = ("--predictors", "entities.rules")
    tasks = bench.tasks_json(corpus, *preds, "--no-cache")
    first: list[float] = []

    def ours(i: int) -> float:
        env = {**bench.env, **bench.prediction_env(bench.work / f"cache{i}")}
        first.append(bench.push(corpus, f"q{i}", *preds, env=env))
        return first[-1]

    o, b, r = pairs(ours, lambda i: bench.bulk_import(tasks, f"j{i}"))
    report(
        f"push {N_PRED} tasks + entities.rules", o, b, r, "—", "the call with the same predictions"
    )
    reruns = []
    for i in range(ROUNDS):
        env = {**bench.env, **bench.prediction_env(bench.work / f"cache{i}")}
        reruns.append(bench.push(corpus, f"q{i}", *preds, env=env))
    ratios = [x / y for x, y in zip(reruns, first, strict=True)]
    report(
        "rerun, nothing new (cached predictions)",
        statistics.median(reruns),
        statistics.median(first),
        statistics.median(ratios),
        "≤ 0.3",
        "the first push",
    )


def bench_pull(bench: Bench) -> None:
    prefix = bench.prefix("p0")
    project = bench.project_id(prefix)
    creds = [bench.creds["url"], bench.creds["api_key"], str(project)]

    def ours(i: int) -> float:
        labels = bench.work / f"labels{i}"
        args = [ANNOTATE, "pull", "--layers", "entities", "--prefix", prefix, "--labels-dir"]
        return timed([*args, str(labels)], bench.env)[0]

    def base(i: int) -> float:
        return timed([PY, "-c", PAGINATED_LIST, *creds, str(bench.work / "list.json")])[0]

    o, b, r = pairs(ours, base)
    report(f"pull {N} tasks", o, b, r, "≤ 0.33", 'paginated tasks.list(fields="all")')
    store = [PY, "-c", STORE_EXPORT, *creds, str(bench.work / "store")]
    _, rss = timed([*store, "0"])
    _, rss0 = timed([*store, "1"])
    size = max(p.stat().st_size for p in (bench.work / "store").glob("*.json")) / 1e6
    print(
        f"pull peak RSS, real server ({size:.1f} MB export): {rss / 1024:.0f} MiB vs "
        f"{rss0 / 1024:.0f} MiB for import + connect → {(rss - rss0) / 1024 / size:.2f} MiB "
        "per MB of export above the baseline",
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        bench = Bench(work)
        try:
            if "push" in PARTS or "pull" in PARTS:
                bench_push(bench, write_corpus(work, N))
            if "pull" in PARTS:
                bench_pull(bench)
            if "predictors" in PARTS:
                bench_predictors(bench, write_corpus(work, N_PRED, seed=1))
        finally:
            bench.cleanup()


if __name__ == "__main__":
    main()
