"""Sharded configs: a config bigger than a threshold is written as
``<config>/train-00000-of-0000N.parquet`` files, as ``datasets``' ``push_to_hub`` names
them; a config that fits in one shard keeps its one ``<config>/train.parquet``.

The rows are read as a stream of Arrow record batches (a table is one), so writing a
config holds one row group in memory, not the config: each shard is written by a
``pyarrow.parquet.ParquetWriter``, one row group at a time. Where the cuts fall depends
only on the rows, in their order: rows are taken in chunks of :data:`CHUNK_ROWS`; a row
group ends when it holds :data:`ROW_GROUP_BYTES` of Arrow data or pyarrow's default
maximum of rows, a shard when it holds ``max_rows`` rows or ``max_bytes`` of Arrow data
(the size ``datasets`` compares with its ``max_shard_size``: the table's ``nbytes``). A
config that fits in one row group is written exactly as :func:`~annotate.release.tables.
write_table` writes it.

Releases whose manifest records no limits (1.0.0, 2.0.0) were written before sharding:
:meth:`ShardLimits.from_manifest` gives ``None`` for them and they are rebuilt unsharded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from annotate.errors import ConfigError
from annotate.release.tables import PARQUET_LAYOUT, parquet_options, to_table

__all__ = [
    "CHUNK_ROWS",
    "MAX_SHARD_BYTES",
    "ROW_GROUP_BYTES",
    "ShardLimits",
    "config_files",
    "parse_size",
    "record_batches",
    "shard_limits",
    "shard_name",
    "write_config",
]

# The default shard size is datasets' own: ``datasets.config.MAX_SHARD_SIZE = "500MB"``,
# the ``max_shard_size`` default of ``Dataset.push_to_hub`` and ``save_to_disk``, measured
# as they measure it, on the Arrow table (``num_shards = int(nbytes / max_shard_size) + 1``).
# Files that size stay far below the Hub's recommendation of files under 20 GB
# ("Repository limitations and recommendations", huggingface.co/docs/hub/
# repositories-recommendations: "File size <20GB: split data into chunked files").
MAX_SHARD_BYTES = 500_000_000
# The Hub's dataset viewer reads whole row groups and refuses one above 286.10 MiB ("Rows
# from parquet row groups are too big to be read"); "the recommended row group size is
# 100-300MB in-memory". A shard's row groups hold at most this much Arrow data.
ROW_GROUP_BYTES = 128 * 1024 * 1024
ROW_GROUP_ROWS = 1024 * 1024  # pyarrow's default maximum rows of a row group
CHUNK_ROWS = 10_000  # rows measured at a time; layout 2 judges its columns on as many
TRAIN = "train.parquet"


def shard_name(index: int, count: int) -> str:
    """``train-00001-of-00003.parquet``: the names ``datasets`` gives the shards it pushes."""
    return f"train-{index:05d}-of-{count:05d}.parquet"


def parse_size(value: str | int) -> int:
    """Bytes from ``500MB``, ``1.5GB``, ``64KiB`` or a plain number of bytes (``datasets``'
    reading of ``max_shard_size``: KB/MB/GB are powers of 10, KiB/MiB/GiB of 2)."""
    from datasets.utils.py_utils import convert_file_size_to_int

    try:
        size = int(convert_file_size_to_int(value))
    except (ValueError, TypeError):
        raise ConfigError(
            f"not a size: {value!r}",
            hint="give bytes, or a number with KB, MB, GB (or KiB, MiB, GiB)",
        ) from None
    if size <= 0:
        raise ConfigError(f"a shard size must be positive, not {value!r}")
    return size


@dataclass(frozen=True, slots=True)
class ShardLimits:
    """When a config is cut into shards: past ``max_bytes`` of Arrow data or ``max_rows``
    rows (``None``: no limit of that kind). The manifest records both."""

    max_bytes: int | None = MAX_SHARD_BYTES
    max_rows: int | None = None

    def __post_init__(self) -> None:
        for name, value in (("max_bytes", self.max_bytes), ("max_rows", self.max_rows)):
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ConfigError(f"shard limit {name} must be a positive integer, not {value!r}")

    def to_manifest(self) -> dict[str, int | None]:
        return {"max_shard_bytes": self.max_bytes, "max_shard_rows": self.max_rows}

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> ShardLimits | None:
        """The limits a release was built with; ``None`` for a release made before sharding
        (no limit recorded: one file per config)."""
        if "max_shard_bytes" not in manifest and "max_shard_rows" not in manifest:
            return None
        return cls(manifest.get("max_shard_bytes"), manifest.get("max_shard_rows"))


def shard_limits(*, max_rows: int | None = None, max_size: str | int | None = None) -> ShardLimits:
    """The limits of ``--max-shard-rows`` and ``--max-shard-size`` (default
    :data:`MAX_SHARD_BYTES`)."""
    if max_rows is not None and max_rows <= 0:
        raise ConfigError(f"--max-shard-rows must be positive, not {max_rows}")
    max_bytes = MAX_SHARD_BYTES if max_size is None else parse_size(max_size)
    return ShardLimits(max_bytes=max_bytes, max_rows=max_rows)


def config_files(root: Path, config: str, manifest: dict[str, Any] | None = None) -> list[str]:
    """The data files of ``config`` in the release in ``root``, relative to it and in row
    order: those the manifest lists, else the ``train*.parquet`` files in the config's
    folder (a release being built), else ``<config>/train.parquet``."""
    listed = (manifest or {}).get("data_files", {}).get(config)
    if listed:
        return [str(p) for p in listed]
    found = sorted((root / config).glob("train*.parquet"))
    return [p.relative_to(root).as_posix() for p in found] or [f"{config}/{TRAIN}"]


def record_batches(
    rows: Iterable[dict[str, Any]], features: Any, *, rows_per_batch: int = CHUNK_ROWS
) -> Iterator[pa.RecordBatch]:
    """A stream of rows (as :func:`~annotate.release.tables.to_table` takes them) as Arrow
    record batches with ``features``, converted ``rows_per_batch`` at a time: what
    :func:`write_config` writes without the config's rows ever being all in memory."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == rows_per_batch:
            yield from to_table(chunk, features).to_batches()
            chunk = []
    if chunk:
        yield from to_table(chunk, features).to_batches()


