"""Pull against a real Label Studio: the export streamed to disk, its snapshot deleted on the
server (also when the download fails), and an unchanged project keeping its pin."""

from __future__ import annotations

import errno
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio

from annotate.errors import FileWriteError
from annotate.labelstudio import client as ls
from annotate.labelstudio import raw_exports
from annotate.labelstudio.exports import EXPORT_TITLE, stream_export
from annotate.labelstudio.sync import project_title, pull
from annotate.layers import get_layer
from annotate.pins import read_pins
from annotate.sources.labeling_config import config_beside, read_labeling_config

from .test_labelstudio_client import task

pytestmark = pytest.mark.integration


@pytest.fixture
def pulled_project(
    ls_client: LabelStudio, ls_run_id: str, request: pytest.FixtureRequest
) -> Iterator[tuple[str, int]]:
    """An entities project (prefix, id) with three tasks carrying predictions."""
    prefix = f"pl{ls_run_id}{len(request.node.name) % 10}"
    title = project_title(prefix, "entities")
    config = get_layer("entities").label_config()
    project_id, _ = ls.ensure_project(ls_client, title=title, label_config=config)
    tasks = [task(f"k{i}", f"Jean Dupont {i}", predicted="Jean") for i in range(3)]
    for t in tasks:
        for p in t["predictions"]:
            for r in p["result"]:
                r.update(from_name="label", to_name="text")
    imported = ls.import_tasks(ls_client, project_id, tasks)
    # pull pins only exports holding an annotation
    result = [dict(tasks[0]["predictions"][0]["result"][0], id="a1")]
    ls.submit_annotation(ls_client, task_id=imported.task_ids["k0"], result=result)
    yield prefix, project_id
    ls_client.projects.delete(project_id)


def _pins(labels: Path) -> Path:
    (path,) = labels.glob("*.pins.json")
    return path


def _exports(client: LabelStudio, project_id: int) -> list[Any]:
    return list(client.projects.exports.list(project_id))


@pytest.mark.slow  # waits for the server's "0 minutes" to become "1 minute"
def test_a_pull_of_an_unchanged_project_keeps_the_pin(
    pulled_project: tuple[str, int], ls_server: dict[str, str], tmp_path: Path
) -> None:
    prefix, _ = pulled_project
    started = time.monotonic()
    (first,) = pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    assert first.new_file and first.tasks == 3
    pinned = read_pins(_pins(tmp_path))
    raw = first.path.read_bytes()
    assert b"created_ago" in raw
    time.sleep(max(0.0, 62 - (time.monotonic() - started)))
    (second,) = pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    assert second.received_sha256 != first.sha256  # the server sent other bytes …
    assert second.unchanged and not second.new_file  # … with the same content
    assert second.path == first.path and second.sha256 == first.sha256
    assert read_pins(_pins(tmp_path)) == pinned
    assert sorted(p.name for p in (tmp_path / first.path.parent.name).iterdir()) == sorted(
        [first.path.name, config_beside(first.path).name]
    )
    assert first.path.read_bytes() == raw  # the stored file stays as the server sent it
    assert json.loads(raw)[0]["predictions"][0]["created_ago"]


def test_a_pull_stores_the_labeling_config_beside_the_export(
    pulled_project: tuple[str, int], ls_server: dict[str, str], tmp_path: Path
) -> None:
    prefix, _ = pulled_project
    (first,) = pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    stored = config_beside(first.path)
    assert stored.name == f"{first.sha256}.config.xml"
    config = read_labeling_config(stored)
    assert config.objects == {"text": "text"} and config.text_field() == "text"
    assert stored.read_text() == get_layer("entities").label_config()


def test_a_changed_project_moves_the_pin(
    pulled_project: tuple[str, int],
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    tmp_path: Path,
) -> None:
    prefix, project_id = pulled_project
    (first,) = pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    ls.import_tasks(ls_client, project_id, [task("k-new", "Marie Curie")])
    (second,) = pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    assert second.new_file and not second.unchanged and second.tasks == 4
    assert second.path != first.path and first.path.exists()
    (pin,) = read_pins(_pins(tmp_path))
    assert pin.sha256 == second.sha256


def test_a_pull_leaves_no_export_on_the_server(
    pulled_project: tuple[str, int],
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    tmp_path: Path,
) -> None:
    prefix, project_id = pulled_project
    pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    assert _exports(ls_client, project_id) == []


def test_a_failed_download_leaves_no_export_and_no_file(
    pulled_project: tuple[str, int],
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix, project_id = pulled_project
    real = raw_exports._Download.__call__

    def disk_full(self: Any, chunks: Iterator[bytes]) -> Any:
        def failing() -> Iterator[bytes]:
            yield next(chunks)
            raise OSError(errno.ENOSPC, "No space left on device")

        return real(self, failing())

    monkeypatch.setattr(raw_exports._Download, "__call__", disk_full)
    with pytest.raises(FileWriteError, match="No space left") as failed:
        pull(layers=["entities"], labels_dir=tmp_path, prefix=prefix, **ls_server)
    assert failed.value.hint and "disk is full" in failed.value.hint
    assert _exports(ls_client, project_id) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_exports_left_by_a_dead_pull_are_deleted_by_the_next(
    pulled_project: tuple[str, int], ls_client: LabelStudio
) -> None:
    _, project_id = pulled_project
    # what a pull killed with its server leaves behind: its snapshot, never deleted
    left = ls_client.projects.exports.create(project_id, title=EXPORT_TITLE)
    other = ls_client.projects.exports.create(project_id, title="someone else's export")
    body = stream_export(ls_client, project_id, b"".join, stale_after=0.0)
    assert len(json.loads(body)) == 3
    assert [e.id for e in _exports(ls_client, project_id)] == [other.id]
    assert left.id != other.id
