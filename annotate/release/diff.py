"""What changed between two releases: documents, spans and judgements added, removed and
changed, per layer and per label, with examples in context; and schema changes.

Rows of a layer are matched in three passes: by document and row id (``span_id``,
``claim_id``, ``error_id``: Label Studio keeps a region's id when an annotator corrects
it), then by document and offsets, then by overlapping offsets in the same segment (a
corrected boundary); what is left is removed (only in A) or added (only in B). A matched
pair whose other fields differ is a change, with the fields named. Judgements are the
rows of the ``segments`` config, matched by layer, document and segment offsets.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets

from annotate.errors import ReleaseError
from annotate.release.changes import Change, ConfigDiff, Kind, ReleaseDiff
from annotate.release.manifest import read_manifest
from annotate.release.shards import config_files
from annotate.release.tables import features_of, label_column, read_rows, row_id_column

__all__ = [
    "Snapshot",
    "diff_releases",
    "diff_snapshots",
    "load_snapshot",
]

_CONTEXT = 40


@dataclass(slots=True)
class Snapshot:
    """A release read back for comparison."""

    path: Path
    version: str | None
    documents: dict[str, dict[str, Any]]
    configs: dict[str, list[dict[str, Any]]]  # every config but documents
    features: dict[str, datasets.Features]  # every config, documents included
    taxonomies: dict[str, dict[str, Any]]  # layer → the x-annotate block of its schema copy


def load_snapshot(
    path: Path, *, configs: list[str] | None = None, version: str | None = None
) -> Snapshot:
    """Read the release in ``path`` (its manifest, parquet files and schema copy); with
    ``configs`` (a release being built, without manifest yet) the manifest is not read."""
    manifest = read_manifest(path) if configs is None else {"version": version}
    names = (
        configs
        or manifest.get("configs")
        or sorted(p.parent.name for p in path.glob("*/train.parquet"))
    )
    features: dict[str, datasets.Features] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    documents: dict[str, dict[str, Any]] = {}
    for name in names:
        files = [path / rel for rel in config_files(path, name, manifest)]  # shards in order
        for file in files:
            if not file.is_file():
                raise ReleaseError(f"config {name!r} has no data file", file=file)
        features[name] = features_of(files[0])
        rows = [row for file in files for row in read_rows(file)]
        if name == "documents":
            documents = {r["doc_id"]: r for r in rows}
        else:
            tables[name] = rows
    taxonomies = {}
    for schema_file in sorted((path / "schema").glob("*.schema.json")):
        meta = json.loads(schema_file.read_text(encoding="utf-8")).get("x-annotate")
        if meta:
            taxonomies[meta["layer"]] = meta
    return Snapshot(path, manifest.get("version"), documents, tables, features, taxonomies)


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - _CONTEXT) : start].replace("\n", " ")
    right = text[end : end + _CONTEXT].replace("\n", " ")
    return f"…{left}[{text[start:end]}]{right}…"


def _fields(a: dict[str, Any], b: dict[str, Any], ignore: Iterable[str | None]) -> list[str]:
    skip = set(ignore)
    return [k for k in sorted(set(a) | set(b)) if k not in skip and a.get(k) != b.get(k)]


def _shared_fields(a: dict[str, Any], b: dict[str, Any], ignore: Iterable[str]) -> list[str]:
    """The fields that differ among the columns both rows have: a column one release adds
    (the provenance columns) is a schema change, which the schema diff names."""
    return _fields(a, b, ignore=[*ignore, *(set(a) ^ set(b))])


def _doc_text(snap: Snapshot, doc_id: str) -> str:
    return str(snap.documents.get(doc_id, {}).get("text") or "")


def _diff_layer(name: str, a: Snapshot, b: Snapshot) -> ConfigDiff:
    feats = b.features.get(name) or a.features[name]
    ident = row_id_column(feats)
    label_col = label_column(feats)
    rows_a, rows_b = a.configs.get(name, []), b.configs.get(name, [])
    out = ConfigDiff(name)
    left = dict(enumerate(rows_a))
    right = dict(enumerate(rows_b))
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def match(key_of: Any) -> None:
        index: dict[Any, list[int]] = defaultdict(list)
        for j, r in right.items():
            index[key_of(r)].append(j)
        for i in list(left):
            candidates = index.get(key_of(left[i]))
            while candidates and candidates[0] not in right:
                candidates.pop(0)
            if candidates:
                j = candidates.pop(0)
                pairs.append((left.pop(i), right.pop(j)))

    if ident:
        match(lambda r: (r["doc_id"], r[ident]))
    match(lambda r: (r["doc_id"], r["start"], r["end"]))
    # a corrected boundary: the same segment, overlapping offsets
    by_segment: dict[Any, list[int]] = defaultdict(list)
    for j, r in right.items():
        by_segment[(r["doc_id"], r["segment_start"], r["segment_end"])].append(j)
    for i in list(left):
        r = left[i]
        best, best_overlap = None, 0
        for j in by_segment.get((r["doc_id"], r["segment_start"], r["segment_end"]), []):
            if j not in right:
                continue
            overlap = min(r["end"], right[j]["end"]) - max(r["start"], right[j]["start"])
            if overlap > best_overlap:
                best, best_overlap = j, overlap
        if best is not None:
            pairs.append((left.pop(i), right.pop(best)))

    def label(r: dict[str, Any]) -> str:
        return str(r.get(label_col)) if label_col else name

    for ra, rb in pairs:
        changed = _fields(ra, rb, ignore=(ident,))
        if not changed:
            out.unchanged += 1
            continue
        relabelled = label(ra) != label(rb)
        out.changes.append(
            Change(
                "changed",
                name,
                rb["doc_id"],
                f"{label(ra)} → {label(rb)}" if relabelled else label(rb),
                ra,
                rb,
                changed,
                _context(_doc_text(b, rb["doc_id"]), rb["start"], rb["end"]),
            )
        )
    for ra in left.values():
        ctx = _context(_doc_text(a, ra["doc_id"]), ra["start"], ra["end"])
        out.changes.append(Change("removed", name, ra["doc_id"], label(ra), ra, None, [], ctx))
    for rb in right.values():
        ctx = _context(_doc_text(b, rb["doc_id"]), rb["start"], rb["end"])
        out.changes.append(Change("added", name, rb["doc_id"], label(rb), None, rb, [], ctx))
    out.changes.sort(key=lambda c: (c.kind, c.doc_id, (c.after or c.before or {}).get("start", 0)))
    return out


def _diff_segments(a: Snapshot, b: Snapshot) -> ConfigDiff:
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["layer"], r["doc_id"], r["segment_start"], r["segment_end"])

    rows_a = {key(r): r for r in a.configs.get("segments", [])}
    rows_b = {key(r): r for r in b.configs.get("segments", [])}
    out = ConfigDiff("segments")
    for k in sorted(set(rows_a) | set(rows_b)):
        ra, rb = rows_a.get(k), rows_b.get(k)
        row = rb or ra or {}
        lab = f"{row['layer']}:{row.get('judgement')}"
        if ra is None:
            out.changes.append(Change("added", "segments", k[1], lab, None, rb))
        elif rb is None:
            out.changes.append(Change("removed", "segments", k[1], lab, ra, None))
        else:
            # the counts of spans and their provenance follow from the layers' own diffs
            changed = _shared_fields(ra, rb, ignore=("spans", "provenance"))
            if changed:
                out.changes.append(Change("changed", "segments", k[1], lab, ra, rb, changed))
            else:
                out.unchanged += 1
    return out


def _taxonomy_items(meta: dict[str, Any]) -> set[str]:
    layer = meta["layer"]
    items = {f"{layer}.label: {label!r}" for label in meta.get("labels", {})}
    for name, choice in meta.get("choices", {}).items():
        items.add(f"{layer}: field {name!r}")
        items |= {f"{layer}.{name}: {v!r}" for v in choice.get("values", {})}
    items |= {f"{layer}: field {name!r}" for name in meta.get("text_fields", {})}
    items |= {f"{layer}: relation {name!r}" for name in meta.get("relations", {})}
    return items


def _features_items(config: str, feats: datasets.Features) -> set[str]:
    items = {f"config {config!r}"}
    for name, feat in feats.items():
        items.add(f"{config}: column {name!r} ({_type_name(feat)})")
        if isinstance(feat, datasets.ClassLabel):
            items |= {f"{config}.{name}: {v!r}" for v in feat.names}
    return items


def _type_name(feat: Any) -> str:
    if isinstance(feat, datasets.ClassLabel):
        return "label"
    if isinstance(feat, datasets.Value):
        return str(feat.dtype)
    return type(feat).__name__


def _schema_changes(a: Snapshot, b: Snapshot) -> tuple[list[str], list[str]]:
    """What the schema of ``b`` removed (or renamed) and added compared with ``a``: configs,
    columns and their types, label names (from the parquet features), and the fields,
    values and relations of the taxonomies both releases carry a copy of."""
    items_a: set[str] = set()
    items_b: set[str] = set()
    shared = set(a.taxonomies) & set(b.taxonomies)
    for snap, items in ((a, items_a), (b, items_b)):
        for config, feats in snap.features.items():
            items |= _features_items(config, feats)
        for layer in shared:
            items |= _taxonomy_items(snap.taxonomies[layer])
    return sorted(items_a - items_b), sorted(items_b - items_a)


_RAW_KEY = ("layer", "doc_id", "annotator", "segment_start", "segment_end", "span_id")


def _diff_raw(a: Snapshot, b: Snapshot) -> dict[str, dict[str, int]]:
    """Rows of the ``annotations`` config added, removed and changed, per layer; a row is
    one annotator's span (or span-less annotation) of a segment. The rows of the annotation
    chosen as a segment's gold are left out: they are the gold rows again, which the layer
    diffs already count."""

    def keyed(snap: Snapshot) -> dict[tuple[Any, ...], dict[str, Any]]:
        gold = {
            (r["layer"], r["doc_id"], r["segment_start"], r["segment_end"], r["annotator"])
            for r in snap.configs.get("segments", [])
        }
        return {
            tuple(r.get(k) for k in _RAW_KEY): r
            for r in snap.configs.get("annotations", [])
            if (r["layer"], r["doc_id"], r["segment_start"], r["segment_end"], r["annotator"])
            not in gold
        }

    rows_a, rows_b = keyed(a), keyed(b)
    out: dict[str, dict[str, int]] = {}

    def count(key: tuple[Any, ...], kind: str) -> None:
        c = out.setdefault(str(key[0]), {"added": 0, "removed": 0, "changed": 0})
        c[kind] += 1

    for key in rows_b.keys() - rows_a.keys():
        count(key, "added")
    for key in rows_a.keys() - rows_b.keys():
        count(key, "removed")
    for key in rows_a.keys() & rows_b.keys():
        if _shared_fields(rows_a[key], rows_b[key], ignore=("decision",)):  # the gold's
            count(key, "changed")
    return dict(sorted(out.items()))


def diff_snapshots(a: Snapshot, b: Snapshot) -> ReleaseDiff:
    """What changed from release ``a`` to release ``b``."""
    docs_a, docs_b = set(a.documents), set(b.documents)
    changed_docs = sorted(
        d for d in docs_a & docs_b if _fields(a.documents[d], b.documents[d], ignore=())
    )
    configs = {"segments": _diff_segments(a, b)}
    # ``annotations`` holds every annotator's raw work; the diff is about the gold.
    for name in sorted((set(a.configs) | set(b.configs)) - {"segments", "annotations"}):
        if name in a.features and name in b.features:
            configs[name] = _diff_layer(name, a, b)
        else:
            side = b if name in b.configs else a
            kind: Kind = "added" if side is b else "removed"
            d = ConfigDiff(name)
            feats = side.features[name]
            lab = label_column(feats)
            for r in side.configs[name]:
                ctx = _context(_doc_text(side, r["doc_id"]), r["start"], r["end"])
                d.changes.append(
                    Change(
                        kind,
                        name,
                        r["doc_id"],
                        str(r.get(lab)) if lab else name,
                        r if kind == "removed" else None,
                        r if kind == "added" else None,
                        [],
                        ctx,
                    )
                )
            configs[name] = d
    removed, added = _schema_changes(a, b)
    return ReleaseDiff(
        a=a.version or str(a.path),
        b=b.version or str(b.path),
        documents={
            "added": sorted(docs_b - docs_a),
            "removed": sorted(docs_a - docs_b),
            "changed": changed_docs,
        },
        configs=configs,
        schema_removed=removed,
        schema_added=added,
        raw=_diff_raw(a, b),
    )


def diff_releases(a: Path, b: Path) -> ReleaseDiff:
    """What changed from the release in directory ``a`` to the one in ``b``."""
    return diff_snapshots(load_snapshot(a), load_snapshot(b))
