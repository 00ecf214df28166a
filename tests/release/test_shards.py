"""Sharded releases: a config past the shard limits is written as
``<config>/train-0000i-of-0000N.parquet``, listed in the card and the manifest; verify,
diff, reproduce and ``datasets.load_dataset`` read the shards; a small config stays one
file, written as before."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import metadata_load
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.diff import diff_releases
from annotate.release.manifest import read_manifest
from annotate.release.reproduce import reproduce_release
from annotate.release.shards import ShardLimits, parse_size, shard_name, write_config
from annotate.release.tables import write_table
from annotate.release.verify import verify_release

ROWS = 5  # rows per shard: every config of the reference labels but documents gets >= 3


@pytest.fixture
def project(tmp_path: Path, paths) -> Path:
    """A copy of the project's inputs (corpus, pinned reference exports, card, lock)."""
    root = tmp_path / "project"
    shutil.copytree(paths.root / "data" / "articles", root / "data" / "articles")
    shutil.copytree(paths.root / "data" / "labels", root / "data" / "labels")
    for name in ("dataset_card.md", "requirements.lock", "annotate.toml"):
        shutil.copy(paths.root / name, root / name)
    return root


def _build(root: Path, version: str, **kw) -> Path:
    return build_release(
        gold_set(articles=root / "data" / "articles", pins=root / "data" / "labels" / "pins.json"),
        out=root / "releases",
        dataset="demo",
        version=version,
        card_template=root / "dataset_card.md",
        project_root=root,
        **kw,
    ).path


