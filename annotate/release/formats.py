"""Training formats written beside the parquet files, each an option of the release.

=========  ===================================  ==========================================
name       file                                  what
=========  ===================================  ==========================================
conll      formats/entities.conll               entities as IOB2 token tags (CoNLL)
spacy      formats/entities.spacy               entities as a spaCy DocBin
mqm        formats/translation_errors.mqm.tsv   translation errors as WMT MQM TSV
=========  ===================================  ==========================================

A format reads only the release's documents and rows, so it can be written for any
release; an unknown name lists the known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError
from annotate.model import Document

__all__ = ["FORMATS", "Format", "check_formats", "format_names", "write_formats"]

Rows = Mapping[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    layer: str
    path: str  # relative to the release directory
    description: str
    write: Callable[[Mapping[str, Document], Rows, Path], dict[str, Any]]


def _conll(documents: Mapping[str, Document], rows: Rows, path: Path) -> dict[str, Any]:
    from annotate.release.bio import ConllStats, bio_segments, write_conll

    stats = ConllStats()
    segs = bio_segments(documents, rows["segments"], rows["entities"], stats=stats)
    write_conll(segs, path)
    return {
        "segments": stats.segments,
        "tokens": stats.tokens,
        "spans": stats.spans,
        "split_tokens": stats.split_tokens,
        "skipped": stats.skipped,
    }


def _spacy(documents: Mapping[str, Document], rows: Rows, path: Path) -> dict[str, Any]:
    from annotate.release.bio import ConllStats, bio_segments
    from annotate.release.docbin import write_docbin

    stats = ConllStats()
    docs = write_docbin(
        bio_segments(documents, rows["segments"], rows["entities"], stats=stats), path
    )
    return {"docs": docs, "spans": stats.spans, "skipped": stats.skipped}


def _mqm(documents: Mapping[str, Document], rows: Rows, path: Path) -> dict[str, Any]:
    from annotate.layers.translation_errors import TranslationErrorsLayer
    from annotate.release.mqm import write_mqm_tsv, write_wmt_tsv

    if TranslationErrorsLayer().two_sided:  # schema 1.1.0 on: every rater, WMT's columns
        return {"rows": write_wmt_tsv(documents, rows.get("annotations", []), path)}
    n = write_mqm_tsv(documents, rows["segments"], rows["translation_errors"], path)
    return {"rows": n}


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "conll",
            "entities",
            "formats/entities.conll",
            "Entities as IOB2 token tags, one `token<TAB>tag` line per token, a blank line "
            "after each sentence, `-DOCSTART-<TAB>doc_id` before each annotated segment; "
            "tokens from spaCy's rule-based French tokenizer (elisions split: d’ + OpenAI).",
            _conll,
        ),
        Format(
            "spacy",
            "entities",
            "formats/entities.spacy",
            "Entities as a spaCy DocBin (one Doc per annotated segment, `doc.ents` with "
            "Wikidata ids as `kb_id`), for `spacy train`.",
            _spacy,
        ),
        Format(
            "mqm",
            "translation_errors",
            "formats/translation_errors.mqm.tsv",
            "Translation errors as WMT MQM TSV (`system doc doc_id seg_id rater source "
            "target category severity comment`, error spans marked `<v>…</v>`, `No-error` "
            "rows); read it with quoting off.",
            _mqm,
        ),
    )
}


def format_names() -> list[str]:
    return list(FORMATS)


def check_formats(names: Sequence[str]) -> list[str]:
    """``names`` in registry order; an unknown one raises :class:`ConfigError` listing
    the known ones."""
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format {unknown[0]!r}; known formats: {', '.join(FORMATS)}")
    return [n for n in FORMATS if n in names]


def write_formats(
    names: Sequence[str], documents: Mapping[str, Document], rows: Rows, root: Path
) -> dict[str, dict[str, Any]]:
    """Write the formats ``names`` under ``root``; returns what each wrote."""
    out = {}
    for name in check_formats(names):
        fmt = FORMATS[name]
        if fmt.layer not in rows:
            continue
        out[name] = fmt.write(documents, rows, root / fmt.path)
    return out
