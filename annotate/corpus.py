"""Ingest articles (.txt, .md, .jsonl, .jsonl.gz, or a directory of them) into :class:`Document`s.

Normalisation is recorded in ``Document.normalisation``: a UTF-8 BOM is dropped, ``\\r\\n``
and lone ``\\r`` become ``\\n``, and the text is put in Unicode NFC. The document id is the
sha256 of the normalised text. Paragraphs are the non-empty lines; sentences are found by
French-aware rules (abbreviations such as « M. », initials, decimal numbers, a full stop
followed by a lower-case word as in « Microsoft. dans », closing quotes kept with their
sentence).

A ``.txt`` or ``.md`` article may have a metadata file beside it, ``<name>.meta.json``::

    {"lang": "fr", "title": "…", "machine_translated": true, "source_lang": "en",
     "boilerplate": [7], "license": "…", "url": "…"}

``boilerplate`` lists paragraph indexes that are not article content. A ``.md`` article may
instead (or as well) start with YAML front matter holding the same keys, between two
``---`` lines; a first ``# Heading`` becomes the title (unless the metadata gives one) and
the text starts at the body after it. A ``.jsonl`` file holds one article per line: an object
with ``text`` and the same keys; a ``.jsonl.gz`` file is one gzip-compressed (a corpus may
be many such shards). They are read line by line, so a shard of any size streams.

The language is, in order: the article's own ``lang``, the default the caller passes (the
``--lang`` flag or the project's ``annotate.toml``), else detected from the text
(:mod:`annotate.language`) and recorded as ``lang_detected``.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
import zlib
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import yaml

from annotate.errors import CorpusError
from annotate.language import detect_language
from annotate.model import Document, Segment, text_sha256

Problems = list[CorpusError] | None  # where bad files and lines go instead of being raised

__all__ = ["SUFFIXES", "make_document", "normalise", "read_articles", "split_sentences"]

SUFFIXES = (".txt", ".md", ".jsonl", ".jsonl.gz")

_META_KEYS = {"lang", "title", "url", "license", "machine_translated", "source_lang"}
_META_KEYS |= {"source_text", "boilerplate"}
# an empty file is a partial corpus (a write cut short or a wrong file), never nothing to do
_EMPTY_HINT = "put the article's text in it (a .jsonl: one JSON object per line), or remove it"


def normalise(text: str) -> tuple[str, list[str]]:
    """Return the normalised text and the names of the normalisations that changed it."""
    applied: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        applied.append("bom")
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
        applied.append("crlf")
    if "\r" in text:
        text = text.replace("\r", "\n")
        applied.append("cr")
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        text = nfc
        applied.append("nfc")
    return text, applied


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines, trimmed of surrounding white space, as offsets."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        out.append((start, start + len(stripped)))
    return out


# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATION_WORDS = (
    "m mm mme mmes mlle mlles dr pr me mgr st ste av apr env etc cf ex p pp vol no nº art al ch"
    " éd ed fig janv févr avr juil sept oct nov déc inc ltd corp co jr sr vs"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_CLOSERS = "\"'’”»)]"
_OPENERS = "«“\"'(["
# A candidate boundary: terminal punctuation, optional closing quotes, white space.
_BOUNDARY = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"\u00a0 ]*?(?=\s)")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence offsets within ``text[start:end]`` (French-aware rules, no model)."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    sent_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        # absorb closing quotes separated by a (non-breaking) space: « … . »
        k = stop
        while k < end and text[k] in " \u00a0" and k + 1 < end and text[k + 1] in _CLOSERS:
            k += 2
        stop = k
        nxt = stop
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break
        if not _starts_sentence(text[nxt]):
            continue
        if _is_abbreviation(text, m.start(), sent_start):
            continue
        piece = text[sent_start:stop].rstrip()
        if piece.strip():
            out.append((sent_start, sent_start + len(piece)))
        sent_start = nxt
    tail = text[sent_start:end]
    if tail.strip():
        lead = len(tail) - len(tail.lstrip())
        out.append((sent_start + lead, sent_start + len(tail.rstrip())))
    return out


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENERS


def _is_abbreviation(text: str, dot: int, sent_start: int) -> bool:
    if text[dot] != ".":
        return False
    begin = dot  # the word before the dot: the \w characters (alphanumeric or _) ending there
    while begin > sent_start and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        begin -= 1
    if begin == dot:
        return False
    word = text[begin:dot]
    # a single capital letter is an initial (« J. Smith »)
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def make_document(
    text: str,
    *,
    lang: str,
    title: str | None = None,
    url: str | None = None,
    license: str | None = None,
    machine_translated: bool = False,
    source_lang: str | None = None,
    source_text: str | None = None,
    source_path: str | None = None,
    boilerplate: list[int] | None = None,
    normalisation: list[str] | None = None,
    lang_detected: bool = False,
) -> Document:
    """Normalise ``text`` and segment it into paragraphs and sentences."""
    text, applied = normalise(text)
    applied = list(dict.fromkeys([*(normalisation or []), *applied]))
    if not text.strip():
        raise CorpusError("the article is empty", file=source_path, hint=_EMPTY_HINT)
    if source_text is not None:
        source_text, _ = normalise(source_text)
    boiler = set(boilerplate or [])
    paras = _paragraphs(text)
    bad = sorted(i for i in boiler if not 0 <= i < len(paras))
    if bad:
        raise CorpusError(
            f"boilerplate paragraph index {bad} out of range: the article has {len(paras)} paragraphs",
            file=source_path,
            json_path="$.boilerplate",
        )
    paragraphs = [Segment(s, e, i, "paragraph", i in boiler) for i, (s, e) in enumerate(paras)]
    sentences: list[Segment] = []
    for s, e in paras:
        for ss, se in split_sentences(text, s, e):
            sentences.append(Segment(ss, se, len(sentences), "sentence", False))
    return Document(
        id=text_sha256(text),
        text=text,
        lang=lang,
        paragraphs=paragraphs,
        sentences=sentences,
        normalisation=applied,
        title=title,
        url=url,
        license=license,
        machine_translated=machine_translated,
        source_lang=source_lang,
        source_text=source_text,
        source_path=source_path,
        lang_detected=lang_detected,
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"not UTF-8 (byte {exc.start}: {exc.reason})",
            file=path,
            hint="re-encode the file as UTF-8",
        ) from exc
    except OSError as exc:
        raise CorpusError(f"cannot read: {exc.strerror}", file=path) from exc


def _sidecar(path: Path) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.exists():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=meta_path
        ) from exc
    if not isinstance(meta, dict):
        raise CorpusError("metadata must be a JSON object", file=meta_path, json_path="$")
    return _check_meta(meta, meta_path, "$")


def _check_meta(meta: dict[str, Any], file: Path, where: str) -> dict[str, Any]:
    unknown = sorted(set(meta) - _META_KEYS - {"text", "id", "sha256"})
    if unknown:
        raise CorpusError(
            f"unknown metadata keys {unknown}; known: {sorted(_META_KEYS)}",
            file=file,
            json_path=where,
        )
    return {k: v for k, v in meta.items() if k in _META_KEYS}


def _front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, str | None]:
    """Split YAML front matter and a leading ``# Title`` line off a Markdown article."""
    meta: dict[str, Any] = {}
    stripped, _ = normalise(text)
    m = re.match(r"---\n(.*?)\n---\n", stripped, re.S)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise CorpusError(f"invalid YAML front matter: {exc}", file=path) from exc
        if not isinstance(loaded, dict):
            raise CorpusError("front matter must be a mapping", file=path)
        meta = _check_meta(loaded, path, "front matter")
        stripped = stripped[m.end() :]
    title = None
    # The heading is the title, not text: the body starts at its first non-blank line.
    h = re.match(r"\s*#[ \t]+([^\n]+)\n(?:[ \t]*\n)*", stripped)
    if h:
        title = h.group(1).strip()
        stripped = stripped[h.end() :]
    return meta, stripped, title


