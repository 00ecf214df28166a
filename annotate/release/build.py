"""Build a release: pinned exports + corpus + schema → ``releases/<dataset>/<version>/``.

Three steps, so that :func:`annotate.release.publish.release` can choose the version from
the data before the version is written anywhere:

1. :func:`collect` reads the corpus and the exports, validates them, picks the gold and
   assembles one Arrow table per config (:meth:`ReleaseData.table`): ClassLabels as
   indexes, the Hugging Face features in the schema. Everything after reads the tables;
2. :func:`write_data` writes what does not depend on the version: one parquet file per
   config (``documents``, ``segments`` and one per layer), the training formats asked
   for, the distribution plot and a copy of the schemas;
3. :func:`write_metadata` writes the dataset card (README.md), the CHANGELOG.md and
   manifest.json (inputs and outputs with their sha256, counts, versions).

:func:`build_release` runs the three into a temporary directory and renames it into
place; an existing version is never overwritten. The same inputs give byte-identical
files: nothing reads the clock; the manifest's ``created`` comes from SOURCE_DATE_EPOCH or
else from the latest annotation time in the exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa

import annotate
from annotate.agreement import pairwise_agreement, select_gold
from annotate.corpus import read_articles
from annotate.errors import ReleaseError
from annotate.layers import LAYERS, Layer, get_layer
from annotate.model import Annotation, Document
from annotate.names import check_dataset_name, check_version, path_under
from annotate.pins import file_sha256, label_exports, validate_labels
from annotate.release.card import card_context, render_card
from annotate.release.formats import FORMATS, check_formats, write_formats
from annotate.release.guard import Acceptance, accepted_section, check_publishable
from annotate.release.manifest import file_entries, write_manifest
from annotate.release.plot import PLOT, write_plot
from annotate.release.tables import (
    ANNOTATION_FEATURES,
    DOCUMENT_FEATURES,
    PARQUET_LAYOUT,
    SEGMENT_FEATURES,
    annotation_rows,
    document_rows,
    pseudonym,
    row_id_column,
    segment_row,
    to_table,
    write_table,
)
from annotate.release.viewer import VIEWER_DIR, write_viewer
from annotate.schemas import SchemaSet, active_schemas, using_schemas
from annotate.sources.foreign import (
    ForeignOptions,
    foreign_inputs,
    foreign_settings,
    refuse_unmapped,
)
from annotate.validate import Report

__all__ = [
    "BuildResult",
    "ReleaseData",
    "build_release",
    "collect",
    "config_features",
    "config_fingerprints",
    "place",
    "refuse_existing",
    "staging",
    "write_data",
    "write_metadata",
]

Progress = Callable[[str], None]
SCHEMA_DIR = "schema"
CHANGELOG = "CHANGELOG.md"
NOTES = "NOTES.md"  # beside pins.json: the annotation process, rendered into the card
# The card template shipped in the package (it loops over the layers), used unless one is
# given; the manifest names it by this name, as it lies outside the project.
PACKAGE_CARD = Path(__file__).with_name("dataset_card.md")
PACKAGE_CARD_INPUT = "annotate:release/dataset_card.md"


@dataclass(slots=True)
class BuildResult:
    path: Path
    counts: dict[str, int]
    report: Report
    gold_rules: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass(slots=True)
class ReleaseData:
    """What a release is made of, before anything is written: the rows of every config
    (read by the training formats) and, once assembled, their Arrow tables (read by
    everything else)."""

    documents: dict[str, Document]
    rows: dict[str, list[dict[str, Any]]]  # config → rows ("segments" and one per layer)
    report: Report
    gold_rules: dict[str, Counter[str]]
    inputs: list[dict[str, str]]  # path (relative to the project root) and sha256
    created: str | None
    created_from: str | None  # "SOURCE_DATE_EPOCH", "annotations" or None
    lock: str | None = None  # sha256 of the project's requirements.lock
    agreement: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: str | None = None  # <labels dir>/NOTES.md: how the pinned labels were made
    card_template: Path = PACKAGE_CARD  # the card template it is rendered with
    card_input: str = PACKAGE_CARD_INPUT  # how the inputs name that template
    foreign: dict[str, Any] | None = None  # how exports annotate did not make were read
    layout: int = PARQUET_LAYOUT  # how the parquet files are laid out (PARQUET_LAYOUTS)
    # whether the card's configs carry a fingerprint of their files (1.0.0's do not): the
    # key `datasets` caches a local release under (see config_fingerprints)
    fingerprints: bool = True
    viewer: bool = False  # write the HTML viewer into viewer/ (annotate release does)
    schemas: SchemaSet = field(default_factory=active_schemas)  # validated and built with
    accepted: dict[str, int] = field(default_factory=dict)  # guard.check_publishable
    _tables: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    _counted: dict[tuple[str, str], Counter[Any]] = field(default_factory=dict, repr=False)
    _card: dict[str, Any] | None = field(default=None, repr=False)

    def layers(self) -> list[Layer]:
        """The layers the release holds (those with rows), in registry order, bound to the
        release's schemas."""
        return [get_layer(c, self.schemas) for c in self.configs if c in LAYERS]

    @property
    def configs(self) -> list[str]:
        """The configs the release holds: a layer with no rows is left out (of the files,
        the card and the manifest), as ``datasets`` cannot load an empty split."""
        return ["documents", *(name for name, rows in self.rows.items() if rows)]

    def table(self, config: str) -> pa.Table:
        """The Arrow table of one config, converted from its rows on first use."""
        if config not in self._tables:
            if config == "documents":
                rows = document_rows(self.documents.values())
            else:
                rows = self.rows[config]
            self._tables[config] = to_table(rows, config_features(config, self.schemas))
        return self._tables[config]

    def assemble(self) -> ReleaseData:
        """Convert every config to Arrow now; returns ``self``. Turning Python rows into
        Arrow costs several times writing the table, so it is done once, here, and the
        release is written from the tables."""
        for config in self.configs:
            self.table(config)
        return self

    def card_numbers(self) -> dict[str, Any]:
        """The card's version-independent numbers and tables (a fresh copy each call),
        computed once."""
        if self._card is None:
            self._card = card_context(self)
        return dict(self._card)

    def count(self, config: str, *columns: str) -> Counter[Any]:
        """How many rows of ``config`` have each value (tuple of values) of ``columns``,
        ClassLabels by name, in order of first appearance; counted once, by Arrow's
        group-by, for the card and the plot."""
        key = (config, ",".join(columns))
        if key not in self._counted:
            self._counted[key] = Counter()
            if self.rows.get(config):
                self._counted[key] = _count(self.table(config), list(columns))
        return self._counted[key]


