"""The pull's download path against the real server, behind a proxy on 127.0.0.1 that
fails it: a server that dies in the middle of the download (the connection cut after half
the body, then every connection refused), and one whose error body echoes the request
headers. And what the pull process imports: never the SDK nor any heavy library."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from label_studio_sdk import LabelStudio

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio import rest
from annotate.labelstudio.sync import pull

from .test_pull import _exports, _pins, pulled_project  # noqa: F401  (a fixture)

pytestmark = pytest.mark.integration

DOWNLOAD = re.compile(r"^/api/projects/\d+/exports/\d+/download")
HEAVY = ("label_studio_sdk", "pandas", "pyarrow", "numpy", "spacy", "datasets", "thinc")


class _Proxy(BaseHTTPRequestHandler):
    """Forwards every request to `upstream`; the download answers as `mode` says."""

    upstream = ""
    mode = "forward"
    server_ref: ThreadingHTTPServer

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if DOWNLOAD.match(self.path) and self.mode == "echo":
            headers = dict(self.headers.items())
            detail = json.dumps({"detail": f"Bad request; you sent {headers}"}).encode()
            return self._send(400, {"Content-Type": "application/json"}, detail)
        skip = {"host", "content-length", "connection", "accept-encoding"}
        sent = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        with httpx.Client(timeout=120) as upstream:
            answer = upstream.request(
                self.command, self.upstream + self.path, content=body, headers=sent
            )
        headers = {"Content-Type": answer.headers.get("content-type", "application/json")}
        if DOWNLOAD.match(self.path) and self.mode == "die":
            # the body announced whole, half of it sent, then the server is gone
            self.send_response(answer.status_code)
            self.send_header("Content-Type", headers["Content-Type"])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content[: len(answer.content) // 2])
            self.wfile.flush()
            self.close_connection = True
            threading.Thread(target=self._die, daemon=True).start()
            return None
        return self._send(answer.status_code, headers, answer.content)

    def _die(self) -> None:
        self.server_ref.shutdown()
        self.server_ref.server_close()  # later connections are refused

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, *_args: object) -> None:
        pass


def _proxy(upstream: str, mode: str) -> Iterator[str]:
    handler: Any = type("Handler", (_Proxy,), {"upstream": upstream, "mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.server_ref = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if mode != "die":
            server.shutdown()
            server.server_close()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_server_killed_mid_download_leaves_no_file_and_no_pin_change(
    pulled_project: tuple[str, int],  # noqa: F811
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    tmp_path: Path,
    fast_retries: None,
) -> None:
    prefix, project_id = pulled_project
    pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    before = _files(tmp_path)
    ls.import_tasks(ls_client, project_id, [{"data": {"text": "Marie.", "task_key": "k9"}}])
    dying = _proxy(ls_server["url"], "die")
    url = next(dying)
    with pytest.raises(LabelStudioError) as failed:
        pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, url=url,
             api_key=ls_server["api_key"])  # fmt: skip
    message = str(failed.value)
    assert "downloading export" in message and "\n" not in message
    assert failed.value.hint and "is the server running?" in failed.value.hint
    assert _files(tmp_path) == before  # no part file, no new export, the pins as they were
    assert _pins(tmp_path).read_bytes() == before[_pins(tmp_path).name]
    # the export the dead server still holds is deleted by a later pull once stale
    (left,) = _exports(ls_client, project_id)
    assert left.title == "annotate pull"
    ls_client.projects.exports.delete(project_id, left.id)


def test_an_echoed_token_in_a_download_error_is_never_shown(
    pulled_project: tuple[str, int],  # noqa: F811
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    tmp_path: Path,
    fast_retries: None,
) -> None:
    prefix, project_id = pulled_project
    for url in _proxy(ls_server["url"], "echo"):
        with pytest.raises(LabelStudioError) as failed:
            pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, url=url,
                 api_key=ls_server["api_key"])  # fmt: skip
    message = str(failed.value)
    assert "HTTP 400" in message and "downloading export" in message
    assert ls_server["api_key"] not in message and "[redacted]" in message
    assert _exports(ls_client, project_id) == []  # deleted after the failed download
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_pull_process_imports_no_heavy_module(
    pulled_project: tuple[str, int],  # noqa: F811
    ls_server: dict[str, str],
    tmp_path: Path,
) -> None:
    """`annotate pull` in a process of its own: it pulls, and none of the SDK, pandas,
    pyarrow, numpy, spaCy or datasets is imported (the SDK alone is ~155 MiB)."""
    prefix, _ = pulled_project
    script = (
        "import sys\nfrom annotate.cli import app\n"
        "try:\n    app(sys.argv[1:], prog_name='annotate')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "LABEL_STUDIO_URL": ls_server["url"],
           "LABEL_STUDIO_API_KEY": ls_server["api_key"]}  # fmt: skip
    args = ["pull", "--layers", "entities", "--prefix", prefix, "--labels-dir", "labels"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "HEAVY []" in done.stdout, done.stdout
    assert list((tmp_path / "labels").glob("*/*.json"))