def _language(meta: dict[str, Any], text: str, where: str | Path) -> dict[str, Any]:
    """``meta`` with its language: the one given (file metadata over the default), else the
    detected one, recorded as detected."""
    if meta.get("lang"):
        return meta
    return {**meta, "lang": detect_language(text, file=str(where)), "lang_detected": True}


def _read_file(
    path: Path, defaults: dict[str, Any], problems: Problems = None
) -> Iterator[Document]:
    if _suffix(path) in (".jsonl", ".jsonl.gz"):
        if not (yield from _read_jsonl(path, defaults, problems)):
            what = "no article: the file is empty or only blank lines"
            raise CorpusError(what, file=path, hint=_EMPTY_HINT)
        return
    raw = _read_text(path)
    meta = {**defaults, **_sidecar(path)}
    pre: list[str] = []
    if path.suffix == ".md":
        front, raw, title = _front_matter(raw, path)
        meta = {**meta, **front}
        if title and not meta.get("title"):
            meta["title"] = title
        pre = normalise(_read_text(path))[1]
    yield make_document(
        raw, source_path=path.as_posix(), normalisation=pre, **_language(meta, raw, path)
    )


def _read_jsonl(
    path: Path, defaults: dict[str, Any], problems: Problems = None
) -> Generator[Document, None, bool]:
    """The documents of a JSON Lines file (gzip-compressed for ``.jsonl.gz``), read line by
    line, never whole; a bad line goes to ``problems`` (see below). Returns whether the file
    had a line that is not blank."""
    lineno, found = 0, False
    try:
        with _open_lines(path) as lines:
            for lineno, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                found = True
                try:
                    yield _jsonl_document(path, lineno, line, defaults)
                except CorpusError as exc:
                    _keep(problems, exc)
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"line {lineno + 1}: not UTF-8 ({exc.reason})",
            file=path,
            hint="re-encode the file as UTF-8",
        ) from exc
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        what = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise CorpusError(f"cannot read after line {lineno}: {what}", file=path) from exc
    return found


