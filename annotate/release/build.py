"""Build a release: a :class:`~annotate.model.GoldSet` → ``releases/<dataset>/<version>/``.

Three steps, so that :func:`annotate.release.publish.release` can choose the version from
the data before the version is written anywhere:

1. :func:`annotate.release.data.release_data` makes the rows of every config from the gold
   set and assembles one Arrow table per config; everything after reads the tables;
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

from annotate._version import __version__
from annotate.errors import ReleaseError
from annotate.layers import LAYERS
from annotate.model import GoldSet
from annotate.names import check_dataset_name, check_version, path_under
from annotate.pins import file_sha256
from annotate.release.card import release_card
from annotate.release.card_settings import CardSettings
from annotate.release.card_templates import agreement_plot_format
from annotate.release.data import ReleaseData, release_data
from annotate.release.diff_view import diff_pages_path
from annotate.release.formats import FORMATS, check_formats, write_formats
from annotate.release.guard import Acceptance, accepted_section, check_publishable
from annotate.release.manifest import file_entries, write_manifest
from annotate.release.plot import AGREEMENT_PLOT, PLOT, write_agreement_plot, write_plot
from annotate.release.shards import ShardLimits, write_config
from annotate.release.tables import PARQUET_LAYOUT, write_table
from annotate.release.viewer import VIEWER_DIR, write_viewer
from annotate.schemas import using_schemas
from annotate.validation.report import Report

__all__ = [
    "CHANGELOG",
    "BuildResult",
    "build_release",
    "config_fingerprints",
    "data_files",
    "place",
    "refuse_existing",
    "release_target",
    "staging",
    "write_data",
    "write_metadata",
]

Progress = Callable[[str], None]
SCHEMA_DIR = "schema"
CHANGELOG = "CHANGELOG.md"


@dataclass(slots=True)
class BuildResult:
    path: Path
    counts: dict[str, int]
    report: Report
    gold_rules: dict[str, Counter[str]] = field(default_factory=dict)


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
    largest_first = sorted(data.configs, key=lambda config: -data.table(config).nbytes)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        started = {
            config: pool.submit(_write_config, data, config, root) for config in largest_first
        }
        say("drawing the plot")
        write_plot(data.layers(), data, path=root / PLOT)
        if data.card is not None:
            write_agreement_plot(
                data.agreement,
                path=root / AGREEMENT_PLOT,
                plot_format=agreement_plot_format(data.card_input),
            )
        data.card_numbers()
        file_rows = {  # in config order
            path: rows for config in data.configs for path, rows in started[config].result().items()
        }
    schema_dir = root / SCHEMA_DIR
    schema_dir.mkdir(parents=True, exist_ok=True)
    for name, text in data.schemas.files.items():
        (schema_dir / name).write_text(text, encoding="utf-8")
    if formats:
        say(f"writing {', '.join(formats)}")
        write_formats(formats, data.documents, data.rows, root)
    return file_rows


def _write_config(data: ReleaseData, config: str, root: Path) -> dict[str, int]:
    """The parquet file(s) of one config: one ``train.parquet`` for a release made before
    sharding (no limits), else as :func:`annotate.release.shards.write_config` cuts it."""
    table = data.table(config)
    if data.shards is None:
        return {
            f"{config}/train.parquet": write_table(
                table, root / config / "train.parquet", layout=data.layout
            )
        }
    written = write_config(table, root / config, limits=data.shards, layout=data.layout)
    return {f"{config}/{name}": rows for name, rows in written.items()}


def data_files(configs: Sequence[str], file_rows: dict[str, int]) -> dict[str, list[str]]:
    """Config → its parquet files (relative paths, in row order) among those written."""
    return {
        c: sorted(p for p in file_rows if p.startswith(f"{c}/") and p.endswith(".parquet"))
        for c in configs
    }


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
    extra = {
        "formats": [
            {"name": n, "path": FORMATS[n].path, "description": FORMATS[n].description}
            for n in formats
        ],
        "plot": PLOT,
        "changes": changes,
        "previous": previous,
        "repo_id": repo_id,
    }
    card = release_card(
        data,
        root,
        dataset=dataset,
        version=version,
        card_template=card_template,
        license=license,
        counts=counts,
        extra=extra,
        fingerprints=config_fingerprints(root, data.configs, dataset=dataset, version=version)
        if data.fingerprints
        else None,
        shard_files=data_files(data.configs, file_rows) if data.shards is not None else None,
    )
    card += accepted_section(data.accepted)
    (root / "README.md").write_text(card, encoding="utf-8")
    if data.viewer:
        say("writing the viewer")
        write_viewer(
            root,
            dataset=dataset,
            version=version,
            configs=data.configs,
            viewer_format=data.viewer_format,
            agreement_definition=data.agreement_definition,
        )
    if changelog is not None:
        (root / CHANGELOG).write_text(changelog, encoding="utf-8")
    manifest = {
        "dataset": dataset,
        "version": version,
        "previous": previous,
        "bump": bump,
        "toolkit": {"name": "annotate", "version": __version__},
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
        **(
            {**data.shards.to_manifest(), "data_files": data_files(data.configs, file_rows)}
            if data.shards is not None
            else {}
        ),
        **({"config_fingerprints": True} if data.fingerprints else {}),
        **({"provenance": True} if data.provenance else {}),
        # absent: 1, free text counted as a dispute (releases before it keep their bytes)
        **(
            {"agreement_definition": data.agreement_definition}
            if data.agreement_definition > 1
            else {}
        ),
        **({"corpus_lang": data.corpus_lang} if data.corpus_lang else {}),  # absent: detected
        # absent: 1, a changelog of data changes only (annotate.release.made)
        **(
            {"changelog_format": data.changelog_format}
            if changelog is not None and data.changelog_format > 1
            else {}
        ),
        **({"viewer": f"{VIEWER_DIR}/index.html"} if data.viewer else {}),
        # absent: format 1, which releases before 3.0.0 were drawn in (they keep their bytes)
        **({"viewer_format": data.viewer_format} if data.viewer and data.viewer_format > 1 else {}),
        **({"diff": diff_pages_path(previous)} if data.diff_pages and previous else {}),
        **({"card": data.card.to_manifest()} if data.card is not None else {}),
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


def release_target(out: Path, dataset: str, version: str) -> Path:
    """``out/<dataset>/<version>``, once the names are checked (a slug, a semver: never a
    path) and the version is known not to exist; the CLI asks before reading any input."""
    target = path_under(out, check_dataset_name(dataset), check_version(version))
    refuse_existing(target)
    return target


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
    gold: GoldSet,
    *,
    out: Path,
    dataset: str,
    version: str,
    card_template: Path | None = None,
    license: str = "other",
    project_root: Path = Path("."),
    formats: Sequence[str] = (),
    layout: int = PARQUET_LAYOUT,
    fingerprints: bool = True,
    shards: ShardLimits | None = ShardLimits(),
    provenance: bool = True,
    accept: Acceptance = Acceptance(),
    notes: Path | None = None,
    card_settings: CardSettings | None = CardSettings(),
    progress: Progress | None = None,
) -> BuildResult:
    """Build ``out/<dataset>/<version>/`` from a gold set (:func:`annotate.pipeline.gold_set`,
    which validated it against its schema set: the release is built with the same set),
    with the card template given (default: the package's, which loops over the layers);
    ``layout``, ``fingerprints``, ``provenance`` (the gold's provenance columns) and
    ``card_settings`` (None: no Hub metadata, as before the manifest recorded them) are for
    rebuilding a release made with an older parquet layout, card or tables; ``shards``
    says when a config is cut into shards (``None``: never, as releases were built
    before). Refuses an empty release, records of documents not in the corpus and
    quarantined records unless ``accept`` says otherwise (:mod:`annotate.release.guard`)."""
    formats = check_formats(formats)  # registry order: the bytes must not depend on the call
    target = release_target(out, dataset, version)
    data = release_data(
        gold,
        card_template=card_template,
        notes=notes,
        project_root=project_root,
        provenance=provenance,
        progress=progress,
    )
    data.layout = layout
    data.fingerprints = fingerprints
    data.shards = shards
    data.card = card_settings
    data.accepted = check_publishable(data.report, accept, needs_review=gold.needs_review())
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
