"""Translation errors as WMT MQM TSV, both ways.

The format is that of google/wmt-mqm-human-evaluation: a header line, then one row per
error with the columns ``system doc doc_id seg_id rater source target category severity
comment``; the error span is marked in ``target`` as ``<v>…</v>`` (in ``source`` for an
omission); a segment without error has a ``No-error`` row; severities are ``Major``,
``Minor``, ``Neutral`` and ``No-error`` (``Critical`` where it is used). Fields are not
quoted: read with quoting off.

Export (:func:`write_mqm_tsv`): one row per gold error of each annotated segment, a
``No-error`` row for an annotated segment without errors; ``doc`` is our document id,
``doc_id`` its 1-based number, ``seg_id`` the segment's 1-based number in the file,
``rater`` the pseudonymous gold annotator, ``system`` is ``unknown`` and ``source`` empty
(our articles are judged on the target side only). Categories are the WMT names of the
schema's labels (``wmt`` in schema/translation_errors.schema.json). Tabs and line breaks in
a comment become spaces; corrections are not carried (the format has no column for them).

Import (:func:`read_mqm_tsv`): one :class:`~annotate.model.Annotation` per (system, doc,
seg_id, rater) group, on a document that is the target text with the markup removed (or,
given ``documents``, the segment of the named document with that text), each validated
with :func:`annotate.validate.check_record`. What cannot become a span of the target is
counted in ``skipped`` with the reason (``Neutral`` rows, source errors, errors marked
only in the source, the same error marked twice). White space at the edges of a marked
span is left out (counted in ``trimmed``). A category the schema does not name becomes
``other`` with the WMT name kept at the head of the comment.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.corpus import make_document
from annotate.errors import ExportError
from annotate.model import Annotation, Document, Issue, Span, task_key
from annotate.schemas import taxonomy
from annotate.validate import check_record

__all__ = [
    "COLUMNS",
    "MqmImport",
    "import_mqm",
    "read_mqm_tsv",
    "wmt_categories",
    "write_import",
    "write_mqm_tsv",
]

LAYER = "translation_errors"
COLUMNS = [
    "system",
    "doc",
    "doc_id",
    "seg_id",
    "rater",
    "source",
    "target",
    "category",
    "severity",
    "comment",
]
NO_ERROR = "No-error"
_SEVERITY_OUT = {"minor": "Minor", "major": "Major", "critical": "Critical"}
_SEVERITY_IN = {v.lower(): k for k, v in _SEVERITY_OUT.items()}
_MARK = re.compile(r"<v>(.*?)</v>", re.S)


def wmt_categories() -> dict[str, str]:
    """Our label → its WMT category name, from the schema."""
    return {label: info.get("wmt", label) for label, info in taxonomy(LAYER).labels.items()}


def _field(value: str | None) -> str:
    return " ".join((value or "").split("\t")).replace("\r", " ").replace("\n", " ")


def write_mqm_tsv(
    documents: Mapping[str, Document],
    segments: Iterable[dict[str, Any]],
    errors: Iterable[dict[str, Any]],
    path: Path,
) -> int:
    """Write the MQM TSV of the annotated translation-error segments; returns the number
    of rows (errors plus ``No-error`` rows)."""
    names = wmt_categories()
    by_segment: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for r in errors:
        by_segment.setdefault((r["doc_id"], r["segment_start"], r["segment_end"]), []).append(r)
    judged = sorted(
        (s for s in segments if s["layer"] == LAYER),
        key=lambda s: (s["doc_id"], s["segment_start"], s["segment_end"]),
    )
    doc_numbers = {d: i for i, d in enumerate(sorted({s["doc_id"] for s in judged}), start=1)}
    lines = ["\t".join(COLUMNS)]
    for seg_id, seg in enumerate(judged, start=1):
        doc = documents[seg["doc_id"]]
        base, text = seg["segment_start"], doc.text[seg["segment_start"] : seg["segment_end"]]
        head = ["unknown", doc.id, str(doc_numbers[doc.id]), str(seg_id), seg["annotator"], ""]
        rows = sorted(
            by_segment.get((doc.id, base, seg["segment_end"]), []),
            key=lambda r: (r["start"], r["end"], str(r["label"])),
        )
        if not rows:
            lines.append("\t".join([*head, _field(text), NO_ERROR, NO_ERROR, ""]))
        for r in rows:
            s, e = r["start"] - base, r["end"] - base
            marked = f"{text[:s]}<v>{text[s:e]}</v>{text[e:]}"
            lines.append(
                "\t".join(
                    [
                        *head,
                        _field(marked),
                        names.get(str(r["label"]), str(r["label"])),
                        _SEVERITY_OUT[str(r["severity"])],
                        _field(r.get("comment")),
                    ]
                )
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


@dataclass(slots=True)
class MqmImport:
    """What an MQM TSV file became: documents, valid records, what was left out and why."""

    documents: dict[str, Document] = field(default_factory=dict)
    records: list[Annotation] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    remapped: Counter[str] = field(default_factory=Counter)  # WMT category → imported as other
    trimmed: int = 0  # spans whose white space at the edges was left out
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0

    def counts(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "documents": len(self.documents),
            "records": len(self.records),
            "spans": sum(len(r.spans) for r in self.records),
            "skipped": dict(sorted(self.skipped.items())),
            "imported_as_other": dict(sorted(self.remapped.items())),
            "trimmed": self.trimmed,
            "problems": len(self.issues),
        }


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without ``<v>…</v>`` and the offsets of the marked parts in it."""
    out, spans, pos = [], [], 0
    length = 0
    for m in _MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        spans.append((length, length + len(m.group(1))))
        out.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out).replace("<v>", "").replace("</v>", ""), spans


