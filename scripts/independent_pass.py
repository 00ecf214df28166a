"""The flow of the next release of the bundled article (issue 14, "Use it on our own
dataset"): two independent passes, agreement, review in Label Studio, adjudication.

Pass A (``data/reference/pass-a.json``) and the independent pass C
(``data/reference/pass-c.json``) are submitted through the API as two users to the
projects of a new prefix (``stargate-fr-v3``, two annotators per task), pulled into
``data/labels/`` (new files only: exports under ``stargate-fr-v3-*/``, pinned in
``data/labels/stargate-fr-v3.pins.json``; nothing there is modified), measured, and put up
for adjudication in review projects (``stargate-fr-v3 · <layer> · review``). The
adjudicator's worksheet (``data/reference/adjudication-v3.json``: the worksheet format of
the passes, the adjudicated version of every paragraph the review lists) is then
submitted to the review projects (their tasks only) and pulled: the gold, with per-span
provenance in the release. Every step is safe to rerun.

Usage (a local server: scripts/label-studio.sh start):
  .venv/bin/python scripts/independent_pass.py annotate     # push, passes A and C, pull,
                                                            # agreement, review projects
  .venv/bin/python scripts/independent_pass.py list         # the disagreements, to adjudicate
  .venv/bin/python scripts/independent_pass.py adjudicate   # submit adjudication-v3.json,
                                                            # pull the review projects
Then: .venv/bin/annotate release --pins data/labels/stargate-fr-v3.pins.json --notes NOTES
Options: --second FILE (instead of pass C), --adjudication FILE, --prefix P, --labels DIR.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from standins.workflow import AnnotatorPass, submit_passes

from annotate.agreement import agreement_report
from annotate.corpus import read_articles
from annotate.labelstudio.review import disagreements, review
from annotate.labelstudio.sync import pull, push
from annotate.labelstudio.team import TeamSettings
from annotate.layers import layer_names
from annotate.model import GoldSet
from annotate.pipeline import gold_set
from annotate.project import slug

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
PREFIX = "stargate-fr-v3"
ANNOTATORS_PER_TASK = 2


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["annotate", "list", "adjudicate"])
    parser.add_argument("--first", type=Path, default=REFERENCE / "pass-a.json")
    parser.add_argument("--second", type=Path, default=REFERENCE / "pass-c.json")
    parser.add_argument("--adjudication", type=Path, default=REFERENCE / "adjudication-v3.json")
    parser.add_argument("--prefix", default=PREFIX)
    parser.add_argument("--labels", type=Path, default=ROOT / "data" / "labels")
    return parser.parse_args(argv)


def _gold(args: argparse.Namespace):
    pins = args.labels / f"{slug(args.prefix)}.pins.json"
    return gold_set(articles=ROOT / "data" / "articles", pins=pins)


def _pull(args: argparse.Namespace, *, review_projects: bool) -> None:
    for p in pull(
        layers=layer_names(), labels_dir=args.labels, prefix=args.prefix, review=review_projects
    ):
        where = p.path.relative_to(ROOT) if p.path.is_relative_to(ROOT) else p.path
        state = "new" if p.new_file else "unchanged"
        print(f"{p.layer}: {p.tasks} tasks, {p.annotations} annotations → {where} ({state})")


def annotate_step(args: argparse.Namespace) -> int:
    docs = list(read_articles(ROOT / "data" / "articles"))
    pushed = push(
        docs,
        layers=layer_names(),
        prefix=args.prefix,
        guidelines=ROOT / "docs" / "guidelines.md",
        team=TeamSettings(annotators_per_task=ANNOTATORS_PER_TASK, show_predictions=False),
    )
    for r in pushed:
        print(f"{r.project_title}: {r.tasks_created} tasks imported, {r.tasks_skipped} there")
    passes = [
        AnnotatorPass(args.first, "annotator-a@annotate.local"),
        AnnotatorPass(args.second, "annotator-c@annotate.local"),
    ]
    for s in submit_passes(docs, passes, prefix=args.prefix):
        print(f"{s.layer:<20} {s.annotator:<28} submitted {s.submitted}, there {s.skipped}")
    _pull(args, review_projects=False)
    gold = _gold(args)
    for line in summary(gold):
        print(line)
    pins = args.labels / f"{slug(args.prefix)}.pins.json"
    print(f"(the full report: annotate agreement --pins {pins})")
    for r in review(gold, prefix=args.prefix):
        print(f"{r.project_title}: {r.disputed} disputed, {r.tasks_created} tasks imported")
    return list_step(args)


def summary(gold: GoldSet) -> list[str]:
    """The agreement in a few lines: overall span F1 per layer, matching and pair, kappa and
    alpha per choice; raters by their pseudonyms, as the release and `annotate agreement`
    name them (the pins' handles appear nowhere else)."""
    report = agreement_report(gold.records, pseudonyms=True)
    lines = [
        f"span F1 {row['layer']} {row['matching']} {row['annotators']}: {row.get('f1')}"
        for row in report.span_rows()
        if row["label"] == "overall"
    ]
    lines += [
        f"{c.layer} {c.choice} {c.annotators}: n={c.items} kappa={c.kappa} alpha={c.alpha}"
        for c in report.choices()
    ]
    if report.notes:
        lines.append(f"{len(report.notes)} spans worded differently in free text (no dispute)")
    return lines


def list_step(args: argparse.Namespace) -> int:
    found = disagreements(_gold(args))
    for d in found:
        print(f"{d.layer} {d.where} ({d.task_key}):")
        for line in d.lines:
            print(f"  {line}")
    print(f"{len(found)} tasks to adjudicate: write the adjudicated version of each of these")
    print(f"paragraphs (whole paragraphs, worksheet format) into {args.adjudication}")
    return 0


def adjudicate_step(args: argparse.Namespace) -> int:
    if not args.adjudication.is_file():
        print(
            f"no adjudication worksheet at {args.adjudication}; run `list` first", file=sys.stderr
        )
        return 1
    docs = list(read_articles(ROOT / "data" / "articles"))
    adjudicator = [AnnotatorPass(args.adjudication, "adjudicator-v3@annotate.local")]
    for s in submit_passes(docs, adjudicator, prefix=args.prefix, review=True):
        print(f"{s.layer:<20} {s.annotator:<28} submitted {s.submitted}, there {s.skipped}")
    _pull(args, review_projects=True)
    gold = _gold(args)
    left = gold.needs_review()
    print(f"{len(left)} tasks still need review" + (": " if left else ""))
    for choice in left:
        print(f"  {choice.annotation.layer} {choice.annotation.task_key}")
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    steps = {"annotate": annotate_step, "list": list_step, "adjudicate": adjudicate_step}
    return steps[args.step](args)


if __name__ == "__main__":
    sys.exit(main())
