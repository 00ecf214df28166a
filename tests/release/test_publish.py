"""release: the version proposed from the diff, the changelog, the diff itself."""

from __future__ import annotations

import json

import pytest

from annotate.errors import ConfigError, ReleaseError
from annotate.pipeline import gold_set
from annotate.release.changes import ReleaseDiff
from annotate.release.diff import diff_releases, diff_snapshots, load_snapshot
from annotate.release.manifest import read_manifest
from annotate.release.publish import diff_release, release
from annotate.release.version import latest_version, propose_bump


@pytest.fixture
def run_release(tmp_path, paths):
    def run(exports, **kw):
        return release(
            gold_set(articles=paths.articles, exports=exports),
            out=tmp_path / "releases",
            dataset="demo",
            card_template=paths.card,
            project_root=paths.root,
            **kw,
        )

    return run


@pytest.fixture
def second_version(layers, make_span):
    """v2: one entity corrected (FAC → MISC, same region), one claim added, one entity
    removed."""
    v2 = layers.copy()
    stargate = next(s for s in v2.entities if s.text == "Stargate")
    stargate.label = "MISC"
    v2.entities = [s for s in v2.entities if s.text != "britanniques"]
    v2.claims.append(
        make_span(
            "c3",
            "Stargate serait la plus grande d’une série de cinq installations",
            "CLAIM",
            claim_type="attribute",
            modality="hedged",
            checkworthy="yes",
        )
    )
    return v2, stargate


def test_first_release_is_1_0_0_with_a_changelog(run_release, exports, tmp_path):
    result = run_release(exports, formats=())
    assert result.version == "1.0.0"
    assert result.proposal.reasons == ["first release"]
    changelog = (tmp_path / "releases/demo/CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog of demo")
    assert "## 1.0.0 — 2026-11-20" in changelog
    assert (result.path / "CHANGELOG.md").read_text(encoding="utf-8") == changelog


def test_second_release_names_exactly_what_changed(
    run_release, exports, make_exports, second_version, tmp_path
):
    first = run_release(exports, formats=())
    v2, stargate = second_version
    second = run_release(make_exports("v2", v2), formats=())

    diff = second.diff
    assert diff is not None
    assert diff.documents == {"added": [], "removed": [], "changed": []}
    assert diff.schema_removed == diff.schema_added == []
    entities = diff.configs["entities"]
    assert entities.counts() == {"added": 0, "removed": 1, "changed": 1}
    (changed,) = entities.of("changed")
    assert (changed.before["span_text"], changed.before["label"]) == ("Stargate", "FAC")
    assert (changed.after["label"], changed.fields) == ("MISC", ["label"])
    assert changed.label == "FAC → MISC"
    assert changed.after["start"] == stargate.start
    assert "[Stargate]" in changed.context and "appelé «" in changed.context
    (removed,) = entities.of("removed")
    assert (removed.before["span_text"], removed.label) == ("britanniques", "MISC")
    claims = diff.configs["claims"]
    assert claims.counts() == {"added": 1, "removed": 0, "changed": 0}
    assert claims.of("added")[0].after["span_text"].startswith("Stargate serait")
    assert claims.per_label() == {"attribute": {"added": 1, "removed": 0, "changed": 0}}
    assert not diff.configs["translation_errors"].changes
    assert not diff.configs["segments"].changes

    # an added claim is minor; the correction and the removal alone would be a patch
    assert second.proposal.level == "minor"
    assert second.version == "1.1.0"
    assert second.proposal.reasons == [
        "minor: 1 claims row added",
        "patch: 1 entities row corrected",
        "patch: 1 entities row removed",
    ]
    changelog = (tmp_path / "releases/demo/CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")
    assert "Minor release after 1.0.0." in changelog
    assert "- entities: 1 removed, 1 changed (FAC → MISC: 1 changed; MISC: 1 removed)" in changelog
    assert "label 'FAC' → 'MISC'" in changelog
    assert "- claims: 1 added (attribute: 1 added)" in changelog
    card = (second.path / "README.md").read_text(encoding="utf-8")
    assert "## What changed" in card and "the previous one is 1.0.0" in card
    manifest = read_manifest(second.path)
    assert (manifest["previous"], manifest["bump"]["level"]) == ("1.0.0", "minor")
    # the first release is untouched
    assert read_manifest(first.path)["version"] == "1.0.0"
    assert latest_version(tmp_path / "releases/demo") == "1.1.0"


def test_corrections_alone_are_a_patch(run_release, exports, make_exports, second_version):
    run_release(exports, formats=())
    v2, _ = second_version
    v2.claims = v2.claims[:-1]  # no added claim
    result = run_release(make_exports("v2", v2), formats=())
    assert (result.proposal.level, result.version) == ("patch", "1.0.1")


