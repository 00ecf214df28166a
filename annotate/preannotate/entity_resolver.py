"""The second component of the ``entities.rules`` pipeline: ``annotate_entity_resolver``.

It runs after the model and ``annotate_entity_rules`` (see :mod:`annotate.preannotate.entities`)
and turns the model's entities and the rule spans into the document's entities, drawing
boundaries the way the guidelines do: no articles, elided words, titles or generic heads;
no stray capitalised word glued to a name; no lower-case role. Rules win over the model,
except that the longest name wins over a gazetteer name or demonym inside it
(« Commission européenne »); names are labelled from their head noun (« le centre de
données Nova » → FAC « Nova », « M. Dupont » → PER; « … est appelé « X » » after the
subject's head noun); and the labels of a document are made consistent (one name, one
label; « L’X » gets the label of « The X »; missed mentions are added).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate.preannotate.gazetteer import (
    INSTITUTION_HEADS,
    LANGUAGE_FORMS,
    LEADING_NOUNS,
    MONTHS,
    NOT_ENTITIES,
    SCALE_WORDS,
    WEEKDAYS,
    words,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

__all__ = ["MODEL_LABELS", "RULES_KEY", "RULE_PRIORITY", "EntityResolver"]

# The model's labels, mapped to ours (the same four names).
MODEL_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
# Where ``annotate_entity_rules`` leaves its spans (``doc.spans``) for the resolver.
RULES_KEY = "annotate_rules"
# Which rule wins when two rule spans of the same length overlap.
RULE_PRIORITY = {"gazetteer": 6, "money": 5, "date": 4, "quantity": 3, "demonym": 2, "head": 1}
_ORDINALS = words("premier première premiers premières second seconde seconds secondes")

# Head nouns that say what kind of thing the following (or naming) name is.
_FAC_HEADS = words(
    "centre centres datacenter datacenters campus usine usines site sites centrale aéroport "
    "stade pont bâtiment siège entrepôt raffinerie mine gigafactory installation "
    "installations complexe"
)
_PLAN_HEADS = words("plan programme projet initiative opération mission stratégie fonds chantier")
_PRODUCT_HEADS = words(
    "modèle modèles application logiciel puce processeur smartphone voiture robot chatbot "
    "assistant console casque supercalculateur superordinateur"
)
_ORG_HEADS = words(
    "cabinet constructeur opérateur fabricant éditeur assureur syndicat parti quotidien "
    "journal hebdomadaire magazine agence banque start-up startup groupe firme société"
)
_NAMING_LEMMAS = words("appeler baptiser nommer surnommer dénommer")
# Capitals and seats of power that stand for a government when they act (guidelines:
# metonymy); countries stay LOC.
_SEATS = words(
    "Bruxelles Washington Pékin Moscou Londres Berlin Paris Tokyo Kiev Kyiv Matignon Élysée "
    "Bercy Kremlin Maison-Blanche Pentagone"
)
_ACTING_LEMMAS = words(
    """vouloir décider annoncer imposer menacer exiger démentir répliquer souhaiter refuser
    accuser sanctionner trancher autoriser interdire bloquer approuver condamner dénoncer
    réclamer juger estimer affirmer déclarer prévoir envisager négocier signer"""
)
# Words that make a bare amount money (« le chantier coûtera 100 milliards »).
_MONEY_CUES = words(
    """coûter coût coûts investir investissement lever levée financer financement dépenser
    dépense payer débourser budget montant amende valoir valorisation chiffre prix
    subvention facture"""
)
_LOWER_ARTICLES = words("le la les l’ l' d’ d' de du des au aux un une")
_ELIDED = re.compile(r"^\w{1,3}['’]$")


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    label: str
    source: str  # "model" or a key of RULE_SCORES
    kb_id: str = ""

    def inside(self, other: _Cand) -> bool:
        return other.start <= self.start and self.end <= other.end


# Honorifics and roles before a person's name (« M. Dupont », « la ministre Claire Vasseur »).
_PER_HEADS = words(
    """m. mme mlle mmes dr pr me président présidente ministre directeur directrice pdg
    porte-parole député députée sénateur sénatrice maire juge commissaire"""
)
_ALL_HEADS = _ORG_HEADS | _FAC_HEADS | _PLAN_HEADS | _PRODUCT_HEADS | _PER_HEADS


def _hashes(doc: Doc, items: frozenset[str]) -> Any:
    """The string hashes of ``items`` in the doc's vocabulary, for ``numpy.isin``."""
    import numpy

    return numpy.array(sorted(doc.vocab.strings.add(w) for w in items), dtype="uint64")


