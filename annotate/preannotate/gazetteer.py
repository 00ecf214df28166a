"""Word lists for the rule-based predictors: a gazetteer of names, and the closed lists the
entity and claim rules are written from (demonyms, currencies, time words, titles).

The built-in gazetteer holds well-known organisations, products and facilities of news about
technology, economy and politics. A user extends it with a file, one entry a line::

    # label <TAB> name [<TAB> Wikidata QID]
    ORG	Mistral AI	Q119887220
    FAC	Nova

or with a ``.jsonl`` file of spaCy EntityRuler patterns (``{"label": "ORG", "pattern": …}``,
optionally ``"id"`` for the QID). Names are matched case-sensitively, token by token.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError

__all__ = [
    "BUILTIN_GAZETTEER",
    "CURRENCY_SYMBOLS",
    "CURRENCY_WORDS",
    "DEMONYMS",
    "ENTITY_LABELS",
    "INSTITUTION_HEADS",
    "LANGUAGE_FORMS",
    "LEADING_NOUNS",
    "MONTHS",
    "NOT_ENTITIES",
    "NUMBER_WORDS",
    "RELATIVE_TIME",
    "SCALE_WORDS",
    "TIME_UNITS",
    "VAGUE_QUANTIFIERS",
    "WEEKDAYS",
    "GazetteerEntry",
    "load_gazetteer",
    "words",
]

ENTITY_LABELS = (
    "PER",
    "ORG",
    "LOC",
    "FAC",
    "PRODUCT",
    "EVENT",
    "DATE",
    "MONEY",
    "QUANTITY",
    "MISC",
)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One name: its label, the exact text (or a token pattern) and an optional Wikidata QID."""

    label: str
    pattern: str | list[dict[str, Any]]
    kb_id: str | None = None

    def to_ruler_pattern(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "pattern": self.pattern}
        if self.kb_id:
            out["id"] = self.kb_id
        return out


# QIDs only where they are certain (the guidelines: "leave it empty otherwise").
_ORGS = """
Microsoft	Q2283
Google	Q95
Apple	Q312
Alphabet
Amazon
Meta
Facebook
Nvidia
NVIDIA
Intel
AMD
IBM
Oracle
Samsung
Huawei
Tencent
Alibaba
Baidu
ByteDance
TikTok
Tesla
SpaceX
xAI
OpenAI
Anthropic
DeepMind
Google DeepMind
Mistral AI
Hugging Face
Cohere
Inflection AI
Stability AI
Midjourney
Perplexity
Salesforce
Qualcomm
TSMC
ASML
Broadcom
Cisco
Dell
HP
Lenovo
Sony
Netflix
Uber
Airbnb
X Corp
Twitter
LinkedIn
GitHub
SoftBank
Oracle
BlackRock
Goldman Sachs
JPMorgan
Morgan Stanley
Airbus
Boeing
Renault
Stellantis
Peugeot
Volkswagen
Toyota
TotalEnergies
EDF
Engie
Orange
SNCF
La Poste
Thales
Dassault Systèmes
Capgemini
Atos
Ubisoft
Bouygues
SFR
LVMH
L’Oréal
BNP Paribas
Société générale
Crédit agricole
Reuters
Bloomberg
Associated Press
AFP
Agence France-Presse
The Information
The New York Times
New York Times
The Wall Street Journal
Wall Street Journal
The Washington Post
Washington Post
Financial Times
The Guardian
The Verge
TechCrunch
Wired
Politico
Axios
CNBC
CNN
BBC
Le Monde
Le Figaro
Libération
Les Échos
L’Équipe
Le Parisien
Mediapart
BFM TV
France Info
franceinfo
Radio France
France Télévisions
UE	Q458
Union européenne	Q458
Commission européenne
Parlement européen
Conseil européen
Banque centrale européenne
BCE
ONU
Nations unies
OTAN
OCDE
FMI
Banque mondiale
OMS
OMC
G7
G20
CNIL
Arcom
Autorité de la concurrence
AMF
Insee
Bercy
Sénat
Assemblée nationale
Conseil d’État
Conseil constitutionnel
Cour de justice de l’Union européenne
CMA
FTC
SEC
FCC
Congrès
Maison-Blanche
Pentagone
Département de la Justice
NASA
CNRS
Inria
"""

