"""The findings of the adapters' attack review, one test each beyond the deployment shapes
of test_attack.py: options read from environment strings, bodies read before the check,
per-view options, async views, body limits at the boundary on every adapter and server,
and errors that never echo a configuration value. Each refusal has a signed control."""

from __future__ import annotations

import gc
import io
import json
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, override_settings
from django.urls import path as django_path
from django.urls import re_path
from fastapi import FastAPI, Form
from flask import Flask
from flask import request as flask_request

import django_site
from live import Server, exchange, scheme_a, scheme_b, status_line
from live_wsgi import KINDS, WSGIServer
from signalwire.core.security import (
    WebhookSignatureMiddleware,
    WebhookValidator,
    WSGIWebhookSignatureMiddleware,
)
from signalwire.core.security.django import SignalWireWebhookMiddleware, signalwire_view
from signalwire.core.security.flask import SignalWireWebhooks, validate_signalwire_request
from signalwire.core.security.testing import signed_json

KEY = "PSKtest-findings-0123456789"
SHA1 = "X-SignalWire-Signature"
EVENT = json.dumps({"event": "calling.call.state"})
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LIMIT = 1000
SEEN: list[bytes] = []
# A value that must never appear in an error: what a key pasted into the wrong option
# looks like.
PASTED = "PSKpasted-into-the-wrong-option-42"


def _signed(port: int, path: str, body: bytes, host: str | None = None) -> dict[str, str]:
    url = f"http://{host or f'127.0.0.1:{port}'}{path}"
    return {**JSON, SHA1: scheme_a(KEY, url, body)}


# ---- options: checked when built, text parsed explicitly, values never echoed -----------


def _asgi(**options: Any) -> object:
    return WebhookSignatureMiddleware(lambda *a: None, signing_key=KEY, **options)  # type: ignore[arg-type]


def _wsgi(**options: Any) -> object:
    return WSGIWebhookSignatureMiddleware(lambda *a: [], signing_key=KEY, **options)


def _flask_ext(**config: Any) -> object:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, **config)
    return SignalWireWebhooks(app)


@pytest.mark.parametrize("build", [_asgi, _wsgi], ids=["asgi", "wsgi"])
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("paths", ["webhook"]),
        ("paths", []),
        ("paths", ["https://example.org/webhook"]),
        ("paths", ["//example.org/webhook"]),
        ("paths", ["/webhook?x=1"]),
        ("paths", ["/a b"]),
        ("paths", "/webhook"),
        ("paths", [PASTED]),
        *[("paths", [entry]) for entry in ("/a;/b", "/a:/b", "/a|/b", "/a,/b", "/*", "/a/*")],
        *[("paths", [entry]) for entry in ("/a\\", "/caf%C3%A9")],
        ("trust_proxy", "false"),
        ("trust_proxy", "0"),
        ("trust_proxy", 1),
        ("max_body_bytes", 1e6),
        ("max_body_bytes", True),
        ("max_body_bytes", 0),
        ("max_body_bytes", "65536"),
        ("policy", PASTED),
        ("public_url", PASTED),
        ("public_url", f"https://[{PASTED}]/"),
    ],
)
def test_code_options_are_checked_and_never_echoed(
    build: Callable[..., object], option: str, value: object
) -> None:
    with pytest.raises((TypeError, ValueError)) as raised:
        build(**{option: value})
    assert PASTED not in str(raised.value) and option in str(raised.value)


@pytest.mark.parametrize(
    ("entry", "path", "covered"),
    [
        ("/webhook", "/webhook", True),
        ("/webhook", "/webhook/call/1", True),
        ("/webhook", "/WebHook/", True),
        ("/webhook", "//webhook", True),
        ("/webhook", "/x/../webhook", True),
        ("/webhook", "/fr/webhook", True),  # a language prefix (Django's i18n_patterns)
        ("/webhook", "/webhooks", True),  # re_path(r"^webhook") without "$"
        ("/webhook", "/webhook.json", True),  # Flask's /webhook.<format>
        ("/webhook", "/web/hook", False),
        ("/webhook", "/a-webhook", False),
        ("/api/webhook", "/webhook", True),  # the prefix a proxy stripped
        ("/api/webhook", "/webhook/1", True),
        ("/api/webhook", "/api/webhook", True),
        ("/api/webhook", "/app/api/webhook", True),
        ("/api/webhook", "/api", False),
        ("/api/webhook", "/webhookXYZ", True),
        ("/api/webhook", "/api/other", False),
        ("/api/webhook", "/fr/webhook", False),
        ("/café", "/CAFÉ/x", True),
        ("/", "/anything", True),
    ],
)
def test_paths_cover(entry: str, path: str, covered: bool) -> None:
    middleware = WSGIWebhookSignatureMiddleware(lambda *a: [], signing_key=KEY, paths=[entry])
    assert middleware.paths.cover(path) is covered


