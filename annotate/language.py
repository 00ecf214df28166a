"""Detect an article's language when nobody said it.

The detector is `py3langid <https://pypi.org/project/py3langid/>`_ (a maintained fork of
langid.py): its model ships inside the wheel, so detection works offline and gives the same
answer on every machine. It is loaded on first use (about a second) and kept.

A guess below :data:`MIN_CONFIDENCE` is refused rather than recorded: a short or mixed
text (« Le chat dort. » scores 0.22) must be given its language.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from annotate.errors import CorpusError

__all__ = ["MIN_CONFIDENCE", "detect_language"]

MIN_CONFIDENCE = 0.5


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, file: str | None = None) -> str:
    """The ISO 639-1 code of ``text``'s language; a :class:`CorpusError` naming ``file``
    when the detector is not confident enough."""
    lang, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        raise CorpusError(
            f"cannot tell the language (best guess {lang!r} at {confidence:.0%})",
            file=file,
            hint='pass --lang, set lang in annotate.toml, or add "lang" to the article\'s metadata',
        )
    return str(lang)
