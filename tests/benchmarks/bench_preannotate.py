"""Throughput of the entity predictor ``entities.rules`` against bare ``nlp.pipe`` of
fr_core_news_sm, on the same article-sized documents, in the same run.

Both run with the same ``batch_size`` and ``n_process``; they are timed alternately, and
the ratio is taken between the best rounds, which keeps other load on the machine from
deciding the result. The predictor's time includes everything it does: the rules, the
clean-ups and turning spaCy entities into our spans. The ratio (target: at least 0.8) is
printed, stored in the benchmark's ``extra_info`` and checked.

Run (not part of the test suite):

    .venv/bin/python -m pytest tests/benchmarks/bench_preannotate.py --benchmark-enable -s

Environment:

- ``ANNOTATE_BENCH_DOCS`` — documents (default 60, about a minute on 2 cores; the
  acceptance figure uses 2000);
- ``ANNOTATE_BENCH_PROCESSES`` — ``n_process`` for both (default 1);
- ``ANNOTATE_BENCH_ROUNDS`` — alternate timed rounds (default 3);
- ``ANNOTATE_BENCH_MIN_RATIO`` — the ratio checked (default 0.8; 0 to only report).

The documents are built from the bundled article's sentences and the invented sentences of
``tests/preannotate/data/`` (shuffled with a fixed seed), each about the article's length.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotate.corpus import make_document, read_articles
from annotate.model import Document
from annotate.preannotate import PredictorOptions, get_predictor

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "preannotate" / "data"
N = int(os.environ.get("ANNOTATE_BENCH_DOCS", "60"))
N_PROCESS = int(os.environ.get("ANNOTATE_BENCH_PROCESSES", "1"))
ROUNDS = int(os.environ.get("ANNOTATE_BENCH_ROUNDS", "3"))
MIN_RATIO = float(os.environ.get("ANNOTATE_BENCH_MIN_RATIO", "0.8"))
BATCH_SIZE = 64


def article_sized_documents(n: int, seed: int = 0) -> list[Document]:
    """``n`` documents of paragraphs of three sentences, each about the article's length."""
    article = next(iter(read_articles(ROOT / "data" / "articles" / "stargate-fr.txt")))
    pool = [article.text[s.start : s.end] for s in article.sentences]
    for path in sorted(DATA.glob("heldout_*.json")):
        pool += [d["text"] for d in json.loads(path.read_text("utf-8"))["documents"]]
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        paragraphs: list[str] = []
        while sum(len(p) for p in paragraphs) < len(article.text):
            paragraphs.append(" ".join(rng.sample(pool, 3)))
        docs.append(make_document("\n".join(paragraphs), lang="fr"))
    return docs


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return article_sized_documents(N)


def test_entity_rules_throughput_against_bare_nlp_pipe(
    benchmark: Any, documents: list[Document]
) -> None:
    import spacy

    bare = spacy.load("fr_core_news_sm")
    predictor = get_predictor(
        "entities.rules", PredictorOptions(batch_size=BATCH_SIZE, n_process=N_PROCESS)
    )
    texts = [d.text for d in documents]

    def run_bare() -> None:
        for _ in bare.pipe(texts, batch_size=BATCH_SIZE, n_process=N_PROCESS):
            pass

    def run_ours() -> None:
        for _ in predictor.predict(documents):
            pass

    # warm up both (model loading, caches) outside the timings
    list(bare.pipe(texts[:4]))
    list(predictor.predict(documents[:4]))
    bare_times, our_times = [], []
    for _ in range(ROUNDS):
        bare_times.append(_timed(run_bare))
        our_times.append(_timed(run_ours))
    ratio = min(bare_times) / min(our_times)
    benchmark.extra_info.update(
        {
            "documents": len(documents),
            "n_process": N_PROCESS,
            "batch_size": BATCH_SIZE,
            "bare_docs_per_second": round(len(documents) / min(bare_times), 2),
            "ours_docs_per_second": round(len(documents) / min(our_times), 2),
            "ratio_vs_bare_nlp_pipe": round(ratio, 3),
        }
    )
    # the pytest-benchmark timing of ours, for its own table (one round: it is long)
    benchmark.pedantic(run_ours, rounds=1, iterations=1, warmup_rounds=0)
    print(
        f"\nentities.rules vs bare nlp.pipe on {len(documents)} article-sized documents "
        f"(n_process={N_PROCESS}, batch_size={BATCH_SIZE}, best of {ROUNDS}): "
        f"bare {len(documents) / min(bare_times):.1f} docs/s, "
        f"ours {len(documents) / min(our_times):.1f} docs/s, ratio {ratio:.2f}x"
    )
    assert ratio >= MIN_RATIO, f"throughput ratio {ratio:.2f}x is under {MIN_RATIO}x"
