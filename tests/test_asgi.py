"""WebhookSignatureMiddleware on a real uvicorn server on 127.0.0.1, driven by httpx."""

from __future__ import annotations

import base64
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from signalwire.core.security.asgi import WebhookSignatureMiddleware

KEY = "PSKtest-asgi-0123456789"
LIMIT = 4096
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})


def hex_sig(url: str, body: str, key: str = KEY, digest: str = "sha1") -> str:
    return hmac.new(key.encode(), (url + body).encode(), digest).hexdigest()


def b64_sig(url: str, params: list[tuple[str, str]], key: str = KEY) -> str:
    message = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(key.encode(), message.encode(), "sha1").digest()).decode()


class Server:
    def __init__(self, trust_proxy: bool) -> None:
        app = FastAPI()
        self.runs = 0

        @app.post("/webhook")
        async def webhook(request: Request) -> dict[str, int]:
            self.runs += 1
            return {"received": len(await request.body())}

        @app.get("/webhook")
        async def get_webhook() -> dict[str, str]:
            return {"get": "ok"}

        @app.post("/open")
        async def open_path() -> dict[str, str]:
            return {"open": "ok"}

        app.add_middleware(
            WebhookSignatureMiddleware,
            signing_key=KEY,
            paths=["/webhook"],
            trust_proxy=trust_proxy,
            max_body_bytes=LIMIT,
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server(trust_proxy=False) as running:
        yield running


@pytest.fixture(scope="module")
def proxied_server() -> Iterator[Server]:
    with Server(trust_proxy=True) as running:
        yield running


def post(server: Server, body: bytes | str, headers: dict[str, str], path: str = "/webhook") -> int:
    content = body.encode() if isinstance(body, str) else body
    with httpx.Client(base_url=server.base, timeout=10) as client:
        status: int = client.post(path, content=content, headers=headers).status_code
        return status


def test_scheme_a_sha1_and_sha256(server: Server) -> None:
    url = server.base + "/webhook"
    assert post(server, EVENT, {"x-signalwire-signature": hex_sig(url, EVENT)}) == 200
    sha256 = hex_sig(url, EVENT, digest="sha256")
    assert post(server, EVENT, {"x-signalwire-sha256-signature": sha256}) == 200


def test_scheme_b_form_with_repeated_keys(server: Server) -> None:
    params = [("Digits", "1"), ("CallSid", "CA1"), ("Digits", "2")]
    headers = {"x-twilio-signature": b64_sig(server.base + "/webhook", params)}
    assert post(server, urlencode(params), headers) == 200


def test_forgeries_never_reach_the_app(server: Server) -> None:
    url = server.base + "/webhook"
    before = server.runs
    assert post(server, EVENT + " ", {"x-signalwire-signature": hex_sig(url, EVENT)}) == 403
    assert post(server, EVENT, {"x-signalwire-signature": hex_sig(url, EVENT, "x")}) == 403
    assert post(server, EVENT, {}) == 403
    assert post(server, b"\xff\xfe", {"x-signalwire-signature": "0" * 40}) == 403
    assert server.runs == before


def test_non_utf8_body_is_refused_even_when_its_bytes_are_signed(server: Server) -> None:
    url = server.base + "/webhook"
    body = b"caf\xe9"
    sig = hmac.new(KEY.encode(), url.encode() + body, "sha1").hexdigest()
    assert post(server, body, {"x-signalwire-signature": sig}) == 403


def test_body_limits(server: Server) -> None:
    url = server.base + "/webhook"
    exact = "x" * LIMIT
    assert post(server, exact, {"x-signalwire-signature": hex_sig(url, exact)}) == 200
    over = exact + "x"
    assert post(server, over, {"x-signalwire-signature": hex_sig(url, over)}) == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 1000

    with httpx.Client(base_url=server.base, timeout=10) as client:
        status = client.post("/webhook", content=chunks()).status_code  # chunked, no length
    assert status == 413


def test_declared_length_over_limit_is_refused_without_reading(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n")
        reply = conn.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_other_methods_and_paths_pass_untouched(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        assert client.get("/webhook").json() == {"get": "ok"}
        assert client.post("/open", content=b"anything").json() == {"open": "ok"}


def test_forwarded_headers_only_when_trusted(server: Server, proxied_server: Server) -> None:
    public = "https://public.example.com/webhook"
    headers = {
        "x-forwarded-host": "public.example.com",
        "x-forwarded-proto": "https",
        "x-signalwire-signature": hex_sig(public, EVENT),
    }
    assert post(proxied_server, EVENT, headers) == 200
    assert post(server, EVENT, headers) == 403


def test_proxy_url_base_is_read_per_request(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWML_PROXY_URL_BASE", "https://agent.example.org/base/")
    public = "https://agent.example.org/base/webhook?x=1"
    assert (
        post(server, EVENT, {"x-signalwire-signature": hex_sig(public, EVENT)}, path="/webhook?x=1")
        == 200
    )
    monkeypatch.delenv("SWML_PROXY_URL_BASE")
    assert (
        post(server, EVENT, {"x-signalwire-signature": hex_sig(public, EVENT)}, path="/webhook?x=1")
        == 403
    )


def test_fifty_concurrent_requests_all_answered_right(server: Server) -> None:
    url = server.base + "/webhook"

    def one(i: int) -> tuple[int, int]:
        body = json.dumps({"event": "e", "n": i})
        sig = hex_sig(url, body) if i % 2 else hex_sig(url, body, key="wrong")
        return post(server, body, {"x-signalwire-signature": sig}), 200 if i % 2 else 403

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert [got for got, _ in results] == [want for _, want in results]


def test_construction_rules_and_repr() -> None:
    with pytest.raises(ValueError, match="signing_key is required"):
        WebhookSignatureMiddleware(lambda s, r, w: None, signing_key="")  # type: ignore[arg-type,return-value]
    middleware = WebhookSignatureMiddleware(lambda s, r, w: None, signing_key=KEY)  # type: ignore[arg-type,return-value]
    assert KEY not in repr(middleware)