def _locate(doc: Document, text: str) -> tuple[int, int] | None:
    for seg in [*doc.paragraphs, *doc.sentences]:
        if seg.slice(doc.text) == text:
            return seg.start, seg.end
    at = doc.text.find(text)
    return (at, at + len(text)) if at >= 0 and text else None


def read_mqm_tsv(
    path: Path,
    *,
    documents: Mapping[str, Document] | None = None,
    target_lang: str = "und",
    source_lang: str | None = None,
) -> MqmImport:
    """Read a WMT MQM TSV file into annotation records of the translation_errors layer."""
    labels = {v.lower(): k for k, v in wmt_categories().items()}
    result = MqmImport()
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror}", file=path) from exc
    with fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        missing = [c for c in COLUMNS[:-1] if c not in (header or [])]
        if header is None or missing:
            raise ExportError(
                f"not an MQM TSV file: missing columns {missing or COLUMNS}",
                file=path,
                json_path="line 1",
                hint="the first line must name the columns: " + " ".join(COLUMNS),
            )
        col = {name: i for i, name in enumerate(header)}
        groups: dict[tuple[str, ...], list[tuple[int, list[str]]]] = {}
        for lineno, row in enumerate(reader, start=2):
            if not any(row):
                continue
            result.rows += 1
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            key = tuple(row[col[c]] for c in ("system", "doc", "doc_id", "seg_id", "rater"))
            groups.setdefault(key, []).append((lineno, row))
    for key, rows in groups.items():
        record, doc = _group_record(
            path,
            key,
            rows,
            col,
            labels,
            documents,
            result,
            target_lang=target_lang,
            source_lang=source_lang,
        )
        if record is None or doc is None:
            continue
        problems = check_record(
            record.to_record(),
            document=doc,
            segment_text=doc.text[record.segment_start : record.segment_end],
        )
        for p in problems:
            p.file, p.annotation_id = str(path), record.annotation_id
        result.issues += problems
        if not any(p.severity == "error" for p in problems):
            result.documents.setdefault(doc.id, doc)
            result.records.append(record)
    return result


