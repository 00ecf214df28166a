"""annotate diff / verify / reproduce / view / mqm-import: reading and checking releases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from annotate.cli._release_options import (
    CardOpt,
    _corpus,
    _gold,
)

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    pass


__all__ = ["diff", "mqm_import", "reproduce", "verify", "view"]


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
