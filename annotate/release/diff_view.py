"""The visual diff of two releases: ``annotate diff A B --html`` and ``diff/<previous>/`` in
a release made by ``annotate release``.

The same pages as the viewer (:mod:`annotate.release.viewer`), drawn by the same renderer
(displaCy, :mod:`annotate.release.viewer_render`) and templates
(:mod:`annotate.release.viewer_templates`): ``index.html`` lists the documents that changed
with the number of spans added, removed and changed per layer and of judgements changed,
and one page per changed document shows, paragraph by paragraph and per layer, the spans
added (from B), removed (from A) and changed (B's version, with each changed field's value
before and after), each kind in its colour; judgements (the ``segments`` config) and
changed document fields are tables. What a page counts is what :class:`ReleaseDiff` says:
the counts of ``annotate diff --json``. Static and self-contained, as the viewer.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from annotate.release.changes import Change, ReleaseDiff
from annotate.release.diff import Snapshot
from annotate.release.tables import label_column, row_id_column
from annotate.release.viewer import ViewerResult, _Layer, _overlaps, _source_side

__all__ = ["DIFF_DIR", "KINDS", "KIND_COLORS", "diff_pages_path", "write_diff_pages"]

DIFF_DIR = "diff"  # a release's diff with its previous version: diff/<previous>/index.html
KINDS = ("added", "removed", "changed")
KIND_COLORS = {"added": "#aceebb", "removed": "#ffcecb", "changed": "#fae17d"}


def diff_pages_path(previous: str) -> str:
    """Where a release keeps its diff with version ``previous``, relative to the release."""
    return f"{DIFF_DIR}/{previous}/index.html"


def write_diff_pages(
    diff: ReleaseDiff, *, before: Snapshot, after: Snapshot, out: Path, dataset: str
) -> ViewerResult:
    """Write the pages of ``diff`` (from ``before`` to ``after``) into ``out``."""
    from annotate.release.viewer_templates import DIFF_STYLE, environment

    env = environment()
    out.mkdir(parents=True, exist_ok=True)
    result = ViewerResult(out)
    layers = {name: _layers(name, before, after) for name in diff.configs if name != "segments"}
    by_doc = _changes_by_document(diff)
    page = env.get_template("diff_document.html")
    index_rows = []
    for doc_id in sorted(by_doc, key=lambda d: (_title(d, before, after), d)):
        name = f"doc-{doc_id[:16]}.html"
        context = _document_context(doc_id, by_doc[doc_id], layers, before, after, diff)
        text = page.render(
            dataset=dataset,
            a=diff.a,
            b=diff.b,
            lang=context["doc"]["lang"],
            style=DIFF_STYLE,
            kinds=KIND_COLORS,
            **context,
        )
        (out / name).write_text(text, encoding="utf-8")
        result.pages.append(out / name)
        index_rows.append({"page": name, **context["summary"]})
    index = env.get_template("diff_index.html").render(
        lang=None,
        dataset=dataset,
        a=diff.a,
        b=diff.b,
        style=DIFF_STYLE,
        kinds=KIND_COLORS,
        layers=list(layers),
        totals={k: v.counts() | {"unchanged": v.unchanged} for k, v in diff.configs.items()},
        schema={"removed": diff.schema_removed, "added": diff.schema_added},
        raw=diff.raw,
        documents=index_rows,
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    result.pages.insert(0, out / "index.html")
    return result


def _layers(name: str, before: Snapshot, after: Snapshot) -> dict[str, _Layer]:
    """kind → the layer ``name`` as the renderer draws that kind of change."""
    feats = after.features.get(name) or before.features[name]
    rows = {"added": after, "removed": before, "changed": after}
    out = {}
    for kind in KINDS:
        spans = [r for r in rows[kind].configs.get(name, []) if r.get("start") is not None]
        by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in spans:
            by_doc[r["doc_id"]].append(r)
        out[kind] = _Layer(
            name=name,
            label=label_column(feats),
            id_column=row_id_column(feats),
            rows={},
            colors=KIND_COLORS,
            overlapping=any(_overlaps(v) for v in by_doc.values()),
            score=False,
            kind=kind,
        )
    return out


def _changes_by_document(diff: ReleaseDiff) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = defaultdict(list)
    for config in diff.configs.values():
        for change in config.changes:
            out[change.doc_id].append(change)
    for kind in ("added", "removed", "changed"):
        for doc_id in diff.documents.get(kind, []):
            out.setdefault(doc_id, [])
    return dict(out)


def _doc(doc_id: str, before: Snapshot, after: Snapshot) -> dict[str, Any]:
    return after.documents.get(doc_id) or before.documents.get(doc_id) or {}


def _title(doc_id: str, before: Snapshot, after: Snapshot) -> str:
    return str(_doc(doc_id, before, after).get("title") or "")


def _value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)


def _shown(change: Change) -> dict[str, Any]:
    """The row a change is drawn with: B's (A's when removed); a changed row names each
    changed field with its value before and after."""
    row = dict(change.after or change.before or {})
    if change.kind == "changed" and change.before is not None and change.after is not None:
        row["changed"] = "; ".join(
            f"{f}: {_value(change.before.get(f))} → {_value(change.after.get(f))}"
            for f in change.fields
        )
    return row


def _document_context(
    doc_id: str,
    changes: list[Change],
    layers: dict[str, dict[str, _Layer]],
    before: Snapshot,
    after: Snapshot,
    diff: ReleaseDiff,
) -> dict[str, Any]:
    from annotate.release.viewer_render import render_paragraph

    doc = _doc(doc_id, before, after)
    text = str(doc.get("text") or "")
    spans = [c for c in changes if c.config in layers]
    paragraphs = []
    for i, p in enumerate(doc.get("paragraphs") or []):
        blocks = []
        for name, kinds in layers.items():
            for kind, layer in kinds.items():
                rows = [
                    _shown(c)
                    for c in spans
                    if c.config == name and c.kind == kind and _in(c, p["start"], p["end"])
                ]
                if rows:
                    block = render_paragraph(
                        layer, text, p["start"], p["end"], rows, annotator=None
                    )
                    blocks.append(block | {"kind": kind})
        if blocks:
            paragraphs.append({"index": i, "blocks": blocks})
    source_blocks = _source_blocks(doc, spans, layers)
    counts = {
        name: {k: sum(1 for c in spans if c.config == name and c.kind == k) for k in KINDS}
        for name in layers
    }
    judgements = [_judgement(c) for c in changes if c.config == "segments"]
    status = next((k for k in ("added", "removed") if doc_id in diff.documents.get(k, [])), None)
    fields = _document_fields(doc_id, before, after) if status is None else []
    return {
        "doc": {k: doc.get(k) for k in ("doc_id", "title", "lang")},
        "status": status,
        "document_fields": fields,
        "layers": list(layers),
        "paragraphs": paragraphs,
        "source_blocks": source_blocks,
        "unchanged_paragraphs": len(doc.get("paragraphs") or []) - len(paragraphs),
        "judgements": judgements,
        "summary": {
            "doc_id": doc_id,
            "title": doc.get("title") or doc_id[:12],
            "status": status,
            "counts": counts,
            "judgements": Counter(j["kind"] for j in judgements),
            "fields": len(fields),
        },
    }


def _in(change: Change, start: int, end: int) -> bool:
    row = change.after or change.before or {}
    return not _source_side(row) and start <= row["start"] < end


def _source_blocks(
    doc: dict[str, Any], spans: list[Change], layers: dict[str, dict[str, _Layer]]
) -> list[dict[str, Any]]:
    """Changes of errors marked in the source text (MQM omissions), drawn over it."""
    from annotate.release.viewer_render import render_paragraph

    source = doc.get("source_text")
    blocks: list[dict[str, Any]] = []
    if not source:
        return blocks
    for name, kinds in layers.items():
        for kind, layer in kinds.items():
            rows = [
                _shown(c)
                for c in spans
                if c.config == name and c.kind == kind and _source_side(c.after or c.before or {})
            ]
            if rows:
                block = render_paragraph(layer, source, 0, len(source), rows, annotator=None)
                blocks.append(block | {"kind": kind})
    return blocks


def _judgement(change: Change) -> dict[str, Any]:
    row = change.after or change.before or {}
    before, after = change.before or {}, change.after or {}
    return {
        "kind": change.kind,
        "layer": row.get("layer"),
        "segment": f"{row.get('segment_start')}–{row.get('segment_end')}",
        "judgement": row.get("judgement"),
        "fields": [f"{f}: {_value(before.get(f))} → {_value(after.get(f))}" for f in change.fields],
    }


def _document_fields(doc_id: str, before: Snapshot, after: Snapshot) -> list[dict[str, str]]:
    a, b = before.documents.get(doc_id, {}), after.documents.get(doc_id, {})
    return [
        {"field": k, "before": _value(a.get(k)), "after": _value(b.get(k))}
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k)
    ]
