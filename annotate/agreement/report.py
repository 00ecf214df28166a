"""Inter-annotator agreement on the raters' versions of every task: :func:`agreement_report`.

For every layer and every pair of raters (on the tasks both annotated):

- **spans**: precision/recall/F1 of one rater against the other per label and overall,
  exact and overlap matching (:func:`annotate.evaluate.evaluate`; F1 is symmetric — the
  usual measure for span annotation, where kappa is ill-defined), relations likewise;
- **per-region choices** (claim type, modality, check-worthiness, MQM severity) on the
  span pairs matched with overlap: observed agreement and Cohen's kappa;
- **segment judgements** (MQM ``no-error``/``errors``): observed agreement, Cohen's kappa
  and Krippendorff's alpha (nominal);
- **label confusion** on the spans matched with overlap whatever their label;
- the **disagreements** (:mod:`annotate.disputes`), and the **notes**: spans the raters
  agree on but whose free text (the MQM comment) they worded differently, no dispute.

For every layer over all its raters at once (any number of them): Krippendorff's alpha
(nominal, by the ``krippendorff`` package, missing values allowed) of each per-region
choice (units: spans made with the same offsets and label) and of the segment judgement
(units: tasks). A unitizing-aware span measure (γ) is left out: no maintained library of
it installs without heavy dependencies.

The release card's agreement tables are :meth:`AgreementReport.card_tables` of the same
report, formatted as release 1.0.0's were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from annotate.disputes import Disagreement, disagreements, is_rater, notes, raters_by_task
from annotate.evaluate import EvalResult, evaluate
from annotate.layers import in_layer_order
from annotate.metrics import (
    SCHEMES,
    cohen_kappa,
    match_spans,
    multi_rater_alpha,
    nominal_alpha,
    observed_agreement,
)
from annotate.model import Annotation, Span
from annotate.names import pseudonym
from annotate.schemas import taxonomy

__all__ = [
    "AgreementReport",
    "ChoiceAgreement",
    "PairAgreement",
    "agreement_report",
    "pairwise_agreement",
]


@dataclass(frozen=True, slots=True)
class ChoiceAgreement:
    """Agreement on one nominal choice (a per-region field, or ``judgement``) between two
    raters (``annotators`` "a vs b") or all of a layer's raters (``annotators`` "all")."""

    layer: str
    choice: str
    annotators: str
    items: int  # span pairs, units or segments judged
    observed: float | None  # share of agreeing pairs (pairs only)
    kappa: float | None  # Cohen's kappa (pairs only)
    alpha: float | None  # Krippendorff's alpha (nominal)

    def to_dict(self) -> dict[str, Any]:
        r = _round
        return {
            "layer": self.layer,
            "choice": self.choice,
            "annotators": self.annotators,
            "items": self.items,
            "observed": r(self.observed),
            "kappa": r(self.kappa),
            "alpha": r(self.alpha),
        }


@dataclass(slots=True)
class PairAgreement:
    """Two raters of one layer on the tasks both annotated."""

    layer: str
    a: str
    b: str
    spans: EvalResult  # a as "gold", b as "predicted"
    choices: dict[str, tuple[list[Any], list[Any]]]  # choice → (a's values, b's values)
    judgements: tuple[list[str], list[str]]  # per shared judged task
    confusion: Counter[tuple[str, str]]  # (a's label, b's label) on overlap-matched spans

    @property
    def pair(self) -> str:
        return f"{self.a} vs {self.b}"

    def f1(self, scheme: str, label: str | None = None) -> float | None:
        """Overall F1 under ``scheme``, or one label's (None when neither rater used it)."""
        scores = self.spans.spans[scheme]
        if label is None:
            return scores.overall.f1
        counts = scores.per_label.get(label)
        return counts.f1 if counts is not None else None

    def choice_rows(self) -> list[ChoiceAgreement]:
        rows = []
        for name, (va, vb) in sorted(self.choices.items()):
            rows.append(_pair_choice(self.layer, name, self.pair, va, vb))
        if self.judgements[0]:
            rows.append(_pair_choice(self.layer, "judgement", self.pair, *self.judgements))
        return rows


