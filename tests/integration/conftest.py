"""Fixtures for tests against a real Label Studio server, started by scripts/label-studio.sh.

The server is started once per session (a no-op when it already runs) and stopped at the
end only if this session started it (keep it with ANNOTATE_KEEP_LS=1). ANNOTATE_SKIP_LS=1
skips these tests; otherwise a server that fails to start is an error, not a skip.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio

from annotate.labelstudio.client import connect

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "label-studio.sh"
START_TIMEOUT_S = 1800  # a first start installs Label Studio into its virtualenv


def _dotenv(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.fixture(scope="session")
def ls_server() -> Iterator[dict[str, str]]:
    """URL and API key of a running local server: {"url": ..., "api_key": ...}."""
    if os.environ.get("ANNOTATE_SKIP_LS") == "1":
        pytest.skip("ANNOTATE_SKIP_LS=1: tests against a real Label Studio server are skipped")
    was_running = subprocess.run([SCRIPT, "status"], capture_output=True).returncode == 0
    started = subprocess.run(
        [SCRIPT, "start"], capture_output=True, text=True, timeout=START_TIMEOUT_S
    )
    if started.returncode != 0:
        pytest.fail(
            f"scripts/label-studio.sh start exited {started.returncode}:\n"
            f"{started.stdout}\n{started.stderr}",
            pytrace=False,
        )
    env = _dotenv(REPO / ".env")
    yield {"url": env["LABEL_STUDIO_URL"], "api_key": env["LABEL_STUDIO_API_KEY"]}
    if not was_running and os.environ.get("ANNOTATE_KEEP_LS") != "1":
        subprocess.run([SCRIPT, "stop"], capture_output=True, check=False)


@pytest.fixture(scope="session")
def ls_client(ls_server: dict[str, str]) -> LabelStudio:
    """A client connected to the local server as its admin."""
    return connect(url=ls_server["url"], api_key=ls_server["api_key"])


@pytest.fixture(scope="session")
def ls_run_id() -> str:
    """A short id unique to this test session, for project titles and user emails."""
    return uuid.uuid4().hex[:8]
