"""Entity predictors: spaCy's French model, raw (``entities.spacy``) or with rules
(``entities.rules``, the recommended one).

``entities.rules`` runs ``fr_core_news_sm`` and then, inside the same spaCy pipeline (so it
runs in the worker processes of ``nlp.pipe``):

1. a ``span_ruler`` with the gazetteer (phrase patterns) and token patterns for what the
   model does not label at all: MONEY, DATE, QUANTITY, and demonyms (MISC);
2. ``annotate_entity_resolver``, which cleans the model's entities the way the guidelines
   draw boundaries (no articles, elided words, titles or generic heads; no stray capitalised
   word glued to a name), merges them with the rule spans (rules win, except that the longest
   name wins over a gazetteer name or demonym inside it: « Commission européenne »), labels
   names from their head noun (« le centre de données Nova » → FAC « Nova »; « … est appelé
   « X » » after the subject's head noun), and makes the labels of a document consistent
   (one name, one label; « L’X » gets the label of « The X »; missed mentions are added).

Scores are rule confidences set a priori per rule kind; the model gives none.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.model import Document, Span
from annotate.preannotate import (
    Prediction,
    PredictorOptions,
    boilerplate_ranges,
    pipe_documents,
    register,
)
from annotate.preannotate.gazetteer import (
    BUILTIN_GAZETTEER,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    DEMONYMS,
    INSTITUTION_HEADS,
    LANGUAGE_FORMS,
    LEADING_NOUNS,
    MONTHS,
    NOT_ENTITIES,
    NUMBER_WORDS,
    RELATIVE_TIME,
    SCALE_WORDS,
    TIME_UNITS,
    VAGUE_QUANTIFIERS,
    WEEKDAYS,
    GazetteerEntry,
    load_gazetteer,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

__all__ = [
    "MODEL",
    "MODEL_LABELS",
    "RULE_SCORES",
    "EntityRulesPredictor",
    "SpacyEntityPredictor",
    "base_nlp",
    "model_version",
    "rules_nlp",
]

MODEL = "fr_core_news_sm"
# The model's labels, mapped to ours (the same four names).
MODEL_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
RULES_KEY = "annotate_rules"
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
_RULE_PRIORITY = {"gazetteer": 6, "money": 5, "date": 4, "quantity": 3, "demonym": 2, "head": 1}


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

    nlp = spacy.load(MODEL)
    entries = list(BUILTIN_GAZETTEER)
    for path in gazetteer:
        entries.extend(load_gazetteer(path))
    ruler = nlp.add_pipe(
        "span_ruler",
        name="annotate_entity_rules",
        after="ner",
        config={"spans_key": RULES_KEY, "annotate_ents": False, "overwrite": True},
    )
    ruler.add_patterns(_gazetteer_patterns(entries) + _token_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("annotate_entity_resolver", after="annotate_entity_rules")
    return nlp


# ---------------------------------------------------------------------------- patterns


def _gazetteer_patterns(entries: Iterable[GazetteerEntry]) -> list[dict[str, Any]]:
    return [
        {
            "label": e.label,
            "pattern": e.pattern,
            "id": f"gazetteer|{e.kb_id}" if e.kb_id else "gazetteer",
        }
        for e in entries
    ]


def _in(words: Iterable[str], attr: str = "LOWER", **extra: Any) -> dict[str, Any]:
    return {attr: {"IN": sorted(words)}, **extra}


_DIGITS = {"TEXT": {"REGEX": r"^\d+(?:[.,\u00a0\u202f]\d+)*$"}}
_GROUP = {"TEXT": {"REGEX": r"^\d{3}$"}, "OP": "*"}  # « 1 200 » is two tokens
_NUMBERS: list[list[dict[str, Any]]] = [
    [_DIGITS, _GROUP],
    [_in(NUMBER_WORDS), _in(NUMBER_WORDS, OP="*")],
]
_SCALE = _in(SCALE_WORDS)
_DE = _in(["de", "d’", "d'"])
_ARTICLE = _in(["le", "la", "l’", "l'", "les"])
_CURRENCY_WORD = _in({w.lower() for w in CURRENCY_WORDS})
_CURRENCY_QUALIFIER = _in(["américains", "canadiens", "australiens", "us", "sterling", "suisses"])
_CURRENCY_SYMBOL = _in(CURRENCY_SYMBOLS, "TEXT")
_UNITS = _in(
    "% mw gw kw kwh mwh gwh twh km m m2 m² ha kg t go to mo gb tb mégawatts gigawatts "
    "kilowatts térawattheures kilomètres mètres tonnes litres hectares téraoctets".split()
)
_PRENOMINAL = _in(
    "grands grandes petits petites nouveaux nouvelles gros grosses vastes jeunes anciens "
    "anciennes".split()
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
_YEAR = {"TEXT": {"REGEX": r"^(1[5-9]\d\d|20\d\d)$"}}
_DAY = {"TEXT": {"REGEX": r"^([1-9]|[12]\d|3[01]|1er)$"}}


def _expand(*parts: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Every concatenation of one alternative of each part (``[]`` is an empty option)."""
    return [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*parts)]


