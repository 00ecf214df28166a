"""The whole pipeline on the bundled article, against the local Label Studio.

Run by `make demo` after `scripts/label-studio.sh start`:
  ingest → pre-annotate → push (one project per layer) → annotators (the bundled reference
  worksheets, submitted through the API as three users; the pre-annotations if there are
  none) → pull (exports API) → validate → build a release into .demo/ → load it back with
  `datasets` and print a summary.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import datasets
from rich.console import Console
from rich.table import Table
from standins.workflow import AnnotatorPass, submit_passes, submit_predictions

from annotate.corpus import read_articles
from annotate.errors import AnnotateError
from annotate.labelstudio.sync import pull, push
from annotate.layers import layer_names
from annotate.pipeline import gold_set
from annotate.preannotate.run import DEFAULT_PREDICTORS, run_predictors
from annotate.project import slug
from annotate.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".demo"
REFERENCE = ROOT / "data" / "reference"
PASSES = [
    AnnotatorPass(REFERENCE / "pass-a.json", "annotator-a@annotate.local"),
    AnnotatorPass(REFERENCE / "pass-b.json", "annotator-b@annotate.local"),
    AnnotatorPass(REFERENCE / "gold.json", "adjudicator@annotate.local", ground_truth=True),
]
console = Console(soft_wrap=True)


def step(text: str) -> None:
    console.print(f"[bold cyan]▶[/] {text}")


def main() -> int:
    os.chdir(ROOT)
    datasets.disable_progress_bars()
    prefix = os.environ.get("ANNOTATE_DEMO_PREFIX", "annotate-demo")
    layers = layer_names()
    docs = list(read_articles(ROOT / "data" / "articles"))
    step(f"ingested {len(docs)} article(s): {', '.join(d.source_path or d.id[:12] for d in docs)}")

    predictions = run_predictors(DEFAULT_PREDICTORS, docs)
    step(
        f"pre-annotated with {', '.join(DEFAULT_PREDICTORS)}: {sum(len(p.spans) for p in predictions)} spans"
    )

    for r in push(docs, layers=layers, predictions=predictions, prefix=prefix, progress=None):
        state = "created" if r.created_project else "updated"
        step(
            f"project {r.project_title!r} (id {r.project_id}) {state}: {r.tasks_created} tasks imported, {r.tasks_skipped} already there"
        )

    passes = [p for p in PASSES if p.worksheet.exists()]
    if passes:
        results = submit_passes(docs, passes, prefix=prefix)
        step("annotators (bundled reference worksheets, submitted through the API):")
    else:
        results = submit_predictions(docs, predictions, prefix=prefix)
        step("no reference worksheets: submitting the PRE-ANNOTATIONS as annotations (stand-in)")
    for s in results:
        console.print(
            f"    {s.layer:<20} {s.annotator:<30} submitted {s.submitted}, already there {s.skipped}"
        )

    labels = SCRATCH / "labels"
    pins = labels / f"{slug(prefix)}.pins.json"  # where pull pins what it pulled
    pulled = pull(layers=layers, labels_dir=labels, prefix=prefix, pins_path=pins)
    for r in pulled:
        step(f"pulled {r.layer}: {r.tasks} tasks → {r.path.relative_to(ROOT)}")

    releases = SCRATCH / "releases"
    shutil.rmtree(releases, ignore_errors=True)
    result = build_release(
        gold_set(articles=ROOT / "data" / "articles", pins=pins),
        out=releases,
        dataset="stargate-fr-annotations",
        version="0.0.0-demo",
        card_template=ROOT / "dataset_card.md",
        project_root=ROOT,
    )
    c = result.report.counts()
    step(
        f"validated {c['received']} annotation records: {c['valid']} valid, {c['quarantined']} quarantined, skipped {c['skipped']}"
    )
    step(f"built {result.path.relative_to(ROOT)}")

    table = Table("config", "rows", "columns", title="datasets.load_dataset(…) of the release")
    for config in result.counts:
        ds = datasets.load_dataset(str(result.path), config, split="train")
        table.add_row(config, str(ds.num_rows), ", ".join(ds.column_names))
    console.print(table)
    url = os.environ.get("LABEL_STUDIO_URL") or _env_url()
    console.print(
        f"Label Studio: [link]{url}[/link] (projects '{prefix} · …'; log in with .labelstudio/credentials)"
    )
    return 0


def _env_url() -> str:
    env = ROOT / ".env"
    for line in env.read_text().splitlines() if env.exists() else []:
        if line.startswith("LABEL_STUDIO_URL="):
            return line.split("=", 1)[1]
    return "?"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AnnotateError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        sys.exit(1)
