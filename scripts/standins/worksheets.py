"""Reference-annotation worksheets: an annotator's (or adjudicator's) annotations of one
document, written by hand as JSON, turned into one record per (paragraph task, layer).

A worksheet names spans either by offsets (``start``/``end``) or by ``text`` and the
1-based ``occurrence`` of that text in the document (default 1); both are resolved to
offsets and checked (``document.text[start:end] == text``)::

    {"annotator": "annotator-a", "document": "data/articles/stargate-fr.txt",
     "entities": [{"text": "OpenAI", "occurrence": 2, "label": "ORG", "kb_id": "Q21708200"}],
     "claims": [{"id": "c1", "text": "…", "label": "CLAIM", "claim_type": "quantity",
                 "modality": "hedged", "checkworthy": "yes"},
                {"id": "s1", "text": "The Information", "label": "SOURCE"}],
     "claim_relations": [{"from_id": "c1", "to_id": "s1", "label": "attributed_to"}],
     "translation_errors": [{"text": "…", "label": "fluency/punctuation", "severity": "minor",
                             "correction": "…", "comment": "…"}],
     "translation_judgements": {"0": "errors", "4": "no-error"}}

The demo submits worksheets to Label Studio as the annotators' annotations, so the raw
exports under ``data/labels/`` have exactly the shape the server writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ExportError
from annotate.model import Annotation, Document, Issue, Relation, Span, task_key
from annotate.validate import check_record

__all__ = ["Worksheet", "load_worksheet"]

_SPAN_KEYS = {"id", "start", "end", "text", "occurrence", "label", "score"}


@dataclass(slots=True)
class Worksheet:
    annotator: str
    ground_truth: bool
    records: dict[str, list[Annotation]]  # layer → one record per paragraph task
    issues: list[Issue]


def _resolve(
    text: str, item: dict[str, Any], where: str, issues: list[Issue], file: str
) -> tuple[int, int] | None:
    if "start" in item and "end" in item:
        start, end = int(item["start"]), int(item["end"])
        if text[start:end] != item.get("text", text[start:end]):
            issues.append(
                Issue(
                    "text-mismatch",
                    f"text {item.get('text')!r} differs from the document's {text[start:end]!r}",
                    file=file,
                    json_path=where,
                )
            )
            return None
        return start, end
    needle = item.get("text")
    if not isinstance(needle, str) or not needle:
        issues.append(
            Issue(
                "no-text", "a span needs start/end or a non-empty text", file=file, json_path=where
            )
        )
        return None
    occurrence = int(item.get("occurrence", 1))
    pos = -1
    for _ in range(occurrence):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            issues.append(
                Issue(
                    "not-found",
                    f"occurrence {occurrence} of {needle!r} is not in the document",
                    file=file,
                    json_path=where,
                )
            )
            return None
    return pos, pos + len(needle)


def load_worksheet(path: Path, document: Document, *, layers: list[str] | None = None) -> Worksheet:
    """Read a worksheet into records (one per paragraph task and layer) and check them."""
    file = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExportError(f"invalid JSON at line {exc.lineno}: {exc.msg}", file=path) from exc
    issues: list[Issue] = []
    annotator = str(raw.get("annotator") or path.stem)
    text = document.text
    spans_by_layer: dict[str, list[Span]] = {}
    for layer in ("entities", "claims", "translation_errors"):
        spans: list[Span] = []
        for i, item in enumerate(raw.get(layer, [])):
            where = f"$.{layer}[{i}]"
            offsets = _resolve(text, item, where, issues, file)
            if offsets is None:
                continue
            start, end = offsets
            attrs = {k: v for k, v in item.items() if k not in _SPAN_KEYS and v is not None}
            sid = str(item.get("id") or f"{layer[:3]}{i + 1}")
            spans.append(Span(sid, start, end, text[start:end], item["label"], attrs=attrs))
        spans_by_layer[layer] = spans
    relations = [
        Relation(r["from_id"], r["to_id"], r.get("label", "attributed_to"))
        for r in raw.get("claim_relations", [])
    ]
    judgements = {int(k): v for k, v in (raw.get("translation_judgements") or {}).items()}
    records: dict[str, list[Annotation]] = {}
    for layer in layers or list(spans_by_layer):
        out = []
        for para in document.paragraphs:
            inside = [
                s
                for s in spans_by_layer.get(layer, [])
                if para.start <= s.start and s.end <= para.end
            ]
            ids = {s.id for s in inside}
            rec = Annotation(
                layer=layer,
                doc_id=document.id,
                task_key=task_key(document.id, layer, para.start, para.end),
                segment_start=para.start,
                segment_end=para.end,
                annotator=annotator,
                ground_truth=bool(raw.get("ground_truth", False)),
                spans=inside,
                relations=[r for r in relations if r.from_id in ids] if layer == "claims" else [],
                judgement=judgements.get(para.index) if layer == "translation_errors" else None,
            )
            if layer == "translation_errors" and rec.judgement is None:
                rec.judgement = "errors" if inside else None
            for p in check_record(
                rec.to_record(), document=document, segment_text=para.slice(text)
            ):
                p.file, p.annotator = file, annotator
                p.json_path = f"paragraph {para.index} {layer}: {p.json_path}"
                issues.append(p)
            out.append(rec)
        records[layer] = out
    all_ids = {s.id for s in spans_by_layer.get("claims", [])}
    for i, r in enumerate(relations):
        for end_id in (r.from_id, r.to_id):
            if end_id not in all_ids:
                issues.append(
                    Issue(
                        "dangling-relation",
                        f"relation end {end_id!r} names no claim/source span",
                        file=file,
                        json_path=f"$.claim_relations[{i}]",
                    )
                )
    crossing = [
        s
        for layer_spans in spans_by_layer.values()
        for s in layer_spans
        if not any(p.start <= s.start and s.end <= p.end for p in document.paragraphs)
    ]
    for s in crossing:
        issues.append(
            Issue(
                "crosses-paragraph",
                f"span {s.text!r} [{s.start}, {s.end}) crosses a paragraph boundary",
                file=file,
            )
        )
    return Worksheet(annotator, bool(raw.get("ground_truth", False)), records, issues)
