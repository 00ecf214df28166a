"""What a release is made of, before anything is written: :class:`ReleaseData`, made from a
:class:`~annotate.model.GoldSet` by :func:`release_data`.

The rows of every config (``documents``, ``segments``, one per layer, ``annotations``:
every rater's raw rows) are made as a stream from the gold set (:mod:`annotate.release.
rows`) and assembled once into Arrow tables a chunk of rows at a time (ClassLabels as
indexes, the Hugging Face features in the schema), which everything after reads: the
parquet writer, the card, the plot, the diff. The rows are never all Python objects at
once; :attr:`ReleaseData.rows` decodes a config's table back into rows for the training
formats. Nothing here reads the clock: ``created`` comes from SOURCE_DATE_EPOCH or else
from the latest annotation time in the records.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa

from annotate.agreement import agreement_report
from annotate.errors import ReleaseError
from annotate.layers import LAYERS, Layer, get_layer
from annotate.model import AGREEMENT_DEFINITION, Annotation, Document, GoldSet
from annotate.names import pseudonym
from annotate.pins import file_sha256
from annotate.release.card import card_context
from annotate.release.card_settings import CardSettings
from annotate.release.card_templates import DEFAULT_CARD, package_card, package_card_name
from annotate.release.decisions import ANNOTATION_PROVENANCE_FEATURES, SEGMENT_PROVENANCE_FEATURES
from annotate.release.made import CHANGELOG_FORMAT, DisputeCounts, dispute_counts
from annotate.release.rows import GoldRows, RowSource, row_configs
from annotate.release.shards import ShardLimits
from annotate.release.tables import (
    ANNOTATION_FEATURES,
    DOCUMENT_FEATURES,
    PARQUET_LAYOUT,
    SEGMENT_FEATURES,
    document_rows,
    to_table,
)
from annotate.release.viewer import VIEWER_FORMAT
from annotate.schemas import SchemaSet, active_schemas, using_schemas
from annotate.sources.foreign import foreign_inputs, foreign_settings
from annotate.validation.report import Report

__all__ = [
    "NOTES",
    "PACKAGE_CARD",
    "PACKAGE_CARD_INPUT",
    "ReleaseData",
    "config_features",
    "recorded_notes",
    "release_data",
]

Progress = Callable[[str], None]
NOTES = "NOTES.md"  # beside pins.json: the annotation process, rendered into the card
# The card template of new releases, shipped in the package, used unless one is given; the
# manifest names it by this name, as it lies outside the project (card_templates.py keeps
# the package's older templates, which the releases made with them name).
PACKAGE_CARD_INPUT = DEFAULT_CARD
PACKAGE_CARD = package_card(DEFAULT_CARD).path


@dataclass(slots=True)
class ReleaseData:
    """What a release is made of, before anything is written: the rows of every config,
    made on demand by ``row_source`` (as a stream, into Arrow), and, once assembled, their
    Arrow tables (read by everything else)."""

    documents: dict[str, Document]
    row_source: RowSource  # the rows of "segments", the layers and "annotations"
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
    # key `datasets` caches a local release under (see build.config_fingerprints)
    fingerprints: bool = True
    # when a config is cut into shards (build.build_release: ShardLimits()); None: one file
    # per config, as every release before sharding was written
    shards: ShardLimits | None = None
    viewer: bool = False  # write the HTML viewer into viewer/ (annotate release does)
    viewer_format: int = VIEWER_FORMAT  # how it is drawn (releases that record none: 1)
    # write the visual diff with the previous version into diff/<previous>/ and link it from
    # the changelog entry (annotate release does; releases before 3.0.0 have none)
    diff_pages: bool = False
    # the segments/annotations configs carry the gold's provenance (release.decisions):
    # the manifest's `provenance` flag; releases made before have none
    provenance: bool = True
    # how raters' versions were compared (annotate.disputes.span_keyer): the gold set's,
    # recorded in the manifest (``agreement_definition``) from 2 on; releases without: 1
    agreement_definition: int = AGREEMENT_DEFINITION
    # the language the corpus was read with for articles naming none (the manifest's
    # ``corpus_lang``); None: detected, as every release before it
    corpus_lang: str | None = None
    # the raters' disputes and notes under it (release.made); None: no agreement computed
    disputes: DisputeCounts | None = None
    records: list[Annotation] = field(default_factory=list)  # the raters' versions
    # what the changelog entry lists (release.made): recorded from 2 on; releases without: 1
    changelog_format: int = CHANGELOG_FORMAT
    # the Hub card's settings, recorded in the manifest (``card``); None: a release made
    # before them (1.0.0, 2.0.0), whose card keeps the metadata and files it had
    card: CardSettings | None = field(default_factory=CardSettings)
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
        return ["documents", *(name for name in row_configs() if self.table(name).num_rows)]

    @property
    def rows(self) -> Mapping[str, list[dict[str, Any]]]:
        """Config → its rows (ClassLabels by name), decoded from its table when asked for:
        what the training formats read."""
        return _Rows(self)

    def features(self, config: str) -> datasets.Features:
        """The Hugging Face features of one config (those its parquet file carries)."""
        return config_features(config, self.schemas, provenance=self.provenance)

    def table(self, config: str) -> pa.Table:
        """The Arrow table of one config, converted from its rows on first use (the row
        configs all at once, a chunk of rows at a time: :mod:`annotate.release.rows`)."""
        if config not in self._tables:
            if config == "documents":
                rows = document_rows(self.documents.values())
                self._tables[config] = to_table(rows, DOCUMENT_FEATURES)
            else:
                configs = {c: self.features(c) for c in row_configs()}
                self._tables.update(self.row_source.tables(configs))
        return self._tables[config]

    def assemble(self) -> ReleaseData:
        """Convert every config to Arrow now; returns ``self``. Turning Python rows into
        Arrow costs several times writing the table, so it is done once, here, and the
        release is written from the tables."""
        for config in ["documents", *row_configs()]:
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
            if config in self.configs:
                self._counted[key] = _count(self.table(config), list(columns))
        return self._counted[key]


class _Rows(Mapping[str, list[dict[str, Any]]]):
    """The rows of a release's row configs, each decoded from its table when asked for."""

    def __init__(self, data: ReleaseData) -> None:
        self._data = data

    def __getitem__(self, config: str) -> list[dict[str, Any]]:
        if config not in row_configs():
            raise KeyError(config)
        rows: list[dict[str, Any]] = self._data.table(config).to_pylist()
        for name, feat in self._data.features(config).items():
            if isinstance(feat, datasets.ClassLabel):
                for row in rows:
                    if row[name] is not None:
                        row[name] = feat.names[row[name]]
        return rows

    def __iter__(self) -> Iterator[str]:
        return iter(row_configs())

    def __len__(self) -> int:
        return len(row_configs())


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


