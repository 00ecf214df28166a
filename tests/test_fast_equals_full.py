"""A streamed validation run (the fast paths: ``json_items.array_items`` cuts the array,
``fast_records.fast_record`` builds the common record, ``RecordWriter.valid(plain=True)``
writes it with orjson) gives exactly what the full path gives — ``ijson.items`` for the
array, every annotation read by ``read_export(..., fast=False)`` — on generated exports
(``tests/fuzzing.py``: real ones broken in every way we could think of): the same valid
JSONL bytes, quarantine bytes, JSON report, counts, and for the CLI the same stdout and
exit code. And every record the fast reader builds is the full reader's, with no issue."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import ijson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import AnnotateError
from annotate.labelstudio import export as export_module
from annotate.labelstudio.export import ReadItem, RecordItem, read_export
from annotate.validate import run_validation
from annotate.validation import files as files_module
from tests.fuzzing import BAD, ROOT, documents, exports, fuzz_settings, tagged
from tests.synthetic import synthetic_documents

OUTPUTS = ("valid.jsonl", "quarantine.jsonl", "report.json")


def _ijson_items(stream: Any, **_fast: Any) -> Iterable[Any]:
    return ijson.items(stream, "item", use_float=True)  # (no typed decoding either)


def _full_read(*args: Any, **kwargs: Any) -> Iterator[ReadItem | RecordItem]:
    return read_export(*args, **{**kwargs, "fast": False})


@contextmanager
def full_path() -> Iterator[None]:
    """Validation as it was before the fast paths: ijson reads the array, every annotation
    is read by the full path (and every valid record written by ``json.dumps``)."""
    with (
        mock.patch.object(export_module, "array_items", _ijson_items),
        mock.patch.object(files_module, "read_export", _full_read),
    ):
        yield


def _run(paths: list[Path], out: Path, *, include_predictions: bool) -> dict[str, Any]:
    """Everything a streamed run leaves: its files' bytes and its counts; or the
    ``AnnotateError`` that stopped it (an export that needs a flag: several text fields).
    Any other exception is a bug, and fails the test."""
    try:
        report = run_validation(
            paths,
            documents(),
            include_predictions=include_predictions,
            output=out / "valid.jsonl",
            quarantine=out / "quarantine.jsonl",
            report=out / "report.json",
        )
    except AnnotateError as exc:
        return {"raised": (type(exc).__name__, str(exc))}
    finally:
        left = {name: (out / name).read_bytes() for name in OUTPUTS if (out / name).exists()}
        shutil.rmtree(out, ignore_errors=True)
    return {**left, "counts": report.counts(), "ok": report.ok, "clean": report.clean}


def assert_same_run(paths: list[Path], out: Path, *, include_predictions: bool = False) -> None:
    fast = _run(paths, out, include_predictions=include_predictions)
    with full_path():
        full = _run(paths, out, include_predictions=include_predictions)
    assert fast.keys() == full.keys()
    for key in full:
        assert fast[key] == full[key], key


def assert_fast_items_are_full(path: Path) -> None:
    """Each annotation the fast reader builds reads by the full path with no issue at
    all, into the same record (same keys, same order, same types)."""
    items = read_export(path, fast=True, include_predictions=True, on_error="report")
    try:
        for item in items:
            if isinstance(item, RecordItem):
                full = item.full()
                assert full.annotation is not None and full.issues == [], full.issues
                assert tagged(full.annotation.to_record()) == tagged(item.record)
                assert full.segment_text == item.segment_text
    except AnnotateError:
        pass  # the same error on both paths: assert_same_run compares them


@contextmanager
def _folder() -> Iterator[Path]:
    """A temporary folder (hypothesis runs many examples per test: no fixture)."""
    with tempfile.TemporaryDirectory(prefix="annotate-fuzz-") as tmp:
        yield Path(tmp)


@fuzz_settings(60)
@given(st.data(), st.booleans())
def test_a_broken_export_validates_alike_on_both_paths(
    data: st.DataObject, include_predictions: bool
) -> None:
    _tasks, raw = exports(data)
    with _folder() as tmp:
        path = tmp / "export.json"
        path.write_bytes(raw)
        assert_fast_items_are_full(path)
        assert_same_run([path], tmp / "out", include_predictions=include_predictions)


@fuzz_settings(15)
@given(st.data())
def test_several_broken_exports_validate_alike_on_both_paths(data: st.DataObject) -> None:
    """Records repeated across files (a duplicate only the order tells), one file after
    another."""
    with _folder() as tmp:
        paths = []
        for i in range(data.draw(st.integers(2, 3))):
            _tasks, raw = exports(data, tasks=2, edits=2)
            paths.append(tmp / f"{i}.json")
            paths[-1].write_bytes(raw)
        if data.draw(st.booleans()):
            paths.append(paths[0])  # the same file twice: every record a duplicate
        assert_same_run(paths, tmp / "out")


# ---------------------------------------------------------------------- the CLI
runner = CliRunner()


def articles_folder(tmp: Path) -> Path:
    """The documents the CLI reads: the bundled articles, the bad cases' one and the
    synthetic ones (:func:`tests.fuzzing.documents`, the same ids)."""
    folder = tmp / "articles"
    folder.mkdir()
    for src in (ROOT / "data" / "articles", BAD / "articles"):
        for f in src.iterdir():
            shutil.copy(f, folder / f.name)
    for i, doc in enumerate(synthetic_documents(3, paragraphs=2, seed=11)):
        (folder / f"synthetic-{i}.txt").write_text(doc.text, encoding="utf-8")
    return folder


def cli_run(paths: list[Path], articles: Path, out: Path, *extra: str) -> dict[str, Any]:
    """Exit code, stdout and the files of one ``annotate validate``."""
    args = ["validate", *map(str, paths), "--articles", str(articles)]
    args += ["-o", str(out / OUTPUTS[0]), "--quarantine", str(out / OUTPUTS[1])]
    result = runner.invoke(app, [*args, "--report", str(out / OUTPUTS[2]), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    left = {name: (out / name).read_bytes() for name in OUTPUTS if (out / name).exists()}
    shutil.rmtree(out, ignore_errors=True)
    return {"exit": result.exit_code, "stdout": result.stdout, **left}


@fuzz_settings(6)
@given(st.data(), st.sampled_from([(), ("--format", "json"), ("--strict",)]))
def test_the_cli_says_the_same_on_both_paths(data: st.DataObject, extra: tuple[str, ...]) -> None:
    _tasks, raw = exports(data)
    with _folder() as tmp:
        path = tmp / "export.json"
        path.write_bytes(raw)
        articles = articles_folder(tmp)
        fast = cli_run([path], articles, tmp / "out", *extra)
        with full_path():
            full = cli_run([path], articles, tmp / "out", *extra)
    assert fast == full


def _exports_folder(data: st.DataObject, tmp: Path, files: int) -> list[Path]:
    """A few edited exports; some hold the same tasks (duplicates across files)."""
    folder = tmp / "exports"
    folder.mkdir()
    for i in range(files):
        _tasks, raw = exports(data, tasks=2, edits=2)
        (folder / f"{i}.json").write_bytes(raw)
    return sorted(folder.iterdir())


@fuzz_settings(3)
@given(st.data())
def test_jobs_2_says_what_jobs_1_says(data: st.DataObject) -> None:
    """``validate --jobs 2`` (files on two worker processes, merged in order) against
    ``--jobs 1`` on broken exports: stdout, exit code and every file alike."""
    with _folder() as tmp:
        paths = _exports_folder(data, tmp, data.draw(st.integers(2, 4)))
        articles = articles_folder(tmp)
        one = cli_run(paths, articles, tmp / "out", "--jobs", "1")
        two = cli_run(paths, articles, tmp / "out", "--jobs", "2")
    assert one == two


@pytest.mark.slow
@fuzz_settings(12)
@given(st.data())
def test_jobs_2_says_what_jobs_1_says_on_many_folders(data: st.DataObject) -> None:
    """The deep run of the above (``pytest -m slow``)."""
    with _folder() as tmp:
        paths = _exports_folder(data, tmp, data.draw(st.integers(2, 6)))
        articles = articles_folder(tmp)
        fmt = data.draw(st.sampled_from(["text", "json"]))
        one = cli_run(paths, articles, tmp / "out", "--jobs", "1", "--format", fmt)
        two = cli_run(paths, articles, tmp / "out", "--jobs", "2", "--format", fmt)
    assert one == two


@pytest.mark.slow
@fuzz_settings(150)
@given(st.data())
def test_many_broken_exports_validate_alike_on_both_paths(data: st.DataObject) -> None:
    """The deep run (``pytest -m slow``; ``ANNOTATE_FUZZ_EXAMPLES`` scales it): longer
    exports, more edits."""
    _tasks, raw = exports(data, tasks=6, edits=8)
    with _folder() as tmp:
        path = tmp / "export.json"
        path.write_bytes(raw)
        assert_fast_items_are_full(path)
        assert_same_run([path], tmp / "out", include_predictions=data.draw(st.booleans()))


@pytest.mark.slow
def test_a_small_export_cut_anywhere_validates_alike_on_both_paths(tmp_path: Path) -> None:
    """A two-task export cut at every 3rd byte (every cut of its seam): the tasks before
    the cut validated, the file's invalid-json, alike."""
    tasks = json.loads((BAD / "cases" / "valid-entities.json").read_text(encoding="utf-8"))
    second = json.loads(json.dumps(tasks[0]))
    second["id"] = second["annotations"][0]["id"] = 2
    raw = json.dumps([tasks[0], second], ensure_ascii=False).encode("utf-8")
    seam = 1 + len(json.dumps(tasks[0], ensure_ascii=False).encode("utf-8"))  # the ','
    path = tmp_path / "export.json"
    for cut in sorted({*range(0, len(raw) + 1, 3), *range(seam - 12, seam + 12)}):
        path.write_bytes(raw[:cut])
        assert_same_run([path], tmp_path / "out")
