"""Peak RSS of the whole ``annotate pull`` process against the size of the export it pulls.

Two servers, each at several sizes, every run a new process measured by ``wait4`` (the
peak RSS of the process and nothing else):

1. the real local Label Studio (scripts/label-studio.sh): a project filled cheaply by bulk
   imports of tasks with long texts (one annotation, so the pull pins it), pulled by
   ``annotate pull``; the baseline is the same command pulling a one-task project;
2. a tiny HTTP server on 127.0.0.1 that answers the few calls of a pull and streams a
   generated export of any size (1 GB costs disk, not a server's import): ``annotate
   pull`` against it; the baseline is the same pull of a 1 MB export.

For each size it prints the export's size, the peak RSS, the baseline's, their ratio, the
MiB per MB of export above the baseline, the wall time and the load average; and what
the slope says of a 1 GB export. The target (issue 13): < 150 MB for a 1 GB export.

Environment: ``ANNOTATE_BENCH_PULL_MB`` (real-server sizes, default ``20,60``; ``100,300``
when the machine is quiet: the import of 300 MB takes minutes), ``ANNOTATE_BENCH_FAKE_MB``
(generated sizes, default ``100,300``; ``300,1000`` for the issue's 1 GB),
``ANNOTATE_BENCH_ONLY`` (``real``, ``fake`` or both, the default).

Run: ``scripts/label-studio.sh start && .venv/bin/python scripts/bench_pull_memory.py``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ANNOTATE = str(Path(PY).with_name("annotate"))
REAL_MB = [int(x) for x in os.environ.get("ANNOTATE_BENCH_PULL_MB", "20,60").split(",") if x]
FAKE_MB = [int(x) for x in os.environ.get("ANNOTATE_BENCH_FAKE_MB", "100,300").split(",") if x]
PARTS = os.environ.get("ANNOTATE_BENCH_ONLY", "real,fake").split(",")
TEXT_CHARS = 40_000  # per task: few tasks, many bytes (the server's cost is per task)
IMPORT_BATCH_MB = 20


def _credentials() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env").read_text().splitlines() if "=" in line)
    values = {k.strip(): v.strip() for k, v in pairs}
    return {"url": values["LABEL_STUDIO_URL"], "api_key": values["LABEL_STUDIO_API_KEY"]}


def pull(prefix: str, labels: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall time (s), peak RSS (MiB) of one `annotate pull`, and the export's size (MB)."""
    args = [ANNOTATE, "pull", "--layers", "entities", "--prefix", prefix, "--labels-dir"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*args, str(labels)], cwd=labels.parent, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"annotate pull failed:\n{stderr[-2000:]}")
    size = max(p.stat().st_size for p in labels.glob("*/*.json")) / 1e6
    return elapsed, usage.ru_maxrss / 1024, size


