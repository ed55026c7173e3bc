"""WebhookSignatureMiddleware on a real uvicorn server on 127.0.0.1, driven by httpx."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.datastructures import URL

import seeds
from live import Server, exchange, post_with_unsplittable_host, raw_status, scheme_b
from live import scheme_a as _scheme_a
from signalwire.core.security import _rules, asgi
from signalwire.core.security._request import public_url
from signalwire.core.security.asgi import WebhookSignatureMiddleware
from signalwire.core.security.webhook_middleware import _public_url

KEY = "PSKtest-asgi-0123456789"
LIMIT = 4096
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})


def hex_sig(url: str, body: str, key: str = KEY, digest: str = "sha1") -> str:
    return _scheme_a(key, url, body, digest)


def b64_sig(url: str, params: list[tuple[str, str]], key: str = KEY) -> str:
    return scheme_b(key, url, params)


class Protected(Server):
    """A FastAPI app behind the middleware, counting how often its handler ran."""

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
        super().__init__(app)


@pytest.fixture(scope="module")
def server() -> Iterator[Protected]:
    with Protected(trust_proxy=False) as running:
        yield running


@pytest.fixture(scope="module")
def proxied_server() -> Iterator[Protected]:
    with Protected(trust_proxy=True) as running:
        yield running


def post(
    server: Protected, body: bytes | str, headers: dict[str, str], path: str = "/webhook"
) -> int:
    return server.post(path, body, headers).status_code


def test_scheme_a_sha1_and_sha256(server: Protected) -> None:
    url = server.base + "/webhook"
    assert post(server, EVENT, {"x-signalwire-signature": hex_sig(url, EVENT)}) == 200
    sha256 = hex_sig(url, EVENT, digest="sha256")
    assert post(server, EVENT, {"x-signalwire-sha256-signature": sha256}) == 200


def test_scheme_b_form_with_repeated_keys(server: Protected) -> None:
    params = [("Digits", "1"), ("CallSid", "CA1"), ("Digits", "2")]
    headers = {"x-twilio-signature": b64_sig(server.base + "/webhook", params)}
    assert post(server, urlencode(params), headers) == 200


def test_forgeries_never_reach_the_app(server: Protected) -> None:
    url = server.base + "/webhook"
    before = server.runs
    assert post(server, EVENT + " ", {"x-signalwire-signature": hex_sig(url, EVENT)}) == 403
    assert post(server, EVENT, {"x-signalwire-signature": hex_sig(url, EVENT, "x")}) == 403
    assert post(server, EVENT, {}) == 403
    assert post(server, b"\xff\xfe", {"x-signalwire-signature": "0" * 40}) == 403
    assert server.runs == before


def test_non_utf8_body_is_refused_even_when_its_bytes_are_signed(server: Protected) -> None:
    url = server.base + "/webhook"
    body = b"caf\xe9"
    sig = _scheme_a(KEY, url, body)
    assert post(server, body, {"x-signalwire-signature": sig}) == 403


def test_body_limits(server: Protected) -> None:
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


def test_declared_length_over_limit_is_refused_without_reading(server: Protected) -> None:
    request = b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"
    assert raw_status(server.port, request) == 413


def test_other_methods_and_paths_pass_untouched(server: Protected) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        assert client.get("/webhook").json() == {"get": "ok"}
        assert client.post("/open", content=b"anything").json() == {"open": "ok"}


def test_forwarded_headers_only_when_trusted(server: Protected, proxied_server: Protected) -> None:
    public = "https://public.example.com/webhook"
    headers = {
        "x-forwarded-host": "public.example.com",
        "x-forwarded-proto": "https",
        "x-signalwire-signature": hex_sig(public, EVENT),
    }
    assert post(proxied_server, EVENT, headers) == 200
    assert post(server, EVENT, headers) == 403


def test_forwarded_host_and_scheme_name_a_host_and_a_scheme(proxied_server: Protected) -> None:
    """Trusted forwarded headers build the URL checked: a path in ``X-Forwarded-Host`` (a
    request signed for ``/tenant/webhook`` replayed to ``/webhook``) or a scheme that is
    not http(s) is refused, each beside its signed control."""
    before = proxied_server.runs
    for host, proto, status in (
        ("public.example.com", "http", 200),
        ("public.example.com/tenant", "http", 403),
        ("public.example.com", "https", 200),
        ("public.example.com", "ftp", 403),
    ):
        signature = hex_sig(f"{proto}://{host}/webhook", EVENT)
        headers = {
            "x-forwarded-host": host,
            "x-forwarded-proto": proto,
            "x-signalwire-signature": signature,
        }
        assert post(proxied_server, EVENT, headers) == status, (host, proto)
    assert proxied_server.runs == before + 2


def test_empty_chunked_body_is_refused(server: Protected) -> None:
    """An empty body framed only by ``Transfer-Encoding`` cannot be told from one a layer
    outside read first: 400, even with the URL-only signature that vouches for ``b""``; the
    same empty body with ``Content-Length: 0`` is the control."""
    url_only = {"x-signalwire-signature": b64_sig(server.base + "/webhook", [])}
    before = server.runs
    assert exchange(server.port, "POST", "/webhook", url_only, b"") == 200
    assert exchange(server.port, "POST", "/webhook", url_only, b"", chunked=True) == 400
    signed = {"x-signalwire-signature": hex_sig(server.base + "/webhook", EVENT)}
    assert exchange(server.port, "POST", "/webhook", signed, EVENT.encode(), chunked=True) == 200
    assert server.runs == before + 2


def test_proxy_url_base_is_read_per_request(
    server: Protected, monkeypatch: pytest.MonkeyPatch
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


def test_fifty_concurrent_requests_all_answered_right(server: Protected) -> None:
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
    with pytest.raises(TypeError, match="signing_key must be a str"):
        WebhookSignatureMiddleware(lambda s, r, w: None, signing_key=b"k")  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="not one str"):
        WebhookSignatureMiddleware(lambda s, r, w: None, signing_key=KEY, paths="/hook")  # type: ignore[arg-type,return-value]
    middleware = WebhookSignatureMiddleware(lambda s, r, w: None, signing_key=KEY)  # type: ignore[arg-type,return-value]
    assert KEY not in repr(middleware)


def test_host_header_that_does_not_split_is_refused_not_an_error(server: Protected) -> None:
    # Starlette 1.10 falls back to the server address for such a Host; either way the
    # answer is 403, never a 500, and the server keeps serving.
    reply = raw_status(server.port, post_with_unsplittable_host(b"/webhook"))
    assert reply == 403
    url = server.base + "/webhook"
    assert post(server, EVENT, {"x-signalwire-signature": hex_sig(url, EVENT)}) == 200


# ---- without Starlette, and scopes no uvicorn produces -----------------------------------


# The fallback follows the Starlette pinned for CPython 3.11+ (1.10).
STARLETTE = tuple(int(part) for part in metadata.version("starlette").split(".")[:2])


def scope_for(
    path: str, query: bytes, host: str | None, server: tuple[str, int] | None, scheme: str
) -> dict[str, Any]:
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    return {
        "type": "http",
        "method": "POST",
        "scheme": scheme,
        "server": server,
        "path": path,
        "query_string": query,
        "headers": headers,
        "root_path": "",
    }


@pytest.mark.skipif(
    STARLETTE < (1, 10), reason="mirrors Starlette 1.10; 1.7 (CPython 3.10) built URLs otherwise"
)
def test_url_without_starlette_is_the_one_starlette_reports() -> None:
    rng = seeds.rng("starlette-url")
    paths = ["/webhook", "/a?b", "/a#b", "/a\\b", "//x", "/é", "/p q", "", "/%3F"]
    queries = [b"", b"a=1&b=2", b"x=%C3%A9", "é=1".encode()]
    hosts = [None, "example.com", "example.com:8443", "[::1]:9", "127.0.0.1", "h:00443"]
    servers = [None, ("127.0.0.1", 8000), ("::1", 443), ("10.0.0.1", 80)]
    for _ in range(2000):
        scope = scope_for(
            rng.choice(paths),
            rng.choice(queries),
            rng.choice(hosts),
            rng.choice(servers),
            rng.choice(["http", "https"]),
        )
        expected = str(URL(scope=scope))
        assert asgi._url_from_scope(scope, asgi._headers(scope)) == expected, scope


def test_plain_url_shortcut_is_what_starlette_and_public_url_give() -> None:
    # The middleware skips Starlette's URL and urlsplit for plain URLs; on every Starlette
    # release in use (1.10, and 1.7 on CPython 3.10) the answer must be the same.
    rng = seeds.rng("plain-url")
    paths = ["/webhook", "/a/b.c", "/", "/a?b", "/a#b", "/a\\b", "//x", "/é", "/p q", "/%3F"]
    queries = [b"", b"a=1&b=2", b"x=%C3%A9", "é=1".encode(), b"a b", b"a#b"]
    hosts: list[str | None] = ["example.com", "Ex.COM:8443", "h:00443", "h:65535", "h:65536"]
    hosts += ["h:99999", "[::1]:9", "a_b", "é", None]
    plain = 0
    for _ in range(3000):
        scope = scope_for(
            rng.choice(paths),
            rng.choice(queries),
            rng.choice(hosts),
            rng.choice([None, ("127.0.0.1", 8000)]),
            rng.choice(["http", "https"]),
        )
        shortcut = asgi._plain_url(scope, asgi._headers(scope))
        if shortcut is not None:
            plain += 1
            starlette_url = str(URL(scope=scope))
            assert shortcut == starlette_url, scope
            assert _public_url(starlette_url, {}, trust_proxy=False) == shortcut
    assert 100 < plain < 2900  # both branches taken


@pytest.mark.parametrize("trust_proxy", [False, True])
@pytest.mark.parametrize("base", [None, "https://agent.example.org/base"])
@pytest.mark.parametrize("proxy_base", [None, "https://proxy.example.net/p/"])
def test_signed_url_is_the_public_url_of_starlettes_url(
    monkeypatch: pytest.MonkeyPatch, trust_proxy: bool, base: str | None, proxy_base: str | None
) -> None:
    """The middleware's shortcut for plain URLs never changes the URL it checks: with or
    without ``public_url=``, ``SWML_PROXY_URL_BASE`` and trusted forwarded headers."""
    if proxy_base is None:
        monkeypatch.delenv("SWML_PROXY_URL_BASE", raising=False)
    else:
        monkeypatch.setenv("SWML_PROXY_URL_BASE", proxy_base)
    middleware = WebhookSignatureMiddleware(
        bare_app, signing_key=KEY, trust_proxy=trust_proxy, public_url=base
    )
    rng = seeds.rng("signed-url")
    paths = ["/webhook", "/a/b.c", "/", "/a?b", "/é", "/p q"]
    hosts = ["example.com", "h:8443", "h:65536", "[::1]:9", "[zz", "é", None]
    for _ in range(300):
        scope = scope_for(
            rng.choice(paths),
            rng.choice([b"", b"a=1&b=2", b"a b"]),
            rng.choice(hosts),
            rng.choice([None, ("127.0.0.1", 8000)]),
            rng.choice(["http", "https"]),
        )
        if rng.random() < 0.5:
            scope["headers"].append((b"x-forwarded-host", b"public.example.com"))
        headers = asgi._headers(scope)
        try:
            expected: str | None = public_url(
                str(URL(scope=scope)), headers, trust_proxy=trust_proxy, base=base
            )
        except ValueError:
            expected = None
        assert middleware._signed_url(scope, headers) == expected, scope


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """A bare ASGI app (no framework) that echoes the body length."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    reply = str(len(body)).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": reply})


