"""`evaluate --annotator A` scores A against a gold made without A (issue 14).

Seen before: the gold was chosen from every rater, A included, so A's tasks nobody else
annotated were their own gold and A scored perfectly against their own work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.errors import ConfigError
from annotate.evaluate import evaluate_against_gold
from annotate.pipeline import gold_set


def _as_rater(path: Path, user: int) -> Path:
    """The export at ``path`` as made by Label Studio user ``user`` (other annotation ids)."""
    tasks = json.loads(path.read_text(encoding="utf-8"))
    for task in tasks:
        for ann in task["annotations"]:
            ann["id"] += 1000 * user
            ann["completed_by"] = {"id": user}
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_annotator_alone_has_no_gold_to_be_scored_against(exports, paths):
    # A (user 1) alone: before, A scored F1 1.0 against the gold that was A's own work
    gold = gold_set(articles=paths.articles, exports=exports[:1])
    with pytest.raises(ConfigError, match="no gold without '1'"):
        evaluate_against_gold(gold, annotator="1")


def test_an_annotator_is_scored_against_the_others_only(
    exports, layers, make_exports, document, paths
):
    # B (user 2) annotates the first two content paragraphs of the entities, without the
    # first entity there. A's tasks B did not do have no gold without A: not scored. On
    # the two shared paragraphs (gold = B's version) A made every one of B's spans and
    # one more → tp = len(B), fp = 1, fn = 0. Before, A's other paragraphs were scored
    # against themselves (tp = every A span but the one, and a gold of A's size).
    theirs = layers.copy()
    shared = [document.paragraphs[i] for i in theirs.paragraphs["entities"][:2]]
    theirs.paragraphs["entities"] = [p.index for p in shared]
    in_shared = [s for s in theirs.entities if any(p.start <= s.start < p.end for p in shared)]
    theirs.entities.remove(in_shared[0])
    [b_export, *_] = make_exports("rater-b", theirs)
    b_spans = len(in_shared) - 1
    gold = gold_set(articles=paths.articles, exports=[exports[0], _as_rater(b_export, 2)])
    result = evaluate_against_gold(gold, annotator="1")["1"]["entities"]
    overall = result.spans["exact"].overall
    assert (overall.tp, overall.fp, overall.fn) == (b_spans, 1, 0)
    assert result.gold_spans == b_spans
    # B against a gold without B: A's version of the shared paragraphs → fn = 1
    counts = evaluate_against_gold(gold, annotator="2")["2"]["entities"].spans["exact"].overall
    assert (counts.tp, counts.fp, counts.fn) == (b_spans, 0, 1)
