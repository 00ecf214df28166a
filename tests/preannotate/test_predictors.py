"""The predictor registry, the batched runner and what predictions become (records, tasks)."""

from __future__ import annotations

import pytest

from annotate.corpus import make_document
from annotate.errors import ConfigError
from annotate.labelstudio.tasks import make_tasks
from annotate.layers import get_layer
from annotate.model import Document
from annotate.preannotate import (
    PredictorOptions,
    PredictProgress,
    as_annotation,
    get_predictor,
    iter_predictions,
    predictor_names,
    run_predictors,
)
from annotate.validate import check_record

from .helpers import DATA, load_json

BUILTIN = ["claims.cues", "entities.rules", "entities.spacy", "translation_errors.checks"]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    """Three two-paragraph documents: entity-rich sentences, then MT-like errors."""
    names = [d["text"] for d in load_json("heldout_entities.json")["documents"][:3]]
    errors = [d["text"] for d in load_json("heldout_translation_errors.json")["documents"][:3]]
    return [make_document(f"{a}\n{b}", lang="fr") for a, b in zip(names, errors, strict=True)]


def test_the_builtin_predictors_are_registered() -> None:
    assert predictor_names() == BUILTIN
    for name in BUILTIN:
        predictor = get_predictor(name)
        assert predictor.name == name
        assert predictor.layer == name.split(".")[0]
        assert predictor.version.startswith(f"{name}@1.0 (fr_core_news_sm-3.8.0")


def test_an_unknown_predictor_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        get_predictor("entities.bert")
    assert all(name in str(info.value) for name in BUILTIN)
    with pytest.raises(ConfigError):
        run_predictors(["entities.rules", "nope"], [])


def test_one_prediction_per_document_and_predictor_with_progress(
    documents: list[Document],
) -> None:
    events: list[PredictProgress] = []
    names = ["entities.rules", "claims.cues", "entities.spacy"]
    preds = run_predictors(names, documents, progress=events.append)
    assert sorted((p.doc_id, p.model_version.split("@")[0]) for p in preds) == sorted(
        (d.id, n) for d in documents for n in names
    )
    # entities.rules and claims.cues share one pipeline: one pass each for two pipelines
    assert [(e.done, e.total) for e in events] == [(i, 3) for i in (1, 2, 3)] * 2
    assert {e.predictors for e in events} == {
        ("entities.rules", "claims.cues"),
        ("entities.spacy",),
    }
    assert str(events[0]) == "entities.rules, claims.cues: 1/3 documents"


def test_iter_predictions_streams(documents: list[Document]) -> None:
    stream = iter_predictions(["entities.spacy"], documents)
    first = next(stream)
    assert first.doc_id == documents[0].id
    assert len(list(stream)) == len(documents) - 1


@pytest.mark.slow
def test_several_processes_give_the_same_predictions(documents: list[Document]) -> None:
    names = ["entities.rules", "translation_errors.checks"]
    one = run_predictors(names, documents, options=PredictorOptions(batch_size=1, n_process=1))
    two = run_predictors(names, documents, options=PredictorOptions(batch_size=1, n_process=2))
    assert [[s.to_dict() for s in p.spans] for p in one] == [
        [s.to_dict() for s in p.spans] for p in two
    ]


def test_predictions_are_valid_records(documents: list[Document]) -> None:
    by_id = {d.id: d for d in documents}
    for pred in run_predictors(BUILTIN, documents):
        record = as_annotation(pred, by_id[pred.doc_id]).to_record()
        assert record["origin"] == "prediction"
        assert record["model_version"] == pred.model_version
        issues = check_record(record, document=by_id[pred.doc_id])
        assert [i for i in issues if i.severity == "error"] == []


def test_as_annotation_refuses_another_document(documents: list[Document]) -> None:
    (pred,) = run_predictors(["entities.spacy"], documents[:1])
    with pytest.raises(ConfigError):
        as_annotation(pred, documents[1])


@pytest.mark.parametrize("layer", ["entities", "claims", "translation_errors"])
def test_predictions_become_label_studio_predictions(documents: list[Document], layer: str) -> None:
    name = {"entities": "entities.rules", "claims": "claims.cues"}.get(
        layer, "translation_errors.checks"
    )
    preds = run_predictors([name], documents)
    tasks = make_tasks(documents, layer, predictions=preds)
    with_predictions = [t for t in tasks if t.get("predictions")]
    assert with_predictions
    lay = get_layer(layer)
    for task in with_predictions:
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == get_predictor(name).version
        data = task["data"]
        back = lay.from_ls_result(
            prediction["result"], segment_start=data["segment_start"], segment_text=data["text"]
        )
        assert not back.issues
        expected = {
            (s.start, s.end, s.label)
            for p in preds
            for s in p.spans
            if p.doc_id == data["doc_id"]
            and data["segment_start"] <= s.start
            and s.end <= data["segment_end"]
        }
        assert {(s.start, s.end, s.label) for s in back.spans} == expected


def test_fixture_files_are_beside_the_tests() -> None:
    names = {p.name for p in DATA.glob("*.json")}
    assert "stargate_entities_fixture.json" in names
