"""annotate reproduce: a release rebuilt from its pinned inputs, compared file by file;
and the parquet layouts it rebuilds with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.manifest import read_manifest
from annotate.release.reproduce import reproduce_release
from annotate.release.tables import PARQUET_LAYOUT, encoded_columns, read_rows

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, paths) -> Path:
    """A copy of the project's inputs: the corpus, the pinned reference exports, the card
    template, the lock file and annotate.toml (where the CLI finds them)."""
    root = tmp_path / "project"
    shutil.copytree(paths.root / "data" / "articles", root / "data" / "articles")
    shutil.copytree(paths.root / "data" / "labels", root / "data" / "labels")
    for name in ("dataset_card.md", "requirements.lock", "annotate.toml"):
        shutil.copy(paths.root / name, root / name)
    return root


def _build(root: Path, version: str = "2.0.0", **kw) -> Path:
    return build_release(
        gold_set(articles=root / "data" / "articles", pins=root / "data" / "labels" / "pins.json"),
        out=root / "releases",
        dataset="demo",
        version=version,
        card_template=root / "dataset_card.md",
        project_root=root,
        **kw,
    ).path


def _reproduce(release: Path, root: Path):
    return reproduce_release(
        release,
        articles=root / "data" / "articles",
        pins=root / "data" / "labels" / "pins.json",
        card_template=root / "dataset_card.md",
        project_root=root,
    )


def test_a_release_reproduces_file_for_file(project):
    release = _build(project, formats=["conll", "mqm"], license="cc-by-4.0")
    manifest = read_manifest(release)
    assert manifest["parquet_layout"] == PARQUET_LAYOUT
    assert manifest["license"] == "cc-by-4.0"
    report = _reproduce(release, project)
    assert report.ok, [str(p) for p in report.problems]
    assert report.files == report.identical == len(manifest["files"])
    assert report.inputs == len(manifest["inputs"]) > 0
    assert "formats/entities.conll" in {e["path"] for e in manifest["files"]}


def test_a_changed_input_and_the_files_it_changes_are_named(project):
    release = _build(project)
    notes = project / "data" / "labels" / "NOTES.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = _reproduce(release, project)
    assert not report.ok
    found = {(p.code, p.file) for p in report.problems}
    assert ("input-changed", "data/labels/NOTES.md") in found
    assert ("file-differs", "README.md") in found  # the card renders the notes
    # the parquet files do not depend on the notes and still match
    assert not any(p.file and p.file.endswith(".parquet") for p in report.problems)


def test_notes_given_with_notes_are_the_ones_reproduce_renders(project):
    """A release built with ``--notes`` elsewhere than NOTES.md beside the pins (the
    per-prefix notes of a second annotation round) reproduces with those notes: reproduce
    used to render the project's NOTES.md instead, and the card differed."""
    own = project / "data" / "labels" / "round-2.NOTES.md"
    own.write_text("Annotated by a second round of raters.\n", encoding="utf-8")
    release = _build(project, notes=own)
    assert "a second round of raters" in (release / "README.md").read_text(encoding="utf-8")
    report = _reproduce(release, project)
    assert report.ok, [str(p) for p in report.problems]


