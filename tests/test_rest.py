"""The plain-httpx client (annotate.labelstudio.rest), with a fake server in an httpx
MockTransport: legacy tokens and personal access tokens, errors, retries."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from annotate.errors import LabelStudioError
from annotate.labelstudio import rest
from annotate.redact import forget_secrets, remember_secret

LEGACY = "0123456789abcdef0123456789abcdef01234567"


def _jwt(exp: float) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'exp': int(exp)})}.c2lnbmF0dXJlMTIz"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch):
    forget_secrets()
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.0)
    yield
    forget_secrets()


def _api(key: str, handler) -> tuple[rest.Api, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return rest.Api(
        "http://ls.test", key, httpx.Client(transport=httpx.MockTransport(record))
    ), seen


def test_a_legacy_token_is_sent_as_token():
    api, seen = _api(LEGACY, lambda r: httpx.Response(200, json={"id": 1}))
    assert api.call("GET", "api/current-user/whoami") == {"id": 1}
    assert seen[0].headers["Authorization"] == f"Token {LEGACY}"


def test_a_personal_access_token_is_exchanged_once_for_a_bearer_token():
    refresh, access = _jwt(time.time() + 86400), _jwt(time.time() + 300)

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token/refresh/":
            assert json.loads(request.content) == {"refresh": refresh}
            return httpx.Response(200, json={"access": access})
        return httpx.Response(200, json=[])

    api, seen = _api(refresh, server)
    api.call("GET", "api/projects/")
    api.call("GET", "api/projects/")
    assert [r.url.path for r in seen] == ["/api/token/refresh/", "/api/projects/", "/api/projects/"]
    assert seen[1].headers["Authorization"] == f"Bearer {access}"


def test_an_expiring_access_token_is_renewed():
    refresh = _jwt(time.time() + 86400)
    tokens = iter([_jwt(time.time() + 5), _jwt(time.time() + 300)])

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token/refresh/":
            return httpx.Response(200, json={"access": next(tokens)})
        return httpx.Response(200, json={})

    api, seen = _api(refresh, server)
    api.call("GET", "a")
    api.call("GET", "b")  # the first access token expires within the margin: a new one
    assert [r.url.path for r in seen] == ["/api/token/refresh/", "/a", "/api/token/refresh/", "/b"]


def test_a_5xx_is_retried_and_a_4xx_is_not():
    answers = iter([httpx.Response(503, text="busy"), httpx.Response(200, json={"ok": True})])
    api, seen = _api(LEGACY, lambda r: next(answers))
    assert rest.retrying(lambda: api.call("GET", "x"), doing="reading x") == {"ok": True}
    assert len(seen) == 2

    api, seen = _api(LEGACY, lambda r: httpx.Response(404, json={"detail": "Not found."}))
    with pytest.raises(LabelStudioError, match=r"reading x: HTTP 404: Not found\.") as caught:
        rest.retrying(lambda: api.call("GET", "x"), doing="reading x")
    assert len(seen) == 1 and caught.value.hint and "deleted" in caught.value.hint


def test_a_download_streams_the_body_and_an_error_is_summarised_without_the_token():
    body = b"[" + b",".join(b'{"id": %d}' % i for i in range(1000)) + b"]"
    api, _ = _api(LEGACY, lambda r: httpx.Response(200, content=body))
    with api.download("api/x", chunk_size=1000) as chunks:
        parts = list(chunks)
    assert b"".join(parts) == body and len(parts) > 1

    remember_secret(LEGACY)
    echo = {"detail": f"you sent {{'Authorization': 'Token {LEGACY}'}}"}
    api, _ = _api(LEGACY, lambda r: httpx.Response(400, json=echo))
    with pytest.raises(LabelStudioError) as caught:
        rest.retrying(lambda: api.download("api/x").__enter__(), doing="downloading x")
    assert "HTTP 400" in str(caught.value) and LEGACY not in str(caught.value)
