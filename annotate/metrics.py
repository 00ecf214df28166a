"""Pure agreement arithmetic, below everything that uses it: counts with precision, recall
and F1; one-to-one span matching (exact and overlap); Cohen's kappa and Krippendorff's
alpha for nominal judgements. Nothing here knows a layer, a record or a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

__all__ = [
    "SCHEMES",
    "AttributeScore",
    "Counts",
    "MatchScores",
    "Scheme",
    "cohen_kappa",
    "match_spans",
    "multi_rater_alpha",
    "nominal_alpha",
    "observed_agreement",
]

Scheme = Literal["exact", "overlap"]
SCHEMES: tuple[Scheme, ...] = ("exact", "overlap")


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives, with P/R/F1 (0 when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """The number of gold items."""
        return self.tp + self.fn

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
        }


@dataclass(slots=True)
class MatchScores:
    """Counts per label under one matching scheme."""

    per_label: dict[str, Counts] = field(default_factory=dict)

    @property
    def overall(self) -> Counts:
        """Micro-averaged counts over every label."""
        total = Counts()
        for c in self.per_label.values():
            total = total + c
        return total

    @property
    def macro_f1(self) -> float:
        """The mean of the per-label F1 (0 when there is no label)."""
        if not self.per_label:
            return 0.0
        return sum(c.f1 for c in self.per_label.values()) / len(self.per_label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "macro_f1": round(self.macro_f1, 4),
            "labels": {k: v.to_dict() for k, v in sorted(self.per_label.items())},
        }


@dataclass(frozen=True, slots=True)
class AttributeScore:
    """Agreement on one per-region choice over the overlap-matched span pairs."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": round(self.accuracy, 4)}


class _Region(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...


S = TypeVar("S", bound=_Region)


def match_spans(gold: Sequence[S], pred: Sequence[S], scheme: Scheme) -> list[tuple[S, S]]:
    """One-to-one pairs of same-label spans: equal offsets, or the largest overlaps first."""
    if scheme == "exact":
        index = {(g.start, g.end, g.label): g for g in gold}
        return [(index[k], p) for p in pred if (k := (p.start, p.end, p.label)) in index]
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            shared = min(g.end, p.end) - max(g.start, p.start)
            if g.label == p.label and shared > 0:
                candidates.append((-shared, abs(g.start - p.start) + abs(g.end - p.end), gi, pi))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], pred[pi]))
    return pairs


def observed_agreement(a: Sequence[Any], b: Sequence[Any]) -> float:
    """The share of items on which two raters chose the same value (1 when there is none)."""
    if len(a) != len(b):
        raise ValueError("the two raters must judge the same items")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 1.0


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two raters' nominal values on the same items:
    ``(p_o - p_e) / (1 - p_e)``, where ``p_e`` is the agreement expected from each rater's
    own distribution of values; 1 when both always choose the one same value."""
    p_o = observed_agreement(a, b)
    n = len(a)
    if not n:
        return 1.0
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[v] * cb[v] for v in ca) / (n * n)
    return 1.0 if p_e == 1 else (p_o - p_e) / (1 - p_e)


def nominal_alpha(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Krippendorff's alpha (nominal) of two raters' values on the same items, by the
    ``krippendorff`` package; 1 when only one value occurs (alpha is undefined then)."""
    import krippendorff

    values = sorted(set(a) | set(b))
    if len(values) < 2:
        return 1.0
    data = [[values.index(v) for v in a], [values.index(v) for v in b]]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def multi_rater_alpha(ratings: Sequence[Sequence[Any]]) -> float:
    """Krippendorff's alpha (nominal) of any number of raters: ``ratings[r][u]`` is rater
    ``r``'s value of unit ``u``, ``None`` where they gave none; by the ``krippendorff``
    package. 1 when only one value occurs (alpha is undefined then)."""
    import krippendorff

    index: dict[Any, int] = {}
    for row in ratings:
        for v in row:
            if v is not None:
                index.setdefault(v, len(index))
    if len(index) < 2:
        return 1.0
    nan = float("nan")
    data = [[float(index[v]) if v is not None else nan for v in row] for row in ratings]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
