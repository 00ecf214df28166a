"""MQM checks ``translation_errors.checks``: the errors a monolingual reader can see, each
with an MQM category, a proposed severity, and a correction or comment where one is sure.

Written from the guidelines (*Judging without the source*, *Span rules*):

=======================  ===========================  ========  ============================
check                    category                     severity  span
=======================  ===========================  ========  ============================
stray full stop          fluency/punctuation          minor     the « . » (« Renault. dans »)
English quotation marks  fluency/punctuation          minor     each « “ » and « ” »
no space inside « »      fluency/punctuation          minor     the « « » or « » »
garbled amount           accuracy/mistranslation      major*    « 3 $. milliards »
symbol + magnitude       locale/currency-format       minor     « 5 $ milliards », « $300 »
number format            locale/number-format         minor     « 3.5 », « 1,200 »
doubled word/article     fluency/grammar              minor     the second one (« les deux les »)
capital mid-sentence     fluency/spelling             minor     the word (« la mise à jour La »)
hyphen after co-         fluency/spelling             minor     « co-fondateur »
English left as is       accuracy/untranslated        major     the English words
translated name          accuracy/mistranslation      major     « L’Information » beside « The
                                                                Information »
calque                   terminology/inappropriate    minor     « former » (un modèle)
=======================  ===========================  ========  ============================

\\* critical when no other figure in the text lets a reader restore the amount.

Never marks the same characters twice for one problem; boilerplate paragraphs are checked
like any other (guidelines). The score is the check's a priori precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from annotate.model import Document, Span
from annotate.preannotate import Prediction, register
from annotate.preannotate.entities import RulesPipelinePredictor
from annotate.preannotate.gazetteer import CURRENCY_SYMBOLS, DEMONYMS, SCALE_WORDS, words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = ["CHECK_SCORES", "TranslationChecksPredictor", "find_errors"]

CHECK_SCORES = {
    "stray-stop": 0.85,
    "english-quotes": 0.95,
    "guillemet-space": 0.9,
    "garbled-amount": 0.9,
    "currency-format": 0.85,
    "number-format": 0.7,
    "doubled-word": 0.8,
    "capital": 0.6,
    "welded": 0.7,
    "untranslated": 0.5,
    "translated-name": 0.8,
    "calque": 0.6,
}
_ARTICLES = words("le la les l’ l' un une des du ce cet cette ces son sa ses leur leurs")
# Words that may precede « les » legitimately (« tous les », « entre les »…).
_BEFORE_ARTICLE_OK = words("tous toutes tout toute")
_ABBREVIATIONS = words(
    "m mm mme mlle dr pr me mgr st av env etc cf ex p pp vol no art al fig inc ltd corp co jr "
    "sr vs janv févr avr juil sept oct nov déc"
)
_SYMBOL_WORD = {"$": "dollars", "US$": "dollars", "€": "euros", "£": "livres", "¥": "yens"}
# English words that are not French, and common English words that MT leaves behind.
ENGLISH_FUNCTION = words(
    """the of and with for is are was were this that these those which will would has have
    been from by at its their our we they you it to in be not into about after before over
    under than then there here what who how why when where"""
)
ENGLISH_COMMON = words(
    """board directors chief executive officer spokesperson shareholders stakeholders layoffs
    earnings revenue chips supercomputer upgrade rollout lawsuit headquarters roadmap
    partnership insights feature release"""
)
# Calques of domain terms (guidelines, terminology/inappropriate): lemma → (context lemmas,
# correction). « former un modèle » → « entraîner ».
CALQUES = {
    "former": (frozenset({"modèle", "réseau", "algorithme", "ia", "llm"}), "entraîner"),
    "adresser": (frozenset({"problème", "question", "enjeu", "défi"}), "traiter"),
}
CALQUE_PHRASES = {
    "conseil des directeurs": "conseil d’administration",
    "apprentissage machine": "apprentissage automatique",
}


@dataclass(frozen=True, slots=True)
class _Error:
    start: int
    end: int
    label: str
    severity: str
    check: str
    correction: str | None = None
    comment: str | None = None


@cache
def _lexicon(nlp: Language) -> frozenset[str]:
    """Known French words: the lemmatizer's index (nouns, verbs, adjectives, adverbs) and
    stop words."""
    words: set[str] = set(nlp.Defaults.stop_words)
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
        if lookups.has_table("lemma_index"):
            index = lookups.get_table("lemma_index")
            for pos in ("noun", "verb", "adj", "adv"):
                words.update(index.get(pos, []))
    return frozenset(words)


def _known_french(tok: Token, lexicon: frozenset[str]) -> bool:
    """Whether the lower-cased word is French: itself, its lemma or its singular is known
    (a capitalised word is often left unlemmatised as a proper noun)."""
    low = tok.lower_
    forms = {low, tok.lemma_.lower()}
    if low.endswith(("s", "x")):
        forms.add(low[:-1])
    if low.endswith("aux"):
        forms.add(low[:-3] + "al")
    return not forms.isdisjoint(lexicon)


def _typography(text: str) -> Iterator[_Error]:
    for m in re.finditer(r"(?<=\w)\.(?=[ \u00a0]+[a-zà-ÿ])", text):
        word = re.search(r"(\w+)$", text[: m.start()])
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        yield _Error(
            m.start(),
            m.end(),
            "fluency/punctuation",
            "minor",
            "stray-stop",
            None,
            "supprimer (point au milieu de la phrase)",
        )
    for m in re.finditer(r"[“”]", text):
        fix = "« " if m.group() == "“" else " »"
        yield _Error(
            m.start(),
            m.end(),
            "fluency/punctuation",
            "minor",
            "english-quotes",
            fix,
            "guillemets anglais",
        )
    for m in re.finditer(r"«(?=[^\s\u00a0\u202f])", text):
        yield _Error(
            m.start(),
            m.end(),
            "fluency/punctuation",
            "minor",
            "guillemet-space",
            "« ",
            "espace manquante après «",
        )
    for m in re.finditer(r"(?<=[^\s\u00a0\u202f])»", text):
        yield _Error(
            m.start(),
            m.end(),
            "fluency/punctuation",
            "minor",
            "guillemet-space",
            " »",
            "espace manquante avant »",
        )


def _amounts(sdoc: Doc) -> Iterator[_Error]:
    text = sdoc.text
    for t in sdoc:
        if t.text not in CURRENCY_SYMBOLS:
            continue
        before = sdoc[t.i - 1] if t.i > 0 else None
        after = [x for x in sdoc[t.i + 1 : t.i + 3]]
        word = _SYMBOL_WORD.get(t.text, t.text)
        if before is not None and before.like_num and not before.is_alpha:
            rest = after[1:] if after and after[0].is_punct else after
            scale = rest[0] if rest and rest[0].lower_ in SCALE_WORDS else None
            if scale is None:
                continue
            number = before.text
            plural = (
                scale.lower_
                if scale.lower_.endswith("s") or number in ("1", "un")
                else scale.lower_ + "s"
            )
            fix = f"{number} {plural} de {word}"
            if after and after[0].is_punct:
                # « 100 $. milliard »: a reader cannot be sure of the value unless the text
                # gives it elsewhere
                restored = re.search(rf"\b{re.escape(number)}\s+{plural[:-1]}s?\s+d[e’']", text)
                severity = "major" if restored else "critical"
                yield _Error(
                    before.idx,
                    scale.idx + len(scale.text),
                    "accuracy/mistranslation",
                    severity,
                    "garbled-amount",
                    fix,
                    "montant illisible tel quel",
                )
            else:
                yield _Error(
                    before.idx,
                    scale.idx + len(scale.text),
                    "locale/currency-format",
                    "minor",
                    "currency-format",
                    fix,
                    None,
                )
        elif after and after[0].like_num and not after[0].is_alpha:
            end_tok = after[0]
            fix = f"{end_tok.text} {t.text}"
            if len(after) > 1 and after[1].lower_ in SCALE_WORDS:
                end_tok = after[1]
                fix = f"{after[0].text} {after[1].text} de {word}"
            yield _Error(
                t.idx,
                end_tok.idx + len(end_tok.text),
                "locale/currency-format",
                "minor",
                "currency-format",
                fix,
                None,
            )


def _numbers(sdoc: Doc) -> Iterator[_Error]:
    for t in sdoc:
        prev_char = sdoc.text[t.idx - 1] if t.idx > 0 else " "
        if not prev_char.isspace():
            continue  # « GPT-3.5 »
        if re.fullmatch(r"\d+\.\d+", t.text) and not re.fullmatch(r"\d{1,3}\.\d{3}", t.text):
            yield _Error(
                t.idx,
                t.idx + len(t.text),
                "locale/number-format",
                "minor",
                "number-format",
                t.text.replace(".", ","),
                "virgule décimale",
            )
        elif re.fullmatch(r"\d{1,3}(,\d{3})+", t.text) and (
            t.text.count(",") > 1
            or (
                t.i + 1 < len(sdoc)
                and sdoc[t.i + 1].is_alpha
                and sdoc[t.i + 1].lower_ not in SCALE_WORDS
            )
        ):
            yield _Error(
                t.idx,
                t.idx + len(t.text),
                "locale/number-format",
                "minor",
                "number-format",
                t.text.replace(",", "\u202f"),
                "séparateur de milliers",
            )


def _grammar(sdoc: Doc) -> Iterator[_Error]:
    for t in sdoc:
        if not t.is_alpha or t.i == 0:
            continue
        prev = sdoc[t.i - 1]
        if prev.lower_ == t.lower_ and t.lower_ not in ("nous", "vous"):
            yield _Error(
                t.idx,
                t.idx + len(t.text),
                "fluency/grammar",
                "minor",
                "doubled-word",
                None,
                "supprimer (mot répété)",
            )
            continue
        # « les deux les entreprises »: a second article before the noun
        if t.lower_ in _ARTICLES and t.pos_ in ("DET", "ADP") and t.i >= 2:
            mid, first = sdoc[t.i - 1], sdoc[t.i - 2]
            if (
                mid.like_num
                and first.lower_ in _ARTICLES
                and (t.i < 3 or sdoc[t.i - 3].lower_ not in _BEFORE_ARTICLE_OK)
            ):
                yield _Error(
                    t.idx,
                    t.idx + len(t.text),
                    "fluency/grammar",
                    "minor",
                    "doubled-word",
                    None,
                    "supprimer (article répété)",
                )


def _spelling(sdoc: Doc, document: Document, lexicon: frozenset[str]) -> Iterator[_Error]:
    starts = {s.start for s in document.sentences} | {p.start for p in document.paragraphs}
    in_entity = {i for e in sdoc.ents for i in range(e.start, e.end)}
    for t in sdoc:
        if not (t.is_title and t.is_alpha and len(t.text) > 1) or t.idx in starts or t.i == 0:
            continue
        prev = sdoc[t.i - 1]
        if (prev.is_punct and prev.text not in (",", ";")) or prev.is_space:
            continue  # after an opening quote, a colon, a dash: a capital may start
        low = t.lower_
        nxt = sdoc[t.i + 1] if t.i + 1 < len(sdoc) else None
        demonym_adjective = low in DEMONYMS and prev.is_lower and prev.pos_ in ("NOUN", "ADJ")
        if t.i in in_entity and not demonym_adjective:
            continue
        if low in _ARTICLES and nxt is not None and (nxt.is_title or nxt.is_upper):
            continue  # « La Poste », « Le Monde »
        if demonym_adjective or _known_french(t, lexicon):
            yield _Error(
                t.idx,
                t.idx + len(t.text),
                "fluency/spelling",
                "minor",
                "capital",
                low,
                "majuscule au milieu de la phrase",
            )


def _welded_prefixes(sdoc: Doc, lexicon: frozenset[str]) -> Iterator[_Error]:
    """« co-fondateur » → « cofondateur »: the prefix co- is welded (except before i and u,
    where the hyphen avoids a misreading), when the welded word is known."""
    for t in sdoc:
        low = t.lower_
        if low.startswith("co-") and len(low) > 4 and low[3] not in "iu" and low[3:].isalpha():
            welded = "co" + low[3:]
            if welded in lexicon or welded.rstrip("s") in lexicon or low[3] in "bcdfgjlmnprstvz":
                yield _Error(
                    t.idx,
                    t.idx + len(t.text),
                    "fluency/spelling",
                    "minor",
                    "welded",
                    t.text[:2] + t.text[3:],
                    "préfixe soudé",
                )


def _untranslated(sdoc: Doc, lexicon: frozenset[str]) -> Iterator[_Error]:
    in_entity = {i for e in sdoc.ents for i in range(e.start, e.end)}

    def english(t: Token) -> bool:
        low = t.lower_
        return (
            t.is_alpha
            and t.i not in in_entity
            and (low in ENGLISH_FUNCTION or low in ENGLISH_COMMON or not _known_french(t, lexicon))
            and not t.is_title
        )

    i = 0
    while i < len(sdoc):
        if not english(sdoc[i]):
            i += 1
            continue
        j = i
        while j < len(sdoc) and english(sdoc[j]):
            j += 1
        run = sdoc[i:j]
        function = sum(t.lower_ in ENGLISH_FUNCTION for t in run)
        common = sum(t.lower_ in ENGLISH_COMMON for t in run)
        if (len(run) >= 2 and function) or common:
            a, b = i, j
            while (
                a < b
                and sdoc[a].lower_ not in ENGLISH_FUNCTION | ENGLISH_COMMON
                and not (b - a > 1 and sdoc[a + 1].lower_ in ENGLISH_FUNCTION)
            ):
                a += 1
            if a < b:
                yield _Error(
                    sdoc[a].idx,
                    sdoc[b - 1].idx + len(sdoc[b - 1].text),
                    "accuracy/untranslated",
                    "major",
                    "untranslated",
                    None,
                    "anglais non traduit",
                )
        i = j


def _translated_names(sdoc: Doc) -> Iterator[_Error]:
    kept = {e.text for e in sdoc.ents if e.text.startswith("The ") and len(e.text) > 4}
    for name in kept:
        rest = name[4:]
        for m in re.finditer(rf"(?<!\w)(?:L[’']|Le |La |Les ){re.escape(rest)}(?!\w)", sdoc.text):
            yield _Error(
                m.start(),
                m.end(),
                "accuracy/mistranslation",
                "major",
                "translated-name",
                name,
                f"nom propre traduit ; « {name} » ailleurs dans le texte",
            )


def _calques(sdoc: Doc) -> Iterator[_Error]:
    for t in sdoc:
        rule = CALQUES.get(t.lemma_.lower())
        if rule and t.pos_ in ("VERB", "NOUN", "ADJ"):
            context, fix = rule
            window = sdoc[t.i + 1 : t.i + 8]
            if any(x.lemma_.lower() in context or x.lower_ in context for x in window):
                yield _Error(
                    t.idx,
                    t.idx + len(t.text),
                    "terminology/inappropriate",
                    "minor",
                    "calque",
                    fix if t.lower_ == t.lemma_.lower() else None,
                    f"calque ; {fix}",
                )
    low = sdoc.text.lower()
    for phrase, fix in CALQUE_PHRASES.items():
        for m in re.finditer(re.escape(phrase), low):
            yield _Error(
                m.start(), m.end(), "terminology/inappropriate", "minor", "calque", fix, None
            )


def find_errors(sdoc: Doc, document: Document, nlp: Language) -> list[_Error]:
    """Every check over one processed document; overlapping reports of one problem are
    dropped (a garbled amount is not also a stray full stop)."""
    lexicon = _lexicon(nlp)
    found = [
        *_amounts(sdoc),
        *_typography(sdoc.text),
        *_numbers(sdoc),
        *_grammar(sdoc),
        *_spelling(sdoc, document, lexicon),
        *_welded_prefixes(sdoc, lexicon),
        *_untranslated(sdoc, lexicon),
        *_translated_names(sdoc),
        *_calques(sdoc),
    ]
    out: list[_Error] = []
    for err in found:  # the order above is the priority
        if err.check in ("stray-stop", "number-format", "capital") and any(
            o.start < err.end and err.start < o.end and o.label != err.label for o in out
        ):
            continue
        if any((o.start, o.end, o.label) == (err.start, err.end, err.label) for o in out):
            continue
        out.append(err)
    return sorted(out, key=lambda e: (e.start, e.end, e.label))


@register("translation_errors.checks")
class TranslationChecksPredictor(RulesPipelinePredictor):
    """Monolingual MQM checks with a proposed severity (see the module doc)."""

    name = "translation_errors.checks"
    layer = "translation_errors"

    def extract(self, sdoc: Doc, document: Document) -> Prediction:
        spans: list[Span] = []
        for e in find_errors(sdoc, document, self.load_nlp()):
            attrs: dict[str, str] = {"severity": e.severity}
            if e.correction is not None:
                attrs["correction"] = e.correction
            if e.comment is not None:
                attrs["comment"] = e.comment
            sid = f"{self.name}-{e.start}-{e.end}"
            if any(s.id == sid for s in spans):
                sid += f"-{e.check}"
            spans.append(
                Span(
                    sid,
                    e.start,
                    e.end,
                    document.text[e.start : e.end],
                    e.label,
                    CHECK_SCORES[e.check],
                    attrs,
                )
            )
        return Prediction(document.id, self.layer, self.version, spans)