@pytest.mark.parametrize(
    ("base", "taken"),
    [
        ("https://[::1]", True),
        ("https://[2001:db8::1]:8443/base/", True),
        ("http://user@[fe80::1]", True),
        ("https://[::1", False),
        ("https://[zz::1]", False),
        ("https://[1.2.3.4]", False),
        ("https://example.ngrok.io:99999", False),
        ("https://example.ngrok.io:port", False),
    ],
)
def test_public_url_hosts_and_ports(base: str, taken: bool) -> None:
    """Bracketed hosts are IPv6 addresses and ports are numbers, whatever the interpreter's
    ``urlsplit`` checks; a refusal never repeats the value."""
    if taken:
        assert WebhookValidator(KEY, public_url=base).public_url == base.rstrip("/")
        return
    with pytest.raises(ValueError) as raised:
        WebhookValidator(KEY, public_url=base)
    assert base not in str(raised.value)


def test_validator_options_never_echo() -> None:
    with pytest.raises(ValueError) as raised:
        WebhookValidator(KEY, policy=PASTED)  # type: ignore[arg-type]
    assert PASTED not in str(raised.value)
    with pytest.raises(TypeError):
        WebhookValidator(KEY, trust_proxy="false")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SIGNALWIRE_TRUST_PROXY", "maybe"),
        ("SIGNALWIRE_TRUST_PROXY", PASTED),
        ("SIGNALWIRE_TRUST_PROXY", 2),
        ("SIGNALWIRE_MAX_BODY_BYTES", "1e6"),
        ("SIGNALWIRE_MAX_BODY_BYTES", "0"),
        ("SIGNALWIRE_WEBHOOK_PATHS", "webhook"),
        ("SIGNALWIRE_WEBHOOK_PATHS", ""),
        ("SIGNALWIRE_WEBHOOK_POLICY", PASTED),
    ],
)
def test_config_values_are_parsed_and_never_echoed(setting: str, value: object) -> None:
    with pytest.raises((TypeError, ValueError)) as raised:
        _flask_ext(**{setting: value})
    assert setting in str(raised.value) and PASTED not in str(raised.value)
    django_site.configure()
    with (
        override_settings(SIGNALWIRE_SIGNING_KEY=KEY, **{setting: value}),
        pytest.raises(ImproperlyConfigured) as improper,
    ):
        SignalWireWebhookMiddleware(lambda request: HttpResponse())
    assert setting in str(improper.value) and PASTED not in str(improper.value)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        *[("false", False), ("False", False), ("0", False), ("no", False), ("off", False)],
        *[("true", True), (" TRUE ", True), ("1", True), ("yes", True), ("on", True)],
        *[(0, False), (1, True), (False, False), (True, True)],
    ],
)
def test_proxy_trust_from_text_means_what_it_says(text: object, meaning: bool) -> None:
    """``SIGNALWIRE_TRUST_PROXY`` as the environment gives it: a signature made for the
    host in ``X-Forwarded-Host`` passes exactly when the text means true."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_TRUST_PROXY=text)
    app.add_url_rule("/webhook", "webhook", lambda: "ok", methods=["POST"])
    SignalWireWebhooks(app)
    headers = {
        **JSON,
        SHA1: scheme_a(KEY, "https://proxy.example/webhook", EVENT),
        "X-Forwarded-Host": "proxy.example",
    }
    answer = app.test_client().post("/webhook", data=EVENT, headers=headers)
    assert answer.status_code == (200 if meaning else 403)
    django_site.configure()
    with override_settings(
        ROOT_URLCONF=__name__, SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_TRUST_PROXY=text
    ):
        guard = SignalWireWebhookMiddleware(lambda request: HttpResponse())._guard
        assert guard.validator.trust_proxy is meaning


# ---- Flask: a body read before the check, per-view options, the stream afterwards ------


def _form_app(hook: Callable[[], None]) -> tuple[Flask, list[bytes]]:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    seen: list[bytes] = []

    @app.post("/cxml")
    @validate_signalwire_request
    def cxml() -> dict[str, Any]:
        seen.append(flask_request.get_data())
        return {"form": flask_request.form.to_dict()}

    app.before_request(hook)
    return app, seen


def _reads_form() -> None:
    flask_request.form  # noqa: B018 - the read is the point


def _reads_values() -> None:
    flask_request.values  # noqa: B018


def _reads_files() -> None:
    flask_request.files  # noqa: B018


def _reads_stream() -> None:
    flask_request.stream.read()


def _reads_data() -> None:
    """``request.data`` parses a form body from the stream, then caches what is left: b""."""
    flask_request.data  # noqa: B018


def _reads_data_parsing_forms() -> None:
    flask_request.get_data(parse_form_data=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "hook",
    [_reads_form, _reads_values, _reads_files, _reads_stream, _reads_data,
     _reads_data_parsing_forms],
    ids=["form", "values", "files", "stream", "data", "get_data(parse_form_data=True)"],
)  # fmt: skip
def test_flask_body_read_before_the_decorator_fails_closed(
    kind: str, hook: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    """A ``before_request`` that reads the body (``request.form``, ``.values``, ``.files``,
    ``.stream``, ``.data``) leaves ``get_data()`` empty: the decorator must not check
    ``b""`` in place of the form the view reads (a URL-only signature, which any
    param-less callback to the URL carries, would then pass). A 403, and a log line."""
    params = [("CallSid", "CA1"), ("Digits", "1")]
    body = urlencode(params).encode()

    # Control: a hook that reads the body through get_data() (cached) changes nothing.
    def reads_data() -> None:
        flask_request.get_data()

    app, seen = _form_app(reads_data)
    with WSGIServer(app, kind) as server:
        signature = scheme_b(KEY, server.base + "/cxml", params)
        headers = {**FORM, SHA1: signature}
        assert exchange(server.port, "POST", "/cxml", headers, body) == 200
        assert exchange(server.port, "POST", "/cxml", headers, body, chunked=True) == 200
        assert seen == [body, body]
    app, seen = _form_app(hook)
    with WSGIServer(app, kind) as server, caplog.at_level(logging.WARNING):
        url_only = scheme_b(KEY, server.base + "/cxml", [])
        signature = scheme_b(KEY, server.base + "/cxml", params)
        for headers in ({**FORM, SHA1: url_only}, {**FORM, SHA1: signature}):
            assert exchange(server.port, "POST", "/cxml", headers, body) == 403
            assert exchange(server.port, "POST", "/cxml", headers, body, chunked=True) == 403
        # An empty body the hook read loses nothing: checked as it is.
        empty = {**FORM, SHA1: url_only}  # Content-Length: 0
        assert exchange(server.port, "POST", "/cxml", empty, b"") == 200
    assert seen == [b""]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 4 and all("read before the signature check" in m for m in refusals)


@pytest.mark.parametrize("kind", KINDS)
def test_flask_json_read_by_a_hook_is_still_checked_whole(kind: str) -> None:
    """``request.data`` on a body that is no form caches all of it: nothing was lost, the
    signature is checked over it (an empty body too, but a chunked empty one only where
    the server gives it a length: on Werkzeug it is refused as unproven)."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    seen: list[bytes] = []

    @app.post("/webhook")
    @validate_signalwire_request
    def webhook() -> str:
        seen.append(flask_request.get_data())
        return "ok"

    app.before_request(_reads_data)
    with WSGIServer(app, kind) as server:
        for body in (EVENT.encode(), b""):
            headers = _signed(server.port, "/webhook", body)
            for chunked in (False, True):
                status = exchange(server.port, "POST", "/webhook", headers, body, chunked=chunked)
                # Werkzeug streams a chunked body: an empty one cannot be told from one a
                # hook drained (test_flask_raw_input_drained_before_the_check_fails_closed).
                unproven = chunked and not body and kind == "werkzeug"
                assert status == (400 if unproven else 200), (body, chunked)
        forged = {**JSON, SHA1: "0" * 40}
        assert exchange(server.port, "POST", "/webhook", forged, b"{}", chunked=True) == 403
    assert seen == [EVENT.encode()] * 2 + [b""] * (1 if kind == "werkzeug" else 2)