def _opt(*tokens: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [[], list(tokens)]


def _one(*tokens: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [list(tokens)]


def _token_patterns() -> list[dict[str, Any]]:
    """MONEY, QUANTITY, DATE and demonym patterns, written from the guidelines: amounts with
    their multiplier and currency; number + counted noun; dates without their preposition."""
    money = [
        # 100 milliards de dollars, 300 euros, 2,5 millions d’euros
        *_expand(
            _NUMBERS, _opt(_SCALE), _opt(_DE), _one(_CURRENCY_WORD), _opt(_CURRENCY_QUALIFIER)
        ),
        # 300 $, 3 milliards $
        *_expand(_NUMBERS, _opt(_SCALE), _one(_CURRENCY_SYMBOL)),
        # a garbled amount keeps its stray punctuation: 5 $ milliards, 3 $. milliards
        *_expand(_NUMBERS, _one(_CURRENCY_SYMBOL), _opt({"IS_PUNCT": True}), _one(_SCALE)),
        # $300, $ 5 milliards
        *_expand(_one(_CURRENCY_SYMBOL), _NUMBERS, _opt(_SCALE)),
        # plusieurs milliards de dollars, (des) milliards d’euros
        *_expand(_opt(_in(VAGUE_QUANTIFIERS)), _one(_SCALE, _DE, _CURRENCY_WORD)),
    ]
    data_compound = _opt(_DE, {"LOWER": "données"})  # centres de données
    quantity = [
        *_expand(_NUMBERS, _opt(_SCALE, _DE), _opt(_PRENOMINAL), _one(_COUNTED), data_compound),
        *_expand(_opt(_in(VAGUE_QUANTIFIERS)), _one(_SCALE, _DE, _COUNTED), data_compound),
        *_expand(_NUMBERS, _one({"LOWER": "fois"})),
        *_expand(_NUMBERS, _one(_UNITS)),
        *_expand(_NUMBERS, _one({"LOWER": "pour"}, {"LOWER": "cent"})),
        # a bare number with its multiplier counts something (« contre 55 millions »); the
        # resolver makes it MONEY when a money word comes just before
        *_expand(_NUMBERS, _one(_SCALE)),
    ]
    time_noun = _in(TIME_UNITS)
    relative = _in(RELATIVE_TIME)
    date = [
        [_YEAR],
        # lundi 3 mars 2024, 3 mars, mars 2023, septembre dernier
        *_expand(_opt(_in(WEEKDAYS)), _opt(_DAY), _one(_in(MONTHS)), _opt(_YEAR)),
        *_expand(_opt(_DAY), _one(_in(MONTHS), relative)),
        [_in(WEEKDAYS)],
        # le dernier trimestre, la prochaine décennie
        *_expand(_opt(_ARTICLE), _one(relative, time_noun)),
        # l’année prochaine, la semaine dernière
        *_expand(_opt(_ARTICLE), _one(time_noun, relative)),
        # six prochaines années, trois ans, plusieurs années, les trois derniers mois
        *_expand(
            _opt(_ARTICLE),
            [*_NUMBERS, [_in(VAGUE_QUANTIFIERS)]],
            _opt(relative),
            _one(time_noun),
            _opt(relative),
        ),
        # début de l’année prochaine, la fin de l’année, début de 2025, fin 2025
        *_expand(
            _opt(_ARTICLE),
            _one(_in(["début", "fin", "milieu", "mi"])),
            [[_DE], [{"LOWER": "du"}], []],
            _opt(_ARTICLE),
            [[time_noun], [time_noun, relative], [_YEAR], [_in(MONTHS)], [_in(MONTHS), _YEAR]],
        ),
        # cette année, ce mois-ci
        *_expand(_one(_in(["ce", "cet", "cette"])), _one(time_noun), _opt({"LOWER": "-ci"})),
        [_in(["aujourd’hui", "aujourd'hui", "hier", "demain"])],
        # années 1990, premier trimestre 2024, 15 h 30, 15h30
        [{"LOWER": "années"}, {"TEXT": {"REGEX": r"^(19|20)\d0$"}}],
        *_expand(
            _one(_in(["premier", "deuxième", "second", "troisième", "quatrième"])),
            _one(_in(["trimestre", "semestre"])),
            _opt(_YEAR),
        ),
        [
            {"TEXT": {"REGEX": r"^\d{1,2}$"}},
            {"LOWER": "h"},
            {"TEXT": {"REGEX": r"^\d\d$"}, "OP": "?"},
        ],
        [{"TEXT": {"REGEX": r"^\d{1,2}h\d{0,2}$"}}],
    ]
    out: list[dict[str, Any]] = []
    for label, kind, patterns in (
        ("MONEY", "money", money),
        ("QUANTITY", "quantity", quantity),
        ("DATE", "date", date),
    ):
        out.extend({"label": label, "pattern": p, "id": kind} for p in patterns)
    out.append({"label": "MISC", "pattern": [_in(DEMONYMS)], "id": "demonym"})
    return out


# ---------------------------------------------------------------------------- resolver

# Head nouns that say what kind of thing the following (or naming) name is.
_FAC_HEADS = frozenset(
    "centre centres datacenter datacenters campus usine usines site sites centrale aéroport "
    "stade pont bâtiment siège entrepôt raffinerie mine gigafactory installation "
    "installations complexe".split()
)
_PLAN_HEADS = frozenset(
    "plan programme projet initiative opération mission stratégie fonds chantier".split()
)
_PRODUCT_HEADS = frozenset(
    "modèle modèles application logiciel puce processeur smartphone voiture robot chatbot "
    "assistant console casque supercalculateur superordinateur".split()
)
_ORG_HEADS = frozenset(
    "cabinet constructeur opérateur fabricant éditeur assureur syndicat parti quotidien "
    "journal hebdomadaire magazine agence banque start-up startup groupe firme société".split()
)
_NAMING_LEMMAS = frozenset("appeler baptiser nommer surnommer dénommer".split())
# Capitals and seats of power that stand for a government when they act (guidelines:
# metonymy); countries stay LOC.
_SEATS = frozenset(
    "Bruxelles Washington Pékin Moscou Londres Berlin Paris Tokyo Kiev Kyiv Matignon Élysée "
    "Bercy Kremlin Maison-Blanche Pentagone".split()
)
_ACTING_LEMMAS = frozenset(
    """vouloir décider annoncer imposer menacer exiger démentir répliquer souhaiter refuser
    accuser sanctionner trancher autoriser interdire bloquer approuver condamner dénoncer
    réclamer juger estimer affirmer déclarer prévoir envisager négocier signer""".split()
)
# Words that make a bare amount money (« le chantier coûtera 100 milliards »).
_MONEY_CUES = frozenset(
    """coûter coût coûts investir investissement lever levée financer financement dépenser
    dépense payer débourser budget montant amende valoir valorisation chiffre prix
    subvention facture""".split()
)
_LOWER_ARTICLES = frozenset("le la les l’ l' d’ d' de du des au aux un une".split())
_ELIDED = re.compile(r"^\w{1,3}['’]$")


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    label: str
    source: str  # "model" or a key of RULE_SCORES
    kb_id: str = ""

    def overlaps(self, other: _Cand) -> bool:
        return self.start < other.end and other.start < self.end

    def inside(self, other: _Cand) -> bool:
        return other.start <= self.start and self.end <= other.end


def _head_label(word: str) -> str | None:
    word = word.lower()
    if word in _ORG_HEADS:
        return "ORG"
    if word in _FAC_HEADS:
        return "FAC"
    if word in _PLAN_HEADS:
        return "MISC"
    if word in _PRODUCT_HEADS:
        return "PRODUCT"
    return None


def _is_name_token(tok: Any) -> bool:
    return bool(tok.is_title or tok.is_upper) and tok.is_alpha or tok.like_num and tok.i > 0


def _is_name_part(tok: Any) -> bool:
    """A token that can be part of a name found next to a head noun (not « Selon », « Le »)."""
    return _is_name_token(tok) and not tok.is_stop and tok.lower_ not in LEADING_NOUNS


class EntityResolver:
    """The spaCy component that merges model entities and rule spans (see the module doc)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        model = [c for e in doc.ents if (c := self._clean(doc, e)) is not None]
        for m in model:
            if _acts_as_government(doc, m):
                m.label, m.source = "ORG", "head"
        rules = [self._rule_cand(s) for s in doc.spans.get(RULES_KEY, [])]
        rules = [r for r in rules if self._keep_rule(doc, r)]
        for r in rules:
            if r.label == "QUANTITY" and doc[r.end - 1].lower_ in SCALE_WORDS:
                before = doc[max(0, r.start - 4) : r.start]
                if any(t.lemma_.lower() in _MONEY_CUES or t.lower_ in _MONEY_CUES for t in before):
                    r.label, r.source = "MONEY", "money"
        chosen: list[_Cand] = []
        for r in sorted(
            [*rules, *self._head_names(doc)],
            key=lambda c: (c.end - c.start, _RULE_PRIORITY.get(c.source, 0), -c.start),
            reverse=True,
        ):
            if not any(r.overlaps(c) for c in chosen):
                chosen.append(r)
        final = list(chosen)
        for m in model:
            hits = [c for c in chosen if c.overlaps(m)]
            if not hits:
                final.append(m)
            elif len(hits) == 1 and self._model_wins(doc, m, hits[0]):
                final.remove(hits[0])
                if hits[0].source == "gazetteer" and hits[0].start == m.start:
                    m.label, m.kb_id = hits[0].label, hits[0].kb_id
                final.append(m)
        final = self._consistent(doc, final)
        from spacy.tokens import Span as SpacySpan

        doc.ents = [
            SpacySpan(doc, c.start, c.end, label=c.label, kb_id=c.kb_id, span_id=c.source)
            for c in sorted(final, key=lambda c: c.start)
        ]
        return doc

    @staticmethod
    def _rule_cand(span: SpacySpan) -> _Cand:
        source, _, kb = span.id_.partition("|")
        return _Cand(span.start, span.end, span.label_, source or "gazetteer", kb)

    @staticmethod
    def _keep_rule(doc: Doc, r: _Cand) -> bool:
        first = doc[r.start]
        prev = doc[r.start - 1].lower_ if r.start > 0 else ""
        if r.source == "demonym" and first.lower_ in LANGUAGE_FORMS:
            # « en français », « l’anglais »: a language, not annotated
            return prev not in {"en", "l’", "l'", "le", "du", "d’", "d'"}
        if r.source == "quantity" and prev in {"les", "ces", "des", "aux", "leurs", "ses", "nos"}:
            # « les deux sociétés » refers back to entities already named
            return first.lower_ in SCALE_WORDS
        return True

    @staticmethod
    def _clean(doc: Doc, ent: SpacySpan) -> _Cand | None:
        """The model's entity with the guidelines' boundaries, or None if nothing is left."""
        start, end = ent.start, ent.end

        def rest_is_name(i: int) -> bool:
            return i + 1 < end and _is_name_token(doc[i + 1])

        while start < end:
            tok = doc[start]
            low = tok.lower_
            if (
                (low in _LOWER_ARTICLES and tok.text[0].islower())
                or _ELIDED.match(tok.text)
                and (tok.text[0].islower())
            ):
                start += 1
            elif low in LEADING_NOUNS and rest_is_name(start):
                start += 1
            else:
                break
        while end > start:
            tok = doc[end - 1]
            if tok.is_punct or tok.pos_ in ("DET", "ADP") or _ELIDED.match(tok.text):
                end -= 1
            else:
                break
        # « La version du logiciel »: a capitalised article before a lower-case word
        if end - start > 1 and doc[start].lower_ in _LOWER_ARTICLES and doc[start + 1].is_lower:
            start += 1
        # a proper name starts with a capital: « ministre de l’Économie » is a role
        if start >= end or doc[start].is_lower:
            return None
        text = doc[start:end].text
        if (
            text in NOT_ENTITIES
            or len(text) < 2
            or not any(t.text[0].isupper() for t in doc[start:end])
        ):
            return None
        return _Cand(start, end, MODEL_LABELS.get(ent.label_, "MISC"), "model")

    @staticmethod
    def _model_wins(doc: Doc, m: _Cand, r: _Cand) -> bool:
        """Keep the model's longer name over a rule span strictly inside it."""
        if not (r.inside(m) and (r.start, r.end) != (m.start, m.end)):
            return False
        if r.source == "demonym":
            return doc[m.start].lower_ in INSTITUTION_HEADS  # « Commission européenne »
        extra = [doc[i] for i in range(m.start, m.end) if not r.start <= i < r.end]
        if r.source == "head" or any(t.lower_ in LEADING_NOUNS for t in extra):
            return False
        # « Microsoft France », « CES 2024 »: the rest is a name too
        return all(_is_name_token(t) or t.lower_ in {"de", "du", "des", "-"} for t in extra)

    @staticmethod
    def _head_names(doc: Doc) -> list[_Cand]:
        """Names labelled by a head noun: « le centre de données Nova » → FAC « Nova »;
        « le plan Nova » → MISC; « Nova, le centre de … » → FAC; and « … est appelé « Nova » »
        labelled from the head noun of the naming verb's subject."""
        out: list[_Cand] = []

        def name_from(i: int) -> int:
            j = i
            while j < len(doc) and j - i < 4 and _is_name_part(doc[j]):
                j += 1
            return j

        for tok in doc:
            label = _head_label(tok.lower_)
            i = tok.i + 1
            if tok.lower_ in ("centre", "centres") and doc[i : i + 2].text.lower() in (
                "de données",
                "d’hébergement",
            ):
                i += 2 if doc[i].lower_ == "de" else 1
            if label and i < len(doc) and _is_name_token(doc[i]) and tok.is_lower:
                j = name_from(i)
                if j > i:
                    out.append(_Cand(i, j, label, "head"))
            # « Nova, le centre de données de Reno »
            if label and tok.i >= 3 and doc[tok.i - 1].lower_ in _LOWER_ARTICLES | {"un", "une"}:
                if doc[tok.i - 2].text == ",":
                    k = tok.i - 2
                    while k > 0 and _is_name_part(doc[k - 1]) and tok.i - 2 - k < 4:
                        k -= 1
                    if k < tok.i - 2 and (k == 0 or not _is_name_token(doc[k - 1])):
                        out.append(_Cand(k, tok.i - 2, label, "head"))
            if tok.lemma_ in _NAMING_LEMMAS and tok.pos_ in ("VERB", "AUX"):
                i = tok.i + 1
                if i < len(doc) and doc[i].text in ("«", "“", '"'):
                    i += 1
                j = name_from(i)
                # « le projet, baptisé « X » »: the participle modifies its noun
                subject = tok.head if tok.dep_ == "acl" else _subject_head(tok)
                if j > i and subject is not None and (sl := _head_label(subject.lower_)):
                    out.append(_Cand(i, j, sl, "head"))
        return out

    @staticmethod
    def _consistent(doc: Doc, final: list[_Cand]) -> list[_Cand]:
        """One name, one label per document; variants and missed mentions of a name."""
        text_of = {id(c): doc[c.start : c.end].text for c in final}
        ruled: dict[str, tuple[str, str, str]] = {}
        for c in final:
            if c.source != "model" and c.label not in ("DATE", "MONEY", "QUANTITY"):
                ruled.setdefault(text_of[id(c)], (c.label, c.kb_id, "propagated"))
        for name, (label, kb, _) in list(ruled.items()):
            if name.startswith("The ") and len(name) > 4:  # kept in English, translated elsewhere
                for art in ("L’", "L'", "Le ", "La ", "Les "):
                    ruled.setdefault(art + name[4:], (label, kb, "variant"))
        votes: dict[str, Counter[str]] = {}
        for c in final:
            if c.source == "model":
                votes.setdefault(text_of[id(c)], Counter())[c.label] += 1
        for c in final:
            if c.source != "model":
                continue
            name = text_of[id(c)]
            if name in ruled:
                c.label, c.kb_id, c.source = ruled[name]
            else:
                top = votes[name].most_common(2)
                if len(top) == 1 or top[0][1] > top[1][1]:
                    c.label = top[0][0]
        # mentions of a known name that neither the model nor a rule found
        taken = [(c.start, c.end) for c in final]
        names = {text_of[id(c)]: c for c in final if c.label not in ("DATE", "MONEY", "QUANTITY")}
        added: list[_Cand] = []
        for name, c in names.items():
            if len(name) < 2 or not name[0].isupper():
                continue
            for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", doc.text):
                span = doc.char_span(m.start(), m.end())
                if span is None or any(s < span.end and span.start < e for s, e in taken):
                    continue
                added.append(_Cand(span.start, span.end, c.label, "propagated", c.kb_id))
                taken.append((span.start, span.end))
        return final + added


def _acts_as_government(doc: Doc, c: _Cand) -> bool:
    """« Bruxelles veut encadrer… »: a seat of power, subject of a verb of decision or speech."""
    if doc[c.start : c.end].text not in _SEATS:
        return False
    head = doc[c.end - 1]
    return head.dep_ == "nsubj" and head.head.lemma_ in _ACTING_LEMMAS


def _subject_head(verb: Any) -> Any:
    """The head noun of a verb's subject, following coordination up (« … et est appelé »)."""
    tok = verb
    for _ in range(3):
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubj:pass"):
                return child
        if tok.dep_ != "conj":
            return None
        tok = tok.head
    return None


def _register_component() -> None:
    from spacy.language import Language

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


class _SpacyPredictor:
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


@register("entities.spacy")
class SpacyEntityPredictor(_SpacyPredictor):
    """fr_core_news_sm as it is, its PER/ORG/LOC/MISC mapped to our labels (a baseline)."""

    name = "entities.spacy"

    @property
    def version(self) -> str:
        return f"{self.name}@{self.release} ({model_version()})"

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        spans = entity_spans(sdoc, document, self.name, raw=True)
        return Prediction(document.id, self.layer, self.version, spans)


@register("entities.rules")
class EntityRulesPredictor(_SpacyPredictor):
    """The model, plus rules, gazetteer and clean-ups written from the guidelines."""

    name = "entities.rules"

    @property
    def pipeline_key(self) -> str:
        return "rules:" + "|".join(self.options.gazetteer_paths())

    def load_nlp(self) -> Language:
        return shared_rules_nlp(self.options)

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        return Prediction(
            document.id, self.layer, self.version, entity_spans(sdoc, document, self.name)
        )


def shared_rules_nlp(options: PredictorOptions) -> Language:
    """The rules pipeline for these options (shared by the entity, claim and MQM predictors)."""
    _register_component()
    return rules_nlp(options.gazetteer_paths())
