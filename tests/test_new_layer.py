"""A layer is one schema file + one module + one registry line: a toy ``events`` layer,
written into a temporary directory and registered at test time, goes through tasks →
(a Label Studio export made from them) → validate → build → ``datasets.load_dataset``
with its own card section and plot panel, and no other file edited."""

from __future__ import annotations

import importlib.util
import json
import textwrap
from pathlib import Path

import datasets
import pytest

from annotate.corpus import read_articles
from annotate.errors import ConfigError, SchemaError
from annotate.labelstudio.tasks import make_tasks
from annotate.layers import LAYERS, get_layer, register_layer, registered_layer
from annotate.model import Span
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.manifest import read_manifest
from annotate.validate import validate_exports
from tests.conftest import ROOT

ARTICLES = ROOT / "data" / "articles"

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://annotate.schema/events.schema.json",
    "title": "Events",
    "x-annotate": {
        "layer": "events",
        "version": "0.1.0",
        "title": "Events",
        "overlap": "forbidden",
        "labels": {
            "DEAL": {"description": "An agreement or investment.", "background": "#3cb44b"},
            "LAUNCH": {"description": "A product or site that starts.", "background": "#f58231"},
        },
    },
    "allOf": [{"$ref": "record.schema.json"}],
    "properties": {
        "layer": {"const": "events"},
        "spans": {
            "type": "array",
            "items": {"type": "object", "properties": {"label": {"enum": ["DEAL", "LAUNCH"]}}},
        },
        "relations": {"type": "array", "maxItems": 0},
        "judgement": {"type": "null"},
    },
}

MODULE = """
from annotate.layers import Layer


class EventsLayer(Layer):
    name = "events"

    def features(self):
        import datasets

        return datasets.Features(
            {
                "doc_id": datasets.Value("string"),
                "segment_start": datasets.Value("int32"),
                "segment_end": datasets.Value("int32"),
                "event_id": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                "span_text": datasets.Value("string"),
                "label": datasets.ClassLabel(names=list(self.taxonomy.labels)),
            }
        )

    def rows(self, annotation, document):
        return [
            {
                "doc_id": annotation.doc_id,
                "segment_start": annotation.segment_start,
                "segment_end": annotation.segment_end,
                "event_id": s.id,
                "start": s.start,
                "end": s.end,
                "span_text": document.text[s.start : s.end],
                "label": s.label,
            }
            for s in annotation.spans
        ]
"""

# (text, label): the first occurrence of each in the bundled article is an event
EVENTS = [("Stargate", "LAUNCH"), ("100 milliards de dollars", "DEAL")]


def _write_layer(tmp: Path) -> tuple[type, Path]:
    schema = tmp / "events.schema.json"
    schema.write_text(json.dumps(SCHEMA, indent=2), encoding="utf-8")
    module = tmp / "events_layer.py"
    module.write_text(textwrap.dedent(MODULE), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("events_layer", module)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.EventsLayer, schema


def _export(tmp: Path, doc) -> tuple[Path, list[Span]]:
    """A Label Studio export of the events tasks, annotated as an annotator would."""
    layer = get_layer("events")
    spans = []
    for i, (text, label) in enumerate(EVENTS, 1):
        start = doc.text.index(text)
        spans.append(Span(f"ev{i}", start, start + len(text), text, label))
    tasks = make_tasks([doc], "events", unit="paragraph")
    for n, (task, para) in enumerate(zip(tasks, doc.paragraphs, strict=True), 1):
        task["id"] = n
        inside = [s for s in spans if para.start <= s.start and s.end <= para.end]
        result = layer.to_ls_result(
            inside, [], segment_start=para.start, segment_text=para.slice(doc.text)
        )
        task["annotations"] = [
            {
                "id": 500 + n,
                "completed_by": 7,
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2026-11-30T10:00:00Z",
            }
        ]
    path = tmp / "labels" / "events.json"
    path.parent.mkdir()
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path, spans


def test_a_new_layer_end_to_end(tmp_path):
    cls, schema = _write_layer(tmp_path)
    doc = next(iter(read_articles(ARTICLES)))
    with registered_layer(cls, schema):
        assert list(LAYERS)[-1] == "events"
        config = get_layer("events").label_config()
        assert 'value="DEAL"' in config and 'value="LAUNCH"' in config
        export, spans = _export(tmp_path, doc)

        report = validate_exports([export], {doc.id: doc})
        assert report.counts()["quarantined"] == 0
        assert len(report.valid) == len(doc.paragraphs)

        release = build_release(
            gold_set(articles=ARTICLES, exports=[export]),
            out=tmp_path / "releases",
            dataset="events-demo",
            version="0.1.0",
            project_root=tmp_path,
        ).path
        manifest = read_manifest(release)
        assert "events" in manifest["configs"]
        assert manifest["schema_versions"]["events"] == "0.1.0"
        assert (release / "schema" / "events.schema.json").is_file()
        card = (release / "README.md").read_text(encoding="utf-8")
        assert "### Events per label" in card  # its section, from the generic Layer
        assert "| LAUNCH | 1 |" in card and "| DEAL | 1 |" in card
        assert "![Distributions: Events per label]" in card  # its plot panel
        assert (release / "label_distribution.png").stat().st_size > 0

        rows = datasets.load_dataset(
            str(release), "events", split="train", cache_dir=str(tmp_path / "cache")
        )
        assert rows.num_rows == len(spans)
        labels = rows.features["label"]
        got = {(r["span_text"], labels.int2str(r["label"])) for r in rows}
        assert got == set(EVENTS)
        for r in rows:
            assert doc.text[r["start"] : r["end"]] == r["span_text"]
    assert "events" not in LAYERS
    with pytest.raises(ConfigError, match="known layers: entities, claims, translation_errors"):
        get_layer("events")


def test_registering_a_layer_checks_its_name_and_schema(tmp_path):
    cls, schema = _write_layer(tmp_path)
    wrong = dict(SCHEMA, **{"x-annotate": {**SCHEMA["x-annotate"], "layer": "happenings"}})
    other = tmp_path / "other.schema.json"
    other.write_text(json.dumps(wrong), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"x-annotate\.layer is 'happenings'"):
        register_layer(cls, other)
    shipped = type("Again", (cls,), {"name": "entities"})
    with pytest.raises(ConfigError, match="exists already; known layers: entities"):
        register_layer(shipped, schema)
    assert "events" not in LAYERS
