"""Deterministic synthetic inputs for tests and benchmarks: a corpus, annotation records of
``n`` spans each, and Label Studio exports of any size written as a stream (with broken
records at known places, to check that the valid ones all come through)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.corpus import make_document
from annotate.model import Annotation, Document, Segment, Span, task_key

__all__ = [
    "SyntheticExport",
    "edited_release",
    "synthetic_documents",
    "synthetic_entity_release",
    "synthetic_gold_set",
    "synthetic_records",
    "write_synthetic_export",
]

_WORDS = (
    "Microsoft",
    "OpenAI",
    "Reno",
    "Austin",
    "Paris",
    "Genève",
    "données",
    "centre",
    "milliards",
    "dollars",
    "projet",
    "annonce",
    "puces",
    "société",
    "président",
    "réseau",
    "électricité",
    "Stargate",
    "serveurs",
    "calcul",
    "modèle",
    "énergie",
    "investissement",
    "rapport",
    "ministre",
    "Bruxelles",
    "régulateurs",
    "accord",
    "usine",
    "semaine",
    "année",
)
_LABELS = ("ORG", "PER", "LOC", "PRODUCT", "MISC", "DATE", "MONEY", "QUANTITY")


def synthetic_documents(n: int = 20, *, paragraphs: int = 8, seed: int = 0) -> list[Document]:
    """``n`` French-looking documents of ``paragraphs`` paragraphs of 48 words each."""
    rng = random.Random(seed)
    docs = []
    for d in range(n):
        paras = [" ".join(rng.choice(_WORDS) for _ in range(48)) + "." for _ in range(paragraphs)]
        docs.append(make_document(f"Dépêche {d}\n\n" + "\n\n".join(paras), lang="fr"))
    return docs


def _spans(doc: Document, seg: Segment, n: int, rng: random.Random, prefix: str) -> list[Span]:
    """``n`` non-overlapping single-word spans of the segment, in document offsets."""
    words = []
    pos = seg.start
    for word in doc.text[seg.start : seg.end].split(" "):
        words.append((pos, pos + len(word.rstrip("."))))
        pos += len(word) + 1
    chosen = sorted(rng.sample(range(len(words)), min(n, len(words))))
    return [
        Span(f"{prefix}{k}", s, e, doc.text[s:e], rng.choice(_LABELS))
        for k, (s, e) in enumerate(words[i] for i in chosen)
    ]


def synthetic_records(
    n: int, documents: list[Document], *, spans: int = 10, seed: int = 0
) -> Iterator[tuple[dict[str, Any], Document, str]]:
    """``n`` valid entities records of ``spans`` spans each, with their document and the
    text of their segment: ``(record, document, segment_text)``."""
    rng = random.Random(seed)
    for i in range(n):
        doc = documents[i % len(documents)]
        seg = doc.paragraphs[1 + (i // len(documents)) % (len(doc.paragraphs) - 1)]
        ann = Annotation(
            layer="entities",
            doc_id=doc.id,
            task_key=task_key(doc.id, "entities", seg.start, seg.end),
            segment_start=seg.start,
            segment_end=seg.end,
            annotator=f"annotator-{i % 7}",
            annotation_id=i + 1,
            task_id=i // 3 + 1,
            lead_time=12.5,
            created_at="2024-05-01T10:00:00Z",
            spans=_spans(doc, seg, spans, rng, f"r{i}-"),
        )
        rng.shuffle(ann.spans)  # Label Studio keeps the order regions were drawn in
        yield ann.to_record(), doc, seg.slice(doc.text)


@dataclass(slots=True)
class SyntheticExport:
    """What :func:`write_synthetic_export` wrote."""

    path: Path
    bytes: int
    tasks: int
    valid: int
    bad: int
    cancelled: int
    bad_tasks: list[int]


def write_synthetic_export(
    path: Path,
    documents: list[Document],
    *,
    size: int,
    spans: int = 10,
    bad_every: int = 0,
    cancelled_every: int = 0,
    seed: int = 0,
    first_id: int = 1,
) -> SyntheticExport:
    """Write a Label Studio JSON export of about ``size`` bytes (one annotation per task),
    one task at a time. Every ``bad_every``-th task carries an unknown label (it must be
    quarantined); every ``cancelled_every``-th adds a cancelled annotation (skipped).
    Task and annotation ids count from ``first_id``: exports meant as distinct parts of
    one project need distinct ranges (equal ids are the same annotation read twice)."""
    from annotate.layers import get_layer

    layer = get_layer("entities")
    rng = random.Random(seed)
    pool: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for doc in documents:
        for seg in doc.paragraphs[1:]:
            seg_text = seg.slice(doc.text)
            data = {
                "text": seg_text,
                "task_key": task_key(doc.id, "entities", seg.start, seg.end),
                "doc_id": doc.id,
                "layer": "entities",
                "unit": "paragraph",
                "segment_index": seg.index,
                "segment_start": seg.start,
                "segment_end": seg.end,
                "boilerplate": False,
                "lang": doc.lang,
                "title": "",
            }
            result = layer.to_ls_result(
                _spans(doc, seg, spans, rng, "r"),
                [],
                segment_start=seg.start,
                segment_text=seg_text,
            )
            pool.append((data, result))
    out = SyntheticExport(path, 0, 0, 0, 0, 0, [])
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        written = 1
        while written < size:
            n = out.tasks
            data, result = pool[n % len(pool)]
            bad = bool(bad_every) and n % bad_every == bad_every - 1
            if bad:
                result = [dict(result[0], value={**result[0]["value"], "labels": ["Organisation"]})]
                result += pool[n % len(pool)][1][1:]
                out.bad += 1
                out.bad_tasks.append(n)
            else:
                out.valid += 1
            annotations = [
                {
                    "id": first_id + n,
                    "completed_by": 1 + n % 5,
                    "result": result,
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2024-05-01T10:00:00.000000Z",
                    "lead_time": 12.5,
                }
            ]
            if cancelled_every and n % cancelled_every == cancelled_every - 1:
                annotations.append(
                    {"id": -(first_id + n), "completed_by": 9, "result": [], "was_cancelled": True}
                )
                out.cancelled += 1
            task = {"id": first_id + n, "data": data, "annotations": annotations, "predictions": []}
            text = ("," if n else "") + json.dumps(task, ensure_ascii=False)
            fh.write(text)
            written += len(text.encode("utf-8"))
            out.tasks += 1
        fh.write("]")
    out.bytes = path.stat().st_size
    return out


def synthetic_entity_release(
    spans: int, *, per_doc: int = 1000
) -> tuple[list[Document], Iterator[dict[str, Any]]]:
    """The documents and the gold entity rows of a release of ``spans`` spans, without
    Label Studio: documents of ``per_doc`` one-word mentions (``Nom<d>x<i> dit``), in doc
    id order, and a generator of their rows in release order (doc id, start), made one
    document at a time so that the rows are never all in memory."""
    labels = ["PER", "ORG", "LOC", "FAC", "PRODUCT", "EVENT", "DATE", "MONEY", "QUANTITY", "MISC"]

    def words(d: int) -> list[str]:
        return [f"Nom{d}x{i} dit" for i in range(min(per_doc, spans - d * per_doc))]

    documents = []
    for d in range((spans + per_doc - 1) // per_doc):
        text = " ".join(words(d)) + "."
        doc = Document(_sha(text), text, "fr", [Segment(0, len(text), 0)], title=f"doc {d}")
        documents.append((doc, d))
    documents.sort(key=lambda pair: pair[0].id)

    def rows() -> Iterator[dict[str, Any]]:
        for doc, d in documents:
            pos = 0
            for i, w in enumerate(words(d)):
                end = pos + w.index(" ")
                yield {
                    "doc_id": doc.id,
                    "segment_start": 0,
                    "segment_end": len(doc.text),
                    "span_id": f"s{d}-{i}",
                    "start": pos,
                    "end": end,
                    "span_text": doc.text[pos:end],
                    "label": labels[i % len(labels)],
                    "kb_id": f"Q{i}" if i % 3 == 0 else None,
                }
                pos += len(w) + 1

    return [doc for doc, _ in documents], rows()


def synthetic_gold_set(
    spans: int, *, per_doc: int = 1000, per_task: int = 100, raters: int = 1, seed: int = 0
) -> Any:
    """A :class:`~annotate.model.GoldSet` of ``spans`` entity spans, as
    :func:`annotate.pipeline.gold_set` makes one from validated exports, without Label
    Studio: documents of ``per_doc`` one-word mentions (``Nom<d>x<i> dit``) in paragraphs of
    ``per_task`` words, each paragraph annotated by ``raters`` of seven raters (a span in
    three with a Wikidata id; a second rater labels every fifth span otherwise), the gold
    chosen by :func:`annotate.gold.select_gold`. With several raters the records are in a
    shuffled order (``seed``), as exports of several projects interleave them."""
    from annotate.gold import select_gold
    from annotate.model import GoldSet
    from annotate.schemas import active_schemas
    from annotate.validation.report import Report

    documents: dict[str, Document] = {}
    records: list[Annotation] = []
    for d in range((spans + per_doc - 1) // per_doc):
        words = [f"Nom{d}x{i} dit" for i in range(min(per_doc, spans - d * per_doc))]
        paras = [words[i : i + per_task] for i in range(0, len(words), per_task)]
        text = "\n\n".join(" ".join(p) + "." for p in paras)
        doc = Document(_sha(text), text, "fr", title=f"doc {d}")
        pos = 0
        for k, para in enumerate(paras):
            seg = Segment(pos, pos + len(" ".join(para)) + 1, k)
            doc.paragraphs.append(seg)
            found, at = [], seg.start
            for i, w in enumerate(para):
                end = at + w.index(" ")
                kb = {"kb_id": f"Q{i + 1}"} if i % 3 == 0 else {}
                found.append(Span(f"s{d}-{k}-{i}", at, end, text[at:end], _LABELS[i % 8], None, kb))
                at += len(w) + 1
            key = task_key(doc.id, "entities", seg.start, seg.end)
            for r in range(raters):
                n = len(records)
                mine = [_relabelled(sp, r) if j % 5 == 4 else sp for j, sp in enumerate(found)]
                records.append(
                    Annotation(
                        "entities", doc.id, key, seg.start, seg.end, f"annotator-{n % 7}",
                        annotation_id=n + 1, task_id=n // raters + 1,
                        created_at="2024-05-01T10:00:00Z", spans=mine,
                    )
                )  # fmt: skip
            pos = seg.end + 2
        documents[doc.id] = doc
    if raters > 1:
        random.Random(seed).shuffle(records)
    report = Report(valid=records, received=len(records), valid_count=len(records))
    return GoldSet(documents, report, select_gold(records), active_schemas())


def _relabelled(span: Span, rater: int) -> Span:
    if not rater:
        return span
    label = _LABELS[(_LABELS.index(span.label) + rater) % len(_LABELS)]
    return Span(span.id, span.start, span.end, span.text, label, None, dict(span.attrs))


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def edited_release(source: Path, out: Path, *, version: str = "2.1.0") -> Path:
    """A copy of the release ``source`` in ``out`` with known edits, for diff tests: the
    second entity removed, the first relabelled, a new entity on the first word after the
    last one; the second claim removed and the first's modality changed; the first
    judgement row's ``candidates`` changed. The manifest names ``version``."""
    import re
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.copytree(source, out)

    def edit(config: str, change: Any) -> None:
        path = out / config / "train.parquet"
        table = pq.read_table(path)
        rows = change(table.to_pylist())
        pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)

    text = pq.read_table(out / "documents" / "train.parquet").to_pylist()[0]["text"]

    def entities(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[0]["label"] = (rows[0]["label"] + 1) % 4
        last = max(rows, key=lambda r: r["end"])
        word = re.compile(r"\w{4,}").search(text, last["end"])
        assert word is not None
        new = dict(last, span_id="e-new", start=word.start(), end=word.end())
        new["span_text"] = word.group()
        return [rows[0], *rows[2:], new]

    def claims(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[0]["modality"] = (rows[0]["modality"] + 1) % 3
        return [rows[0], *rows[2:]]

    def segments(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[0]["candidates"] += 1
        return rows

    edit("entities", entities)
    edit("claims", claims)
    edit("segments", segments)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out
