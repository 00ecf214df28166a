"""Viewer pages that carry their rows and are drawn in the browser: viewer format 2.

Format 1 (:mod:`annotate.release.viewer_render`, release 2.0.0) draws every span in Python
with displaCy and writes a table row per span through Jinja: ~25 ms a document, 8× the
time of reading the release, most of it per span (displaCy's per-token loops, Jinja's
per-value output). Format 2 writes each document's rows once, as JSON in the page (the
columns of its slice of each parquet file, never a row at a time), and one inline script
(:mod:`annotate.release.viewer_script`) draws the same blocks, marks, tables, toggles and
disagreements when the page opens, with DOM calls (no HTML strings). A page still needs
no server and no network. Which format a release's viewer has is in its manifest
(``viewer_format``; none recorded: 1), so that 2.0.0 rebuilds as it was.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["INDEX_PAGE_SIZE", "Columns", "document_payload", "read_columns", "write_pages"]

INDEX_PAGE_SIZE = 1000  # documents listed per index page (a page stays well under 2 MB)
# never sent: the document (the page is about one) and the span's text (the offsets say it)
_DROPPED = ("doc_id", "span_text")
_RAW_UNUSED = ("annotation_id", "ground_truth", "judgement")


@dataclass(slots=True)
class Columns:
    """One config's rows sorted by document (stably: each document's rows keep their
    order), as one Python list per column, and where each document's rows are."""

    values: dict[str, list[Any]]
    where: dict[str, tuple[int, int]]  # doc id → [first, last) row
    classes: dict[str, list[str]]  # ClassLabel column → its names (values are indices)

    def count(self, doc_id: str) -> int:
        first, last = self.where.get(doc_id, (0, 0))
        return last - first

    def of(self, doc_id: str) -> dict[str, list[Any]]:
        first, last = self.where.get(doc_id, (0, 0))
        return {name: column[first:last] for name, column in self.values.items()}

    def column(self, name: str, doc_id: str) -> list[Any]:
        first, last = self.where.get(doc_id, (0, 0))
        return self.values[name][first:last] if name in self.values else []


def read_columns(files: list[Path], *, drop: tuple[str, ...] = ()) -> Columns:
    """The rows of a config's parquet ``files`` but the columns of :data:`_DROPPED` and
    ``drop``."""
    table = pa.concat_tables([pq.read_table(path) for path in files])
    table = table.take(pc.sort_indices(table, [("doc_id", "ascending")]))
    where: dict[str, tuple[int, int]] = {}
    first = 0
    for doc_id, rows in itertools.groupby(table.column("doc_id").to_pylist()):
        last = first + sum(1 for _ in rows)
        where[doc_id] = (first, last)
        first = last
    features = datasets.Features.from_arrow_schema(table.schema)
    classes = {
        name: list(feat.names)
        for name, feat in features.items()
        if isinstance(feat, datasets.ClassLabel)
    }
    values = {
        name: table.column(name).to_pylist()
        for name in table.column_names
        if name not in _DROPPED and name not in drop
    }
    return Columns(values, where, classes)