def _drains_input_stream() -> None:
    if flask_request.path == "/drained":
        flask_request.input_stream.read()


def _drains_wsgi_input() -> None:
    if flask_request.path == "/drained":
        flask_request.environ["wsgi.input"].read()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "hook", [_drains_input_stream, _drains_wsgi_input], ids=["input_stream", "wsgi.input"]
)
def test_flask_raw_input_drained_before_the_check_fails_closed(
    kind: str, hook: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that drains the raw input leaves Werkzeug nothing to know it by: a chunked
    body then reads as ``b""``, for which a URL-only signature vouches, while the view
    uses what the hook read (a forged body reached the view this way). Refused (400,
    logged); the same hook on another view of the app is the signed control."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    ran: list[str] = []

    @app.post("/webhook")
    @validate_signalwire_request
    def webhook() -> str:
        ran.append("webhook")
        return "ok"

    @app.post("/drained")
    @validate_signalwire_request
    def drained() -> str:
        ran.append("drained")
        return "ok"

    app.before_request(hook)
    forged = b'{"call_id":"ATTACKER"}'
    with WSGIServer(app, kind) as server, caplog.at_level(logging.WARNING):
        signed = _signed(server.port, "/webhook", EVENT.encode())
        assert (
            exchange(server.port, "POST", "/webhook", signed, EVENT.encode(), chunked=True) == 200
        )
        url_only = {**JSON, SHA1: scheme_b(KEY, server.base + "/drained", [])}
        assert exchange(server.port, "POST", "/drained", url_only, forged, chunked=True) == 400
    assert ran == ["webhook"]
    # waitress ends a chunked body with a Content-Length: the short body is what it sees.
    cause = "reads as empty" if kind == "werkzeug" else "shorter than its Content-Length"
    assert cause in caplog.text


class _Drains:
    """A WSGI layer outside the Flask extension that reads the whole body for itself."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/drained":
            environ["raw_body"] = environ["wsgi.input"].read()
        return self.app(environ, start_response)


def test_flask_extension_under_a_draining_layer_refuses_a_chunked_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A layer put around ``app.wsgi_app`` after ``SignalWireWebhooks`` runs before it and
    drains a chunked body on Werkzeug's server: the extension then reads ``b""``. Refused
    (400, logged), never checked as an empty body; the layer's other path is the control."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    app.add_url_rule("/webhook", "webhook", lambda: "ok", methods=["POST"])
    app.add_url_rule("/drained", "drained", lambda: "ran", methods=["POST"])
    SignalWireWebhooks(app)
    app.wsgi_app = _Drains(app.wsgi_app)  # type: ignore[method-assign]
    forged = b'{"call_id":"ATTACKER"}'
    with WSGIServer(app, "werkzeug") as server, caplog.at_level(logging.WARNING):
        signed = _signed(server.port, "/webhook", EVENT.encode())
        assert (
            exchange(server.port, "POST", "/webhook", signed, EVENT.encode(), chunked=True) == 200
        )
        url_only = {**JSON, SHA1: scheme_b(KEY, server.base + "/drained", [])}
        assert exchange(server.port, "POST", "/drained", url_only, forged, chunked=True) == 400
    assert "reads as empty" in caplog.text


class _ReadsAhead:
    """A WSGI layer outside Flask that reads the first bytes of the body, and puts them
    back (``put_back``) or not."""

    def __init__(self, app: Any, put_back: bool) -> None:
        self.app, self.put_back = app, put_back

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        head = environ["wsgi.input"].read(5)
        if self.put_back:
            environ["wsgi.input"] = io.BytesIO(head + environ["wsgi.input"].read())
        return self.app(environ, start_response)


def test_flask_body_read_outside_flask_is_a_400(caplog: pytest.LogCaptureFixture) -> None:
    """A layer outside Flask that read part of the body leaves the decorator fewer bytes
    than ``Content-Length``: a 400, logged, never a check of what is left. (On waitress,
    which ends the input; Werkzeug's server would wait for the bytes that never come.)"""
    params = [("CallSid", "CA1"), ("Digits", "1")]
    body = urlencode(params).encode()
    for put_back, expected in ((True, 200), (False, 400)):
        app, seen = _form_app(lambda: None)
        app.wsgi_app = _ReadsAhead(app.wsgi_app, put_back)  # type: ignore[method-assign]
        with WSGIServer(app) as server, caplog.at_level(logging.WARNING):
            headers = {**FORM, SHA1: scheme_b(KEY, server.base + "/cxml", params)}
            assert exchange(server.port, "POST", "/cxml", headers, body) == expected
        assert seen == ([body] if put_back else [])
    assert "shorter than its Content-Length" in caplog.text


def test_flask_per_view_options_stay_per_view() -> None:
    """Views decorated in a loop, with the garbage collector run between them: each keeps
    its own options (half trust the proxy, half do not)."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    for i in range(24):
        view = validate_signalwire_request(trust_proxy=i % 2 == 0)(lambda: "ok")
        app.add_url_rule(f"/v{i}", f"v{i}", view, methods=["POST"])
        gc.collect()
    client = app.test_client()
    for i in range(24):
        headers = {
            **JSON,
            SHA1: scheme_a(KEY, f"https://proxy.example/v{i}", EVENT),
            "X-Forwarded-Host": "proxy.example",
        }
        status = client.post(f"/v{i}", data=EVENT, headers=headers).status_code
        assert status == (200 if i % 2 == 0 else 403), i
        signed = signed_json(KEY, f"http://localhost/v{i}", EVENT)
        assert client.post(**signed.flask()).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_flask_view_reads_the_checked_body_every_way(kind: str) -> None:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    seen: list[tuple[bytes, bytes, Any]] = []

    @app.post("/webhook")
    @validate_signalwire_request
    def webhook() -> str:
        seen.append((flask_request.stream.read(), flask_request.get_data(), flask_request.json))
        return "ok"

    with WSGIServer(app, kind) as server:
        body = EVENT.encode()
        headers = _signed(server.port, "/webhook", body)
        assert exchange(server.port, "POST", "/webhook", headers, body) == 200
        assert exchange(server.port, "POST", "/webhook", headers, body, chunked=True) == 200
    assert seen == [(body, body, json.loads(EVENT))] * 2


# ---- Django: a body read by a middleware above ours, async views, AsyncClient ----------


class ReadsPost:
    """A middleware above ours that reads ``request.POST`` (a multipart body is then gone)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        request.POST  # noqa: B018 - the read is the point
        return self.get_response(request)


def _django_hook(request: HttpRequest) -> HttpResponse:
    SEEN.append(request.body if not request.FILES else b"files")
    return JsonResponse({"ok": True})


@signalwire_view
async def _django_async(request: HttpRequest) -> HttpResponse:
    SEEN.append(request.body)
    return JsonResponse({"ok": True})


urlpatterns = [django_path("hook", _django_hook), django_path("async", _django_async)]


@pytest.fixture
def django_reads_post() -> Iterator[WSGIServer]:
    django_site.configure()
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    with (
        override_settings(
            ROOT_URLCONF=__name__,
            SIGNALWIRE_SIGNING_KEY=KEY,
            MIDDLEWARE=[
                f"{__name__}.ReadsPost",
                "signalwire.core.security.django.SignalWireWebhookMiddleware",
            ],
        ),
        WSGIServer(get_wsgi_application()) as server,
    ):
        yield server


def test_django_body_read_above_the_middleware_fails_closed(
    django_reads_post: WSGIServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = django_reads_post
    boundary = "b0undary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\nCA1\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    kind = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    url = server.base + "/hook"
    before = len(SEEN)
    with caplog.at_level(logging.WARNING):
        signed = {**kind, SHA1: scheme_a(KEY, url, multipart)}
        assert exchange(server.port, "POST", "/hook", signed, multipart) == 403
        forged = {**kind, SHA1: "0" * 40}
        assert exchange(server.port, "POST", "/hook", forged, multipart) == 403
    assert "read before the signature check" in caplog.text
    # Control: a form Django reads into request.body first stays checkable.
    form = b"CallSid=CA1"
    signed = {**FORM, SHA1: scheme_b(KEY, url, [("CallSid", "CA1")])}
    assert exchange(server.port, "POST", "/hook", signed, form) == 200
    assert SEEN[before:] == [form]


def test_django_async_view_with_async_client() -> None:
    import asyncio  # noqa: PLC0415

    django_site.configure()

    async def run() -> list[int]:
        client = AsyncClient()
        signed = signed_json(KEY, "http://testserver/async", {"event": "x"})
        ok = await client.post(**signed.django())
        forged = await client.post(
            "/async", data=b"{}", content_type="application/json", headers={SHA1: "0" * 40}
        )
        return [ok.status_code, forged.status_code]

    before = len(SEEN)
    with override_settings(ROOT_URLCONF=__name__, SIGNALWIRE_SIGNING_KEY=KEY):
        assert asyncio.run(run()) == [200, 403]
    assert SEEN[before:] == [json.dumps({"event": "x"}).encode()]


# ---- a target the client percent-encoded: what the platform signed is what it sent -----


@pytest.mark.parametrize("target", ["/hooks/a%20b", "/caf%C3%A9", "/plain"])
def test_asgi_signature_over_the_target_as_sent(target: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return  # lifespan
        SEEN.append(target.encode())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    before = len(SEEN)
    with Server(WebhookSignatureMiddleware(app, signing_key=KEY)) as server:
        body = EVENT.encode()
        assert (
            exchange(server.port, "POST", target, _signed(server.port, target, body), body) == 200
        )
        forged = {**JSON, SHA1: "0" * 40}
        assert exchange(server.port, "POST", target, forged, body) == 403
    assert SEEN[before:] == [target.encode()]


def _django_any(request: HttpRequest, rest: str) -> HttpResponse:
    SEEN.append(request.body)
    return JsonResponse({"ok": True})


@pytest.mark.parametrize("serve", ["waitress", "uvicorn"])
def test_django_signature_over_the_target_as_sent(serve: str) -> None:
    django_site.configure()
    global urlpatterns  # noqa: PLW0603 - the URLconf this test serves
    saved = urlpatterns
    urlpatterns = [re_path(r"^(?P<rest>.*)$", _django_any)]
    try:
        with (
            override_settings(
                ROOT_URLCONF=__name__,
                MIDDLEWARE=["signalwire.core.security.django.SignalWireWebhookMiddleware"],
                SIGNALWIRE_SIGNING_KEY=KEY,
            ),
            _django_server(serve) as running,
        ):
            for target in ("/hooks/a%20b", "/caf%C3%A9"):
                body = EVENT.encode()
                headers = _signed(running.port, target, body)
                assert exchange(running.port, "POST", target, headers, body) == 200, target
                forged = {**JSON, SHA1: "0" * 40}
                assert exchange(running.port, "POST", target, forged, body) == 403
    finally:
        urlpatterns = saved


# ---- FastAPI Form() routes: the middleware reads the body first --------------------------


def test_fastapi_form_route_behind_the_middleware() -> None:
    app = FastAPI()
    seen: list[tuple[str, str]] = []

    @app.post("/cxml")
    async def cxml(CallSid: str = Form(), Digits: str = Form()) -> dict[str, bool]:
        seen.append((CallSid, Digits))
        return {"ok": True}

    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/cxml"])
    params = [("CallSid", "CA1"), ("Digits", "7")]
    body = urlencode(params).encode()
    with Server(app) as server:
        signature = scheme_b(KEY, server.base + "/cxml", params)
        assert exchange(server.port, "POST", "/cxml", {**FORM, SHA1: signature}, body) == 200
        assert exchange(server.port, "POST", "/cxml", {**FORM, SHA1: "0" * 28}, body) == 403
    assert seen == [("CA1", "7")]


# ---- body limits: exactly max_body_bytes passes, one byte more is 413 --------------------


def _recording_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    SEEN.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    start_response("200 OK", [])
    return [b""]


def _limit_flask(decorator: bool) -> Flask:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_MAX_BODY_BYTES=LIMIT)

    def hook() -> str:
        SEEN.append(flask_request.get_data())
        return "ok"

    app.add_url_rule(
        "/hook", "hook", validate_signalwire_request(hook) if decorator else hook, methods=["POST"]
    )
    if not decorator:
        SignalWireWebhooks(app)
    return app


def _limit_asgi() -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        SEEN.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return WebhookSignatureMiddleware(app, signing_key=KEY, max_body_bytes=LIMIT)


def _limit_wsgi(kind: str) -> Callable[[], WSGIServer]:
    guarded = WSGIWebhookSignatureMiddleware(_recording_wsgi, signing_key=KEY, max_body_bytes=LIMIT)
    return lambda: WSGIServer(guarded, kind)


def _limit_flask_on(kind: str, decorator: bool) -> Callable[[], WSGIServer]:
    return lambda: WSGIServer(_limit_flask(decorator), kind)


LIMITED: dict[str, Callable[[], Any]] = {
    "asgi middleware, uvicorn": lambda: Server(_limit_asgi()),
    **{f"wsgi middleware, {kind}": _limit_wsgi(kind) for kind in KINDS},
    **{
        f"flask {what}, {kind}": _limit_flask_on(kind, decorator)
        for kind in KINDS
        for what, decorator in (("extension", False), ("decorator", True))
    },
}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("server", LIMITED)
def test_limit_is_inclusive(server: str, chunked: bool) -> None:
    with LIMITED[server]() as running:
        for size, expected in ((LIMIT, 200), (LIMIT + 1, 413), (LIMIT * 4, 413)):
            body = b"{" + b" " * (size - 2) + b"}"
            headers = _signed(running.port, "/hook", body)
            before = len(SEEN)
            status = exchange(running.port, "POST", "/hook", headers, body, chunked=chunked)
            assert status == expected, size
            assert SEEN[before:] == ([body] if expected == 200 else [])


@signalwire_view
def _django_limited(request: HttpRequest) -> HttpResponse:
    SEEN.append(request.body)
    return JsonResponse({"ok": True})


urlpatterns += [
    django_path("limited", _django_hook),
    django_path("limited-view", _django_limited),
]


def _django_server(serve: str) -> Any:
    if serve == "waitress":
        from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

        return WSGIServer(get_wsgi_application())
    from django.core.asgi import get_asgi_application  # noqa: PLC0415 - after setup

    return Server(get_asgi_application())


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("serve", ["waitress", "uvicorn"])
@pytest.mark.parametrize("setting", ["middleware", "decorator"])
def test_django_limit_is_inclusive(setting: str, serve: str, chunked: bool) -> None:
    django_site.configure()
    path = "/limited" if setting == "middleware" else "/limited-view"
    middleware = (
        ["signalwire.core.security.django.SignalWireWebhookMiddleware"]
        if setting == "middleware"
        else []
    )
    with (
        override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=middleware,
            SIGNALWIRE_SIGNING_KEY=KEY,
            SIGNALWIRE_MAX_BODY_BYTES=str(LIMIT),
        ),
        _django_server(serve) as running,
    ):
        for size, expected in ((LIMIT, 200), (LIMIT + 1, 413), (LIMIT * 4, 413)):
            body = b"{" + b" " * (size - 2) + b"}"
            headers = _signed(running.port, path, body)
            before = len(SEEN)
            status = exchange(running.port, "POST", path, headers, body, chunked=chunked)
            assert status == expected, size
            assert SEEN[before:] == ([body] if expected == 200 else [])


@pytest.mark.parametrize("serve", ["waitress", "uvicorn"])
@pytest.mark.parametrize("setting", ["middleware", "decorator"])
def test_django_checks_the_target_as_sent(setting: str, serve: str) -> None:
    """The platform signs the URL as it sent it: a path with an escape (routed to the
    decoded path) is checked as sent, under WSGI (``REQUEST_URI``) and under ASGI (the
    scope's ``raw_path``, Django's path being decoded)."""
    django_site.configure()
    path = "/limite%64" if setting == "middleware" else "/limited-vie%77"
    middleware = ["signalwire.core.security.django.SignalWireWebhookMiddleware"]
    with (
        override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=middleware if setting == "middleware" else [],
            SIGNALWIRE_SIGNING_KEY=KEY,
        ),
        _django_server(serve) as running,
    ):
        body = EVENT.encode()
        before = len(SEEN)
        assert exchange(running.port, "POST", path, _signed(running.port, path, body), body) == 200
        assert exchange(running.port, "POST", path, {**JSON, SHA1: "0" * 40}, body) == 403
        assert SEEN[before:] == [body]


def test_django_under_asgi_checks_the_scheme_the_server_reports() -> None:
    """uvicorn takes ``X-Forwarded-Proto`` from a proxy on 127.0.0.1 (its default): the
    scope says https, and so does the URL checked (a TLS-terminating proxy in front)."""
    django_site.configure()
    with (
        override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=["signalwire.core.security.django.SignalWireWebhookMiddleware"],
            SIGNALWIRE_SIGNING_KEY=KEY,
        ),
        _django_server("uvicorn") as running,
    ):
        body = EVENT.encode()
        base = f"127.0.0.1:{running.port}/hook"
        tls = {"X-Forwarded-Proto": "https"}
        https = {**JSON, **tls, SHA1: scheme_a(KEY, f"https://{base}", body)}
        http = {**JSON, **tls, SHA1: scheme_a(KEY, f"http://{base}", body)}
        before = len(SEEN)
        assert exchange(running.port, "POST", "/hook", https, body) == 200
        assert exchange(running.port, "POST", "/hook", http, body) == 403
        assert (
            exchange(running.port, "POST", "/hook", _signed(running.port, "/hook", body), body)
            == 200
        )
        assert SEEN[before:] == [body, body]


