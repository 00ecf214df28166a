"""The card's count of person mentions and distinct names, by Arrow on the rows with a
person label, equals the count of every (label, name) group it replaced."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from annotate.layers import get_layer
from annotate.release.card_hub import _person_mentions
from annotate.release.data import _count
from annotate.release.tables import to_table


def _rows() -> list[dict[str, Any]]:
    names = ["Sam Altman", "Elon Musk", "Sam Altman", None, "OpenAI", "Sam Altman", None, ""]
    labels = ["PER", "PER", "PER", "PER", "ORG", "ORG", None, "PER"]
    return [
        {"doc_id": "d", "segment_start": 0, "segment_end": 100, "span_id": f"s{i}",
         "start": i, "end": i + 1, "span_text": text, "label": label, "kb_id": None}
        for i, (text, label) in enumerate(zip(names, labels, strict=True))
    ]  # fmt: skip


class _Data:
    """The three things _person_mentions reads of a ReleaseData, over one table."""

    def __init__(self, layer: Any) -> None:
        self._features = layer.features()
        self._table = to_table(_rows(), self._features)

    def table(self, config: str) -> Any:
        return self._table

    def features(self, config: str) -> Any:
        return self._features

    def count(self, config: str, *columns: str) -> Counter[Any]:
        return _count(self._table, list(columns))


def _as_before(data: _Data, person_labels: tuple[str, ...]) -> tuple[int, int]:
    names = data.count("entities", "label", "span_text")
    mine = {text: n for (label, text), n in names.items() if label in person_labels}
    return sum(mine.values()), len(mine)


@pytest.mark.parametrize("person_labels", [("PER",), ("PER", "ORG"), ("MISC",)])
def test_person_mentions_are_counted_as_before(person_labels):
    entities = get_layer("entities")
    data = _Data(entities)
    layer = SimpleNamespace(name="entities", person_labels=person_labels)
    assert _person_mentions(data, layer) == _as_before(data, person_labels)  # type: ignore[arg-type]
    if person_labels == ("PER",):
        assert _person_mentions(data, layer) == (5, 4)  # type: ignore[arg-type]
