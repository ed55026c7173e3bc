"""Flask: the SignalWireWebhooks extension and the validate_signalwire_request decorator,
on a real waitress server on 127.0.0.1 and through Flask's test client (with the signed
requests of ``signalwire.core.security.testing``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask, request

from live import scheme_a, scheme_b
from live_wsgi import WSGIServer
from signalwire.core.security.flask import SignalWireWebhooks, validate_signalwire_request
from signalwire.core.security.testing import signed_form, signed_json

KEY = "PSKtest-flask-0123456789"
OLD = "PSKold-flask-9876543210"
EVENT = {"event": "calling.call.state", "params": {"call_state": "answered"}}
SHA1 = "X-SignalWire-Signature"
FORM_TYPE = "application/x-www-form-urlencoded"


def build_app(**config: Any) -> tuple[Flask, list[Any]]:
    """An app with the extension on /webhook and /cxml, a decorated /decorated view, an
    explicitly keyed /explicit view and an open /open view."""
    app = Flask(__name__)
    app.config.update(
        SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_WEBHOOK_PATHS=["/webhook", "/cxml"], **config
    )
    seen: list[Any] = []

    @app.post("/webhook")
    def webhook() -> dict[str, Any]:
        seen.append(("json", request.get_json(), request.get_data()))
        return {"ok": True}

    @app.post("/cxml")
    def cxml() -> dict[str, Any]:
        raw = request.get_data()  # cached: the form is parsed from it
        seen.append(("form", request.form.to_dict(flat=False), raw))
        return {"ok": True}

    @app.post("/decorated")
    @validate_signalwire_request
    def decorated() -> dict[str, Any]:
        seen.append(("decorated", request.form.to_dict(flat=False), request.get_data()))
        return {"ok": True}

    @app.route("/explicit", methods=["GET", "POST"])
    @validate_signalwire_request(signing_keys=[OLD], max_body_bytes=64)
    def explicit() -> dict[str, Any]:
        seen.append(("explicit", request.get_data()))
        return {"ok": True}

    @app.post("/open")
    def open_view() -> dict[str, Any]:
        return {"open": len(request.get_data())}

    SignalWireWebhooks(app)
    return app, seen


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[WSGIServer, list[Any]]]:
    app, seen = build_app()
    with WSGIServer(app) as server:
        yield server, seen


def test_extension_on_a_real_server(served: tuple[WSGIServer, list[Any]]) -> None:
    server, seen = served
    body = json.dumps(EVENT)
    url = server.base + "/webhook"
    assert (
        server.post(
            "/webhook", body, {SHA1: scheme_a(KEY, url, body), "Content-Type": "application/json"}
        ).status_code
        == 200
    )
    assert seen[-1] == ("json", EVENT, body.encode())
    params = [("CallSid", "CA1"), ("Digits", "1"), ("Digits", "2")]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    signature = scheme_b(KEY, server.base + "/cxml", params)
    assert server.post("/cxml", urlencode(params), {**form, SHA1: signature}).status_code == 200
    assert seen[-1] == (
        "form",
        {"CallSid": ["CA1"], "Digits": ["1", "2"]},
        urlencode(params).encode(),
    )
    before = len(seen)
    forged = server.post("/webhook", body, {SHA1: "0" * 40})
    assert (forged.status_code, forged.content) == (403, b"")
    url_only = {SHA1: scheme_b(KEY, server.base + "/cxml", []), **form}
    assert server.post("/cxml", "CallSid=CAforged", url_only).status_code == 403  # strict
    assert len(seen) == before
    assert server.post("/open", "x", {}).json() == {"open": 1}


def test_decorator_on_a_real_server(served: tuple[WSGIServer, list[Any]]) -> None:
    server, seen = served
    params = [("CallSid", "CA2")]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    url = server.base + "/decorated"
    good = {**form, SHA1: scheme_b(KEY, url, params)}
    assert server.post("/decorated", urlencode(params), good).status_code == 200
    assert seen[-1] == ("decorated", {"CallSid": ["CA2"]}, b"CallSid=CA2")
    before = len(seen)
    forged = server.post(
        "/decorated", urlencode(params), {**form, SHA1: scheme_b(OLD, url, params)}
    )
    assert (forged.status_code, forged.content) == (403, b"")
    assert len(seen) == before


def test_test_client_with_signed_requests() -> None:
    app, seen = build_app()
    client = app.test_client()
    for url in ("http://localhost/webhook", "https://abc.ngrok.io/webhook?x=1"):
        signed = signed_json(KEY, url, EVENT)
        assert client.post(**signed.flask()).status_code == 200
        assert seen[-1] == ("json", EVENT, signed.body)
        sha256_only = signed_json(KEY, url, EVENT, sha1=False)
        assert client.post(**sha256_only.flask()).status_code == 200
    for header in ("X-SignalWire-Signature", "X-Twilio-Signature"):
        signed = signed_form(
            KEY, "http://localhost/cxml", {"Digits": ["1", "2"], "CallSid": "CA1"}, header=header
        )
        assert client.post(**signed.flask()).status_code == 200
        assert seen[-1][1] == {"Digits": ["1", "2"], "CallSid": ["CA1"]}
    wrong_key = signed_json(OLD, "http://localhost/webhook", EVENT)
    assert client.post(**wrong_key.flask()).status_code == 403
    explicit = signed_json(OLD, "http://localhost/explicit", "{}")
    assert client.post(**explicit.flask()).status_code == 200
    too_big = signed_json(OLD, "http://localhost/explicit", "x" * 65)
    assert client.post(**too_big.flask()).status_code == 413
    assert client.get("/explicit").status_code == 403  # the decorator checks every method


def test_config_policy_public_url_and_proxy() -> None:
    public = "https://abc.ngrok.io"
    app, _ = build_app(SIGNALWIRE_PUBLIC_URL=public)
    client = app.test_client()
    signed = signed_json(KEY, public + "/webhook", EVENT)
    json_type = "application/json"
    posted = client.post(
        "/webhook", data=signed.body, headers=signed.headers, content_type=json_type
    )
    assert posted.status_code == 200
    decorated = signed_form(KEY, public + "/decorated", [("a", "1")])
    assert (
        client.post(
            "/decorated",
            data=decorated.body,
            headers=decorated.headers,
            content_type=decorated.content_type,
        ).status_code
        == 200
    )
    proxied, _ = build_app(SIGNALWIRE_TRUST_PROXY=True)
    forwarded = {
        "X-Forwarded-Host": "agent.example.org",
        **signed_json(KEY, "https://agent.example.org/webhook", EVENT).headers,
    }
    assert (
        proxied.test_client()
        .post("/webhook", data=signed.body, headers=forwarded, content_type=json_type)
        .status_code
        == 200
    )
    assert (
        build_app()[0]
        .test_client()
        .post("/webhook", data=signed.body, headers=forwarded, content_type=json_type)
        .status_code
        == 403
    )
    fallback, _ = build_app(SIGNALWIRE_WEBHOOK_POLICY="fallback")
    url_only = {SHA1: scheme_b(KEY, "http://localhost/cxml", [])}
    assert fallback.test_client().post("/cxml", data=b"a=1", headers=url_only).status_code == 200
    assert (
        build_app()[0].test_client().post("/cxml", data=b"a=1", headers=url_only).status_code == 403
    )


def test_key_rotation_from_config_and_configuration_errors() -> None:
    app, _ = build_app(SIGNALWIRE_SIGNING_KEYS=[KEY, OLD])
    old = signed_json(OLD, "http://localhost/webhook", EVENT)
    assert app.test_client().post(**old.flask()).status_code == 200
    bare = Flask(__name__)
    with pytest.raises(ValueError, match="SIGNALWIRE_SIGNING_KEY"):
        SignalWireWebhooks(bare)
    deferred = SignalWireWebhooks(signing_key=KEY, paths=["/hook"])
    deferred.init_app(bare)
    assert bare.extensions["signalwire_webhooks"] is deferred
    assert KEY not in repr(deferred) and KEY not in repr(bare.wsgi_app)


def test_keys_in_code_replace_the_configs_and_its_other_settings_stay() -> None:
    """``signing_key=`` in code replaces both key settings of ``app.config`` (its key list
    is neither added nor an error), while the config's other settings still apply."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEYS=[OLD], SIGNALWIRE_MAX_BODY_BYTES="64")
    seen: list[bytes] = []

    @app.post("/webhook")
    def webhook() -> dict[str, Any]:
        seen.append(request.get_data())
        return {"ok": True}

    SignalWireWebhooks(app, signing_key=KEY, paths=["/webhook"])
    with WSGIServer(app) as server:
        url = server.base + "/webhook"
        body = json.dumps({"n": 1})
        assert server.post("/webhook", body, {SHA1: scheme_a(KEY, url, body)}).status_code == 200
        assert server.post("/webhook", body, {SHA1: scheme_a(OLD, url, body)}).status_code == 403
        big = json.dumps({"pad": "x" * 64})
        assert server.post("/webhook", big, {SHA1: scheme_a(KEY, url, big)}).status_code == 413
    assert seen == [body.encode()]