def _count(table: pa.Table, columns: list[str]) -> Counter[Any]:
    features = datasets.Features.from_arrow_schema(table.schema)
    grouped = table.group_by(columns, use_threads=False).aggregate([([], "count_all")])
    keys = []
    for name in columns:
        values = grouped.column(name).to_pylist()
        feat = features[name]
        if isinstance(feat, datasets.ClassLabel):
            values = [None if v is None else feat.names[v] for v in values]
        keys.append(values)
    counts = grouped.column("count_all").to_pylist()
    if len(columns) == 1:
        return Counter(dict(zip(keys[0], counts, strict=True)))
    return Counter(dict(zip(zip(*keys, strict=True), counts, strict=True)))


def config_features(config: str, schemas: SchemaSet | None = None) -> Any:
    """The features of one config of a release (a layer's under ``schemas``, default the
    active set)."""
    if config == "documents":
        return DOCUMENT_FEATURES
    if config == "segments":
        return SEGMENT_FEATURES
    if config == "annotations":
        return ANNOTATION_FEATURES
    return get_layer(config, schemas).features()


def _input_entries(paths: list[Path], root: Path) -> list[dict[str, str]]:
    out = {}
    for p in set(paths):
        try:
            name = p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = p.name
        out[name] = {"path": name, "sha256": file_sha256(p)}
    return [out[k] for k in sorted(out)]


def _sort_rows(config: str, rows: list[dict[str, Any]], schemas: SchemaSet) -> None:
    if config == "segments":
        rows.sort(key=lambda r: (r["layer"], r["doc_id"], r["segment_start"], r["segment_end"]))
        return
    if config == "annotations":
        rows.sort(
            key=lambda r: (
                r["layer"],
                r["doc_id"],
                r["annotator"],
                r["segment_start"],
                -1 if r["start"] is None else r["start"],
                r["end"] or -1,
                r["label"] or "",
                r["span_id"] or "",
            )
        )
        return
    ident = row_id_column(config_features(config, schemas)) or "doc_id"
    rows.sort(key=lambda r: (r["doc_id"], r["start"], r["end"], str(r.get(ident))))


