"""annotate build / release: a release from the gold set (the checks of releases are in
:mod:`annotate.cli.release_checks`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotate.cli._app import (
    _progress,
    app,
    out,
)
from annotate.cli._options import CorpusOpt, ExportOpt, PinsOpt
from annotate.cli._output import output_format, print_table
from annotate.cli._release_options import (
    AllowMissingDocumentsOpt,
    AllowNoAnnotationsOpt,
    AllowQuarantinedOpt,
    CardOpt,
    DatasetOpt,
    GoldOpt,
    GoldPolicy,
    LicenseOpt,
    MaxShardRowsOpt,
    MaxShardSizeOpt,
    NotesOpt,
    OutOpt,
    _accept,
    _corpus,
    _formats,
    _gold,
    _notes,
    _settings,
)

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    pass


__all__ = ["build", "release"]


@app.command()
def build(
    articles: CorpusOpt = None,
    pins: PinsOpt = None,
    export: ExportOpt = None,
    out_dir: OutOpt = None,
    dataset: DatasetOpt = None,
    version: Annotated[str, typer.Option(help="Release version (semver).")] = "0.0.0-dev",
    card: CardOpt = None,
    license: LicenseOpt = None,
    notes: NotesOpt = None,
    formats: Annotated[
        str,
        typer.Option(help="Training formats: comma-separated (conll, spacy, mqm), all or none."),
    ] = "none",
    layer: Annotated[
        str | None, typer.Option(help="Layer of the tasks not made by annotate.")
    ] = None,
    text_field: Annotated[
        str | None, typer.Option(help="The task data field a foreign export's regions index.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="The labeling config (XML) of the project a foreign export came from."),
    ] = None,
    label_map: Annotated[
        Path | None,
        typer.Option(help="Map a foreign export's labels onto the layer (YAML or JSON)."),
    ] = None,
    allow_no_annotations: AllowNoAnnotationsOpt = False,
    allow_missing_documents: AllowMissingDocumentsOpt = False,
    allow_quarantined: AllowQuarantinedOpt = False,
    max_shard_rows: MaxShardRowsOpt = None,
    max_shard_size: MaxShardSizeOpt = None,
    gold: GoldOpt = GoldPolicy.adjudicated,
) -> None:
    """Build a release with a version you give: parquet per config, README.md card, manifest.json.

    A foreign export (not made by annotate) is its own corpus: give --layer and, if its
    labels are not ours, --label-map.

    Example: annotate build --dataset stargate-fr-annotations --version 1.0.0-rc.1
    """
    from annotate.release.build import build_release, release_target
    from annotate.release.shards import shard_limits
    from annotate.sources.foreign import foreign_options

    shards = shard_limits(max_rows=max_shard_rows, max_size=max_shard_size)
    settings = _settings(out_dir=out_dir, dataset=dataset, card=card, license=license)
    release_target(settings["out"], settings["dataset"], version)  # before reading inputs
    foreign = foreign_options(text_field=text_field, config=config, label_map=label_map)
    is_foreign = any(x is not None for x in (layer, text_field, config, label_map))
    with _progress("build") as say:
        result = build_release(
            _gold(
                None if articles is None and is_foreign else _corpus(articles),
                pins,
                export,
                say,
                layer=layer,
                foreign=foreign,
            ),
            version=version,
            notes=_notes(notes),
            formats=_formats(formats),
            shards=shards,
            **settings,
            accept=_accept(
                no_annotations=allow_no_annotations,
                missing_documents=allow_missing_documents,
                quarantined=allow_quarantined,
                gold=gold,
            ),
            progress=say,
        )
    _print_counts(result.path, result.counts)
    c = result.report.counts()
    out.print(f"validation: {c['valid']} valid, {c['quarantined']} quarantined (held back)")


def _print_counts(path: Path, counts: dict[str, int]) -> None:
    rows = list(counts.items())
    print_table(["config", "rows"], rows, fmt=output_format(None), title=str(path))


@app.command()
def release(
    articles: CorpusOpt = None,
    pins: PinsOpt = None,
    export: ExportOpt = None,
    out_dir: OutOpt = None,
    dataset: DatasetOpt = None,
    bump: Annotated[
        str,
        typer.Option(
            help="auto (proposed from the diff with the latest release), major, minor or patch."
        ),
    ] = "auto",
    version: Annotated[
        str | None, typer.Option(help="Give the version yourself (overrides --bump).")
    ] = None,
    card: CardOpt = None,
    license: LicenseOpt = None,
    notes: NotesOpt = None,
    formats: Annotated[
        str,
        typer.Option(help="Training formats: comma-separated (conll, spacy, mqm), all or none."),
    ] = "all",
    allow_empty: Annotated[
        bool, typer.Option(help="Release even when nothing changed since the latest release.")
    ] = False,
    push_to_hub: Annotated[
        str | None,
        typer.Option(
            help="Upload to this Hub dataset repository and tag it v<version> (uses HF_TOKEN)."
        ),
    ] = None,
    private: Annotated[bool, typer.Option(help="Create the Hub repository private.")] = False,
    allow_no_annotations: AllowNoAnnotationsOpt = False,
    allow_missing_documents: AllowMissingDocumentsOpt = False,
    allow_quarantined: AllowQuarantinedOpt = False,
    max_shard_rows: MaxShardRowsOpt = None,
    max_shard_size: MaxShardSizeOpt = None,
    gold: GoldOpt = GoldPolicy.adjudicated,
) -> None:
    """Release the next version: the version is proposed from what changed, a changelog entry is written.

    Major when the schema removes or renames a label or field, minor when annotations or
    documents are added, patch when existing annotations are corrected or removed.

    Example: annotate release --dataset stargate-fr-annotations --bump auto
    """
    from annotate.release.publish import check_options
    from annotate.release.publish import release as release_
    from annotate.release.shards import shard_limits

    shards = shard_limits(max_rows=max_shard_rows, max_size=max_shard_size)
    settings = _settings(out_dir=out_dir, dataset=dataset, card=card, license=license)
    check_options(
        settings["out"], settings["dataset"], bump=bump, version=version, repo_id=push_to_hub
    )
    with _progress("release") as say:
        result = release_(
            _gold(_corpus(articles), pins, export, say),
            bump=bump,
            version=version,
            notes=_notes(notes),
            formats=_formats(formats),
            **settings,
            allow_empty=allow_empty,
            shards=shards,
            accept=_accept(
                no_annotations=allow_no_annotations,
                missing_documents=allow_missing_documents,
                quarantined=allow_quarantined,
                gold=gold,
            ),
            push_to_hub=push_to_hub,
            private=private,
            progress=say,
        )
    p = result.proposal
    chosen = f"[bold]{result.version}[/]"
    if p.previous is None:
        out.print(f"released {chosen} (first release)")
    else:
        how = " (chosen by hand; the rule proposed " + p.version + ")" if result.overridden else ""
        out.print(f"released {chosen} after {p.previous}: {p.level or 'no'} change{how}")
        for reason in p.reasons:
            out.print(f"  - {reason}")
    _print_counts(result.path, result.build.counts)
    if result.hub is not None:
        out.print(f"pushed to {result.hub.repo_id}, tag {result.hub.tag}")
