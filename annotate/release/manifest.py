"""The release manifest: what a release was built from and what it contains."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.pins import file_sha256

__all__ = ["MANIFEST", "file_entries", "read_manifest", "write_manifest"]

MANIFEST = "manifest.json"


def file_entries(root: Path, rows: dict[str, int]) -> list[dict[str, Any]]:
    """sha256, size and row count of every file under ``root`` (but the manifest)."""
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name == MANIFEST:
            continue
        rel = p.relative_to(root).as_posix()
        entry: dict[str, Any] = {"path": rel, "sha256": file_sha256(p), "bytes": p.stat().st_size}
        if rel in rows:
            entry["rows"] = rows[rel]
        out.append(entry)
    return out


def write_manifest(root: Path, manifest: dict[str, Any]) -> Path:
    path = root / MANIFEST
    path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of the release in ``root``."""
    path = root / MANIFEST
    if not path.is_file():
        raise ReleaseError(
            "not a release: no manifest.json",
            file=path,
            hint="give a directory made by `annotate build` or `annotate release`",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"manifest is not valid JSON: {exc}", file=path) from exc
    if not isinstance(manifest, dict):
        raise ReleaseError("manifest must be a JSON object", file=path, json_path="$")
    return manifest