def test_the_build_time_comes_back_from_source_date_epoch(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    release = _build(project)
    assert read_manifest(release)["created"] == "2023-11-14T22:13:20Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # what the shell happens to have
    report = _reproduce(release, project)
    assert report.ok, [str(p) for p in report.problems]
    import os

    assert os.environ["SOURCE_DATE_EPOCH"] == "1800000000"  # restored


def test_layouts_hold_the_same_rows_and_layout_2_encodes_what_repeats(project):
    old = _build(project, version="1.0.0", layout=1)
    new = _build(project, version="1.1.0")
    for config in ("entities", "claims", "translation_errors", "documents", "annotations"):
        path = f"{config}/train.parquet"
        assert read_rows(old / path) == read_rows(new / path), config
        dictionary, statistics = encoded_columns(pq.read_table(new / path))
        meta = pq.ParquetFile(new / path).metadata.row_group(0)
        for i in range(meta.num_columns):
            column = meta.column(i)
            name = column.path_in_schema
            if "." not in name:  # flat columns; nested ones are never dictionary-encoded
                assert column.has_dictionary_page == (name in dictionary), (config, name)
                assert column.is_stats_set == (name in statistics), (config, name)
    entities = pq.ParquetFile(new / "entities/train.parquet").metadata.row_group(0)
    columns = {entities.column(i).path_in_schema: entities.column(i) for i in range(9)}
    assert not columns["span_id"].has_dictionary_page  # unique
    assert columns["doc_id"].has_dictionary_page  # one document
    legacy = pq.ParquetFile(old / "entities/train.parquet").metadata.row_group(0)
    assert all(legacy.column(i).has_dictionary_page for i in range(legacy.num_columns))


def test_which_columns_layout_2_encodes():
    import pyarrow as pa

    n = 1000
    table = pa.table(
        {
            "row_id": [f"r{i}" for i in range(n)],
            "label": [("A", "B", "C")[i % 3] for i in range(n)],
            "kb_id": [None if i % 2 else f"Q{i % 7}" for i in range(n)],
            "long_text": ["x" * 2000 + "y"] * n,  # repeats, but 2 MB: not worth hashing
            "start": list(range(n)),
            "flag": [i % 2 == 0 for i in range(n)],
            "spans": [[1, 2]] * n,
        }
    )
    dictionary, statistics = encoded_columns(table)
    assert dictionary == ["label", "kb_id"]
    assert statistics == ["label", "kb_id", "start", "flag"]
    assert encoded_columns(table.slice(0, 0)) == (
        ["row_id", "label", "kb_id", "long_text", "start"],
        ["row_id", "label", "kb_id", "long_text", "start", "flag"],
    )


def test_cli_reproduce_exit_codes(project, monkeypatch):
    release = _build(project)
    monkeypatch.chdir(project)
    ok = runner.invoke(app, ["reproduce", str(release), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["identical"] > 0
    target = release / "entities/train.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    bad = runner.invoke(app, ["reproduce", str(release)])
    assert bad.exit_code == 1
    assert "entities/train.parquet" in bad.output and "differs" in bad.output
    missing = runner.invoke(app, ["reproduce", str(project / "nowhere")])
    assert missing.exit_code != 0 and "manifest.json" in missing.output


def test_a_later_release_reproduces_with_its_card_and_changelog(project):
    from annotate.release.publish import release

    gold = gold_set(
        articles=project / "data" / "articles", pins=project / "data" / "labels" / "pins.json"
    )
    common = dict(
        out=project / "releases",
        dataset="demo",
        card_template=project / "dataset_card.md",
        project_root=project,
        formats=("mqm",),
    )
    first = release(gold, **common)
    second = release(gold, **common, bump="minor", allow_empty=True)  # overridden: nothing changed
    assert (first.version, second.version) == ("1.0.0", "1.1.0")
    assert read_manifest(second.path)["bump"]["overridden"] is True
    for made in (first, second):
        report = _reproduce(made.path, project)
        assert report.ok, [str(p) for p in report.problems]
        assert report.skipped == []
        assert report.identical == report.files == len(read_manifest(made.path)["files"])
    listed = {e["path"] for e in read_manifest(second.path)["files"]}
    assert {"README.md", "CHANGELOG.md"} <= listed

    # without the previous release beside it, the card and changelog cannot be rebuilt
    moved = project / "elsewhere"
    moved.mkdir()
    shutil.move(str(second.path), moved / "1.1.0")
    report = _reproduce(moved / "1.1.0", project)
    assert report.ok, [str(p) for p in report.problems]
    assert sorted(s.split(":")[0] for s in report.skipped) == [
        "CHANGELOG.md",
        "README.md",
        "diff/1.0.0",
    ]
    pages = [p for p in listed if p.startswith("diff/1.0.0/")]
    assert pages == ["diff/1.0.0/index.html"]  # nothing changed: no document page
    assert report.files == len(listed) - 2 - len(pages)


def test_a_release_after_a_correction_reproduces_and_the_earlier_one_names_the_new_pins(project):
    from annotate.pins import read_pins, write_pin
    from annotate.release.publish import release

    pins = project / "data" / "labels" / "pins.json"
    common = dict(
        out=project / "releases",
        dataset="demo",
        card_template=project / "dataset_card.md",
        project_root=project,
        formats=(),
    )
    first = release(gold_set(articles=project / "data" / "articles", pins=pins), **common)
    # a correction: one entity region taken out of every annotation of the first task
    pin = next(p for p in read_pins(pins) if p.layer == "entities")
    tasks = json.loads((pins.parent / pin.path).read_text(encoding="utf-8"))
    task = next(t for t in tasks if any(a["result"] for a in t["annotations"]))
    region = next(r["id"] for a in task["annotations"] for r in a["result"] if "id" in r)
    for ann in task["annotations"]:
        ann["result"] = [r for r in ann["result"] if r.get("id") != region]
    corrected = pins.parent / "corrected-entities.json"
    corrected.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    write_pin(pins, layer="entities", export_path=corrected, project=pin.project)
    second = release(gold_set(articles=project / "data" / "articles", pins=pins), **common)
    # the adjudicator's annotation is the gold and still holds the span: the gold did not
    # change, the two other annotators' raw rows did
    assert second.diff is not None and second.diff.raw == {
        "entities": {"added": 0, "removed": 2, "changed": 0}
    }
    assert second.proposal.level == "patch"
    assert second.proposal.reasons == ["patch: 2 raw entities rows of the other annotators removed"]
    assert "entities of the other annotators (raw rows): 2 removed" in second.diff.summary()
    shown = runner.invoke(app, ["diff", str(first.path), str(second.path)])
    assert shown.exit_code == 0, shown.output
    assert "entities of the other annotators (raw rows): 2 removed" in shown.output
    assert "What changed" in (second.path / "README.md").read_text(encoding="utf-8")

    # the release carries the visual diff with the previous one, linked from the changelog
    assert "diff" not in read_manifest(first.path)
    manifest = read_manifest(second.path)
    assert manifest["diff"] == "diff/1.0.0/index.html"
    assert "diff/1.0.0/index.html" in {e["path"] for e in manifest["files"]}
    index = (second.path / "diff" / "1.0.0" / "index.html").read_text(encoding="utf-8")
    assert "entities 0 added, 2 removed, 0 changed" in index  # the raw rows
    link = f"({second.version}/diff/1.0.0/index.html)"
    assert link in (project / "releases" / "demo" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert link in (second.path / "CHANGELOG.md").read_text(encoding="utf-8")
    from annotate.release.verify import verify_release

    assert verify_release(second.path, load=False).ok

    report = _reproduce(second.path, project)
    assert report.ok, [str(p) for p in report.problems]
    assert report.skipped == [] and report.identical == report.files

    earlier = _reproduce(first.path, project)
    assert ("input-changed", "data/labels/pins.json") in {
        (p.code, p.file) for p in earlier.problems
    }


def test_a_release_built_from_exports_reproduces_from_the_same_exports(project, monkeypatch):
    from annotate.pins import read_pins

    pins = project / "data" / "labels" / "pins.json"
    exports = []
    for pin in read_pins(pins):
        target = project / "exports" / f"{pin.layer}.json"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(pins.parent / pin.path, target)
        exports.append(target)
    release = build_release(
        gold_set(articles=project / "data" / "articles", exports=exports),
        out=project / "releases",
        dataset="demo",
        version="1.0.0",
        card_template=project / "dataset_card.md",
        project_root=project,
    ).path
    assert {"exports/entities.json", "exports/claims.json"} <= {
        e["path"] for e in read_manifest(release)["inputs"]
    }
    monkeypatch.chdir(project)
    args = ["reproduce", "releases/demo/1.0.0"]
    ok = runner.invoke(app, [*args, *(a for e in exports for a in ("--export", str(e)))])
    assert ok.exit_code == 0, ok.output
    assert "files identical" in ok.output
    # with the pins instead, the rebuild reads inputs the release was not built from
    wrong = runner.invoke(app, [*args, "--json"])
    assert wrong.exit_code == 1
    codes = {p["code"] for p in json.loads(wrong.stdout)["problems"]}
    assert "input-extra" in codes


def test_every_changed_input_is_named_once(project, monkeypatch):
    # seen: after a new pull, reproduce printed "the rebuild read an input the release was
    # not built from" three times, without naming the input (Rich ate "[path]" as markup)
    from annotate.pins import read_pins, write_pin

    release = _build(project)
    pins = project / "data" / "labels" / "pins.json"
    moved = []
    for pin in read_pins(pins):  # every layer pulled anew: the same tasks, new files
        new = pins.parent / f"repulled-{pin.layer}.json"
        new.write_bytes((pins.parent / pin.path).read_bytes() + b"\n")
        write_pin(pins, layer=pin.layer, export_path=new, project=pin.project)
        moved.append(f"data/labels/{new.name}")
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["reproduce", str(release)])
    assert result.exit_code == 1
    problems = result.stderr.splitlines()  # one problem a line, compiler style
    named = ["data/labels/pins.json", *moved]
    for name in named:
        assert sum(name in line for line in problems) == 1, (name, result.output)
    assert len(problems) == len(named), result.output


def test_a_release_built_with_the_package_card_reproduces_with_it(project):
    release = build_release(
        gold_set(
            articles=project / "data" / "articles", pins=project / "data" / "labels" / "pins.json"
        ),
        out=project / "releases",
        dataset="demo",
        version="3.0.0",
        project_root=project,
    ).path
    (project / "dataset_card.md").unlink()  # not read: the release records the package's
    report = reproduce_release(
        release,
        articles=project / "data" / "articles",
        pins=project / "data" / "labels" / "pins.json",
        project_root=project,
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.files == report.identical > 0


def test_a_release_ships_its_viewer_and_reproduces_it(project):
    from annotate.release.publish import release
    from annotate.release.verify import verify_release
    from annotate.release.viewer import VIEWER_FORMAT

    made = release(
        gold_set(
            articles=project / "data" / "articles", pins=project / "data" / "labels" / "pins.json"
        ),
        out=project / "releases",
        dataset="demo",
        card_template=project / "dataset_card.md",
        project_root=project,
        formats=(),
    )
    manifest = read_manifest(made.path)
    assert manifest["viewer"] == "viewer/index.html"
    # drawn in the browser, disputes and notes marked; 2.1.0 records 2, 2.0.0 none: 1
    assert manifest["viewer_format"] == VIEWER_FORMAT == 3
    listed = {e["path"] for e in manifest["files"]}
    assert "viewer/index.html" in listed
    assert any(p.startswith("viewer/doc-") for p in listed)
    assert verify_release(made.path, load=False).ok
    report = _reproduce(made.path, project)
    assert report.ok, [str(p) for p in report.problems]
    assert report.identical == report.files
