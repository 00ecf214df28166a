"""A 50 MB export, generated at run time (never committed): every valid record comes
through, every broken one is held back at its place, the counts balance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from tests.synthetic import synthetic_documents, write_synthetic_export

SIZE = 50_000_000


@pytest.mark.slow
def test_a_50_mb_export(tmp_path: Path) -> None:
    docs = synthetic_documents(20)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"text": d.text, "lang": "fr"}, ensure_ascii=False) + "\n" for d in docs
        ),
        encoding="utf-8",
    )
    export = tmp_path / "export.json"
    info = write_synthetic_export(export, docs, size=SIZE, bad_every=997, cancelled_every=1009)
    assert info.bytes >= SIZE
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "validate",
            str(export),
            "--articles",
            str(corpus),
            "--json",
            "--output",
            str(out / "valid.jsonl"),
            "--quarantine",
            str(out / "quarantine.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts == {
        "received": info.tasks + info.cancelled,
        "valid": info.valid,
        "quarantined": info.bad,
        "skipped": {"cancelled": info.cancelled},
        "skipped_total": info.cancelled,
        "warnings": 0,
        "unreadable_inputs": 0,
        "balanced": True,
    }
    with (out / "valid.jsonl").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == info.valid
    held = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert [q["source"]["json_path"] for q in held] == [
        f"$[{n}].annotations[0]" for n in info.bad_tasks
    ]
    assert {e["code"] for q in held for e in q["errors"]} == {"unknown-label"}
