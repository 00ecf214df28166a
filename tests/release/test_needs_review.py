"""No silent consensus (issue 14): a task whose raters disagree and that nobody adjudicated
"needs review"; build refuses it (exit 1, the list and the `annotate review` command) unless
``--gold majority`` publishes the raters' majority on purpose, which manifest and card say.

Seen before: with a second annotator on one task, the spans the two did not share
vanished from the release and no list of disagreements was shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ReleaseError
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.guard import Acceptance
from annotate.release.manifest import read_manifest
from annotate.release.reproduce import reproduce_release
from annotate.release.tables import read_rows

SECOND = "annotator-b@example.org"


def _second_rater(layers, make_exports) -> Path:
    """Rater B's entities: A's, with the article's last entity dropped and the first
    "Stargate" labelled PRODUCT instead of FAC: two disputed regions in two tasks."""
    theirs = layers.copy()
    theirs.entities.pop()
    stargate = next(s for s in theirs.entities if s.text == "Stargate")
    stargate.label = "PRODUCT"
    [path, *_] = make_exports("rater-b", theirs)
    return _as_second_rater(path)


def _rewording_rater(layers, make_exports) -> Path:
    """Rater B's translation errors: A's, with the comment of the first one in other words
    (the same error, span, category, severity and correction)."""
    theirs = layers.copy()
    theirs.errors[0].attrs["comment"] = "the amount is garbled"
    [*_, path] = make_exports("rater-b", theirs)
    return _as_second_rater(path)


def _as_second_rater(path: Path) -> Path:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    for task in tasks:  # another user, other annotation ids
        for ann in task["annotations"]:
            ann["id"] += 1000
            ann["completed_by"] = {"id": 2, "email": SECOND}
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_disagreeing_raters_are_refused_not_silently_merged(
    build, exports, layers, make_exports, tmp_path
):
    second = _second_rater(layers, make_exports)
    with pytest.raises(ReleaseError, match="need review") as info:
        build([*exports, second])
    message = str(info.value)
    assert "annotate review" in message and "--gold majority" in message
    assert message.count(":entities:") == 2  # the two tasks, by key
    assert not (tmp_path / "releases" / "demo" / "1.0.0").exists()


def test_gold_majority_publishes_the_majority_and_says_so(build, exports, layers, make_exports):
    second = _second_rater(layers, make_exports)
    result = build([*exports, second], accept=Acceptance(majority=True))
    manifest = read_manifest(result.path)
    assert manifest["accepted"] == {"majority": 2}
    # two raters: a majority is both, so the two disputed spans are left out
    assert manifest["counts"]["entities"] == len(layers.entities) - 2
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert "## Known gaps" in card and "--gold majority" in card


def test_cli_build_exit_1_lists_the_tasks_and_gold_majority_builds(
    exports, layers, make_exports, tmp_path, paths
):
    second = _second_rater(layers, make_exports)
    base = ["build", "--dataset", "demo", "--version", "1.0.0", "--card", str(paths.card)]
    base += ["--out", str(tmp_path / "releases"), "--articles", str(paths.articles)]
    for e in [*exports, second]:
        base += ["--export", str(e)]
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 1, refused.output
    assert "annotate review" in refused.output and "Traceback" not in refused.output
    built = CliRunner().invoke(app, [*base, "--gold", "majority"])
    assert built.exit_code == 0, built.output
    bad = CliRunner().invoke(app, [*base, "--gold", "whatever"])
    assert bad.exit_code == 2, bad.output


def test_a_comment_worded_otherwise_is_no_dispute(build, exports, layers, make_exports):
    # seen: `annotate agreement` counted a difference in the MQM comment (free text) as a
    # dispute, so build refused the task as "needs review", while the gold's provenance
    # called the two versions one decision ("kept"); now the agreement says so too
    second = _rewording_rater(layers, make_exports)
    result = build([*exports, second])
    manifest = read_manifest(result.path)
    assert "accepted" not in manifest
    assert manifest["agreement_definition"] == 2
    assert manifest["counts"]["translation_errors"] == len(layers.errors)
    rows = read_rows(result.path / "translation_errors" / "train.parquet")
    (garbled,) = [r for r in rows if r["span_text"] == layers.errors[0].text]
    assert garbled["comment"] == layers.errors[0].attrs["comment"]  # the first rater's words


def test_a_release_made_when_free_text_counted_rebuilds_so(
    exports, layers, make_exports, paths, tmp_path
):
    # releases that record no agreement definition counted free text as a dispute: under
    # --gold majority their gold lost such a span, and a rebuild loses it again
    tasks = [*exports, _rewording_rater(layers, make_exports)]
    out = tmp_path / "releases"
    gold = gold_set(articles=paths.articles, exports=tasks, agreement_definition=1)
    release = build_release(
        gold,
        out=out,
        dataset="demo",
        version="1.0.0",
        card_template=paths.card,
        project_root=paths.root,
        accept=Acceptance(majority=True),
    ).path
    manifest = read_manifest(release)
    assert "agreement_definition" not in manifest and manifest["accepted"] == {"majority": 1}
    assert manifest["counts"]["translation_errors"] == len(layers.errors) - 1
    report = reproduce_release(
        release,
        articles=paths.articles,
        pins=None,
        exports=tasks,
        card_template=paths.card,
        project_root=paths.root,
    )
    assert report.ok, [str(p) for p in report.problems]
