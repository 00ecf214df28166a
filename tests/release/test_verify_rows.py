"""verify's row checks: the fast pass clears valid rows without the full checks, and a
release with every kind of damaged row gets exactly the problems the full checks of every
row give (same codes, messages, files and ``$[i]`` paths, in the same order)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotate.pins import file_sha256
from annotate.release.verify import verify_release
from annotate.release.verify_rows import RowChecks

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases/stargate-fr-annotations/2.1.0"
IDENTS = ("span_id", "claim_id", "error_id")


def _labelled(feature: Any, value: Any) -> Any:
    """``value`` as a column of ``feature`` stores it (a ClassLabel's index when it names one)."""
    if isinstance(feature, datasets.ClassLabel) and isinstance(value, str):
        return feature.names.index(value) if value in feature.names else 999
    return value


# every way a row can be wrong, one per damaged row in turn: (column, new value of the row)
MUTATIONS = [
    ("span_text", lambda r: f"x{r['span_text']}"),
    ("start", lambda r: (r["end"] or 0) + 5),
    ("start", lambda r: None),
    ("end", lambda r: None),
    ("end", lambda r: 10**6),
    ("doc_id", lambda r: "0" * 64),
    ("segment_start", lambda r: -1),
    ("segment_end", lambda r: 10**7),
    ("label", lambda r: "NOT-A-LABEL"),
    ("label", lambda r: None),
    ("kb_id", lambda r: "X12"),
    ("severity", lambda r: 7),
    ("side", lambda r: "source"),
    ("attributes", lambda r: '{"side": "source"}'),
    ("judgement", lambda r: "maybe"),
    ("layer", lambda r: "no-such-layer"),
    *((ident, lambda r: "") for ident in IDENTS),
]


def _damage(path: Path) -> int:
    """Damage every other row of a data file, each in the next way that applies to it;
    returns how many rows were changed."""
    table = pq.read_table(path)
    features = datasets.Features.from_arrow_schema(table.schema)
    rows = table.to_pylist()
    if "text" in table.schema.names:  # documents: one more, whose doc_id is not its text's
        rows.append({**rows[0], "doc_id": "f" * 64})
        pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
        return 1
    changed, turn = 0, 0
    for i, row in enumerate(rows):
        if i % 2:
            continue
        for _ in range(len(MUTATIONS)):
            column, change = MUTATIONS[turn % len(MUTATIONS)]
            turn += 1
            if column in row:
                row[column] = _labelled(features[column], change(row))
                changed += 1
                break
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    return changed


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged") / "2.1.0"
    shutil.copytree(RELEASE, root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = root / entry["path"]
        if path.suffix == ".parquet":
            assert _damage(path)
            entry["sha256"], entry["bytes"] = file_sha256(path), path.stat().st_size
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def _every_row_worded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row through the full checks, as verify checked them before the fast pass."""
    monkeypatch.setattr(RowChecks, "suspects", lambda self, batch: list(range(batch.num_rows)))


def test_damaged_rows_get_the_problems_the_full_checks_give(damaged, monkeypatch):
    fast = verify_release(damaged, load=False).to_dict()
    _every_row_worded(monkeypatch)
    full = verify_release(damaged, load=False).to_dict()
    assert fast == full
    codes = {p["code"] for p in fast["problems"]}
    assert {"doc-id", "unknown-document", "segment-range", "offsets", "text-mismatch"} <= codes
    assert {"span-text", "schema", "unknown-layer"} <= codes
    paths = [p["json_path"] for p in fast["problems"] if p["json_path"]]
    assert any(path.endswith(".span_id") for path in paths)
    assert any("kb_id" in p["message"] for p in fast["problems"])


def test_valid_rows_are_cleared_without_the_full_checks(monkeypatch):
    def refuse(self, i, row):
        raise AssertionError(f"row {i} of {self.rel} was worded")

    monkeypatch.setattr(RowChecks, "word", refuse)
    report = verify_release(RELEASE, load=False)
    assert report.ok, [str(p) for p in report.problems]
    assert report.rows == sum(
        pq.ParquetFile(p).metadata.num_rows for p in RELEASE.rglob("*.parquet")
    )