def _pair_choice(layer: str, name: str, pair: str, va: list[Any], vb: list[Any]) -> ChoiceAgreement:
    return ChoiceAgreement(
        layer,
        name,
        pair,
        len(va),
        observed_agreement(va, vb),
        cohen_kappa(va, vb),
        nominal_alpha(va, vb) if va else None,
    )


@dataclass(slots=True)
class AgreementReport:
    """The agreement of the raters of every layer, and where they disagree."""

    raters: dict[str, list[str]]  # layer → its raters, in layer order
    pairs: list[PairAgreement]
    overall: list[ChoiceAgreement]  # all raters of a layer at once (alpha)
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[Disagreement] = field(default_factory=list)  # free text worded differently

    def choices(self) -> list[ChoiceAgreement]:
        """Pairwise rows, then the all-raters rows, per layer."""
        rows = [row for p in self.pairs for row in p.choice_rows()]
        return rows + self.overall

    def span_rows(self) -> list[dict[str, Any]]:
        """Per layer, pair, matching and label (``overall`` last): P/R/F1 and counts."""
        out = []
        for p in self.pairs:
            for scheme in SCHEMES:
                scores = p.spans.spans[scheme]
                labelled = [*sorted(scores.per_label.items()), ("overall", scores.overall)]
                for label, c in labelled:
                    out.append(
                        {
                            "layer": p.layer,
                            "annotators": p.pair,
                            "matching": scheme,
                            "label": label,
                            **c.to_dict(),
                        }
                    )
        return out

    def confusion_rows(self) -> list[dict[str, Any]]:
        return [
            {"layer": p.layer, "annotators": p.pair, "label_a": la, "label_b": lb, "spans": n}
            for p in self.pairs
            for (la, lb), n in sorted(p.confusion.items())
        ]

    def card_tables(self) -> dict[str, list[dict[str, Any]]]:
        """The card's agreement tables (``spans``, ``attributes``, ``judgements``), in the
        form and rounding release 1.0.0 was built with; and ``choices``
        (:meth:`choices`: observed agreement, Cohen's kappa and Krippendorff's alpha with
        the number of items, pairwise and over all raters), which card v3 shows."""
        return {**_card_tables(self.pairs), "choices": [c.to_dict() for c in self.choices()]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "raters": self.raters,
            "spans": self.span_rows(),
            "relations": [
                {
                    "layer": p.layer,
                    "annotators": p.pair,
                    "matching": s,
                    **p.spans.relations[s].overall.to_dict(),
                }
                for p in self.pairs
                if p.spans.relations
                for s in SCHEMES
            ],
            "choices": [c.to_dict() for c in self.choices()],
            "confusion": self.confusion_rows(),
            "disagreements": [d.to_dict() for d in self.disagreements],
            "notes": [d.to_dict() for d in self.notes],
        }


def pairwise_agreement(records: Iterable[Annotation]) -> dict[str, list[dict[str, Any]]]:
    """The release card's agreement tables of ``records``
    (:meth:`AgreementReport.card_tables`)."""
    return agreement_report(records).card_tables()


def agreement_report(
    records: Iterable[Annotation],
    *,
    layers: Sequence[str] | None = None,
    pseudonyms: bool = False,
) -> AgreementReport:
    """The agreement of the raters (human, not ground-truth annotations) of ``records``
    (a gold set's ``records``), per layer (of ``layers``, default all) and pair, and the
    list of disagreements. ``pseudonyms``: raters named as the release, the review project
    and the viewer name them (:func:`annotate.names.pseudonym`), not by the pins' handles."""
    recs = [r for r in records if is_rater(r) and (layers is None or r.layer in layers)]
    if pseudonyms:
        recs = [replace(r, annotator=pseudonym(r.annotator)) for r in recs]
    raters: dict[str, list[str]] = {}
    pairs: list[PairAgreement] = []
    overall: list[ChoiceAgreement] = []
    for layer in in_layer_order(r.layer for r in recs):
        mine = [r for r in recs if r.layer == layer]
        names = sorted({r.annotator for r in mine})
        raters[layer] = names
        tasks = raters_by_task(mine)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pairs.append(_pair(layer, a, b, mine, tasks))
        overall += _all_raters(layer, names, tasks)
    return AgreementReport(raters, pairs, overall, disagreements(recs), notes(recs))


