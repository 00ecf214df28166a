"""The data model every stage passes on.

Offsets are Unicode code points into the NFC-normalised document text, half-open
``[start, end)``; every span satisfies ``document.text[start:end] == span.text``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the report's module builds on this one
    from annotate.schemas import SchemaSet
    from annotate.sources.foreign import ForeignOptions
    from annotate.validation.report import Report

__all__ = [
    "AGREEMENT_DEFINITION",
    "AGREEMENT_DEFINITIONS",
    "Annotation",
    "Document",
    "GoldChoice",
    "GoldRule",
    "GoldSet",
    "Issue",
    "Origin",
    "Prediction",
    "Relation",
    "Segment",
    "Span",
    "Unit",
    "task_key",
    "text_sha256",
]

Unit = Literal["sentence", "paragraph", "document"]
# who made a record: an annotator, a predictor, an adjudicator (a review project); or, for
# the consensus gold only (annotate.gold; never in an export or a record file), the
# strict majority of the raters, which no person adjudicated
Origin = Literal["annotation", "prediction", "adjudication", "majority"]
GoldRule = Literal["ground_truth", "single", "consensus"]
# How raters' versions are compared (annotate.disputes), recorded in a release's manifest
# as ``agreement_definition``: 1, every per-span field counts, free text too (releases that
# record none); 2, a field the schema marks ``free_text`` (the MQM comment) does not: a
# difference there is a note, not a dispute, as the gold's provenance has it.
AGREEMENT_DEFINITIONS = (1, 2)
AGREEMENT_DEFINITION = 2  # what new gold sets and releases use


def text_sha256(text: str) -> str:
    """The document id: sha256 of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_key(doc_id: str, layer: str, start: int, end: int) -> str:
    """The stable key of the task that covers ``[start, end)`` of a document in one layer."""
    return f"{doc_id[:16]}:{layer}:{start}-{end}"


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph, sentence or whole document: ``[start, end)`` in the document text."""

    start: int
    end: int
    index: int = 0
    unit: Unit = "paragraph"
    boilerplate: bool = False

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(slots=True)
class Document:
    """An ingested article: normalised text, id, and its segmentation."""

    id: str
    text: str
    lang: str
    paragraphs: list[Segment] = field(default_factory=list)
    sentences: list[Segment] = field(default_factory=list)
    normalisation: list[str] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    license: str | None = None
    machine_translated: bool = False
    source_lang: str | None = None
    source_text: str | None = None
    source_path: str | None = None
    lang_detected: bool = False  # the language was detected, not given

    @property
    def boilerplate(self) -> list[int]:
        return [p.index for p in self.paragraphs if p.boilerplate]

    def segments(self, unit: Unit) -> list[Segment]:
        """The segments of one unit; ``document`` is a single segment over the whole text."""
        if unit == "paragraph":
            return self.paragraphs
        if unit == "sentence":
            return self.sentences
        return [Segment(0, len(self.text), 0, "document", False)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "lang": self.lang,
            "title": self.title,
            "url": self.url,
            "license": self.license,
            "machine_translated": self.machine_translated,
            "source_lang": self.source_lang,
            "source_text": self.source_text,
            "source_path": self.source_path,
            "lang_detected": self.lang_detected,
            "normalisation": list(self.normalisation),
            "boilerplate": self.boilerplate,
            "paragraphs": [{"start": s.start, "end": s.end} for s in self.paragraphs],
            "sentences": [{"start": s.start, "end": s.end} for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        boiler = set(data.get("boilerplate") or [])
        paragraphs = [
            Segment(p["start"], p["end"], i, "paragraph", i in boiler)
            for i, p in enumerate(data.get("paragraphs", []))
        ]
        sentences = [
            Segment(s["start"], s["end"], i, "sentence", False)
            for i, s in enumerate(data.get("sentences", []))
        ]
        return cls(
            id=data["id"],
            text=data["text"],
            lang=data["lang"],
            paragraphs=paragraphs,
            sentences=sentences,
            normalisation=list(data.get("normalisation", [])),
            title=data.get("title"),
            url=data.get("url"),
            license=data.get("license"),
            machine_translated=bool(data.get("machine_translated", False)),
            source_lang=data.get("source_lang"),
            source_text=data.get("source_text"),
            source_path=data.get("source_path"),
            lang_detected=bool(data.get("lang_detected", False)),
        )


@dataclass(slots=True)
class Span:
    """A labelled span of the document. ``attrs`` holds the layer's per-span fields
    (``kb_id``; ``claim_type``/``modality``/``checkworthy``; ``severity``/``correction``/``comment``)."""

    id: str
    start: int
    end: int
    text: str
    label: str
    score: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
        }
        if self.score is not None:
            out["score"] = self.score
        out.update(self.attrs)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        core = {"id", "start", "end", "text", "label", "score"}
        return cls(
            id=str(data["id"]),
            start=data["start"],
            end=data["end"],
            text=data["text"],
            label=data["label"],
            score=data.get("score"),
            attrs={k: v for k, v in data.items() if k not in core},
        )


@dataclass(frozen=True, slots=True)
class Relation:
    from_id: str
    to_id: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"from_id": self.from_id, "to_id": self.to_id, "label": self.label}


@dataclass(slots=True)
class Annotation:
    """One annotation of one task by one annotator (or one prediction): the record that
    ``validate`` checks against ``schema/<layer>.schema.json``."""

    layer: str
    doc_id: str
    task_key: str
    segment_start: int
    segment_end: int
    annotator: str
    origin: Origin = "annotation"
    annotation_id: int | str | None = None
    task_id: int | None = None
    ground_truth: bool = False
    model_version: str | None = None
    score: float | None = None
    lead_time: float | None = None
    created_at: str | None = None
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    judgement: str | None = None

    @property
    def record_id(self) -> str:
        ident = self.annotation_id if self.annotation_id is not None else self.annotator
        return f"{self.task_key}#{self.origin}:{ident}"

    def to_record(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "layer": self.layer,
            "doc_id": self.doc_id,
            "task_key": self.task_key,
            "segment": {"start": self.segment_start, "end": self.segment_end},
            "annotator": self.annotator,
            "annotation_id": self.annotation_id,
            "task_id": self.task_id,
            "origin": self.origin,
            "ground_truth": self.ground_truth,
            "model_version": self.model_version,
            "score": self.score,
            "lead_time": self.lead_time,
            "created_at": self.created_at,
            "spans": [s.to_dict() for s in self.spans],
            "relations": [r.to_dict() for r in self.relations],
            "judgement": self.judgement,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Annotation:
        return cls(
            layer=rec["layer"],
            doc_id=rec["doc_id"],
            task_key=rec["task_key"],
            segment_start=rec["segment"]["start"],
            segment_end=rec["segment"]["end"],
            annotator=rec["annotator"],
            origin=rec.get("origin", "annotation"),
            annotation_id=rec.get("annotation_id"),
            task_id=rec.get("task_id"),
            ground_truth=bool(rec.get("ground_truth", False)),
            model_version=rec.get("model_version"),
            score=rec.get("score"),
            lead_time=rec.get("lead_time"),
            created_at=rec.get("created_at"),
            spans=[Span.from_dict(s) for s in rec.get("spans", [])],
            relations=[
                Relation(r["from_id"], r["to_id"], r["label"]) for r in rec.get("relations", [])
            ],
            judgement=rec.get("judgement"),
        )


@dataclass(slots=True)
class Prediction:
    """What one predictor proposes for one document (offsets into the document text)."""

    doc_id: str
    layer: str
    model_version: str
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@dataclass(slots=True)
class Issue:
    """One problem found in an input or a record, with the place it is about."""

    code: str
    message: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None
    task_id: int | str | None = None
    annotation_id: int | str | None = None
    annotator: str | None = None
    record_id: str | None = None
    json_path: str = "$"
    hint: str | None = None

    @property
    def location(self) -> str:
        parts = [p for p in (self.file,) if p]
        if self.task_id is not None:
            parts.append(f"task={self.task_id}")
        if self.annotation_id is not None:
            parts.append(f"annotation={self.annotation_id}")
        if self.annotator is not None:
            parts.append(f"annotator={self.annotator}")
        parts.append(f"at {self.json_path}")
        return " ".join(parts)

    def __str__(self) -> str:
        text = f"[{self.location}] {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "task_id": self.task_id,
            "annotation_id": self.annotation_id,
            "annotator": self.annotator,
            "record_id": self.record_id,
            "json_path": self.json_path,
            "hint": self.hint,
        }


@dataclass(slots=True)
class GoldChoice:
    """The gold annotation of one task and its provenance: the rule that chose it (an
    annotation marked ground truth or adjudicated, the only one, or the consensus of the
    raters) and the raters' versions it was chosen from."""

    annotation: Annotation
    rule: GoldRule
    candidates: int  # how many versions the task has
    versions: list[Annotation] = field(default_factory=list)  # ordered by annotation id
    disputes: int = 0  # regions where the raters' versions differ (annotate.agreement)

    @property
    def needs_review(self) -> bool:
        """Raters disagree and nobody adjudicated: the consensus would drop their work."""
        return self.rule == "consensus" and self.disputes > 0


