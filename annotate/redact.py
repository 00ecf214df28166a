"""Secrets never reach a message: one redaction function for every text that may hold a
server's answer, a request's headers or a URL.

:func:`redact` replaces

- every secret the process was configured with (the Label Studio key, ``HF_TOKEN``:
  registered with :func:`remember_secret` where they are read), also URL-encoded;
- ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``X-Api-Key`` header values, in
  header lines, Python reprs and JSON alike; ``Token …``, ``Bearer …`` and ``Basic …``
  credentials;
- the ``user:password@`` part of URLs and ``token=``/``api_key=``/``password=`` query values;
- anything shaped like a key: Label Studio legacy tokens (40 hex digits), JWTs
  (personal access tokens), Hugging Face tokens (``hf_…``).

:func:`summarise_body` turns a response body into one short line (the first line of a JSON
``detail``, or of the text); an HTML page is never shown, only its title and size.

:class:`annotate.errors.AnnotateError` passes its message and hint through :func:`redact`,
so no error the library raises can carry a secret, wherever it was formatted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["REDACTED", "forget_secrets", "redact", "remember_secret", "summarise_body"]

REDACTED = "[redacted]"
MIN_SECRET_LEN = 8  # shorter values would redact ordinary words
SUMMARY_LEN = 200

_secrets: set[str] = set()

_HEADER = re.compile(
    r"""(?ix)
    (["']?\b(?:proxy-)?authorization|["']?\bx-api-key|["']?\bcookie|["']?\bset-cookie)
    (["']?\s*[:=]\s*["']?)
    ([^"'\r\n]+)"""
)
# a credential after its scheme: long and with a digit, so that prose ("token header") stays
_SCHEME_CREDENTIAL = re.compile(
    r"(?i)\b(token|bearer|basic)(\s+)(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}"
)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@")
_QUERY = re.compile(
    r"(?i)([?&;](?:token|api[_-]?key|apikey|access[_-]?token|refresh|key|password|secret)=)[^&\s'\"]+"
)
_KEY_SHAPES = re.compile(
    r"\b[0-9a-f]{40}\b"  # Label Studio legacy token
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # a JWT
    r"|\bhf_[A-Za-z0-9]{20,}\b"  # a Hugging Face token
)
_HTML = re.compile(r"(?is)^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml)")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")


def remember_secret(value: str | None) -> None:
    """Redact ``value`` from every later message of this process (values shorter than 8
    characters are ignored: they would redact ordinary words)."""
    if value and len(value) >= MIN_SECRET_LEN:
        _secrets.add(value)


def forget_secrets() -> None:
    """Forget the remembered secrets (for tests)."""
    _secrets.clear()


def redact(text: str, *, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret, credential and key-shaped string replaced by
    ``[redacted]``; ``secrets`` are values to redact besides the remembered ones."""
    values = {s for s in secrets if s and len(s) >= MIN_SECRET_LEN} | _secrets
    for value in sorted(values, key=len, reverse=True):
        for form in {value, quote(value, safe=""), quote(value)}:
            text = text.replace(form, REDACTED)
    text = _HEADER.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
    text = _SCHEME_CREDENTIAL.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
    text = _USERINFO.sub(lambda m: f"{m[1]}{REDACTED}@", text)
    text = _QUERY.sub(lambda m: f"{m[1]}{REDACTED}", text)
    return _KEY_SHAPES.sub(REDACTED, text)


def summarise_body(body: Any, *, content_type: str | None = None, limit: int = SUMMARY_LEN) -> str:
    """One short, redacted line for a response body: the first line of a JSON ``detail``
    (or ``error``/``message``), else the first line of the text; for an HTML page only its
    title and size (a page may quote the request, headers included)."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    if isinstance(body, str):
        if (content_type and "html" in content_type.lower()) or _HTML.match(body):
            title = _TITLE.search(body)
            named = f" titled {_first_line(title[1])!r}" if title and title[1].strip() else ""
            return redact(f"an HTML page{named} ({len(body)} characters, not shown)")
        try:
            body = json.loads(body)
        except ValueError:
            return _clip(redact(_first_line(body)), limit)
    if isinstance(body, Mapping):
        for key in ("detail", "error", "message", "validation_errors"):
            if key in body and body[key] not in (None, "", [], {}):
                return _clip(redact(_first_line(_as_text(body[key]))), limit)
    return _clip(redact(_first_line(_as_text(body))), limit)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "(empty)"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
