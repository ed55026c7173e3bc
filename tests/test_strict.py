"""The URL-only hole and the strict policy that closes it.

Under the reference's rule a Scheme B signature over the URL with no params (what the
platform sends for a param-less callback: ``b64(HMAC(key, url))``) validates *any* body
POSTed to that URL. Shown here on the reference wheel and on our reference-compatible
functions (which must keep that behaviour), then closed by ``policy="strict"`` in
``WebhookValidator``, the ASGI middleware (strict by default), the FastAPI dependency (on
request) and the CLI (``--strict``). The WSGI, Flask and Django adapters have their own
tests (test_wsgi.py, test_flask.py, test_django.py).
"""

from __future__ import annotations

import hashlib
import json
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

import reference
from live import scheme_b
from signalwire.core.security import (
    WebhookSignatureMiddleware,
    WebhookValidator,
    make_webhook_validation_dependency,
    validate_webhook_signature,
    webhook_middleware,
)
from test_extras import cli

KEY = "PSKtest-strict-0123456789"
URL = "http://testserver/status"
FORGED_JSON = json.dumps({"event": "calling.call.state", "params": {"state": "forged"}})
FORGED_FORM = urlencode([("CallSid", "CAforged"), ("CallStatus", "completed")])
FORGED = [FORGED_JSON, FORGED_FORM]


def url_only(url: str = URL, key: str = KEY) -> str:
    """The signature of a param-less callback to ``url``: over the URL alone."""
    return scheme_b(key, url, [])


def with_body_sha256(body: str) -> str:
    return f"{URL}?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"


@pytest.mark.parametrize("body", FORGED, ids=["json", "form"])
def test_the_hole_on_the_reference_and_our_compatible_functions(
    body: str, ref_validator: ModuleType
) -> None:
    signature = url_only()
    assert ref_validator.validate_webhook_signature(KEY, signature, URL, body) is True
    assert validate_webhook_signature(KEY, signature, URL, body) is True
    headers = {"x-signalwire-signature": signature}
    ref_middleware = reference.load_middleware()
    assert ref_middleware.validate("POST", URL, headers, body, signing_key=KEY) is None
    assert webhook_middleware.validate("POST", URL, headers, body, signing_key=KEY) is None
    assert WebhookValidator(KEY).validate(signature, URL, body)  # fallback: the reference's


@pytest.mark.parametrize("body", FORGED, ids=["json", "form"])
def test_strict_closes_it(body: str) -> None:
    strict = WebhookValidator([KEY, "PSKother-000000"], policy="strict")
    signature = url_only()
    assert not strict.validate(signature, URL, body)
    assert not strict.validate(signature, URL, body.encode())
    assert not strict.validate_headers(URL, {"x-signalwire-signature": signature}, body)
    assert not strict.validate_headers(URL, {"x-twilio-signature": signature}, body)
    # On the default-port variant too.
    assert not strict.validate(url_only("http://testserver:80/status"), URL, body)


def test_strict_still_accepts_what_the_platform_sends() -> None:
    strict = WebhookValidator(KEY, policy="strict")
    assert strict.validate(url_only(), URL, "")  # the param-less callback itself
    params = [("CallSid", "CA1"), ("CallStatus", "completed")]
    assert strict.validate(scheme_b(KEY, URL, params), URL, urlencode(params))
    # A JSON body on the compat surface: the URL carries bodySHA256.
    signed_url = with_body_sha256(FORGED_JSON)
    signature = url_only(signed_url)
    assert strict.validate(signature, signed_url, FORGED_JSON)
    assert not strict.validate(signature, signed_url, FORGED_JSON + " ")
    assert strict.validate_headers(signed_url, {"x-signalwire-signature": signature}, FORGED_JSON)


def _asgi_app(**options: Any) -> tuple[TestClient, list[bytes]]:
    app = FastAPI()
    runs: list[bytes] = []

    @app.post("/status")
    async def status(request: Request) -> dict[str, int]:
        runs.append(await request.body())
        return {"ran": len(runs)}

    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/status"], **options)
    return TestClient(app), runs


@pytest.mark.parametrize("body", FORGED, ids=["json", "form"])
def test_asgi_middleware_is_strict_by_default(body: str) -> None:
    headers = {"x-signalwire-signature": url_only()}
    strict, runs = _asgi_app()
    assert strict.post("/status", content=body, headers=headers).status_code == 403
    assert strict.post("/status", content=b"", headers=headers).status_code == 200
    assert runs == [b""]
    fallback, _ = _asgi_app(policy="fallback")
    assert fallback.post("/status", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize("body", FORGED, ids=["json", "form"])
def test_dependency_keeps_the_reference_rule_unless_asked(body: str) -> None:
    app = FastAPI()
    reference_rule = make_webhook_validation_dependency(KEY)
    strict = make_webhook_validation_dependency(KEY, policy="strict")

    @app.post("/status", dependencies=[Depends(reference_rule)])
    async def status() -> dict[str, str]:
        return {}

    @app.post("/strict/status", dependencies=[Depends(strict)])
    async def strict_status() -> dict[str, str]:
        return {}

    client = TestClient(app)
    headers = {"x-signalwire-signature": url_only()}
    assert client.post("/status", content=body, headers=headers).status_code == 200
    strict_headers = {"x-signalwire-signature": url_only("http://testserver/strict/status")}
    assert client.post("/strict/status", content=body, headers=strict_headers).status_code == 403


@pytest.mark.parametrize("body", FORGED, ids=["json", "form"])
def test_cli_strict(body: str) -> None:
    signature = url_only()
    verify = ("verify", "--signature", signature, URL)
    assert cli(*verify, body=body.encode(), env_key=KEY).returncode == 0
    strict = cli(*verify, "--strict", body=body.encode(), env_key=KEY)
    assert strict.returncode == 1 and strict.stdout.strip() == "invalid"
    assert cli(*verify, "--strict", body=b"", env_key=KEY).returncode == 0
