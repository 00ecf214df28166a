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

from annotate.model import Document, Issue
from annotate.schemas import SchemaSet
from annotate.text import span_name
from annotate.validation.semantic_rules import NO_ERROR, SpanRules

__all__ = ["SemanticChecker", "Whitespace"]

Whitespace = Literal["flag", "fix"]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SemanticChecker(SpanRules):
    """The semantic rules of one layer: each span against the text (here) and the rules
    between spans (:class:`~annotate.validation.semantic_rules.SpanRules`)."""

    def __init__(
        self, layer: str, *, whitespace: Whitespace = "flag", schemas: SchemaSet | None = None
    ) -> None:
        if whitespace not in ("flag", "fix"):
            raise ValueError(f"whitespace must be 'flag' or 'fix', not {whitespace!r}")
        super().__init__(layer, schemas=schemas)
        self.whitespace = whitespace

    # ------------------------------------------------------------------ fast path
    def ok(
        self,
        rec: dict[str, Any],
        text: str | None,
        segment_text: str | None,
        *,
        built: bool = False,
    ) -> bool:
        """True when a structurally valid record has no semantic problem at all. A
        ``built`` record's span texts were read from ``segment_text`` at their offsets (the
        fast reader's): once the segment is the document's, they are the document's too."""
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
        check = not built or segment_text is None
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
                if (check and (text[st:en] != t or st < s0 or en > s1)) or t.strip() != t:
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
            if j is None or (j == NO_ERROR) == bool(n):
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
