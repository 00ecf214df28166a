"""Translation errors as WMT MQM TSV (the ``mqm`` training format of a release).

The format is that of google/wmt-mqm-human-evaluation (:mod:`annotate.sources.wmt_mqm`;
reading it back is :mod:`annotate.sources.mqm_import`). Categories are the WMT names of the
schema's labels (``wmt`` in schema/translation_errors.schema.json); tabs and line breaks in
a comment become spaces; corrections are not carried (the format has no column for them).

With a translation_errors schema of 1.1.0 on (:func:`write_wmt_tsv`): one group of rows
per rater-segment — every annotator's annotation, from the release's ``annotations``
config, not only the gold — carrying what was imported: ``system``, ``doc``, ``doc_id``,
``seg_id`` from the annotation's WMT key (``unknown``, the document id, its number and the
segment's number for our own annotations), ``rater`` as its pseudonym, the ``source`` and
``target`` with the ``<v>…</v>`` mark on the side where the error is, the WMT category (an
``other`` error imported as ``[Category] comment`` gets its category back), the severity
and the comment; a ``No-error`` row for an annotation without errors. Importing the file
gives the same release.

With schema 1.0.0 (:func:`write_mqm_tsv`, so that 1.0.0 rebuilds as it was): one row per
gold error of each annotated segment, ``system`` ``unknown``, ``doc`` our document id,
``source`` empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from annotate.model import Document
from annotate.sources.mqm_import import SEVERITIES, wmt_categories
from annotate.sources.wmt_mqm import CLOSE, COLUMNS, NO_ERROR, OPEN

__all__ = ["write_mqm_tsv", "write_wmt_tsv"]

LAYER = "translation_errors"
_SEVERITY_OUT = SEVERITIES
_REMAPPED = re.compile(r"^\[([^\]\t]+)\] ?(.*)$", re.S)  # "[WMT category] comment" of an other


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
            marked = f"{text[:s]}{OPEN}{text[s:e]}{CLOSE}{text[e:]}"
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


def _wmt_key(annotation_id: str | None) -> list[str] | None:
    """``[system, doc, doc_id, seg_id, rater]`` of an imported annotation, else ``None``."""
    if not annotation_id or not annotation_id.startswith("["):
        return None
    try:
        key = json.loads(annotation_id)
    except json.JSONDecodeError:
        return None
    ok = isinstance(key, list) and len(key) == 5 and all(isinstance(k, str) for k in key)
    return key if ok else None


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def write_wmt_tsv(
    documents: Mapping[str, Document], annotations: Iterable[dict[str, Any]], path: Path
) -> int:
    """Write every annotator's translation errors (rows of the ``annotations`` config) as
    WMT MQM TSV (module docstring); returns the number of rows."""
    names = wmt_categories()
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in annotations:
        if r["layer"] == LAYER:
            key = (r["doc_id"], r["segment_start"], r["segment_end"], r["annotator"])
            groups.setdefault((*key, r["annotation_id"]), []).append(r)
    doc_numbers = {d: i for i, d in enumerate(sorted({k[0] for k in groups}), start=1)}
    seg_numbers = {k[:3]: i for i, k in enumerate(sorted({k[:3] for k in groups}), start=1)}
    blocks = []
    for (doc_id, s0, s1, annotator, annotation_id), rows in groups.items():
        doc = documents[doc_id]
        head = _wmt_key(annotation_id) or [
            "unknown",
            doc_id,
            str(doc_numbers[doc_id]),
            str(seg_numbers[(doc_id, s0, s1)]),
            annotator,
        ]
        head[4] = annotator  # the release's pseudonym
        whole = (s0, s1) == (0, len(doc.text))
        texts = {"target": (doc.text[s0:s1], s0), "source": (doc.source_text or "", 0)}
        if not whole and not any(_side(r) == "source" for r in rows):
            texts["source"] = ("", 0)
        spans = sorted(
            (r for r in rows if r["start"] is not None),
            key=lambda r: (_side(r), r["start"], r["end"], r["label"]),
        )
        lines = [_error_line(r, texts, names) for r in spans] or [
            [_field(texts["source"][0]), _field(texts["target"][0]), NO_ERROR, NO_ERROR, ""]
        ]
        sort_key = (head[0], head[1], _natural(head[2]), _natural(head[3]), head[4])
        blocks.append((sort_key, ["\t".join([*head, *line]) for line in lines]))
    out = ["\t".join(COLUMNS)] + [line for _, block in sorted(blocks) for line in block]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out) - 1


def _side(row: dict[str, Any]) -> str:
    return str(json.loads(row["attributes"] or "{}").get("side", "target"))


def _error_line(
    row: dict[str, Any], texts: dict[str, tuple[str, int]], names: dict[str, str]
) -> list[str]:
    """``source target category severity comment`` of one error, marked on its side."""
    attrs = json.loads(row["attributes"] or "{}")
    side = attrs.get("side", "target")
    marked = {}
    for name, (text, base) in texts.items():
        if name == side:
            s, e = row["start"] - base, row["end"] - base
            text = f"{text[:s]}{OPEN}{text[s:e]}{CLOSE}{text[e:]}"
        marked[name] = _field(text)
    category = names.get(row["label"], row["label"])
    comment = attrs.get("comment") or ""
    if row["label"] == "other" and (m := _REMAPPED.match(comment)):
        category, comment = m[1], m[2]
    severity = _SEVERITY_OUT.get(attrs.get("severity", ""), str(attrs.get("severity")))
    return [marked["source"], marked["target"], category, severity, _field(comment)]