def test_bare_asgi_app_without_starlette(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "starlette.datastructures", None)  # import fails
    app = WebhookSignatureMiddleware(bare_app, signing_key=KEY, paths=["/hook"])
    with Server(app) as server:
        url = server.base + "/hook?x=1"
        signed = {"x-signalwire-signature": hex_sig(url, EVENT)}
        reply = server.post("/hook?x=1", EVENT, signed)
        assert (reply.status_code, reply.text) == (200, str(len(EVENT)))
        assert server.post("/hook?x=2", EVENT, signed).status_code == 403
        # Without Starlette the Host is kept, does not split, and is refused.
        refused = raw_status(server.port, post_with_unsplittable_host(b"/hook"))
        assert refused == 403


def call_asgi(app: Any, scope: dict[str, Any], body: bytes) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_query_that_is_not_utf8_is_refused_not_an_error() -> None:
    # uvicorn rejects such a request line itself; other servers may pass the bytes on.
    ran: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        ran.append(True)

    middleware = WebhookSignatureMiddleware(app, signing_key=KEY, paths=["/hook"])
    scope = scope_for("/hook", b"a=\xff", "example.com", ("127.0.0.1", 80), "http")
    scope["headers"].append((b"x-signalwire-signature", b"0" * 40))
    sent = call_asgi(middleware, scope, b"{}")
    assert sent[0]["status"] == 403 and not ran


