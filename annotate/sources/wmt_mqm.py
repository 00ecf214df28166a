"""WMT MQM TSV files, as google/wmt-mqm-human-evaluation publishes them: their rows, their
``<v>…</v>`` marks, and per-system MQM scores computed the way WMT computes them.

The format: a header line, then one row per error with the columns ``system doc doc_id
seg_id rater source target category severity comment`` (``comment`` may be missing); the
error span is marked ``<v>…</v>`` in the *target*, or in the *source* for an omission and a
source error; a segment without error has a ``No-error`` row; severities are ``Major``,
``Minor``, ``Neutral`` and ``No-error``. Fields are not quoted: read with quoting off.

Scores (:func:`system_scores`), as in the repository's README and its
``*.avg_seg_scores.tsv`` files: the score of a rater-segment (one rater's judgement of one
system's segment) is the sum of its errors' weights — Major 5, Minor 1, Minor
Fluency/Punctuation 0.1, Non-translation 25, Neutral 0 — whatever side they are marked on
(omissions and source errors count); a system's score is the mean over its
rater-segments. Lower is better.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ExportError

__all__ = [
    "COLUMNS",
    "NO_ERROR",
    "MqmRow",
    "SystemScore",
    "read_rows",
    "system_scores",
    "unmark",
    "wmt_weight",
]

COLUMNS = [
    "system",
    "doc",
    "doc_id",
    "seg_id",
    "rater",
    "source",
    "target",
    "category",
    "severity",
    "comment",
]
NO_ERROR = "No-error"
OPEN, CLOSE = "<v>", "</v>"
_RAW = ("source", "target")  # kept as written: the marks' offsets depend on every character


@dataclass(frozen=True, slots=True)
class MqmRow:
    """One line of an MQM TSV file (``line`` counts from 1, the header being line 1)."""

    line: int
    system: str
    doc: str
    doc_id: str
    seg_id: str
    rater: str
    source: str
    target: str
    category: str
    severity: str
    comment: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The rater-segment this row belongs to."""
        return (self.system, self.doc, self.doc_id, self.seg_id, self.rater)

    @property
    def is_error(self) -> bool:
        return NO_ERROR not in (self.severity, self.category)


def read_rows(path: Path) -> Iterator[MqmRow]:
    """The rows of an MQM TSV file, streamed; a file without the columns raises
    :class:`ExportError`."""
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror}", file=path) from exc
    with fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        missing = [c for c in COLUMNS[:-1] if c not in (header or [])]
        if header is None or missing:
            raise ExportError(
                f"not an MQM TSV file: missing columns {missing or COLUMNS}",
                file=path,
                json_path="line 1",
                hint="the first line must name the columns: " + " ".join(COLUMNS),
            )
        col = [header.index(c) if c in header else None for c in COLUMNS]
        for lineno, row in enumerate(reader, start=2):
            if not any(row):
                continue
            row = row + [""] * (len(header) - len(row))
            values = [row[i] if i is not None else "" for i in col]
            yield MqmRow(
                lineno,
                *(
                    v if name in _RAW else v.strip()
                    for name, v in zip(COLUMNS, values, strict=True)
                ),
            )


def unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without ``<v>…</v>`` and the offsets of the marked parts in it. An opening
    ``<v>`` that is never closed marks the rest of the text (WMT's files have a few); a
    stray ``</v>`` is dropped."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = pos = 0
    while (at := marked.find(OPEN, pos)) >= 0:
        before = marked[pos:at].replace(CLOSE, "")
        out.append(before)
        length += len(before)
        end = marked.find(CLOSE, at + len(OPEN))
        inner = marked[at + len(OPEN) : end if end >= 0 else len(marked)].replace(OPEN, "")
        out.append(inner)
        spans.append((length, length + len(inner)))
        length += len(inner)
        pos = end + len(CLOSE) if end >= 0 else len(marked)
    out.append(marked[pos:].replace(CLOSE, ""))
    return "".join(out), spans


def wmt_weight(category: str, severity: str) -> float:
    """The weight WMT gives one error row (0 for ``No-error`` and ``Neutral``)."""
    cat, sev = category.strip().lower(), severity.strip().lower()
    if NO_ERROR.lower() in (cat, sev):
        return 0.0
    if cat.startswith("non-translation"):
        return 25.0
    if sev == "major":
        return 5.0
    if sev == "minor":
        return 0.1 if cat == "fluency/punctuation" else 1.0
    if sev == "critical":  # not a WMT severity; MQM core gives it 10
        return 10.0
    return 0.0


@dataclass(slots=True)
class SystemScore:
    """A system's MQM score: the mean weight per rater-segment (lower is better)."""

    system: str
    rater_segments: int = 0
    errors: int = 0  # rows with a non-zero weight
    total: float = 0.0

    @property
    def score(self) -> float:
        return self.total / self.rater_segments if self.rater_segments else 0.0


def system_scores(rows: Iterable[MqmRow]) -> dict[str, SystemScore]:
    """Per-system MQM scores of MQM TSV rows, WMT's way (module docstring)."""
    seen: set[tuple[str, ...]] = set()
    out: dict[str, SystemScore] = {}
    for row in rows:
        score = out.setdefault(row.system, SystemScore(row.system))
        if row.key not in seen:
            seen.add(row.key)
            score.rater_segments += 1
        weight = wmt_weight(row.category, row.severity)
        if weight:
            score.errors += 1
            score.total += weight
    return dict(sorted(out.items()))
