"""The last check of :func:`annotate.release.verify.verify_release`: every config loads
with ``datasets.load_dataset`` and gives the rows the manifest says."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.model import Issue

if TYPE_CHECKING:
    from annotate.release.verify import VerifyReport

__all__ = ["load_configs"]


def load_configs(
    root: Path, files: dict[str, list[str]], expected: dict[str, int], report: VerifyReport
) -> None:
    """``load_dataset`` of every config; a problem names the config's file (its folder
    when it is sharded)."""
    import datasets
    from datasets.utils import logging as ds_logging

    quiet = ds_logging.is_progress_bar_enabled()
    if quiet:  # a library does not draw progress bars
        ds_logging.disable_progress_bar()
    try:
        _load_each(root, files, expected, report, datasets)
    finally:
        if quiet:
            ds_logging.enable_progress_bar()


def _load_each(
    root: Path,
    files: dict[str, list[str]],
    expected: dict[str, int],
    report: VerifyReport,
    datasets: Any,
) -> None:
    with tempfile.TemporaryDirectory(prefix="annotate-verify-") as cache:
        for config, its in files.items():
            where = its[0] if len(its) == 1 else f"{config}/"
            try:
                ds = datasets.load_dataset(str(root), config, split="train", cache_dir=cache)
            except Exception as exc:  # whatever load_dataset raises, it is a failed load
                report.problems.append(
                    Issue(
                        "load",
                        f"load_dataset failed for config {config!r}: {exc}",
                        file=where,
                    )
                )
                continue
            report.loaded[config] = ds.num_rows
            if config in expected and ds.num_rows != expected[config]:
                report.problems.append(
                    Issue(
                        "load",
                        f"load_dataset gave {ds.num_rows} rows for {config!r}, "
                        f"the manifest says {expected[config]}",
                        file=where,
                    )
                )
