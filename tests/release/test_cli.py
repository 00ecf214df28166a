"""The release commands, in process: release, diff, verify, mqm-import, build."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from annotate.cli import app

runner = CliRunner()
MQM = Path(__file__).resolve().parents[1] / "data" / "mqm" / "mqm_ted_zhen.lines0001-0300.tsv"


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_release_diff_verify(tmp_path, paths, exports, make_exports, layers):
    common = [
        "--articles",
        paths.articles,
        "--out",
        tmp_path / "rel",
        "--dataset",
        "demo",
        "--card",
        paths.card,
    ]
    first = _run(
        "release", *common, *[a for e in exports for a in ("--export", e)], "--formats", "conll"
    )
    assert first.exit_code == 0, first.output
    assert "released 1.0.0 (first release)" in first.output

    v2 = layers.copy()
    v2.entities = [s for s in v2.entities if s.text != "britanniques"]
    second = _run(
        "release",
        *common,
        *[a for e in make_exports("v2", v2) for a in ("--export", e)],
        "--formats",
        "none",
    )
    assert second.exit_code == 0, second.output
    assert "released 1.0.1 after 1.0.0: patch change" in second.output
    assert "patch: 1 entities row removed" in second.output

    a, b = tmp_path / "rel/demo/1.0.0", tmp_path / "rel/demo/1.0.1"
    shown = _run("diff", a, b)
    assert shown.exit_code == 0, shown.output
    assert "removed entities: MISC …" in shown.output and "[britanniques]" in shown.output
    as_json = _run("diff", a, b, "--json")
    data = json.loads(as_json.stdout)
    assert data["configs"]["entities"]["counts"] == {"added": 0, "removed": 1, "changed": 0}

    ok = _run("verify", b, "--no-load")
    assert ok.exit_code == 0, ok.output
    assert "✓" in ok.output
    (b / "entities/train.parquet").unlink()
    bad = _run("verify", b, "--no-load")
    assert bad.exit_code == 1
    assert "entities/train.parquet" in bad.output and "missing" in bad.output

    again = _run(
        "release", *common, *[a for e in exports for a in ("--export", e)], "--version", "1.0.1"
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_bad_usage_exits_2(tmp_path, paths, exports):
    result = _run(
        "release",
        "--articles",
        paths.articles,
        "--export",
        exports[0],
        "--out",
        tmp_path,
        "--formats",
        "bio",
    )
    assert result.exit_code == 2
    assert "known formats: conll, spacy, mqm" in result.output
    result = _run(
        "release",
        "--articles",
        paths.articles,
        "--export",
        exports[0],
        "--out",
        tmp_path,
        "--bump",
        "huge",
    )
    assert result.exit_code == 2


def test_mqm_import_writes_build_inputs(tmp_path):
    result = _run(
        "mqm-import", MQM, "--out", tmp_path / "zhen", "--target-lang", "en", "--source-lang", "zh"
    )
    assert result.exit_code == 0, result.output
    # omissions and source errors are kept, on the source side (issue 12 item 4)
    assert "186 spans (12 in the source)" in result.output
    assert "skipped" not in result.output
    assert (tmp_path / "zhen/documents.jsonl").is_file()
    assert json.loads((tmp_path / "zhen/export.json").read_text(encoding="utf-8"))


def test_every_release_command_has_an_example():
    for name in ("build", "release", "diff", "verify", "mqm-import"):
        result = _run(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output, name


def test_an_mqm_import_release_verifies_and_every_config_loads(tmp_path, paths):
    """Issue 12 item 5: the release of an mqm-import has no entity or claim rows; those
    configs are left out (files, card, manifest), so that `verify` passes and
    `load_dataset` loads every config it lists."""
    import datasets

    imported = _run("mqm-import", MQM, "--out", tmp_path / "zhen", "--target-lang", "en")
    assert imported.exit_code == 0, imported.output
    built = _run(
        "build",
        "--articles",
        tmp_path / "zhen/documents.jsonl",
        "--export",
        tmp_path / "zhen/export.json",
        "--out",
        tmp_path / "rel",
        "--dataset",
        "wmt-zhen",
        "--version",
        "1.0.0",
        "--card",
        paths.card,
        "--formats",
        "mqm",
        "--gold",
        "majority",  # WMT's raters were not adjudicated: publish their majority on purpose
    )
    assert built.exit_code == 0, built.output
    release = tmp_path / "rel/wmt-zhen/1.0.0"
    verified = _run("verify", release)
    assert verified.exit_code == 0, verified.output
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert "entities" not in manifest["configs"] and "claims" not in manifest["configs"]
    assert not (release / "entities").exists() and not (release / "claims").exists()
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "config_name: entities" not in card and "| entities |" not in card
    for config in manifest["configs"]:
        loaded = datasets.load_dataset(
            str(release), config, split="train", cache_dir=str(tmp_path / "cache")
        )
        assert len(loaded) == manifest["counts"][config] > 0, config


def test_build_without_card_works_outside_the_repository(tmp_path, paths, exports, monkeypatch):
    """Issue 12 item 5: `build` without --card in a directory with no dataset_card.md
    crashed with a FileNotFoundError; the toolkit's own template is the default."""
    monkeypatch.chdir(tmp_path)
    assert not (tmp_path / "dataset_card.md").exists()
    built = _run(
        "build",
        "--articles",
        paths.articles,
        *[a for e in exports for a in ("--export", e)],
        "--out",
        tmp_path / "rel",
        "--dataset",
        "demo",
        "--version",
        "1.0.0",
    )
    assert built.exit_code == 0, built.output
    release = tmp_path / "rel" / "demo" / "1.0.0"
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "### Entities per label" in card
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    from annotate.release.card_templates import DEFAULT_CARD

    assert manifest["card_template"] == DEFAULT_CARD  # the toolkit's newest template
    assert DEFAULT_CARD in {e["path"] for e in manifest["inputs"]}
