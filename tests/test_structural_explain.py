"""The schema step words a failing record with ``jsonschema``, stepping over the array
items the compiled validator finds valid (issue 16: an all-failing export is then not
many times slower than a clean one). Over every record the bad-input corpus rejects, and
records broken in every span, it finds exactly the errors of the plain validator."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from annotate.corpus import read_articles
from annotate.schemas import active_schemas
from annotate.validate import validate_exports
from annotate.validation.structural import _explainer

BAD = Path(__file__).parent / "data" / "bad"


def _errors(validator: Any, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            [str(p) for p in e.absolute_path],
            e.validator,
            e.message,
            repr(e.validator_value),
            repr(e.instance),
        )
        for e in validator.iter_errors(record)
    )


def _rejected() -> list[dict[str, Any]]:
    docs = {d.id: d for d in read_articles([BAD / "articles"])}
    report = validate_exports(sorted((BAD / "cases").glob("*.json")), docs, on_error="report")
    return [q.record for q in report.quarantined if q.record is not None]


_TOP_EDITS = [
    lambda r: r.update(lead_time="12", created_at=7, ground_truth="yes"),
    lambda r: r.update(segment={"start": "0"}, annotator=None, extra=1),
    lambda r: r.update(relations="none", judgement=[1], spans={"a": 1}),
    lambda r: r.pop("doc_id", None) and r.update(task_key=5, origin="someone"),
    lambda r: r.update(layer="claims", score="high", model_version=3),
]


def test_the_errors_are_those_of_the_plain_validator() -> None:
    schemas = active_schemas()
    records = _rejected()
    for record in list(records):
        if record.get("spans"):
            broken = copy.deepcopy(record)
            for span in broken["spans"]:
                span["label"] = "Nothing"
                span.pop("id", None)
            records.append(broken)
    for record in list(records):  # broken in several places at the top level too
        for edit in _TOP_EDITS:
            broken = copy.deepcopy(record)
            edit(broken)
            records.append(broken)
    failing = 0
    for record in records:
        layer = record.get("layer")
        if layer not in schemas.layer_names():
            continue
        plain = _errors(schemas.validator(layer), record)
        assert _errors(_explainer(schemas, layer), record) == plain, record
        failing += bool(plain)
    assert failing > 20
