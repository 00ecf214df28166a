"""Entity predictors: spaCy's French model, raw (``entities.spacy``) or with rules
(``entities.rules``, the recommended one).

``entities.rules`` runs ``fr_core_news_sm`` and then, inside the same spaCy pipeline (so it
runs in the worker processes of ``nlp.pipe``):

1. ``annotate_entity_rules``: PhraseMatchers for the gazetteer (names, case-sensitive) and for
   single words (demonyms → MISC, weekdays → DATE), and a token Matcher for what the model
   does not label at all (MONEY, QUANTITY, DATE), run only on windows around trigger tokens
   (numbers, multipliers, months, units of time…) so that the rules stay cheap;
2. ``annotate_entity_resolver`` (:mod:`annotate.preannotate.entity_resolver`), which
   turns the model's entities and the rule spans into the document's entities, the way
   the guidelines draw boundaries and labels.

Scores are rule confidences set a priori per rule kind; the model gives none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from annotate.model import Document, Span
from annotate.preannotate import (
    Prediction,
    PredictorOptions,
    boilerplate_ranges,
    pipe_documents,
    register,
)
from annotate.preannotate.entity_resolver import MODEL_LABELS, RULES_KEY, EntityResolver
from annotate.preannotate.gazetteer import (
    BUILTIN_GAZETTEER,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    DEMONYMS,
    MONTHS,
    NUMBER_WORDS,
    RELATIVE_TIME,
    SCALE_WORDS,
    TIME_UNITS,
    VAGUE_QUANTIFIERS,
    WEEKDAYS,
    GazetteerEntry,
    load_gazetteer,
    words,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "MODEL",
    "MODEL_LABELS",
    "RULE_SCORES",
    "EntityResolver",
    "EntityRules",
    "EntityRulesPredictor",
    "RulesPipelinePredictor",
    "SpacyEntityPredictor",
    "SpacyPredictor",
    "base_nlp",
    "entity_spans",
    "model_version",
    "rules_nlp",
    "shared_rules_nlp",
]

MODEL = "fr_core_news_sm"
# A priori confidence of each rule kind (the span's ``id_`` in spaCy); model spans have none.
RULE_SCORES = {
    "gazetteer": 0.9,
    "money": 0.9,
    "date": 0.85,
    "demonym": 0.8,
    "quantity": 0.75,
    "head": 0.7,
    "variant": 0.6,
    "propagated": 0.6,
}


def model_version() -> str:
    try:
        return f"{MODEL}-{version(MODEL)}"
    except PackageNotFoundError:
        return MODEL


@cache
def base_nlp() -> Language:
    """The installed French model, loaded once (never downloaded)."""
    import spacy

    return spacy.load(MODEL)


@cache
def rules_nlp(gazetteer: tuple[str, ...] = ()) -> Language:
    """The model plus the entity rules (a separate pipeline, loaded once per gazetteer)."""
    import spacy

    _register_components()
    nlp = spacy.load(MODEL)
    entries = list(BUILTIN_GAZETTEER)
    for path in gazetteer:
        entries.extend(load_gazetteer(path))
    rules = nlp.add_pipe("annotate_entity_rules", after="ner")
    rules.add_gazetteer(entries)  # type: ignore[attr-defined]
    nlp.add_pipe("annotate_entity_resolver", after="annotate_entity_rules")
    return nlp


# ---------------------------------------------------------------------------- patterns


def _in(items: Iterable[str], attr: str = "LOWER", **extra: Any) -> dict[str, Any]:
    return {attr: {"IN": sorted(items)}, **extra}


# A number is a built-in flag (cheap in the Matcher); « un »/« une » are articles unless a
# multiplier follows, which the resolver checks. « 1 200 » is two tokens.
_NUMBER = {"LIKE_NUM": True}
_NUMBER_REST = {"LIKE_NUM": True, "OP": "*"}
_SCALE = _in(SCALE_WORDS)
_DE = _in(["de", "d’", "d'"])
_CURRENCY_WORD = _in({w.lower() for w in CURRENCY_WORDS})
_CURRENCY_QUALIFIER = _in(["américains", "canadiens", "australiens", "us", "sterling", "suisses"])
_CURRENCY_SYMBOL = _in(CURRENCY_SYMBOLS, "TEXT")
_UNITS = _in(
    words(
        "% mw gw kw kwh mwh gwh twh km m m2 m² ha kg t go to mo gb tb mégawatts gigawatts "
        "kilowatts térawattheures kilomètres mètres tonnes litres hectares téraoctets"
    )
)
_PRENOMINAL = _in(
    words(
        "grands grandes petits petites nouveaux nouvelles gros grosses vastes jeunes anciens "
        "anciennes"
    )
)
# A counted noun: a lower-case content word that is not a unit of time, money or scale.
_COUNTED = {
    "IS_ALPHA": True,
    "IS_LOWER": True,
    "IS_STOP": False,
    "LOWER": {
        "NOT_IN": sorted(
            TIME_UNITS
            | SCALE_WORDS
            | {w.lower() for w in CURRENCY_WORDS}
            | NUMBER_WORDS
            | RELATIVE_TIME
            | {"fois", "pour", "cent", "environ", "plus", "moins", "près"}
        )
    },
}
# A year is four digits (the resolver keeps 1500–2099); a day is one or two digits.
_YEAR = {"SHAPE": "dddd"}
_DAYS: tuple[dict[str, Any], ...] = ({"SHAPE": "d"}, {"SHAPE": "dd"})
_START_WORDS = ("début", "fin", "milieu", "mi")


def _opt(tok: dict[str, Any]) -> dict[str, Any]:
    return {**tok, "OP": "?"}


def _token_patterns() -> list[dict[str, Any]]:
    """MONEY, QUANTITY and DATE patterns, written from the guidelines: amounts with their
    multiplier and currency; number + counted noun; dates without their preposition. Their
    first token is a cheap test (a flag, a shape or a small word list), so that the Matcher
    stays fast; a free-standing article or a weekday before a date is added by the resolver.
    Single words (demonyms, weekdays, « hier ») are matched by a PhraseMatcher."""
    num: list[dict[str, Any]] = [_NUMBER, _NUMBER_REST]
    vague = _in(VAGUE_QUANTIFIERS)
    money = [
        # 100 milliards de dollars, 300 euros, 2,5 millions d’euros
        [*num, _opt(_SCALE), _opt(_DE), _CURRENCY_WORD, _opt(_CURRENCY_QUALIFIER)],
        # 300 $, 3 milliards $
        [*num, _opt(_SCALE), _CURRENCY_SYMBOL],
        # a garbled amount keeps its stray punctuation: 5 $ milliards, 3 $. milliards
        [*num, _CURRENCY_SYMBOL, _opt({"IS_PUNCT": True}), _SCALE],
        # $300, $ 5 milliards
        [_CURRENCY_SYMBOL, *num, _opt(_SCALE)],
        # plusieurs milliards de dollars, (des) milliards d’euros
        [vague, _SCALE, _DE, _CURRENCY_WORD],
        [_SCALE, _DE, _CURRENCY_WORD],
    ]
    quantity = []
    for compound in ([], [_DE, {"LOWER": "données"}]):  # centres de données
        quantity.append([*num, _opt(_SCALE), _opt(_DE), _opt(_PRENOMINAL), _COUNTED, *compound])
        quantity.append([vague, _SCALE, _DE, _COUNTED, *compound])
        quantity.append([_SCALE, _DE, _COUNTED, *compound])
    quantity += [
        [*num, {"LOWER": "fois"}],
        [*num, _UNITS],
        [*num, {"LOWER": "pour"}, {"LOWER": "cent"}],
        # a bare number with its multiplier counts something (« contre 55 millions »); the
        # resolver makes it MONEY when a money word comes just before
        [*num, _SCALE],
    ]
    time_noun = _in(TIME_UNITS)
    relative = _in(RELATIVE_TIME)
    month = _in(MONTHS)
    date: list[list[dict[str, Any]]] = [
        [_YEAR],
        # 3 mars 2024, mars 2023, septembre dernier
        [month, _opt(_YEAR)],
        *([day, month, _opt(_YEAR)] for day in _DAYS),
        [month, relative],
        *([day, month, relative] for day in _DAYS),
        # dernier trimestre, année prochaine
        [relative, time_noun],
        [time_noun, relative],
        # six prochaines années, trois ans, plusieurs années, trois derniers mois
        [*num, _opt(relative), time_noun, _opt(relative)],
        [vague, _opt(relative), time_noun, _opt(relative)],
        # début de l’année prochaine, fin de l’année, début de 2025, fin 2025, mi-mars
        *(
            [
                _in(_START_WORDS),
                _opt(_in(["de", "du", "d’", "d'", "-"])),
                _opt(_in(["la", "l’", "l'", "le"])),
                point,
                _opt(relative),
                _opt(_YEAR),
            ]
            for point in (time_noun, month, _YEAR)
        ),
        # cette année, ce mois-ci
        [_in(["ce", "cet", "cette"]), time_noun, _opt({"LOWER": "-ci"})],
        # années 1990, premier trimestre 2024
        [{"LOWER": "années"}, _YEAR],
        [
            _in(["premier", "deuxième", "second", "troisième", "quatrième"]),
            _in(["trimestre", "semestre"]),
            _opt(_YEAR),
        ],
        # 15 h 30, 15h30, 9h
        *([day, {"LOWER": "h"}, _opt({"SHAPE": "dd"})] for day in _DAYS),
        [_in(["dxdd", "ddxdd", "dx", "ddx"], "SHAPE")],
    ]
    out: list[dict[str, Any]] = []
    for label, kind, patterns in (
        ("MONEY", "money", money),
        ("QUANTITY", "quantity", quantity),
        ("DATE", "date", date),
    ):
        out.extend({"label": label, "pattern": p, "id": kind} for p in patterns)
    return out


# ---------------------------------------------------------------------------- rules


# First tokens of the MONEY/QUANTITY/DATE patterns, besides numbers: the Matcher only runs
# on windows around them, which keeps the rules cheap beside the model.
_TRIGGERS = (
    SCALE_WORDS
    | MONTHS
    | TIME_UNITS
    | RELATIVE_TIME
    | VAGUE_QUANTIFIERS
    | {s.lower() for s in CURRENCY_SYMBOLS}
    | words("début fin milieu mi ce cet cette années premier deuxième second troisième quatrième")
)
_WINDOW_BEFORE, _WINDOW_AFTER = 3, 7
_SINGLE_WORDS = {
    "MISC": ("demonym", DEMONYMS),
    "DATE": ("date", WEEKDAYS | words("aujourd’hui aujourd'hui hier demain")),
}


class EntityRules:
    """Rule spans into ``doc.spans["annotate_rules"]`` (label, and the rule kind — with the
    QID for a gazetteer name — as the span id): the gazetteer and single words through
    PhraseMatchers, amounts, quantities and dates through a Matcher run around triggers."""

    def __init__(self, nlp: Language, name: str) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer  # (not nlp.make_doc: the component must pickle alone)
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = Matcher(nlp.vocab)
        self.user_tokens = Matcher(nlp.vocab)
        for label, (kind, vocabulary) in _SINGLE_WORDS.items():
            key = f"{label}|{kind}"
            self.words.add(key, [self.tokenizer(w) for w in sorted(vocabulary)])
        for pattern in _token_patterns():
            self.tokens.add(f"{pattern['label']}|{pattern['id']}", [pattern["pattern"]])
        import numpy

        self._triggers = numpy.array(
            sorted(nlp.vocab.strings.add(w) for w in _TRIGGERS), dtype="uint64"
        )
        self._time_shapes = numpy.array(
            sorted(nlp.vocab.strings.add(w) for w in ("dxdd", "ddxdd", "dx", "ddx")),
            dtype="uint64",
        )
        self._not_numbers = numpy.array(
            sorted(nlp.vocab.strings.add(w) for w in ("un", "une")), dtype="uint64"
        )

    def add_gazetteer(self, entries: Iterable[GazetteerEntry]) -> None:
        make = self.vocab.strings.add
        for e in entries:
            key = f"{e.label}|gazetteer" + (f"|{e.kb_id}" if e.kb_id else "")
            make(key)
            if isinstance(e.pattern, str):
                self.names.add(key, [self.tokenizer(e.pattern)])
            else:
                self.user_tokens.add(key, [e.pattern])

    def _windows(self, doc: Doc) -> list[tuple[int, int]]:
        import numpy
        from spacy.attrs import LIKE_NUM, LOWER, SHAPE

        arr = doc.to_array([LOWER, LIKE_NUM, SHAPE])
        lower = arr[:, 0]
        hits = (
            numpy.isin(lower, self._triggers)
            | ((arr[:, 1] == 1) & ~numpy.isin(lower, self._not_numbers))
            | numpy.isin(arr[:, 2], self._time_shapes)
        )
        out: list[tuple[int, int]] = []
        for i in numpy.flatnonzero(hits).tolist():
            a, b = max(0, i - _WINDOW_BEFORE), min(len(doc), i + _WINDOW_AFTER)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
        return out

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span as SpacySpan

        found: set[tuple[int, int, int]] = set()
        found.update(self.names(doc))
        found.update(self.words(doc))
        if len(self.user_tokens):
            found.update(self.user_tokens(doc))
        for a, b in self._windows(doc):
            found.update((key, a + s, a + e) for key, s, e in self.tokens(doc[a:b]))
        spans = []
        strings = self.vocab.strings
        for key, start, end in sorted(found, key=lambda m: (m[1], m[2])):
            label, _, kind = strings[key].partition("|")
            spans.append(SpacySpan(doc, start, end, label=label, span_id=kind))
        doc.spans[RULES_KEY] = spans
        return doc


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory("annotate_entity_rules"):
        Language.factory("annotate_entity_rules", func=EntityRules)
    if not Language.has_factory("annotate_entity_resolver"):
        Language.factory("annotate_entity_resolver", func=EntityResolver)


# ---------------------------------------------------------------------------- predictors


def entity_spans(sdoc: Doc, document: Document, name: str, *, raw: bool = False) -> list[Span]:
    """Our spans for a processed spaCy doc: document offsets, deterministic ids, no spans in
    boilerplate paragraphs (the guidelines expect none there)."""
    skip = boilerplate_ranges(document)
    out = []
    for ent in sdoc.ents:
        if raw and ent.label_ not in MODEL_LABELS:
            continue
        if any(s <= ent.start_char < e for s, e in skip):
            continue
        attrs = {"kb_id": ent.kb_id_} if ent.kb_id_ else {}
        out.append(
            Span(
                id=f"{name}-{ent.start_char}-{ent.end_char}",
                start=ent.start_char,
                end=ent.end_char,
                text=ent.text,
                label=MODEL_LABELS[ent.label_] if raw else ent.label_,
                score=None if raw else RULE_SCORES.get(ent.id_),
                attrs=attrs,
            )
        )
    return out


class SpacyPredictor:
    """What every predictor over a spaCy pipeline shares: options, version, batching.
    Subclasses set ``name`` (and ``layer``) and implement :meth:`extract`."""

    name: str
    layer = "entities"
    release = "1.0"

    def __init__(self, options: PredictorOptions | None = None) -> None:
        self.options = options or PredictorOptions()

    @property
    def version(self) -> str:
        return f"{self.name}@{self.release} ({model_version()}{self.options.version_suffix()})"

    @property
    def pipeline_key(self) -> str:
        return "base"

    def load_nlp(self) -> Language:
        return base_nlp()

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        raise NotImplementedError

    def predict(self, documents: Iterable[Document]) -> Iterator[Prediction]:
        for sdoc, document in pipe_documents(self.load_nlp(), documents, self.options):
            yield self.extract(sdoc, document)


class RulesPipelinePredictor(SpacyPredictor):
    """A predictor over the shared rules pipeline (model + EntityRuler + gazetteer), so
    that the entity, claim and MQM predictors run one ``nlp.pipe`` pass between them."""

    @property
    def pipeline_key(self) -> str:
        return "rules:" + "|".join(self.options.gazetteer_paths())

    def load_nlp(self) -> Language:
        return shared_rules_nlp(self.options)


@register("entities.spacy")
class SpacyEntityPredictor(SpacyPredictor):
    """fr_core_news_sm as it is, its PER/ORG/LOC/MISC mapped to our labels (a baseline)."""

    name = "entities.spacy"

    @property
    def version(self) -> str:
        return f"{self.name}@{self.release} ({model_version()})"

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        spans = entity_spans(sdoc, document, self.name, raw=True)
        return Prediction(document.id, self.layer, self.version, spans)


@register("entities.rules")
class EntityRulesPredictor(RulesPipelinePredictor):
    """The model, plus rules, gazetteer and clean-ups written from the guidelines."""

    name = "entities.rules"

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        return Prediction(
            document.id, self.layer, self.version, entity_spans(sdoc, document, self.name)
        )


def shared_rules_nlp(options: PredictorOptions) -> Language:
    """The rules pipeline for these options (shared by the entity, claim and MQM predictors)."""
    return rules_nlp(options.gazetteer_paths())
