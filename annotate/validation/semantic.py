"""Semantic checks: what a JSON Schema cannot say about a record.

Offsets inside the document and the segment, the span text equal to the document's text at
its offsets, no white space at span edges, no overlap where the layer forbids it, no
duplicate spans or ids, relations between existing spans of the right labels, the
severity/category combinations the guidelines forbid, and a segment judgement that agrees
with the spans. Everything is derived from the layer's taxonomy (``x-annotate``).

:meth:`SemanticChecker.ok` is the fast path (a plain yes/no for a structurally valid
record); :meth:`SemanticChecker.explain` finds and words every problem, and copes with
records the schema already rejected.
"""

from __future__ import annotations

from operator import le
from typing import Any, Literal

from annotate.layers import get_layer
from annotate.model import Document, Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.text import span_name

__all__ = ["SemanticChecker", "Whitespace"]

Whitespace = Literal["flag", "fix"]

_NO_ERROR, _ERRORS = "no-error", "errors"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SemanticChecker:
    """The semantic rules of one layer."""

    def __init__(
        self, layer: str, *, whitespace: Whitespace = "flag", schemas: SchemaSet | None = None
    ) -> None:
        if whitespace not in ("flag", "fix"):
            raise ValueError(f"whitespace must be 'flag' or 'fix', not {whitespace!r}")
        tax = (schemas or active_schemas()).taxonomy(layer)
        self.layer = layer
        self.whitespace = whitespace
        self.no_overlap = tax.overlap == "forbidden"
        self.relations = {
            name: (rel.get("from"), rel.get("to")) for name, rel in tax.relations.items()
        }
        # label → [(field, value, why)] from x-annotate.forbidden
        self.forbidden: dict[str, list[tuple[str, Any, str]]] = {}
        for rule in tax.forbidden:
            for name, value in rule.items():
                if name not in ("label", "why"):
                    self.forbidden.setdefault(rule["label"], []).append(
                        (name, value, rule.get("why", ""))
                    )
        self.exclusive = get_layer(layer, schemas).alone_in_segment
        self.judgement = next(
            (c.name for c in tax.segment_choices() if {_NO_ERROR, _ERRORS} <= set(c.values)),
            None,
        )

    # ------------------------------------------------------------------ fast path
    def ok(self, rec: dict[str, Any], text: str | None, segment_text: str | None) -> bool:
        """True when a structurally valid record has no semantic problem at all."""
        if text is None:
            return False
        seg = rec["segment"]
        s0, s1 = seg["start"], seg["end"]
        if s0 > s1 or s1 > len(text):
            return False
        if segment_text is not None and (
            len(segment_text) != s1 - s0 or text[s0:s1] != segment_text
        ):
            return False
        spans = rec["spans"]
        n = len(spans)
        if n:
            ids: set[Any] = set()
            add = ids.add
            starts: list[int] = []
            ends: list[int] = []
            add_start, add_end = starts.append, ends.append
            for sp in spans:
                if "side" in sp and sp["side"] != "target":
                    return False  # a source-side span: explain() checks it against the source
                st, en, t = sp["start"], sp["end"], sp["text"]
                # t is non-empty (schema), so an equal slice also means st < en
                if text[st:en] != t or st < s0 or en > s1 or t.strip() != t:
                    return False
                add(sp["id"])
                add_start(st)
                add_end(en)
            if len(ids) != n:
                return False
            if n > 1:
                if self.no_overlap:
                    # Disjoint iff, with starts and ends sorted independently, every end
                    # is at most the next start (no point is covered twice).
                    starts.sort()
                    ends.sort()
                    del starts[0]
                    if not all(map(le, ends, starts)):
                        return False
                elif len({(sp["start"], sp["end"], sp["label"]) for sp in spans}) != n:
                    return False
                if self.exclusive and any(sp["label"] in self.exclusive for sp in spans):
                    return False
            if self.forbidden:
                for sp in spans:
                    rules = self.forbidden.get(sp["label"])
                    if rules and any(v == "*" or sp.get(f) == v for f, v, _ in rules):
                        return False
        rels = rec["relations"]
        if rels:
            labels = {sp["id"]: sp["label"] for sp in spans}
            seen = set()
            for r in rels:
                key = (r["from_id"], r["to_id"], r["label"])
                want = self.relations.get(r["label"])
                if (
                    want is None
                    or labels.get(key[0]) != want[0]
                    or labels.get(key[1]) != want[1]
                    or key in seen
                ):
                    return False
                seen.add(key)
        if self.judgement is not None and rec.get("origin") != "prediction":
            j = rec.get("judgement")
            if j is None or (j == _NO_ERROR) == bool(n):
                return False
        return True

    # ------------------------------------------------------------------ explanations
    def explain(
        self, rec: dict[str, Any], document: Document | None, segment_text: str | None
    ) -> list[Issue]:
        """Every semantic problem of ``rec`` (paths into the record). In ``fix`` mode, white
        space at span edges is trimmed in ``rec`` itself and reported as a warning."""
        issues: list[Issue] = []
        text = document.text if document is not None else None
        if document is None:
            doc_id = rec.get("doc_id")
            issues.append(
                Issue(
                    "unknown-document",
                    f"document {str(doc_id)[:12]}… is not in the corpus",
                    json_path="$.doc_id",
                    hint="ingest the article the tasks were made from (--articles)",
                )
            )
        seg = rec.get("segment")
        seg = seg if isinstance(seg, dict) else {}
        s0, s1 = _int(seg.get("start")), _int(seg.get("end"))
        seg_ok = s0 is not None and s1 is not None
        text_ok = True  # False once the task's text is known to differ from the document
        if text is not None and seg_ok:
            assert s0 is not None and s1 is not None
            if not 0 <= s0 <= s1 <= len(text):
                issues.append(
                    Issue(
                        "segment-range",
                        f"segment [{s0}, {s1}) is outside the document (length {len(text)})",
                        json_path="$.segment",
                        hint="the corpus changed since the tasks were pushed",
                    )
                )
                seg_ok = text_ok = False
            elif segment_text is not None and text[s0:s1] != segment_text:
                issues.append(
                    Issue(
                        "segment-text",
                        "the task's text differs from the document at the segment's offsets",
                        json_path="$.segment",
                        hint="the corpus changed since the tasks were pushed",
                    )
                )
                text_ok = False
        raw_spans = rec.get("spans")
        spans = raw_spans if isinstance(raw_spans, list) else []
        good: list[tuple[int, dict[str, Any], int, int]] = []  # spans with usable offsets
        for i, sp in enumerate(spans):
            if not isinstance(sp, dict):
                continue
            where = f"$.spans[{i}]"
            st, en = _int(sp.get("start")), _int(sp.get("end"))
            if st is None or en is None or st < 0:
                continue  # the schema reports it
            name = span_name(sp, i)
            if st >= en:
                issues.append(
                    Issue("empty-span", f"{name}: start is not before end", json_path=where)
                )
                continue
            if sp.get("side", "target") != "target":
                found, usable = self._source_span(sp, i, document)
                issues += found
                if usable:
                    good.append((i, sp, sp["start"], sp["end"]))
                continue
            if seg_ok and s0 is not None and s1 is not None and not (s0 <= st and en <= s1):
                inside = st < s1 and en > s0
                issues.append(
                    Issue(
                        "crosses-segment" if inside else "outside-segment",
                        f"{name} {'crosses a bound of' if inside else 'is outside'} its segment [{s0}, {s1})",
                        json_path=where,
                        hint="a span must lie inside the paragraph of its task",
                    )
                )
                continue
            if text is not None and text_ok:
                if en > len(text):
                    issues.append(
                        Issue(
                            "out-of-range",
                            f"{name}: end {en} is past the end of the document ({len(text)})",
                            json_path=f"{where}.end",
                        )
                    )
                    continue
                found, usable = self._text_and_edges(sp, i, text)
                issues += found
                if not usable:
                    continue
                st, en = sp["start"], sp["end"]  # trimmed in fix mode
            good.append((i, sp, st, en))
        issues += self._duplicates(good)
        issues += self._combinations(spans)
        issues += self._relations(rec, spans)
        issues += self._judgement(rec, spans)
        return issues

    def _source_span(
        self, sp: dict[str, Any], i: int, document: Document | None
    ) -> tuple[list[Issue], bool]:
        """A span marked on the source side (an omission, a source error): its offsets
        index the document's ``source_text``, anywhere in it."""
        where = f"$.spans[{i}]"
        name = span_name(sp, i)
        if sp["side"] != "source":
            return [
                Issue(
                    "unknown-value",
                    f"{name}: side {sp['side']!r} is not 'target' or 'source'",
                    json_path=f"{where}.side",
                )
            ], False
        if document is None:
            return [], False
        source = document.source_text
        if not source:
            return [
                Issue(
                    "no-source",
                    f"{name} is marked on the source side, but the document has no source text",
                    json_path=f"{where}.side",
                    hint="give the document its source_text (JSONL corpus), or mark the target",
                )
            ], False
        if sp["end"] > len(source):
            return [
                Issue(
                    "out-of-range",
                    f"{name}: end {sp['end']} is past the end of the source ({len(source)})",
                    json_path=f"{where}.end",
                )
            ], False
        return self._text_and_edges(sp, i, source)

    def _text_and_edges(self, sp: dict[str, Any], i: int, text: str) -> tuple[list[Issue], bool]:
        where = f"$.spans[{i}]"
        st, en = sp["start"], sp["end"]
        actual = text[st:en]
        name = span_name(sp, i)
        out: list[Issue] = []
        given = sp.get("text")
        if isinstance(given, str) and given and given != actual:
            out.append(
                Issue(
                    "text-mismatch",
                    f"{name}: text {given!r} differs from the document's {actual!r} at its offsets",
                    json_path=f"{where}.text",
                    hint="offsets are code points into the NFC document text",
                )
            )
        stripped = actual.strip()
        if stripped == actual:
            return out, True
        if not stripped:
            out.append(
                Issue("blank-span", f"{name}: the span is only white space", json_path=where)
            )
            return out, False
        lead = len(actual) - len(actual.lstrip())
        trail = len(actual) - len(actual.rstrip())
        if self.whitespace == "fix":
            sp["start"], sp["end"] = st + lead, en - trail
            sp["text"] = text[sp["start"] : sp["end"]]
            out.append(
                Issue(
                    "whitespace-trimmed",
                    f"{name}: white space at its edges trimmed to [{sp['start']}, {sp['end']})",
                    severity="warning",
                    json_path=f"{where}.{'start' if lead else 'end'}",
                )
            )
        else:
            sides = [s for s, n in (("start", lead), ("end", trail)) if n]
            out.append(
                Issue(
                    "whitespace-edge",
                    f"{name}: white space at its {' and '.join(sides)}",
                    json_path=f"{where}.{sides[0]}",
                    hint="spans never start or end with a space; fix the selection, "
                    "or rerun with --whitespace fix",
                )
            )
        return out, True

    def _duplicates(self, good: list[tuple[int, dict[str, Any], int, int]]) -> list[Issue]:
        out: list[Issue] = []
        first_id: dict[Any, int] = {}
        first_span: dict[tuple[int, int, Any, Any], int] = {}
        for i, sp, st, en in good:
            sid = sp.get("id")
            if sid in first_id:
                out.append(
                    Issue(
                        "duplicate-span-id",
                        f"{span_name(sp, i)}: id {sid!r} is already used by spans[{first_id[sid]}]",
                        json_path=f"$.spans[{i}].id",
                    )
                )
            else:
                first_id[sid] = i
            key = (st, en, sp.get("label"), sp.get("side", "target"))
            if key in first_span:
                out.append(
                    Issue(
                        "duplicate-span",
                        f"{span_name(sp, i)}: the same span and label as spans[{first_span[key]}]",
                        json_path=f"$.spans[{i}]",
                        hint="delete one of the two regions",
                    )
                )
            else:
                first_span[key] = i
        if self.no_overlap:
            ordered = sorted(good, key=lambda g: (g[2], g[3]))
            last: tuple[int, dict[str, Any], int, int] | None = None
            for g in ordered:
                same = last is not None and (g[2], g[3], g[1].get("label")) == (
                    last[2],
                    last[3],
                    last[1].get("label"),
                )
                if last is not None and g[2] < last[3] and not same:
                    out.append(
                        Issue(
                            "overlapping-spans",
                            f"{span_name(g[1], g[0])} overlaps {span_name(last[1], last[0])}; "
                            f"spans of the {self.layer} layer must not overlap",
                            json_path=f"$.spans[{g[0]}]",
                            hint="keep only the longest name",
                        )
                    )
                if last is None or g[3] > last[3]:
                    last = g
        return out

    def _combinations(self, spans: list[Any]) -> list[Issue]:
        out: list[Issue] = []
        items = [(i, sp) for i, sp in enumerate(spans) if isinstance(sp, dict)]
        for i, sp in items:
            for field, value, why in self.forbidden.get(sp.get("label"), ()):  # type: ignore[arg-type]
                if value == "*" or sp.get(field) == value:
                    out.append(
                        Issue(
                            "forbidden-combination",
                            f"{span_name(sp, i)}: {sp.get('label')} with {field} {sp.get(field)!r} is forbidden",
                            json_path=f"$.spans[{i}].{field}",
                            hint=why or None,
                        )
                    )
        alone = [(i, sp) for i, sp in items if sp.get("label") in self.exclusive]
        if alone and len(items) > 1:
            i, sp = alone[-1] if len(alone) > 1 else alone[0]
            label = sp.get("label")
            out.append(
                Issue(
                    "exclusive-label",
                    f"{span_name(sp, i)}: {label} must be the only span of its segment; "
                    f"this one has {len(items)} spans",
                    json_path=f"$.spans[{i}]",
                    hint=f"mark one {label} for the whole segment, or the separate errors",
                )
            )
        return out

    def _relations(self, rec: dict[str, Any], spans: list[Any]) -> list[Issue]:
        rels = rec.get("relations")
        if not isinstance(rels, list):
            return []
        out: list[Issue] = []
        by_id = {sp.get("id"): (i, sp) for i, sp in enumerate(spans) if isinstance(sp, dict)}
        seen: set[tuple[Any, Any, Any]] = set()
        for j, r in enumerate(rels):
            if not isinstance(r, dict):
                continue
            where = f"$.relations[{j}]"
            ends = []
            for end_name in ("from_id", "to_id"):
                end = r.get(end_name)
                found = by_id.get(end)
                if found is None and end is not None:
                    out.append(
                        Issue(
                            "dangling-relation",
                            f"relations[{j}]: its {end_name[:-3]} end {end!r} names no span "
                            "of this annotation",
                            json_path=f"{where}.{end_name}",
                            hint="the region was deleted after the relation was drawn; "
                            "draw the relation again or delete it",
                        )
                    )
                ends.append(found)
            label = r.get("label")
            key = (r.get("from_id"), r.get("to_id"), label)
            if key in seen:
                out.append(
                    Issue(
                        "duplicate-relation",
                        f"relations[{j}] repeats an earlier {label} relation",
                        json_path=where,
                    )
                )
            seen.add(key)
            want = self.relations.get(label) if isinstance(label, str) else None
            src, dst = ends
            if want is None or src is None or dst is None:
                continue
            got = (src[1].get("label"), dst[1].get("label"))
            if got != want or src[0] == dst[0]:
                out.append(
                    Issue(
                        "bad-relation",
                        f"relations[{j}]: {label} must go from a {want[0]} to a {want[1]}; "
                        f"it goes from {got[0]} {span_name(src[1], src[0])} to "
                        f"{got[1]} {span_name(dst[1], dst[0])}",
                        json_path=where,
                        hint=f"draw the arrow from the {want[0]} to the {want[1]}",
                    )
                )
        return out

    def _judgement(self, rec: dict[str, Any], spans: list[Any]) -> list[Issue]:
        if self.judgement is None or rec.get("origin") == "prediction":
            return []
        j = rec.get("judgement")
        if j == _NO_ERROR and spans:
            return [
                Issue(
                    "judgement-conflict",
                    f"the segment is judged {_NO_ERROR!r} but has {len(spans)} error span(s)",
                    json_path="$.judgement",
                    hint=f"choose {_ERRORS!r}, or delete the spans",
                )
            ]
        if j == _ERRORS and not spans:
            return [
                Issue(
                    "judgement-conflict",
                    f"the segment is judged {_ERRORS!r} but has no error span",
                    json_path="$.judgement",
                    hint=f"mark the errors, or choose {_NO_ERROR!r}",
                )
            ]
        if j is None and not spans:
            return [
                Issue(
                    "missing-judgement",
                    f"the segment has no error span and no judgement; {_NO_ERROR!r} must be explicit",
                    json_path="$.judgement",
                    hint=f"choose {_NO_ERROR!r} if the segment was read and has no error",
                )
            ]
        if j is None:
            return [
                Issue(
                    "judgement-implied",
                    f"the segment has error spans but no judgement; {_ERRORS!r} is implied",
                    severity="warning",
                    json_path="$.judgement",
                )
            ]
        return []