class _Stream:
    """Rows of record batches, taken a given number at a time."""

    def __init__(self, source: pa.Table | Iterable[pa.RecordBatch]) -> None:
        self._batches: Iterator[pa.RecordBatch] = iter(
            source.to_batches() if isinstance(source, pa.Table) else source
        )
        self._head: list[pa.RecordBatch] = []
        self._rows = 0  # rows in _head

    def take(self, n: int) -> pa.Table | None:
        """Up to ``n`` rows (fewer only at the end); ``None`` when no row is left."""
        while self._rows < n:
            batch = next(self._batches, None)
            if batch is None:
                break
            if batch.num_rows:
                self._head.append(batch)
                self._rows += batch.num_rows
        if not self._rows:
            return None
        table = pa.Table.from_batches(self._head)
        taken, rest = table.slice(0, n), table.slice(n)
        self._head = rest.to_batches()
        self._rows = rest.num_rows
        return taken

    def push_back(self, table: pa.Table) -> None:
        self._head = [*table.to_batches(), *self._head]
        self._rows += table.num_rows


def write_config(
    source: pa.Table | Iterable[pa.RecordBatch],
    directory: Path,
    *,
    limits: ShardLimits,
    schema: pa.Schema | None = None,
    layout: int = PARQUET_LAYOUT,
) -> dict[str, int]:
    """Write the rows of one config into ``directory`` (``<release>/<config>``) as one
    ``train.parquet`` or as shards; returns the rows of each file by its name. ``schema``
    (with the features) is needed only when ``source`` is not a table."""
    if isinstance(source, pa.Table):
        schema = source.schema
    if schema is None:
        raise TypeError("write_config: a stream of batches needs its schema")
    directory.mkdir(parents=True, exist_ok=True)
    stream = _Stream(source)
    head = stream.take(CHUNK_ROWS)
    options = parquet_options(head if head is not None else schema.empty_table(), layout=layout)
    if head is None:  # no rows: one empty file, as write_table writes it
        pq.write_table(schema.empty_table(), directory / TRAIN, **options)
        return {TRAIN: 0}
    stream.push_back(head)
    parts: list[tuple[Path, int]] = []
    while True:
        part = directory / f".part-{len(parts):05d}.parquet"
        rows = _write_shard(stream, part, schema, options, limits)
        if not rows:
            part.unlink()
            break
        parts.append((part, rows))
    names = [TRAIN] if len(parts) == 1 else [shard_name(i, len(parts)) for i in range(len(parts))]
    for (part, _), name in zip(parts, names, strict=True):
        os.replace(part, directory / name)
    return {name: rows for (_, rows), name in zip(parts, names, strict=True)}


def _write_shard(
    stream: _Stream, path: Path, schema: pa.Schema, options: dict[str, Any], limits: ShardLimits
) -> int:
    """Write the next shard's rows to ``path``, a row group at a time; returns its rows."""
    max_rows = limits.max_rows or float("inf")
    max_bytes = limits.max_bytes or float("inf")
    rows = nbytes = 0
    with pq.ParquetWriter(path, schema, **options) as writer:
        while rows < max_rows and nbytes < max_bytes:
            room = int(min(max_rows - rows, ROW_GROUP_ROWS))
            group, size = _row_group(stream, room=room, budget=max_bytes - nbytes)
            if group is None:
                break
            writer.write_table(group)  # one call, one row group: as write_table does
            rows += group.num_rows
            nbytes += size
    return rows


def _row_group(stream: _Stream, *, room: int, budget: float) -> tuple[pa.Table | None, int]:
    """The next row group and its size: chunks of :data:`CHUNK_ROWS` rows until it holds
    ``room`` rows, :data:`ROW_GROUP_BYTES` or the shard's remaining ``budget`` of bytes."""
    chunks: list[pa.Table] = []
    rows = nbytes = 0
    while rows < room and nbytes < min(ROW_GROUP_BYTES, budget):
        chunk = stream.take(min(CHUNK_ROWS, room - rows))
        if chunk is None:
            break
        chunks.append(chunk)
        rows += chunk.num_rows
        nbytes += chunk.nbytes
    if not chunks:
        return None, 0
    return pa.concat_tables(chunks).combine_chunks(), nbytes