def _pair(
    layer: str, a: str, b: str, recs: list[Annotation], tasks: dict[str, list[Annotation]]
) -> PairAgreement:
    spans = evaluate(
        [r for r in recs if r.annotator == a], [r for r in recs if r.annotator == b], layer=layer
    )
    choices: dict[str, tuple[list[Any], list[Any]]] = {
        c.name: ([], []) for c in taxonomy(layer).region_choices()
    }
    judged: tuple[list[str], list[str]] = ([], [])
    confusion: Counter[tuple[str, str]] = Counter()
    for anns in tasks.values():
        by = {x.annotator: x for x in anns}
        if a not in by or b not in by:
            continue
        ra, rb = by[a], by[b]
        for sa, sb in match_spans(ra.spans, rb.spans, "overlap"):
            for name, (va, vb) in choices.items():
                if name in sa.attrs or name in sb.attrs:
                    va.append(str(sa.attrs.get(name)))
                    vb.append(str(sb.attrs.get(name)))
        for sa, sb in match_spans(_unlabelled(ra.spans), _unlabelled(rb.spans), "overlap"):
            confusion[(sa.attrs["label"], sb.attrs["label"])] += 1
        if ra.judgement and rb.judgement:
            judged[0].append(ra.judgement)
            judged[1].append(rb.judgement)
    used = {k: v for k, v in choices.items() if v[0]}
    return PairAgreement(layer, a, b, spans, used, judged, confusion)


def _unlabelled(spans: list[Span]) -> list[Span]:
    """Copies of ``spans`` with one label for all (the real one kept in ``attrs``), to
    match them whatever their labels."""
    return [Span(s.id, s.start, s.end, s.text, "", attrs={"label": s.label}) for s in spans]


def _all_raters(
    layer: str, names: list[str], tasks: dict[str, list[Annotation]]
) -> list[ChoiceAgreement]:
    """Krippendorff's alpha over every rater of the layer, per choice and judgement."""
    if len(names) < 2:
        return []
    out = []
    wanted = [c.name for c in taxonomy(layer).region_choices()]
    units: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    judged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, anns in tasks.items():
        for ann in anns:
            for s in ann.spans:
                for name in wanted:
                    if name in s.attrs:
                        unit = units.setdefault(name, {}).setdefault(
                            (key, s.start, s.end, s.label), {}
                        )
                        unit[ann.annotator] = s.attrs[name]
            if ann.judgement:
                judged.setdefault((key,), {})[ann.annotator] = ann.judgement
    for name, by_unit in [*((n, units.get(n, {})) for n in wanted), ("judgement", judged)]:
        rated = [u for u in by_unit.values() if len(u) > 1]
        if rated:
            alpha = multi_rater_alpha([[u.get(r) for u in rated] for r in names])
            out.append(ChoiceAgreement(layer, name, "all", len(rated), None, None, alpha))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _card_tables(pairs: list[PairAgreement]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"spans": [], "attributes": [], "judgements": []}
    for p in pairs:
        res = p.spans
        for scheme in SCHEMES:
            c = res.spans[scheme].overall
            out["spans"].append(
                _card_span_row(p.layer, scheme, p.pair, c, res.gold_spans, res.predicted_spans)
            )
            if res.relations:
                rc = res.relations[scheme].overall
                out["spans"].append(
                    _card_span_row(
                        f"{p.layer} (relations)", scheme, p.pair, rc, rc.tp + rc.fn, rc.tp + rc.fp
                    )
                )
        out["attributes"] += [
            {
                "layer": p.layer,
                "attribute": name,
                "annotators": p.pair,
                "agreement": round(score.accuracy, 4),
                "pairs": score.total,
            }
            for name, score in sorted(res.attributes.items())
        ]
        va, vb = p.judgements
        if va:
            out["judgements"].append(
                {
                    "layer": p.layer,
                    "annotators": p.pair,
                    "segments": len(va),
                    "agreement": round(observed_agreement(va, vb), 4),
                    "alpha": round(nominal_alpha(va, vb), 4),
                }
            )
    return out


def _card_span_row(
    layer: str, scheme: str, pair: str, c: Any, n_a: int, n_b: int
) -> dict[str, Any]:
    return {
        "layer": layer,
        "matching": scheme,
        "annotators": pair,
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
        "n_a": n_a,
        "n_b": n_b,
    }
