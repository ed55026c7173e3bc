"""``make_webhook_validation_dependency``: ours against the reference's, request by request
(FastAPI's TestClient), and ours on a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient

import reference
from live import Server, post_with_unsplittable_host, raw_status, scheme_a, scheme_b
from seeds import SEED
from signalwire.core.security import make_webhook_validation_dependency

KEY = "PSKtest-dependency-0123456789"
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})
FORM = [("CallSid", "CA1"), ("Digits", "1"), ("From", "+15551230000"), ("Digits", "2")]
REQUESTS = max(int(os.environ.get("SW_DIFF_CASES", "20000")) // 100, 300)

Factory = Callable[..., Callable[[Request, Response], Any]]


class Receiver:
    """A FastAPI app whose POST /webhook is guarded by a dependency from ``factory``."""

    def __init__(self, factory: Factory, *, trust_proxy: bool) -> None:
        self.runs = 0
        self.app = FastAPI()
        guard = factory(KEY, trust_proxy=trust_proxy)

        @self.app.post("/webhook", dependencies=[Depends(guard)])
        async def webhook(request: Request) -> dict[str, Any]:
            self.runs += 1
            raw = request.state.raw_body
            return {"raw_is_bytes": isinstance(raw, bytes), "same": raw == await request.body()}


@pytest.fixture(scope="module")
def ref_middleware() -> ModuleType:
    return reference.load_middleware()


# ---- ours against the reference, one generated request at a time ------------------------


def generated_request(
    rng: random.Random, base: str, trust_proxy: bool
) -> tuple[str, bytes, dict[str, str], str | None]:
    """(path, body, headers, SWML_PROXY_URL_BASE)."""
    path = rng.choice(["/webhook", "/webhook/", "/webhook?a=1&b=%20", "/webhook?x"])
    env = rng.choice([None, None, None, "https://proxy.example.org/app/"])
    headers: dict[str, str] = {}
    if rng.random() < 0.3:
        headers["x-forwarded-host"] = rng.choice(["public.example.com", "p.example:8443", ""])
        if rng.random() < 0.7:
            headers["x-forwarded-proto"] = rng.choice(["https", "http"])
    split_path, _, query = path.partition("?")
    tail = split_path + (f"?{query}" if query else "")
    if env:
        signed_url = env.rstrip("/") + tail
    elif trust_proxy and headers.get("x-forwarded-host"):
        signed_url = (
            f"{headers.get('x-forwarded-proto', 'https')}://{headers['x-forwarded-host']}{tail}"
        )
    else:
        signed_url = base + path
    if rng.random() < 0.15:  # the URL a client would guess wrongly
        signed_url = rng.choice([base + path, "https://public.example.com" + tail])
    key = KEY if rng.random() < 0.85 else "wrong-key"
    kind = rng.choice(["json", "form", "binary", "empty"])
    if kind == "json":
        body = json.dumps({"event": "e", "n": rng.randrange(1000), "t": "é"}).encode()
    elif kind == "form":
        params = rng.sample(FORM, rng.randint(0, len(FORM)))
        body = urlencode(params).encode()
        if rng.random() < 0.5:
            headers["x-twilio-signature"] = scheme_b(key, signed_url, params)
    elif kind == "binary":
        body = rng.randbytes(rng.randint(1, 16))
    else:
        body = b""
    if rng.random() < 0.6:
        headers["x-signalwire-signature"] = scheme_a(key, signed_url, body)
    if rng.random() < 0.4:
        headers["x-signalwire-sha256-signature"] = scheme_a(key, signed_url, body, "sha256")
    if rng.random() < 0.2:
        name = rng.choice(list(h for h in headers if h.startswith("x-") and "sig" in h) or ["x"])
        headers[name] = rng.choice(["", "0" * 40, headers.get(name, "")[:-1] + "0"])
    if rng.random() < 0.1:
        body += b" "  # tampered after signing
    return path, body, headers, env


@pytest.mark.parametrize("trust_proxy", [False, True])
def test_same_answers_as_the_reference_dependency(
    ref_middleware: ModuleType, trust_proxy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = Receiver(make_webhook_validation_dependency, trust_proxy=trust_proxy)
    theirs = Receiver(ref_middleware.make_webhook_validation_dependency, trust_proxy=trust_proxy)
    rng = random.Random(SEED + trust_proxy)
    tally: Counter[int] = Counter()
    with TestClient(ours.app) as our_client, TestClient(theirs.app) as their_client:
        for _ in range(REQUESTS):
            path, body, headers, env = generated_request(rng, "http://testserver", trust_proxy)
            if env is None:
                monkeypatch.delenv("SWML_PROXY_URL_BASE", raising=False)
            else:
                monkeypatch.setenv("SWML_PROXY_URL_BASE", env)
            expected = their_client.post(path, content=body, headers=headers)
            got = our_client.post(path, content=body, headers=headers)
            answer = (got.status_code, got.content)
            assert answer == (expected.status_code, expected.content), (path, body, headers, env)
            tally[got.status_code] += 1
    assert ours.runs == theirs.runs == tally[200]
    print(f"\ntrust_proxy={trust_proxy}: {REQUESTS} requests, statuses {dict(tally)}")
    assert tally[200] > REQUESTS // 10 and tally[403] > REQUESTS // 10


# ---- construction and imports -----------------------------------------------------------


@pytest.mark.parametrize("key", ["", None])
def test_empty_key_is_refused_when_built(key: Any, ref_middleware: ModuleType) -> None:
    for factory in (
        make_webhook_validation_dependency,
        ref_middleware.make_webhook_validation_dependency,
    ):
        with pytest.raises(ValueError, match=r"^signing_key is required$"):
            factory(key)


def test_importing_the_package_does_not_import_fastapi() -> None:
    code = (
        "import sys, signalwire.core.security as s;"
        "from signalwire.core.security import webhook_middleware, security_utils, asgi;"
        "print(sorted(m for m in ('fastapi', 'starlette', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_all_is_the_reference_all_plus_the_middleware(ref_middleware: ModuleType) -> None:
    import signalwire.core.security as ours  # noqa: PLC0415

    theirs = set(reference.load("__init__").__all__)
    additions = {"WebhookSignatureMiddleware", "WSGIWebhookSignatureMiddleware", "WebhookValidator"}
    assert set(ours.__all__) == theirs | additions | {"sign_webhook", "signature_headers"}
    assert all(hasattr(ours, name) for name in ours.__all__)


def test_the_dependency_raises_http_403_with_fastapis_default_detail() -> None:
    guard = make_webhook_validation_dependency(KEY)
    app = FastAPI()
    seen: list[HTTPException] = []

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, str]:
        try:
            await guard(request, Response())
        except HTTPException as refused:
            seen.append(refused)
            raise
        return {"ok": "yes"}

    with TestClient(app) as client:
        reply = client.post("/hook", content=b"{}")
    assert reply.status_code == 403 and reply.json() == {"detail": "Forbidden"}
    assert seen[0].status_code == 403 and seen[0].headers is None


# ---- ours on a real uvicorn server -------------------------------------------------------


class LiveReceiver(Server):
    def __init__(self, trust_proxy: bool) -> None:
        self.receiver = Receiver(make_webhook_validation_dependency, trust_proxy=trust_proxy)
        super().__init__(self.receiver.app)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveReceiver]:
    with LiveReceiver(trust_proxy=False) as server:
        yield server


@pytest.fixture(scope="module")
def live_proxied() -> Iterator[LiveReceiver]:
    with LiveReceiver(trust_proxy=True) as server:
        yield server


def test_demo_cases_on_uvicorn(live: LiveReceiver) -> None:
    url = live.base + "/webhook"
    form = urlencode(FORM)
    before = live.receiver.runs
    accepted = [
        (EVENT, {"x-signalwire-signature": scheme_a(KEY, url, EVENT)}),
        (EVENT, {"x-signalwire-sha256-signature": scheme_a(KEY, url, EVENT, "sha256")}),
        (form, {"x-signalwire-signature": scheme_b(KEY, url, FORM)}),
        (form, {"x-twilio-signature": scheme_b(KEY, url, FORM)}),
    ]
    for body, headers in accepted:
        reply = live.post("/webhook", body, headers)
        assert reply.status_code == 200, headers
        assert reply.json() == {"raw_is_bytes": True, "same": True}
    refused: list[tuple[str | bytes, dict[str, str]]] = [
        (EVENT + " ", {"x-signalwire-signature": scheme_a(KEY, url, EVENT)}),  # tampered
        (EVENT, {"x-signalwire-signature": scheme_a("wrong", url, EVENT)}),  # wrong key
        (EVENT, {}),  # unsigned
        (b"caf\xe9", {"x-signalwire-signature": scheme_a(KEY, url, b"caf\xe9")}),  # not UTF-8
    ]
    for forged, forged_headers in refused:
        assert live.post("/webhook", forged, forged_headers).status_code == 403
    assert live.receiver.runs == before + len(accepted)


def test_proxy_rules_on_uvicorn(
    live: LiveReceiver, live_proxied: LiveReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = "https://public.example.com/webhook"
    headers = {
        "x-forwarded-host": "public.example.com",
        "x-forwarded-proto": "https",
        "x-signalwire-signature": scheme_a(KEY, public, EVENT),
    }
    assert live_proxied.post("/webhook", EVENT, headers).status_code == 200
    assert live.post("/webhook", EVENT, headers).status_code == 403
    monkeypatch.setenv("SWML_PROXY_URL_BASE", "https://agent.example.org/base/")
    signed = {
        "x-signalwire-signature": scheme_a(KEY, "https://agent.example.org/base/webhook", EVENT)
    }
    assert live.post("/webhook", EVENT, signed).status_code == 200
    monkeypatch.delenv("SWML_PROXY_URL_BASE")
    assert live.post("/webhook", EVENT, signed).status_code == 403


def test_host_that_does_not_split_gets_403_not_500(live: LiveReceiver) -> None:
    reply = raw_status(live.port, post_with_unsplittable_host(b"/webhook"))
    assert reply == 403


def test_fifty_concurrent_mixed_requests_on_uvicorn(live: LiveReceiver) -> None:
    url = live.base + "/webhook"

    def one(i: int) -> tuple[int, int]:
        body = json.dumps({"event": "e", "n": i})
        if i % 3 == 0:
            headers = {"x-signalwire-signature": scheme_a(KEY, url, body)}
        elif i % 3 == 1:
            headers = {"x-signalwire-sha256-signature": scheme_a("forged", url, body, "sha256")}
        else:
            headers = {}
        return live.post("/webhook", body, headers).status_code, 200 if i % 3 == 0 else 403

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert [got for got, _ in results] == [want for _, want in results]


def test_query_that_is_not_utf8_gets_403_where_the_reference_raises(
    ref_middleware: ModuleType,
) -> None:
    # uvicorn refuses such a request line itself; another server may pass the bytes on.
    # Starlette's request.url then raises UnicodeDecodeError: the reference lets it out
    # (a 500), ours answers 403 like any request that cannot be signed.
    def request() -> Request:
        scope = {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "path": "/webhook",
            "query_string": b"a=\xff",
            "headers": [(b"host", b"example.com"), (b"x-signalwire-signature", b"0" * 40)],
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        return Request(scope, receive)

    async def run(factory: Factory) -> BaseException | None:
        try:
            await factory(KEY)(request(), Response())
        except (HTTPException, UnicodeDecodeError) as raised:
            return raised
        return None

    ours = asyncio.run(run(make_webhook_validation_dependency))
    assert isinstance(ours, HTTPException) and ours.status_code == 403
    theirs = asyncio.run(run(ref_middleware.make_webhook_validation_dependency))
    assert isinstance(theirs, UnicodeDecodeError)