def test_the_user_can_override_the_proposal(run_release, exports, make_exports, second_version):
    run_release(exports, formats=())
    v2, _ = second_version
    result = run_release(make_exports("v2", v2), formats=(), version="2.0.0")
    assert (result.version, result.proposal.version, result.overridden) == (
        "2.0.0",
        "1.1.0",
        True,
    )
    assert "chosen by hand (the rule proposed 1.1.0)" in result.changelog_entry
    with pytest.raises(ConfigError, match=r"not after the latest release 2\.0\.0"):
        run_release(make_exports("v3", v2), formats=(), version="1.5.0")


def test_explicit_bump_and_existing_version(run_release, exports, make_exports, second_version):
    run_release(exports, formats=())
    v2, _ = second_version
    assert run_release(make_exports("v2", v2), formats=(), bump="major").version == "2.0.0"
    with pytest.raises(ReleaseError, match="already exists"):
        run_release(make_exports("v3", v2), formats=(), version="2.0.0")


def test_nothing_changed_is_refused_unless_allowed(run_release, exports):
    run_release(exports, formats=())
    with pytest.raises(ReleaseError, match=r"nothing changed since 1\.0\.0"):
        run_release(exports, formats=())
    assert run_release(exports, formats=(), bump="patch", allow_empty=True).version == "1.0.1"


def test_schema_rename_is_major(build, exports):
    import datasets

    a = load_snapshot(build(exports, version="1.0.0").path)
    b = load_snapshot(build(exports, version="1.0.1").path)
    # as a release made after renaming ORG in schema/entities.schema.json would be
    rename = {"ORG": "ORGANISATION"}
    b.taxonomies["entities"] = {**b.taxonomies["entities"]}
    b.taxonomies["entities"]["labels"] = {
        rename.get(k, k): v for k, v in b.taxonomies["entities"]["labels"].items()
    }
    feats = dict(b.features["entities"])
    feats["label"] = datasets.ClassLabel(names=[rename.get(n, n) for n in feats["label"].names])
    b.features["entities"] = datasets.Features(feats)
    diff = diff_snapshots(a, b)
    assert diff.schema_removed == ["entities.label: 'ORG'"]
    assert diff.schema_added == ["entities.label: 'ORGANISATION'"]
    proposal = propose_bump(diff, "1.0.0")
    assert (proposal.level, proposal.version) == ("major", "2.0.0")
    assert proposal.reasons[0] == "major: schema: entities.label: 'ORG' removed or renamed"


def test_dropped_column_is_major(build, exports):
    import datasets

    a = load_snapshot(build(exports, version="1.0.0").path)
    b = load_snapshot(build(exports, version="1.0.1").path)
    feats = dict(b.features["entities"])
    del feats["kb_id"]
    b.features["entities"] = datasets.Features(feats)
    diff = diff_snapshots(a, b)
    assert diff.schema_removed == ["entities: column 'kb_id' (string)"]
    assert propose_bump(diff, "1.2.3").version == "2.0.0"


def test_diff_json_and_working_inputs(build, exports, make_exports, second_version, paths):
    first = build(exports, version="1.0.0")
    v2, _ = second_version
    v2_exports = make_exports("v2", v2)
    second = build(v2_exports, version="1.1.0")
    between = diff_releases(first.path, second.path)
    assert isinstance(between, ReleaseDiff)
    data = json.loads(json.dumps(between.to_dict(), default=str))
    assert data["configs"]["entities"]["counts"] == {"added": 0, "removed": 1, "changed": 1}
    # the release against what the working inputs would release now
    working = diff_release(first.path, gold_set(articles=paths.articles, exports=v2_exports))
    assert working.to_dict()["configs"] == data["configs"]
    assert working.b == "working"
    assert diff_releases(first.path, first.path).empty


def test_how_a_release_is_made_is_a_change_of_its_own(tmp_path, paths, exports):
    """Changelog format 2: the same rows under a new card template and viewer format (and
    the agreement definition of a gold set) are a minor release whose entry says so; a
    release made the same way again is still refused as unchanged."""

    def run(**kw):
        return release(
            gold_set(articles=paths.articles, exports=exports, **kw.pop("gold", {})),
            out=tmp_path / "releases",
            dataset="demo",
            project_root=paths.root,
            formats=(),
            **kw,
        )

    run(card_template=paths.card, viewer=False, gold={"agreement_definition": 1})
    second = run()  # the package's card v3, the viewer, definition 2
    assert (second.proposal.level, second.version) == ("minor", "1.1.0")
    reasons = "\n".join(second.proposal.reasons)
    assert "minor: card: template dataset_card.md → annotate:release/cards/v3.md" in reasons
    assert "minor: viewer: format none → 3" in reasons
    assert "patch: agreement: definition 1 → 2" in reasons
    assert "- no change in the data" in second.changelog_entry
    manifest = read_manifest(second.path)
    assert manifest["changelog_format"] == 2 and manifest["agreement_definition"] == 2
    with pytest.raises(ReleaseError, match=r"nothing changed since 1\.1\.0"):
        run()
