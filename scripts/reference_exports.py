"""Produce the committed raw exports of the reference annotations (data/labels/).

Pushes the bundled article to the local Label Studio (projects "stargate-fr · …"), submits
the two independent passes and the adjudicated gold (marked ground truth) as three users
through the API, pulls the projects through the exports API into data/labels/, and pins
them in data/labels/pins.json. The exports therefore have exactly the shape the server
writes. Safe to rerun: tasks and annotations already on the server are not added again.

Usage: scripts/label-studio.sh start && .venv/bin/python scripts/reference_exports.py
Then:  .venv/bin/annotate build --dataset stargate-fr-annotations --version 1.0.0
"""

from __future__ import annotations

import sys
from pathlib import Path

from standins.workflow import AnnotatorPass, submit_passes

from annotate.corpus import read_articles
from annotate.labelstudio.sync import pull, push
from annotate.layers import layer_names

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
PREFIX = "stargate-fr"
PASSES = [
    AnnotatorPass(REFERENCE / "pass-a.json", "annotator-a@annotate.local"),
    AnnotatorPass(REFERENCE / "pass-b.json", "annotator-b@annotate.local"),
    AnnotatorPass(REFERENCE / "gold.json", "adjudicator@annotate.local", ground_truth=True),
]


def main() -> int:
    docs = list(read_articles(ROOT / "data" / "articles"))
    for r in push(
        docs, layers=layer_names(), prefix=PREFIX, guidelines=ROOT / "docs" / "guidelines.md"
    ):
        print(
            f"{r.project_title}: {r.tasks_created} tasks imported, {r.tasks_skipped} already there"
        )
    for s in submit_passes(docs, PASSES, prefix=PREFIX):
        print(
            f"{s.layer:<20} {s.annotator:<28} user {s.user_id}: submitted {s.submitted}, already there {s.skipped}"
        )
    for p in pull(layers=layer_names(), labels_dir=ROOT / "data" / "labels", prefix=PREFIX):
        print(
            f"{p.layer}: {p.tasks} tasks → {p.path.relative_to(ROOT)} ({'new' if p.new_file else 'unchanged'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
