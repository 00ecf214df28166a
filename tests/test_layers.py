from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from label_studio_sdk.label_interface import LabelInterface

from annotate.corpus import make_document
from annotate.errors import ConfigError
from annotate.labelstudio.tasks import make_tasks
from annotate.layers import get_layer, layer_names
from annotate.model import Relation, Span
from annotate.schemas import taxonomy


@pytest.mark.parametrize("layer", layer_names())
def test_label_config_is_parsed_by_the_sdk_and_has_the_whole_taxonomy(layer: str) -> None:
    config = get_layer(layer).label_config()
    li = LabelInterface(config)
    tax = taxonomy(layer)
    labels = li.get_control("label")
    assert sorted(labels.labels) == sorted(tax.labels)
    names = {c.name for c in li.controls}
    assert {c for c in tax.choices} <= names
    assert set(tax.text_fields) <= names
    for choice in tax.choices.values():
        assert sorted(li.get_control(choice.name).labels) == sorted(choice.values)
    assert li.get_object("text").value == "$text"


def test_claims_config_has_relations_and_region_choices() -> None:
    config = get_layer("claims").label_config()
    assert '<Relation value="attributed_to"' in config
    assert 'whenLabelValue="CLAIM"' in config
    assert 'perRegion="true"' in config


def test_translation_errors_config_has_segment_judgement_and_correction() -> None:
    li = LabelInterface(get_layer("translation_errors").label_config())
    assert li.get_control("judgement").labels == ["errors", "no-error"]
    assert "correction" in {c.name for c in li.controls}


def test_special_characters_are_escaped(monkeypatch) -> None:
    config = get_layer("claims").label_config(title='Claims <&> "quoted"')
    assert "Claims &lt;&amp;&gt; &quot;quoted&quot;" in config
    LabelInterface(config)


def test_unknown_layer_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known layers: entities, claims, translation_errors"):
        get_layer("entity")


def _roundtrip(layer, spans, relations, text, judgement=None):
    lay = get_layer(layer)
    result = lay.to_ls_result(
        spans, relations, judgement=judgement, segment_start=0, segment_text=text
    )
    return lay.from_ls_result(result, segment_start=0, segment_text=text)


def test_claims_roundtrip_keeps_choices_and_relations() -> None:
    text = "Selon Le Monde, le projet coûterait 3 milliards."
    claim = Span(
        "c1",
        16,
        47,
        text[16:47],
        "CLAIM",
        attrs={"claim_type": "quantity", "modality": "hedged", "checkworthy": "yes"},
    )
    source = Span("s1", 6, 14, "Le Monde", "SOURCE")
    conv = _roundtrip("claims", [claim, source], [Relation("c1", "s1", "attributed_to")], text)
    assert [s.to_dict() for s in conv.spans] == [claim.to_dict(), source.to_dict()]
    assert conv.relations == [Relation("c1", "s1", "attributed_to")]
    assert conv.issues == []


def test_mqm_roundtrip_keeps_severity_correction_and_judgement() -> None:
    text = "Il coûte 3 $. milliards."
    err = Span(
        "e1",
        9,
        23,
        "3 $. milliards",
        "locale/currency-format",
        attrs={"severity": "major", "correction": "3 milliards de dollars", "comment": "garbled"},
    )
    conv = _roundtrip("translation_errors", [err], [], text, judgement="errors")
    assert [s.to_dict() for s in conv.spans] == [err.to_dict()]
    assert conv.judgement == "errors"


def test_stale_value_text_is_recomputed_and_flagged() -> None:
    lay = get_layer("entities")
    result = [
        {
            "id": "a",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 0, "end": 6, "text": "OpenAl", "labels": ["ORG"]},
        }
    ]
    conv = lay.from_ls_result(result, segment_start=100, segment_text="OpenAI a répondu.")
    (span,) = conv.spans
    assert (span.start, span.end, span.text) == (100, 106, "OpenAI")
    (issue,) = conv.issues
    assert issue.code == "stale-text" and issue.json_path == "$.result[0].value.text"


_TEXT = st.lists(
    st.sampled_from([*"abcdé’ «».\n", "😀", "𝔘", "e\u0301", "\r\n", "M. ", ". A"]),
    min_size=1,
    max_size=60,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 20)), max_size=6))
