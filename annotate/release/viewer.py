"""A static HTML viewer of a release: ``annotate view`` and ``viewer/`` in a release.

The viewer is read from the release's own parquet files, so it shows what a researcher
loads, and needs no server and no network: ``viewer/index.html`` lists the documents with
their counts per layer (and the score of a layer whose rows carry a ``weight``, the MQM
penalty), and one page per document shows each paragraph with every layer highlighted.

Spans are drawn by spaCy's displaCy: the ``ent`` style for a layer whose spans never
overlap (entities), the ``span`` style, which stacks overlapping spans, for the others
(claims, translation errors). Everything else is a Jinja template
(:mod:`annotate.release.viewer_templates`): a table of each span's fields under its
paragraph (knowledge-base ids, claim sources linked to their paragraph, corrections,
the source side of an MQM error), toggles per layer and per annotator, and each
annotator's own version with the spans that not every rater of the segment made marked
as disagreements.

Nothing here knows a layer by name: a layer is any config with ``start``/``end`` columns,
its label is :func:`annotate.release.tables.label_column`, its colours come from the
layer's taxonomy. The same release gives the same bytes.
"""

from __future__ import annotations

import itertools
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.model import AGREEMENT_DEFINITION
from annotate.release.viewer_io import NOT_LAYERS as _NOT_LAYERS
from annotate.release.viewer_io import ViewerResult
from annotate.release.viewer_io import colors as _colors
from annotate.release.viewer_io import files as _files
from annotate.release.viewer_io import read as _read

__all__ = ["VIEWER_DIR", "VIEWER_FORMAT", "VIEWER_FORMATS", "ViewerResult", "write_viewer"]

VIEWER_DIR = "viewer"
# 1: drawn by displaCy (2.0.0); 2: drawn in the browser from its rows (2.1.0); 3: as 2, the
# raters' spans marked as disputes or notes by annotate.disputes (viewer_marks)
VIEWER_FORMATS = (1, 2, 3)
VIEWER_FORMAT = 3  # what a new viewer is written in
Progress = Callable[[str], None]


@dataclass(slots=True)
class _Layer:
    name: str
    label: str | None  # the label column
    id_column: str | None
    rows: dict[str, list[dict[str, Any]]]  # doc id → rows
    colors: dict[str, str]
    overlapping: bool
    score: bool  # rows carry a weight: show the sum per document
    renderers: dict[str, Any] = field(default_factory=dict)  # displaCy's, made once
    kind: str | None = None  # a diff's added / removed / changed rows: drawn in its colour


def write_viewer(
    release: Path,
    *,
    out: Path | None = None,
    dataset: str | None = None,
    version: str | None = None,
    configs: list[str] | None = None,
    viewer_format: int = VIEWER_FORMAT,
    agreement_definition: int | None = None,
    progress: Progress | None = None,
) -> ViewerResult:
    """Write the viewer of ``release`` into ``out`` (default ``<release>/viewer``).
    ``dataset``, ``version`` and ``configs`` default to the release's manifest (a release
    being written has none yet). ``viewer_format`` is one of :data:`VIEWER_FORMATS`: 3
    or 2 (:mod:`annotate.release.viewer_data`: pages drawn in the browser from their rows;
    3 marks disputes and notes by :mod:`annotate.release.viewer_marks`, under
    ``agreement_definition``, default the manifest's), or 1 (drawn here with displaCy),
    which releases that record no format were made with."""
    say = progress or (lambda _msg: None)
    out = out or release / VIEWER_DIR
    if viewer_format not in VIEWER_FORMATS:
        raise ReleaseError(
            f"unknown viewer format {viewer_format!r}; known: "
            + ", ".join(map(str, VIEWER_FORMATS)),
            file=release / "manifest.json",
        )
    if dataset is None or version is None or configs is None:
        manifest = _manifest(release)
        # a manifest without one: definition 1
        agreement_definition = agreement_definition or manifest.get("agreement_definition", 1)
    else:
        manifest = {"dataset": dataset, "version": version, "configs": configs}
    definition = agreement_definition or AGREEMENT_DEFINITION  # a release being written
    out.mkdir(parents=True, exist_ok=True)
    if viewer_format > 1:
        from annotate.release.viewer_data import write_pages

        return write_pages(
            release,
            out,
            manifest,
            viewer_format=viewer_format,
            agreement_definition=definition,
            progress=say,
        )
    return _write_displacy(release, out, manifest, say)


