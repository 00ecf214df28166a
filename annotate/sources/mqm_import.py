"""WMT MQM TSV → annotation records of the translation_errors layer, and build inputs.

:func:`read_mqm_tsv` makes one :class:`~annotate.model.Annotation` per rater-segment
(system, doc, doc_id, seg_id, rater), on a document whose text is the target with the marks
removed and whose ``source_text`` is the source (or, given ``documents``, the segment of
the named document with that text), each validated with
:func:`annotate.validate.check_record`. Errors are kept on the side they are marked on: a
span marked in the target indexes the document's text, one marked in the source (WMT's
omissions and source errors) indexes its ``source_text`` and has ``side: "source"``. A
rater-segment is ``no-error`` only if it has no error on either side.

The annotation id records where the record came from, as a JSON list ``[system, doc,
doc_id, seg_id, rater]`` (the rater as its release pseudonym), so that a release can write
the file back (:mod:`annotate.release.mqm`); span ids are made from the span itself, so
that importing a file the release wrote gives the same ids.

What cannot become a span is counted in ``skipped`` with the reason (``Neutral`` rows, an
error without a mark, the same error marked twice). White space at the edges of a marked
span is left out (counted in ``trimmed``). A category the schema does not name becomes
``other`` with the WMT name kept at the head of the comment (``[Source error] …``).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.corpus import make_document
from annotate.model import Annotation, Document, Issue, Span, task_key
from annotate.schemas import taxonomy
from annotate.sources.wmt_mqm import MqmRow, read_rows, unmark
from annotate.validate import check_record

__all__ = [
    "LAYER",
    "MqmImport",
    "import_mqm",
    "read_mqm_tsv",
    "wmt_categories",
    "wmt_key",
    "write_import",
]

LAYER = "translation_errors"
SEVERITIES = {"minor": "Minor", "major": "Major", "critical": "Critical"}  # ours → WMT's
_SEVERITY_IN = {v.lower(): k for k, v in SEVERITIES.items()}
_RANK = {"minor": 0, "major": 1, "critical": 2}


def wmt_categories() -> dict[str, str]:
    """Our label → its WMT category name, from the schema."""
    return {label: info.get("wmt", label) for label, info in taxonomy(LAYER).labels.items()}


def wmt_key(row: MqmRow) -> str:
    """The annotation id of a rater-segment: where it is in WMT's data, as a JSON list."""
    from annotate.names import pseudonym

    return json.dumps(
        [row.system, row.doc, row.doc_id, row.seg_id, pseudonym(row.rater or "unknown")],
        ensure_ascii=False,
    )


@dataclass(slots=True)
class MqmImport:
    """What an MQM TSV file became: documents, valid records, what was left out and why."""

    documents: dict[str, Document] = field(default_factory=dict)
    records: list[Annotation] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    remapped: Counter[str] = field(default_factory=Counter)  # WMT category → imported as other
    trimmed: int = 0  # spans whose white space at the edges was left out
    # rater-segments placed on a document with the same target and another source
    other_source: int = 0
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0

    def counts(self) -> dict[str, Any]:
        spans = [s for r in self.records for s in r.spans]
        return {
            "rows": self.rows,
            "documents": len(self.documents),
            "records": len(self.records),
            "spans": len(spans),
            "source_spans": sum(1 for s in spans if s.attrs.get("side") == "source"),
            "skipped": dict(sorted(self.skipped.items())),
            "imported_as_other": dict(sorted(self.remapped.items())),
            "trimmed": self.trimmed,
            "other_source": self.other_source,
            "problems": len(self.issues),
        }


def read_mqm_tsv(
    path: Path,
    *,
    documents: Mapping[str, Document] | None = None,
    target_lang: str = "und",
    source_lang: str | None = None,
) -> MqmImport:
    """Read a WMT MQM TSV file into annotation records of the translation_errors layer."""
    result = MqmImport()
    groups: dict[tuple[str, ...], list[MqmRow]] = {}
    for row in read_rows(path):
        result.rows += 1
        groups.setdefault(row.key, []).append(row)
    for rows in groups.values():
        placed = _place(path, rows, documents, result, target_lang, source_lang)
        if placed is None:
            continue
        doc, seg_start, seg_end, src_start = placed
        record = _record(path, rows, doc, seg_start, seg_end, src_start, result)
        if record is None:
            continue
        problems = check_record(
            record.to_record(), document=doc, segment_text=doc.text[seg_start:seg_end]
        )
        for p in problems:
            p.file, p.annotation_id = str(path), record.annotation_id
        result.issues += problems
        if not any(p.severity == "error" for p in problems):
            result.documents.setdefault(doc.id, doc)
            result.records.append(record)
    return result


