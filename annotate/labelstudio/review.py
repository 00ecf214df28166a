"""``annotate review``: an adjudication project per layer in Label Studio.

From a :class:`~annotate.model.GoldSet` (the pulled annotators' exports), each layer gets a
project titled ``<prefix> · <layer> · review`` (:func:`annotate.labelstudio.sync.review_title`)
with the layer's labeling config and a panel listing the disagreements, holding the tasks
whose raters disagree (or every task with a rater, ``all_tasks``). Each rater's version is
imported as a prediction whose ``model_version`` is the rater's pseudonym (the name
releases give them), so that the adjudicator compares them in Label Studio's "Compare
all" view and starts from one. A task's data is the annotators' task data plus
``review: true`` (what makes the export reader read its annotations as origin
``adjudication``: the gold, :mod:`annotate.gold`), ``disagreements`` (the text the panel
shows) and ``raters``. Importing is idempotent on the task key: a rerun adds nothing.

:func:`disagreements` is the list a person reads (``annotate review --list``) to adjudicate,
or to write an adjudication worksheet from.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotate.agreement import Disagreement, RaterVersion, task_disagreements
from annotate.labelstudio import client as ls
from annotate.labelstudio.duplicates import remove_own_duplicates
from annotate.labelstudio.push_setup import review_title
from annotate.labelstudio.rest import open_api
from annotate.labelstudio.tasks import KEY_FIELD, task_data
from annotate.layers import get_layer, in_layer_order
from annotate.model import Annotation, Document, GoldChoice, GoldSet, Segment
from annotate.names import check_prefix, pseudonym
from annotate.provenance import raters_of

__all__ = [
    "DISAGREEMENTS_FIELD",
    "REVIEW_FIELD",
    "Dispute",
    "ReviewResult",
    "disagreements",
    "review",
    "review_config",
    "review_tasks",
]

REVIEW_FIELD = "review"  # task data flag: the task is an adjudication (export reader)
DISAGREEMENTS_FIELD = "disagreements"
Progress = Callable[[str], None]


@dataclass(slots=True)
class Dispute:
    """One task to adjudicate: its raters' versions and what they disagree on (one line
    per disputed region, :func:`annotate.agreement.task_disagreements`), raters by
    pseudonym."""

    choice: GoldChoice
    raters: list[Annotation]
    segment: Segment
    lines: list[str] = field(default_factory=list)

    @property
    def task_key(self) -> str:
        return self.choice.annotation.task_key

    @property
    def layer(self) -> str:
        return self.choice.annotation.layer

    @property
    def where(self) -> str:
        """The segment, as a person finds it: ``paragraph 3``, ``sentence 12``."""
        seg = self.segment
        if seg.unit == "document":
            return f"[{seg.start},{seg.end})"
        return f"{seg.unit} {seg.index}"

    def text(self) -> str:
        return "\n".join(self.lines) if self.lines else "The raters agree."

    def to_dict(self) -> dict[str, Any]:
        ann = self.choice.annotation
        return {
            "layer": ann.layer,
            "task_key": ann.task_key,
            "doc_id": ann.doc_id,
            "segment": [ann.segment_start, ann.segment_end],
            "where": self.where,
            "raters": [pseudonym(r.annotator) for r in self.raters],
            "disagreements": self.lines,
        }


def _line(d: Disagreement, text: str) -> str:
    """One disagreement as the adjudicator reads it, raters by pseudonym."""
    what = d.kind + (f" ({', '.join(d.attributes)})" if d.attributes else "")
    if d.kind == "judgement":
        said = [f"{pseudonym(a)}: {v.judgement or '—'}" for a, v in d.versions.items()]
    else:
        said = [f"{pseudonym(a)}: {_version(v)}" for a, v in d.versions.items()]
    return f"{what} «{text[d.start : d.end]}» [{d.start},{d.end}): " + " | ".join(said)


def _version(v: RaterVersion) -> str:
    if v.relations:
        return ", ".join(r.label for r in v.relations)
    if not v.spans:
        return "—"
    shown = []
    for s in v.spans:
        attrs = ", ".join(f"{k}={x}" for k, x in sorted(s.attrs.items()) if x not in ("", None))
        shown.append(f"{s.label} [{s.start},{s.end})" + (f" {attrs}" if attrs else ""))
    return "; ".join(shown)


def disagreements(
    gold: GoldSet, *, layers: Iterable[str] | None = None, all_tasks: bool = False
) -> list[Dispute]:
    """The tasks whose raters disagree (with ``all_tasks``: every task two or more raters
    annotated), in layer, document and text order. A task annotated by one rater only has no
    one to disagree with and is left out."""
    wanted = set(layers) if layers is not None else None
    out: list[Dispute] = []
    for choice in gold.choices.values():
        ann = choice.annotation
        if wanted is not None and ann.layer not in wanted:
            continue
        raters = raters_of(choice)
        if len(raters) < 2:
            continue
        doc = gold.documents[ann.doc_id]
        found = task_disagreements(raters, definition=gold.agreement_definition)
        lines = [_line(d, doc.text) for d in found]
        if lines or all_tasks:
            out.append(Dispute(choice, raters, _segment(doc, ann), lines))
    order = {name: i for i, name in enumerate(in_layer_order({d.layer for d in out}))}
    return sorted(out, key=lambda d: (order[d.layer], d.choice.annotation.doc_id, d.segment.start))


def _segment(doc: Document, ann: Annotation) -> Segment:
    """The document's segment the task covers (a paragraph or sentence), else one made."""
    for seg in (*doc.paragraphs, *doc.sentences):
        if (seg.start, seg.end) == (ann.segment_start, ann.segment_end):
            return seg
    return Segment(ann.segment_start, ann.segment_end, 0, "document")


