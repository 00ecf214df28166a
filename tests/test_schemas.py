from __future__ import annotations

import json

from typer.testing import CliRunner

from annotate.cli import app
from annotate.schemas import check_schemas, layer_names, load_schema, taxonomy, validator
from tests.conftest import ROOT


def test_shipped_schemas_are_valid_and_agree_with_their_taxonomy() -> None:
    assert check_schemas() == []


def test_package_schemas_are_the_repository_schemas() -> None:
    for name in ("document", "record", *layer_names()):
        on_disk = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert load_schema(name) == on_disk


def test_layers_and_mqm_weights() -> None:
    assert layer_names() == ["claims", "entities", "translation_errors"]  # by file name
    w = taxonomy("translation_errors").weights
    assert w["severity"] == {"minor": 1, "major": 5, "critical": 10}


def test_claim_attributes_are_required_for_claims_only() -> None:
    base = {
        "record_id": "k#annotation:1",
        "layer": "claims",
        "doc_id": "0" * 64,
        "task_key": "k",
        "segment": {"start": 0, "end": 10},
        "annotator": "1",
        "origin": "annotation",
        "relations": [],
    }
    claim = {"id": "c", "start": 0, "end": 2, "text": "ab", "label": "CLAIM"}
    errors = [e.message for e in validator("claims").iter_errors({**base, "spans": [claim]})]
    assert any("claim_type" in m for m in errors)
    source = {
        "id": "s",
        "start": 0,
        "end": 2,
        "text": "ab",
        "label": "SOURCE",
        "modality": "hedged",
    }
    assert not validator("claims").is_valid({**base, "spans": [source]})
    ok = {**claim, "claim_type": "event", "modality": "asserted", "checkworthy": "no"}
    assert validator("claims").is_valid({**base, "spans": [ok]})


def test_schema_check_command() -> None:
    result = CliRunner().invoke(app, ["schema", "check"])
    assert result.exit_code == 0, result.output
    assert "5 schemas valid" in result.output