def test_task_offsets_map_back_to_the_document_text(text: str, cuts) -> None:
    """Any span placed on a task maps back, through segment_start, to the same document text."""
    if not text.strip():
        return
    doc = make_document(text, lang="fr")
    lay = get_layer("entities")
    for unit in ("paragraph", "sentence", "document"):
        for task in make_tasks([doc], "entities", unit=unit):
            data = task["data"]
            seg_text, seg_start = data["text"], data["segment_start"]
            assert doc.text[seg_start : data["segment_end"]] == seg_text
            result = []
            for i, (a, n) in enumerate(cuts):
                if not seg_text:
                    break
                start = a % len(seg_text)
                end = min(len(seg_text), start + n)
                result.append(
                    {
                        "id": f"r{i}",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": start,
                            "end": end,
                            "text": seg_text[start:end],
                            "labels": ["ORG"],
                        },
                    }
                )
            conv = lay.from_ls_result(result, segment_start=seg_start, segment_text=seg_text)
            for span in conv.spans:
                assert doc.text[span.start : span.end] == span.text


def test_translation_errors_config_shows_the_source_with_its_own_labels() -> None:
    """Issue 12: annotators see the source beside the target, so they can mark omissions
    there; the default config (documents without a source) is unchanged."""
    lay = get_layer("translation_errors")
    assert "$source_text" not in lay.label_config()
    li = LabelInterface(lay.label_config(source=True))
    assert li.get_object("source").value == "$source_text"
    assert li.get_object("text").value == "$text"
    source_labels = li.get_control("source_label")
    assert sorted(source_labels.labels) == sorted(taxonomy("translation_errors").labels)
    assert source_labels.to_name == ["source"]
    for name in ("severity", "correction", "comment"):
        assert li.get_control(f"source_{name}").to_name == ["source"]
        assert li.get_control(name).to_name == ["text"]


def test_a_source_side_error_roundtrips_through_label_studio_results() -> None:
    target, source = "Le chat dort.", "The black cat sleeps."
    omission = Span(
        "o1", 4, 9, "black", "accuracy/omission", attrs={"severity": "minor", "side": "source"}
    )
    wrong = Span("t1", 8, 12, "dort", "accuracy/mistranslation", attrs={"severity": "major"})
    lay = get_layer("translation_errors")
    result = lay.to_ls_result(
        [omission, wrong], [], segment_start=0, segment_text=target, source_text=source
    )
    on_source = [r for r in result if r["to_name"] == "source"]
    assert {r["from_name"] for r in on_source} == {"source_label", "source_severity"}
    assert on_source[0]["value"]["text"] == "black"
    conv = lay.from_ls_result(result, segment_start=0, segment_text=target, source_text=source)
    assert conv.issues == []
    assert [s.to_dict() for s in conv.spans] == [omission.to_dict(), wrong.to_dict()]
    # without the source text a source region is reported, not read against the target
    bad = lay.from_ls_result(result, segment_start=0, segment_text=target)
    assert [i.code for i in bad.issues][:1] == ["no-source"]


def test_tasks_carry_the_source_text_for_translation_errors_only() -> None:
    doc = make_document("Le chat dort.", lang="fr", source_text="The cat sleeps.")
    (task,) = make_tasks([doc], "translation_errors", unit="document")
    assert task["data"]["source_text"] == "The cat sleeps."
    (entity_task,) = make_tasks([doc], "entities", unit="document")
    assert "source_text" not in entity_task["data"]


def test_the_alone_in_segment_rule_comes_from_the_schema_and_1_0_0_keeps_it(tmp_path):
    import json

    from annotate.schemas import SchemaSet
    from annotate.validation.semantic import SemanticChecker
    from tests.conftest import ROOT

    layer = "translation_errors"
    package = SchemaSet.package()
    assert package.taxonomy(layer).alone_in_segment == ("non-translation",)
    assert SemanticChecker(layer, schemas=package).exclusive == {"non-translation"}
    # 1.0.0's copy does not declare it; the layer keeps the rule it had then
    old = SchemaSet.from_directory(ROOT / "releases/stargate-fr-annotations/1.0.0/schema")
    assert old.taxonomy(layer).alone_in_segment == ()
    assert SemanticChecker(layer, schemas=old).exclusive == {"non-translation"}
    # a schema of today that drops the rule drops it from validation
    edited = dict(package.files)
    schema = json.loads(edited[f"{layer}.schema.json"])
    del schema["x-annotate"]["alone_in_segment"]
    edited[f"{layer}.schema.json"] = json.dumps(schema)
    assert SemanticChecker(layer, schemas=SchemaSet(edited, origin="edited")).exclusive == set()
