"""Issue 15: a dataset card that follows the Hub's conventions (YAML metadata, Data Fields
tables, example rows, annotators and agreement, considerations, citation, license, one
load snippet), links the viewer and shows the label-distribution and agreement plots.

How the card is checked offline: ``huggingface_hub``'s ``DatasetCard.card.validate()``
posts the card to the Hub's validation endpoint (network), so it is not used. What is
offline and used here: ``DatasetCard.load`` (``RepoCard`` splits the YAML front matter
and parses it with PyYAML into ``DatasetCardData``), ``card.data.to_dict()``, and
``datasets``' own readers of that YAML — ``DatasetInfosDict.from_dataset_card_data``
(``dataset_info``) and ``MetadataConfigs.from_dataset_card_data`` (``configs``), which
are what ``load_dataset`` reads. Every field is checked against the types and values that
``DatasetCardData``'s docstring documents (annotations_creators, language_creators,
multilinguality, size_categories, source_datasets) and the Hub's rule that
``license: other`` comes with ``license_name`` and ``license_link``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard
from huggingface_hub.repocard_data import DatasetCardData

from annotate.agreement import agreement_report
from annotate.errors import ConfigError
from annotate.names import pseudonym
from annotate.pipeline import gold_set
from annotate.project import load_project
from annotate.release.card_settings import (
    ANNOTATIONS_CREATORS,
    LANGUAGE_CREATORS,
    MULTILINGUALITY,
    CardSettings,
)
from annotate.release.card_templates import DEFAULT_CARD
from annotate.release.manifest import read_manifest
from annotate.release.publish import release
from annotate.release.reproduce import reproduce_release

FIGURES = ("observed", "kappa", "alpha")
SIZES = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "n>1T", "other")
SETTINGS = CardSettings(
    pretty_name="Demo news annotations",
    annotations_creators=("expert-generated",),
    license_name="research-only",
    license_link="https://example.org/terms",
    citation="@misc{demo2026,\n  title = {Demo},\n  year = {2026},\n}",
)


@pytest.fixture(scope="module")
def project(tmp_path_factory, paths) -> Path:
    """A copy of the bundled project's inputs (corpus, pinned exports with two passes and
    an adjudication, lock file, annotate.toml)."""
    root = tmp_path_factory.mktemp("hub-card") / "project"
    shutil.copytree(paths.root / "data" / "articles", root / "data" / "articles")
    shutil.copytree(paths.root / "data" / "labels", root / "data" / "labels")
    for name in ("requirements.lock", "annotate.toml"):
        shutil.copy(paths.root / name, root / name)
    return root


def _release(root: Path, **kw) -> Path:
    kw.setdefault("card_settings", SETTINGS)
    return release(
        gold_set(articles=root / "data" / "articles", pins=root / "data" / "labels" / "pins.json"),
        out=root / "releases",
        dataset="demo",
        version="1.0.0",
        license="other",
        project_root=root,
        notes=root / "data" / "labels" / "NOTES.md",
        **kw,
    ).path


@pytest.fixture(scope="module")
def released(project: Path) -> Path:
    """One release with the Hub card, read (never changed) by the tests below."""
    return _release(project)


def _card(path: Path) -> tuple[DatasetCard, str]:
    text = (path / "README.md").read_text(encoding="utf-8")
    return DatasetCard.load(path / "README.md"), text


def test_the_card_metadata_has_the_hub_fields_with_their_documented_values(released):
    card, _ = _card(released)
    assert isinstance(card.data, DatasetCardData)
    meta = card.data.to_dict()
    manifest = read_manifest(released)
    assert manifest["card_template"] == DEFAULT_CARD
    assert meta["pretty_name"] == "Demo news annotations"
    assert meta["annotations_creators"] == ["expert-generated"]
    assert set(meta["annotations_creators"]) <= set(ANNOTATIONS_CREATORS)
    # the article is machine-translated (its metadata says so): the texts were found and
    # machine-generated
    assert meta["language_creators"] == ["found", "machine-generated"]
    assert set(meta["language_creators"]) <= set(LANGUAGE_CREATORS)
    assert meta["multilinguality"] == ["monolingual"]
    assert set(meta["multilinguality"]) <= set(MULTILINGUALITY)
    assert meta["source_datasets"] == ["original"]
    assert meta["size_categories"] and set(meta["size_categories"]) <= set(SIZES)
    assert meta["language"] == ["fr"]
    assert (meta["license"], meta["license_name"], meta["license_link"]) == (
        "other",
        "research-only",
        "https://example.org/terms",
    )
    for key in ("task_categories", "task_ids", "tags"):
        assert meta[key] and all(isinstance(v, str) for v in meta[key]), key
    defaults = [c["config_name"] for c in meta["configs"] if c.get("default")]
    assert defaults == ["documents"]
    assert [c["config_name"] for c in meta["configs"]] == manifest["configs"]
    assert manifest["card"] == SETTINGS.to_manifest()


def test_dataset_info_holds_the_features_of_the_parquet_files(released):
    """`datasets` reads dataset_info and configs back into the features and splits it
    loads with: they must be those of the files."""
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs

    card, _ = _card(released)
    manifest = read_manifest(released)
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    assert sorted(infos) == sorted(manifest["configs"])
    for config in manifest["configs"]:
        on_disk = datasets.Features.from_arrow_schema(
            pq.read_schema(released / config / "train.parquet")
        )
        assert infos[config].features == on_disk, config
        assert infos[config].splits["train"].num_examples == manifest["counts"][config]
        assert infos[config].download_size == (released / config / "train.parquet").stat().st_size
    configs = MetadataConfigs.from_dataset_card_data(card.data)
    assert list(configs) == manifest["configs"]


def test_the_card_body_has_the_hub_sections_and_one_load_snippet(released):
    _, text = _card(released)
    # seen: one load snippet per config (six)
    assert text.count("load_dataset(") == 1
    for heading in (
        "## Dataset Structure",
        "### Data Fields",
        "## Annotations",
        "### Who are the annotators",
        "### Agreement",
        "## Considerations for Using the Data",
        "### Personal information",
        "## Citation",
        "## License",
    ):
        assert f"\n{heading}\n" in text, heading
    assert SETTINGS.citation in text  # the project's BibTeX, verbatim
    assert "[https://example.org/terms](https://example.org/terms)" in text


def _section(text: str, config: str) -> str:
    start = text.index(f"\n#### {config}\n")
    end = text.find("\n#### ", start + 1)
    return text[start : end if end > 0 else text.index("\n## ", start)]


def test_every_config_has_a_data_fields_table_of_its_columns_and_a_real_example_row(released):
    _, text = _card(released)
    for config in read_manifest(released)["configs"]:
        section = _section(text, config)
        table = pq.read_table(released / config / "train.parquet")
        rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| (.*) \|$", section, flags=re.M)
        fields = {name: meaning for name, _type, meaning in rows if name in table.column_names}
        assert list(fields) == table.column_names, config
        assert all(meaning.strip() for meaning in fields.values()), (config, fields)
        example = json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])
        features = datasets.Features.from_arrow_schema(table.schema)
        first = features.decode_example(table.slice(0, 1).to_pylist()[0])
        for name, value in first.items():
            shown = example[name]
            feature = features[name]
            if isinstance(feature, datasets.ClassLabel):
                assert shown == feature.int2str(value), (config, name)
            elif isinstance(value, str) and len(value) > 80:
                assert shown.startswith(value[:80]) and f"({len(value)} characters)" in shown
            elif not isinstance(value, list):
                assert shown == value, (config, name)


def test_the_card_links_the_viewer_and_shows_both_plots_listed_in_the_manifest(released):
    _, text = _card(released)
    files = {e["path"] for e in read_manifest(released)["files"]}
    assert "](viewer/index.html)" in text and "viewer/index.html" in files
    for image in ("label_distribution.png", "agreement.png"):
        assert f"]({image})" in text, image
        assert image in files and (released / image).stat().st_size > 0


def test_the_card_shows_kappa_and_alpha_beside_observed_agreement(project, released):
    # seen: the Hub card (v2) showed only the observed agreement per choice; researchers
    # look for Cohen's kappa and Krippendorff's alpha. Card v3 shows the figures of
    # `annotate agreement`, with the number of items, pairwise and over all raters.
    assert read_manifest(released)["card_template"] == "annotate:release/cards/v3.md"
    _, text = _card(released)
    assert "| layer | choice | raters | items | observed agreement | Cohen's κ |" in text
    gold = gold_set(
        articles=project / "data" / "articles", pins=project / "data" / "labels" / "pins.json"
    )
    rows = agreement_report(gold.records).choices()
    assert {r.annotators for r in rows} >= {"all"} and any(r.kappa is not None for r in rows)
    for r in rows:
        pair = r.annotators if r.annotators == "all" else r.annotators.split(" vs ")
        names = "all" if pair == "all" else " vs ".join(pseudonym(a) for a in pair)
        cells = [r.layer, r.choice, names, r.items, *(r.to_dict()[k] for k in FIGURES)]
        line = "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"
        assert line in text, line


def test_a_release_with_the_hub_card_reproduces_byte_for_byte(project, released):
    report = reproduce_release(
        released,
        articles=project / "data" / "articles",
        pins=project / "data" / "labels" / "pins.json",
        notes=project / "data" / "labels" / "NOTES.md",
        project_root=project,
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.files == report.identical == len(read_manifest(released)["files"])


def test_every_config_of_a_hub_card_release_loads_with_load_dataset(released, tmp_path):
    manifest = read_manifest(released)
    for config in manifest["configs"]:
        loaded = datasets.load_dataset(
            str(released), config, split="train", cache_dir=str(tmp_path / "cache")
        )
        assert loaded.num_rows == manifest["counts"][config], config
        assert loaded.features == datasets.Features.from_arrow_schema(
            pq.read_schema(released / config / "train.parquet")
        )


def test_a_single_rater_release_says_there_is_no_agreement_and_draws_no_plot(build, exports):
    release_dir = build(exports, card_template=None).path
    text = (release_dir / "README.md").read_text(encoding="utf-8")
    assert "No task was annotated by two raters" in text
    assert not (release_dir / "agreement.png").exists()
    assert "](agreement.png)" not in text


def test_card_settings_come_from_annotate_toml_and_bad_values_name_the_key(tmp_path):
    toml = tmp_path / "annotate.toml"
    toml.write_text(
        '[project]\ndataset = "x"\nlicense = "other"\nlicense_name = "custom"\n'
        'license_link = "LICENSE.md"\n[card]\nannotations_creators = ["crowdsourced"]\n',
        encoding="utf-8",
    )
    settings = CardSettings.from_project(load_project(toml))
    assert settings.annotations_creators == ("crowdsourced",)
    assert (settings.license_name, settings.license_link) == ("custom", "LICENSE.md")
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("crowdsourced", "crowd"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        CardSettings.from_project(load_project(toml))
    assert err.value.json_path == "$.card.annotations_creators"
    assert "expert-generated" in (err.value.hint or "")
    with pytest.raises(ConfigError, match="BibTeX"):
        CardSettings(citation="Please cite our paper")


def test_the_bundled_project_release_card_names_its_license_and_creators(paths):
    """The repository's annotate.toml gives what its next release's card says."""
    settings = CardSettings.from_project(load_project(paths.root / "annotate.toml"))
    assert settings.annotations_creators == ("machine-generated",)  # NOTES.md: AI sessions
    assert settings.license_name and settings.license_link


def test_recorded_card_settings_round_trip_and_unknown_ones_are_refused():
    assert CardSettings.from_manifest({"card": SETTINGS.to_manifest()}) == SETTINGS
    assert CardSettings.from_manifest({}) is None  # 1.0.0, 2.0.0: the card they had
    with pytest.raises(ConfigError) as err:
        CardSettings.from_manifest({"card": {**SETTINGS.to_manifest(), "mood": "sunny"}})
    assert err.value.json_path == "$.card.mood"
