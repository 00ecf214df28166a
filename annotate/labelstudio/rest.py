"""Label Studio's REST API over plain httpx: the connection, errors and retries of every call.

The official SDK costs about 155 MiB and seconds of start-up to import (it imports pandas
and every pydantic model of the API), so the paths that must stay small and quick — ``pull``
streaming an export of any size to disk — talk to the API through :class:`Api`: one
``httpx.Client``, the key in an ``Authorization`` header (a legacy token as ``Token …``, a
personal access token exchanged for a short-lived access token, sent as ``Bearer …``).

Retries (:func:`retrying`): only temporary failures (connection refused or reset, timeouts,
HTTP 5xx and 429) are retried, with exponential backoff and a bound; the transport also
retries connections that failed before a request was sent. Errors are
:class:`annotate.errors.LabelStudioError`; their messages carry the HTTP status and a
one-line summary of the server's answer (:func:`annotate.redact.summarise_body`), never the
API token, the request or response headers, or a URL's ``user:password@``. The same helpers
serve the SDK's errors (:mod:`annotate.labelstudio.client`) without importing the SDK.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from annotate.errors import AnnotateError, LabelStudioError
from annotate.redact import redact, remember_secret, summarise_body

__all__ = [
    "API_KEY_VAR",
    "EXPORT_TIMEOUT_S",
    "URL_VAR",
    "Api",
    "StatusError",
    "as_api",
    "as_error",
    "http_client",
    "is_temporary",
    "open_api",
    "read_dotenv",
    "retrying",
    "server_settings",
]

T = TypeVar("T")

URL_VAR = "LABEL_STUDIO_URL"
API_KEY_VAR = "LABEL_STUDIO_API_KEY"
EXPORT_TIMEOUT_S = 1800.0
RETRY_ATTEMPTS = 5
RETRY_FIRST_DELAY_S = 0.5
RETRY_MAX_DELAY_S = 8.0
_REFRESH_MARGIN_S = 30.0  # an access token this close to expiring is renewed first


class StatusError(Exception):
    """An HTTP answer outside 2xx: status, headers and body, as the SDK's ``ApiError``
    carries them (its str() is never shown: it may hold headers)."""

    def __init__(self, status_code: int, headers: dict[str, str], body: Any) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.headers = headers
        self.body = body


def _sdk_api_error() -> type[BaseException] | None:
    # An SDK error can only exist once the SDK was imported: never import it for this.
    module = sys.modules.get("label_studio_sdk.core.api_error")
    return getattr(module, "ApiError", None) if module else None


def _status_of(exc: BaseException) -> StatusError | None:
    if isinstance(exc, StatusError):
        return exc
    sdk_error = _sdk_api_error()
    if sdk_error is not None and isinstance(exc, sdk_error):
        status = getattr(exc, "status_code", None)
        return StatusError(status or 0, dict(getattr(exc, "headers", None) or {}), exc.body)  # type: ignore[attr-defined]
    return None


def is_temporary(exc: BaseException) -> bool:
    """Whether `exc` is worth a retry: a transport failure, an HTTP 5xx or 429."""
    if isinstance(exc, httpx.TransportError):  # refused, reset, timeouts, protocol errors
        return True
    status = _status_of(exc)
    return status is not None and (status.status_code >= 500 or status.status_code == 429)


def _first_line(exc: BaseException) -> str:
    return summarise_body(str(exc), content_type="text/plain")


def as_error(exc: BaseException, doing: str, **context: Any) -> AnnotateError:
    """A LabelStudioError for `exc`, saying what was being done; our own errors (a full
    disk while a download is written) pass as they are."""
    if isinstance(exc, AnnotateError):
        return exc
    status = _status_of(exc)
    if status is not None:
        hint = None
        if status.status_code == 401:
            hint = f"check {API_KEY_VAR} (scripts/label-studio.sh env prints a working one)"
        elif status.status_code == 404:
            hint = "the project, task or user may have been deleted on the server"
        content_type = {k.lower(): v for k, v in status.headers.items()}.get("content-type")
        summary = summarise_body(status.body, content_type=content_type)
        message = f"{doing}: HTTP {status.status_code}: {summary}"
        return LabelStudioError(message, hint=hint, **context)
    if isinstance(exc, httpx.TransportError):
        return LabelStudioError(
            f"{doing}: {type(exc).__name__}: {_first_line(exc)}",
            hint="is the server running? scripts/label-studio.sh status",
            **context,
        )
    return LabelStudioError(f"{doing}: {type(exc).__name__}: {_first_line(exc)}", **context)


def retrying(call: Callable[[], T], *, doing: str, **context: Any) -> T:
    """Run `call`, retrying temporary failures with exponential backoff; `call` must be
    safe to rerun as a whole."""
    delay = RETRY_FIRST_DELAY_S
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == RETRY_ATTEMPTS or not is_temporary(exc):
                raise as_error(exc, doing, **context) from exc
        time.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY_S)
    raise AssertionError("unreachable")


# --- configuration ---------------------------------------------------------------------


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and `export ` allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def server_settings(*, url: str | None, api_key: str | None) -> tuple[str, str]:
    """The server's URL and key: the argument, else the environment, else ``./.env``;
    both checked (the key remembered as a secret first, so no message can show it)."""
    dotenv = read_dotenv(Path.cwd() / ".env")
    url = url or os.environ.get(URL_VAR) or dotenv.get(URL_VAR)
    api_key = api_key or os.environ.get(API_KEY_VAR) or dotenv.get(API_KEY_VAR)
    if not url or not api_key:
        missing = [name for name, value in ((URL_VAR, url), (API_KEY_VAR, api_key)) if not value]
        raise LabelStudioError(
            f"Label Studio is not configured: {' and '.join(missing)} not set",
            hint="set them in the environment or .env; scripts/label-studio.sh start "
            "starts a local server and writes .env",
        )
    remember_secret(api_key)  # every later message is redacted of it
    if not url.startswith(("http://", "https://")):
        remember_secret(url)  # a key in the URL's place (the two swapped) is never shown
        swapped = api_key.startswith(("http://", "https://"))
        raise LabelStudioError(
            f"{URL_VAR} does not start with http:// or https:// (its value is not shown: "
            "it may be a key)"
            + (f"; {API_KEY_VAR} looks like a URL: are the two swapped?" if swapped else ""),
            hint="e.g. LABEL_STUDIO_URL=http://127.0.0.1:8080",
        )
    return url.rstrip("/"), api_key


def http_client() -> httpx.Client:
    """The httpx client every connection uses (the SDK's too)."""
    return httpx.Client(
        timeout=httpx.Timeout(60.0, connect=10.0),
        follow_redirects=True,
        # Retries only connections that failed before a request was sent: safe for any call.
        transport=httpx.HTTPTransport(retries=2),
    )


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` of a JWT (a personal access token, or the access token it gives), or
    None for a legacy token. The signature is the server's business, not ours."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


# --- the API ---------------------------------------------------------------------------


class Api:
    """Calls to one server's REST API with one key, over one ``httpx.Client``.

    :meth:`call` sends one request and returns the decoded JSON answer (None when empty);
    :meth:`download` streams an answer's body. Neither retries: wrap them in
    :func:`retrying` when the call is safe to resend.
    """

    def __init__(self, url: str, api_key: str, http: httpx.Client) -> None:
        self.url = url.rstrip("/")
        self._key = api_key
        self.http = http
        self._pat = _jwt_expiry(api_key) is not None
        self._access: str | None = None
        self._access_expiry = 0.0

    def _authorization(self) -> str:
        if not self._pat:
            return f"Token {self._key}"
        if self._access is None or time.time() > self._access_expiry - _REFRESH_MARGIN_S:
            answer = self._send("POST", "api/token/refresh/", json={"refresh": self._key})
            self._access = str(answer["access"])
            remember_secret(self._access)
            self._access_expiry = _jwt_expiry(self._access) or time.time() + 300
        return f"Bearer {self._access}"

    def _send(self, method: str, path: str, **options: Any) -> Any:
        response = self.http.request(method, f"{self.url}/{path.lstrip('/')}", **options)
        return _answer(response)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one request to ``<url>/<path>``; the answer's JSON, or StatusError."""
        headers = {"Authorization": self._authorization(), "Accept": "application/json"}
        options: dict[str, Any] = {"params": params, "headers": headers}
        if content is not None:
            options["content"] = content
            headers["Content-Type"] = "application/json"
        elif json is not None:
            options["json"] = json
        if timeout is not None:
            options["timeout"] = timeout
        return self._send(method, path, **options)

    @contextmanager
    def download(
        self, path: str, *, params: dict[str, Any] | None = None, chunk_size: int = 1 << 20
    ) -> Iterator[Iterator[bytes]]:
        """The body of a GET as an iterator of chunks, read from the socket as it is
        consumed (never held whole); an answer outside 2xx is a StatusError."""
        headers = {"Authorization": self._authorization()}
        url = f"{self.url}/{path.lstrip('/')}"
        timeout = httpx.Timeout(EXPORT_TIMEOUT_S, connect=10.0)
        with self.http.stream("GET", url, params=params, headers=headers, timeout=timeout) as r:
            if not 200 <= r.status_code < 300:
                r.read()
                _answer(r)
            yield r.iter_bytes(chunk_size)

    def close(self) -> None:
        self.http.close()


def _answer(response: httpx.Response) -> Any:
    if not 200 <= response.status_code < 300:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        raise StatusError(response.status_code, dict(response.headers), body)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def open_api(*, url: str | None = None, api_key: str | None = None) -> Api:
    """An :class:`Api` for the server at `url` with `api_key`, checked to answer and
    accept the key (``GET /api/current-user/whoami``). Each value comes from the argument,
    else the environment (``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``), else ``./.env``."""
    url, api_key = server_settings(url=url, api_key=api_key)
    api = Api(url, api_key, http_client())
    try:
        retrying(
            lambda: api.call("GET", "api/current-user/whoami"),
            doing=f"connecting to Label Studio at {redact(url)}",
        )
    except Exception:
        api.close()
        raise
    return api


def as_api(client: Any) -> Api:
    """`client` itself when it is an :class:`Api`; for the SDK's ``LabelStudio`` client,
    an Api on the same URL, key and connection (so that callers holding either work)."""
    if isinstance(client, Api):
        return client
    wrapper = client._client_wrapper
    tokens = wrapper._tokens_client
    return Api(wrapper.get_base_url(), tokens._api_key, wrapper.httpx_client.httpx_client)