@pytest.mark.parametrize(("key", "keys"), [(KEY, None), (None, [KEY])])
def test_a_decorator_keyed_in_code_reads_no_config(key: str | None, keys: list[str] | None) -> None:
    """``@validate_signalwire_request(signing_key=...)`` takes its options in code only:
    the app's limit and policy do not apply, and a bad option fails at decoration."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_MAX_BODY_BYTES="16", SIGNALWIRE_WEBHOOK_POLICY="fallback")
    seen: list[bytes] = []

    @app.post("/hook")
    @validate_signalwire_request(signing_key=key, signing_keys=keys)
    def hook() -> dict[str, Any]:
        seen.append(request.get_data())
        return {"ok": True}

    with WSGIServer(app) as server:
        url = server.base + "/hook"
        body = json.dumps({"pad": "x" * 64})
        assert server.post("/hook", body, {SHA1: scheme_a(KEY, url, body)}).status_code == 200
        url_only = {SHA1: scheme_b(KEY, url, []), "Content-Type": FORM_TYPE}
        assert server.post("/hook", "a=1", url_only).status_code == 403  # strict, not fallback
    assert seen == [body.encode()]
    with pytest.raises(ValueError, match="signing_key is blank"):
        validate_signalwire_request(signing_key=" ")


def test_a_decorator_reading_config_ignores_the_paths_setting() -> None:
    """``SIGNALWIRE_WEBHOOK_PATHS`` is the extension's: a decorator checks every request of
    its view whatever the setting holds (even one the extension would refuse)."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_WEBHOOK_PATHS="no-leading-slash")

    @app.post("/hook")
    @validate_signalwire_request
    def hook() -> dict[str, Any]:
        return {"ok": True}

    with WSGIServer(app) as server:
        url = server.base + "/hook"
        body = json.dumps(EVENT)
        assert server.post("/hook", body, {SHA1: scheme_a(KEY, url, body)}).status_code == 200
        assert server.post("/hook", body, {SHA1: scheme_a(OLD, url, body)}).status_code == 403
    with pytest.raises(ValueError, match="SIGNALWIRE_WEBHOOK_PATHS"):
        SignalWireWebhooks(app)


def test_flasks_own_smaller_limit_is_a_413() -> None:
    """An app's ``MAX_CONTENT_LENGTH`` under our limit still holds: Werkzeug's refusal is a
    413, the view never runs."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, MAX_CONTENT_LENGTH=100)
    seen: list[bytes] = []

    @app.post("/hook")
    @validate_signalwire_request
    def hook() -> dict[str, Any]:
        seen.append(request.get_data())
        return {"ok": True}

    with WSGIServer(app) as server:
        url = server.base + "/hook"
        for size, expected in ((100, 200), (500, 413)):
            body = json.dumps({"pad": "x" * (size - 11)})
            assert len(body) == size
            assert (
                server.post("/hook", body, {SHA1: scheme_a(KEY, url, body)}).status_code == expected
            )
    assert [len(body) for body in seen] == [100]
