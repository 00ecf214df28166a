"""How to read an export that annotate did not make: which task field holds the text the
regions index, and how its labels map onto a layer (:mod:`annotate.sources.label_map`).

A task made by annotate says its layer, document and segment, and its text is ``text``. A
foreign task says none of that: its text is the field the project's labeling config names
(``to_name`` → ``<Text value="$field">``), or the one ``--text-field`` names, or its only
string field. With several string fields and neither, the reader stops and lists them:
picking the longest once read "Crystal" as "ystal M".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import ExportError, ReleaseError
from annotate.sources.label_map import LabelMap, read_label_map
from annotate.sources.labeling_config import LabelingConfig, config_beside, read_labeling_config

if TYPE_CHECKING:
    from annotate.validation.report import Report

__all__ = [
    "ForeignOptions",
    "foreign_inputs",
    "foreign_options",
    "foreign_settings",
    "recorded_foreign",
    "refuse_unmapped",
    "resolve_text_field",
]

# Task data keys the reader gives a meaning of their own, never the text.
_NOT_TEXT = {"lang"}
_HINT = "pass --text-field NAME, or --config FILE.xml (the project's labeling config)"


@dataclass(frozen=True, slots=True)
class ForeignOptions:
    """What the reader is told about a foreign export; ``config`` is found beside the
    export (``pull`` stores it there) when not given."""

    text_field: str | None = None
    config: LabelingConfig | None = None
    label_map: LabelMap | None = None

    def for_export(self, path: Path | None) -> ForeignOptions:
        if self.config is not None or self.text_field is not None or path is None:
            return self
        beside = config_beside(path)
        if beside.exists():
            return ForeignOptions(self.text_field, read_labeling_config(beside), self.label_map)
        return self


def foreign_options(
    *,
    text_field: str | None = None,
    config: str | Path | None = None,
    label_map: str | Path | None = None,
) -> ForeignOptions:
    """The options from the command line's ``--text-field``, ``--config``, ``--label-map``."""
    return ForeignOptions(
        text_field=text_field,
        config=read_labeling_config(config) if config is not None else None,
        label_map=read_label_map(label_map) if label_map is not None else None,
    )


def resolve_text_field(
    data: Mapping[str, Any],
    options: ForeignOptions,
    *,
    to_names: Iterable[str] = (),
    file: str | None = None,
    task_id: Any = None,
    data_path: str = "$.data",
) -> str | None:
    """The data field whose text the regions of a foreign task index; ``None`` when the
    task has no string field at all. Raises :class:`ExportError` rather than guess."""
    if options.text_field:
        return options.text_field
    config = options.config
    if config is not None:
        names = set(to_names)
        fields = {config.text_field(n) for n in names} if names else {config.text_field()}
        if len(fields) == 1 and None not in fields:
            return next(iter(fields))
        shown = ", ".join(f"{n} → ${f}" for n, f in sorted(config.objects.items()))
        unknown = sorted(n for n in names if config.text_field(n) is None)
        why = (
            f"regions label {', '.join(map(repr, unknown))}, which the config does not declare"
            if unknown
            else "regions of one task index different text fields"
            if names
            else "the config's labels point at several texts"
        )
        raise ExportError(
            f"the labeling config does not say which text the regions index: {why} "
            f"(its texts: {shown})",
            file=file,
            task_id=task_id,
            json_path=data_path,
            hint="pass --text-field NAME",
        )
    candidates = {k: v for k, v in data.items() if isinstance(v, str) and k not in _NOT_TEXT}
    if len(candidates) <= 1:
        return next(iter(candidates), None)
    listed = ", ".join(f"{k} ({len(v)} characters)" for k, v in candidates.items())
    raise ExportError(
        f"the task data has several text fields and nothing says which one the regions "
        f"index: {listed}",
        file=file,
        task_id=task_id,
        json_path=data_path,
        hint=_HINT,
    )


