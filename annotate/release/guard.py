"""Refuse to publish what cannot be vouched for.

A release is immutable, so ``build`` and ``release`` stop before writing anything when the
release would hold no annotation at all, when records refer to documents that are not in
the corpus (the wrong ``--articles``), when validation held records back, or when raters
disagree on a task nobody adjudicated ("needs review": the consensus would silently drop
what they did not share; ``--gold majority`` publishes it on purpose). Each refusal
names the flag that accepts it on purpose; what was accepted is recorded in the manifest
(``accepted``) and in the card, so that a reader sees it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.model import GoldChoice, GoldSet
from annotate.pins import file_sha256
from annotate.validate import Report

__all__ = [
    "Acceptance",
    "accepted_section",
    "changed_inputs",
    "check_as_recorded",
    "check_publishable",
]

UNKNOWN_DOCUMENT = "unknown-document"


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What the user accepts on purpose (each one is a flag of ``build`` and ``release``)."""

    no_annotations: bool = False  # --allow-no-annotations
    missing_documents: bool = False  # --allow-missing-documents
    quarantined: bool = False  # --allow-quarantined
    majority: bool = False  # --gold majority: tasks that need review get the raters' majority

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> Acceptance:
        """What a release accepted, as its manifest records it (none for older releases)."""
        accepted = manifest.get("accepted") or {}
        return cls(
            no_annotations="no_annotations" in accepted,
            missing_documents="missing_documents" in accepted,
            quarantined="quarantined" in accepted,
            majority="majority" in accepted,
        )


def _missing_documents(report: Report) -> tuple[int, list[str]]:
    """How many held-back records refer to a document not in the corpus, and which ids."""
    count, ids = 0, set()
    for q in report.quarantined:
        if any(e.code == UNKNOWN_DOCUMENT for e in q.errors):
            count += 1
            doc_id = (q.record or {}).get("doc_id")
            ids.add(str(doc_id)[:12] if doc_id else "?")
    return count, sorted(ids)


def check_publishable(
    report: Report,
    accept: Acceptance = Acceptance(),
    *,
    needs_review: Sequence[GoldChoice] = (),
) -> dict[str, int]:
    """Raise :class:`ReleaseError` when the validated inputs are not fit to publish and the
    user did not accept it; returns what was accepted (name → number of records, or of
    tasks for ``majority``), which the manifest and the card record. ``needs_review``: the
    gold set's tasks whose raters disagree with no adjudication (``GoldSet.needs_review``)."""
    accepted: dict[str, int] = {}
    if needs_review:
        if not accept.majority:
            raise _needs_review_error(needs_review)
        accepted["majority"] = len(needs_review)
    missing, ids = _missing_documents(report)
    if missing:
        if not accept.missing_documents:
            raise ReleaseError(
                f"{missing} annotation record(s) refer to documents that are not in the "
                f"corpus ({', '.join(ids)}…)",
                hint="pass the articles the tasks were made from (--articles, several allowed), "
                "or --allow-missing-documents to leave those records out",
            )
        accepted["missing_documents"] = missing
    other = report.quarantined_count - missing + len(report.input_errors)
    if other > 0:
        if not accept.quarantined:
            raise ReleaseError(
                f"validation held back {other} record(s) or input(s)",
                hint="see them with `annotate validate … --quarantine FILE`, fix them in "
                "Label Studio and pull again, or pass --allow-quarantined to leave them out",
            )
        accepted["quarantined"] = other
    if report.valid_count == 0:
        if not accept.no_annotations:
            raise ReleaseError(
                "no valid annotation to release: every layer would be empty",
                file=report.inputs[0] if len(report.inputs) == 1 else None,
                hint="pull the annotated projects first (`annotate pull`), check --pins and "
                "--articles, or pass --allow-no-annotations to publish an empty release",
            )
        accepted["no_annotations"] = 0
    return accepted


def check_as_recorded(
    gold: GoldSet, manifest: dict[str, Any], *, root: Path = Path(".")
) -> dict[str, int]:
    """:func:`check_publishable` for a rebuild: it accepts what the release's manifest
    records that it accepted, no more. When it refuses and inputs the manifest records
    (under ``root``) changed since, the error names them: an edited article leaves its
    annotations without their document, and the refusal alone blamed the corpus path."""
    try:
        return check_publishable(
            gold.report, Acceptance.from_manifest(manifest), needs_review=gold.needs_review()
        )
    except ReleaseError as exc:
        changed = changed_inputs(manifest, root)
        if not changed:
            raise
        raise ReleaseError(
            f"{len(changed)} input(s) of the release changed since it was built: "
            f"{', '.join(changed)}; the rebuild stopped: {exc.message}",
            hint="restore them (git checkout) to reproduce the release; a new release "
            "(annotate release) publishes the changed inputs",
        ) from exc


def changed_inputs(manifest: dict[str, Any], root: Path) -> list[str]:
    """The manifest's input files whose sha256 differs under ``root``, or that are gone
    (inputs of the package itself, ``annotate:…``, are not files of the project)."""
    changed = []
    for entry in manifest.get("inputs") or []:
        rel = str(entry.get("path", ""))
        if rel.startswith("annotate:"):
            continue
        path = root / rel
        if not path.is_file():
            changed.append(f"{rel} (missing)")
        elif file_sha256(path) != entry.get("sha256"):
            changed.append(rel)
    return changed


SHOWN_TASKS = 10  # tasks named in the refusal; the rest are counted


def _needs_review_error(choices: Sequence[GoldChoice]) -> ReleaseError:
    named = [
        f"{c.annotation.task_key} (task {c.annotation.task_id}, {c.disputes} disputed "
        f"region(s) between {', '.join(sorted({v.annotator for v in c.versions}))})"
        for c in choices[:SHOWN_TASKS]
    ]
    more = f"; and {len(choices) - SHOWN_TASKS} more" if len(choices) > SHOWN_TASKS else ""
    layers = sorted({c.annotation.layer for c in choices})
    return ReleaseError(
        f"{len(choices)} task(s) need review: their raters disagree and nobody adjudicated "
        f"them: {'; '.join(named)}{more}",
        hint=f"see them with `annotate agreement`, adjudicate them with `annotate review` "
        f"(layers: {', '.join(layers)}) and `annotate pull`, or pass --gold majority to "
        "publish what a majority of the raters made (the rest of their work is left out)",
    )


_WHAT = {
    "no_annotations": "it holds no annotation (`--allow-no-annotations`)",
    "missing_documents": "{n} annotation record(s) whose documents are not in the corpus were "
    "left out (`--allow-missing-documents`)",
    "quarantined": "{n} record(s) or input(s) that failed validation were left out "
    "(`--allow-quarantined`)",
    "majority": "the raters of {n} task(s) disagree and nobody adjudicated them: their gold is "
    "what a strict majority of the raters made, the rest is left out (`--gold majority`)",
}


def accepted_section(accepted: dict[str, int]) -> str:
    """The card's note on what this release was published with on purpose ("" if none)."""
    if not accepted:
        return ""
    lines = [f"- {_WHAT[k].format(n=n)}" for k, n in sorted(accepted.items())]
    return "\n## Known gaps\n\nThis release was published although\n\n" + "\n".join(lines) + "\n"
