"""The labeling UI as the generated configs define it (issue 14, "The labeling UI, as
annotators use it"): hotkeys on every label and choice that Label Studio does not use
itself, the MQM judgement and severity required, distinct colours within an MQM category,
the source beside the target, titled per-region questions, relation labels kept off the
text, and boilerplate paragraphs flagged in their tasks. The real browser checks the same
in tests/browser/test_labeling_screens.py."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from label_studio_sdk.label_interface import LabelInterface

from annotate.corpus import read_articles
from annotate.labelstudio.tasks import make_tasks
from annotate.layers import get_layer, layer_names
from annotate.layers.labeling import LS_KEYS, NOTICE_FIELD, hotkey_problems, layer_hotkeys
from tests.conftest import ARTICLE


def _config(layer: str, *, source: bool = False) -> ET.Element:
    return ET.fromstring(get_layer(layer).label_config(source=source))


@pytest.mark.parametrize("layer", layer_names())
def test_every_label_and_choice_has_its_own_key_that_label_studio_does_not_use(
    layer: str,
) -> None:
    lay = get_layer(layer)
    assert hotkey_problems(lay.taxonomy) == []
    source = lay.shows_source
    root = _config(layer, source=source)
    keys = [el.get("hotkey") for el in root.iter() if el.tag in ("Label", "Choice")]
    assert all(keys), "a label or choice without a hotkey gets one of Label Studio's digits"
    assert len(keys) == len(set(keys)), "a key bound twice"
    assert not set(keys) & LS_KEYS
    assert not any(k.isdigit() for k in keys if k)
    assert set(keys) == set(layer_hotkeys(lay.taxonomy, source=source))


def test_hotkey_problems_names_the_missing_the_clashing_and_label_studios_own() -> None:
    tax = get_layer("entities").taxonomy
    labels = {k: dict(v) for k, v in tax.labels.items()}
    labels["ORG"]["hotkey"] = "p"  # PER's
    labels["LOC"]["hotkey"] = "u"  # Label Studio: unselect region
    labels["FAC"]["hotkey"] = "3"  # Label Studio's own assignment
    del labels["DATE"]["hotkey"]
    problems = hotkey_problems(dataclasses.replace(tax, labels=labels))
    assert problems == [
        "entities: label 'ORG': 'p' is also label 'PER''s",
        "entities: label 'LOC': 'u' is a Label Studio shortcut",
        "entities: label 'FAC': '3' is a digit (Label Studio's own)",
        "entities: label 'DATE' has no hotkey",
    ]


def _required(root: ET.Element) -> set[str | None]:
    return {el.get("name") for el in root.iter("Choices") if el.get("required") == "true"}


def test_the_segment_judgement_and_the_severity_are_required() -> None:
    root = _config("translation_errors")
    assert _required(root) == {"judgement", "severity"}
    judgement = next(el for el in root.iter("Choices") if el.get("name") == "judgement")
    assert judgement.get("requiredMessage")
    # Label Studio would require the target's severity of the source's regions too
    assert _required(_config("translation_errors", source=True)) == {"judgement"}


def test_mqm_labels_of_one_category_have_distinct_colours() -> None:
    by_category: dict[str, list[str]] = {}
    for label, info in get_layer("translation_errors").taxonomy.labels.items():
        by_category.setdefault(label.split("/")[0], []).append(info["background"].lower())
    assert any(len(c) > 1 for c in by_category.values())
    for category, colours in by_category.items():
        assert len(colours) == len(set(colours)), f"{category}: {colours}"


def test_severity_choices_show_the_severity_colour() -> None:
    root = _config("translation_errors")
    severity = next(el for el in root.iter("Choices") if el.get("name") == "severity")
    colours = get_layer("translation_errors").taxonomy.choices["severity"].colours
    for choice in severity.iter("Choice"):
        assert colours[choice.get("value")] in (choice.get("style") or "")


def test_the_source_is_a_column_beside_the_target() -> None:
    root = _config("translation_errors", source=True)
    parents = {child: parent for parent in root.iter() for child in parent}
    texts = {el.get("name"): el for el in root.iter("Text")}
    source_col, target_col = parents[texts["source"]], parents[texts["text"]]
    assert source_col is not target_col
    row = parents[source_col]
    assert parents[target_col] is row and "display:flex" in (row.get("style") or "")
    assert list(row) == [source_col, target_col]  # source on the left
    # each column has its own labels, right above its text
    for col, labels in ((source_col, "source_label"), (target_col, "label")):
        kids = list(col)
        (labels_el,) = [k for k in kids if k.tag == "Labels"]
        assert labels_el.get("name") == labels
        assert kids.index(labels_el) == len(kids) - 2
    LabelInterface(ET.tostring(root, encoding="unicode"))  # the SDK reads it


def test_claims_questions_are_titled() -> None:
    root = _config("claims")
    headers = [h.get("value") for h in root.iter("Header")]
    for name, title in (
        ("claim_type", "Claim type"),
        ("modality", "Modality"),
        ("checkworthy", "Check-worthiness"),
    ):
        choice = get_layer("claims").taxonomy.choices[name]
        i = headers.index(title)
        assert headers[i + 1] == choice.description


def test_boilerplate_paragraphs_say_so_in_their_task() -> None:
    doc = next(iter(read_articles(ARTICLE)))
    assert doc.boilerplate == [7]  # the machine-translation notice
    for layer in layer_names():
        tasks = make_tasks([doc], layer)
        notices = {t["data"]["segment_index"]: t["data"][NOTICE_FIELD] for t in tasks}
        assert notices[7] == get_layer(layer).boilerplate_notice
        assert all(n == "" for i, n in notices.items() if i != 7)
        assert f"${NOTICE_FIELD}" in get_layer(layer).label_config()
    assert (
        get_layer("claims").boilerplate_notice != get_layer("translation_errors").boilerplate_notice
    )  # MQM judges the notice's translation too


def test_relation_labels_are_kept_off_the_text() -> None:
    root = _config("claims")
    (style,) = root.iter("Style")
    assert "line-height" in (style.text or "")
    # one relation: its label boxes are hidden (the arrows stay; exports keep the label)
    assert 'g[text-anchor="middle"] { display: none; }' in (style.text or "")
    assert [r.get("value") for r in root.iter("Relation")] == ["attributed_to"]
    assert not list(_config("entities").iter("Style"))  # no relations, no style
