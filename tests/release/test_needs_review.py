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
from annotate.release.guard import Acceptance
from annotate.release.manifest import read_manifest

SECOND = "annotator-b@example.org"


def _second_rater(layers, make_exports) -> Path:
    """Rater B's entities: A's, with the article's last entity dropped and the first
    "Stargate" labelled PRODUCT instead of FAC: two disputed regions in two tasks."""
    theirs = layers.copy()
    theirs.entities.pop()
    stargate = next(s for s in theirs.entities if s.text == "Stargate")
    stargate.label = "PRODUCT"
    [path, *_] = make_exports("rater-b", theirs)
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
