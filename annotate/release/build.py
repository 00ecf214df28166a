"""Build a release: pinned exports + corpus + schema → ``releases/<dataset>/<version>/``.

The release holds one parquet file per config (``documents`` and one per layer) with
explicit features, a README.md dataset card and a manifest.json of inputs and outputs with
their sha256. It is written to a temporary directory and renamed into place, and an
existing version is never overwritten. The same inputs give byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import annotate
from annotate.agreement import select_gold
from annotate.corpus import read_articles
from annotate.errors import ReleaseError
from annotate.layers import LAYERS, get_layer
from annotate.layers.translation_errors import TranslationErrorsLayer
from annotate.pins import file_sha256, read_pins
from annotate.release.card import render_card
from annotate.release.manifest import file_entries, write_manifest
from annotate.release.tables import DOCUMENT_FEATURES, document_rows, write_parquet
from annotate.schemas import schema_files
from annotate.validate import Report, validate_exports

__all__ = ["BuildResult", "build_release"]

Progress = Callable[[str], None]


@dataclass(slots=True)
class BuildResult:
    path: Path
    counts: dict[str, int]
    report: Report
    gold_rules: dict[str, Counter[str]] = field(default_factory=dict)


def _input_entries(paths: list[Path], root: Path) -> list[dict[str, str]]:
    out = []
    for p in sorted(set(paths)):
        try:
            name = p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = p.name
        out.append({"path": name, "sha256": file_sha256(p)})
    return sorted(out, key=lambda e: e["path"])


def build_release(
    *,
    articles: Path,
    pins: Path | None = None,
    exports: list[Path] | None = None,
    out: Path,
    dataset: str,
    version: str,
    card_template: Path,
    license: str = "other",
    project_root: Path = Path("."),
    progress: Progress | None = None,
) -> BuildResult:
    """Build ``out/<dataset>/<version>/`` from the corpus and the pinned (or given) exports."""
    say = progress or (lambda _msg: None)
    target = out / dataset / version
    if target.exists():
        raise ReleaseError(
            "this version already exists; releases are immutable",
            file=target,
            hint="choose a new version",
        )
    say("reading the corpus")
    documents = {d.id: d for d in read_articles(articles)}
    export_paths = list(exports or [])
    if pins is not None:
        export_paths += [pins.parent / p.path for p in read_pins(pins)]
    if not export_paths:
        raise ReleaseError("no exports to build from", hint="pass --pins or --export")
    say(f"validating {len(export_paths)} exports")
    report = validate_exports(export_paths, documents)
    gold = select_gold(report.valid)
    rules: dict[str, Counter[str]] = {}
    rows_by_layer: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    for choice in gold.values():
        ann = choice.annotation
        rules.setdefault(ann.layer, Counter())[choice.rule] += 1
        rows_by_layer[ann.layer] += get_layer(ann.layer).rows(ann, documents[ann.doc_id])

    tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=_ensure(out / dataset)))
    try:
        counts: dict[str, int] = {}
        file_rows: dict[str, int] = {}
        say("writing parquet")
        counts["documents"] = write_parquet(
            document_rows(list(documents.values())),
            DOCUMENT_FEATURES,
            tmp / "documents/train.parquet",
        )
        file_rows["documents/train.parquet"] = counts["documents"]
        for name, rows in rows_by_layer.items():
            lay = get_layer(name)
            rows.sort(
                key=lambda r: (
                    r["doc_id"],
                    r["start"],
                    r["end"],
                    json.dumps(r, sort_keys=True, default=str),
                )
            )
            counts[name] = write_parquet(rows, lay.features(), tmp / f"{name}/train.parquet")
            file_rows[f"{name}/train.parquet"] = counts[name]
        configs = ["documents", *rows_by_layer]
        context = _card_context(documents, rows_by_layer, rules, report)
        say("rendering the card")
        card = render_card(
            card_template,
            dataset=dataset,
            version=version,
            configs=configs,
            languages=sorted({d.lang for d in documents.values()}),
            license=license,
            total_rows=sum(counts.values()),
            context=context,
        )
        (tmp / "README.md").write_text(card, encoding="utf-8")
        inputs = _input_entries(
            [
                *export_paths,
                *(Path(d.source_path.split(":")[0]) for d in documents.values() if d.source_path),
            ],
            project_root,
        )
        manifest = {
            "dataset": dataset,
            "version": version,
            "toolkit": {"name": "annotate", "version": annotate.__version__},
            "created": _created(),
            "schema": {name: text_sha for name, text_sha in _schema_hashes().items()},
            "lock": _lock_hash(project_root),
            "inputs": inputs,
            "files": file_entries(tmp, file_rows),
            "counts": counts,
            "validation": report.counts(),
        }
        write_manifest(tmp, manifest)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(target, counts, report, rules)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _created() -> str | None:
    """Build time only when SOURCE_DATE_EPOCH pins it, so that rebuilds are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _schema_hashes() -> dict[str, str]:
    import hashlib

    return {
        name: hashlib.sha256(text.encode()).hexdigest() for name, text in schema_files().items()
    }


def _lock_hash(root: Path) -> str | None:
    lock = root / "requirements.lock"
    return file_sha256(lock) if lock.exists() else None


def _card_context(documents, rows_by_layer, rules, report) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    mqm = TranslationErrorsLayer()
    per_segment: dict[tuple[str, int, int], float] = {}
    for r in rows_by_layer.get("translation_errors", []):
        key = (r["doc_id"], r["segment_start"], r["segment_end"])
        per_segment[key] = per_segment.get(key, 0.0) + mqm.weight(r["label"], r["severity"])
    paragraphs = []
    for d in sorted(documents.values(), key=lambda d: d.id):
        for p in d.paragraphs:
            words = len(d.text[p.start : p.end].split())
            score = round(per_segment.get((d.id, p.start, p.end), 0.0), 2)
            paragraphs.append(
                {
                    "doc": d.id[:12],
                    "index": p.index,
                    "words": words,
                    "score": score,
                    "per100": round(100 * score / words, 2) if words else 0.0,
                    "boilerplate": p.boilerplate,
                }
            )

    def label_counts(layer: str, key: str) -> list[tuple[str, int]]:
        c = Counter(str(r[key]) for r in rows_by_layer.get(layer, []))
        return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))

    return {
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "lang": d.lang,
                "chars": len(d.text),
                "paragraphs": len(d.paragraphs),
            }
            for d in sorted(documents.values(), key=lambda d: d.id)
        ],
        "counts": {name: len(rows) for name, rows in rows_by_layer.items()},
        "entity_labels": label_counts("entities", "label"),
        "claim_types": label_counts("claims", "claim_type"),
        "claim_modalities": label_counts("claims", "modality"),
        "mqm_labels": label_counts("translation_errors", "label"),
        "mqm_severities": label_counts("translation_errors", "severity"),
        "mqm_paragraphs": paragraphs,
        "gold_rules": {k: dict(sorted(v.items())) for k, v in sorted(rules.items())},
        "validation": report.counts(),
    }