@dataclass(slots=True)
class GoldSet:
    """What every stage after validation starts from (:func:`annotate.pipeline.gold_set`):
    the corpus, the validation report of the label exports, whose valid records are every
    rater's version of every task (the agreement's inputs), and the gold of each task."""

    documents: dict[str, Document]
    report: Report
    choices: dict[str, GoldChoice]  # task key → its gold, in task-key order
    schemas: SchemaSet  # the schema set the records were validated against
    exports: list[Path] = field(default_factory=list)  # the label exports read, in order
    pins: Path | None = None  # the pins file that named them, if any
    layer: str | None = None  # the layer of exports annotate did not make
    foreign: ForeignOptions | None = None  # how those were read (text field, config, map)
    agreement_definition: int = AGREEMENT_DEFINITION  # how disputes were told (disputes.py)
    lang: str | None = None  # the language of articles without one (None: detected)

    @property
    def records(self) -> list[Annotation]:
        """Every valid record: each rater's version of each task."""
        return self.report.valid

    def gold(self) -> list[Annotation]:
        """The gold annotation of every task, in task-key order."""
        return [choice.annotation for choice in self.choices.values()]

    def needs_review(self) -> list[GoldChoice]:
        """The choices whose raters disagree with no adjudication, in task-key order."""
        return [choice for choice in self.choices.values() if choice.needs_review]

    def rules(self) -> dict[str, Counter[str]]:
        """Layer → how many tasks each rule chose the gold of."""
        out: dict[str, Counter[str]] = {}
        for choice in self.choices.values():
            out.setdefault(choice.annotation.layer, Counter())[choice.rule] += 1
        return out