def _open_lines(path: Path) -> IO[str]:
    """``path`` as text lines (``\n``, ``\r\n`` or ``\r`` ends), gunzipped for ``.gz``."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _jsonl_document(path: Path, lineno: int, line: str, defaults: dict[str, Any]) -> Document:
    where = f"{path.as_posix()}:{lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        msg = f"line {lineno}: invalid JSON at column {exc.colno}: {exc.msg}"
        raise CorpusError(msg, file=path) from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise CorpusError(
            f"line {lineno}: expected an object with a string 'text'",
            file=path,
            json_path="$.text",
        )
    meta = {**defaults, **_check_meta(obj, path, f"line {lineno}")}
    return make_document(obj["text"], source_path=where, **_language(meta, obj["text"], where))


def read_articles(
    path: str | Path | Sequence[str | Path], *, lang: str | None = None, problems: Problems = None
) -> Iterator[Document]:
    """Yield the documents of one article file or of every article file in a directory
    (sorted by path, so the order is stable), or of several such paths in the order given
    (a document met twice is yielded once). ``lang`` is the default language.

    With ``problems``, every bad file and bad ``.jsonl`` line is added to it and the reading
    goes on, so that a caller reports them all at once; without, the first is raised."""
    if not isinstance(path, (str, Path)):
        seen: set[str] = set()
        for one in path:
            for doc in read_articles(one, lang=lang, problems=problems):
                if doc.id not in seen:
                    seen.add(doc.id)
                    yield doc
        return
    root = Path(path)
    defaults: dict[str, Any] = {"lang": lang} if lang else {}
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if _suffix(p) in SUFFIXES and p.is_file())
        if not files:
            raise CorpusError(f"no {', '.join(SUFFIXES)} files", file=root)
    elif root.is_file():
        if _suffix(root) not in SUFFIXES:
            raise CorpusError(
                f"unsupported file type {_suffix(root)!r}; expected one of {', '.join(SUFFIXES)}",
                file=root,
            )
        files = [root]
    else:
        raise CorpusError("no such file or directory", file=root)
    for f in files:
        try:
            yield from _read_file(f, defaults, problems)
        except CorpusError as exc:
            _keep(problems, exc)


def _suffix(path: Path) -> str:
    """The article kind of a file name: ``.jsonl.gz`` for a gzipped JSON Lines shard, else
    its last suffix."""
    return ".jsonl.gz" if path.name.endswith(".jsonl.gz") else path.suffix


def _keep(problems: list[CorpusError] | None, exc: CorpusError) -> None:
    if problems is None:
        raise exc
    problems.append(exc)