# ---------------------------------------------------------------------- for the release
def refuse_unmapped(report: Report) -> None:
    """A foreign export whose every record was held back because it is not ours (its
    tasks do not say their layer, or its names are not in the layer) would make an empty
    release: stop, say why, and how to read it as ours."""
    if report.valid or not report.quarantined_count:
        return
    held = f"nothing to release: all {report.quarantined_count} record(s) were held back"
    message = report.labels.unmapped_message()
    if message is not None:
        raise ReleaseError(
            f"{held}. {message}",
            hint="write a label map and pass --label-map FILE (a name mapped to null is dropped)",
        )
    layerless = sum(1 for i in report.errors if i.code == "unknown-layer")
    if layerless:
        raise ReleaseError(
            f"{held}: {layerless} of them are from tasks that do not say their layer "
            "(not made by annotate)",
            hint="pass --layer LAYER, and --label-map FILE if its labels are not ours",
        )


def foreign_settings(layer: str | None, options: ForeignOptions | None) -> dict[str, Any] | None:
    """How the exports were read, for the manifest (``None`` for annotate's own)."""
    if options is None or (not options.text_field and not options.config and not options.label_map):
        return None if layer is None else {"layer": layer}
    out: dict[str, Any] = {"layer": layer}
    if options.text_field:
        out["text_field"] = options.text_field
    if options.config is not None:
        out["config"] = Path(options.config.file).name if options.config.file else None
    if options.label_map is not None:
        lmap = options.label_map
        out["label_map"] = {
            "path": Path(lmap.file).name if lmap.file else None,
            "sha256": lmap.sha256,
        }
    return out


def foreign_inputs(options: ForeignOptions | None) -> list[Path]:
    """The files a foreign export was read with (hashed among the release's inputs)."""
    if options is None:
        return []
    files = [options.config.file if options.config else None]
    files.append(options.label_map.file if options.label_map else None)
    return [Path(f) for f in files if f]


def recorded_foreign(
    manifest: Mapping[str, Any], root: Path, *, release: Path | None = None
) -> tuple[str | None, ForeignOptions | None]:
    """The layer and options a release was read with, from its manifest's ``foreign``
    record, for a rebuild: its text field, and its labeling config and label map found
    among the recorded inputs (under ``root``), the map by the sha256 the record names.
    ``(None, None)`` for a release of annotate's own exports."""
    record = manifest.get("foreign")
    if not isinstance(record, Mapping):
        return None, None
    inputs = [e for e in manifest.get("inputs") or [] if isinstance(e, Mapping)]
    where = release / "manifest.json" if release is not None else None
    config, label_map = None, None
    if record.get("config"):
        path = _recorded_input(inputs, root, name=str(record["config"]), sha256=None)
        config = read_labeling_config(_existing(path, "labeling config", where))
    lmap = record.get("label_map")
    if isinstance(lmap, Mapping):
        path = _recorded_input(
            inputs, root, name=str(lmap.get("path") or ""), sha256=lmap.get("sha256")
        )
        label_map = read_label_map(_existing(path, "label map", where))
    options = ForeignOptions(record.get("text_field") or None, config, label_map)
    layer = record.get("layer")
    return (layer if isinstance(layer, str) else None), options


def _recorded_input(inputs: list[Mapping[str, Any]], root: Path, *, name: str, sha256: Any) -> Path:
    """The recorded input that is the file the record names: the one with its sha256,
    else the one with its name (a path relative to ``root``)."""
    by_sha = [e for e in inputs if sha256 and e.get("sha256") == sha256]
    by_name = [e for e in inputs if Path(str(e.get("path", ""))).name == name]
    found = (by_sha or by_name or [{"path": name}])[0]
    return root / str(found.get("path", name))


def _existing(path: Path, what: str, manifest: Path | None) -> Path:
    if path.is_file():
        return path
    raise ReleaseError(
        f"the {what} the release was read with is missing: {path}",
        file=manifest,
        json_path="$.foreign",
        hint="restore it (git checkout) where the manifest's inputs say, then reproduce",
    )
