"""annotate build / release / diff / verify / view / mqm-import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from annotate.cli._app import (
    _progress,
    app,
    err,
    out,
)
from annotate.cli._options import CorpusOpt, ExportOpt, JsonOpt, PinsOpt
from annotate.cli._output import FormatOpt, issue_line, output_format, print_json, print_table

if TYPE_CHECKING:
    from annotate.release.guard import Acceptance

if TYPE_CHECKING:
    from annotate.model import GoldSet
    from annotate.sources.foreign import ForeignOptions

AllowNoAnnotationsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-no-annotations", help="Publish even when the release holds no annotation."
    ),
]
AllowMissingDocumentsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-missing-documents",
        help="Publish leaving out records whose documents are not in the corpus.",
    ),
]
AllowQuarantinedOpt = Annotated[
    bool,
    typer.Option("--allow-quarantined", help="Publish leaving out records that failed validation."),
]


class GoldPolicy(StrEnum):
    """What build does with a task whose raters disagree and that nobody adjudicated."""

    adjudicated = "adjudicated"
    majority = "majority"


GoldOpt = Annotated[
    GoldPolicy,
    typer.Option(
        "--gold",
        help="adjudicated: refuse tasks whose raters disagree and nobody adjudicated (see "
        "`annotate review`); majority: publish what a majority of their raters made.",
    ),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Releases directory (default: the project's).")
]
DatasetOpt = Annotated[str | None, typer.Option(help="Dataset name (default: the project's).")]
CardOpt = Annotated[
    Path | None,
    typer.Option(
        help="Dataset card template (default: the project's, else the toolkit's; reproduce: the release's)."
    ),
]
LicenseOpt = Annotated[
    str | None, typer.Option(help="License of the dataset, card metadata (default: the project's).")
]
MaxShardRowsOpt = Annotated[
    int | None,
    typer.Option(help="Cut a config into parquet shards of at most this many rows."),
]
MaxShardSizeOpt = Annotated[
    str | None,
    typer.Option(
        help="Cut a config into parquet shards past this much Arrow data (e.g. 200MB; "
        "default 500MB, as datasets' push_to_hub)."
    ),
]
NotesOpt = Annotated[
    Path | None,
    typer.Option(help="Provenance notes rendered into the card (default: the project's NOTES.md)."),
]


def _default_pins(pins: Path | None, export: list[Path] | None) -> Path | None:
    from annotate.project import current_project

    return current_project().pins if pins is None and not export else pins


def _corpus(articles: list[Path] | None) -> list[Path]:
    from annotate.project import corpus_of, current_project

    return corpus_of(current_project(), articles)


def _settings(
    *, out_dir: Path | None, dataset: str | None, card: Path | None, license: str | None
) -> dict[str, Any]:
    """The release options not given on the command line, from annotate.toml."""
    from annotate.project import current_project, dataset_of
    from annotate.release.card_settings import CardSettings

    project = current_project()
    return {
        "card_settings": CardSettings.from_project(project),  # [card], license_name, …
        "out": out_dir or project.releases or Path("releases"),
        "dataset": dataset_of(project, dataset),
        "card_template": card or project.card,  # None: the toolkit's
        "license": license or project.license,
        "project_root": project.root,  # inputs are recorded relative to it
    }


def _notes(notes: Path | None) -> Path | None:
    from annotate.project import current_project

    return notes or current_project().notes


def _accept(
    *, no_annotations: bool, missing_documents: bool, quarantined: bool, gold: GoldPolicy
) -> Acceptance:
    from annotate.release.guard import Acceptance

    return Acceptance(
        no_annotations=no_annotations,
        missing_documents=missing_documents,
        quarantined=quarantined,
        majority=gold is GoldPolicy.majority,
    )


def _gold(
    articles: Path | Sequence[Path] | None,
    pins: Path | None,
    export: list[Path] | None,
    say: Callable[[str], None],
    *,
    layer: str | None = None,
    foreign: ForeignOptions | None = None,
) -> GoldSet:
    """The gold set of the corpus and the pinned (or given) exports."""
    from annotate.pipeline import gold_set

    return gold_set(
        articles=articles,
        pins=_default_pins(pins, export),
        exports=export or [],
        layer=layer,
        foreign=foreign,
        progress=say,
    )


def _formats(value: str) -> list[str]:
    from annotate.release.formats import check_formats, format_names

    if value in ("", "none"):
        return []
    names = format_names() if value == "all" else [v.strip() for v in value.split(",")]
    return check_formats([n for n in names if n])


__all__ = [
    "GoldOpt",
    "GoldPolicy",
    "build",
    "diff",
    "mqm_import",
    "release",
    "reproduce",
    "verify",
    "view",
]


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


@app.command()
def diff(
    a: Annotated[Path, typer.Argument(help="A release directory (the older one).")],
    b: Annotated[
        Path | None,
        typer.Argument(
            help="A release directory; without it, what the working inputs would release."
        ),
    ] = None,
    articles: CorpusOpt = None,
    pins: PinsOpt = None,
    export: ExportOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    examples: Annotated[int, typer.Option(help="Examples shown per kind of change.")] = 5,
    html: Annotated[
        bool, typer.Option("--html", help="Also write the diff as static HTML pages.")
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Where --html writes the pages (default: build/diff/<A>..<B>)."),
    ] = None,
) -> None:
    """Show what changed between two releases: documents, spans and judgements, per layer and label.

    Example: annotate diff releases/stargate-fr-annotations/1.0.0 releases/stargate-fr-annotations/2.0.0 --html
    """
    from annotate.release.publish import diff_release

    shown = output_format(fmt, as_json=as_json)
    pages = None
    if html:
        pages = (
            out_dir
            or Path("build")
            / "diff"
            / f"{a.resolve().name}..{(b or Path('working')).resolve().name}"
        )
    elif out_dir is not None:
        raise typer.BadParameter("--out is where --html writes its pages: pass --html too")
    if b is None:
        with _progress("diff") as say:
            gold = _gold(_corpus(articles), pins, export, say)
            result = diff_release(a, gold, html=pages, progress=say)
    else:
        result = diff_release(a, b, html=pages)
    if shown == "json":
        print_json(result.to_dict())
        return
    if pages is not None:
        out.print(f"wrote the diff's pages: {pages / 'index.html'}", highlight=False)
    out.print(f"[bold]{result.a}[/] → [bold]{result.b}[/]")
    for what in result.schema_removed:
        out.print(f"[red]schema: {what} removed or renamed[/]")
    for what in result.schema_added:
        out.print(f"[green]schema: {what} added[/]")
    docs = ", ".join(f"{len(v)} {k}" for k, v in result.documents.items() if v) or "no change"
    out.print(f"documents: {docs}")
    rows = [
        [
            "judgements" if name == "segments" else name,
            label,
            c["added"],
            c["removed"],
            c["changed"],
        ]
        for name, d in result.configs.items()
        for label, c in d.per_label().items()
    ]
    print_table(["layer", "label", "added", "removed", "changed"], rows, fmt=shown, title="Changes")
    for layer, c in result.raw.items():
        if any(c.values()):
            counts = ", ".join(f"{n} {k}" for k, n in c.items() if n)
            out.print(f"{layer} of the other annotators (raw rows): {counts}")
    for name, d in result.configs.items():
        for kind in ("added", "removed", "changed"):
            for ch in d.of(kind)[:examples]:
                out.print(f"{kind:>8} {name}: {ch.describe()}", highlight=False, markup=False)


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="A release directory.")],
    load: Annotated[
        bool, typer.Option(help="Also load every config with datasets.load_dataset.")
    ] = True,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a release: every checksum, every row against its version's schema, load_dataset of every config.

    Exit code 1 when any problem is found; each is reported with the file it is about.

    Example: annotate verify releases/stargate-fr-annotations/1.0.0
    """
    from annotate.release.verify import verify_release

    with _progress("verify") as say:
        report = verify_release(path, load=load, progress=say)
    if output_format(fmt, as_json=as_json) == "json":
        print_json(report.to_dict())
    else:
        for p in report.problems:
            err.print(issue_line(p, root=report.path), markup=False, highlight=False)
        if report.ok:
            loaded = ", ".join(f"{k} {v}" for k, v in report.loaded.items())
            out.print(
                f"[green]✓[/] {report.path} {report.version}: {report.files} files, "
                f"{report.rows} rows valid" + (f"; loaded: {loaded}" if loaded else "")
            )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def reproduce(
    path: Annotated[Path, typer.Argument(help="A release directory.")],
    articles: CorpusOpt = None,
    pins: PinsOpt = None,
    export: ExportOpt = None,
    card: CardOpt = None,
    keep: Annotated[
        Path | None, typer.Option(help="Keep the rebuild in this releases directory.")
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild a release from its pinned inputs with the settings its manifest records, and compare every file.

    Exit code 1 when an input changed or a rebuilt file differs; each is named. A release
    built from --export files (a foreign export, an mqm-import) is rebuilt from the same
    --export (and --articles) given again; its layer, text field, labeling config and
    label map come from the manifest.

    Example: annotate reproduce releases/stargate-fr-annotations/1.0.0
    """
    from annotate.project import current_project
    from annotate.release.manifest import read_manifest
    from annotate.release.reproduce import pinned_by, reproduce_release

    project = current_project()
    foreign = "foreign" in read_manifest(path)  # a foreign export is its own corpus
    with _progress("reproduce") as say:
        report = reproduce_release(
            path,
            articles=None if articles is None and foreign else _corpus(articles),
            pins=pins or (None if export else pinned_by(path, project.root) or project.pins),
            exports=export,
            card_template=card or project.card,  # None: the one the release records
            notes=None,  # the notes the release records (reproduce_release finds them)
            project_root=project.root,
            keep=keep,
            progress=say,
        )
    if output_format(fmt, as_json=as_json) == "json":
        print_json(report.to_dict())
    else:
        # An issue's location is "[file at $.path]": escaped, or Rich takes it for markup
        # and the file's name disappears from the output.
        for p in report.problems:
            err.print(issue_line(p), markup=False, highlight=False)
        for s in report.skipped:
            out.print(f"[yellow]-[/] not compared: {escape(s)}", highlight=False)
        for note in report.notes:
            out.print(f"[yellow]![/] {escape(note)}", highlight=False)
        if report.ok:
            out.print(
                f"[green]✓[/] {report.release} {report.version}: {report.inputs} inputs "
                f"unchanged, {report.identical} of {report.files} files identical"
            )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def view(
    path: Annotated[Path, typer.Argument(help="A release directory.")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write the pages (default: build/viewer/<dataset>/<version>; a "
            "published release is never written into).",
        ),
    ] = None,
) -> None:
    """Write a static HTML viewer of a release: an index of its documents and one page per document with every layer highlighted.

    The pages need no server and no network: open index.html from disk.

    Example: annotate view releases/stargate-fr-annotations/1.0.0 --out build/viewer
    """
    from annotate.release.viewer import write_viewer

    out_dir = out_dir or Path("build") / "viewer" / path.resolve().parent.name / path.resolve().name
    with _progress("view") as say:
        result = write_viewer(path, out=out_dir, progress=say)
    out.print(f"wrote {len(result.pages)} pages; open {escape(str(result.out / 'index.html'))}")


@app.command("mqm-import")
def mqm_import(
    tsv: Annotated[Path, typer.Argument(help="A WMT MQM TSV file.")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where to write documents.jsonl and export.json.")
    ],
    target_lang: Annotated[str, typer.Option(help="Language of the targets.")] = "und",
    source_lang: Annotated[str | None, typer.Option(help="Language of the sources.")] = None,
) -> None:
    """Import WMT MQM TSV annotations as build inputs (a corpus and a Label Studio export).

    Then: annotate build --articles OUT/documents.jsonl --export OUT/export.json

    Example: annotate mqm-import mqm_ted_ende.tsv --out data/mqm/ende --target-lang de --source-lang en
    """
    from annotate.sources.mqm_import import import_mqm

    imported = import_mqm(tsv, out=out_dir, target_lang=target_lang, source_lang=source_lang)
    c = imported.counts()
    out.print(
        f"{c['rows']} rows → {c['documents']} documents, {c['records']} records, "
        f"{c['spans']} spans ({c['source_spans']} in the source)",
        highlight=False,
    )
    for reason, n in c["skipped"].items():
        out.print(f"  skipped {n}: {escape(reason)}", highlight=False)
    for category, n in c["imported_as_other"].items():
        out.print(f"  {n} × {escape(repr(category))} imported as other", highlight=False)
    if c["other_source"]:
        out.print(
            f"  {c['other_source']} rater-segments share their target with another source "
            "(the document keeps the first source)",
            highlight=False,
        )
    for p in imported.issues:
        err.print(f"[yellow]![/] {escape(str(p))}", highlight=False)
    out.print(f"wrote {out_dir / 'documents.jsonl'} and {out_dir / 'export.json'}")