def report(
    where: str, size: float, rss: float, base: float, base_size: float, s: float
) -> tuple[float, float]:
    slope = (rss - base) / max(size - base_size, 1e-9)
    print(
        f"{where}: {size:.0f} MB export: peak RSS {rss:.1f} MiB vs {base:.1f} MiB pulling "
        f"{base_size:.2f} MB → ratio {rss / base:.2f}, {slope:+.4f} MiB per MB above it; "
        f"{s:.1f} s; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    return size, rss


def one_gb(points: list[tuple[float, float]]) -> None:
    """What the growth between the two largest sizes measured says of a 1 GB export."""
    (s1, r1), (s2, r2) = sorted(points)[-2:] if len(points) > 1 else (points[0], points[0])
    slope = (r2 - r1) / (s2 - s1) if s2 > s1 else 0.0
    print(
        f"  → between {s1:.0f} and {s2:.0f} MB: {slope:+.4f} MiB per MB; a 1 GB export: "
        f"about {r2 + max(slope, 0.0) * (1000 - s2):.0f} MiB (target < 150 MB)",
        flush=True,
    )


# --- the real server -------------------------------------------------------------------


def fill(title: str, n: int) -> None:
    """Make the project `title` with `n` long tasks and one annotation (run in a child of
    its own: a parent that held the tasks would lend its size to every later child's
    peak RSS, which counts the pages a fork shares)."""
    sys.path.insert(0, str(ROOT))
    from annotate.labelstudio import client as ls
    from annotate.labelstudio.rest import open_api
    from annotate.layers import get_layer

    api = open_api(**_credentials())
    config = get_layer("entities").label_config()
    pid, _ = ls.ensure_project(api, title=title, label_config=config)
    per_batch = max(1, IMPORT_BATCH_MB * 1_000_000 // TEXT_CHARS)
    text = ("Jean Dupont est venu à Paris. " * (TEXT_CHARS // 30 + 1))[:TEXT_CHARS]
    for start in range(0, n, per_batch):
        tasks = [
            {"data": {"text": f"{i:09d} {text}", "task_key": f"t{i}"}}
            for i in range(start, min(n, start + per_batch))
        ]
        ls.import_tasks(api, pid, tasks, batch_size=per_batch)
    first = ls.existing_task_keys(api, pid)["t0"]
    result = [{"from_name": "label", "to_name": "text", "type": "labels", "id": "r1",
               "value": {"start": 10, "end": 21, "labels": ["PER"]}}]  # fmt: skip
    ls.submit_annotation(api, task_id=first, result=result)
    print(pid)


def real(work: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from annotate.labelstudio.rest import open_api
    from annotate.labelstudio.sync import project_title

    creds = _credentials()
    api = open_api(**creds)
    env = {**os.environ, "LABEL_STUDIO_URL": creds["url"], "LABEL_STUDIO_API_KEY": creds["api_key"]}
    run = uuid.uuid4().hex[:6]
    made: list[int] = []

    def project(tag: str, mb: float) -> str:
        prefix = f"mem{run}{tag}"
        n = max(1, int(mb * 1e6 / TEXT_CHARS))
        started = time.perf_counter()
        title = project_title(prefix, "entities")
        done = subprocess.run(
            [PY, __file__, "--fill", title, str(n)], capture_output=True, text=True, check=True
        )
        made.append(int(done.stdout.split()[-1]))
        print(f"  (imported {n} tasks, {mb} MB, in {time.perf_counter() - started:.0f} s)")
        return prefix

    try:
        base_prefix = project("base", TEXT_CHARS / 1e6)
        _, base, base_size = pull(base_prefix, work / "labels-base", env)
        slopes = []
        for mb in REAL_MB:
            s, rss, size = pull(project(f"s{mb}", mb), work / f"labels-{mb}", env)
            slopes.append(report("real server", size, rss, base, base_size, s))
        one_gb(slopes)
    finally:
        for pid in made:
            api.call("DELETE", f"api/projects/{pid}/")


# --- a generated export ----------------------------------------------------------------


class _FakeServer(BaseHTTPRequestHandler):
    """Just enough of Label Studio's API for one pull of an export of a generated size."""

    size_mb = 1
    task_template = b""

    def log_message(self, *_args: Any) -> None:
        pass

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path.startswith("/api/current-user/whoami"):
            self._json({"id": 1, "email": "bench@annotate.local"})
        elif url.path == "/api/projects/":  # find_project: the title asked for is id 1
            title = parse_qs(url.query).get("title", [""])[0]
            self._json({"count": 1, "next": None, "results": [{"id": 1, "title": title}]})
        elif url.path.rstrip("/") == "/api/projects/1":
            self._json({"id": 1, "label_config": "<View><Text name='text' value='$text'/></View>"})
        elif url.path.rstrip("/").endswith("/exports"):
            self._json([])
        elif url.path.endswith("/download"):
            self._download()
        else:
            self._json({"id": 1, "title": "annotate pull", "status": "completed"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._json({"id": 1, "title": "annotate pull", "status": "created"}, 201)

    def do_DELETE(self) -> None:
        self.send_response(204)
        self.end_headers()

    def _chunks(self) -> Iterator[bytes]:
        n = max(1, self.size_mb * 1_000_000 // len(self.task_template))
        yield b"["
        for start in range(0, n, 500):
            block = (
                self.task_template.replace(b"000000000", b"%09d" % i)
                for i in range(start, min(n, start + 500))
            )
            yield (b", " if start else b"") + b", ".join(block)
        yield b"]"

    def _download(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in self._chunks():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


def fake(work: Path) -> None:
    task = {
        "id": 0,
        "data": {"text": "Jean Dupont est venu à Paris. " * 20, "task_key": "000000000"},
        "annotations": [
            {"id": 1, "completed_by": 1, "result": [
                {"from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": 0, "end": 11, "labels": ["PER"]}}]}
        ],
        "predictions": [{"id": 1, "model_version": "m", "created_ago": "0 minutes", "result": []}],
    }  # fmt: skip
    _FakeServer.task_template = json.dumps(task).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "LABEL_STUDIO_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "LABEL_STUDIO_API_KEY": "bench-token-0000",
    }
    try:
        _FakeServer.size_mb = 1
        _, base, base_size = pull("fake", work / "fake-base", env)
        slopes = []
        for mb in FAKE_MB:
            _FakeServer.size_mb = mb
            labels = work / f"fake-{mb}"
            s, rss, size = pull("fake", labels, env)
            slopes.append(report("generated export", size, rss, base, base_size, s))
            for stored in labels.glob("*/*.json"):
                stored.unlink()  # disk: a 1 GB file per size otherwise
        one_gb(slopes)
    finally:
        server.shutdown()


def main() -> None:
    if sys.argv[1:2] == ["--fill"]:
        return fill(sys.argv[2], int(sys.argv[3]))
    with tempfile.TemporaryDirectory(prefix="bench-pull-memory-") as tmp:
        if "fake" in PARTS:
            fake(Path(tmp))
        if "real" in PARTS:
            real(Path(tmp))


if __name__ == "__main__":
    main()
