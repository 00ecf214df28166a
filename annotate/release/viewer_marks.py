"""Viewer format 3: the raters' spans marked by the one definition of a disagreement.

Format 2 (:mod:`annotate.release.viewer_script`, release 2.1.0) marks a rater's span as
disputed in its script when not every "rater" of the segment made one with the same
offsets and label: a third, looser definition, which also counts the adjudicator as a
rater and ignores the per-span fields. Format 3 marks them here, in Python, with
:func:`annotate.disputes.task_disagreements` and :func:`annotate.disputes.task_notes` on
the raters' versions rebuilt from the ``annotations`` config (raters: origin
``annotation``, not ground truth), under the release's ``agreement_definition``: a span
in a disputed region is a *dispute*, a span the raters all made alike but for free text
(the MQM comment) is a *note*. Each raw row carries its mark (``mark``: ``dispute``,
``note`` or none) in the page's JSON; the script draws a note apart from a dispute.

The format-3 script is format 2's with the marking replaced (:func:`script`): format 2's
text stays as it was, so that 2.1.0's pages rebuild byte for byte.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from annotate.disputes import (
    AGREEMENT_DEFINITION,
    keyed_once,
    span_keyer,
    task_disagreements,
    task_notes,
)
from annotate.model import Annotation, Relation, Span

__all__ = ["MARK_COLUMN", "STYLE3", "document_template", "rater_marks", "script"]

MARK_COLUMN = "mark"
Key = tuple[str, str, int, int]  # (doc id, layer, segment start, segment end)


def rater_marks(
    values: dict[str, list[Any]], doc_ids: list[str], *, definition: int
) -> list[str | None]:
    """Per raw row (the ``annotations`` config's columns ``values``, each row's document
    in ``doc_ids``): ``"dispute"``, ``"note"`` or ``None``, under the agreement
    ``definition``. Rows of an adjudicator or a ground truth are never marked."""
    marks: list[str | None] = [None] * len(doc_ids)
    col = values
    # releases made before provenance (1.0.0, 2.0.0) have no origin: every row a rater's
    origin = col.get("origin") or ["annotation"] * len(doc_ids)
    tasks: dict[Key, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, doc_id in enumerate(doc_ids):
        if origin[i] == "annotation" and not col["ground_truth"][i]:
            key = (doc_id, col["layer"][i], col["segment_start"][i], col["segment_end"][i])
            tasks[key][col["annotator"][i]].append(i)
    keyers: dict[str, Callable[[Span], str]] = {}  # layer → its span_keyer
    for key, by_rater in tasks.items():
        if len(by_rater) < 2 or _alike(col, by_rater):
            continue  # one version, or versions alike: nothing in dispute, no note
        where: dict[tuple[str, str], int] = {}  # (annotator, span id) → row
        anns = [_annotation(col, key, who, by_rater[who], where) for who in sorted(by_rater)]
        if key[1] not in keyers:
            keyers[key[1]] = span_keyer(key[1], definition=definition)
        # each span keyed once for both (the notes' keyer is the current definition's)
        span_key = keyed_once(keyers[key[1]])
        shared = span_key if definition == AGREEMENT_DEFINITION else None
        for d in task_notes(anns, span_key=shared) if definition > 1 else []:
            _mark(marks, where, d.versions, "note")
        for d in task_disagreements(anns, definition=definition, span_key=span_key):
            _mark(marks, where, d.versions, "dispute")
    return marks


def _alike(col: dict[str, list[Any]], by_rater: dict[str, list[int]]) -> bool:
    """Whether every rater's rows of a task say the same (spans with their fields and
    links, the judgement): such versions agree under any definition. (The values are
    one parquet column's each, of one type: ``==`` says what their ``repr`` would.)"""
    first: tuple[Any, list[Any]] | None = None
    for rows in by_rater.values():
        at = {col["span_id"][i]: (col["start"][i], col["end"][i], col["label"][i]) for i in rows}
        spans = sorted(
            (
                at[col["span_id"][i]],
                str(col["attributes"][i]),
                sorted((r["label"], at.get(r["to_id"])) for r in col["relations"][i] or []),
            )
            for i in rows
            if col["start"][i] is not None
        )
        version = (col["judgement"][rows[0]], spans)
        if first is None:
            first = version
        elif version != first:
            return False  # the first rater to differ: the task is compared
    return True


def _annotation(
    col: dict[str, list[Any]],
    key: Key,
    who: str,
    rows: list[int],
    where: dict[tuple[str, str], int],
) -> Annotation:
    """One rater's version of a task, from its rows (``where`` gets its spans' rows)."""
    first = rows[0]
    ann = Annotation(
        layer=key[1],
        doc_id=key[0],
        task_key="|".join(map(str, key)),
        segment_start=key[2],
        segment_end=key[3],
        annotator=who,
        annotation_id=col["annotation_id"][first],
        judgement=col["judgement"][first],
    )
    for i in rows:
        if col["start"][i] is None:
            continue
        span_id, attrs = str(col["span_id"][i]), col["attributes"][i]
        ann.spans.append(
            Span(
                id=span_id,
                start=col["start"][i],
                end=col["end"][i],
                text="",
                label=str(col["label"][i]),
                attrs=json.loads(attrs) if isinstance(attrs, str) else dict(attrs or {}),
            )
        )
        for rel in col["relations"][i] or []:
            ann.relations.append(Relation(span_id, str(rel["to_id"]), str(rel["label"])))
        where[(who, span_id)] = i
    return ann


def _mark(
    marks: list[str | None], where: dict[tuple[str, str], int], versions: dict[str, Any], mark: str
) -> None:
    """Mark the spans of each rater's version (a relation's: the spans it links)."""
    for who, version in versions.items():
        ids = {s.id for s in version.spans}
        ids |= {i for r in version.relations for i in (r.from_id, r.to_id)}
        for span_id in ids:
            row = where.get((who, span_id))
            if row is not None:
                marks[row] = mark


STYLE3 = """
.vw-note { outline: 2px dotted #0969da; }
tr.note td { background: #f0f6ff; }
"""

# format 2's script → format 3's: (what, by what); each must be found exactly once
_MARKING_2 = """  // what each rater of a segment made, and the spans that some but not all of them made
  var raw = rowsOf(data.raw, null), made = {}, disputedIn = {}, disputedCount = 0;
  raw.forEach(function (r) {
    var seg = r.layer + '|' + r.segment_start + '|' + r.segment_end;
    var mine = (made[seg] = made[seg] || {});
    mine[r.annotator] = mine[r.annotator] || {};
    if (r.start !== null) mine[r.annotator][r.start + '|' + r.end + '|' + r.label] = true;
  });
  Object.keys(made).forEach(function (seg) {
    var raters = Object.keys(made[seg]), times = {};
    if (raters.length < 2) return;
    raters.forEach(function (a) { Object.keys(made[seg][a]).forEach(function (k) { times[k] = (times[k] || 0) + 1; }); });
    Object.keys(times).forEach(function (k) {
      if (times[k] < raters.length) { (disputedIn[seg] = disputedIn[seg] || {})[k] = true; disputedCount++; }
    });
  });
  function isDisputed(r) {
    var seg = disputedIn[r.layer + '|' + r.segment_start + '|' + r.segment_end];
    return !!(seg && seg[r.start + '|' + r.end + '|' + r.label]);
  }
  function never() { return false; }
"""
_MARKING_3 = """  // each rater's span as the page's rows mark it (annotate.disputes): a dispute or a note
  var raw = rowsOf(data.raw, null), disputedIn = {}, disputedCount = 0, noteCount = 0;
  raw.forEach(function (r) {
    if (!r.mark) return;
    disputedIn[r.layer + '|' + r.segment_start + '|' + r.segment_end] = true;
    if (r.mark === 'dispute') disputedCount++; else noteCount++;
  });
  function isDisputed(r) { return r.mark || ''; }
  function never() { return ''; }
  function markClass(m, base) { return m === 'dispute' ? base : m === 'note' ? base.replace('disputed', 'note') : ''; }
  function markSign(m) { return m === 'dispute' ? ' ≠' : m === 'note' ? ' ✎' : ''; }
"""
_REPLACEMENTS = (
    (_MARKING_2, _MARKING_3),
    ("span_id: 1, attributes: 1};", "span_id: 1, attributes: 1, mark: 1};"),
    ("(disputed(r) ? ' ≠' : '')", "markSign(disputed(r))"),
    ("(disputed(r) ? ' vw-disputed' : '')", "markClass(disputed(r), ' vw-disputed')"),
    ("disputed(r) ? 'disputed' : null", "markClass(disputed(r), 'disputed') || null"),
    (
        "if (count) count.textContent = String(disputedCount);",
        "if (count) count.textContent = String(disputedCount);\n"
        "  var noted = document.getElementById('vw-notes');\n"
        "  if (noted) noted.textContent = String(noteCount);",
    ),
)


def script(format_2: str) -> str:
    """The format-3 script made from format 2's (each replacement found, or an error)."""
    out = format_2
    for old, new in _REPLACEMENTS:
        if old not in out:  # format 2's script was edited: it must not be
            raise RuntimeError(f"viewer format 2's script lacks {old[:60]!r}")
        out = out.replace(old, new)
    return out


_TEMPLATE_REPLACEMENTS = (
    (
        '<span id="vw-disputed">?</span> disputed spans',
        '<span id="vw-disputed">?</span> disputed spans, <span id="vw-notes">?</span> with a note',
    ),
    (
        '<span class="vw-disputed">dashed</span> and ≠: not every rater of the segment made it)',
        '<span class="vw-disputed">dashed</span> and ≠: in dispute, the raters\' versions differ'
        ' there; <span class="vw-note">dotted</span> and ✎: a note, every rater made the span'
        " alike but worded its free text (the comment) otherwise)",
    ),
)


def document_template(format_2: str) -> str:
    """The format-3 document page (Jinja) made from format 2's."""
    out = format_2
    for old, new in _TEMPLATE_REPLACEMENTS:
        if old not in out:
            raise RuntimeError(f"viewer format 2's page lacks {old[:60]!r}")
        out = out.replace(old, new)
    return out
