"""``signalwire.core.security.testing``: the signed requests match the spec (live.py's
independent signing) and the reference's validator, and Starlette's ``TestClient`` takes
them as they are (the Flask and Django clients: test_flask.py, test_django.py)."""

from __future__ import annotations

import json
from types import ModuleType
from urllib.parse import parse_qsl

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from live import scheme_a, scheme_b
from signalwire.core.security import WebhookSignatureMiddleware
from signalwire.core.security.testing import signed_form, signed_json

KEY = "PSKtest-helpers-0123456789"
URL = "https://abc.ngrok.io/hook?x=1"


def test_signed_json_is_the_spec(ref_validator: ModuleType) -> None:
    signed = signed_json(KEY, URL, {"event": "call.state"})
    assert signed.body == json.dumps({"event": "call.state"}).encode()
    assert signed.headers == {
        "X-SignalWire-Signature": scheme_a(KEY, URL, signed.body),
        "X-SignalWire-Sha256-Signature": scheme_a(KEY, URL, signed.body, "sha256"),
    }
    assert ref_validator.validate_webhook_signature(
        KEY, signed.headers["X-SignalWire-Signature"], URL, signed.body.decode()
    )
    assert signed_json(KEY, URL, "{}", sha256=False).headers.keys() == {"X-SignalWire-Signature"}
    assert signed_json(KEY, URL, b"{}", sha1=False).body == b"{}"
    assert signed.path == "/hook?x=1" and signed.content_type == "application/json"


def test_signed_form_is_the_spec(ref_validator: ModuleType) -> None:
    signed = signed_form(KEY, URL, {"Digits": ["2", "1"], "CallSid": "CA1"})
    pairs = [("Digits", "2"), ("Digits", "1"), ("CallSid", "CA1")]
    assert parse_qsl(signed.body.decode()) == pairs
    assert signed.headers == {"X-SignalWire-Signature": scheme_b(KEY, URL, pairs)}
    assert ref_validator.validate_webhook_signature(
        KEY, signed.headers["X-SignalWire-Signature"], URL, signed.body.decode()
    )
    twilio = signed_form(KEY, URL, pairs, header="X-Twilio-Signature")
    assert twilio.headers.keys() == {"X-Twilio-Signature"}
    with pytest.raises(ValueError, match="header"):
        signed_form(KEY, URL, pairs, header="X-Other")  # type: ignore[arg-type]


def test_starlette_test_client_takes_them() -> None:
    app = FastAPI()
    seen: list[bytes] = []

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        seen.append(await request.body())
        return {"ok": True}

    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/hook"])
    client = TestClient(app)
    for url in ("http://testserver/hook", URL):
        for signed in (signed_json(KEY, url, {"a": 1}), signed_form(KEY, url, [("a", "1")])):
            assert client.post(**signed.httpx()).status_code == 200
            assert seen[-1] == signed.body
    assert client.post(**signed_json("PSKother-0000000", URL, {}).httpx()).status_code == 403