def collect(
    *,
    articles: Path | Sequence[Path] | None,
    pins: Path | None = None,
    exports: Sequence[Path] | None = None,
    card_template: Path | None = None,
    notes: Path | None = None,
    project_root: Path = Path("."),
    schemas: SchemaSet | None = None,
    progress: Progress | None = None,
    layer: str | None = None,
    foreign: ForeignOptions | None = None,
) -> ReleaseData:
    """Read the corpus and the pinned (or given) exports, validate against ``schemas``
    (default: the active set; a rebuild passes the release's own copy), and choose the
    gold. ``layer`` and ``foreign`` (text field, labeling config, label map) are for
    exports annotate did not make; their tasks' texts are the documents then.

    ``notes`` (the project's NOTES.md) is the provenance the card tells; without it, the
    ``NOTES.md`` beside the pins, if any (as release 1.0.0 was built)."""
    with using_schemas(schemas) as chosen:
        data = _collect(
            articles=articles,
            pins=pins,
            exports=exports,
            card_template=card_template,
            notes=notes,
            project_root=project_root,
            progress=progress,
            layer=layer,
            foreign=foreign,
        )
    data.schemas = chosen
    return data.assemble()


def _collect(
    *,
    articles: Path | Sequence[Path] | None,
    pins: Path | None,
    exports: Sequence[Path] | None,
    card_template: Path | None,
    notes: Path | None,
    project_root: Path,
    progress: Progress | None,
    layer: str | None,
    foreign: ForeignOptions | None,
) -> ReleaseData:
    say = progress or (lambda _msg: None)
    say("reading the corpus")
    documents = {d.id: d for d in read_articles(articles)} if articles is not None else {}
    export_paths = label_exports(pins, exports or [])
    if not export_paths:
        raise ReleaseError("no exports to build from", hint="pass --pins or --export")
    say(f"validating {len(export_paths)} exports")
    report = validate_labels(export_paths, documents, pins_path=pins, layer=layer, foreign=foreign)
    refuse_unmapped(report)
    documents.update(report.documents)
    gold = select_gold(report.valid)
    rules: dict[str, Counter[str]] = {}
    rows: dict[str, list[dict[str, Any]]] = {"segments": [], **{name: [] for name in LAYERS}}
    for choice in gold.values():
        ann = choice.annotation
        rules.setdefault(ann.layer, Counter())[choice.rule] += 1
        layer_rows = get_layer(ann.layer).rows(ann, documents[ann.doc_id])
        rows[ann.layer] += layer_rows
        rows["segments"].append(
            segment_row(
                doc_id=ann.doc_id,
                layer=ann.layer,
                segment_start=ann.segment_start,
                segment_end=ann.segment_end,
                judgement=ann.judgement,
                annotator=ann.annotator,
                rule=choice.rule,
                candidates=choice.candidates,
                spans=len(layer_rows),
            )
        )
    rows["annotations"] = annotation_rows(report.valid, documents)
    for config, config_rows in rows.items():
        _sort_rows(config, config_rows, active_schemas())
    agreement = pairwise_agreement(report.valid)
    for table in agreement.values():
        for row in table:
            row["annotators"] = " vs ".join(pseudonym(a) for a in row["annotators"].split(" vs "))
    sources = [Path(d.source_path.split(":")[0]) for d in documents.values() if d.source_path]
    sidecars = [p.with_name(p.stem + ".meta.json") for p in sources]
    input_paths = [*export_paths, *sources, *(p for p in sidecars if p.exists())]
    notes_text = None
    if pins is not None:
        input_paths.append(pins)
    notes_path = notes if notes is not None else pins.parent / NOTES if pins is not None else None
    if notes_path is not None and notes_path.exists():
        notes_text = notes_path.read_text(encoding="utf-8").strip()
        input_paths.append(notes_path)
    read_as = foreign_settings(layer, foreign)
    input_paths += foreign_inputs(foreign)
    inputs = _input_entries(input_paths, project_root)
    template = card_template or PACKAGE_CARD
    card = _input_entries([template], project_root)[0]
    if card_template is None:
        card["path"] = PACKAGE_CARD_INPUT
    inputs = sorted([*inputs, card], key=lambda e: e["path"])
    created, created_from = _created(report.valid)
    say("assembling the tables")
    return ReleaseData(
        documents=documents,
        rows=rows,
        report=report,
        gold_rules=rules,
        inputs=inputs,
        card_template=template,
        card_input=card["path"],
        created=created,
        created_from=created_from,
        lock=_lock_hash(project_root),
        agreement=agreement,
        notes=notes_text,
        foreign=read_as,
    )


