"""Fixtures of the release tests: synthetic Label Studio exports of the bundled article.

An export is made the way the server makes one: tasks from ``make_tasks`` (one per
paragraph), and for each annotated paragraph an annotation whose ``result`` comes from the
layer's ``to_ls_result``. The spans are written below by their text, so that a test can
change one of them and build a second release.

Test modules get everything through fixtures (``paths``, ``document``, ``layers``,
``make_span``, ``make_exports``, ``write_export_of``, ``exports``, ``build``): test
directories have no ``__init__.py``, so a test cannot import this module by name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from annotate.corpus import read_articles
from annotate.labelstudio.tasks import make_tasks
from annotate.layers import get_layer
from annotate.model import Document, Relation, Span
from annotate.pipeline import gold_set
from annotate.release.build import BuildResult, build_release

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "data" / "articles"
CARD = ROOT / "dataset_card.md"
ANNOTATOR = "annotator-a@example.org"
CREATED = "2026-11-20T10:00:00.000000Z"

# (text, label, kb_id): every occurrence in the article becomes an entity span
MENTIONS = [
    ("OpenAI", "ORG", "Q21708200"),
    ("Microsoft", "ORG", "Q2283"),
    ("The Information", "ORG", None),
    ("Stargate", "FAC", None),
    ("Sam Altman", "PER", "Q7407093"),
    ("Elon Musk", "PER", "Q317521"),
    ("Tesla", "ORG", "Q478214"),
    ("ChatGPT", "PRODUCT", "Q115564437"),
    ("États-Unis", "LOC", "Q30"),
    ("UE", "ORG", "Q458"),
    ("2028", "DATE", None),
    ("2026", "DATE", None),
    ("100 milliards de dollars", "MONEY", None),
    ("britanniques", "MISC", None),
]


def find(doc: Document, text: str, occurrence: int = 1) -> tuple[int, int]:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(text, pos + 1)
    return pos, pos + len(text)


def span(doc: Document, sid: str, text: str, label: str, occurrence: int = 1, **attrs: Any) -> Span:
    start, end = find(doc, text, occurrence)
    return Span(
        sid, start, end, text, label, attrs={k: v for k, v in attrs.items() if v is not None}
    )


def entity_spans(doc: Document) -> list[Span]:
    found = []
    for text, label, kb in MENTIONS:
        pos = doc.text.find(text)
        while pos >= 0:
            found.append((pos, text, label, kb))
            pos = doc.text.find(text, pos + 1)
    found.sort()
    return [
        Span(f"e{i}", pos, pos + len(text), text, label, attrs={"kb_id": kb} if kb else {})
        for i, (pos, text, label, kb) in enumerate(found, start=1)
    ]


@dataclass
class Layers:
    """The spans of each layer of one version of the annotations."""

    entities: list[Span]
    claims: list[Span]
    relations: list[Relation]
    errors: list[Span]
    judgements: dict[int, str]  # translation_errors: paragraph index → judgement
    paragraphs: dict[str, list[int]] = field(default_factory=dict)  # annotated, per layer

    def copy(self) -> Layers:
        return replace(
            self,
            entities=[replace(s, attrs=dict(s.attrs)) for s in self.entities],
            claims=[replace(s, attrs=dict(s.attrs)) for s in self.claims],
            relations=list(self.relations),
            errors=[replace(s, attrs=dict(s.attrs)) for s in self.errors],
            judgements=dict(self.judgements),
            paragraphs={k: list(v) for k, v in self.paragraphs.items()},
        )


def base_layers(doc: Document) -> Layers:
    claims = [
        span(
            doc,
            "c1",
            "le projet pourrait atteindre 100 milliards de dollars",
            "CLAIM",
            claim_type="quantity",
            modality="hedged",
            checkworthy="yes",
        ),
        span(doc, "s1", "The Information", "SOURCE", 1),
        span(
            doc,
            "c2",
            "Microsoft développe un superordinateur pour la quatrième phase de la tranche",
            "CLAIM",
            claim_type="plan",
            modality="asserted",
            checkworthy="yes",
        ),
    ]
    errors = [
        span(
            doc,
            "t1",
            "100 $. milliard",
            "locale/currency-format",
            severity="major",
            correction="100 milliards de dollars",
            comment="unit and magnitude garbled",
        ),
        span(
            doc,
            "t2",
            "L’Information",
            "accuracy/mistranslation",
            severity="major",
            correction="The Information",
            comment="a publication's name was translated",
        ),
        span(
            doc, "t3", "Régulateurs", "fluency/spelling", severity="minor", correction="régulateurs"
        ),
    ]
    content = [p.index for p in doc.paragraphs if not p.boilerplate]
    return Layers(
        entities=entity_spans(doc),
        claims=claims,
        relations=[Relation("c1", "s1", "attributed_to")],
        errors=errors,
        judgements={0: "errors", 1: "errors", 2: "no-error", 5: "errors"},
        paragraphs={"entities": content, "claims": [1, 2], "translation_errors": [0, 1, 2, 5]},
    )


def write_export(
    path: Path,
    doc: Document,
    layer: str,
    spans: Iterable[Span],
    *,
    paragraphs: list[int],
    relations: Iterable[Relation] = (),
    judgements: dict[int, str] | None = None,
    annotator: str = ANNOTATOR,
) -> Path:
    """A Label Studio JSON export of ``layer`` with one annotation per annotated paragraph."""
    lay = get_layer(layer)
    spans, relations = list(spans), list(relations)
    tasks = make_tasks([doc], layer, unit="paragraph")
    for n, (task, para) in enumerate(zip(tasks, doc.paragraphs, strict=True), start=1):
        task["id"] = n
        if para.index not in paragraphs:
            task["annotations"] = []
            continue
        inside = [s for s in spans if para.start <= s.start and s.end <= para.end]
        ids = {s.id for s in inside}
        result = lay.to_ls_result(
            inside,
            [r for r in relations if r.from_id in ids and r.to_id in ids],
            judgement=(judgements or {}).get(para.index),
            segment_start=para.start,
            segment_text=para.slice(doc.text),
        )
        for item in result:  # the judgement's region id is random; the files need not be
            if item.get("type") == "choices" and "start" not in item.get("value", {}):
                item["id"] = f"j{para.index}"
        task["annotations"] = [
            {
                "id": 1000 + n,
                "completed_by": {"id": 1, "email": annotator},
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": CREATED,
                "lead_time": 12.5,
            }
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def write_exports(directory: Path, doc: Document, layers: Layers) -> list[Path]:
    return [
        write_export(
            directory / "entities.json",
            doc,
            "entities",
            layers.entities,
            paragraphs=layers.paragraphs["entities"],
        ),
        write_export(
            directory / "claims.json",
            doc,
            "claims",
            layers.claims,
            paragraphs=layers.paragraphs["claims"],
            relations=layers.relations,
        ),
        write_export(
            directory / "translation_errors.json",
            doc,
            "translation_errors",
            layers.errors,
            paragraphs=layers.paragraphs["translation_errors"],
            judgements=layers.judgements,
        ),
    ]


@pytest.fixture(scope="session")
def paths() -> SimpleNamespace:
    return SimpleNamespace(root=ROOT, articles=ARTICLES, card=CARD, annotator=ANNOTATOR)


@pytest.fixture
def make_span(document: Document) -> Callable[..., Span]:
    """``make_span(id, text, label, occurrence=1, **attrs)``: a span found by its text."""
    return lambda *args, **kw: span(document, *args, **kw)


@pytest.fixture(scope="session")
def write_export_of() -> Callable[..., Path]:
    """``write_export_of(path, document, layer, spans, paragraphs=[…])``: one export of any
    document (see :func:`write_export`)."""
    return write_export


@pytest.fixture
def make_exports(tmp_path: Path, document: Document) -> Callable[[str, Layers], list[Path]]:
    """``make_exports(name, layers)``: the three exports of ``layers`` under labels/<name>."""
    return lambda name, layers: write_exports(tmp_path / "labels" / name, document, layers)


@pytest.fixture(scope="session")
def document() -> Document:
    return next(iter(read_articles(ARTICLES)))


@pytest.fixture
def layers(document: Document) -> Layers:
    return base_layers(document)


@pytest.fixture
def exports(tmp_path: Path, document: Document, layers: Layers) -> list[Path]:
    return write_exports(tmp_path / "labels" / "v1", document, layers)


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., BuildResult]:
    """Build a release from exports into ``tmp_path/<out>``."""

    def run(
        exports: list[Path], *, version: str = "1.0.0", out: str = "releases", **kw: Any
    ) -> BuildResult:
        kw.setdefault("articles", ARTICLES)
        return build_release(
            gold_set(articles=kw.pop("articles"), lang=kw.pop("lang", None), exports=exports),
            out=tmp_path / out,
            dataset="demo",
            version=version,
            project_root=ROOT,
            **{"card_template": CARD, **kw},
        )

    return run
