"""Django: SignalWireWebhookMiddleware (configured from settings) and the signalwire_view
decorator, through Django's test client (with ``signalwire.core.security.testing``) and on
a real waitress server on 127.0.0.1 serving Django's WSGI application."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

import django_site
from live import exchange, scheme_a, scheme_b
from live_wsgi import WSGIServer
from signalwire.core.security.django import SignalWireWebhookMiddleware, signalwire_view
from signalwire.core.security.testing import signed_form, signed_json

KEY = "PSKtest-django-0123456789"
OLD = "PSKold-django-9876543210"
EVENT = {"event": "calling.call.state", "params": {"call_state": "answered"}}
SHA1 = "X-SignalWire-Signature"
SEEN: list[Any] = []
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "signalwire.core.security.django.SignalWireWebhookMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]


def webhook(request: HttpRequest) -> HttpResponse:
    SEEN.append(("webhook", request.body, request.POST.dict()))
    return JsonResponse({"ok": True})


@signalwire_view
def decorated(request: HttpRequest) -> HttpResponse:
    SEEN.append(("decorated", request.body, list(request.POST.lists())))
    return JsonResponse({"ok": True})


@signalwire_view(signing_key=OLD, max_body_bytes=64)
def explicit(request: HttpRequest) -> HttpResponse:
    SEEN.append(("explicit", request.body))
    return JsonResponse({"ok": True})


def open_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"open": len(request.body)})


urlpatterns = [
    path("webhook", webhook),
    path("cxml", webhook),
    path("decorated", decorated),
    path("explicit", explicit),
    path("open", open_view),
]


@pytest.fixture(scope="module", autouse=True)
def site() -> Iterator[None]:
    django_site.configure()
    with override_settings(
        ROOT_URLCONF=__name__,
        MIDDLEWARE=MIDDLEWARE,
        SIGNALWIRE_SIGNING_KEY=KEY,
        SIGNALWIRE_WEBHOOK_PATHS=["/webhook", "/cxml"],
    ):
        yield


def client() -> Client:
    return Client(enforce_csrf_checks=True)  # what a real POST from the platform meets


def test_middleware_with_the_test_client() -> None:
    signed = signed_json(KEY, "http://testserver/webhook", EVENT)
    assert client().post(**signed.django()).status_code == 200
    assert SEEN[-1] == ("webhook", signed.body, {})
    form = signed_form(KEY, "http://testserver/cxml", [("CallSid", "CA1"), ("Digits", "1")])
    assert client().post(**form.django()).status_code == 200  # CSRF-exempt once signed
    assert SEEN[-1] == ("webhook", form.body, {"CallSid": "CA1", "Digits": "1"})
    https = signed_json(KEY, "https://example.org/webhook?x=1", EVENT, sha1=False)
    assert client().post(**https.django()).status_code == 200
    before = len(SEEN)
    forged = client().post(
        "/webhook", data=b"{}", content_type="application/json", headers={SHA1: "0" * 40}
    )
    assert (forged.status_code, forged.content) == (403, b"")
    url_only = {SHA1: scheme_b(KEY, "http://testserver/cxml", [])}
    strict = client().post(
        "/cxml",
        data=b"CallSid=CAforged",
        content_type="application/x-www-form-urlencoded",
        headers=url_only,
    )
    assert strict.status_code == 403
    assert len(SEEN) == before
    # An unprotected POST still meets CSRF.
    assert client().post("/open", data=b"x", content_type="text/plain").status_code == 403
    assert Client().post("/open", data=b"x", content_type="text/plain").json() == {"open": 1}


def test_decorator_is_csrf_exempt_and_checks_every_method() -> None:
    assert getattr(decorated, "csrf_exempt", False) is True
    signed = signed_form(KEY, "http://testserver/decorated", {"Digits": ["1", "2"]})
    assert client().post(**signed.django()).status_code == 200
    assert SEEN[-1] == ("decorated", b"Digits=1&Digits=2", [("Digits", ["1", "2"])])
    assert client().get("/decorated").status_code == 403
    assert (
        client().post(**signed_json(KEY, "http://testserver/explicit", {}).django()).status_code
        == 403
    )
    assert (
        client().post(**signed_json(OLD, "http://testserver/explicit", {}).django()).status_code
        == 200
    )
    too_big = signed_json(OLD, "http://testserver/explicit", "x" * 65)
    assert client().post(**too_big.django()).status_code == 413


def test_decorator_ignores_the_paths_setting() -> None:
    """``SIGNALWIRE_WEBHOOK_PATHS`` is the middleware's: a decorated view checks every
    request whatever the setting holds (even one the middleware would refuse)."""

    def view(request: HttpRequest) -> HttpResponse:
        return JsonResponse({"ok": True})

    with override_settings(SIGNALWIRE_WEBHOOK_PATHS="no-leading-slash"):
        guarded = signalwire_view(view)
        good = signed_json(KEY, "http://testserver/anywhere", EVENT)
        assert guarded(RequestFactory().post(**good.django())).status_code == 200
        bad = signed_json(OLD, "http://testserver/anywhere", EVENT)
        assert guarded(RequestFactory().post(**bad.django())).status_code == 403
        with pytest.raises(ImproperlyConfigured, match="SIGNALWIRE_WEBHOOK_PATHS"):
            SignalWireWebhookMiddleware(view)


def test_settings_policy_public_url_proxy_and_rotation() -> None:
    public = "https://abc.ngrok.io"
    signed = signed_json(KEY, public + "/webhook", EVENT)
    plain = {"data": signed.body, "content_type": "application/json", "headers": signed.headers}
    assert client().post("/webhook", **plain).status_code == 403
    with override_settings(SIGNALWIRE_PUBLIC_URL=public):
        assert client().post("/webhook", **plain).status_code == 200
    forwarded = signed_json(KEY, "https://agent.example.org/webhook", EVENT)
    headers = {**forwarded.headers, "X-Forwarded-Host": "agent.example.org"}
    proxied = {"data": forwarded.body, "content_type": "application/json", "headers": headers}
    assert client().post("/webhook", **proxied).status_code == 403
    with override_settings(SIGNALWIRE_TRUST_PROXY=True):
        assert client().post("/webhook", **proxied).status_code == 200
    url_only = {SHA1: scheme_b(KEY, "http://testserver/cxml", [])}
    form = {
        "data": b"a=1",
        "content_type": "application/x-www-form-urlencoded",
        "headers": url_only,
    }
    with override_settings(SIGNALWIRE_WEBHOOK_POLICY="fallback"):
        assert client().post("/cxml", **form).status_code == 200
    with override_settings(SIGNALWIRE_SIGNING_KEYS=[OLD, KEY]):
        old = signed_json(OLD, "http://testserver/webhook", EVENT)
        assert client().post(**old.django()).status_code == 200
    with override_settings(SIGNALWIRE_MAX_BODY_BYTES=10):
        big = signed_json(KEY, "http://testserver/webhook", EVENT)
        assert client().post(**big.django()).status_code == 413


def test_configuration_errors_name_the_setting_not_the_key() -> None:
    with (
        override_settings(SIGNALWIRE_SIGNING_KEY=""),
        pytest.raises(ImproperlyConfigured, match="SIGNALWIRE_SIGNING_KEY is required"),
    ):
        SignalWireWebhookMiddleware(lambda request: HttpResponse())
    with (
        override_settings(SIGNALWIRE_WEBHOOK_POLICY="lax"),
        pytest.raises(ImproperlyConfigured) as raised,
    ):
        SignalWireWebhookMiddleware(lambda request: HttpResponse())
    assert KEY not in str(raised.value)
    shown = repr(SignalWireWebhookMiddleware(lambda request: HttpResponse()))
    assert KEY not in shown and "policy='strict'" in shown


@pytest.fixture(scope="module")
def served() -> Iterator[WSGIServer]:
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    with WSGIServer(get_wsgi_application()) as server:
        yield server


def test_django_on_a_real_server(served: WSGIServer) -> None:
    body = json.dumps(EVENT)
    url = served.base + "/webhook"
    headers = {SHA1: scheme_a(KEY, url, body), "Content-Type": "application/json"}
    assert served.post("/webhook", body, headers).status_code == 200
    assert SEEN[-1] == ("webhook", body.encode(), {})
    params = [("CallSid", "CA9"), ("Digits", "9")]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    signature = scheme_b(KEY, served.base + "/decorated", params)
    assert (
        served.post("/decorated", urlencode(params), {**form, SHA1: signature}).status_code == 200
    )
    before = len(SEEN)
    forged = served.post("/webhook", body, {SHA1: "0" * 40})
    assert (forged.status_code, forged.content) == (403, b"")
    assert served.post("/decorated", urlencode(params), {**form, SHA1: "0" * 28}).status_code == 403
    assert len(SEEN) == before


def test_django_checks_the_target_as_sent_and_djangos_own_limits(served: WSGIServer) -> None:
    """waitress passes the raw target in ``REQUEST_URI`` (no ``RAW_URI``): a path sent with
    an escape is checked as sent. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (under our
    limit) is a 413 from Django's own refusal."""
    body = json.dumps(EVENT)
    escaped = served.base + "/webhoo%6B"  # routed to /webhook
    headers = {SHA1: scheme_a(KEY, escaped, body), "Content-Type": "application/json"}
    assert exchange(served.port, "POST", "/webhoo%6B", headers, body.encode()) == 200
    assert SEEN[-1] == ("webhook", body.encode(), {})
    before = len(SEEN)
    big = json.dumps({"pad": "x" * 500})
    signed = {SHA1: scheme_a(KEY, served.base + "/webhook", big)}
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        assert served.post("/webhook", big, signed).status_code == 413
    assert served.post("/webhook", big, signed).status_code == 200
    assert len(SEEN) == before + 1


