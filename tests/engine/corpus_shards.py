"""A synthetic corpus written as JSON Lines shards, plain and gzipped (for the engine tests)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.synthetic import synthetic_documents


def write_corpus_shards(folder: Path, n: int, *, per_shard: int = 50, paragraphs: int = 1) -> Path:
    """``n`` small synthetic documents as ``part-000.jsonl``, ``part-001.jsonl.gz``, …
    (every other shard gzipped); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = synthetic_documents(n, paragraphs=paragraphs)
    for k in range(0, n, per_shard):
        lines = "".join(
            json.dumps({"text": d.text, "lang": "fr"}, ensure_ascii=False) + "\n"
            for d in docs[k : k + per_shard]
        ).encode("utf-8")
        shard = k // per_shard
        if shard % 2:
            (folder / f"part-{shard:03d}.jsonl.gz").write_bytes(gzip.compress(lines, mtime=0))
        else:
            (folder / f"part-{shard:03d}.jsonl").write_bytes(lines)
    return folder
