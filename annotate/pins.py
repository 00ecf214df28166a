"""Pinned inputs of a build: the raw Label Studio exports under the project's labels folder.

A pins file lists, per layer, the export a release is built from, with its sha256, so that
a rebuild reads exactly the same bytes; a build checks every pinned file against its
checksum before reading it. ``pull`` keeps one pins file per Label Studio prefix,
``<labels>/<prefix>.pins.json`` (:data:`PINS_FORMAT` 2), and changes in it only the layers
it pulled: another prefix's pins, and the layers it did not pull, are never touched.

Its ``annotators`` map names the Label Studio users whose annotations were pulled: each
gets a random handle (``annotator-<8 hex digits>``) the first time it is seen, kept for
good, never derived from the user's name or e-mail; releases publish a pseudonym of it.
The legacy ``pins.json`` (no ``format``; release 1.0.0 was built from one) maps users to
names instead; it is read as it is and never written.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.files import write_atomic

__all__ = [
    "PINS_FORMAT",
    "Pin",
    "file_sha256",
    "label_exports",
    "read_annotators",
    "read_pins",
    "record_pull",
    "write_annotators",
    "write_pin",
]

PINS_FORMAT = 2
HANDLE_PREFIX = "annotator-"


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
    raw = _load(pins_path)
    pins = []
    for layer, entries in sorted(raw["layers"].items()):
        for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            where = f"$.layers.{layer}[{i}]"
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str)
            ):
                raise ReleaseError(
                    "a pin needs a string 'path' and 'sha256'",
                    file=pins_path,
                    json_path=where,
                    hint=_CORRUPT_HINT,
                )
            pin = Pin(layer, entry["path"], entry["sha256"], str(entry.get("project", "")))
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


def _pin(pins_path: Path, *, layer: str, export_path: Path, project: str) -> Pin:
    """The pin of ``export_path``: its path relative to the pins file's folder (it must be
    under it) and its sha256."""
    root = pins_path.parent.resolve()
    if not export_path.resolve().is_relative_to(root):
        raise ReleaseError(
            f"cannot pin an export outside {pins_path.parent}",
            file=export_path,
            hint="store exports under the folder of the pins file",
        )
    rel = export_path.resolve().relative_to(root).as_posix()
    return Pin(layer, rel, file_sha256(export_path), project)


def write_pin(pins_path: Path, *, layer: str, export_path: Path, project: str = "") -> Pin:
    """Pin ``export_path`` as the export of ``layer`` (replacing the previous pin)."""
    raw = _load(pins_path) if pins_path.exists() else {"layers": {}}
    pin = _pin(pins_path, layer=layer, export_path=export_path, project=project)
    raw["layers"][layer] = [{"path": pin.path, "sha256": pin.sha256, "project": pin.project}]
    _store(pins_path, raw)
    return pin


def write_annotators(pins_path: Path, names: dict[str, str]) -> None:
    """Record how Label Studio user ids are named in releases (``{"24": "annotator-a"}``)."""
    raw = _load(pins_path) if pins_path.exists() else {"layers": {}}
    raw["annotators"] = names
    _store(pins_path, raw)


def _new_handle(taken: set[str]) -> str:
    while True:
        handle = HANDLE_PREFIX + secrets.token_hex(4)
        if handle not in taken:
            return handle


def record_pull(
    pins_path: Path,
    *,
    prefix: str,
    layer: str,
    export_path: Path,
    project: str,
    users: set[str],
    role: str | None = None,
) -> Pin:
    """Pin ``export_path`` as the export of ``layer`` in the pins of ``prefix`` (other
    layers' pins stay as they are) and give each of ``users`` (Label Studio user ids) a
    random handle unless it has one already. A layer may have one pin per ``role``: the
    annotators' project (no role) and its review project (``"review"``,
    :mod:`annotate.labelstudio.review`); pulling one keeps the other."""
    raw: dict[str, Any] = {"format": PINS_FORMAT, "prefix": prefix, "layers": {}, "annotators": {}}
    if pins_path.exists():
        raw = _load(pins_path)
        if raw.get("format") != PINS_FORMAT:
            raise ReleaseError(
                "these pins are in the legacy format (a release was built from them); "
                "pull writes per-prefix pins instead",
                file=pins_path,
                hint="pull into <labels>/<prefix>.pins.json (the default), not into this file",
            )
        if raw.get("prefix") != prefix:
            raise ReleaseError(
                f"these pins belong to the prefix {raw.get('prefix')!r}, not {prefix!r}",
                file=pins_path,
                json_path="$.prefix",
            )
    pin = _pin(pins_path, layer=layer, export_path=export_path, project=project)
    entry = {"path": pin.path, "sha256": pin.sha256, "project": pin.project}
    if role is not None:
        entry["role"] = role
    before = raw.setdefault("layers", {}).get(layer) or []
    others = [e for e in before if isinstance(e, dict) and e.get("role") != role]
    raw["layers"][layer] = sorted([*others, entry], key=lambda e: str(e.get("role") or ""))
    names: dict[str, str] = raw.setdefault("annotators", {})
    taken = set(names.values())
    for user in sorted(users):
        if user not in names:
            names[user] = _new_handle(taken)
            taken.add(names[user])
    _store(pins_path, raw)
    return pin


def read_annotators(pins_path: Path) -> dict[str, str]:
    """Label Studio user id → the name releases use (empty when none were recorded)."""
    if not pins_path.exists():
        return {}
    names = _load(pins_path).get("annotators", {})
    if not isinstance(names, dict):
        raise ReleaseError(
            "'annotators' must map user ids to names",
            file=pins_path,
            json_path="$.annotators",
            hint=_CORRUPT_HINT,
        )
    return {str(k): str(v) for k, v in names.items()}


_CORRUPT_HINT = (
    "pins.json is written by `annotate pull`: restore it from git (git checkout -- "
    "<path>) or pull again"
)


def _load(pins_path: Path) -> dict[str, Any]:
    """The pins file as a dict with a ``layers`` mapping; a one-line ReleaseError when it
    cannot be read, is not JSON or is not shaped like pins (never a traceback)."""
    try:
        raw = json.loads(pins_path.read_text(encoding="utf-8"))
    except IsADirectoryError as exc:
        raise ReleaseError("is a folder, not a pins file", file=pins_path) from exc
    except OSError as exc:
        raise ReleaseError(f"cannot read: {exc.strerror}", file=pins_path) from exc
    except json.JSONDecodeError as exc:
        raise ReleaseError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            file=pins_path,
            hint=_CORRUPT_HINT,
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReleaseError("not UTF-8 text", file=pins_path, hint=_CORRUPT_HINT) from exc
    if not isinstance(raw, dict) or not isinstance(raw.setdefault("layers", {}), dict):
        raise ReleaseError(
            "expected an object with a 'layers' object",
            file=pins_path,
            json_path="$",
            hint=_CORRUPT_HINT,
        )
    return raw


def _store(pins_path: Path, raw: dict[str, Any]) -> None:
    write_atomic(pins_path, json.dumps(raw, indent=2, sort_keys=True) + "\n")


def label_exports(pins_path: Path | None, exports: Sequence[Path] = ()) -> list[Path]:
    """The given exports, then the exports ``pins_path`` pins (each checked by sha256)."""
    paths = list(exports)
    if pins_path is not None:
        paths += [pins_path.parent / p.path for p in read_pins(pins_path)]
    return paths