class ReadsStream:
    """A middleware above ours that reads the body stream (``request.read()``)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        request.read()
        return self.get_response(request)


def test_django_stream_read_above_the_middleware_fails_closed_even_for_a_get() -> None:
    """Once a middleware above read the stream, Django cannot say whether a GET carried a
    body: it is checked (and refused), never waved through unsigned."""
    django_site.configure()
    reads = [f"{__name__}.ReadsStream"]
    ours = ["signalwire.core.security.django.SignalWireWebhookMiddleware"]
    for above, expected in (([], 200), (reads, 403)):
        with (
            override_settings(
                ROOT_URLCONF=__name__, MIDDLEWARE=above + ours, SIGNALWIRE_SIGNING_KEY=KEY
            ),
            _django_server("waitress") as running,
        ):
            assert exchange(running.port, "GET", "/hook", {}) == expected


# ---- a body shorter than its Content-Length, on a server that streams it ----------------


def _short_body(port: int, path: str) -> int | None:
    """Announce 100 bytes, send 50, close the sending side: the server sees the end."""
    body = b"{" + b" " * 48 + b"}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"{SHA1}: {scheme_a(KEY, f'http://127.0.0.1:{port}{path}', body)}\r\n"
        "Content-Length: 100\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head + body)
        conn.shutdown(socket.SHUT_WR)
        return status_line(conn)


def _short_flask(decorator: bool) -> Flask:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)

    def hook() -> str:
        SEEN.append(flask_request.get_data())
        return "ok"

    view = validate_signalwire_request(hook) if decorator else hook
    app.add_url_rule("/hook", "hook", view, methods=["POST"])
    if not decorator:
        SignalWireWebhooks(app)
    return app


SHORT: dict[str, Callable[[], Any]] = {
    "wsgi middleware": lambda: WSGIWebhookSignatureMiddleware(_recording_wsgi, signing_key=KEY),
    "flask extension": lambda: _short_flask(False),
    "flask decorator": lambda: _short_flask(True),
}


@pytest.mark.parametrize("adapter", SHORT)
def test_short_body_on_a_streaming_server_is_refused(adapter: str) -> None:
    """Werkzeug's server hands the app the stream as it comes: a body that ends before its
    Content-Length must not reach the app (400), where a buffering server never calls it."""
    with WSGIServer(SHORT[adapter](), "werkzeug") as server:
        before = len(SEEN)  # after the server's start-up GET
        assert _short_body(server.port, "/hook") == 400
        body = EVENT.encode()
        assert (
            exchange(server.port, "POST", "/hook", _signed(server.port, "/hook", body), body) == 200
        )
    assert SEEN[before:] == [body]


def test_django_short_body_on_a_streaming_server_is_refused() -> None:
    django_site.configure()
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    before = len(SEEN)
    with (
        override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=["signalwire.core.security.django.SignalWireWebhookMiddleware"],
            SIGNALWIRE_SIGNING_KEY=KEY,
        ),
        WSGIServer(get_wsgi_application(), "werkzeug") as server,
    ):
        assert _short_body(server.port, "/hook") == 400
        body = EVENT.encode()
        assert (
            exchange(server.port, "POST", "/hook", _signed(server.port, "/hook", body), body) == 200
        )
    assert SEEN[before:] == [body]


def test_documented_defaults() -> None:
    """The README's configuration reference: every path, no proxy trust, strict, 10 MiB."""
    shown = (
        "paths=every path, trust_proxy=False, policy='strict', public_url=None, "
        f"max_body_bytes={10 * 1024 * 1024}"
    )
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)
    SignalWireWebhooks(app)
    django_site.configure()
    with override_settings(SIGNALWIRE_SIGNING_KEY=KEY):
        django_middleware = SignalWireWebhookMiddleware(lambda request: HttpResponse())
    for middleware in (_asgi(), _wsgi(), app.wsgi_app, django_middleware):
        assert shown in repr(middleware)


