"""Pinned inputs of a build: the raw Label Studio exports under ``data/labels/``.

``data/labels/pins.json`` lists, per layer, the export a release is built from, with its
sha256, so that a rebuild reads exactly the same bytes. ``pull`` updates it; a build checks
every pinned file against its checksum before reading it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import ReleaseError

if TYPE_CHECKING:
    from annotate.model import Document
    from annotate.validate import Report

__all__ = [
    "Pin",
    "file_sha256",
    "label_exports",
    "read_annotators",
    "read_pins",
    "validate_labels",
    "write_annotators",
    "write_pin",
]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Pin:
    layer: str
    path: str  # relative to the pins file's directory
    sha256: str
    project: str = ""


def read_pins(pins_path: Path, *, verify: bool = True) -> list[Pin]:
    """The pins of ``pins_path``, each checked against its file's sha256."""
    if not pins_path.exists():
        raise ReleaseError(
            "no pinned exports", file=pins_path, hint="run `annotate pull` first, or pass exports"
        )
    try:
        raw = json.loads(pins_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReleaseError(f"invalid JSON: {exc.msg}", file=pins_path) from exc
    pins = []
    for layer, entries in sorted(raw.get("layers", {}).items()):
        for i, entry in enumerate(entries):
            pin = Pin(layer, entry["path"], entry["sha256"], entry.get("project", ""))
            if verify:
                target = pins_path.parent / pin.path
                if not target.exists():
                    raise ReleaseError(
                        "pinned export is missing", file=target, json_path=f"$.layers.{layer}[{i}]"
                    )
                actual = file_sha256(target)
                if actual != pin.sha256:
                    raise ReleaseError(
                        f"sha256 {actual[:12]}… differs from the pinned {pin.sha256[:12]}…",
                        file=target,
                        json_path=f"$.layers.{layer}[{i}].sha256",
                        hint="raw exports are immutable; pull a new export instead of editing one",
                    )
            pins.append(pin)
    return pins


def write_pin(pins_path: Path, *, layer: str, export_path: Path, project: str = "") -> Pin:
    """Pin ``export_path`` as the export of ``layer`` (replacing the previous pin)."""
    raw: dict[str, Any] = {"layers": {}}
    if pins_path.exists():
        raw = json.loads(pins_path.read_text(encoding="utf-8"))
    rel = export_path.resolve().relative_to(pins_path.parent.resolve()).as_posix()
    pin = Pin(layer, rel, file_sha256(export_path), project)
    raw.setdefault("layers", {})[layer] = [
        {"path": pin.path, "sha256": pin.sha256, "project": pin.project}
    ]
    pins_path.parent.mkdir(parents=True, exist_ok=True)
    pins_path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return pin


def write_annotators(pins_path: Path, names: dict[str, str]) -> None:
    """Record how Label Studio user ids are named in releases (``{"24": "annotator-a"}``)."""
    raw: dict[str, Any] = {"layers": {}}
    if pins_path.exists():
        raw = json.loads(pins_path.read_text(encoding="utf-8"))
    raw["annotators"] = names
    pins_path.parent.mkdir(parents=True, exist_ok=True)
    pins_path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_annotators(pins_path: Path) -> dict[str, str]:
    """Label Studio user id → the name releases use (empty when none were recorded)."""
    if not pins_path.exists():
        return {}
    return dict(json.loads(pins_path.read_text(encoding="utf-8")).get("annotators", {}))


def label_exports(pins_path: Path | None, exports: Sequence[Path] = ()) -> list[Path]:
    """The given exports, then the exports ``pins_path`` pins (each checked by sha256)."""
    paths = list(exports)
    if pins_path is not None:
        paths += [pins_path.parent / p.path for p in read_pins(pins_path)]
    return paths


def validate_labels(
    export_paths: Sequence[Path], documents: Mapping[str, Document], *, pins_path: Path | None
) -> Report:
    """Validate the exports; valid records name their annotators as ``pull`` recorded them
    in the pins (stable across servers, unlike Label Studio user ids)."""
    from annotate.validate import validate_exports

    report = validate_exports(list(export_paths), documents)
    names = read_annotators(pins_path) if pins_path is not None else {}
    for rec in report.valid:
        rec.annotator = names.get(rec.annotator, rec.annotator)
    return report
