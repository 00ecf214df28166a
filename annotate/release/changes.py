"""What a diff of two releases says (:mod:`annotate.release.diff` computes it): a
:class:`Change` per added, removed or changed row, a :class:`ConfigDiff` per config and the
:class:`ReleaseDiff` of the whole release, with its Markdown summary for the changelog and
the card."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Change", "ConfigDiff", "Kind", "ReleaseDiff"]

Kind = Literal["added", "removed", "changed"]
_EXAMPLES = 3  # examples of each kind of change in the summary


@dataclass(slots=True)
class Change:
    kind: Kind
    config: str
    doc_id: str
    label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[str] = field(default_factory=list)
    context: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "config": self.config,
            "doc_id": self.doc_id,
            "label": self.label,
            "fields": self.fields,
            "context": self.context,
            "before": self.before,
            "after": self.after,
        }

    def describe(self) -> str:
        """One line: what happened to which span, in context."""
        row = self.after or self.before or {}
        if self.config == "segments":
            where = (
                f"{row.get('layer')} segment [{row.get('segment_start')}, {row.get('segment_end')})"
            )
            if self.kind == "changed" and self.before and self.after:
                was = ", ".join(
                    f"{f} {self.before.get(f)!r} → {self.after.get(f)!r}" for f in self.fields
                )
                return f"{where}: {was}"
            return f"{where} {self.kind} (judgement {row.get('judgement')!r})"
        text = f"{self.label} {self.context}"
        if self.kind == "changed" and self.before and self.after:
            was = ", ".join(
                f"{f} {self.before.get(f)!r} → {self.after.get(f)!r}" for f in self.fields
            )
            return f"{text} ({was})"
        return text


@dataclass(slots=True)
class ConfigDiff:
    config: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def counts(self) -> dict[str, int]:
        c = Counter(ch.kind for ch in self.changes)
        return {k: c.get(k, 0) for k in ("added", "removed", "changed")}

    def per_label(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for ch in self.changes:
            out[ch.label][ch.kind] += 1
        return {
            label: {k: c.get(k, 0) for k in ("added", "removed", "changed")}
            for label, c in sorted(out.items())
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "unchanged": self.unchanged,
            "per_label": self.per_label(),
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(slots=True)
class ReleaseDiff:
    a: str
    b: str
    documents: dict[str, list[str]]  # added / removed / changed → doc ids
    configs: dict[str, ConfigDiff]  # "segments" (judgements) and one per layer
    schema_removed: list[str] = field(default_factory=list)  # breaking: removed or renamed
    schema_added: list[str] = field(default_factory=list)
    # rows of the ``annotations`` config added / removed / changed per layer, but those of
    # the gold's own annotation: a new rater's work changes the release, the gold may not
    raw: dict[str, dict[str, int]] = field(default_factory=dict)
    # (level, what): how the release is made changed (annotate.release.made; changelog
    # format 2 only, so the entries of releases before it rebuild as they were)
    made: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            any(self.documents.values())
            or any(d.changes for d in self.configs.values())
            or self.schema_removed
            or self.schema_added
            or any(any(c.values()) for c in self.raw.values())
            or self.made
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "schema": {"removed": self.schema_removed, "added": self.schema_added},
            "configs": {k: v.to_dict() for k, v in self.configs.items()},
            "raw_annotations": self.raw,
            **(
                {"made": [{"level": lv, "change": what} for lv, what in self.made]}
                if self.made
                else {}
            ),
        }

    def summary(self) -> str:
        """A Markdown summary (for the changelog and the card): counts per config and
        label, and a few examples of each kind of change."""
        lines = []
        for what in self.schema_removed:
            lines.append(f"- schema: {what} (removed or renamed)")
        for what in self.schema_added:
            lines.append(f"- schema: {what} (added)")
        lines += [f"- {_md(what)}" for _, what in self.made]
        docs = ", ".join(f"{len(v)} {k}" for k, v in self.documents.items() if v)
        if docs:
            lines.append(f"- documents: {docs}")
        for name, d in self.configs.items():
            if not d.changes:
                continue
            title = "judgements" if name == "segments" else name
            counts = ", ".join(f"{n} {k}" for k, n in d.counts().items() if n)
            labels = "; ".join(
                f"{label}: " + ", ".join(f"{n} {k}" for k, n in c.items() if n)
                for label, c in d.per_label().items()
            )
            lines.append(f"- {title}: {counts} ({labels})")
            for kind in ("added", "removed", "changed"):
                for ch in d.of(kind)[:_EXAMPLES]:
                    lines.append(f"  - {kind}: {_md(ch.describe())}")
        for layer, c in self.raw.items():
            if any(c.values()):
                counts = ", ".join(f"{n} {k}" for k, n in c.items() if n)
                lines.append(f"- {layer} of the other annotators (raw rows): {counts}")
        if self.made and len(lines) == len(self.made):
            lines.append("- no change in the data")
        return "\n".join(lines) if lines else "- no change in the data"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
