"""What a Label Studio labeling config says about the data: which task field each object
tag shows (``<Text name="text" value="$clean_description"/>``) and which object each
control labels (``<Labels name="label" toName="text">``).

A region's offsets index the text of the object its ``to_name`` names, so that is the
text to read, whatever other string fields the task data holds. The config is read with
the standard library's XML parser (expat refuses entity-expansion bombs); nothing is
fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotate.errors import ExportError

__all__ = [
    "CONFIG_SUFFIX",
    "LabelingConfig",
    "config_beside",
    "read_labeling_config",
    "write_config_beside",
]

CONFIG_SUFFIX = ".config.xml"
# Object tags whose value is a text that regions index by character offsets.
_TEXT_TAGS = {"text", "hypertext", "paragraphs"}
_EXPORT_SUFFIXES = (".json.gz", ".json.zip", ".json", ".gz", ".zip")


@dataclass(frozen=True, slots=True)
class LabelingConfig:
    """The object tags of a config (name → task data field) and its controls (name →
    the object they label, and the tag: ``labels``, ``choices``, ``textarea``…)."""

    objects: Mapping[str, str]
    controls: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    file: str | None = None

    @classmethod
    def from_xml(cls, text: str, *, file: str | None = None) -> LabelingConfig:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ExportError(
                f"the labeling config is not XML: {exc}",
                file=file,
                hint="pass the project's labeling config (Settings → Labeling Interface → Code)",
            ) from exc
        objects: dict[str, str] = {}
        controls: dict[str, tuple[str, str]] = {}
        for el in root.iter():
            tag = el.tag.lower()
            name = el.get("name")
            if not name:
                continue
            value = el.get("value") or ""
            if tag in _TEXT_TAGS and value.startswith("$"):
                objects[name] = value[1:]
            elif el.get("toName"):
                controls[name] = (tag, el.get("toName", "").split(",")[0])
        if not objects:
            raise ExportError(
                "the labeling config has no <Text> tag with a value like $field",
                file=file,
                hint="pass the config of the project the export came from, or --text-field",
            )
        return cls(objects, controls, file)

    def text_field(self, to_name: str | None = None) -> str | None:
        """The task data field regions labelled onto ``to_name`` index; without a name,
        the one field every labelling control points to (``None`` if they differ)."""
        if to_name is not None:
            return self.objects.get(to_name)
        fields = {self.objects.get(to) for tag, to in self.controls.values() if tag == "labels"}
        fields.discard(None)
        if not fields:
            fields = set(self.objects.values())
        return next(iter(fields)) if len(fields) == 1 else None


def read_labeling_config(path: str | Path) -> LabelingConfig:
    """The labeling config in ``path`` (XML)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"cannot read the labeling config: {exc}", file=path) from exc
    return LabelingConfig.from_xml(text, file=str(path))


def config_beside(export: Path) -> Path:
    """Where ``pull`` stores the labeling config of an export: ``<sha256>.config.xml``
    beside ``<sha256>.json``."""
    name = export.name
    for suffix in _EXPORT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return export.with_name(name + CONFIG_SUFFIX)


def write_config_beside(export: Path, config: str) -> Path | None:
    """Store a project's labeling config beside its pulled export (``<sha256>.config.xml``),
    written whole or not at all; ``None`` when the server gave none."""
    if not config.strip():
        return None
    target = config_beside(export)
    data = config.encode("utf-8")
    if target.exists() and target.read_bytes() == data:
        return target
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    part.replace(target)
    return target
