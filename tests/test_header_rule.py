"""The header rule every adapter uses (``WebhookValidator.validate_headers``, the Rust
``KeyRing::validate_headers``), generated at the function level and compared with the
reference's ``webhook_middleware.validate``; and the strict policy as a property of it.

Each case draws one to three keys (rotation), a URL, a body (str or bytes), and for each of
the three signature headers: absent, empty, or a value (a correct Scheme A, SHA-256 or
Scheme B signature by a key in the ring or by an outsider, over the URL, its default-port
variant or the URL alone; changed in case, padded or cut; or garbage), sometimes twice
(Starlette's ``Headers`` hands over the first), in any letter case of the name.

Fallback: accepted exactly when the reference's ``validate`` accepts with one of the keys.
Strict: accepts only what fallback accepts; a SHA-256 header alone decides when present;
otherwise strict answers as fallback, except that a Scheme B signature over the URL alone
with a non-empty body passes only where that URL carries the body's ``bodySHA256``.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import Counter
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import pytest
from starlette.datastructures import Headers

import reference
from live import scheme_a, scheme_b
from seeds import rng as seeded
from signalwire.core.security import WebhookValidator

CASES = max(int(os.environ.get("SW_DIFF_CASES", "20000")) // 20, 2000)
SHA256 = "x-signalwire-sha256-signature"
SHA1 = "x-signalwire-signature"
TWILIO = "x-twilio-signature"
KEYS = ["PSKnew-0123", "PSKold-4567", "PSKé-rotated"]
OUTSIDER = "PSKoutsider-89ab"
FORM = [("CallSid", "CA1"), ("To", "+15551234567"), ("Digits", "1"), ("Digits", "2")]
BODIES = [
    "",
    '{"event":"call.state","params":{"state":"answered"}}',
    "CallSid=CA1&To=%2B15551234567&Digits=1&Digits=2",
    "x",
    "&",
    "é=ü&a=",
]
URLS = [
    "https://example.ngrok.io/webhook",
    "https://example.ngrok.io:443/cxml?x=1",
    "http://h.example/a?b=c",
    "http://h.example:80/",
    "https://[::1]:8443/x",
    "https://example.ngrok.io/status",
]


@pytest.fixture(scope="module")
def ref_middleware() -> ModuleType:
    return reference.load_middleware()


def _variant(url: str, ref_validator: ModuleType) -> str:
    candidates: list[str] = ref_validator._candidate_urls(url)
    return candidates[-1]


def _signature(rng: random.Random, key: str, url: str, body: str, ref: ModuleType) -> str:
    kind = rng.randrange(9)
    params = [] if body in ("", "&") else FORM
    if kind == 0:
        return scheme_a(key, url, body)
    if kind == 1:
        return scheme_a(key, url, body, "sha256")
    if kind == 2:
        return scheme_b(key, url, params if body.startswith("CallSid") else [])
    if kind == 3:
        return scheme_b(key, _variant(url, ref), params if body.startswith("CallSid") else [])
    if kind == 4:
        return scheme_b(key, url, [])  # over the URL alone
    if kind == 5:
        return scheme_b(key, _variant(url, ref), [])
    base = scheme_a(key, url, body, rng.choice(["sha1", "sha256"]))
    if kind == 6:
        return base.upper()
    if kind == 7:
        return rng.choice([base + " ", " " + base, base[:-1], base + "0"])
    return rng.choice(["0" * 40, "0" * 64, "garbage", " ", "é", "A" * 28])


def _url(rng: random.Random, body: str) -> str:
    url = rng.choice(URLS)
    if rng.random() < 0.25:
        digest = hashlib.sha256(body.encode()).hexdigest()
        if rng.random() < 0.3:
            digest = hashlib.sha256(b"other").hexdigest()
        url += ("&" if "?" in url else "?") + f"bodySHA256={digest}"
    return url


def _headers(
    rng: random.Random, keys: list[str], url: str, body: str, ref: ModuleType
) -> Mapping[str, str]:
    pairs: list[tuple[str, str]] = []
    for name in (SHA256, SHA1, TWILIO):
        times = [0, 0, 0, 1, 2] if name == SHA256 else [0, 1, 1, 2]
        for _ in range(rng.choice(times)):  # absent, once, or twice
            if rng.random() < 0.12:
                value = ""
            else:
                key = rng.choice([*keys, OUTSIDER])
                value = _signature(rng, key, url, body, ref)
            pairs.append((name, value))
    rng.shuffle(pairs)
    shape = rng.randrange(3)
    if shape == 0:  # what an ASGI server hands over: lower-case names, repeats kept
        return Headers(raw=[(k.encode(), v.encode("latin-1")) for k, v in pairs])
    if shape == 1:  # any letter case, looked up case-insensitively (last repeat wins)
        cased = {rng.choice([k, k.upper(), k.title()]): v for k, v in pairs}
        return Headers(headers=cased)
    return dict(pairs)  # a plain dict: exact names only


def _url_only_match(
    signature: str | None, keys: list[str], url: str, ref_validator: ModuleType
) -> str | None:
    """The candidate URL whose URL-alone Scheme B signature ``signature`` is, if any."""
    if not signature:
        return None
    for candidate in ref_validator._candidate_urls(url):
        for key in keys:
            if scheme_b(key, candidate, []) == signature:
                return str(candidate)
    return None


def _carries_body_sha256(url: str, body: str, ref_validator: ModuleType) -> bool:
    query = ref_validator._split_url(url)[6]
    return "bodySHA256" in query and ref_validator._check_body_sha256(url, body)


def test_header_rule_against_the_reference(
    ref_middleware: ModuleType, ref_validator: ModuleType
) -> None:
    rng = seeded("header-rule")
    tally: Counter[str] = Counter()
    for _ in range(CASES):
        keys = rng.sample(KEYS, rng.randint(1, 3))
        body = rng.choice(BODIES)
        url = _url(rng, body)
        headers = _headers(rng, keys, url, body, ref_validator)
        sent: str | bytes = body.encode() if rng.random() < 0.3 else body
        repro = f"keys={keys} url={url!r} headers={list(headers.items())!r} body={sent!r}"

        want = any(
            ref_middleware.validate("POST", url, headers, body, signing_key=k) is None for k in keys
        )
        fallback = WebhookValidator(keys).validate_headers(url, headers, sent)
        assert fallback is want, f"fallback: {repro}: reference {want}"

        strict = WebhookValidator(keys, policy="strict").validate_headers(url, headers, sent)
        assert not strict or fallback, f"strict accepted what fallback refuses: {repro}"
        sha256 = headers.get(SHA256)
        signature = headers.get(SHA1)
        if signature is None:
            signature = headers.get(TWILIO)
        if sha256:
            alone = any(
                ref_validator.validate_webhook_signature_sha256(k, sha256, url, body) for k in keys
            )
            assert strict is alone, f"strict: the SHA-256 header alone decides: {repro}"
            tally[f"sha256 decides:{alone}"] += 1
            continue
        matched = _url_only_match(signature, keys, url, ref_validator)
        if matched is not None and body:
            allowed = fallback and _carries_body_sha256(matched, body, ref_validator)
            assert strict is allowed, f"strict: URL-only signature with a body: {repro}"
            tally[f"url-only with a body:{fallback}->{strict}"] += 1
        else:
            assert strict is fallback, f"strict answers as fallback here: {repro}"
            tally[f"as fallback:{fallback}"] += 1
    print(f"\nheader rule: {CASES} cases: {dict(tally)}")
    # Each branch is reached, accepting and refusing: the generator has not drifted.
    for branch in (
        "sha256 decides:True",
        "sha256 decides:False",
        "url-only with a body:True->False",
        "url-only with a body:False->False",
        "as fallback:True",
        "as fallback:False",
    ):
        assert tally[branch] >= CASES // 500, f"{branch} not reached: {dict(tally)}"
    assert tally["url-only with a body:True->True"] > 0, "no URL carrying bodySHA256 passed"


def test_a_url_only_signature_never_passes_strict_with_a_body() -> None:
    """The strict property alone, over many URLs and bodies: the URL-alone signature of
    any key in the ring never authenticates a non-empty body, in any header it may come
    in, unless the URL carries that body's SHA-256."""
    rng = seeded("strict-url-only")
    for _ in range(CASES // 4):
        keys = rng.sample(KEYS, rng.randint(1, 3))
        body = rng.choice(BODIES[1:]) + "".join(rng.choices("ab=&%+é{}", k=rng.randrange(6)))
        path = "".join(rng.choices("abc/?=&", k=rng.randrange(12)))
        url = rng.choice(URLS).split("?")[0].rstrip("/") + "/" + path
        signature = scheme_b(rng.choice(keys), url, [])
        header = rng.choice([SHA1, TWILIO])
        headers: dict[str, Any] = {header: signature}
        if rng.random() < 0.3:
            headers[SHA256] = ""
        sent: str | bytes = body.encode() if rng.random() < 0.5 else body
        validator = WebhookValidator(keys, policy="strict")
        assert validator.validate_headers(url, headers, sent) is False, (url, headers, body)
        assert validator.validate(signature, url, sent) is False, (url, body)


def test_forwarded_headers_are_trusted_only_when_asked() -> None:
    """A validator made without ``trust_proxy`` rebuilds the URL from the received one:
    a signature over the URL an ``X-Forwarded-*`` header claims is refused, and accepted
    once the proxy is trusted (the control)."""
    key, body = KEYS[0], '{"event":"call"}'
    received = "http://127.0.0.1:8000/hook"
    claimed = "https://public.example/hook"
    headers = {
        "x-forwarded-proto": "https",
        "x-forwarded-host": "public.example",
        SHA1: scheme_a(key, claimed, body),
    }
    assert WebhookValidator(key).trust_proxy is False
    assert WebhookValidator(key).validate_headers(received, headers, body) is False
    assert WebhookValidator(key, trust_proxy=True).validate_headers(received, headers, body)