def _head_label(word: str) -> str | None:
    word = word.lower()
    if word in _PER_HEADS:
        return "PER"
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
    return (bool(tok.is_title or tok.is_upper) and tok.is_alpha) or (tok.like_num and tok.i > 0)


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
            if r.label == "DATE":
                self._extend_date(doc, r)
        for r in rules:
            if r.label == "QUANTITY" and doc[r.end - 1].lower_ in SCALE_WORDS:
                before = doc[max(0, r.start - 4) : r.start]
                if any(t.lemma_.lower() in _MONEY_CUES or t.lower_ in _MONEY_CUES for t in before):
                    r.label, r.source = "MONEY", "money"
        # rule spans: the longest first, then by kind; each token has at most one owner
        owner: list[_Cand | None] = [None] * len(doc)
        chosen: list[_Cand] = []
        for r in sorted(
            [*rules, *self._head_names(doc)],
            key=lambda c: (c.end - c.start, RULE_PRIORITY.get(c.source, 0), -c.start),
            reverse=True,
        ):
            if all(owner[i] is None for i in range(r.start, r.end)):
                chosen.append(r)
                owner[r.start : r.end] = [r] * (r.end - r.start)
        final = {id(c): c for c in chosen}
        for m in model:
            hits = {id(o): o for o in owner[m.start : m.end] if o is not None}
            if not hits:
                final[id(m)] = m
            elif len(hits) == 1 and self._model_wins(doc, m, hit := next(iter(hits.values()))):
                del final[id(hit)]
                if hit.source == "gazetteer" and hit.start == m.start:
                    m.label, m.kb_id = hit.label, hit.kb_id
                final[id(m)] = m
        result = self._consistent(doc, list(final.values()))
        from spacy.tokens import Span as SpacySpan

        doc.ents = [
            SpacySpan(doc, c.start, c.end, label=c.label, kb_id=c.kb_id, span_id=c.source)
            for c in sorted(result, key=lambda c: c.start)
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
        if r.source in ("quantity", "money"):
            nxt = doc[r.start + 1].lower_ if r.start + 1 < len(doc) else ""
            if first.lower_ in ("un", "une") and nxt not in SCALE_WORDS:
                return False  # an article, not a count
            if first.lower_ in _ORDINALS or first.lower_.endswith(("ième", "ièmes")):
                return False  # ordinals are not annotated
        if r.source == "quantity" and prev in {"les", "ces", "des", "aux", "leurs", "ses", "nos"}:
            # « les deux sociétés » refers back to entities already named
            return first.lower_ in SCALE_WORDS
        if r.source == "date":
            years = [t for t in doc[r.start : r.end] if t.shape_ == "dddd"]
            return all(1500 <= int(t.text) <= 2099 for t in years)
        return True

    @staticmethod
    def _extend_date(doc: Doc, r: _Cand) -> None:
        """Add what the DATE patterns leave to context: a weekday before a calendar date
        (« lundi 3 mars »), and a free-standing article before a date built on a common noun
        of time (« l’année prochaine », « la fin de l’année »), not before a calendar date."""
        if r.start == 0:
            return
        prev = doc[r.start - 1]
        calendar = any(t.lower_ in MONTHS or t.shape_ in ("d", "dd") for t in doc[r.start : r.end])
        weekday = prev.lower_ in WEEKDAYS and calendar
        article = (
            prev.lower_ in ("le", "la", "l’", "l'", "les")
            and not calendar
            and doc[r.start].shape_ != "dddd"
        )
        if weekday or article:
            r.start -= 1

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
                or (_ELIDED.match(tok.text) and (tok.text[0].islower()))
            ) or (low in LEADING_NOUNS and rest_is_name(start)):
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

        import numpy
        from spacy.attrs import LEMMA, LOWER

        arr = doc.to_array([LOWER, LEMMA])
        hits = numpy.isin(arr[:, 0], _hashes(doc, _ALL_HEADS)) | numpy.isin(
            arr[:, 1], _hashes(doc, _NAMING_LEMMAS)
        )
        for index in numpy.flatnonzero(hits).tolist():
            tok = doc[index]
            label = _head_label(tok.lower_)
            i = tok.i + 1
            if tok.lower_ in ("centre", "centres") and doc[i : i + 2].text.lower() in (
                "de données",
                "d’hébergement",
            ):
                i += 2 if doc[i].lower_ == "de" else 1
            if (
                label
                and i < len(doc)
                and _is_name_token(doc[i])
                and (tok.is_lower or label == "PER")
            ):
                j = name_from(i)
                if j > i:
                    out.append(_Cand(i, j, label, "head"))
            # « Nova, le centre de données de Reno »
            if (
                label
                and tok.i >= 3
                and doc[tok.i - 1].lower_ in _LOWER_ARTICLES
                and doc[tok.i - 2].text == ","
            ):
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
        from spacy.attrs import IDX, LENGTH

        text = doc.text
        offsets = doc.to_array([IDX, LENGTH]).tolist()

        def text_of(c: _Cand) -> str:
            return text[offsets[c.start][0] : offsets[c.end - 1][0] + offsets[c.end - 1][1]]

        names = {id(c): text_of(c) for c in final}
        ruled: dict[str, tuple[str, str, str]] = {}
        for c in final:
            if c.source != "model" and c.label not in ("DATE", "MONEY", "QUANTITY"):
                ruled.setdefault(names[id(c)], (c.label, c.kb_id, "propagated"))
        for name, (label, kb, _) in list(ruled.items()):
            if name.startswith("The ") and len(name) > 4:  # kept in English, translated elsewhere
                for art in ("L’", "L'", "Le ", "La ", "Les "):
                    ruled.setdefault(art + name[4:], (label, kb, "variant"))
        votes: dict[str, Counter[str]] = {}
        for c in final:
            if c.source == "model":
                votes.setdefault(names[id(c)], Counter())[c.label] += 1
        for c in final:
            if c.source != "model":
                continue
            name = names[id(c)]
            if name in ruled:
                c.label, c.kb_id, c.source = ruled[name]
            else:
                top = votes[name].most_common(2)
                if len(top) == 1 or top[0][1] > top[1][1]:
                    c.label = top[0][0]
        # « La Verge » beside « The Verge »: the translated form, article included, takes
        # the label of the kept English name (guidelines: garbled translations)
        variants = {n: v for n, v in ruled.items() if v[2] == "variant"}
        if variants:
            pattern = "|".join(re.escape(n) for n in sorted(variants, key=len, reverse=True))
            for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text):
                span = doc.char_span(m.start(), m.end())
                if span is None:
                    continue
                inside = [c for c in final if span.start <= c.start and c.end <= span.end]
                if len(inside) != sum(c.start < span.end and span.start < c.end for c in final):
                    continue  # a longer span crosses it: leave it
                label, kb, _ = variants[m.group()]
                final = [c for c in final if c not in inside]
                variant = _Cand(span.start, span.end, label, "variant", kb)
                final.append(variant)
                names[id(variant)] = m.group()
        # mentions of a known name that neither the model nor a rule found
        known = {
            names[id(c)]: c
            for c in final
            if c.label not in ("DATE", "MONEY", "QUANTITY")
            and len(names[id(c)]) > 1
            and names[id(c)][0].isupper()
        }
        if not known:
            return final
        taken = bytearray(len(doc))
        for c in final:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        alternatives = "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True))
        added: list[_Cand] = []
        for m in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text):
            span = doc.char_span(m.start(), m.end())
            if span is None or any(taken[span.start : span.end]):
                continue
            c = known[m.group()]
            added.append(_Cand(span.start, span.end, c.label, "propagated", c.kb_id))
            taken[span.start : span.end] = b"\x01" * (span.end - span.start)
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
