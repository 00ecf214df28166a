"""How predictions run: the prediction cache, several jobs, texts longer than spaCy accepts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import annotate.preannotate as preannotate
from annotate.corpus import make_document
from annotate.model import Document
from annotate.preannotate import PredictorOptions, run_predictors
from annotate.preannotate.cache import PredictionCache
from annotate.preannotate.chunks import chunk_ranges
from annotate.preannotate.entities import EntityRulesPredictor, shared_rules_nlp

from .helpers import load_json

NAMES = ["entities.rules", "claims.cues", "translation_errors.checks"]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    names = [d["text"] for d in load_json("heldout_entities.json")["documents"][:4]]
    errors = [d["text"] for d in load_json("heldout_translation_errors.json")["documents"][:4]]
    return [make_document(f"{a}\n{b}", lang="fr") for a, b in zip(names, errors, strict=True)]


def _as_data(predictions: list[Any]) -> list[Any]:
    return [
        (
            p.doc_id,
            p.layer,
            p.model_version,
            [s.to_dict() for s in p.spans],
            [r.to_dict() for r in p.relations],
        )
        for p in predictions
    ]


def test_a_rerun_reads_the_cache_instead_of_predicting(
    documents: list[Document], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PredictionCache(tmp_path / "cache")
    first = run_predictors(NAMES, documents, jobs=1, cache=cache)
    assert first

    def refuse(*_args: Any, **_kwargs: Any) -> Iterator[Any]:
        raise AssertionError("the pipeline ran although every prediction was cached")

    monkeypatch.setattr(preannotate, "pipe_documents", refuse)
    again = run_predictors(NAMES, documents, jobs=1, cache=PredictionCache(tmp_path / "cache"))
    assert _as_data(again) == _as_data(first)


def test_a_new_predictor_version_recomputes(
    documents: list[Document], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PredictionCache(tmp_path / "cache")
    run_predictors(["entities.rules"], documents[:2], jobs=1, cache=cache)
    calls = []
    real = preannotate.pipe_documents

    def counting(nlp: Any, docs: Any, options: PredictorOptions) -> Iterator[Any]:
        for item in real(nlp, docs, options):
            calls.append(item[1].id)
            yield item

    monkeypatch.setattr(preannotate, "pipe_documents", counting)
    monkeypatch.setattr(EntityRulesPredictor, "release", "1.0-test")
    # one cached document, one new one: only what is missing is computed
    again = run_predictors(["entities.rules"], documents[1:3], jobs=1, cache=cache)
    assert calls == [documents[1].id, documents[2].id]
    assert {p.model_version.split(" ")[0] for p in again} == {"entities.rules@1.0-test"}
    calls.clear()
    run_predictors(["entities.rules"], documents[1:3], jobs=1, cache=cache)
    assert calls == []


def test_two_jobs_give_the_same_predictions_as_one(
    documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preannotate, "PARALLEL_FROM_CHARS", 0)  # a pool even for 4 documents
    one = run_predictors(NAMES, documents, jobs=1)
    two = run_predictors(NAMES, documents, jobs=2)
    assert len(one) == len(NAMES) * len(documents)
    assert _as_data(two) == _as_data(one)


def test_a_paragraph_longer_than_max_length_is_chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = [d["text"] for d in load_json("heldout_entities.json")["documents"][:6]]
    paragraph = " ".join(sentences * 4)  # one paragraph, no line break
    document = make_document(paragraph, lang="fr")
    assert len(document.paragraphs) == 1
    nlp = shared_rules_nlp(PredictorOptions())
    monkeypatch.setattr(nlp, "max_length", len(paragraph) // 5)  # spaCy's E088 before
    (prediction,) = run_predictors(["entities.rules"], [document], jobs=1)
    assert prediction.spans
    for span in prediction.spans:
        assert document.text[span.start : span.end] == span.text
    # entities are found all along the text, in the last fifth too
    assert max(s.start for s in prediction.spans) > len(paragraph) * 4 // 5


def test_chunks_prefer_paragraph_then_sentence_ends() -> None:
    text = "Un deux trois. Quatre cinq six.\nSept huit neuf dix onze douze."
    document = make_document(text, lang="fr")
    assert chunk_ranges(document, len(text)) == [(0, len(text))]
    pieces = chunk_ranges(document, 40)
    assert pieces[0] == (0, text.index("Sept"))  # after the paragraph's line break
    assert "".join(text[a:b] for a, b in pieces) == text
    assert all(b - a <= 40 for a, b in pieces)
    one_sentence = make_document("mot " * 30, lang="fr")
    cut = chunk_ranges(one_sentence, 25)
    assert all(one_sentence.text[b - 1] == " " for _a, b in cut[:-1])  # after a space
    no_space = make_document("x" * 70, lang="fr")
    assert chunk_ranges(no_space, 30) == [(0, 30), (30, 60), (60, 70)]


def test_tasks_command_fills_and_reuses_the_cache(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from annotate.cli import app
    from tests.conftest import ARTICLE

    runner = CliRunner()
    cache_dir = tmp_path / "cache"
    outputs = []
    for extra in (["--jobs", "2"], ["--jobs", "1"], ["--no-cache"]):
        out = tmp_path / f"tasks{len(outputs)}.json"
        args = ["tasks", str(ARTICLE), "--predictors", "entities.rules", "--out", str(out)]
        result = runner.invoke(app, [*args, "--cache-dir", str(cache_dir), *extra])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
        if extra == ["--jobs", "2"]:  # one document, one predictor: one entry
            with sqlite3.connect(cache_dir / "predictions.sqlite3") as db:
                assert db.execute("SELECT count(*) FROM predictions").fetchone() == (1,)
    assert outputs[0] == outputs[1] == outputs[2]
    assert '"predictions"' in outputs[0]
    bad = runner.invoke(
        app, ["tasks", str(ARTICLE), "--predictors", "entities.rules", "--jobs", "0"]
    )
    assert bad.exit_code == 2