def _texts(row: MqmRow) -> tuple[str, list[tuple[int, int]], str, list[tuple[int, int]]]:
    target, t_marks = unmark(unicodedata.normalize("NFC", row.target))
    source, s_marks = unmark(unicodedata.normalize("NFC", row.source))
    return target, t_marks, source, s_marks


def _place(
    path: Path,
    rows: list[MqmRow],
    documents: Mapping[str, Document] | None,
    result: MqmImport,
    target_lang: str,
    source_lang: str | None,
) -> tuple[Document, int, int, int] | None:
    """The document of a rater-segment, the target's offsets in its text and the source's
    in its source text; ``None`` (counted or reported) when there is none."""
    first = rows[0]
    target, _, source, _ = _texts(first)
    if documents is not None and first.doc in documents:
        doc = documents[first.doc]
        where = _locate(doc, target)
        src_at = (doc.source_text or "").find(source) if source else 0
        if where is None or src_at < 0:
            side = "target" if where is None else "source"
            result.issues.append(
                Issue(
                    f"{side}-not-found",
                    f"the {side} of segment {first.seg_id} is not in document {first.doc[:12]}",
                    file=str(path),
                    json_path=f"line {first.line}",
                )
            )
            return None
        return doc, where[0], where[1], src_at
    doc = make_document(
        target,
        lang=target_lang,
        title=f"{first.doc} #{first.seg_id}",
        machine_translated=True,
        source_lang=source_lang,
        source_text=source or None,
        source_path=f"{path.as_posix()}:{first.line}",
    )
    known = result.documents.get(doc.id)
    if doc.text != target or (doc.source_text or "") != source:
        # leading/trailing blank lines were dropped by normalisation
        result.skipped["target or source changed by normalisation"] += len(rows)
        return None
    if known is not None and known.source_text != doc.source_text:
        # the same target text from another source ("Vielen Dank." for "Thank you." and
        # "Thank you very much."): one document, one source text. Errors in the target
        # still have their place; an error marked in this other source has none.
        if any(_texts(r)[3] for r in rows if r.is_error):
            result.issues.append(
                Issue(
                    "source-differs",
                    f"segment {first.seg_id} has an error in its source, but its target was "
                    "imported before with another source",
                    file=str(path),
                    json_path=f"line {first.line}",
                    hint="a document has one source text; split the file by source",
                )
            )
            return None
        result.other_source += 1
    return known or doc, 0, len(doc.text), 0


def _locate(doc: Document, text: str) -> tuple[int, int] | None:
    for seg in [*doc.paragraphs, *doc.sentences]:
        if seg.slice(doc.text) == text:
            return seg.start, seg.end
    at = doc.text.find(text)
    return (at, at + len(text)) if at >= 0 and text else None


def _record(
    path: Path,
    rows: list[MqmRow],
    doc: Document,
    seg_start: int,
    seg_end: int,
    src_start: int,
    result: MqmImport,
) -> Annotation | None:
    labels = {v.lower(): k for k, v in wmt_categories().items()}
    target, _, source, _ = _texts(rows[0])
    spans: list[Span] = []
    judged_clean = True
    for row in rows:
        if not row.is_error:
            continue
        if row.severity.lower() == "neutral":
            result.skipped["Neutral severity (not an error)"] += 1
            continue
        judged_clean = False
        ours = _SEVERITY_IN.get(row.severity.lower())
        if ours is None:
            result.issues.append(
                _issue(
                    path,
                    row,
                    "unknown-severity",
                    f"severity {row.severity!r}; known: Major, Minor, Critical, Neutral, No-error",
                )
            )
            continue
        row_target, t_marks, row_source, s_marks = _texts(row)
        if (row_target, row_source) != (target, source):
            result.issues.append(
                _issue(
                    path,
                    row,
                    "text-differs",
                    "the target or source differs from the first row of its segment",
                )
            )
            continue
        side, text, base, marks = (
            ("target", target, seg_start, t_marks)
            if t_marks
            else ("source", source, src_start, s_marks)
        )
        if not marks:
            result.skipped["error without a <v> mark"] += 1
            continue
        label = labels.get(row.category.lower())
        comment = row.comment
        if label is None:
            label, comment = "other", f"[{row.category}] {comment}".strip()
            result.remapped[row.category] += 1
        for s, e in marks:
            ts, te = _trim(text, s, e)
            result.trimmed += (ts, te) != (s, e)
            if ts == te:
                result.skipped["empty <v></v> span"] += 1
                continue
            spans.append(_span(side, base + ts, base + te, text[ts:te], label, ours, comment))
    if not spans and not judged_clean:
        # every error of the segment was left out above: neither "errors" (no span to
        # show) nor "no-error" would be true
        result.skipped["segment whose errors have no span"] += 1
        return None
    return Annotation(
        layer=LAYER,
        doc_id=doc.id,
        task_key=task_key(doc.id, LAYER, seg_start, seg_end),
        segment_start=seg_start,
        segment_end=seg_end,
        annotator=rows[0].rater or "unknown",
        annotation_id=wmt_key(rows[0]),
        spans=_dedupe(spans, result),
        judgement="errors" if spans else "no-error",
    )


