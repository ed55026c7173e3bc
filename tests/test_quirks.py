"""Each quirk of the contract as an explicit case, compared with the reference.

These are the behaviours the issue lists; the generator covers them too, but a named
table makes a regression point at the rule it broke.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
from types import ModuleType
from typing import Any

import pytest

import signalwire.core.security as ours
from cases import Case, outcome

K = "PSKtest1234567890abcdef"


def scheme_a(key: str, url: str, body: str) -> str:
    return hmac.new(key.encode(), (url + body).encode(), hashlib.sha1).hexdigest()


B64 = "dfO9ek8mxyFtn2nMz24plPmPfIY="
HEX = "c3c08c1fefaf9ee198a100d5906765a6f394bf0f"

QUIRKS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("falsy key raises first", "validate_webhook_signature", ("", None, None, None)),
    ("falsy key (None)", "validate_request", (None, "", "u", 42)),
    ("non-str body before empty signature", "validate_webhook_signature", (K, "", "u", b"x")),
    ("sha256: non-str body", "validate_webhook_signature_sha256", (K, None, "u", {})),
    ("empty signature is False", "validate_webhook_signature", (K, "", "https://h:bad/", "")),
    ("None signature is False", "validate_webhook_signature", (K, None, "https://[x/", "")),
    ("request: empty signature before type check", "validate_request", (K, "", "u", 42)),
    ("request: bad type with a signature", "validate_request", (K, "x", "u", 42)),
    ("request: None params are no params", "validate_request", (K, "x", "https://h/", None)),
    ("bytes key", "validate_webhook_signature", (b"k", "x", "https://h/", "")),
    ("int key", "validate_request", (7, "x", "https://h/", {})),
    ("non-str url + body", "validate_webhook_signature", (K, "x", None, "b")),
    ("bytes url + body", "validate_webhook_signature", (K, "x", b"https://h/", "b")),
    ("bytes url with params", "validate_request", (K, "x", b"https://h/", {"a": "b"})),
    ("int url with params", "validate_request", (K, "x", 5, {"a": "b"})),
    ("surrogate in key", "validate_webhook_signature", ("k\ud800", "x", "https://h/", "")),
    ("surrogate in body", "validate_webhook_signature", (K, "x", "https://h/", "\udfff")),
    ("surrogate in url, bad port", "validate_request", (K, "x", "https://h:x/\ud800", [])),
    ("surrogate in params after url", "validate_request", (K, "x", "https://h/", {"\ud800": ""})),
    ("non-str signature compared as str", "validate_webhook_signature", (K, 5, "https://h/", "")),
    ("non-ASCII signature is False", "validate_webhook_signature", (K, "é" * 28, "https://h/", "")),
    ("surrogate signature is False", "validate_webhook_signature", (K, "\ud800", "https://h/", "")),
    (
        "list values expand in mappings",
        "validate_request",
        (K, "x", "https://h/", {"a": ["1", "2"]}),
    ),
    ("list values stay whole in pairs", "validate_request", (K, "x", "https://h/", [("a", ["1"])])),
    ("int keys sort numerically", "validate_request", (K, "x", "https://h/", {10: "a", 9: "b"})),
    ("mixed keys raise TypeError", "validate_request", (K, "x", "https://h/", {1: "a", "b": "c"})),
    ("bad pair raises ValueError", "validate_request", (K, "x", "https://h/", [("a",)])),
    ("2-char str unpacks", "validate_request", (K, "x", "https://h/", ["ab"])),
    ("bad port raises", "validate_webhook_signature", (K, "garbage", "https://h:x/", "")),
    ("port out of range", "validate_webhook_signature", (K, "garbage", "https://h:65536/", "")),
    (
        "signed URL with a bad port is still True",
        "validate_webhook_signature",
        ("k", scheme_a("k", "https://h:x/", ""), "https://h:x/", ""),
    ),
    ("unbalanced bracket", "validate_webhook_signature", (K, "x", "https://[::1/", "")),
    ("invalid bracketed host", "validate_webhook_signature", (K, "x", "https://[zz]/", "")),
    ("IPv4 in brackets", "validate_webhook_signature", (K, "x", "https://[1.2.3.4]/", "")),
    ("NFKC delimiter in netloc", "validate_webhook_signature", (K, "x", "https://a\u2100b/", "")),
    ("NFKC-safe non-ASCII netloc", "validate_webhook_signature", (K, "x", "https://bü.de/", "")),
    ("leading C0 stripped", "validate_webhook_signature", (K, "x", "\x00 https://h:x/", "")),
    ("tabs removed", "validate_webhook_signature", (K, "x", "https://h:4\t43x/", "")),
    ("digit-first scheme", "validate_webhook_signature", (K, "x", "1http://h:x/", "")),
    (
        "a garbage sig with a HEX of the right length",
        "validate_webhook_signature",
        (K, HEX, "https://example.ngrok.io/webhook", "{}"),
    ),
    ("body sha mismatch", "validate_webhook_signature", (K, B64, "https://h/?bodySHA256=00", "")),
]


@pytest.mark.parametrize(("why", "function", "args"), QUIRKS, ids=[q[0] for q in QUIRKS])
def test_quirk_matches_reference(
    why: str, function: str, args: tuple[Any, ...], ref_validator: ModuleType
) -> None:
    case = Case(function, args, why)
    expected = outcome(case, getattr(ref_validator, function))
    assert outcome(case, getattr(ours, function)) == expected, case.repro()


def test_host_case_mapping_is_the_interpreters(ref_validator: ModuleType) -> None:
    """U+2C2F has a lowercase only since Unicode 14 (Python 3.11); Rust's tables know it
    either way, so this passes only because hosts are lowered by the running interpreter."""
    url = "https://\u2c2f.example/p"
    variant = ref_validator._candidate_urls(url)[1]
    sig = base64.b64encode(hmac.new(b"k", variant.encode(), hashlib.sha1).digest()).decode()
    case = Case("validate_webhook_signature", ("k", sig, url, ""), "case mapping")
    assert outcome(case, ours.validate_webhook_signature) == outcome(
        case, ref_validator.validate_webhook_signature
    )
    assert outcome(case, ours.validate_webhook_signature)[2] is True
    assert ("\u2c2f".lower() == "\u2c5f") == (sys.version_info >= (3, 11))