@pytest.fixture
def pair(project: Path) -> tuple[Path, Path]:
    """The same inputs built unsharded (1.0.0) and cut into shards of ROWS rows (1.0.1)."""
    return _build(project, "1.0.0"), _build(project, "1.0.1", shards=ShardLimits(max_rows=ROWS))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_config_past_the_limit_is_cut_into_listed_shards(pair):
    whole, sharded = pair
    manifest = read_manifest(sharded)
    assert manifest["max_shard_rows"] == ROWS
    rows_of = {e["path"]: e["rows"] for e in manifest["files"] if "rows" in e}
    card = {c["config_name"]: c for c in metadata_load(sharded / "README.md")["configs"]}
    for config, count in manifest["counts"].items():
        files = manifest["data_files"][config]
        n = -(-count // ROWS)
        assert (
            files == [f"{config}/{shard_name(i, n)}" for i in range(n)]
            if n > 1
            else [f"{config}/train.parquet"]
        )
        if config != "documents":
            assert len(files) >= 3, config
        assert [rows_of[f] for f in files] == [min(ROWS, count - i * ROWS) for i in range(n)]
        assert (
            sorted(p.relative_to(sharded).as_posix() for p in (sharded / config).iterdir()) == files
        )
        listed = card[config]["data_files"][0]["path"]
        assert (listed if isinstance(listed, list) else [listed]) == files
        # the rows of the shards, in order, are the rows of the unsharded file
        table = pa.concat_tables(pq.read_table(sharded / f) for f in files)
        assert table.equals(pq.read_table(whole / config / "train.parquet"))


def test_a_sharded_release_verifies_and_loads_in_order(pair):
    whole, sharded = pair
    report = verify_release(sharded)
    assert report.ok, [str(p) for p in report.problems]
    counts = read_manifest(sharded)["counts"]
    assert report.loaded == counts
    for config in ("annotations", "entities"):
        expected = pq.read_table(whole / config / "train.parquet").to_pylist()
        with_cache = datasets.load_dataset(str(sharded), config, split="train")
        assert with_cache.to_list() == expected
        streamed = datasets.load_dataset(str(sharded), config, split="train", streaming=True)
        assert list(streamed) == expected


def test_diff_against_the_unsharded_build_shows_no_change(pair):
    whole, sharded = pair
    diff = diff_releases(whole, sharded)
    assert diff.empty, diff.summary()
    assert sum(d.unchanged for d in diff.configs.values()) > 0


def test_a_sharded_release_reproduces_file_for_file(pair, project):
    _, sharded = pair
    report = reproduce_release(
        sharded,
        articles=project / "data" / "articles",
        pins=project / "data" / "labels" / "pins.json",
        project_root=project,
    )
    assert report.ok, [str(p) for p in report.problems]
    shards = [e for e in read_manifest(sharded)["files"] if "-of-" in e["path"]]
    assert len(shards) > 10
    assert report.files == report.identical == len(read_manifest(sharded)["files"])


def test_a_tampered_shard_fails_verify_naming_the_file(pair):
    _, sharded = pair
    target = sharded / "entities" / shard_name(1, 8)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    report = verify_release(sharded, load=False)
    assert not report.ok
    assert ("checksum", "entities/train-00001-of-00008.parquet") in {
        (p.code, p.file) for p in report.problems
    }


def test_small_configs_stay_one_file_written_as_before(project):
    """The default limit (500 MB) cuts nothing here: every file has the bytes of a build
    without sharding, as releases were built before."""
    legacy = _build(project, "1.0.0", shards=None)
    default = _build(project, "1.0.1")
    assert "max_shard_bytes" not in read_manifest(legacy)
    assert read_manifest(default)["max_shard_bytes"] == 500_000_000
    parquet = sorted(p.relative_to(legacy) for p in legacy.rglob("*.parquet"))
    assert parquet == sorted(p.relative_to(default) for p in default.rglob("*.parquet"))
    assert all(p.name == "train.parquet" for p in parquet)
    assert [_sha(legacy / p) for p in parquet] == [_sha(default / p) for p in parquet]


def _table(n: int) -> pa.Table:
    return pa.table(
        {
            "label": [f"L{i % 7}" for i in range(n)],
            "start": list(range(n)),
            "note": [None if i % 5 else f"note {i}" for i in range(n)],
        }
    )


def test_shard_bytes_depend_only_on_the_rows(tmp_path):
    """A table and the same rows as a stream of odd-sized batches give the same shards,
    cut at the same rows, with the same bytes."""
    table = _table(25_000)
    limits = ShardLimits(max_rows=7_000)
    a = write_config(table, tmp_path / "a", limits=limits)
    b = write_config(
        table.to_batches(max_chunksize=333), tmp_path / "b", limits=limits, schema=table.schema
    )
    assert a == b == {shard_name(i, 4): n for i, n in enumerate([7000, 7000, 7000, 4000])}
    assert [_sha(tmp_path / "a" / n) for n in a] == [_sha(tmp_path / "b" / n) for n in b]
    assert pa.concat_tables(pq.read_table(tmp_path / "a" / n) for n in a).equals(table)


def test_a_byte_limit_cuts_by_arrow_size_and_one_shard_is_write_table(tmp_path):
    table = _table(25_000)
    cut = write_config(table, tmp_path / "cut", limits=ShardLimits(max_bytes=table.nbytes // 3))
    assert len(cut) == 3 and sum(cut.values()) == table.num_rows
    one = write_config(table, tmp_path / "one", limits=ShardLimits())
    assert one == {"train.parquet": 25_000}
    write_table(table, tmp_path / "plain.parquet")
    assert _sha(tmp_path / "one" / "train.parquet") == _sha(tmp_path / "plain.parquet")


def test_shard_sizes_are_read_as_datasets_reads_them():
    assert parse_size("500MB") == 500_000_000
    assert parse_size("64KiB") == 65_536
    assert parse_size(1234) == 1234
    with pytest.raises(ConfigError, match="not a size"):
        parse_size("lots")


def test_build_and_verify_on_the_command_line(tmp_path, paths, exports):
    args = ["build", "--articles", paths.articles, "--out", tmp_path / "rel"]
    args += ["--dataset", "demo", "--version", "1.0.0", "--card", paths.card]
    args += [a for e in exports for a in ("--export", e)]
    built = CliRunner().invoke(app, [str(a) for a in [*args, "--max-shard-rows", "4"]])
    assert built.exit_code == 0, built.output
    release = tmp_path / "rel" / "demo" / "1.0.0"
    manifest = read_manifest(release)
    assert manifest["max_shard_rows"] == 4
    n = -(-manifest["counts"]["entities"] // 4)
    assert n >= 3
    assert manifest["data_files"]["entities"] == [f"entities/{shard_name(i, n)}" for i in range(n)]
    assert all((release / f).is_file() for f in manifest["data_files"]["entities"])
    checked = CliRunner().invoke(app, ["verify", str(release)])
    assert checked.exit_code == 0, checked.output
    bad = CliRunner().invoke(app, [str(a) for a in [*args, "--max-shard-size", "lots"]])
    assert bad.exit_code == 2, bad.output
    assert "not a size" in bad.output


def test_rows_streamed_as_batches_give_the_shards_of_the_whole_table(tmp_path):
    """A release's rows converted a batch at a time (never all in memory as Python rows)
    are written as the table made of all of them at once is."""
    from annotate.layers import get_layer
    from annotate.release.shards import record_batches
    from annotate.release.tables import to_table
    from tests.synthetic import synthetic_entity_release

    features = get_layer("entities").features()
    _, rows = synthetic_entity_release(23_456, per_doc=500)
    whole = to_table(list(rows), features)
    limits = ShardLimits(max_bytes=whole.nbytes // 4)
    a = write_config(whole, tmp_path / "a", limits=limits)
    _, rows = synthetic_entity_release(23_456, per_doc=500)
    batches = record_batches(rows, features, rows_per_batch=4_321)
    b = write_config(batches, tmp_path / "b", limits=limits, schema=features.arrow_schema)
    assert a == b and len(a) == 3  # cut at 10,000-row chunks (CHUNK_ROWS)
    assert [_sha(tmp_path / "a" / n) for n in a] == [_sha(tmp_path / "b" / n) for n in b]


def test_a_sharded_release_is_compared_with_the_next(
    tmp_path, paths, exports, make_exports, layers
):
    """``annotate release`` cuts shards and diffs the next version against a sharded one."""
    args = ["release", "--articles", paths.articles, "--out", tmp_path / "rel"]
    args += ["--dataset", "demo", "--card", paths.card, "--formats", "none"]
    args += ["--max-shard-rows", "4"]
    first = CliRunner().invoke(app, [str(a) for a in [*args, *_exports(exports)]])
    assert first.exit_code == 0, first.output
    v2 = layers.copy()
    v2.entities = [s for s in v2.entities if s.text != "britanniques"]
    second = CliRunner().invoke(app, [str(a) for a in [*args, *_exports(make_exports("v2", v2))]])
    assert second.exit_code == 0, second.output
    assert "patch: 1 entities row removed" in second.output
    release = tmp_path / "rel" / "demo" / "1.0.1"
    assert len(read_manifest(release)["data_files"]["entities"]) >= 3
    report = verify_release(release, load=False)
    assert report.ok, [str(p) for p in report.problems]


def _exports(paths: list[Path]) -> list[object]:
    return [a for e in paths for a in ("--export", e)]
