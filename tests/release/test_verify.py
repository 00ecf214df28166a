"""verify_release: checksums, rows against the schema of the version, load_dataset."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotate.errors import ReleaseError
from annotate.pins import file_sha256
from annotate.release.verify import verify_release


@pytest.fixture
def release_dir(build, exports):
    return build(exports, formats=("conll", "mqm")).path


def _codes(report):
    return sorted({(p.code, p.file) for p in report.problems})


def test_a_fresh_release_verifies(release_dir):
    report = verify_release(release_dir)
    assert report.ok, [str(p) for p in report.problems]
    assert report.loaded == {
        "documents": 1,
        "segments": 13,
        "entities": 30,
        "claims": 2,
        "translation_errors": 3,
        "annotations": 37,  # every annotator's spans (and one row per span-less annotation)
    }
    assert report.rows == 49 + 37


def test_a_flipped_byte_in_a_parquet_file_is_named(release_dir):
    path = release_dir / "entities/train.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_release(release_dir, load=False)
    assert ("checksum", "entities/train.parquet") in _codes(report)
    assert all(p.file == "entities/train.parquet" for p in report.problems)


def test_a_deleted_file_is_named(release_dir):
    (release_dir / "formats/entities.conll").unlink()
    (release_dir / "claims/train.parquet").unlink()
    report = verify_release(release_dir)
    codes = _codes(report)
    assert ("missing", "formats/entities.conll") in codes
    assert ("missing", "claims/train.parquet") in codes
    assert ("load", "claims/train.parquet") in codes
    assert not report.ok


def test_a_truncated_and_an_unlisted_file_are_named(release_dir):
    path = release_dir / "translation_errors/train.parquet"
    path.write_bytes(path.read_bytes()[:-100])
    (release_dir / "extra.txt").write_text("not part of the release\n", encoding="utf-8")
    codes = _codes(verify_release(release_dir, load=False))
    assert ("size", "translation_errors/train.parquet") in codes
    assert ("checksum", "translation_errors/train.parquet") in codes
    assert ("unreadable", "translation_errors/train.parquet") in codes
    assert ("unexpected", "extra.txt") in codes


def test_rows_are_checked_against_the_schema_of_the_version(release_dir):
    # rewrite a row with a severity the schema does not allow and a wrong span_text,
    # and update the manifest so that only the row checks can see it
    path = release_dir / "translation_errors/train.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[0]["span_text"] = "something else"
    rows[1]["severity"] = 7  # a ClassLabel index past the names
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    manifest_path = release_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == "translation_errors/train.parquet":
            entry["sha256"], entry["bytes"] = file_sha256(path), path.stat().st_size
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    report = verify_release(release_dir, load=False)
    problems = {(p.code, p.json_path) for p in report.problems}
    assert ("text-mismatch", "$[0].span_text") in problems
    assert any(code == "schema" and where == "$[1]" for code, where in problems)
    assert any("severity" in p.message for p in report.problems if p.code == "schema")


def test_not_a_release(tmp_path):
    with pytest.raises(ReleaseError, match=r"no manifest\.json"):
        verify_release(tmp_path)
