"""Label maps: another team's control names, labels, choices and relation labels, mapped
onto one of our layers' taxonomies, so that their export validates and builds like ours.

A map is YAML or JSON (``--label-map FILE``)::

    layer: entities          # optional: the layer the map is for
    controls: {ner: label}   # their control (from_name) → ours
    labels:                  # region labels; many-to-one is fine
      Person: PER
      Disease: MISC
      Noise: null            # null drops the region on purpose (counted)
    choices:                 # per (our) control: their value → ours
      checkworthy: {high: "yes", low: "no"}
    relations: {said_by: attributed_to, bio:born_at:time: null}

A region dropped on purpose takes its per-region choices and its relations with it. Every
name the map changes or drops is counted (:class:`MapCounts`), and so is every name our
taxonomy does not know that the map does not mention, so that the report lists each once
with an example of the entry to add. The map's sha256 goes into the release manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from annotate.errors import ConfigError
from annotate.schemas import Taxonomy

__all__ = ["MAP_SECTIONS", "LabelMap", "MapCounts", "read_label_map"]

MAP_SECTIONS = ("controls", "labels", "choices", "relations")
Kind = str  # "label", "relation", "control", "choice <control>"


@dataclass(slots=True)
class MapCounts:
    """What a map did, by (kind, name): renamed (``mapped``), dropped on purpose, and the
    foreign names it does not cover (``unmapped``, each with one place it was seen)."""

    mapped: Counter[tuple[Kind, str]] = field(default_factory=Counter)
    dropped: Counter[tuple[Kind, str]] = field(default_factory=Counter)
    unmapped: Counter[tuple[Kind, str]] = field(default_factory=Counter)
    seen_at: dict[tuple[Kind, str], str] = field(default_factory=dict)

    def update(self, other: MapCounts) -> None:
        self.mapped.update(other.mapped)
        self.dropped.update(other.dropped)
        self.unmapped.update(other.unmapped)
        for key, where in other.seen_at.items():
            self.seen_at.setdefault(key, where)

    def to_dict(self) -> dict[str, Any]:
        def rows(c: Counter[tuple[Kind, str]]) -> list[dict[str, Any]]:
            return [{"kind": k, "name": n, "count": v} for (k, n), v in sorted(c.items())]

        return {
            "mapped": rows(self.mapped),
            "dropped": rows(self.dropped),
            "unmapped": [
                {**r, "example": self.seen_at.get((r["kind"], r["name"]))}
                for r in rows(self.unmapped)
            ],
        }

    def unmapped_message(self) -> str | None:
        """One paragraph naming every foreign name nothing maps, with its count, and the
        label map entries to add (``None`` when there is none)."""
        if not self.unmapped:
            return None
        names = ", ".join(
            f"{kind} {name!r} ({n})" for (kind, name), n in sorted(self.unmapped.items())
        )
        return (
            f"{len(self.unmapped)} name(s) of the export are not in the layer's taxonomy: "
            f"{names}. Map them onto the layer with --label-map FILE (YAML), e.g.:\n"
            + self.suggestion().rstrip()
        )

    def suggestion(self) -> str:
        """The map entries to add for every unmapped name, as YAML."""
        sections: dict[str, dict[str, Any]] = {}
        for kind, name in sorted(self.unmapped):
            if kind.startswith("choice "):
                sections.setdefault("choices", {}).setdefault(kind[7:], {})[name] = "OURS"
            else:
                sections.setdefault(f"{kind}s", {})[name] = "OURS"
        text = yaml.safe_dump(sections, sort_keys=False, allow_unicode=True)
        return text.replace("OURS", "<ours, or null to drop>")


@dataclass(frozen=True, slots=True)
class LabelMap:
    """A label map read from a file (or built in code)."""

    labels: dict[str, str | None] = field(default_factory=dict)
    relations: dict[str, str | None] = field(default_factory=dict)
    controls: dict[str, str | None] = field(default_factory=dict)
    choices: dict[str, dict[str, str | None]] = field(default_factory=dict)
    layer: str | None = None
    file: str | None = None
    sha256: str | None = None

    @classmethod
    def from_dict(cls, raw: Any, *, file: str | None = None, sha256: str | None = None) -> LabelMap:
        if not isinstance(raw, dict):
            raise ConfigError(
                "a label map is a mapping with the sections " + ", ".join(MAP_SECTIONS),
                file=file,
                hint="see `annotate validate --help` for an example",
            )
        unknown = sorted(set(raw) - {*MAP_SECTIONS, "layer"})
        if unknown:
            raise ConfigError(
                f"unknown section(s) {', '.join(map(repr, unknown))} in the label map",
                file=file,
                hint=f"the sections are layer, {', '.join(MAP_SECTIONS)}",
            )
        choices = raw.get("choices") or {}
        if not isinstance(choices, dict):
            raise ConfigError("choices must map a control to {theirs: ours}", file=file)
        return cls(
            labels=_names(raw.get("labels"), "labels", file),
            relations=_names(raw.get("relations"), "relations", file),
            controls=_names(raw.get("controls"), "controls", file),
            choices={str(k): _names(v, f"choices.{k}", file) for k, v in choices.items()},
            layer=str(raw["layer"]) if raw.get("layer") is not None else None,
            file=file,
            sha256=sha256,
        )

    def apply(
        self, items: list[Any], taxonomy: Taxonomy, counts: MapCounts, paths: list[str]
    ) -> list[Any]:
        """The result items of one annotation with our names (index-aligned; ``None`` for
        an item dropped on purpose). Items are copied, never changed: the raw export is
        kept whole. ``paths`` says where each item is, for the unmapped names' example."""
        out: list[Any] = list(items)
        dropped: set[str] = set()
        for i, item in enumerate(items):
            if not _is_region(item):
                continue
            value = item["value"]
            names = value.get("labels")
            if not isinstance(names, list):
                continue
            ours = [
                self._one("label", n, self.labels, taxonomy.labels, counts, paths[i]) for n in names
            ]
            if names and all(o is _DROP for o in ours):
                dropped.add(str(item.get("id")))
                out[i] = None
            elif ours != names:
                kept = [o for o in ours if o is not _DROP]
                out[i] = {**item, "value": {**value, "labels": kept}}
        for i, item in enumerate(items):
            if not isinstance(item, dict) or _is_region(item):
                continue
            if item.get("type") == "relation":
                out[i] = self._relation(item, dropped, taxonomy, counts, paths[i])
            elif str(item.get("id")) in dropped:
                out[i] = None
            elif isinstance(item.get("from_name"), str):
                out[i] = self._choice(item, taxonomy, counts, paths[i])
        return out

    def _one(
        self,
        kind: Kind,
        name: Any,
        table: dict[str, str | None],
        known: Any,
        counts: MapCounts,
        where: str,
    ) -> Any:
        if not isinstance(name, str):
            return name
        if name in table:
            ours = table[name]
            if ours is None:
                counts.dropped[(kind, name)] += 1
                return _DROP
            if ours != name:
                counts.mapped[(kind, name)] += 1
            return ours
        if name not in known:
            counts.unmapped[(kind, name)] += 1
            counts.seen_at.setdefault((kind, name), where)
        return name

    def _relation(
        self, item: dict[str, Any], dropped: set[str], tax: Taxonomy, counts: MapCounts, where: str
    ) -> Any:
        names = item.get("labels")
        if {str(item.get("from_id")), str(item.get("to_id"))} & dropped:
            for n in names if isinstance(names, list) and names else ["(unlabelled)"]:
                counts.dropped[("relation", str(n))] += 1  # with its region
            return None
        if not isinstance(names, list):
            return item
        ours = [
            self._one("relation", n, self.relations, tax.relations, counts, where) for n in names
        ]
        if names and all(o is _DROP for o in ours):
            return None
        return item if ours == names else {**item, "labels": [o for o in ours if o is not _DROP]}

    def _choice(self, item: dict[str, Any], tax: Taxonomy, counts: MapCounts, where: str) -> Any:
        theirs = item["from_name"]
        known = {*tax.choices, *tax.text_fields}
        name = self._one("control", theirs, self.controls, known, counts, where)
        if name is _DROP:
            return None
        value = item.get("value")
        choice = tax.choices.get(name)
        if item.get("type") != "choices" or choice is None or not isinstance(value, dict):
            return item if name == theirs else {**item, "from_name": name}
        values = value.get("choices")
        if not isinstance(values, list):
            return {**item, "from_name": name}
        table = self.choices.get(name, self.choices.get(theirs, {}))
        ours = [self._one(f"choice {name}", v, table, choice.values, counts, where) for v in values]
        if values and all(o is _DROP for o in ours):
            return None
        kept = [o for o in ours if o is not _DROP]
        return {**item, "from_name": name, "value": {**value, "choices": kept}}


_DROP = object()  # a name mapped to null


def _is_region(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
        return False
    kind = item.get("type")
    return kind in ("labels", "hypertextlabels") or (
        kind not in ("choices", "textarea") and "labels" in item["value"]
    )


def _names(raw: Any, section: str, file: str | None) -> dict[str, str | None]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{section} must map their names to ours", file=file)
    out: dict[str, str | None] = {}
    for theirs, ours in raw.items():
        if ours is not None and not isinstance(ours, str):
            raise ConfigError(
                f"{section}: {theirs!r} maps to {ours!r}; give one of our names, or null",
                file=file,
                json_path=f"$.{section}.{theirs}",
            )
        out[str(theirs)] = ours
    return out


def read_label_map(path: str | Path) -> LabelMap:
    """The label map in ``path`` (``.json``, else YAML), with its sha256."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the label map: {exc.strerror}", file=path) from exc
    try:
        text = data.decode("utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"the label map is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
            f"{str(exc).splitlines()[0]}",
            file=path,
        ) from exc
    return LabelMap.from_dict(raw, file=str(path), sha256=hashlib.sha256(data).hexdigest())