def write_data(
    data: ReleaseData,
    root: Path,
    *,
    formats: Sequence[str] = (),
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the version-independent files of a release into ``root``; returns the row
    count of every parquet file by its relative path.

    The parquet files are written in worker threads (pyarrow releases the GIL) while the
    plot is drawn and the card's numbers are computed; the bytes do not depend on the
    order."""
    with using_schemas(data.schemas):  # the training formats read the taxonomy too
        return _write_data(data, root, formats=formats, progress=progress)


def _write_data(
    data: ReleaseData, root: Path, *, formats: Sequence[str], progress: Progress | None
) -> dict[str, int]:
    say = progress or (lambda _msg: None)
    say("writing parquet")
    tables = {f"{config}/train.parquet": data.table(config) for config in data.configs}
    largest_first = sorted(tables, key=lambda path: -tables[path].nbytes)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        started = {
            path: pool.submit(write_table, tables[path], root / path, layout=data.layout)
            for path in largest_first
        }
        written = {path: started[path] for path in tables}  # file_rows in config order
        say("drawing the plot")
        write_plot(data.layers(), data, path=root / PLOT)
        data.card_numbers()
        file_rows = {path: future.result() for path, future in written.items()}
    schema_dir = root / SCHEMA_DIR
    schema_dir.mkdir(parents=True, exist_ok=True)
    for name, text in data.schemas.files.items():
        (schema_dir / name).write_text(text, encoding="utf-8")
    if formats:
        say(f"writing {', '.join(formats)}")
        write_formats(formats, data.documents, data.rows, root)
    return file_rows


def write_metadata(
    data: ReleaseData,
    root: Path,
    *,
    file_rows: dict[str, int],
    dataset: str,
    version: str,
    card_template: Path | None = None,
    license: str = "other",
    formats: Sequence[str] = (),
    changelog: str | None = None,
    changes: str | None = None,
    previous: str | None = None,
    bump: dict[str, Any] | None = None,
    repo_id: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write README.md (the card, from ``card_template``, default the one the data was
    collected with), CHANGELOG.md (when given) and manifest.json into ``root``; returns
    the manifest."""
    say = progress or (lambda _msg: None)
    counts = {c: data.table(c).num_rows for c in data.configs}
    say("rendering the card")
    context = data.card_numbers()
    context.update(
        formats=[
            {"name": n, "path": FORMATS[n].path, "description": FORMATS[n].description}
            for n in formats
        ],
        plot=PLOT,
        changes=changes,
        previous=previous,
        repo_id=repo_id,
    )
    card = render_card(
        card_template or data.card_template,
        dataset=dataset,
        version=version,
        configs=data.configs,
        layers=data.layers(),
        languages=sorted({d.lang for d in data.documents.values()}),
        license=license,
        total_rows=sum(
            v for k, v in counts.items() if k not in ("documents", "segments", "annotations")
        ),
        context=context,
        fingerprints=config_fingerprints(root, data.configs, dataset=dataset, version=version)
        if data.fingerprints
        else None,
    )
    card += accepted_section(data.accepted)
    (root / "README.md").write_text(card, encoding="utf-8")
    if data.viewer:
        say("writing the viewer")
        write_viewer(root, dataset=dataset, version=version, configs=data.configs)
    if changelog is not None:
        (root / CHANGELOG).write_text(changelog, encoding="utf-8")
    manifest = {
        "dataset": dataset,
        "version": version,
        "previous": previous,
        "bump": bump,
        "toolkit": {"name": "annotate", "version": annotate.__version__},
        "created": data.created,
        "created_from": data.created_from,
        "schema": data.schemas.hashes(),
        "schema_versions": {
            name: data.schemas.taxonomy(name).version
            for name in LAYERS
            if f"{name}.schema.json" in data.schemas.files
        },
        "lock": data.lock,
        "inputs": data.inputs,
        "card_template": data.card_input,
        "configs": data.configs,
        "parquet_layout": data.layout,
        **({"config_fingerprints": True} if data.fingerprints else {}),
        **({"viewer": f"{VIEWER_DIR}/index.html"} if data.viewer else {}),
        "license": license,
        "repo_id": repo_id,
        "formats": {n: FORMATS[n].path for n in formats},
        "files": file_entries(root, file_rows),
        "counts": counts,
        "validation": data.report.counts(),
    }
    if data.foreign is not None:  # only then: older manifests keep their bytes
        manifest["foreign"] = data.foreign
    if data.accepted:  # absent when nothing was accepted, as in releases made before
        manifest["accepted"] = data.accepted
    write_manifest(root, manifest)
    return manifest


def config_fingerprints(
    root: Path, configs: Sequence[str], *, dataset: str, version: str
) -> dict[str, str]:
    """Config → a line naming the release and the sha256 of the config's files.

    `datasets` caches a local dataset under the folder's name (the version: ``1.0.0``), the
    config, and a hash of the card's YAML (``configs``, ``dataset_info``), which holds the
    data files' *relative* paths but nothing of their contents. So ``a/1.0.0`` and
    ``b/1.0.0`` with the same configs share one cache entry, and whichever was loaded first
    is what both load. A config's ``description`` (a builder parameter that `datasets`
    hashes into that key) that names the files' sha256 makes the key differ whenever the
    data does, and keeps it whenever it does not.
    """
    out = {}
    for config in configs:
        digest = hashlib.sha256()
        for path in sorted((root / config).rglob("*.parquet")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file_sha256(path).encode() + b"\0")
        out[config] = f"{dataset} {version}, {config}; files sha256 {digest.hexdigest()}"
    return out


@contextmanager
def staging(out: Path, dataset: str, version: str) -> Iterator[Path]:
    """A temporary directory beside the releases of ``dataset``, removed unless it was
    renamed into place by the caller."""
    parent = path_under(out, check_dataset_name(dataset))
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def refuse_existing(target: Path) -> None:
    if target.exists():
        raise ReleaseError(
            "this version already exists; releases are immutable",
            file=target,
            hint="choose a new version (or let `annotate release --bump auto` choose)",
        )


def place(tmp: Path, target: Path) -> None:
    """Rename the finished release into place; refuses when the version appeared meanwhile."""
    refuse_existing(target)
    try:
        os.rename(tmp, target)
    except OSError as exc:  # another build took the name between the check and the rename
        raise ReleaseError(
            f"cannot move the release into place: {exc.strerror}", file=target
        ) from exc


def build_release(
    *,
    articles: Path | Sequence[Path] | None,
    pins: Path | None = None,
    exports: list[Path] | None = None,
    out: Path,
    dataset: str,
    version: str,
    card_template: Path | None = None,
    license: str = "other",
    project_root: Path = Path("."),
    formats: Sequence[str] = (),
    layout: int = PARQUET_LAYOUT,
    schemas: SchemaSet | None = None,
    fingerprints: bool = True,
    accept: Acceptance = Acceptance(),
    notes: Path | None = None,
    progress: Progress | None = None,
    layer: str | None = None,
    foreign: ForeignOptions | None = None,
) -> BuildResult:
    """Build ``out/<dataset>/<version>/`` from the corpus and the pinned (or given) exports,
    with the card template given (default: the package's, which loops over the layers);
    ``layout``, ``schemas`` (default: the active set) and ``fingerprints`` are for
    rebuilding a release made with an older parquet layout, schema version or card.
    Refuses an empty release, records of documents not in the corpus and quarantined
    records unless ``accept`` says otherwise (:mod:`annotate.release.guard`)."""
    formats = check_formats(formats)  # registry order: the bytes must not depend on the call
    target = path_under(out, check_dataset_name(dataset), check_version(version))
    refuse_existing(target)
    data = collect(
        articles=articles,
        pins=pins,
        exports=exports,
        card_template=card_template,
        notes=notes,
        project_root=project_root,
        schemas=schemas,
        progress=progress,
        layer=layer,
        foreign=foreign,
    )
    data.layout = layout
    data.fingerprints = fingerprints
    data.accepted = check_publishable(data.report, accept)
    with staging(out, dataset, version) as tmp:
        file_rows = write_data(data, tmp, formats=formats, progress=progress)
        manifest = write_metadata(
            data,
            tmp,
            file_rows=file_rows,
            dataset=dataset,
            version=version,
            card_template=card_template,
            license=license,
            formats=formats,
            progress=progress,
        )
        place(tmp, target)
    return BuildResult(target, manifest["counts"], data.report, data.gold_rules)


def _created(records: list[Annotation]) -> tuple[str | None, str | None]:
    """The build time: SOURCE_DATE_EPOCH when set, else the latest annotation time of the
    inputs, else none; never the clock, so that rebuilds are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except ValueError:
            raise ReleaseError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds",
                hint="unset it or give an integer",
            ) from None
        return when.strftime("%Y-%m-%dT%H:%M:%SZ"), "SOURCE_DATE_EPOCH"
    times = []
    for rec in records:
        if not rec.created_at:
            continue
        try:
            parsed = dt.datetime.fromisoformat(rec.created_at)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        times.append(parsed.astimezone(dt.UTC))
    if not times:
        return None, None
    return max(times).strftime("%Y-%m-%dT%H:%M:%SZ"), "annotations"


def _lock_hash(root: Path) -> str | None:
    lock = root / "requirements.lock"
    return file_sha256(lock) if lock.exists() else None
