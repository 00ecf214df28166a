"""The semantic rules between the spans of one record, derived from the layer's taxonomy
(``x-annotate``): no duplicate span or id, no overlap where the layer forbids it, the
label/field combinations the guidelines forbid, labels that must be alone in their
segment, relations between existing spans of the right labels, and a segment judgement
that agrees with the spans. :class:`~annotate.validation.semantic.SemanticChecker` adds
the checks of each span against the text and the fast path.
"""

from __future__ import annotations

from typing import Any

from annotate.layers import get_layer
from annotate.model import Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.text import span_name

__all__ = ["NO_ERROR", "SpanRules"]

NO_ERROR, _ERRORS = "no-error", "errors"


class SpanRules:
    """The rules between the spans of a record of one layer, and their wording."""

    def __init__(self, layer: str, *, schemas: SchemaSet | None = None) -> None:
        tax = (schemas or active_schemas()).taxonomy(layer)
        self.layer = layer
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
            (c.name for c in tax.segment_choices() if {NO_ERROR, _ERRORS} <= set(c.values)),
            None,
        )

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
        if j == NO_ERROR and spans:
            return [
                Issue(
                    "judgement-conflict",
                    f"the segment is judged {NO_ERROR!r} but has {len(spans)} error span(s)",
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
                    hint=f"mark the errors, or choose {NO_ERROR!r}",
                )
            ]
        if j is None and not spans:
            return [
                Issue(
                    "missing-judgement",
                    f"the segment has no error span and no judgement; {NO_ERROR!r} must be explicit",
                    json_path="$.judgement",
                    hint=f"choose {NO_ERROR!r} if the segment was read and has no error",
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