def config_features(
    config: str, schemas: SchemaSet | None = None, *, provenance: bool = False
) -> Any:
    """The features of one config of a release (a layer's under ``schemas``, default the
    active set; ``segments`` and ``annotations`` with the provenance columns or not)."""
    if config == "documents":
        return DOCUMENT_FEATURES
    if config == "segments":
        return SEGMENT_PROVENANCE_FEATURES if provenance else SEGMENT_FEATURES
    if config == "annotations":
        return ANNOTATION_PROVENANCE_FEATURES if provenance else ANNOTATION_FEATURES
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


def release_data(
    gold: GoldSet,
    *,
    card_template: Path | None = None,
    notes: Path | None = None,
    project_root: Path = Path("."),
    provenance: bool = True,
    progress: Progress | None = None,
) -> ReleaseData:
    """The rows of every config of a release made from ``gold`` (the gold rows of each
    layer, a segment row per gold choice, every rater's raw rows), the agreement between
    the raters, and the inputs read with their sha256; assembled into Arrow tables, under
    the schema set the gold set was validated against. ``notes`` (the project's NOTES.md)
    is the provenance the card tells; without it, the ``NOTES.md`` beside the pins, if any
    (as release 1.0.0 was built). ``provenance`` adds the gold's provenance columns
    (:mod:`annotate.release.decisions`); a rebuild of a release made before passes
    ``False``."""
    with using_schemas(gold.schemas):
        data = _release_data(
            gold,
            card_template=card_template,
            notes=notes,
            project_root=project_root,
            provenance=provenance,
        )
    data.schemas = gold.schemas
    data.agreement_definition = gold.agreement_definition
    data.corpus_lang = gold.lang
    data.records = gold.records
    if data.disputes is not None and gold.agreement_definition != data.disputes.definition:
        data.disputes = dispute_counts(gold.records, definition=gold.agreement_definition)
    (progress or (lambda _msg: None))("assembling the tables")
    with using_schemas(gold.schemas):  # the rows are made now, from the gold
        return data.assemble()