_PRODUCTS = """
ChatGPT
GPT-4
GPT-4o
GPT-4 Turbo
GPT-3.5
GPT-5
DALL-E
Sora
Copilot
Microsoft Copilot
GitHub Copilot
Bing
Azure
Microsoft Azure
Windows
Windows 11
Gemini
Bard
Claude
Llama
Mistral Large
Grok
Siri
Alexa
iPhone
iPad
Android
YouTube
Instagram
WhatsApp
Gmail
Google Maps
Google Cloud
AWS
Amazon Web Services
Vision Pro
PlayStation
Xbox
Model 3
Model Y
Cybertruck
Starlink
H100
A100
Blackwell
"""

_FACILITIES = """
tour Eiffel
centrale de Flamanville
Station spatiale internationale
ISS
"""

# LOC is mostly found by the model; these are places it often misses or mislabels.
_LOCS = """
États-Unis
Royaume-Uni
Pays-Bas
Émirats arabes unis
Silicon Valley
Union soviétique
"""


def _parse_block(label: str, block: str) -> list[GazetteerEntry]:
    out = []
    for line in block.strip().splitlines():
        name, _, qid = line.partition("\t")
        out.append(GazetteerEntry(label, name.strip(), qid.strip() or None))
    return out


BUILTIN_GAZETTEER: tuple[GazetteerEntry, ...] = tuple(
    dict.fromkeys(
        [
            *_parse_block("ORG", _ORGS),
            *_parse_block("PRODUCT", _PRODUCTS),
            *_parse_block("FAC", _FACILITIES),
            *_parse_block("LOC", _LOCS),
        ]
    )
)


