"""Secrets stay secret: the signing key and the signatures that would be accepted appear in
no exception (message, args, repr, traceback), no repr of our objects and no CLI output.
Log records are checked for every test of the suite by ``conftest.no_secret_in_logs``.
"""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from flask import Flask

import cases
from leaks import found_in, secret
from seeds import SEED
from signalwire.core.security import (
    WebhookSignatureMiddleware,
    WebhookValidator,
    WSGIWebhookSignatureMiddleware,
    make_webhook_validation_dependency,
    sign_webhook,
    signature_headers,
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)
from signalwire.core.security._native import _explain, _KeyRing
from signalwire.core.security.flask import SignalWireWebhooks
from signalwire.core.security.testing import signed_form, signed_json
from signalwire.core.security.webhook_middleware import validate

CASES = max(int(os.environ.get("SW_DIFF_CASES", "20000")) // 10, 2000)


def secret_key(rng: random.Random) -> tuple[str, list[str]]:
    """A key, and the parts of it long enough to search for. One in five holds a lone
    surrogate, so encoding it fails (the error must not carry the rest of it)."""
    head = "".join(rng.choices(string.ascii_letters + string.digits, k=16))
    if rng.random() < 0.2:
        tail = "".join(rng.choices(string.ascii_letters, k=8))
        return head + "\ud800" + tail, [head, tail]
    return head, [head]


def calls(key: str, sig: str, url: Any, body: Any) -> Iterator[tuple[str, Callable[[], object]]]:
    """Every entry point that takes a key, on these inputs."""
    yield "validate_webhook_signature", lambda: validate_webhook_signature(key, sig, url, body)
    yield "sha256", lambda: validate_webhook_signature_sha256(key, sig, url, body)
    yield "validate_request", lambda: validate_request(key, sig, url, body)
    yield "WebhookValidator", lambda: WebhookValidator(key).validate(sig, url, body)
    yield "_KeyRing", lambda: _KeyRing([key]).validate_sha256(sig, url, body)
    yield "sign_webhook", lambda: sign_webhook(key, url, body, scheme="scheme_b")
    yield "signature_headers", lambda: signature_headers(key, url, body)
    yield "_explain", lambda: _explain(key, sig, url, body)
    headers = {"x-signalwire-signature": sig}
    yield "validate", lambda: validate("POST", url, headers, body, signing_key=key)


def shown(error: BaseException) -> str:
    """Everything an error can show: message, args, repr, the whole formatted chain."""
    parts = [str(error), repr(error), repr(error.args)]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    return "\n".join(parts)


def test_no_secret_in_any_exception(ref_validator: ModuleType) -> None:
    rng = random.Random(SEED)
    raised: dict[str, int] = {}
    kinds: set[type[BaseException]] = set()
    for _ in range(CASES):
        key, parts = secret_key(rng)
        body = cases.str_body(rng) if rng.random() < 0.7 else cases.params_body(rng)
        url = cases.url(rng, body)
        good = [sig for _, sig in cases.correct_signatures(ref_validator, key, url, body)]
        sig = rng.choice(good) if good and rng.random() < 0.5 else cases.random_signature(rng)
        if not isinstance(sig, str):
            sig = str(sig)
        for name, call in calls(key, sig, url, body):
            try:
                call()
            except Exception as error:
                raised[name] = raised.get(name, 0) + 1
                kinds.add(type(error))
                text = shown(error)
                leaked = [p for p in parts + good if p in text]
                assert not leaked, f"{name} raised {type(error).__name__} showing a secret"
    # The inputs reach the error paths of every entry point.
    # Every entry point's error paths were reached, but `validate`'s: like the reference's,
    # it answers 403 for the TypeError and ValueError (UnicodeEncodeError too) of a call.
    missing = {name for name, _ in calls("k", "s", "u", "b")} - set(raised)
    assert missing == {"validate"}, missing
    # Among them the key's own encoding error, whose `object` is the (masked) key.
    assert {UnicodeEncodeError, ValueError, TypeError} <= kinds, kinds


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return []


def test_no_secret_in_any_repr() -> None:
    key, old = "PSKrepr-secret-0123456789", "PSKrepr-old-9876543210"
    app = FastAPI()
    flask_app = Flask(__name__)
    SignalWireWebhooks(flask_app, signing_keys=[key, old])
    objects: list[object] = [
        WebhookValidator([key, old], policy="strict"),
        _KeyRing([key, old]),
        WebhookSignatureMiddleware(app, signing_keys=[key, old]),
        WebhookSignatureMiddleware(app, signing_key=key),
        make_webhook_validation_dependency(key),
        make_webhook_validation_dependency("", signing_keys=[key, old]),
        WSGIWebhookSignatureMiddleware(_wsgi_app, signing_keys=[key, old], policy="fallback"),
        WSGIWebhookSignatureMiddleware(_wsgi_app, signing_key=key)._guard,
        SignalWireWebhooks(signing_key=key),
        flask_app,
        flask_app.wsgi_app,
    ]
    signed = signed_json(key, "https://h.example/hook", {"a": 1})
    secret(*signed.headers.values())
    objects.append(signed)
    objects.append(signed_form(key, "https://h.example/cxml", {"a": "1"}))
    for obj in objects:
        for text in (repr(obj), str(obj)):
            assert key not in text and old not in text, type(obj).__name__
            assert not found_in(text), type(obj).__name__


def test_cli_shows_no_secret() -> None:
    key, url, body = "PSKcli-secret-0123456789", "https://h.example/hook", '{"a":1}'
    expected = {
        sign_webhook(key, url, body, scheme="scheme_a"),
        sign_webhook(key, url, body, scheme="scheme_a_sha256"),
        sign_webhook(key, url, body, scheme="scheme_b"),
    }
    env = {**os.environ, "SIGNALWIRE_SIGNING_KEY": key}
    cli = [sys.executable, "-m", "signalwire.core.security"]
    # Each with its last significant character changed, so the shape stays.
    forged = [
        sig[:-2] + ("1" if sig[-2] == "0" else "0") + "="
        if sig.endswith("=")
        else sig[:-1] + ("1" if sig[-1] == "0" else "0")
        for sig in expected
    ]
    hinted = 0
    # Forged ones of every shape, and correct ones under a scheme that does not take them
    # (the hint path): no output shows the key or any signature the key would give.
    for sig in [*forged, *expected, "not-a-signature", "\u00e9" * 40]:
        for scheme in ("auto", "scheme_a_sha256", "scheme_b"):
            for extra in ([], ["--explain"]):
                run = subprocess.run(
                    [*cli, "verify", url, "--scheme", scheme, "--signature", sig, *extra],
                    input=body,
                    capture_output=True,
                    text=True,
                    env=env,
                    check=False,
                )
                assert run.returncode in (0, 1), run.stderr
                output = run.stdout + run.stderr
                hinted += "hint:" in run.stderr
                assert key not in output and not any(e in output for e in expected)
    # Hints, for the forged and for the correct three: the SHA-1 one under the 2 schemes
    # that do not check it, the SHA-256 one under 2, the Scheme B one under 1 (auto checks
    # both SHA-1 shapes); each with and without --explain.
    assert hinted == 2 * (2 + 2 + 1) * 2
