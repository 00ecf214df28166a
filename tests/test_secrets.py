"""Defect 4 of issue 13: the token never reaches the terminal.

Tiny HTTP servers on 127.0.0.1 (a thread in the test) stand in for a server or a proxy
that echoes the request headers in its error body, or answers a wrong path with an HTML
page; the real client and the real CLI talk to them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio import rest
from annotate.redact import forget_secrets, redact, summarise_body

KEY = "s3cr3t-configured-key-0042"  # not shaped like a token: found because it is the key
HEX_KEY = "0123456789abcdef0123456789abcdef01234567"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


class _Echo(BaseHTTPRequestHandler):
    """400 with the request headers in the body (as JSON detail, or as text); HTML 404
    for paths outside /api/ when the server is in HTML mode."""

    mode = "json"

    def do_GET(self) -> None:
        # the credentials first, so that a summary cut at 200 characters still holds them
        items = sorted(self.headers.items(), key=lambda kv: kv[0].lower() != "authorization")
        headers = dict(items)
        if self.mode == "html":
            body = (
                "<!DOCTYPE html><html><head><title>Page not found at /api/</title></head>"
                f"<body><pre>{headers}</pre>{'<p>filler</p>' * 60}</body></html>"
            ).encode()
            self._send(404, "text/html; charset=utf-8", body)
        elif self.mode == "text":
            self._send(400, "text/plain", f"Bad request. Headers: {headers}".encode())
        else:
            detail = f"Bad request; you sent {headers}"
            self._send(400, "application/json", json.dumps({"detail": detail}).encode())

    do_POST = do_GET

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _fresh_secrets(monkeypatch):
    forget_secrets()
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    yield
    forget_secrets()


def _serve(mode: str) -> Iterator[str]:
    handler = type("Handler", (_Echo,), {"mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["json", "text"])
def echo_url(request) -> Iterator[str]:
    yield from _serve(request.param)


@pytest.fixture
def html_url() -> Iterator[str]:
    yield from _serve("html")


def _error(url: str, key: str) -> str:
    with pytest.raises(LabelStudioError) as caught:
        ls.connect(url=url, api_key=key)
    return str(caught.value)


@pytest.mark.parametrize("key", [KEY, HEX_KEY])
def test_a_body_that_echoes_the_headers_never_shows_the_token(echo_url, key):
    message = _error(echo_url, key)
    assert "HTTP 400" in message
    assert key not in message
    assert "Token " + key not in message and "[redacted]" in message
    assert "\n" not in message


def test_through_the_cli(echo_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LABEL_STUDIO_URL", echo_url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    result = runner.invoke(app, ["pull", "--layers", "entities", "--labels-dir", "labels"])
    assert result.exit_code == 1, result.output
    assert "HTTP 400" in result.output and KEY not in result.output
    assert not (tmp_path / "labels").exists()


def test_an_html_page_is_summarised_not_dumped(html_url):
    message = _error(html_url + "/wrong/path", KEY)
    assert "HTTP 404" in message and "an HTML page titled 'Page not found at /api/'" in message
    assert "<" not in message and "filler" not in message and KEY not in message


def test_url_userinfo_is_not_echoed(echo_url):
    url = echo_url.replace("http://", "http://alice:pa55word-for-test@")
    message = _error(url, KEY)
    assert "pa55word-for-test" not in message and "alice" not in message


def test_swapped_url_and_token_never_print_the_token(echo_url):
    message = _error(KEY, echo_url)
    assert KEY not in message
    assert "swapped" in message


def test_an_unreachable_server_is_one_line_with_a_hint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    message = _error(f"http://127.0.0.1:{port}", KEY)
    assert "is the server running?" in message and "\n" not in message


def test_redact_covers_headers_userinfo_queries_and_key_shapes():
    text = redact(
        "{'Authorization': 'Token abc', 'Cookie': 'sessionid=xyz'}\n"
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoi.c2lnbmF0dXJlMTIz\n"
        "https://u:p@host/x?token=t0k&x=1 hf_abcdefghijklmnopqrstuvwxyz "
        + HEX_KEY
        + " and "
        + KEY.replace("-", "%2D"),
        secrets=[KEY.replace("-", "%2D")],
    )
    for leaked in ("abc", "sessionid", "eyJ", "u:p@", "t0k", "hf_abc", HEX_KEY, "s3cr3t"):
        assert leaked not in text, (leaked, text)
    assert "x=1" in text and "the token header" in redact("the token header")


def test_summaries_keep_the_first_line_of_a_detail():
    assert summarise_body({"detail": "Invalid token.\nTraceback…"}) == "Invalid token."
    assert summarise_body(b'{"validation_errors": {"title": ["too long"]}}').startswith('{"title"')
    assert len(summarise_body("x" * 5000)) <= 200


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_shell_script_never_puts_the_token_on_curls_command_line(tmp_path):
    """scripts/label-studio.sh's token check (run by `start`, and by `check`) runs with a
    `curl` first on PATH that logs its arguments (what /proc/*/cmdline shows) before
    running the real one."""
    fake_root = tmp_path / "repo"
    (fake_root / "scripts").mkdir(parents=True)
    (fake_root / ".labelstudio").mkdir()
    (fake_root / ".labelstudio" / "credentials").write_text(
        f"LS_ADMIN_EMAIL=admin@annotate.local\nLS_ADMIN_PASSWORD=pw\nLS_API_KEY={HEX_KEY}\n"
    )
    shutil.copy(ROOT / "scripts" / "label-studio.sh", fake_root / "scripts")
    log = tmp_path / "argv.log"
    shim = tmp_path / "bin" / "curl"
    shim.parent.mkdir()
    real = shutil.which("curl")
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(0o755)
    with ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Echo,), {"mode": "json"})) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = subprocess.run(
            [fake_root / "scripts" / "label-studio.sh", "check", url],
            env={**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        server.shutdown()
    calls = log.read_text().splitlines()
    assert calls, done.stderr
    assert done.returncode == 1  # the echoing server refuses: the check fails, as it should
    assert all(HEX_KEY not in call for call in calls), calls
    assert any("-H @/dev/fd/" in call for call in calls), calls
    assert HEX_KEY not in done.stdout + done.stderr