def _group_record(
    path: Path,
    key: tuple[str, ...],
    rows: list[tuple[int, list[str]]],
    col: dict[str, int],
    labels: dict[str, str],
    documents: Mapping[str, Document] | None,
    result: MqmImport,
    *,
    target_lang: str,
    source_lang: str | None,
) -> tuple[Annotation | None, Document | None]:
    system, doc_name, doc_number, seg_id, rater = key
    first_line = rows[0][0]
    target, _ = _unmark(unicodedata.normalize("NFC", rows[0][1][col["target"]]))
    source, _ = _unmark(unicodedata.normalize("NFC", rows[0][1][col["source"]]))
    if documents is not None and doc_name in documents:
        doc = documents[doc_name]
        where = _locate(doc, target)
        if where is None:
            result.issues.append(
                Issue(
                    "target-not-found",
                    f"the target of segment {seg_id} is not in document {doc_name[:12]}",
                    file=str(path),
                    json_path=f"line {first_line}",
                )
            )
            return None, None
        seg_start, seg_end = where
    else:
        doc = make_document(
            target,
            lang=target_lang,
            title=f"{doc_name} #{seg_id}",
            machine_translated=True,
            source_lang=source_lang,
            source_text=source or None,
            source_path=f"{path.as_posix()}:{first_line}",
        )
        seg_start, seg_end = 0, len(doc.text)
        if doc.text != target:  # leading/trailing blank lines were dropped by normalisation
            result.skipped["target changed by normalisation"] += len(rows)
            return None, None
    spans: list[Span] = []
    judged_clean = True
    for lineno, row in rows:
        category, severity = row[col["category"]].strip(), row[col["severity"]].strip()
        comment = row[col["comment"]].strip() if "comment" in col else ""
        if severity == NO_ERROR or category == NO_ERROR:
            continue
        if severity.lower() == "neutral":
            result.skipped["Neutral severity (not an error)"] += 1
            continue
        if category.lower().startswith("source error"):
            result.skipped["source error (not a translation error)"] += 1
            continue
        judged_clean = False
        ours = _SEVERITY_IN.get(severity.lower())
        if ours is None:
            result.issues.append(
                Issue(
                    "unknown-severity",
                    f"severity {severity!r}; known: Major, Minor, Critical, Neutral, No-error",
                    file=str(path),
                    json_path=f"line {lineno}",
                )
            )
            continue
        row_target, marks = _unmark(unicodedata.normalize("NFC", row[col["target"]]))
        if row_target != target:
            result.issues.append(
                Issue(
                    "target-differs",
                    "the target differs from the first row of its segment",
                    file=str(path),
                    json_path=f"line {lineno}",
                )
            )
            continue
        if not marks:
            result.skipped["error marked in the source only"] += 1
            continue
        label = labels.get(category.lower())
        if label is None:
            label, comment = "other", f"[{category}] {comment}".strip()
            result.remapped[category] += 1
        for k, (s, e) in enumerate(marks):
            s, e = _trim(target, s, e)
            if (s, e) != marks[k]:
                result.trimmed += 1
            if s == e:
                result.skipped["empty <v></v> span"] += 1
                continue
            attrs: dict[str, Any] = {"severity": ours}
            if comment:
                attrs["comment"] = comment
            sid = f"L{lineno}" if len(marks) == 1 else f"L{lineno}.{k + 1}"
            spans.append(
                Span(
                    sid,
                    seg_start + s,
                    seg_start + e,
                    doc.text[seg_start + s : seg_start + e],
                    label,
                    attrs=attrs,
                )
            )
    if not spans and not judged_clean:
        # every error of the segment was left out above: neither "errors" (no span to
        # show) nor "no-error" would be true
        result.skipped["segment whose errors have no span in the target"] += 1
        return None, None
    record = Annotation(
        layer=LAYER,
        doc_id=doc.id,
        task_key=task_key(doc.id, LAYER, seg_start, seg_end),
        segment_start=seg_start,
        segment_end=seg_end,
        annotator=rater or "unknown",
        annotation_id=f"{system}|{doc_name}|{doc_number}|{seg_id}|{rater}",
        spans=_dedupe(spans, result),
        judgement="errors" if spans else "no-error",
    )
    return record, doc


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without the white space at the edges (WMT raters often select « word »)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_RANK = {"minor": 0, "major": 1, "critical": 2}


def _dedupe(spans: list[Span], result: MqmImport) -> list[Span]:
    """One span per (offsets, label), the most severe: a record may not repeat a span."""
    best: dict[tuple[int, int, str], Span] = {}
    for s in spans:
        key = (s.start, s.end, s.label)
        if key in best:
            result.skipped["the same error marked twice by one rater (kept the most severe)"] += 1
            if _RANK[s.attrs["severity"]] <= _RANK[best[key].attrs["severity"]]:
                continue
        best[key] = s
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label))


def write_import(imported: MqmImport, out: Path) -> tuple[Path, Path]:
    """Write an import as inputs of ``annotate build``: ``documents.jsonl`` (the corpus) and
    ``export.json`` (a Label Studio JSON export, one task per document, one annotation
    per rater), so that existing MQM data is packaged like our own."""
    from annotate.labelstudio.tasks import make_tasks
    from annotate.layers import get_layer

    out.mkdir(parents=True, exist_ok=True)
    docs = sorted(imported.documents.values(), key=lambda d: d.id)
    corpus = out / "documents.jsonl"
    corpus.write_text(
        "".join(
            json.dumps(
                {
                    "text": d.text,
                    "lang": d.lang,
                    "title": d.title,
                    "machine_translated": d.machine_translated,
                    "source_lang": d.source_lang,
                    "source_text": d.source_text,
                },
                ensure_ascii=False,
            )
            + "\n"
            for d in docs
        ),
        encoding="utf-8",
    )
    layer = get_layer(LAYER)
    by_task: dict[str, list[Annotation]] = {}
    for rec in imported.records:
        by_task.setdefault(rec.task_key, []).append(rec)
    tasks = make_tasks(docs, LAYER, unit="document")
    for task_id, task in enumerate(tasks, start=1):
        task["id"] = task_id
        text = task["data"]["text"]
        task["annotations"] = [
            {
                "id": rec.annotation_id,
                "completed_by": {"email": rec.annotator},
                "ground_truth": False,
                "result": layer.to_ls_result(
                    rec.spans, [], judgement=None, segment_start=0, segment_text=text
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
