"""The one path from the inputs to the gold: ``gold_set(articles, pins or exports)``.

Every stage after validation starts from the :class:`~annotate.model.GoldSet` this makes
(``annotate build``, ``release``, ``reproduce``, ``diff`` and ``evaluate``): the corpus is
read once, the label exports are validated once (annotators named as ``pull`` recorded
them in the pins), and the gold of each task is chosen once, with its provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from annotate.corpus import read_articles
from annotate.errors import ConfigError
from annotate.gold import select_gold
from annotate.model import AGREEMENT_DEFINITION, Document, GoldSet
from annotate.pins import label_exports, read_annotators
from annotate.schemas import SchemaSet, using_schemas
from annotate.sources.foreign import ForeignOptions, refuse_unmapped
from annotate.validate import validate_exports

__all__ = ["gold_set"]

Progress = Callable[[str], None]


def gold_set(
    *,
    articles: Path | Sequence[Path] | Sequence[Document] | None,
    lang: str | None = None,
    pins: Path | None = None,
    exports: Sequence[Path] = (),
    schemas: SchemaSet | None = None,
    layer: str | None = None,
    foreign: ForeignOptions | None = None,
    agreement_definition: int = AGREEMENT_DEFINITION,
    progress: Progress | None = None,
) -> GoldSet:
    """Read the corpus (paths, or documents already read), validate the given exports
    and those ``pins`` names (each checked by sha256) against ``schemas`` (default: the
    active set; a rebuild passes the release's own copy), and choose the gold of every task.
    ``lang`` is the language of articles whose metadata names none (the project's, as
    ``push`` made their tasks with; ``None``: detected, as releases that record none).

    ``layer`` and ``foreign`` (text field, labeling config, label map) are for exports
    annotate did not make; their tasks' texts are documents then (``articles`` may be
    ``None``). ``agreement_definition`` is how raters' versions are compared
    (:func:`annotate.disputes.span_keyer`; a rebuild passes the release's). Raises
    :class:`~annotate.errors.ConfigError` when there is no export to read, and refuses a
    foreign export whose records are all held back for unmapped labels."""
    say = progress or (lambda _msg: None)
    given = [articles] if isinstance(articles, Path) else list(articles or ())
    documents = {d.id: d for d in given if isinstance(d, Document)}
    paths = [p for p in given if isinstance(p, Path)]
    if paths:
        say("reading the corpus")
        documents.update((d.id, d) for d in read_articles(paths, lang=lang))
    export_paths = label_exports(pins, exports)
    if not export_paths:
        raise ConfigError("no label exports to read", hint="pass --pins or --export")
    say(f"validating {len(export_paths)} exports")
    with using_schemas(schemas) as chosen:
        report = validate_exports(export_paths, documents, layer=layer, foreign=foreign)
        refuse_unmapped(report)
        documents.update(report.documents)
        names = read_annotators(pins) if pins is not None else {}
        for rec in report.valid:
            rec.annotator = names.get(rec.annotator, rec.annotator)
        # under the schemas validated against: they say which fields are free text
        choices = select_gold(report.valid, definition=agreement_definition)
    return GoldSet(
        documents=documents,
        report=report,
        choices=choices,
        schemas=chosen,
        exports=export_paths,
        pins=pins,
        layer=layer,
        foreign=foreign,
        agreement_definition=agreement_definition,
        lang=lang,
    )
