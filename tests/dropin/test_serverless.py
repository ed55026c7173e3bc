"""The SDK's serverless paths with our wheel, and without it: a SWAIG call through
``AgentBase.handle_serverless_request`` as AWS Lambda (API Gateway REST v1 with a stage,
HTTP API v2, a base64 body) and CGI hand it over, signed the way the platform signs, and
forged.

The install scenarios (tests/install) run this file in environments where validation is
native and in ones where it is the SDK's own pure Python (``SW_DROPIN_EXPECT``): the
expected answers below are the same for both, so ours answers as the SDK alone does, and
in the native environments the native header rule must have decided.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from test_sdk_dropin import AUTH, KEY, NATIVE, Agent, Calls

from live import scheme_a, scheme_b

DOMAIN = "abc123.execute-api.us-east-1.amazonaws.com"
BASIC = "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()
CALL = {"function": "echo", "argument": {"parsed": [{}]}, "call_id": "call-0001"}
BODY = json.dumps(CALL)


@pytest.fixture
def agent() -> Iterator[tuple[Agent, Calls]]:
    calls = Calls()
    sys.setprofile(calls)
    try:
        yield Agent(), calls
    finally:
        sys.setprofile(None)


def rest_v1(headers: dict[str, str], body: str, *, b64: bool = False) -> dict[str, Any]:
    """API Gateway REST (v1) proxy event, stage ``prod``, a decoded query parameter."""
    return {
        "resource": "/{proxy+}",
        "path": "/agent/swaig",
        "httpMethod": "POST",
        "headers": {"Authorization": BASIC, "Content-Type": "application/json", **headers},
        "queryStringParameters": {"note": "a b"},
        "multiValueQueryStringParameters": {"note": ["a b"]},
        "pathParameters": {"proxy": "agent/swaig"},
        "requestContext": {"domainName": DOMAIN, "path": "/prod/agent/swaig", "stage": "prod"},
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }


def http_v2(headers: dict[str, str], body: str, *, b64: bool = False) -> dict[str, Any]:
    """HTTP API (v2) / function URL event."""
    return {
        "version": "2.0",
        "rawPath": "/agent/swaig",
        "rawQueryString": "note=a%20b",
        "headers": {"authorization": BASIC, "content-type": "application/json", **headers},
        "requestContext": {"domainName": DOMAIN, "http": {"method": "POST"}},
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }


# The URL the platform signs for each event: the stage is part of a REST API's URL, and
# the REST event's decoded query comes back as %20 (one of the encodings the SDK tries).
V1_URL = f"https://{DOMAIN}/prod/agent/swaig?note=a%20b"
V2_URL = f"https://{DOMAIN}/agent/swaig?note=a%20b"

Event = Callable[..., dict[str, Any]]
LAMBDA: dict[str, tuple[Event, str, bool]] = {
    "REST v1 with a stage": (rest_v1, V1_URL, False),
    "REST v1, base64 body": (rest_v1, V1_URL, True),
    "HTTP API v2": (http_v2, V2_URL, False),
    "HTTP API v2, base64 body": (http_v2, V2_URL, True),
}


def signed(url: str, body: str) -> list[dict[str, str]]:
    return [
        {"X-SignalWire-Signature": scheme_a(KEY, url, body)},
        {"x-signalwire-sha256-signature": scheme_a(KEY, url, body, "sha256")},
    ]


def forged(url: str, body: str) -> list[dict[str, str]]:
    elsewhere = url.replace("/prod/", "/") if "/prod/" in url else url + "&x=1"
    return [
        {},
        {"X-SignalWire-Signature": scheme_a("not-the-key", url, body)},
        {"X-SignalWire-Signature": scheme_a(KEY, url, body + " ")},
        # Signed for the URL without the stage (REST) or with another query.
        {"X-SignalWire-Signature": scheme_a(KEY, elsewhere, body)},
        {"X-SignalWire-Sha256-Signature": "0" * 64, "X-SignalWire-Signature": ""},
        # Scheme B's shape, no signature of anything.
        {"X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
    ]


def assert_native_decided(calls: Calls) -> None:
    sdk_validator = ("sdk", "webhook_validator.py")
    ran = {(owner, name) for owner, name, _ in calls.python}
    if NATIVE:
        assert calls.native & {"_KeyRing.validate_headers", "validate_webhook_signature"}, calls
        assert sdk_validator not in ran
    else:
        assert not calls.native
        assert sdk_validator in ran


@pytest.mark.parametrize("event, url, b64", LAMBDA.values(), ids=LAMBDA.keys())
def test_lambda_signed_runs_the_function(
    event: Event, url: str, b64: bool, agent: tuple[Agent, Calls]
) -> None:
    handler, calls = agent
    for headers in signed(url, BODY):
        handler.handled.clear()
        reply = handler.handle_serverless_request(event(headers, BODY, b64=b64), mode="lambda")
        assert reply["statusCode"] == 200, (headers, reply)
        assert json.loads(reply["body"])["response"] == "echoed"
        assert handler.handled == ["swaig"]
    assert_native_decided(calls)


@pytest.mark.parametrize("event, url, b64", LAMBDA.values(), ids=LAMBDA.keys())
def test_lambda_forged_is_refused(
    event: Event, url: str, b64: bool, agent: tuple[Agent, Calls]
) -> None:
    handler, calls = agent
    for headers in forged(url, BODY):
        reply = handler.handle_serverless_request(event(headers, BODY, b64=b64), mode="lambda")
        assert reply["statusCode"] == 403, (headers, reply)
        assert json.loads(reply["body"]) == {"error": "Forbidden"}
    assert handler.handled == []
    assert_native_decided(calls)


def test_lambda_url_only_scheme_b_is_the_references_rule(agent: tuple[Agent, Calls]) -> None:
    """A Scheme B signature over the URL alone passes the SDK's serverless path for any
    body, natively too (it keeps the reference's rule; ``policy="strict"`` is ours)."""
    handler, calls = agent
    headers = {"X-Twilio-Signature": scheme_b(KEY, V2_URL, [])}
    reply = handler.handle_serverless_request(http_v2(headers, BODY), mode="lambda")
    assert reply["statusCode"] == 200, reply
    assert handler.handled == ["swaig"]
    assert_native_decided(calls)


class _Stdin:
    def __init__(self, body: bytes) -> None:
        self.buffer = io.BytesIO(body)


def cgi(
    monkeypatch: pytest.MonkeyPatch, handler: Agent, headers: dict[str, str], body: str
) -> tuple[int, str]:
    """A CGI request (the environment and stdin) through the SDK; the status and body."""
    raw = body.encode()
    environ = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "/cgi-bin/agent.py",
        "PATH_INFO": "/swaig",
        "QUERY_STRING": f"note={quote('a b')}",
        "HTTPS": "on",
        "HTTP_HOST": "agents.example.com",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_AUTHORIZATION": BASIC,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    with monkeypatch.context() as scoped:  # nothing of one request is left for the next
        for name, value in environ.items():
            scoped.setenv(name, value)
        scoped.setattr(sys, "stdin", _Stdin(raw))
        response = handler.handle_serverless_request(mode="cgi")
    head, _, text = response.partition("\r\n\r\n")
    status = int(head.split("\r\n", 1)[0].split()[1])
    return status, text


CGI_URL = "https://agents.example.com/cgi-bin/agent.py/swaig?" + urlencode(
    {"note": "a b"}, quote_via=quote
)


def test_cgi_signed_and_forged(monkeypatch: pytest.MonkeyPatch, agent: tuple[Agent, Calls]) -> None:
    handler, calls = agent
    for headers in signed(CGI_URL, BODY):
        handler.handled.clear()
        status, text = cgi(monkeypatch, handler, headers, BODY)
        assert status == 200, (headers, text)
        assert json.loads(text)["response"] == "echoed"
        assert handler.handled == ["swaig"]
    handler.handled.clear()
    for headers in forged(CGI_URL, BODY):
        status, text = cgi(monkeypatch, handler, headers, BODY)
        assert status == 403, (headers, text)
    assert handler.handled == []
    assert_native_decided(calls)
