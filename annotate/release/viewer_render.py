"""One paragraph of one layer, drawn by displaCy, and the disagreements between raters.

displaCy takes character offsets for the ``ent`` style and tokens for the ``span`` style:
a paragraph is cut into tokens at whitespace and at every span boundary, so that every
span starts and ends on a token (displaCy separates tokens by a space: a boundary inside a
word shows as one). Its templates are given here so that every drawn span is one element
with a class (``vw-mark`` or ``vw-start``), its row id, and its fields on hover.
"""

from __future__ import annotations

import itertools
import json
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from markupsafe import escape

if TYPE_CHECKING:
    from annotate.release.viewer import _Layer

__all__ = ["POSITIONAL", "disagreements", "render_paragraph"]

# the columns that place a row (drawn, not listed among its fields)
POSITIONAL = {"doc_id", "segment_start", "segment_end", "start", "end", "span_text"}

_KB_URL = "https://www.wikidata.org/wiki/{}"
# The markup of one span; what every span shares is in the stylesheet
# (annotate.release.viewer_templates), so that a page stays small.
_ENT = (
    '<mark class="vw-mark{cls}" id="{anchor}" title="{hover}" style="background:{bg}">'
    '{text}<span class="vw-label">{label}{kb_link}</span></mark>'
)
_SPAN = {
    "span": '<span class="vw-token" style="height:{total_height}px">{text}{span_slices}{span_starts}</span>',
    "slice": '<span class="vw-slice" style="background:{bg};top:{top_offset}px"></span>',
    "start": '<span class="vw-start" title="{label}" style="background:{bg};top:{top_offset}px">'
    '<span class="vw-label" style="background:{bg}">{label}{kb_link}</span></span>',
}
# the columns of a raw row (the annotations config) that say whose it is, not what it is
_RAW = {"layer", "annotator", "annotation_id", "ground_truth", "judgement", "label", "span_id"}
_OFFSETS = {"top_offset": 32, "span_label_offset": 18, "top_offset_step": 16}


def _fields(layer: _Layer, row: dict[str, Any]) -> dict[str, Any]:
    """The fields of a row that are not its place: label, attributes, ids, sources."""
    skip = POSITIONAL | _RAW | {layer.id_column or "", layer.label or ""}
    out = {k: v for k, v in row.items() if k not in skip and v not in (None, "", [])}
    if isinstance(row.get("attributes"), dict):  # a raw row: its layer fields
        out.pop("attributes", None)
        out.update(row["attributes"])
    return out


def _label(layer: _Layer, row: dict[str, Any]) -> str:
    """The label of a gold row (its label column), or of a raw row (its layer field of that
    name, else the region's label)."""
    if layer.label and row.get(layer.label) is not None:
        return str(row[layer.label])
    if isinstance(row.get("attributes"), dict):
        value = row["attributes"].get(layer.label or "")
        if value is not None:
            return str(value)
    return str(row.get("label") or layer.name)


def _tag(layer: _Layer, row: dict[str, Any]) -> str:
    """The short label drawn on a span: its label and its choice values."""
    fields = _fields(layer, row)
    parts = [_label(layer, row)]
    for key in ("modality", "severity", "claim_type"):  # the values a reader scans for
        if key in fields and str(fields[key]) not in parts:
            parts.append(str(fields[key]))
    if fields.get("checkworthy") in (True, "yes"):
        parts.append("✓")
    return " · ".join(parts)