# ---- the second review: blank keys, Django's rebuilt path, FastAPI Form() dependency ----


@pytest.mark.parametrize("blank", ["", " ", "\n", "\t "])
def test_blank_keys_are_refused(blank: str) -> None:
    builds: list[Callable[[], object]] = [
        lambda: _asgi_keyed(blank),
        lambda: WSGIWebhookSignatureMiddleware(lambda *a: [], signing_keys=[KEY, blank]),
        lambda: _flask_ext_keys(SIGNALWIRE_SIGNING_KEY=blank),
        lambda: _flask_ext_keys(SIGNALWIRE_SIGNING_KEYS=[KEY, blank]),
    ]
    for build in builds:
        with pytest.raises((TypeError, ValueError)):
            build()
    django_site.configure()
    with override_settings(SIGNALWIRE_SIGNING_KEY=blank), pytest.raises(ImproperlyConfigured):
        SignalWireWebhookMiddleware(lambda request: HttpResponse())


def _asgi_keyed(key: str) -> object:
    return WebhookSignatureMiddleware(lambda *a: None, signing_key=key)  # type: ignore[arg-type]


def _flask_ext_keys(**config: Any) -> object:
    app = Flask(__name__)
    app.config.update(config)
    return SignalWireWebhooks(app)


def test_keys_from_configuration_are_stripped_and_padded_keys_in_code_refused() -> None:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY + "\n")  # read from a file
    app.add_url_rule("/webhook", "webhook", lambda: "ok", methods=["POST"])
    SignalWireWebhooks(app)
    signed = signed_json(KEY, "http://localhost/webhook", EVENT)
    assert app.test_client().post(**signed.flask()).status_code == 200
    with pytest.raises(ValueError, match="white space") as raised:
        WSGIWebhookSignatureMiddleware(lambda *a: [], signing_key=KEY + "\n")
    assert KEY not in str(raised.value)


