"""A foreign JSON_MIN export under a label map (issue 12): JSON_MIN hoists every control
to the top level of its row, so a per-region choice (their ``kind``, ``certainty``,
``worth_checking``) is a key whose name is theirs; the map's control names say which of
our choices it is."""

from __future__ import annotations

import json
from pathlib import Path

from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.sources.foreign import foreign_options
from annotate.validate import validate_exports

FOREIGN = Path(__file__).parent / "data" / "foreign"
EXPORT = FOREIGN / "claims_json_min.json"
MAP = FOREIGN / "claims_label_map.yaml"


def _read(label_map: Path = MAP):
    options = foreign_options(text_field="text", label_map=label_map)
    return validate_exports([EXPORT], {}, layer="claims", foreign=options, on_error="report")


def _expected() -> list[list[tuple[str, dict[str, str]]]]:
    """Each row's regions with the choices the export ties to them, in our names (the
    map's controls and choices applied to the raw rows)."""
    import yaml

    lmap = yaml.safe_load(MAP.read_text())
    out = []
    for row in json.loads(EXPORT.read_text()):
        regions = []
        for r in row["label"]:
            attrs = {}
            for theirs, ours in lmap["controls"].items():
                values = row[theirs] if isinstance(row[theirs], list) else [row[theirs]]
                for v in values:
                    if (v["start"], v["end"]) == (r["start"], r["end"]):
                        attrs[ours] = lmap["choices"][ours][v["choices"][0]]
            regions.append((lmap["labels"][r["labels"][0]], attrs))
        out.append(regions)
    return out


def test_per_region_choices_of_a_json_min_export_are_mapped_onto_ours() -> None:
    # seen: the reader matched JSON_MIN choice keys against our control names only, so
    # their `certainty` etc. were dropped unread and every claim was quarantined for a
    # missing claim_type, modality and checkworthy
    report = _read()
    assert report.errors == [] and report.quarantined_count == 0
    got = [[(s.label, dict(s.attrs)) for s in a.spans] for a in report.valid]
    assert got == _expected()
    assert all(attrs for regions in got for label, attrs in regions if label == "CLAIM")
    mapped = report.labels.mapped
    assert mapped[("control", "certainty")] == 3 and mapped[("choice modality", "Hearsay")] == 2
    assert not report.labels.unmapped


def test_a_control_mapped_to_null_is_dropped_and_counted(tmp_path: Path) -> None:
    lmap = tmp_path / "map.yaml"
    lmap.write_text(MAP.read_text().replace("worth_checking: checkworthy", "worth_checking: null"))
    report = _read(lmap)
    assert report.labels.dropped[("control", "worth_checking")] == 3
    assert all("checkworthy" not in s.attrs for a in report.valid for s in a.spans)
    missing = {i.message.rsplit(": ", 1)[-1] for i in report.errors}
    assert missing == {"checkworthy is missing"}  # the layer needs it: held back, named


def test_a_mapped_json_min_export_builds_and_loads(tmp_path: Path) -> None:
    from datasets import load_dataset

    gold = gold_set(
        articles=None,
        exports=[EXPORT],
        layer="claims",
        foreign=foreign_options(text_field="text", label_map=MAP),
    )
    release = build_release(
        gold, out=tmp_path / "rel", dataset="claims-min", version="1.0.0", project_root=tmp_path
    ).path
    claims = load_dataset(str(release), "claims", split="train")
    kinds, modalities = claims.features["claim_type"], claims.features["modality"]
    got = {
        (
            r["span_text"],
            kinds.int2str(r["claim_type"]),
            modalities.int2str(r["modality"]),
            r["checkworthy"],
        )
        for r in claims
    }
    texts = [r["text"] for row in json.loads(EXPORT.read_text()) for r in row["label"]]
    spans = [s for regions in _expected() for s in regions]
    want = {
        (text, a["claim_type"], a["modality"], a["checkworthy"] == "yes")
        for text, (label, a) in zip(texts, spans, strict=True)
        if label == "CLAIM"
    }
    assert got == want and len(claims) == 3
