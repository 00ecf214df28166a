"""annotate ingest / tasks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import (
    CacheDirOpt,
    CorpusArg,
    JobsOpt,
    LangOpt,
    NoCacheOpt,
    _layers,
    _predictions,
    _unit,
    app,
    err,
)
from annotate.cli._output import FormatOpt, output_format, print_json, print_table

__all__ = ["ingest", "tasks"]


@app.command()
def ingest(
    path: CorpusArg = None,
    lang: LangOpt = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write documents as JSONL here.")
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Read articles, normalise them and show their segmentation.

    Every article needs a language: from its metadata (a .meta.json beside it, .md front
    matter, a .jsonl field), else --lang, else the project's language.

    Example: annotate ingest articles --lang fr --out build/documents.jsonl
    """
    from annotate.corpus import read_articles
    from annotate.project import corpus_of, current_project

    shown = output_format(fmt)
    project = current_project()
    docs = list(read_articles(corpus_of(project, path), lang=lang or project.language))
    columns = ["doc_id", "source", "lang", "chars", "paragraphs", "sentences", "normalised"]
    rows = [
        [
            d.id[:12],
            d.source_path or "",
            d.lang,
            len(d.text),
            len(d.paragraphs),
            len(d.sentences),
            ",".join(d.normalisation) or "-",
        ]
        for d in docs
    ]
    if shown == "json":
        print_json(
            [
                dict(zip(columns, [d.id, *row[1:]], strict=True))
                for d, row in zip(docs, rows, strict=True)
            ]
        )
    else:
        print_table(columns, rows, fmt=shown)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(
            "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs),
            encoding="utf-8",
        )
        err.print(f"wrote {len(docs)} documents to {out_file}", markup=False, highlight=False)


@app.command()
def tasks(
    path: CorpusArg = None,
    layer: Annotated[str, typer.Option(help="The layer to make tasks for.")] = "entities",
    unit: Annotated[str, typer.Option(help="sentence, paragraph or document.")] = "paragraph",
    predictors: Annotated[
        str | None, typer.Option(help="Comma-separated predictors, e.g. entities.rules.")
    ] = None,
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the Label Studio tasks JSON.")
    ] = Path("-"),
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    lang: LangOpt = None,
) -> None:
    """Make Label Studio tasks (with predictions) for one layer, as importable JSON.

    Example: annotate tasks data/articles --layer entities --predictors entities.rules --out tasks.json
    """
    from annotate.corpus import read_articles
    from annotate.labelstudio.tasks import make_tasks
    from annotate.project import corpus_of, current_project

    _layers(layer)
    unit_ = _unit(unit)
    project = current_project()
    docs = list(read_articles(corpus_of(project, path), lang=lang or project.language))
    preds = _predictions(predictors, docs, jobs=jobs, cache_dir=cache_dir, no_cache=no_cache)
    made = make_tasks(docs, layer, unit=unit_, predictions=preds)
    text = json.dumps(made, ensure_ascii=False, indent=2) + "\n"
    if str(out_file) == "-":
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(made)} tasks to {out_file}")