def _release_data(
    gold: GoldSet,
    *,
    card_template: Path | None,
    notes: Path | None,
    project_root: Path,
    provenance: bool,
) -> ReleaseData:
    documents = gold.documents
    report = agreement_report(gold.records)
    agreement = report.card_tables()
    found = (len(report.disagreements), len(report.notes))
    disputes = dispute_counts([], definition=AGREEMENT_DEFINITION, known=found)
    for table in agreement.values():
        for row in table:
            if row["annotators"] != "all":  # a pair: "a vs b"; else every rater of a layer
                pair = row["annotators"].split(" vs ")
                row["annotators"] = " vs ".join(pseudonym(a) for a in pair)
    input_paths, notes_text = _inputs(gold, notes)
    input_paths += foreign_inputs(gold.foreign)
    inputs = _input_entries(input_paths, project_root)
    template = card_template or PACKAGE_CARD
    card = _input_entries([template], project_root)[0]
    card["path"] = package_card_name(template) or card["path"]
    inputs = sorted([*inputs, card], key=lambda e: e["path"])
    created, created_from = _created(gold.records)
    return ReleaseData(
        documents=documents,
        row_source=GoldRows(gold, provenance=provenance),
        report=gold.report,
        gold_rules=gold.rules(),
        inputs=inputs,
        card_template=template,
        card_input=card["path"],
        created=created,
        created_from=created_from,
        lock=_lock_hash(project_root),
        agreement=agreement,
        disputes=disputes,
        notes=notes_text,
        foreign=foreign_settings(gold.layer, gold.foreign),
        provenance=provenance,
    )


def recorded_notes(manifest: dict[str, Any], root: Path) -> Path | None:
    """The provenance notes among a manifest's recorded inputs (``NOTES.md``, or another
    ``*.NOTES.md`` given with ``--notes``), under ``root``; ``None`` if built without."""
    for entry in manifest.get("inputs") or []:
        path = root / str(entry.get("path", ""))
        if path.name == NOTES or path.name.endswith(f".{NOTES}"):
            return path
    return None


def _inputs(gold: GoldSet, notes: Path | None) -> tuple[list[Path], str | None]:
    """Every file a release reads but the card template (exports, articles and their
    sidecars, the pins, the notes: ``notes`` or else the NOTES.md beside the pins) and the
    notes' text."""
    sources = [Path(d.source_path.split(":")[0]) for d in gold.documents.values() if d.source_path]
    sidecars = [p.with_name(p.stem + ".meta.json") for p in sources]
    paths = [*gold.exports, *sources, *(p for p in sidecars if p.exists())]
    if gold.pins is not None:
        paths.append(gold.pins)
    notes_path = notes if notes is not None else gold.pins.parent / NOTES if gold.pins else None
    text = None
    if notes_path is not None and notes_path.exists():
        text = notes_path.read_text(encoding="utf-8").strip()
        paths.append(notes_path)
    return paths, text


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