def _hover(layer: _Layer, row: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {_plain(v)}" for k, v in _fields(layer, row).items())


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return value.get("text") or json.dumps(value, ensure_ascii=False)
    return str(value)


def _anchor(layer: _Layer, row: dict[str, Any], annotator: str | None) -> str:
    rid = str(
        row.get(layer.id_column or "span_id")
        or row.get("span_id")
        or f"{row['start']}-{row['end']}"
    )
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{layer.name}-{annotator or 'gold'}-{rid}")


def _key(row: dict[str, Any], layer: _Layer) -> tuple[Any, ...]:
    """What makes two raters' spans the same: offsets and region label (raw rows only)."""
    return (row["start"], row["end"], str(row.get("label")))


def disagreements(
    raw: dict[str, list[dict[str, Any]]],
) -> dict[tuple[Any, ...], set[tuple[Any, ...]]]:
    """(layer, segment start, segment end) → the spans (start, end, label) that some but not
    all of the segment's raters made."""
    made: dict[tuple[Any, ...], dict[str, set[tuple[Any, ...]]]] = defaultdict(dict)
    for annotator, rows in raw.items():
        for r in rows:
            seg = (r["layer"], r["segment_start"], r["segment_end"])
            spans = made[seg].setdefault(annotator, set())
            if r["start"] is not None:
                spans.add((r["start"], r["end"], str(r["label"])))
    out = {}
    for seg, by_rater in made.items():
        if len(by_rater) < 2:
            continue
        every = set.intersection(*by_rater.values())
        some = set.union(*by_rater.values())
        if some - every:
            out[seg] = some - every
    return out


def render_paragraph(
    layer: _Layer,
    text: str,
    start: int,
    end: int,
    rows: list[dict[str, Any]],
    *,
    annotator: str | None,
    disputed: dict[tuple[Any, ...], set[tuple[Any, ...]]] | None = None,
) -> dict[str, Any]:
    """The displaCy markup of ``rows`` over ``text[start:end]`` and the table of their
    fields; ``annotator`` None is the gold."""
    rows = sorted(rows, key=lambda r: (r["start"], r["end"], str(_key(r, layer)[2])))
    para = text[start:end]
    contested = set()
    for r in rows:
        seg = (layer.name, r["segment_start"], r["segment_end"])
        if disputed and _key(r, layer) in disputed.get(seg, set()):
            contested.add(id(r))
    if layer.overlapping:
        tokens, spans = _tokens(para, rows, start, layer, contested)
        renderer = _renderer(layer, "span")
        for s, r in zip(spans, rows, strict=True):
            _register(renderer, layer, str(s["label"]), _color(layer, r))
        markup = renderer.render([{"text": para, "tokens": tokens, "spans": spans}])
    else:
        ents = [
            {
                "start": r["start"] - start,
                "end": r["end"] - start,
                "label": escape(_tag(layer, r)),
                **(
                    {"kb_id": r["kb_id"], "kb_url": _KB_URL.format(r["kb_id"])}
                    if r.get("kb_id")
                    else {}
                ),
                "params": {
                    "anchor": _anchor(layer, r, annotator),
                    "hover": escape(_hover(layer, r)),
                    "cls": (" vw-disputed" if id(r) in contested else "")
                    + (f" vw-{layer.kind}" if layer.kind else ""),
                },
            }
            for r in rows
        ]
        renderer = _renderer(layer, "ent")
        for e, r in zip(ents, rows, strict=True):
            _register(renderer, layer, str(e["label"]), _color(layer, r))
        markup = renderer.render([{"text": para, "ents": ents, "title": None}])
    table = [
        {
            "anchor": _anchor(layer, r, annotator),
            "text": text[r["start"] : r["end"]],
            "label": _tag(layer, r),
            "fields": _fields(layer, r),
            "disputed": id(r) in contested,
        }
        for r in rows
    ]
    return {
        "layer": layer.name,
        "annotator": annotator,
        "markup": markup,
        "rows": table,
        "count": len(rows),
    }


def _register(renderer: Any, layer: _Layer, label: str, color: str) -> None:
    """displaCy colours a span by its label: the first colour a label gets is kept (the
    viewer's labels map to one colour each); a diff's label takes the colour of its kind,
    over displaCy's own colours for labels such as ORG."""
    if layer.kind:
        renderer.colors[label.upper()] = color
    else:
        renderer.colors.setdefault(label.upper(), color)


def _color(layer: _Layer, row: dict[str, Any]) -> str:
    if layer.kind:  # a diff colours by kind of change
        return layer.colors.get(layer.kind, "#ddd")
    return layer.colors.get(_label(layer, row), "#ddd")


def _renderer(layer: _Layer, style: str) -> Any:
    """displaCy's renderer of ``style`` for ``layer``, made once: making one reads every
    colour registered through entry points, which costs more than drawing a paragraph."""
    if style not in layer.renderers:
        from spacy.displacy.render import EntityRenderer, SpanRenderer

        colors = {k.upper(): v for k, v in layer.colors.items()}
        if style == "span":
            template = _SPAN
            if layer.kind:  # a diff's marks carry the kind of change as a class
                template = {
                    k: v.replace('class="vw-start"', f'class="vw-start vw-{layer.kind}"')
                    for k, v in _SPAN.items()
                }
            layer.renderers[style] = SpanRenderer(
                {"colors": colors, "template": template, **_OFFSETS}
            )
        else:
            layer.renderers[style] = EntityRenderer({"colors": colors, "template": _ENT})
    return layer.renderers[style]


def _tokens(
    para: str, rows: list[dict[str, Any]], offset: int, layer: _Layer, contested: set[int]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Tokens of ``para`` cut at whitespace and at every span boundary, and the spans as
    token ranges."""
    cuts = {0, len(para)}
    for r in rows:
        cuts |= {r["start"] - offset, r["end"] - offset}
    for m in re.finditer(r"\s+", para):
        cuts |= {m.start(), m.end()}
    bounds = sorted(c for c in cuts if 0 <= c <= len(para))
    # Whitespace stays a token of its own: displaCy writes a plain token followed by a space
    # and a token inside a span without one, so the text's own spaces are what separate
    # the words of a span (and two pieces of one word cut by a span boundary stay joined).
    pieces = list(itertools.pairwise(bounds))
    starts = [a for a, _b in pieces]
    ends = [b for _a, b in pieces]
    spans = []
    for r in rows:
        first = bisect_left(starts, r["start"] - offset)  # the first token inside the span
        last = bisect_right(ends, r["end"] - offset)  # one past the last token inside it
        while last > first + 1 and not para[slice(*pieces[last - 1])].strip():
            last -= 1  # no trailing whitespace token in a span
        label = _tag(layer, r) + (" ≠" if id(r) in contested else "")
        spans.append(
            {"start_token": first, "end_token": max(last, first + 1), "label": escape(label)}
        )
    return [para[a:b] for a, b in pieces], spans
