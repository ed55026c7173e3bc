"""WSGIWebhookSignatureMiddleware on real WSGI servers on 127.0.0.1 (waitress and
Werkzeug's server, see live_wsgi.py), driven by httpx and raw sockets."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.validate import validator

import httpx
import pytest

from live import exchange, raw_status, scheme_a, scheme_b
from live_wsgi import KINDS, WSGIServer
from signalwire.core.security import WSGIWebhookSignatureMiddleware
from signalwire.core.security.wsgi import received_url

KEY = "PSKtest-wsgi-0123456789"
LIMIT = 4096
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})
SHA1, SHA256, TWILIO = (
    "X-SignalWire-Signature",
    "X-SignalWire-Sha256-Signature",
    "X-Twilio-Signature",
)


class Recorder:
    """A bare WSGI app that records the body it read and answers with its length."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if environ["REQUEST_METHOD"] == "POST":
            self.bodies.append(body)
        answer = json.dumps({"received": len(body), "path": environ["PATH_INFO"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [answer]


class Protected(WSGIServer):
    def __init__(self, kind: str, **options: Any) -> None:
        self.app = Recorder()
        options.setdefault("paths", ["/webhook"])
        options.setdefault("max_body_bytes", LIMIT)
        middleware = WSGIWebhookSignatureMiddleware(self.app, signing_key=KEY, **options)
        super().__init__(middleware, kind)

    @property
    def runs(self) -> int:
        return len(self.app.bodies)


@pytest.fixture(scope="module", params=KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[Protected]:
    with Protected(request.param) as running:
        yield running


def post(
    server: Protected, body: bytes | str, headers: dict[str, str], path: str = "/webhook"
) -> httpx.Response:
    return server.post(path, body, headers)


def test_scheme_a_sha1_and_sha256_reach_the_app_with_the_same_bytes(server: Protected) -> None:
    url = server.base + "/webhook"
    answer = post(server, EVENT, {SHA1: scheme_a(KEY, url, EVENT)})
    assert answer.status_code == 200 and answer.json()["received"] == len(EVENT)
    assert server.app.bodies[-1] == EVENT.encode()
    sha256 = scheme_a(KEY, url, EVENT, "sha256")
    assert post(server, EVENT, {SHA256: sha256}).status_code == 200


def test_scheme_b_form_with_repeated_keys_and_a_query(server: Protected) -> None:
    params = [("Digits", "1"), ("CallSid", "CA1"), ("Digits", "2")]
    url = server.base + "/webhook?b=2&a=%20x"
    headers = {TWILIO: scheme_b(KEY, url, params)}
    assert post(server, urlencode(params), headers, "/webhook?b=2&a=%20x").status_code == 200
    assert server.app.bodies[-1] == urlencode(params).encode()


def test_forgeries_get_an_empty_403_and_never_reach_the_app(server: Protected) -> None:
    url = server.base + "/webhook"
    before = server.runs
    cases: list[tuple[bytes | str, dict[str, str]]] = [
        (EVENT + " ", {SHA1: scheme_a(KEY, url, EVENT)}),
        (EVENT, {SHA1: scheme_a("PSKwrong-000000", url, EVENT)}),
        (EVENT, {}),
        (b"caf\xe9", {SHA1: scheme_a(KEY, url, b"caf\xe9")}),  # signed, but not UTF-8
    ]
    for body, headers in cases:
        answer = post(server, body, headers)
        assert (answer.status_code, answer.content) == (403, b"")
    assert server.runs == before


def test_strict_by_default(server: Protected) -> None:
    url = server.base + "/webhook"
    before = server.runs
    forged_sha256 = {SHA256: "0" * 64, SHA1: scheme_a(KEY, url, EVENT)}
    assert post(server, EVENT, forged_sha256).status_code == 403
    url_only = {SHA1: scheme_b(KEY, url, [])}
    assert post(server, EVENT, url_only).status_code == 403
    assert post(server, "CallSid=CAforged", url_only).status_code == 403
    assert server.runs == before
    assert post(server, b"", url_only).status_code == 200  # the param-less callback


def test_fallback_on_request() -> None:
    with Protected("waitress", policy="fallback") as fallback:
        url = fallback.base + "/webhook"
        assert (
            post(fallback, EVENT, {SHA256: "0" * 64, SHA1: scheme_a(KEY, url, EVENT)}).status_code
            == 200
        )
        assert post(fallback, EVENT, {SHA1: scheme_b(KEY, url, [])}).status_code == 200


def test_body_limits(server: Protected) -> None:
    url = server.base + "/webhook"
    exact = "x" * LIMIT
    assert post(server, exact, {SHA1: scheme_a(KEY, url, exact)}).status_code == 200
    over = exact + "x"
    assert post(server, over, {SHA1: scheme_a(KEY, url, over)}).status_code == 413
    before = server.runs

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 1000

    with httpx.Client(base_url=server.base, timeout=10) as client:
        answer = client.post("/webhook", content=chunks(), headers={SHA1: "0" * 40})
    assert (answer.status_code, answer.content) == (413, b"")  # chunked, no length
    if server.kind == "werkzeug":  # waitress buffers the whole body before the app runs
        declared = b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"
        assert raw_status(server.port, declared) == 413  # refused without reading
    assert server.runs == before


def test_chunked_signed_body_reaches_the_app(server: Protected) -> None:
    url = server.base + "/webhook"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(EVENT), 7):
            yield EVENT[start : start + 7].encode()

    with httpx.Client(base_url=server.base, timeout=10) as client:
        answer = client.post(
            "/webhook", content=chunks(), headers={SHA1: scheme_a(KEY, url, EVENT)}
        )
    assert answer.status_code == 200
    assert server.app.bodies[-1] == EVENT.encode()


@pytest.mark.parametrize("kind", KINDS)
def test_bodies_around_the_read_size_arrive_whole(kind: str) -> None:
    """The middleware reads in 64 KiB pieces: bodies that end one byte either side of a
    piece (or of two) arrive whole, with a length or chunked."""
    with Protected(kind, max_body_bytes=200_000) as running:
        url = running.base + "/webhook"
        for size in (65_535, 65_536, 65_537, 131_073):
            body = b"{" + b" " * (size - 2) + b"}"
            headers = {SHA1: scheme_a(KEY, url, body)}
            for chunked in (False, True):
                before = running.runs
                assert (
                    exchange(running.port, "POST", "/webhook", headers, body, chunked=chunked)
                    == 200
                )
                assert running.app.bodies[before:] == [body], (size, chunked)


def test_client_leaving_mid_body_never_runs_the_app(server: Protected) -> None:
    url = server.base + "/webhook"
    body = json.dumps({"pad": "x" * 1000}).encode()
    head = (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Length: {len(body)}\r\n{SHA1}: {scheme_a(KEY, url, body)}\r\n\r\n"
    ).encode()
    before = server.runs
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(head + body[:100])
        time.sleep(0.1)
    time.sleep(0.3)
    assert server.runs == before
    assert post(server, EVENT, {SHA1: scheme_a(KEY, url, EVENT)}).status_code == 200


def test_other_methods_and_paths_pass_untouched(server: Protected) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        assert client.get("/webhook").status_code == 200
        assert client.post("/open", content=b"unsigned").json()["received"] == 8


def test_host_that_does_not_split_is_refused_not_an_error(server: Protected) -> None:
    request = (
        b"POST /webhook HTTP/1.1\r\nHost: [::1\r\nContent-Length: 2\r\n"
        b"X-SignalWire-Signature: " + b"0" * 40 + b"\r\n\r\n{}"
    )
    assert raw_status(server.port, request) == 403


def test_fifty_concurrent_requests_all_answered_right(server: Protected) -> None:
    url = server.base + "/webhook"

    def one(i: int) -> bool:
        body = json.dumps({"n": i})
        good = i % 2 == 0
        signature = scheme_a(KEY, url, body) if good else "0" * 40
        return post(server, body, {SHA1: signature}).status_code == (200 if good else 403)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(50)))


# ---- the public URL ------------------------------------------------------------------


def test_forwarded_headers_only_when_trusted() -> None:
    public = "https://agent.example.org/webhook"
    headers = {
        "X-Forwarded-Host": "agent.example.org",
        "X-Forwarded-Proto": "https",
        SHA1: scheme_a(KEY, public, EVENT),
    }
    with Protected("waitress") as plain, Protected("waitress", trust_proxy=True) as proxied:
        assert post(plain, EVENT, headers).status_code == 403
        assert post(proxied, EVENT, headers).status_code == 200


def test_explicit_public_url_then_the_proxy_base(monkeypatch: pytest.MonkeyPatch) -> None:
    ngrok, env = "https://abc.ngrok.io", "https://env.example.org"
    body = EVENT
    with Protected("werkzeug", public_url=ngrok + "/") as explicit, Protected("werkzeug") as plain:
        signed = {SHA1: scheme_a(KEY, ngrok + "/webhook?x=1", body)}
        assert post(explicit, body, signed, "/webhook?x=1").status_code == 200
        assert post(plain, body, signed, "/webhook?x=1").status_code == 403
        monkeypatch.setenv("SWML_PROXY_URL_BASE", env)
        assert post(explicit, body, signed, "/webhook?x=1").status_code == 200  # explicit wins
        by_env = {SHA1: scheme_a(KEY, env + "/webhook?x=1", body)}
        assert post(plain, body, by_env, "/webhook?x=1").status_code == 200  # read per request
    with pytest.raises(ValueError, match="public_url"):
        WSGIWebhookSignatureMiddleware(Recorder(), signing_key=KEY, public_url="abc.ngrok.io")
    with pytest.raises(ValueError, match="public_url"):
        WSGIWebhookSignatureMiddleware(Recorder(), signing_key=KEY, public_url=ngrok + "/?q=1")


def test_received_url_without_the_raw_target_is_pep_3333s() -> None:
    environ = {
        "wsgi.url_scheme": "https",
        "SERVER_NAME": "example.org",
        "SERVER_PORT": "443",
        "SCRIPT_NAME": "/app",
        "PATH_INFO": "/a b/\xc3\xa9",  # WSGI: the bytes as latin-1
        "QUERY_STRING": "x=%20&y",
    }
    assert received_url(environ) == "https://example.org/app/a%20b/%C3%A9?x=%20&y"
    assert str(received_url({**environ, "SERVER_PORT": "8443"})).startswith(
        "https://example.org:8443/"
    )
    assert str(received_url({**environ, "HTTP_HOST": "h:1"})).startswith("https://h:1/app")
    assert (
        received_url({**environ, "REQUEST_URI": "/raw%2Fpath?q"})
        == "https://example.org/raw%2Fpath?q"
    )
    assert received_url({**environ, "REQUEST_URI": "/\xff"}) is None  # not UTF-8


# ---- PEP 3333 and construction -------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _wsgiref(app: Any) -> Iterator[int]:
    """``app`` on wsgiref's server (it answers HTTP/1.0) in a thread: its port."""
    with make_server("127.0.0.1", 0, app, handler_class=_Quiet) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield httpd.server_port
        finally:
            httpd.shutdown()
            thread.join(timeout=10)


def _http10_status(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        return conn.recv(4096).split(b" ", 2)[1]


def test_answers_follow_pep_3333_under_wsgiref_validator() -> None:
    app = Recorder()
    checked = validator(
        WSGIWebhookSignatureMiddleware(validator(app), signing_key=KEY, paths=["/webhook"])
    )
    with _wsgiref(checked) as port:
        url = f"http://127.0.0.1:{port}/webhook"
        with httpx.Client(timeout=10) as client:
            signed = {SHA1: scheme_a(KEY, url, EVENT)}
            assert client.post(url, content=EVENT, headers=signed).status_code == 200
            assert client.post(url, content=EVENT, headers={SHA1: "0" * 40}).status_code == 403
        # wsgiref does not end a chunked body (no wsgi.input_terminated): unreadable.
        chunked = (
            f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Transfer-Encoding: chunked\r\n{SHA1}: {scheme_a(KEY, url, EVENT)}\r\n\r\n"
            f"{len(EVENT):x}\r\n{EVENT}\r\n0\r\n\r\n"
        ).encode()
        assert _http10_status(port, chunked) == b"411"
        declared = b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n"
        assert _http10_status(port, declared) == b"413"
    assert app.bodies == [EVENT.encode()]


def test_content_length_that_is_no_number_is_a_400_under_wsgiref() -> None:
    """wsgiref passes ``Content-Length`` on unchecked (waitress and Werkzeug refuse a bad
    one themselves): one that is not a number of ASCII digits is a 400, never a 500."""
    app = Recorder()
    with _wsgiref(WSGIWebhookSignatureMiddleware(app, signing_key=KEY, paths=["/webhook"])) as port:
        url = f"http://127.0.0.1:{port}/webhook"
        # (Content-Length, body, status): no header and no body is an empty body.
        for length, body, expected in (
            (b"2", b"{}", b"200"), (None, b"", b"200"), (b"abc", b"{}", b"400"),
            (b"\xb2", b"{}", b"400"), (b"-1", b"{}", b"400"), (b"+2", b"{}", b"400"),
        ):  # fmt: skip
            request = b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port
            if length is not None:  # \xb2: a digit, not an ASCII one
                request += b"Content-Length: " + length + b"\r\n"
            request += f"{SHA1}: {scheme_a(KEY, url, body.decode())}\r\n\r\n".encode()
            assert _http10_status(port, request + body) == expected, length
    assert app.bodies == [b"{}", b""]


def test_construction_rules_and_repr() -> None:
    app = Recorder()
    with pytest.raises(ValueError, match="signing_key is required"):
        WSGIWebhookSignatureMiddleware(app)
    with pytest.raises(ValueError, match="signing_key is required"):
        WSGIWebhookSignatureMiddleware(app, signing_key="")
    with pytest.raises(TypeError):
        WSGIWebhookSignatureMiddleware(app, signing_key=b"k")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        WSGIWebhookSignatureMiddleware(app, signing_key=KEY, signing_keys=[KEY])
    with pytest.raises(TypeError):
        WSGIWebhookSignatureMiddleware(app, signing_key=KEY, paths="/hook")
    with pytest.raises(ValueError, match="max_body_bytes"):
        WSGIWebhookSignatureMiddleware(app, signing_key=KEY, max_body_bytes=-1)
    with pytest.raises(ValueError, match="policy"):
        WSGIWebhookSignatureMiddleware(app, signing_key=KEY, policy="lax")  # type: ignore[arg-type]
    shown = repr(WSGIWebhookSignatureMiddleware(app, signing_keys=[KEY, "PSKold-000000000"]))
    assert KEY not in shown and "PSKold" not in shown
    assert "policy='strict'" in shown and "paths=every path" in shown
    shown = repr(WSGIWebhookSignatureMiddleware(app, signing_key=KEY, paths=["/swaig"]))
    assert "'/swaig'" in shown


def test_key_rotation() -> None:
    old = "PSKold-wsgi-000000000"
    app = Recorder()
    middleware = WSGIWebhookSignatureMiddleware(app, signing_keys=[KEY, old], paths=["/webhook"])
    with WSGIServer(middleware) as running:
        url = running.base + "/webhook"
        assert running.post("/webhook", EVENT, {SHA1: scheme_a(old, url, EVENT)}).status_code == 200
        assert running.post("/webhook", EVENT, {SHA1: scheme_a(KEY, url, EVENT)}).status_code == 200
        wrong = scheme_a("PSKother-0000000", url, EVENT)
        assert running.post("/webhook", EVENT, {SHA1: wrong}).status_code == 403
    assert app.bodies == [EVENT.encode()] * 2


def test_a_body_no_header_announces_is_checked_where_the_server_ends_the_input() -> None:
    """A server that ends ``wsgi.input`` (``wsgi.input_terminated``: HTTP/2 needs no
    ``Content-Length``) may hand over a GET with a body no header announces: it is read and
    checked; one without a body passes, as any body-less GET."""
    app = Recorder()
    middleware = WSGIWebhookSignatureMiddleware(app, signing_key=KEY, paths=["/webhook"])
    url = "http://example.com/webhook"

    def answer(body: bytes, signature: str | None) -> tuple[str, bytes]:
        """The status, and what the app answered (it echoes the length it read)."""
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": "/webhook", "SERVER_NAME": "example.com",
            "SERVER_PORT": "80", "HTTP_HOST": "example.com", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True,
        }  # fmt: skip
        if signature is not None:
            environ["HTTP_X_SIGNALWIRE_SIGNATURE"] = signature
        answered: list[str] = []
        reply = b"".join(middleware(environ, lambda s, headers: answered.append(s)))
        return answered[0], reply

    assert answer(b'{"forged": 1}', None) == ("403 Forbidden", b"")
    assert answer(b'{"forged": 1}', "0" * 40) == ("403 Forbidden", b"")
    status, reply = answer(b"{}", scheme_a(KEY, url, "{}"))
    assert (status, json.loads(reply)["received"]) == ("200 OK", 2)
    status, reply = answer(b"", None)
    assert (status, json.loads(reply)["received"]) == ("200 OK", 0)


def test_a_declared_length_with_white_space_is_still_a_number() -> None:
    """``CONTENT_LENGTH`` as a server may pass it on (`` 42 ``): read as the number, so a
    body as long passes and a shorter one is the client leaving (400)."""
    middleware = WSGIWebhookSignatureMiddleware(Recorder(), signing_key=KEY)
    body = b'{"event": 1}'
    signature = scheme_a(KEY, "http://example.com/webhook", body)

    def status(declared: str) -> str:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/webhook", "SERVER_NAME": "example.com",
            "SERVER_PORT": "80", "HTTP_HOST": "example.com", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": declared,
            "HTTP_X_SIGNALWIRE_SIGNATURE": signature,
        }  # fmt: skip
        answered: list[str] = []
        b"".join(middleware(environ, lambda s, headers: answered.append(s)))
        return answered[0]

    assert status(f" {len(body)} ") == "200 OK"
    assert status(f" {len(body) + 5}") == "400 Bad Request"