def load_gazetteer(path: str | Path) -> list[GazetteerEntry]:
    """Read a user gazetteer: ``.jsonl`` EntityRuler patterns, or ``label<TAB>name[<TAB>QID]``
    lines (``.tsv``/``.txt``; ``#`` starts a comment). Every bad line is reported at once."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read gazetteer: {exc.strerror}", file=file) from exc
    entries: list[GazetteerEntry] = []
    problems: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if file.suffix == ".jsonl":
            entry, problem = _jsonl_entry(line)
        else:
            entry, problem = _tsv_entry(raw)
        if problem:
            problems.append(f"line {lineno}: {problem}")
        elif entry is not None:
            entries.append(entry)
    if problems:
        raise ConfigError(
            "invalid gazetteer: " + "; ".join(problems),
            file=file,
            hint=f"labels are {', '.join(ENTITY_LABELS)}; lines are label<TAB>name[<TAB>QID]",
        )
    return entries


def _tsv_entry(raw: str) -> tuple[GazetteerEntry | None, str | None]:
    parts = [p.strip() for p in raw.rstrip("\n").split("\t")]
    if len(parts) < 2 or not parts[1]:
        return None, "expected label<TAB>name[<TAB>QID]"
    label, name = parts[0], parts[1]
    qid = parts[2] if len(parts) > 2 and parts[2] else None
    return _checked(label, name, qid)


def _jsonl_entry(line: str) -> tuple[GazetteerEntry | None, str | None]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON at column {exc.colno}: {exc.msg}"
    if not isinstance(obj, dict) or "label" not in obj or "pattern" not in obj:
        return None, 'expected {"label": …, "pattern": …}'
    pattern = obj["pattern"]
    if not isinstance(pattern, str | list) or not pattern:
        return None, "pattern must be a string or a list of token patterns"
    return _checked(str(obj["label"]), pattern, obj.get("id"))


def _checked(
    label: str, pattern: str | list[dict[str, Any]], qid: str | None
) -> tuple[GazetteerEntry | None, str | None]:
    if label not in ENTITY_LABELS:
        return None, f"unknown label {label!r}"
    if qid is not None and not (qid.startswith("Q") and qid[1:].isdigit()):
        return None, f"kb id {qid!r} is not a Wikidata QID"
    return GazetteerEntry(label, pattern, qid), None


def words(text: str) -> frozenset[str]:
    """The white-space separated words of ``text``: how the word lists here are written."""
    return frozenset(text.split())


def _inflect(stems: Iterable[str]) -> frozenset[str]:
    """Masculine/feminine, singular/plural forms of French adjectives given as ``stem|fem``
    (``britannique``, ``français|française``, ``européen|européenne``)."""
    out: set[str] = set()
    for item in stems:
        masc, _, fem = item.partition("|")
        fem = fem or (masc if masc.endswith("e") else masc + "e")
        for form in (masc, fem):
            out.add(form)
            out.add(form if form.endswith(("s", "x")) else form + "s")
    return frozenset(out)


# Nationality words, matched in lower case; they are MISC (guidelines: demonyms).
DEMONYMS = _inflect(
    words(
        """britannique anglais|anglaise écossais|écossaise irlandais|irlandaise gallois|galloise
        français|française allemand|allemande italien|italienne espagnol|espagnole
        portugais|portugaise belge suisse néerlandais|néerlandaise
        luxembourgeois|luxembourgeoise autrichien|autrichienne polonais|polonaise
        suédois|suédoise norvégien|norvégienne danois|danoise finlandais|finlandaise
        grec|grecque russe ukrainien|ukrainienne turc|turque européen|européenne
        américain|américaine nord-américain|nord-américaine sud-américain|sud-américaine
        canadien|canadienne mexicain|mexicaine brésilien|brésilienne argentin|argentine
        chilien|chilienne chinois|chinoise japonais|japonaise coréen|coréenne
        sud-coréen|sud-coréenne nord-coréen|nord-coréenne taïwanais|taïwanaise indien|indienne
        pakistanais|pakistanaise iranien|iranienne israélien|israélienne
        palestinien|palestinienne saoudien|saoudienne émirati|émiratie qatari|qatarie
        égyptien|égyptienne marocain|marocaine algérien|algérienne tunisien|tunisienne
        africain|africaine sud-africain|sud-africaine nigérian|nigériane
        australien|australienne asiatique franco-allemand|franco-allemande franco-britannique"""
    )
)

# Demonyms that are also language names: « en français », « l’anglais » are not annotated.
LANGUAGE_FORMS = words(
    """anglais français allemand italien espagnol portugais russe chinois japonais arabe
        néerlandais coréen polonais grec turc"""
)

# Head nouns of institution names: « Commission européenne » is one ORG, not a MISC inside.
INSTITUTION_HEADS = words(
    """commission banque parlement conseil cour union agence autorité office université
        assemblée fédération organisation ministère institut centre fondation comité haute
        haut académie école tribunal parquet direction caisse bourse"""
)

# Words the model glues to the front of a name (titles, roles and generic heads, which the
# guidelines leave out of the span), compared in lower case.
LEADING_NOUNS = words(
    """m. mme mlle me dr pr mgr pdg ceo dg président présidente directeur directrice ministre
        porte-parole patron patronne fondateur fondatrice cofondateur cofondatrice
        co-fondateur co-fondatrice chef cheffe député députée sénateur sénatrice maire
        analyste analystes partenariat partenariats accord accords alliance contrat fusion
        rachat projet programme plan groupe géant firme société entreprise start-up startup
        rival concurrent partenaire filiale régulateur régulateurs autorités dirigeant
        dirigeants rapport étude selon investissement annonce modèle assistant chatbot
        plateforme application service"""
)

# Words never proposed as an entity on their own (generic technologies, roles).
NOT_ENTITIES = words("IA AI PDG CEO DG Internet")

MONTHS = words(
    """janvier février mars avril mai juin juillet août septembre octobre novembre décembre
        janv. févr. avr. juil. sept. oct. nov. déc."""
)
WEEKDAYS = words("lundi mardi mercredi jeudi vendredi samedi dimanche")
TIME_UNITS = words(
    """an ans année années mois semaine semaines jour jours journée journées trimestre
        trimestres semestre semestres décennie décennies siècle siècles heure heures minute
        minutes week-end week-ends été hiver printemps automne exercice"""
)
RELATIVE_TIME = words(
    """dernier dernière derniers dernières prochain prochaine prochains prochaines passé
        passée passés passées suivant suivante suivants suivantes précédent précédente
        précédents précédentes"""
)
# Number words that count (« un »/« une » are left out: they are articles far more often).
NUMBER_WORDS = words(
    """deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
        dix-sept dix-huit dix-neuf vingt trente quarante cinquante soixante soixante-dix
        quatre-vingt quatre-vingts quatre-vingt-dix cent cents mille"""
)
VAGUE_QUANTIFIERS = words("plusieurs quelques")
SCALE_WORDS = words(
    """millier milliers million millions milliard milliards billion billions mille centaine
        centaines dizaine dizaines"""
)
CURRENCY_WORDS = words(
    """dollar dollars euro euros livre livres yen yens yuan yuans franc francs roupie roupies
        rouble roubles bitcoin bitcoins USD EUR GBP"""
)
CURRENCY_SYMBOLS = words("$ € £ ¥ US$ M$ Md$ G$ M€ Md€")