def _write_displacy(
    release: Path, out: Path, manifest: dict[str, Any], say: Progress
) -> ViewerResult:
    """Viewer format 1: every span drawn here by displaCy."""
    from annotate.release.viewer_templates import environment

    docs = _read(release, "documents")
    layers = [_layer(release, c) for c in manifest["configs"] if c not in _NOT_LAYERS]
    raw = _raw(release) if "annotations" in manifest["configs"] else {}
    env = environment()
    result = ViewerResult(out)
    index_rows = []
    page = env.get_template("document.html")
    say(f"writing {len(docs)} document pages")
    for doc in sorted(docs, key=lambda d: (d["title"] or "", d["doc_id"])):
        name = f"doc-{doc['doc_id'][:16]}.html"
        context = _document_context(doc, layers, raw.get(doc["doc_id"], {}))
        text = page.render(
            dataset=manifest["dataset"], version=manifest["version"], lang=doc["lang"], **context
        )
        path = out / name
        path.write_text(text, encoding="utf-8")
        result.pages.append(path)
        index_rows.append({"page": name, **context["summary"]})
    index = env.get_template("index.html").render(
        lang=None,
        dataset=manifest["dataset"],
        version=manifest["version"],
        layers=[{"name": la.name, "score": la.score} for la in layers],
        documents=index_rows,
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    result.pages.insert(0, out / "index.html")
    return result


def _manifest(release: Path) -> dict[str, Any]:
    path = release / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleaseError("not a release: no manifest.json", file=path) from None
    except json.JSONDecodeError as exc:
        raise ReleaseError(f"invalid JSON at line {exc.lineno}", file=path) from exc
    return manifest


def _layer(release: Path, config: str) -> _Layer:
    from annotate.release.tables import features_of, label_column, row_id_column

    features = features_of(_files(release, config)[0])
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _read(release, config):
        rows[row["doc_id"]].append(row)
    label = label_column(features)
    names = list(getattr(features.get(label), "names", None) or []) if label else []
    colors = _colors(release, config, names)
    return _Layer(
        name=config,
        label=label,
        id_column=row_id_column(features),
        rows=dict(rows),
        colors=colors,
        overlapping=any(_overlaps(r) for r in rows.values()),
        score="weight" in features,
    )


def _overlaps(rows: list[dict[str, Any]]) -> bool:
    spans = sorted((r["start"], r["end"]) for r in rows if r.get("start") is not None)
    return any(b[0] < a[1] for a, b in itertools.pairwise(spans))


def _raw(release: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """doc id → annotator → raw rows (every rater's own version)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in _read(release, "annotations"):
        if isinstance(row.get("attributes"), str):  # the layer's fields, as JSON
            row["attributes"] = json.loads(row["attributes"])
        out[row["doc_id"]][row["annotator"]].append(row)
    return out


def _document_context(
    doc: dict[str, Any], layers: list[_Layer], raw: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    from annotate.release.viewer_render import disagreements, render_paragraph

    text = doc["text"]
    boiler = set(doc.get("boilerplate") or [])
    disputed = disagreements(raw)
    paragraphs = []
    for i, p in enumerate(doc["paragraphs"]):
        start, end = p["start"], p["end"]
        blocks = []
        for layer in layers:
            rows = [
                r
                for r in layer.rows.get(doc["doc_id"], [])
                if start <= r["start"] < end and not _source_side(r)
            ]
            blocks.append(render_paragraph(layer, text, start, end, rows, annotator=None))
        # each rater's own version where the raters disagree (elsewhere it is the gold)
        contested = {
            name for name, seg_start, seg_end in disputed if seg_start < end and start < seg_end
        }
        for annotator, rows in sorted(raw.items()):
            for layer in layers:
                if layer.name not in contested:
                    continue
                mine = [
                    r
                    for r in rows
                    if r["layer"] == layer.name
                    and r["start"] is not None
                    and start <= r["start"] < end
                    and not _source_side(r)
                ]
                if mine:
                    blocks.append(
                        render_paragraph(
                            layer, text, start, end, mine, annotator=annotator, disputed=disputed
                        )
                    )
        paragraphs.append({"index": i, "boilerplate": i in boiler, "blocks": blocks})
    # errors marked in the source (MQM omissions): drawn over the source text
    source_text = doc.get("source_text")
    source_blocks = []
    for layer in layers:
        rows = [r for r in layer.rows.get(doc["doc_id"], []) if _source_side(r)]
        if rows and source_text:
            source_blocks.append(
                render_paragraph(layer, source_text, 0, len(source_text), rows, annotator=None)
            )
    counts = {la.name: len(la.rows.get(doc["doc_id"], [])) for la in layers}
    scores = {
        la.name: round(sum(r["weight"] or 0 for r in la.rows.get(doc["doc_id"], [])), 2)
        for la in layers
        if la.score
    }
    para_starts = [p["start"] for p in doc["paragraphs"]]
    return {
        "paragraph_of": lambda offset: max(bisect_right(para_starts, offset) - 1, 0),
        "doc": {
            k: doc.get(k) for k in ("doc_id", "title", "lang", "machine_translated", "source_lang")
        },
        "source_text": source_text,
        "source_blocks": source_blocks,
        "layers": [la.name for la in layers],
        "annotators": sorted(raw),
        "paragraphs": paragraphs,
        "disputed": sum(len(v) for v in disputed.values()),
        "summary": {
            "doc_id": doc["doc_id"],
            "title": doc.get("title") or doc["doc_id"][:12],
            "lang": doc.get("lang"),
            "counts": counts,
            "scores": scores,
            "annotators": len(raw),
        },
    }


def _source_side(row: dict[str, Any]) -> bool:
    side = row.get("side")
    if side is None and isinstance(row.get("attributes"), dict):
        side = row["attributes"].get("side")
    return side == "source"