def document_payload(doc: dict[str, Any], layers: list[dict[str, Any]], raw: Columns | None) -> str:
    """The JSON a document's page carries: its text and paragraphs, each layer's
    description and its rows (columns), and every rater's raw rows; safe inside
    ``<script>``."""
    doc_id = doc["doc_id"]
    data = {
        "text": doc["text"],
        "source_text": doc.get("source_text"),
        "paragraphs": [[p["start"], p["end"]] for p in doc["paragraphs"]],
        "layers": [
            {k: v for k, v in layer.items() if k != "columns"}
            | {"rows": layer["columns"].of(doc_id)}
            for layer in layers
        ],
        "raw": raw.of(doc_id) if raw is not None else None,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" inside a string must not end the script element
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _layer(release: Path, config: str) -> dict[str, Any]:
    from annotate.release.tables import features_of, label_column, row_id_column
    from annotate.release.viewer_io import colors as _colors
    from annotate.release.viewer_io import files as _files

    files = _files(release, config)
    features = features_of(files[0])
    columns = read_columns(files)
    label = label_column(features)
    return {
        "name": config,
        "label": label,
        "id": row_id_column(features),
        "classes": columns.classes,
        "colors": _colors(release, config, columns.classes.get(label or "", [])),
        "score": "weight" in columns.values,
        "columns": columns,
    }


def _summary(
    doc: dict[str, Any], layers: list[dict[str, Any]], raters: list[str]
) -> dict[str, Any]:
    doc_id = doc["doc_id"]
    return {
        "doc_id": doc_id,
        "title": doc.get("title") or doc_id[:12],
        "lang": doc.get("lang"),
        "counts": {la["name"]: la["columns"].count(doc_id) for la in layers},
        "scores": {
            la["name"]: round(sum(w or 0 for w in la["columns"].column("weight", doc_id)), 2)
            for la in layers
            if la["score"]
        },
        "annotators": len(raters),
    }


def write_pages(
    release: Path,
    out: Path,
    manifest: dict[str, Any],
    *,
    viewer_format: int = 2,
    agreement_definition: int = 1,
    progress: Any,
) -> Any:
    """Write the format-2 (or 3: :mod:`annotate.release.viewer_marks`) viewer of
    ``release`` into ``out``: one page per document and the index, split into pages of
    :data:`INDEX_PAGE_SIZE` documents."""
    from annotate.release.viewer_io import NOT_LAYERS, ViewerResult
    from annotate.release.viewer_io import files as _files
    from annotate.release.viewer_io import read as _read
    from annotate.release.viewer_script import SCRIPT, STYLE
    from annotate.release.viewer_templates import environment

    configs = manifest["configs"]
    docs = sorted(_read(release, "documents"), key=lambda d: (d["title"] or "", d["doc_id"]))
    layers = [_layer(release, c) for c in configs if c not in NOT_LAYERS]
    raw = None
    if "annotations" in configs:  # the script reads neither who made the gold nor how
        if viewer_format == 2:
            raw = read_columns(_files(release, "annotations"), drop=_RAW_UNUSED)
        else:
            raw = _marked(release, _files(release, "annotations"), agreement_definition)
    env = environment()
    page = env.get_template(f"document{viewer_format}.html")
    common = {"dataset": manifest["dataset"], "version": manifest["version"]}
    if viewer_format == 2:
        common |= {"style": STYLE, "script": SCRIPT}
    else:
        from annotate.release.viewer_marks import STYLE3, script

        common |= {"style": STYLE + STYLE3, "script": script(SCRIPT)}
    result = ViewerResult(out)
    index_rows = []
    progress(f"writing {len(docs)} document pages")
    for doc in docs:
        name = f"doc-{doc['doc_id'][:16]}.html"
        raters = sorted(set(raw.column("annotator", doc["doc_id"]))) if raw else []
        boiler = set(doc.get("boilerplate") or [])
        text = doc["text"]
        paragraphs = [
            {"text": text[p["start"] : p["end"]], "boilerplate": i in boiler}
            for i, p in enumerate(doc["paragraphs"])
        ]
        html = page.render(
            **common,
            lang=doc["lang"],
            doc=doc,
            layers=[la["name"] for la in layers],
            annotators=raters,
            paragraphs=paragraphs,
            data=document_payload(doc, layers, raw),
        )
        (out / name).write_text(html, encoding="utf-8")
        result.pages.append(out / name)
        index_rows.append({"page": name, **_summary(doc, layers, raters)})
    result.pages[:0] = _write_index(env, out, common, layers, index_rows)
    return result


def _marked(release: Path, files: list[Path], definition: int) -> Columns:
    """The raw rows with each one's mark (viewer format 3), told under the release's own
    schema copy (which fields are free text)."""
    from annotate.release.viewer_marks import MARK_COLUMN, rater_marks
    from annotate.schemas import SchemaSet, using_schemas

    columns = read_columns(files)
    doc_ids: list[str] = [""] * sum(last - first for first, last in columns.where.values())
    for doc_id, (first, last) in columns.where.items():
        doc_ids[first:last] = [doc_id] * (last - first)
    with using_schemas(SchemaSet.from_directory(release / "schema")):
        columns.values[MARK_COLUMN] = rater_marks(columns.values, doc_ids, definition=definition)
    for name in _RAW_UNUSED:
        columns.values.pop(name, None)
    return columns


def _write_index(
    env: Any,
    out: Path,
    common: dict[str, Any],
    layers: list[dict[str, Any]],
    rows: list[dict[str, Any]],
) -> list[Path]:
    from annotate.release.viewer_templates import TOGGLES

    chunks = [rows[i : i + INDEX_PAGE_SIZE] for i in range(0, len(rows), INDEX_PAGE_SIZE)]
    names = ["index.html", *(f"index-{n}.html" for n in range(2, len(chunks) + 1))]
    template = env.get_template("index2.html")
    for number, (name, chunk) in enumerate(zip(names, chunks or [[]], strict=False), start=1):
        html = template.render(
            **(common | {"script": TOGGLES}),
            lang=None,
            layers=[{"name": la["name"], "score": la["score"]} for la in layers],
            documents=chunk,
            total=len(rows),
            pages=names,
            number=number,
        )
        (out / name).write_text(html, encoding="utf-8")
    return [out / n for n in names]
