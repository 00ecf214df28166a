"""annotate ingest / tasks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import (
    _layers,
    _progress,
    _unit,
    app,
    err,
)
from annotate.cli._options import (
    AddressOpt,
    CacheDirOpt,
    CorpusArg,
    EngineOpt,
    JobsOpt,
    LangOpt,
    NoCacheOpt,
    predictor_list,
)
from annotate.cli._output import FormatOpt, output_format, print_json, print_table
from annotate.labelstudio.task_files import TASK_SHARD_SIZE

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
        str | None,
        typer.Option(
            help="Comma-separated predictors, e.g. entities.rules, or 'none' (the default)."
        ),
    ] = None,
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", help="Where to write the tasks: a .json array (default: stdout) or .jsonl."
        ),
    ] = Path("-"),
    out_dir: Annotated[
        Path | None,
        typer.Option(
            help="Write shards (JSON arrays tasks-00000.json, tasks-00001.json and on) here."
        ),
    ] = None,
    shard_size: Annotated[
        int, typer.Option(help="Tasks per shard with --out-dir.", min=1)
    ] = TASK_SHARD_SIZE,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    lang: LangOpt = None,
) -> None:
    """Make Label Studio tasks (with predictions) for one layer, as importable JSON.

    The corpus streams through: a folder of .jsonl or .jsonl.gz shards of any size is read
    line by line and the tasks are written as they are made. --engine dask runs the
    predictors on a Dask cluster (--address or $DASK_SCHEDULER_ADDRESS, else one started
    on this machine with --jobs workers); the output is the same bytes on every engine.

    Example: annotate tasks data/articles --layer entities --predictors entities.rules --out tasks.json
    """
    from annotate.labelstudio.task_files import write_tasks
    from annotate.project import corpus_of, current_project

    _layers(layer)
    unit_ = _unit(unit)
    project = current_project()
    to_stdout = str(out_file) == "-"
    with _progress("tasks") as say:
        written = write_tasks(
            corpus_of(project, path),
            layer=layer,
            out=sys.stdout if to_stdout else out_file,
            out_dir=out_dir,
            unit=unit_,
            predictors=predictor_list(predictors),
            lang=lang or project.language,
            engine=engine,
            workers=jobs,
            address=address,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            shard_size=shard_size,
            progress=lambda w: say(f"{w.documents} documents, {w.tasks} tasks"),
        )
    if written.files:
        where = out_dir if out_dir is not None else written.files[0]
        shards = f" in {len(written.files)} shards" if out_dir is not None else ""
        err.print(f"wrote {written.tasks} tasks{shards} to {where}", markup=False, highlight=False)