def _django_path_view(request: HttpRequest, rest: str) -> HttpResponse:
    SEEN.append(request.body)
    return JsonResponse({"ok": True})


@pytest.mark.parametrize("target", ["/hooks/caf%C3%A9", "/hooks/a%20b", "/hooks/plain"])
def test_django_test_client_paths_outside_ascii(target: str) -> None:
    """Django's test client (and runserver) give no raw target: the URL is rebuilt from
    the path Django decoded, as the platform would have encoded it."""
    django_site.configure()
    global urlpatterns  # noqa: PLW0603 - the URLconf this test serves
    saved = urlpatterns
    urlpatterns = [re_path(r"^hooks/(?P<rest>.*)$", _django_path_view)]
    try:
        with override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=["signalwire.core.security.django.SignalWireWebhookMiddleware"],
            SIGNALWIRE_SIGNING_KEY=KEY,
        ):
            from django.test import Client  # noqa: PLC0415

            signed = signed_json(KEY, f"http://testserver{target}", EVENT)
            assert Client().post(**signed.django()).status_code == 200
            forged = signed_json("PSKother-000000000", f"http://testserver{target}", EVENT)
            assert Client().post(**forged.django()).status_code == 403
    finally:
        urlpatterns = saved


def test_fastapi_dependency_on_a_form_route_refuses_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fastapi import Depends  # noqa: PLC0415

    from signalwire.core.security import make_webhook_validation_dependency  # noqa: PLC0415

    app = FastAPI()

    @app.post("/cxml", dependencies=[Depends(make_webhook_validation_dependency(KEY))])
    async def cxml(CallSid: str = Form()) -> dict[str, bool]:
        SEEN.append(CallSid.encode())
        return {"ok": True}

    params = [("CallSid", "CA1")]
    before = len(SEEN)
    with Server(app) as server, caplog.at_level(logging.WARNING):
        signature = scheme_b(KEY, server.base + "/cxml", params)
        body = urlencode(params).encode()
        assert exchange(server.port, "POST", "/cxml", {**FORM, SHA1: signature}, body) == 403
        assert exchange(server.port, "POST", "/cxml", {**FORM, SHA1: "0" * 28}, body) == 403
    assert SEEN[before:] == []
    assert "WebhookSignatureMiddleware" in caplog.text
