"""The steps the demo and the reference-release script share: stand in for annotators by
submitting worksheets (or predictions) to Label Studio, then pull the raw exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotate.labelstudio.sync import review_title
from annotate.layers import get_layer, layer_names
from annotate.model import Annotation, Document, task_key
from annotate.preannotate import Prediction
from standins.submit import SubmitResult, submit_records
from standins.worksheets import load_worksheet

__all__ = ["AnnotatorPass", "prediction_records", "submit_passes", "submit_predictions"]


@dataclass(frozen=True, slots=True)
class AnnotatorPass:
    """A worksheet and the Label Studio user who stands behind it."""

    worksheet: Path
    email: str
    ground_truth: bool = False


def _segment_texts(documents: Sequence[Document]) -> dict[str, str]:
    return {
        task_key(d.id, layer, p.start, p.end): p.slice(d.text)
        for d in documents
        for layer in layer_names()
        for p in d.paragraphs
    }


def prediction_records(
    predictions: Sequence[Prediction], documents: Sequence[Document]
) -> dict[str, list[Annotation]]:
    """Predictions as one record per paragraph task (for a demo without reference annotations)."""
    docs = {d.id: d for d in documents}
    out: dict[str, list[Annotation]] = {}
    for p in predictions:
        doc = docs[p.doc_id]
        for para in doc.paragraphs:
            spans = [s for s in p.spans if para.start <= s.start and s.end <= para.end]
            ids = {s.id for s in spans}
            out.setdefault(p.layer, []).append(
                Annotation(
                    layer=p.layer,
                    doc_id=doc.id,
                    task_key=task_key(doc.id, p.layer, para.start, para.end),
                    segment_start=para.start,
                    segment_end=para.end,
                    annotator=p.model_version,
                    spans=spans,
                    relations=[r for r in p.relations if r.from_id in ids and r.to_id in ids],
                    judgement=get_layer(p.layer).judgement_for(spans),
                )
            )
    return out


def submit_passes(
    documents: Sequence[Document],
    passes: Sequence[AnnotatorPass],
    *,
    prefix: str,
    review: bool = False,
    url: str | None = None,
    api_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[SubmitResult]:
    """Submit every worksheet's records, as its annotator, to the projects of ``prefix``
    (``review``: to its review projects, the tasks they hold only: an adjudication)."""
    (doc,) = documents  # worksheets annotate one document
    texts = _segment_texts(documents)
    results = []
    for p in passes:
        sheet = load_worksheet(p.worksheet, doc)
        if sheet.issues:
            from annotate.errors import ExportError

            raise ExportError(
                f"{len(sheet.issues)} problems, first: {sheet.issues[0]}", file=p.worksheet
            )
        for layer, records in sheet.records.items():
            results.append(
                submit_records(
                    records,
                    layer=layer,
                    annotator_email=p.email,
                    segment_texts=texts,
                    ground_truth=p.ground_truth,
                    prefix=prefix,
                    project=review_title(prefix, layer) if review else None,
                    only_present=review,
                    url=url,
                    api_key=api_key,
                    progress=progress,
                )
            )
    return results


def submit_predictions(
    documents: Sequence[Document],
    predictions: Sequence[Prediction],
    *,
    prefix: str,
    email: str = "prelabels@annotate.local",
    url: str | None = None,
    api_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[SubmitResult]:
    texts = _segment_texts(documents)
    return [
        submit_records(
            records,
            layer=layer,
            annotator_email=email,
            segment_texts=texts,
            prefix=prefix,
            url=url,
            api_key=api_key,
            progress=progress,
        )
        for layer, records in prediction_records(predictions, documents).items()
    ]
