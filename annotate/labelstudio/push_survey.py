"""The first pass of a streamed push (:mod:`annotate.labelstudio.push_stream`): before
anything is sent, every input is read once and only small digests are kept.

Per layer a 64-bit digest of each task key and how many documents the layer applies to,
whether any document has a source text (the labeling config shows it), the bad files and
lines (all of them, so that one run lists them), and counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate.corpus import read_articles
from annotate.errors import CorpusError
from annotate.labelstudio.tasks import KEY_FIELD
from annotate.layers import get_layer
from annotate.model import Document, Unit, task_key

__all__ = [
    "PushSurvey",
    "key_digest",
    "layers_of",
    "survey_corpus",
    "survey_documents",
    "survey_tasks",
]

Corpus = Path | Sequence[Path]


def key_digest(key: str) -> int:
    """A task key's 64-bit digest: what the survey keeps of each task."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(slots=True)
class PushSurvey:
    """What the first pass keeps: per layer the digests of its tasks' keys and how many
    documents it applies to, whether any document has a source text, the bad files and
    lines, and the count of good documents."""

    keys: dict[str, set[int]]
    documents: dict[str, int]
    has_source: bool = False
    good: int = 0
    chars: int = 0  # of the good documents' text
    unit: str = ""  # the task files' (a corpus is segmented by the push's own)
    task_files: bool = False  # surveyed task files (push --tasks), not articles
    problems: list[CorpusError] = field(default_factory=list)


def layers_of(document: Document, layers: Sequence[str], all_documents: bool) -> list[str]:
    """The layers of ``layers`` offered for ``document`` (every one with ``all_documents``)."""
    return [n for n in layers if all_documents or get_layer(n).applies_to(document)]


def survey_documents(
    documents: Iterable[Document],
    *,
    layers: Sequence[str],
    unit: Unit = "paragraph",
    all_documents: bool = False,
    problems: list[CorpusError] | None = None,
) -> PushSurvey:
    """The first pass over documents (read by the caller, who collected the bad files and
    lines in ``problems``, kept in the survey)."""
    survey = PushSurvey({n: set() for n in layers}, dict.fromkeys(layers, 0), unit=unit)
    if problems is not None:
        survey.problems = problems
    for document in documents:
        survey.good += 1
        survey.chars += len(document.text)
        survey.has_source = survey.has_source or bool(document.source_text)
        for layer in layers_of(document, layers, all_documents):
            survey.documents[layer] += 1
            keys = survey.keys[layer]
            for seg in document.segments(unit):
                keys.add(key_digest(task_key(document.id, layer, seg.start, seg.end)))
    return survey


def survey_corpus(
    corpus: Corpus,
    *,
    layers: Sequence[str],
    unit: Unit = "paragraph",
    lang: str | None = None,
    all_documents: bool = False,
) -> PushSurvey:
    """The first pass over the articles; bad files and lines are collected in
    ``problems``, not raised."""
    problems: list[CorpusError] = []
    return survey_documents(
        read_articles(corpus, lang=lang, problems=problems),
        layers=layers,
        unit=unit,
        all_documents=all_documents,
        problems=problems,
    )


def survey_tasks(path: Path, *, layers: Sequence[str]) -> PushSurvey:
    """The first pass over task files (:mod:`annotate.labelstudio.task_input`): tasks of
    layers not in ``layers`` are left out; ``documents`` counts distinct documents."""
    from annotate.labelstudio.task_input import read_task_files

    survey = PushSurvey({n: set() for n in layers}, dict.fromkeys(layers, 0), task_files=True)
    documents: dict[str, set[int]] = {n: set() for n in layers}
    for task in read_task_files(path, problems=survey.problems):
        data = task["data"]
        survey.good += 1
        if data["layer"] not in survey.keys:
            continue
        survey.unit = survey.unit or str(data.get("unit") or "")
        survey.has_source = survey.has_source or bool(data.get("source_text"))
        survey.keys[data["layer"]].add(key_digest(data[KEY_FIELD]))
        documents[data["layer"]].add(key_digest(str(data.get("doc_id"))))
    survey.documents = {n: len(ids) for n, ids in documents.items()}
    return survey