class _BrokenInput:
    """A WSGI layer outside Django whose body stream fails mid-read (a reset connection)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        class Broken:
            def read(self, *args: Any) -> bytes:
                raise OSError("connection reset")

            readline = read

        environ["wsgi.input"] = Broken()
        return self.app(environ, start_response)


def test_django_body_that_cannot_be_read_is_a_400() -> None:
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    before = len(SEEN)
    with WSGIServer(_BrokenInput(get_wsgi_application())) as server:
        body = json.dumps(EVENT)
        headers = {SHA1: scheme_a(KEY, server.base + "/webhook", body)}
        assert server.post("/webhook", body, headers).status_code == 400
    assert len(SEEN) == before


def test_django_behind_the_wsgi_middleware_reads_the_replayed_body() -> None:
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    from signalwire.core.security.wsgi import WSGIWebhookSignatureMiddleware  # noqa: PLC0415

    app = WSGIWebhookSignatureMiddleware(
        get_wsgi_application(), signing_key=KEY, paths=["/decorated"]
    )
    with WSGIServer(app, "werkzeug") as server:
        params = [("CallSid", "CA7"), ("Digits", "1"), ("Digits", "2")]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        signature = scheme_b(KEY, server.base + "/decorated", params)
        answer = server.post("/decorated", urlencode(params), {**form, SHA1: signature})
        assert answer.status_code == 200
        assert SEEN[-1] == (
            "decorated",
            urlencode(params).encode(),
            [("CallSid", ["CA7"]), ("Digits", ["1", "2"])],
        )
        before = len(SEEN)
        forged = server.post("/decorated", urlencode(params), {**form, SHA1: "0" * 28})
        assert (forged.status_code, forged.content) == (403, b"")  # the WSGI middleware's
        assert len(SEEN) == before


def test_a_declared_length_with_white_space_is_still_a_number() -> None:
    """``CONTENT_LENGTH`` with white space around it is the number Django reads by: a body
    shorter than it is a 400, one as long passes."""
    from django.core.handlers.wsgi import WSGIRequest  # noqa: PLC0415 - after setup

    body = json.dumps(EVENT).encode()
    signature = scheme_a(KEY, "http://testserver/webhook", body)

    def status(declared: str) -> int:
        request = WSGIRequest({
            "REQUEST_METHOD": "POST", "PATH_INFO": "/webhook", "SERVER_NAME": "testserver",
            "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": declared,
            "CONTENT_TYPE": "application/json", "HTTP_X_SIGNALWIRE_SIGNATURE": signature,
        })  # fmt: skip
        answer = SignalWireWebhookMiddleware(lambda r: HttpResponse())(request)
        return int(answer.status_code)

    assert status(f" {len(body)} ") == 200
    assert status(f" {len(body) + 5}") == 400