def review_tasks(found: Sequence[Dispute], documents: dict[str, Document]) -> list[dict[str, Any]]:
    """The review project's tasks: the annotators' task data, flagged ``review``, with the
    disagreements and each rater's version as a prediction named by their pseudonym."""
    tasks = []
    for d in found:
        ann = d.choice.annotation
        doc = documents[ann.doc_id]
        seg = d.segment
        lay = get_layer(ann.layer)
        data = task_data(doc, ann.layer, seg)
        data.update(
            {
                REVIEW_FIELD: True,
                DISAGREEMENTS_FIELD: d.text(),
                "raters": ", ".join(pseudonym(r.annotator) for r in d.raters),
            }
        )
        predictions = [
            {
                "model_version": pseudonym(r.annotator),
                "result": lay.to_ls_result(
                    r.spans,
                    r.relations,
                    judgement=r.judgement,
                    segment_start=seg.start,
                    segment_text=seg.slice(doc.text),
                    source_text=doc.source_text,
                ),
            }
            for r in d.raters
        ]
        tasks.append({"data": data, "predictions": predictions})
    return tasks


def review_config(layer: str, *, source: bool = False) -> str:
    """The layer's labeling config with a panel, under its title, that shows the task's
    disagreements (the raters' versions themselves are its predictions)."""
    view = ET.fromstring(get_layer(layer).label_config(source=source))
    panel = ET.Element("View", style="background:#fff8e1;padding:4px 8px;white-space:pre-wrap")
    hint = "Disagreements (each rater's version is a prediction: compare them with Compare all)"
    ET.SubElement(panel, "Header", value=hint, size="5")
    ET.SubElement(
        panel,
        "Text",
        name=DISAGREEMENTS_FIELD,
        value=f"${DISAGREEMENTS_FIELD}",
        selectionEnabled="false",
    )
    view.insert(1, panel)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode")


@dataclass(slots=True)
class ReviewResult:
    layer: str
    project_id: int
    project_title: str
    created_project: bool
    disputed: int  # tasks offered for review
    tasks_created: int
    tasks_skipped: int  # already in the project


def review(
    gold: GoldSet,
    *,
    prefix: str,
    layers: Iterable[str] | None = None,
    all_tasks: bool = False,
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> list[ReviewResult]:
    """Create or update the review project of every layer that has disputed tasks (or
    tasks with two raters, ``all_tasks``) and import those tasks; safe to rerun."""
    say = progress or (lambda _m: None)
    check_prefix(prefix)
    found = disagreements(gold, layers=layers, all_tasks=all_tasks)
    if not found:
        return []
    client = open_api(url=url, api_key=api_key)
    results = []
    for layer in in_layer_order({d.layer for d in found}):
        mine = [d for d in found if d.layer == layer]
        title = review_title(prefix, layer)
        docs = [gold.documents[d.choice.annotation.doc_id] for d in mine]
        source = get_layer(layer).shows_source and any(doc.source_text for doc in docs)
        say(f"{layer}: project {title!r}, {len(mine)} tasks to review")
        project_id, created = ls.ensure_project(
            client,
            title=title,
            label_config=review_config(layer, source=source),
            description=f"annotate review of layer {layer}: adjudicate the raters' versions",
        )
        res = ls.import_tasks(
            client, project_id, review_tasks(mine, gold.documents), key_field=KEY_FIELD
        )
        dedup = remove_own_duplicates(client, project_id, res, key_field=KEY_FIELD)
        results.append(
            ReviewResult(
                layer,
                project_id,
                title,
                created,
                len(mine),
                res.created - dedup.removed,
                res.skipped + dedup.removed,
            )
        )
    return results
