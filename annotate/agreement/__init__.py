"""Inter-annotator agreement and disagreements, on the raters' versions of every task (a
:class:`~annotate.model.GoldSet`'s ``records``), before any release:

- :func:`disagreements` — every disputed region of every task, with each rater's version
  (what ``annotate review`` puts before the adjudicator, and what makes a task "needs
  review" for ``build``);
- :func:`agreement_report` — pairwise span F1 per label, kappa and alpha of the choices
  and judgements, label confusion (``annotate agreement``, and the release card's tables).
"""

from annotate.agreement.heatmap import write_heatmap
from annotate.agreement.report import (
    AgreementReport,
    ChoiceAgreement,
    PairAgreement,
    agreement_report,
    pairwise_agreement,
)
from annotate.disputes import (
    Disagreement,
    DisagreementKind,
    RaterVersion,
    disagreements,
    is_rater,
    notes,
    raters_by_task,
    span_key,
    span_keyer,
    task_disagreements,
    task_notes,
)

__all__ = [
    "AgreementReport",
    "ChoiceAgreement",
    "Disagreement",
    "DisagreementKind",
    "PairAgreement",
    "RaterVersion",
    "agreement_report",
    "disagreements",
    "is_rater",
    "notes",
    "pairwise_agreement",
    "raters_by_task",
    "span_key",
    "span_keyer",
    "task_disagreements",
    "task_notes",
    "write_heatmap",
]
