"""annotate.push, the library's push of documents already read, is the streamed push of
`annotate push` (push_stream.push_documents), against a real Label Studio: what
read_articles yields (an iterator) is pushed into every layer, predictions included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import annotate
from annotate.corpus import read_articles
from annotate.labelstudio import client as ls
from annotate.model import Prediction, Span, task_key

pytestmark = pytest.mark.integration

TEXTS = {"a": "Marie Curie vit à Paris.", "b": "Le ministre a déclaré que tout allait bien."}


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def test_an_iterator_of_articles_fills_every_layer_and_a_rerun_adds_nothing(
    ls_server: dict[str, str], ls_client: Any, ls_run_id: str, tmp_path: Path
) -> None:
    folder = _corpus(tmp_path)
    documents = list(read_articles(folder, lang="fr"))
    first = documents[0]
    start = first.text.index("Marie Curie")
    marie = Span("m1", start, start + len("Marie Curie"), "Marie Curie", "PER", 0.9)
    prediction = Prediction(first.id, "entities", "test@1", [marie])
    options = {
        "layers": ["entities", "claims"],
        "unit": "document",
        "prefix": f"library-{ls_run_id}",
        "url": ls_server["url"],
        "api_key": ls_server["api_key"],
    }
    pushed = annotate.push(read_articles(folder, lang="fr"), predictions=[prediction], **options)

    assert [(r.layer, r.tasks_created, r.documents) for r in pushed] == [
        ("entities", 2, 2),
        ("claims", 2, 2),
    ]
    for result in pushed:
        keys = ls.existing_task_keys(ls_client, result.project_id)
        wanted = {
            task_key(d.id, result.layer, s.start, s.end)
            for d in documents
            for s in d.segments("document")
        }
        assert set(keys) == wanted
    entities = pushed[0].project_id
    tasks = list(ls_client.tasks.list(project=entities, fields="all"))
    with_predictions = [t for t in tasks if t.predictions]
    assert [t.data["doc_id"] for t in with_predictions] == [first.id]

    again = annotate.push(documents, predictions=[prediction], **options)
    assert [(r.tasks_created, r.tasks_skipped) for r in again] == [(0, 2), (0, 2)]
