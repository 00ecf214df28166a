"""Pins per prefix and layer; random annotator handles kept for good (issue 11, items 3, 10)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest

from annotate.errors import ReleaseError
from annotate.pins import read_annotators, read_pins, record_pull
from tests.conftest import ROOT

LEGACY_PINS = ROOT / "data" / "labels" / "pins.json"


def _export(folder, name: str, body: str = "[]"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_a_pull_of_one_layer_leaves_the_other_layers_and_their_handles(tmp_path):
    pins = tmp_path / "mine.pins.json"
    ents = _export(tmp_path, "mine-named-entities/a.json", '[{"id": 1}]')
    claims = _export(tmp_path, "mine-factual-claims/b.json", '[{"id": 2}]')
    record_pull(pins, prefix="mine", layer="entities", export_path=ents, project="p", users={"7"})
    record_pull(pins, prefix="mine", layer="claims", export_path=claims, project="q", users={"8"})
    before = read_annotators(pins)
    claims_pin = [p for p in read_pins(pins) if p.layer == "claims"]
    newer = _export(tmp_path, "mine-named-entities/c.json", '[{"id": 3}]')
    record_pull(
        pins, prefix="mine", layer="entities", export_path=newer, project="p", users={"7", "9"}
    )
    after = read_annotators(pins)
    assert {k: after[k] for k in before} == before  # nobody's handle changed
    assert set(after) == {"7", "8", "9"} and len(set(after.values())) == 3
    assert [p for p in read_pins(pins) if p.layer == "claims"] == claims_pin
    assert [p.path for p in read_pins(pins) if p.layer == "entities"] == [
        "mine-named-entities/c.json"
    ]


def test_handles_are_random_not_derived_from_the_user(tmp_path):
    export = _export(tmp_path, "x/a.json")
    one, two = tmp_path / "one" / "p.pins.json", tmp_path / "two" / "p.pins.json"
    for pins in (one, two):
        (pins.parent / "x").mkdir(parents=True)
        shutil.copy(export, pins.parent / "x" / "a.json")
        record_pull(
            pins,
            prefix="p",
            layer="entities",
            export_path=pins.parent / "x" / "a.json",
            project="t",
            users={"24"},
        )
    a, b = read_annotators(one)["24"], read_annotators(two)["24"]
    assert re.fullmatch(r"annotator-[0-9a-f]{8}", a)
    assert a != b  # the same user on two projects: unrelated handles
    assert hashlib.sha256(b"24").hexdigest()[:8] not in a


def test_another_prefix_and_the_legacy_pins_are_never_written(tmp_path):
    legacy = tmp_path / "pins.json"
    shutil.copy(LEGACY_PINS, legacy)
    export = _export(tmp_path, "x/a.json")
    with pytest.raises(ReleaseError, match="legacy format"):
        record_pull(
            legacy, prefix="p", layer="entities", export_path=export, project="t", users=set()
        )
    assert legacy.read_bytes() == LEGACY_PINS.read_bytes()
    theirs = tmp_path / "theirs.pins.json"
    record_pull(
        theirs, prefix="theirs", layer="entities", export_path=export, project="t", users=set()
    )
    snapshot = theirs.read_bytes()
    with pytest.raises(ReleaseError, match="belong to the prefix 'theirs'"):
        record_pull(
            theirs, prefix="mine", layer="entities", export_path=export, project="t", users=set()
        )
    assert theirs.read_bytes() == snapshot
    assert json.loads(snapshot)["format"] == 2


def test_a_review_pull_is_pinned_beside_the_annotators_export_and_both_are_kept(
    tmp_path,
) -> None:
    pins = tmp_path / "mine.pins.json"
    first = _export(tmp_path, "mine-named-entities/a.json", '[{"id": 1}]')
    review = _export(tmp_path, "mine-entities-review/r.json", '[{"id": 2}]')
    record_pull(pins, prefix="mine", layer="entities", export_path=first, project="p", users={"7"})
    record_pull(
        pins,
        prefix="mine",
        layer="entities",
        export_path=review,
        project="p · review",
        users={"9"},
        role="review",
    )
    # pulling the annotators' project again replaces its pin and keeps the review's
    newer = _export(tmp_path, "mine-named-entities/b.json", '[{"id": 3}]')
    record_pull(pins, prefix="mine", layer="entities", export_path=newer, project="p", users={"7"})
    assert [(p.path, p.project) for p in read_pins(pins)] == [
        ("mine-named-entities/b.json", "p"),
        ("mine-entities-review/r.json", "p · review"),
    ]
    assert set(read_annotators(pins)) == {"7", "9"}
