"""Claim predictor ``claims.cues``: candidate CLAIM and SOURCE spans from cues, with
``claim_type``, ``modality`` and ``checkworthy`` filled in, and ``attributed_to`` relations.

Per sentence (the document's own segmentation, boilerplate paragraphs skipped):

1. **Attribution** (guidelines, *Sources*): « selon X » / « d’après X »; « X rapporte
   (déclare, indique…) [à Y] que … »; « «…», a déclaré X » and « …, rapporte X ». X is a
   SOURCE: a named source is cut to its entity, a descriptive one keeps its noun phrase;
   a « citant Z » incise and an outlet that receives the statement (« à Y ») are sources
   too. The attribution phrase, « que » and the quotation marks stay outside the claim.
2. **Clauses**: the rest is split where one verifiable proposition ends and another starts
   (« et que », « ; », « , tandis que », « et » + a finite verb, « , et » + a new subject).
3. **Cues** keep a clause as a candidate: an amount, quantity or date; a reporting
   structure; the conditional mood; a hedge; or a named entity with a finite verb (weakest).
4. **Attributes**: ``modality`` hedged (conditional or hedge) > reported (attributed) >
   asserted; ``claim_type`` by the guidelines' order plan > quantity > relation > attribute
   > event; ``checkworthy`` no for non-responses and for clauses with nothing a
   fact-checker could look up (no figure, no name, no superlative), else yes.

The score is a cue strength: 0.4 for the weakest cue, up to 0.9 with several kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from annotate.corpus import split_sentences
from annotate.model import Document, Relation, Span
from annotate.preannotate import Prediction, boilerplate_ranges, register
from annotate.preannotate.entities import RulesPipelinePredictor
from annotate.preannotate.gazetteer import words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = [
    "ClaimCuesPredictor",
    "claim_spans",
    "is_conditional",
    "is_future",
]

REPORTING_LEMMAS = words(
    """déclarer rapporter affirmer indiquer annoncer dire expliquer estimer assurer confirmer
    préciser ajouter souligner révéler prévenir reconnaître admettre juger considérer écrire
    raconter démentir nier prétendre avancer signaler noter rappeler insister assurer
    soutenir répondre confier détailler annoncer"""
)
HEDGE_WORDS = words(
    """apparemment probablement vraisemblablement possiblement potentiellement peut-être
    supposément présumément"""
)
HEDGE_PHRASES = (
    "sans doute",
    "semble-t-il",
    "il semble que",
    "il semblerait que",
    "il est possible que",
    "selon toute vraisemblance",
)
INTENTION_LEMMAS = words(
    """prévoir planifier envisager projeter souhaiter vouloir compter viser ambitionner
    apprêter programmer entendre"""
)
RELATION_LEMMAS = words(
    """détenir posséder contrôler appartenir racheter acquérir diriger présider fonder
    rejoindre associer allier"""
)
RELATION_NOUNS = words(
    """pdg président présidente directeur directrice fondateur fondatrice cofondateur
    co-fondateur actionnaire filiale partenaire propriétaire membre"""
)
NAMING_LEMMAS = words("appeler baptiser nommer surnommer dénommer")
SUPERLATIVES = words(
    "meilleur meilleure meilleurs meilleures pionnier pionnière pionniers pionnières premier "
    "première record leader"
)
NON_RESPONSE = (
    "pas répondu",
    "pas immédiatement répondu",
    "pas souhaité commenter",
    "refusé de commenter",
    "pas donné suite",
    "pas réagi",
    "injoignable",
)
_IRREGULAR_FUTURE_STEMS = words(
    """ser aur pourr devr fer ir saur verr viendr tiendr voudr faudr vaudr enverr mourr courr
    recevr devr obtiendr deviendr reviendr maintiendr conviendr"""
)
_FUTURE_ENDINGS = ("ont", "ons", "ez", "ai", "as", "a")
_CONDITIONAL_ENDINGS = ("aient", "ions", "iez", "ais", "ait")
_OPENERS = {"«", "“", '"', "‘"}
_CLOSERS = {"»", "”", '"', "’"}
_SOURCE_STOPS = words("dans lors sur devant pendant après avant auprès à au aux")
_SKIP_FIRST = words("que qu’ qu' et mais or donc")
# Sentence connectives left out of a claim (« Pendant ce temps, Microsoft développe… »).
CONNECTIVES = (
    "pendant ce temps",
    "par ailleurs",
    "en outre",
    "de plus",
    "cependant",
    "toutefois",
    "néanmoins",
    "de son côté",
    "de leur côté",
    "en revanche",
    "par conséquent",
    "ainsi",
    "enfin",
    "d’ailleurs",
    "en effet",
    "dans le même temps",
    "parallèlement",
)


def _tense_stem(tok: Token, endings: tuple[str, ...]) -> bool:
    word, lemma = tok.lower_, tok.lemma_.lower()
    for end in endings:
        if word.endswith(end) and len(word) > len(end) + 1:
            stem = word[: -len(end)]
            if stem in _IRREGULAR_FUTURE_STEMS:
                return True
            if lemma.endswith(("er", "ir")) and stem == lemma:
                return True
            if lemma.endswith("re") and stem == lemma[:-1]:
                return True
    return False


def is_conditional(tok: Token) -> bool:
    """The conditional mood (« pourrait », « financerait »), from the morphology or the form
    (future stem + imperfect ending), since the small model often tags it as imperfect."""
    if "Cnd" in tok.morph.get("Mood", []):
        return True
    return tok.pos_ in ("VERB", "AUX") and _tense_stem(tok, _CONDITIONAL_ENDINGS)


def is_future(tok: Token) -> bool:
    """The simple future (« sera », « consommera »)."""
    if "Fut" in tok.morph.get("Tense", []):
        return True
    return tok.pos_ in ("VERB", "AUX") and _tense_stem(tok, _FUTURE_ENDINGS)


@cache
def _verb_tables(nlp: Language) -> tuple[Any, frozenset[str]]:
    """The lemmatizer's word → lemma table and its list of verb lemmas, to recognise a verb
    the small model tagged as a noun (« et vise 800 livraisons »)."""
    if "lemmatizer" not in nlp.pipe_names:
        return None, frozenset()
    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    table = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else None
    index = lookups.get_table("lemma_index") if lookups.has_table("lemma_index") else {}
    return table, frozenset(index.get("verb", []))


_NO_TABLES: tuple[Any, frozenset[str]] = (None, frozenset())


def _verb_lemma(tok: Token, tables: tuple[Any, frozenset[str]]) -> str | None:
    """The verb lemma of a finite verb the model tagged as something else, else None."""
    table, verbs = tables
    if table is None or tok.is_title or tok.i == 0 or tok.nbor(-1).pos_ in ("DET", "ADP"):
        return None
    lemmas = table.get(tok.lower_) or []
    if lemmas and lemmas[0] in verbs and lemmas[0] != tok.lower_:
        return str(lemmas[0])
    return None


def _finite(tok: Token, tables: tuple[Any, frozenset[str]] = _NO_TABLES) -> bool:
    if tok.pos_ in ("VERB", "AUX"):
        return "Fin" in tok.morph.get("VerbForm", []) or is_conditional(tok) or is_future(tok)
    return _verb_lemma(tok, tables) is not None


def _reporting(tok: Token) -> bool:
    """A reporting verb, also when the small model gets its lemma wrong (« estime »)."""
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    if tok.lemma_ in REPORTING_LEMMAS:
        return True
    low = tok.lower_
    return any(
        lemma.endswith("er") and len(lemma) > 6 and low.startswith(lemma[:-2])
        for lemma in REPORTING_LEMMAS
    )


@dataclass(slots=True)
class _Attribution:
    sources: list[tuple[int, int]] = field(default_factory=list)  # char offsets
    regions: list[tuple[int, int]] = field(default_factory=list)  # token ranges of claims


class _Sentence:
    """Token-level view of one sentence of a spaCy doc."""

    def __init__(self, sdoc: Doc, start: int, end: int) -> None:
        self.doc = sdoc
        self.start, self.end = start, end
        while self.end > self.start and (
            sdoc[self.end - 1].text in (".", "!", "?", "…") or sdoc[self.end - 1].is_space
        ):
            self.end -= 1  # the final full stop
        self.ents = [e for e in sdoc.ents if start <= e.start and e.end <= end]

    def chars(self, i: int, j: int) -> tuple[int, int]:
        return self.doc[i].idx, self.doc[j - 1].idx + len(self.doc[j - 1].text)

    def np_source(self, i: int, j: int) -> tuple[int, int] | None:
        """A source noun phrase ``[i, j)``: a named source is cut to its entity (« selon
        M. Dupont » → « Dupont »); a descriptive one keeps its determiner."""
        while i < j and (self.doc[i].is_punct or self.doc[i].is_space):
            i += 1
        while j > i and (self.doc[j - 1].is_punct or self.doc[j - 1].is_space):
            j -= 1
        if i >= j:
            return None
        named = [e for e in self.ents if i <= e.start and e.end <= j and e.label_ in ("PER", "ORG")]
        if len(named) == 1:
            rest = [t for t in self.doc[i:j] if not named[0].start <= t.i < named[0].end]
            if all(
                t.pos_ == "DET"
                or t.lower_
                in {
                    "m.",
                    "mme",
                    "le",
                    "la",
                    "les",
                    "l’",
                    "l'",
                    "cabinet",
                    "agence",
                    "quotidien",
                    "journal",
                    "site",
                    "institut",
                }
                for t in rest
            ):
                return named[0].start_char, named[0].end_char
        return self.chars(i, j)

    def find_attribution(self) -> _Attribution:
        doc, s, e = self.doc, self.start, self.end
        out = _Attribution()
        for t in doc[s:e]:
            # selon X / d’après X
            if t.lower_ == "selon" or (
                t.lower_ == "après" and t.i > s and doc[t.i - 1].lower_ in ("d’", "d'")
            ):
                j = t.i + 1
                while j < e and doc[j].text not in {",", ";", ":", "»", "”"}:
                    j += 1
                src = self.np_source(t.i + 1, j)
                if src is None:
                    continue
                out.sources.append(src)
                begin = t.i - 1 if t.lower_ == "après" else t.i
                if begin <= s + 1 or all(x.lower_ in _SKIP_FIRST for x in doc[s:begin]):
                    out.regions.append((j + 1, e))
                elif j >= e:
                    out.regions.append((s, begin))
                else:
                    out.regions.append((s, e))  # an incise: the claim runs across it
                return out
        for t in doc[s:e]:
            if not _reporting(t):
                continue
            que = next(
                (
                    k
                    for k in range(t.i + 1, min(e, t.i + 9))
                    if doc[k].lower_ in ("que", "qu’", "qu'")
                ),
                None,
            )
            if que is not None:
                self._subject_sources(t, out)
                for k in range(t.i + 1, que):  # an outlet that receives the statement
                    for ent in self.ents:
                        if ent.start == k and ent.label_ in ("ORG", "PER"):
                            out.sources.append((ent.start_char, ent.end_char))
                out.regions.append((que + 1, e))
                return out
            # inverted: «…», a déclaré X / …, rapporte X
            v = t.i
            while v > s and (doc[v - 1].pos_ == "AUX" or doc[v - 1].lower_ in ("n’", "ne")):
                v -= 1
            if v > s + 2 and doc[v - 1].text == ",":
                self._inverted_sources(t, out)
                i, j = s, v - 1
                if doc[j - 1].text in _CLOSERS and doc[i].text in _OPENERS:
                    i, j = i + 1, j - 1
                out.regions.append((i, j))
                return out
        out.regions.append((s, e))
        return out

    def _subject_sources(self, verb: Token, out: _Attribution) -> None:
        doc, s = self.doc, self.start
        v = verb.i
        while v > s and (doc[v - 1].pos_ == "AUX" or doc[v - 1].lower_ in ("n’", "ne")):
            v -= 1
        chunks: list[tuple[int, int]] = []
        i = s
        for k in range(s, v + 1):
            if k == v or doc[k].text == ",":
                if k > i:
                    chunks.append((i, k))
                i = k + 1
        kept: list[tuple[int, int]] = []
        for a, b in chunks:
            first = doc[a]
            if first.lower_ in ("citant", "cité", "citée", "citées", "cités"):
                j = a + 1 + (doc[a + 1].lower_ == "par" if a + 1 < b else 0)
                if (src := self.np_source(j, b)) is not None:
                    out.sources.append(src)
            elif not kept and (
                first.pos_ in ("ADP", "ADV")
                or any(x.start == a and x.end == b and x.label_ == "DATE" for x in self.ents)
            ):
                continue  # « Mardi, … », « Dans un communiqué, … »
            else:
                kept.append((a, b))
        if kept:
            a = kept[0][0]
            while a < kept[-1][1] and doc[a].lower_ in _SKIP_FIRST:
                a += 1
            if (src := self.np_source(a, kept[-1][1])) is not None:
                out.sources.insert(0, src)

    def _inverted_sources(self, verb: Token, out: _Attribution) -> None:
        doc, e = self.doc, self.end
        prev = doc[verb.i - 1] if verb.i > 0 else None
        j = verb.i + 1
        while j < e and not doc[j].is_punct and doc[j].lower_ not in _SOURCE_STOPS:
            j += 1
        src = self.np_source(verb.i + 1, j)
        if src is not None:
            out.sources.append(src)
        elif prev is not None and prev.lower_.startswith("-t-"):
            # « a-t-il annoncé »: the pronoun is the source
            out.sources.append((prev.idx + 3, prev.idx + len(prev.text)))
        if j < e and doc[j].lower_ in ("à", "au", "aux", "auprès"):
            for ent in self.ents:
                if j < ent.start <= j + 2 and ent.label_ in ("ORG", "PER"):
                    out.sources.append((ent.start_char, ent.end_char))


def _split_clauses(
    doc: Doc, i: int, j: int, tables: tuple[Any, frozenset[str]]
) -> list[tuple[int, int]]:
    """Split a claim region where a new proposition starts."""
    cuts: list[tuple[int, int]] = []  # (end of left part, start of right part)
    for k in range(i + 1, j - 1):
        t, nxt = doc[k], doc[k + 1]
        if t.lower_ == "et" and nxt.lower_ in ("que", "qu’", "qu'"):
            cuts.append((k, k + 2))
        elif t.text == ";":
            cuts.append((k, k + 1))
        elif t.text == "," and nxt.lower_ in ("tandis", "alors", "mais") and k + 2 < j:
            skip = 3 if doc[k + 2].lower_ in ("que", "qu’", "qu'") else 2
            cuts.append((k, k + skip))
        elif (
            t.text == ","
            and nxt.pos_ == "DET"
            and any(x.lower_ in ("étant", "ayant") for x in doc[k + 2 : min(j, k + 12)])
        ):
            # « …, les dirigeants des deux sociétés étant en train de … »: an absolute clause
            cuts.append((k, k + 1))
        elif t.lower_ == "et":
            m = k + 1
            while m < j and doc[m].lower_ in (
                "y",
                "en",
                "le",
                "la",
                "les",
                "l’",
                "se",
                "s’",
                "ne",
                "n’",
                "lui",
            ):
                m += 1
            left = doc[i:k]
            if m < j and _finite(doc[m], tables) and any(_finite(x, tables) for x in left):
                cuts.append((k if doc[k - 1].text != "," else k - 1, k + 1))
            elif (
                m < j
                and "Part" in doc[m].morph.get("VerbForm", [])
                and any(x.pos_ == "AUX" for x in left)
            ):
                cuts.append((k, k + 1))
            elif doc[k - 1].text == "," and nxt.pos_ in ("DET", "PROPN", "PRON"):
                # « …, et les dirigeants de Microsoft souhaitent … »: a new subject and verb
                stop = next((x for x in range(k + 1, j) if doc[x].text == ","), j)
                if any(_finite(x) for x in doc[k + 1 : stop]) and any(_finite(x) for x in left):
                    cuts.append((k - 1, k + 1))
    parts, a = [], i
    for left_end, right_start in cuts:
        parts.append((a, left_end))
        a = right_start
    parts.append((a, j))
    return parts


def _trim(doc: Doc, i: int, j: int) -> tuple[int, int]:
    for k in range(i + 1, min(j, i + 5)):
        if doc[k].text == "," and doc[i:k].text.lower() in CONNECTIVES:
            i = k + 1
            break
    # guidelines, span rule 1: a span never starts or ends with punctuation or a guillemet,
    # even when that leaves a quoted name open (« est appelé « Stargate »)
    while i < j and (doc[i].lower_ in _SKIP_FIRST or doc[i].is_punct or doc[i].is_space):
        i += 1
    while j > i and (doc[j - 1].is_punct or doc[j - 1].is_space):
        j -= 1
    return i, j


@dataclass(slots=True)
class _Cues:
    kinds: set[str] = field(default_factory=set)
    claim_type: str = "event"
    modality: str = "asserted"
    checkworthy: str = "no"


def _cues(doc: Doc, i: int, j: int, attributed: bool, tables: tuple[Any, frozenset[str]]) -> _Cues:
    toks = doc[i:j]
    text = toks.text.lower()
    ents = [e for e in doc.ents if i <= e.start and e.end <= j]
    labels = {e.label_ for e in ents}
    out = _Cues()
    conditional = [t for t in toks if is_conditional(t)]
    past_conditional = any(
        t.lemma_ in ("avoir", "être")
        and any("Part" in x.morph.get("VerbForm", []) for x in doc[t.i + 1 : t.i + 3])
        for t in conditional
    )
    hedge = any(t.lower_ in HEDGE_WORDS for t in toks) or any(p in text for p in HEDGE_PHRASES)
    numbers = labels & {"MONEY", "QUANTITY"} or any(t.like_num and not t.is_alpha for t in toks)
    if numbers:
        out.kinds.add("number")
    if "DATE" in labels:
        out.kinds.add("date")
    if conditional or hedge:
        out.kinds.add("hedge")
    if attributed:
        out.kinds.add("reported")
    finite = any(_finite(t, tables) for t in toks)
    if labels - {"DATE", "MONEY", "QUANTITY"} and finite:
        out.kinds.add("entity")
    out.modality = "hedged" if (conditional or hedge) else "reported" if attributed else "asserted"
    future = any(is_future(t) for t in toks) or any(
        t.lemma_ in INTENTION_LEMMAS or _verb_lemma(t, tables) in INTENTION_LEMMAS for t in toks
    )
    future = future or bool(conditional and not past_conditional)
    future = future or any(t.lower_.startswith("prochain") for t in toks)
    superlative = any(t.lower_ in SUPERLATIVES for t in toks) or any(
        t.lower_ == "plus" and t.i > i and doc[t.i - 1].lower_ in ("le", "la", "les") for t in toks
    )
    relation = any(t.lemma_ in RELATION_LEMMAS and t.pos_ == "VERB" for t in toks) or any(
        t.lemma_ == "être" and any(x.lower_ in RELATION_NOUNS for x in doc[t.i + 1 : t.i + 4])
        for t in toks
    )
    naming = any(t.lemma_ in NAMING_LEMMAS for t in toks)
    if future:
        out.claim_type = "plan"
    elif numbers:
        out.claim_type = "quantity"
    elif relation:
        out.claim_type = "relation"
    elif superlative or naming:
        out.claim_type = "attribute"
    if any(p in text for p in NON_RESPONSE):
        out.checkworthy = "no"
    elif naming and not (numbers or superlative or future or relation):
        out.checkworthy = "no"  # what a thing is called: a fact nobody disputes
    elif numbers or superlative or future or labels - {"DATE"}:
        out.checkworthy = "yes"
    return out


def claim_spans(
    sdoc: Doc, document: Document, name: str, nlp: Language | None = None
) -> tuple[list[Span], list[Relation]]:
    """CLAIM and SOURCE spans (document offsets, deterministic ids) and their relations.
    ``nlp`` (the pipeline that made ``sdoc``) lends its lemmatizer tables to the rules."""
    tables = _verb_tables(nlp) if nlp is not None else _NO_TABLES
    skip = boilerplate_ranges(document)
    sentences = (
        [(s.start, s.end) for s in document.sentences]
        or [
            se
            for p in (document.paragraphs or [])
            for se in split_sentences(document.text, p.start, p.end)
        ]
        or split_sentences(document.text)
    )
    spans: dict[tuple[int, int, str], Span] = {}
    relations: list[Relation] = []

    def add(start: int, end: int, label: str, score: float | None, **attrs: Any) -> Span:
        key = (start, end, label)
        if key not in spans:
            sid = f"{name}-{start}-{end}" + ("" if label == "CLAIM" else "-src")
            spans[key] = Span(sid, start, end, document.text[start:end], label, score, attrs)
        return spans[key]

    for ss, se in sentences:
        if any(a <= ss < b for a, b in skip):
            continue
        chars = sdoc.char_span(ss, se, alignment_mode="expand")
        if chars is None:
            continue
        sent = _Sentence(sdoc, chars.start, chars.end)
        attribution = sent.find_attribution()
        sources = [add(a, b, "SOURCE", None) for a, b in dict.fromkeys(attribution.sources)]
        attributed = bool(attribution.sources)
        for ri, rj in attribution.regions:
            for ci, cj in _split_clauses(sdoc, ri, rj, tables):
                ci, cj = _trim(sdoc, ci, cj)
                if cj - ci < 3 or not any(_finite(t, tables) for t in sdoc[ci:cj]):
                    continue
                cues = _cues(sdoc, ci, cj, attributed, tables)
                if not cues.kinds:
                    continue
                start, end = sent.chars(ci, cj)
                strong = cues.kinds - {"entity"}
                score = round(min(0.9, 0.4 + 0.15 * len(strong)), 2)
                claim = add(
                    start,
                    end,
                    "CLAIM",
                    score,
                    claim_type=cues.claim_type,
                    modality=cues.modality,
                    checkworthy=cues.checkworthy,
                )
                relations.extend(Relation(claim.id, s.id, "attributed_to") for s in sources)
    ordered = sorted(spans.values(), key=lambda s: (s.start, s.end, s.label))
    return ordered, list(dict.fromkeys(relations))


@register("claims.cues")
class ClaimCuesPredictor(RulesPipelinePredictor):
    """CLAIM/SOURCE candidates from cues (numbers, dates, reporting verbs, conditional,
    hedges), over the entity rules pipeline."""

    name = "claims.cues"
    layer = "claims"

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        spans, relations = claim_spans(sdoc, document, self.name, self.load_nlp())
        return Prediction(document.id, self.layer, self.version, spans, relations)