def _issue(path: Path, row: MqmRow, code: str, message: str) -> Issue:
    return Issue(code, message, file=str(path), json_path=f"line {row.line}")


def _span(
    side: str, start: int, end: int, text: str, label: str, severity: str, comment: str
) -> Span:
    attrs: dict[str, Any] = {"severity": severity}
    if comment:
        attrs["comment"] = comment
    if side == "source":
        attrs["side"] = "source"
    # the id is made from the span, so that the file a release writes imports to the same ids
    digest = hashlib.sha256(f"{side}:{start}:{end}:{label}".encode()).hexdigest()[:10]
    return Span(f"{side[0]}{digest}", start, end, text, label, attrs=attrs)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without the white space at the edges (WMT raters often select « word »)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _dedupe(spans: list[Span], result: MqmImport) -> list[Span]:
    """One span per (side, offsets, label), the most severe: a record may not repeat a
    span."""
    best: dict[tuple[str, int, int, str], Span] = {}
    for s in spans:
        key = (s.attrs.get("side", "target"), s.start, s.end, s.label)
        if key in best:
            result.skipped["the same error marked twice by one rater (kept the most severe)"] += 1
            if _RANK[s.attrs["severity"]] <= _RANK[best[key].attrs["severity"]]:
                continue
        best[key] = s
    return sorted(best.values(), key=lambda s: (s.attrs.get("side", ""), s.start, s.end, s.label))


def write_import(imported: MqmImport, out: Path) -> tuple[Path, Path]:
    """Write an import as inputs of ``annotate build``: ``documents.jsonl`` (the corpus, with
    each document's source text) and ``export.json`` (a Label Studio JSON export, one task
    per document, one annotation per rater-segment; source-side errors are regions of the
    ``source`` object), so that existing MQM data is packaged like our own."""
    from annotate.labelstudio.tasks import make_tasks
    from annotate.layers import get_layer

    out.mkdir(parents=True, exist_ok=True)
    docs = sorted(imported.documents.values(), key=lambda d: d.id)
    fields = ("text", "lang", "title", "machine_translated", "source_lang", "source_text")
    corpus = out / "documents.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({f: getattr(d, f) for f in fields}, ensure_ascii=False) + "\n" for d in docs
        ),
        encoding="utf-8",
    )
    layer = get_layer(LAYER)
    by_task: dict[str, list[Annotation]] = {}
    for rec in imported.records:
        by_task.setdefault(rec.task_key, []).append(rec)
    tasks = make_tasks(docs, LAYER, unit="document")
    by_id = {d.id: d for d in docs}
    for task_id, task in enumerate(tasks, start=1):
        task["id"] = task_id
        doc = by_id[task["data"]["doc_id"]]
        task["annotations"] = [
            {
                "id": rec.annotation_id,
                # the rater is the user: as its id (who it is) and as its display name
                "completed_by": {"id": rec.annotator, "email": rec.annotator},
                "ground_truth": False,
                "result": layer.to_ls_result(
                    rec.spans,
                    [],
                    judgement=None,
                    segment_start=0,
                    segment_text=doc.text,
                    source_text=doc.source_text,
                )
                + _judgement_item(rec),
            }
            for rec in by_task.get(task["data"]["task_key"], [])
        ]
    export = out / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return corpus, export


def _judgement_item(rec: Annotation) -> list[dict[str, Any]]:
    # to_ls_result gives the judgement a random region id; a fixed one keeps the file stable
    from annotate.layers.base import TO_NAME

    if rec.judgement is None:
        return []
    name = taxonomy(LAYER).segment_choices()[0].name
    return [
        {
            "id": name,
            "from_name": name,
            "to_name": TO_NAME,
            "type": "choices",
            "origin": "manual",
            "value": {"choices": [rec.judgement]},
        }
    ]


def import_mqm(
    tsv: Path, *, out: Path, target_lang: str = "und", source_lang: str | None = None
) -> MqmImport:
    """Read a WMT MQM TSV file and write it as inputs of ``annotate build`` under ``out``
    (``documents.jsonl`` and ``export.json``)."""
    imported = read_mqm_tsv(tsv, target_lang=target_lang, source_lang=source_lang)
    write_import(imported, out)
    return imported