def test_bodies_framed_only_by_messages() -> None:
    """What an HTTP/2 server or a serverless adapter may hand over: a GET with a body but no
    ``Content-Length``, a body split across messages, messages without ``more_body`` (its
    default is False). A body is checked whatever the headers say; none waits for more."""
    middleware = WebhookSignatureMiddleware(bare_app, signing_key=KEY, paths=["/hook"])

    def answer(method: str, messages: list[dict[str, Any]], signed: bytes | None) -> Any:
        """(status, the body length the app read), or None when nothing was answered."""
        scope = scope_for("/hook", b"", "example.com", ("127.0.0.1", 80), "http")
        scope["method"] = method
        if signed is not None:
            signature = hex_sig("http://example.com/hook", signed.decode())
            scope["headers"].append((b"x-signalwire-signature", signature.encode()))
        queue = list(messages)
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return queue.pop(0) if queue else {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            sent.append(message)

        asyncio.run(middleware(scope, receive, send))
        return (sent[0]["status"], sent[1]["body"]) if sent else None

    def request(body: bytes, **more: bool) -> dict[str, Any]:
        return {"type": "http.request", "body": body, **more}

    refused = (403, b"")
    whole = [request(b"{}", more_body=False)]
    split = [request(b"{", more_body=True), request(b"}", more_body=False)]
    for method in ("GET", "POST"):
        for messages in (whole, split):
            assert answer(method, messages, None) == refused
            assert answer(method, messages, b"{}") == (200, b"2")
    assert answer("GET", [{"type": "http.request"}], None) == (200, b"0")  # no more_body
    assert answer("POST", [request(b"{}")], b"{}") == (200, b"2")
    assert answer("POST", [request(b"{}")], None) == refused


def test_route_paths_cover_the_path_starlette_routes_on() -> None:
    """Whatever ``root_path`` holds, the paths checked are the path, the path Starlette
    routes on (its own ``get_route_path``), and the one a router that ignores case and
    repeated slashes would route on: a request is protected exactly when one of those is."""
    from starlette._utils import get_route_path  # noqa: PLC0415 - Starlette's private rule

    rng = seeds.rng("route-paths")
    parts = ["api", "API", "v1", "webhook", "WebHook", "", ".", "..", "x", "zzz"]

    def spelled(count: int) -> str:
        return "/" + "/".join(rng.choice(parts) for _ in range(count))

    def plain(path: str) -> str:
        return "/" + "/".join(part for part in path.casefold().split("/") if part)

    covered = 0
    for _ in range(5000):
        entries = [spelled(rng.randint(1, 3)).rstrip("/") or "/a" for _ in range(2)]
        paths = _rules.Paths([e if not e.startswith("//") else "/a" for e in entries])
        root = rng.choice(["", spelled(1), spelled(2), spelled(1) + "/"])
        path = rng.choice([root, ""]) + spelled(rng.randint(0, 3))
        scope = {"path": path, "root_path": root}
        routed = get_route_path(scope)
        ignoring_case = get_route_path({"path": plain(path), "root_path": plain(root)})
        expected = paths.cover(path, routed, ignoring_case)
        covered += expected
        assert paths.cover(*asgi._route_paths(scope)) == expected, (entries, root, path)
    assert 500 < covered < 4500
