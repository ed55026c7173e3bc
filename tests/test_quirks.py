"""Each quirk of the contract as an explicit case, compared with the reference.

These are the behaviours the issue lists; the generator covers them too, but a named
table makes a regression point at the rule it broke.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import unicodedata
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pytest

import signalwire.core.security as ours
from cases import Case, OddBool, OddKey, OddName, OddSignature, outcome

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
    # gh-103848, gh-105704, gh-105708: the answer depends on the interpreter's generation.
    ("text after brackets", "validate_webhook_signature", ("K", "R", "//[::]x", "")),
    ("text before brackets", "validate_webhook_signature", ("K", "R", "https://x[::1]/", "")),
    ("bracketed userinfo", "validate_webhook_signature", ("K", "R", "http://[::1]@host/", "")),
    ("@ inside brackets", "validate_webhook_signature", ("K", "R", "http://[a@[::1]/", "")),
    ("upper-case IPvFuture", "validate_webhook_signature", ("l", "c", "//[V1.x]", "")),
    ("empty query and fragment after ]x", "validate_request", (K, HEX, "https://[::1]x/W?#", {})),
    (
        "NFKC text before brackets",
        "validate_webhook_signature",
        (K, "x", "https://\u2100[::1]/", ""),
    ),
    # gh-67041 (3.15) changed urlsplit of non-str arguments: our slow path calls urlparse.
    ("None url with params", "validate_request", (K, "x", None, {"a": "b"})),
    ("empty bytes url with params", "validate_request", (K, "x", b"", [("a", "b")])),
    ("bytearray url with params", "validate_request", (K, "x", bytearray(b"https://h/"), {})),
    ("bytes url with a bracket", "validate_request", (K, "x", b"https://[::1]x/", {})),
    ("None url with a body", "validate_webhook_signature", (K, "x", None, "")),
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


def test_request_with_the_right_signature_and_text_after_brackets(
    ref_validator: ModuleType,
) -> None:
    """The issue's example: True before gh-105704, ValueError after."""
    url = "https://[::1]x/WebHook?#"
    sig = ""
    try:
        variant = ref_validator._candidate_urls(url)[-1]
        sig = base64.b64encode(
            hmac.new(K.encode(), variant.encode(), hashlib.sha1).digest()
        ).decode()
    except ValueError:
        sig = B64
    case = Case("validate_request", (K, sig, url, {}), "text after brackets")
    assert outcome(case, ours.validate_request) == outcome(case, ref_validator.validate_request)


def _lowercase_changes() -> list[str]:
    """Every code point this interpreter's Unicode database lower-cases to something else."""
    found = []
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if char.lower() != char:
            found.append(char)
    return found


def test_every_case_mapped_host_character_is_the_interpreters(ref_validator: ModuleType) -> None:
    """Unicode changes between releases (3.14 ships Unicode 16, 3.15 Unicode 17): for every
    code point this interpreter lower-cases, a host holding it gets the reference's port
    variant (signed with Scheme B, validated by ours), so ours follows the running
    interpreter's tables whatever their version."""
    mapped = _lowercase_changes()
    assert len(mapped) > 1300  # 1393 in Unicode 13 (3.10), 1488 in 17 (3.15)
    for char in mapped:
        url = f"https://a{char}b.example/p"
        try:
            variant = ref_validator._candidate_urls(url)[-1]
        except ValueError:  # an NFKC delimiter: both must raise
            variant = url
        sig = base64.b64encode(hmac.new(b"k", variant.encode(), hashlib.sha1).digest()).decode()
        case = Case("validate_webhook_signature", ("k", sig, url, ""), f"U+{ord(char):04X}")
        expected = outcome(case, ref_validator.validate_webhook_signature)
        assert outcome(case, ours.validate_webhook_signature) == expected, case.repro()
    # Characters with a lowercase new in Unicode 16 (3.14) and 17 (3.15) were among them.
    unicode = tuple(int(part) for part in unicodedata.unidata_version.split("."))
    assert ("\u1c89" in mapped and "\U00010d50" in mapped) is (unicode >= (16,))
    assert ("\ua7ce" in mapped and "\U00016ea0" in mapped) is (unicode >= (17,))


def test_nfkc_delimiters_are_the_interpreters(ref_validator: ModuleType) -> None:
    """Every code point whose NFKC form holds one of / ? # @ : (in this interpreter's
    Unicode) makes a host that both refuse; other NFKC changes pass."""
    refused = 0
    for code in range(0xA0, 0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        normal = unicodedata.normalize("NFKC", char)
        if normal == char:
            continue
        case = Case("validate_webhook_signature", (K, "x", f"https://a{char}b/", ""), "nfkc")
        expected = outcome(case, ref_validator.validate_webhook_signature)
        assert outcome(case, ours.validate_webhook_signature) == expected, case.repro()
        refused += expected[0] == "raised"
    assert refused >= 15  # 19 in Unicode 14 to 17: U+2100, U+FF0F, U+FE55, ...


def _b(url: str, body: str = "") -> str:
    """Scheme B over ``url`` and the form params of ``body``, as the platform signs it."""
    text = url + "".join(k + v for k, v in sorted(parse_qsl(body, keep_blank_values=True)))
    return base64.b64encode(hmac.new(K.encode(), text.encode(), hashlib.sha1).digest()).decode()


# Argument objects with custom dunders: outcome() also reports the calls made on them,
# which must be the reference's (one str() per comparison, after the HMAC; TypeError and
# ValueError from str() a mismatch, other exceptions propagated; key and signature checks
# repeated where the reference delegates).
ODD: list[tuple[str, str, Any]] = [
    (
        "str() raising TypeError is a mismatch, then the URL raises",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", [TypeError]), "https://[::1/", ""),
    ),
    (
        "str() raising ValueError on every comparison",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", [ValueError]), "https://h/", "a=1"),
    ),
    (
        "str() raising RuntimeError propagates",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", [RuntimeError]), "https://h/", ""),
    ),
    (
        "right text only at the third comparison",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", ["x", "y", _b("https://h/")]), "https://h/", "a=1"),
    ),
    (
        "right text only at the first comparison",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", [_b("https://h/"), "x"]), "https://h/", ""),
    ),
    (
        "str() returning a non-str",
        "validate_webhook_signature_sha256",
        lambda: (K, OddSignature("sig", [5]), "https://h/", ""),
    ),
    (
        "str() returning empty text is compared, not skipped",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", [""]), "https://h:x/", ""),
    ),
    (
        "__eq__ result whose truth raises",
        "validate_webhook_signature",
        lambda: (K, OddSignature("sig", ["x"], OddBool("eq", [RuntimeError])), "https://h/", ""),
    ),
    (
        "__eq__ says equal to empty",
        "validate_request",
        lambda: (K, OddSignature("sig", ["x"], OddBool("eq", [False, True])), "https://h/", ""),
    ),
    (
        "str body: key truth and signature == '' tested twice",
        "validate_request",
        lambda: (OddKey(K, [True]), OddSignature("sig", ["x"]), "https://h/", "a=1"),
    ),
    (
        "str body: a key that turns false on the second test",
        "validate_request",
        lambda: (OddKey(K, [True, False]), "x", "https://h/", "a=1"),
    ),
    (
        "params: str() per candidate URL",
        "validate_request",
        lambda: (
            K,
            OddSignature("sig", ["x", _b("https://h:443/", "a=1")]),
            "https://h/",
            {"a": "1"},
        ),
    ),
    (
        "params: names sorted with __lt__, formatted with __format__",
        "validate_request",
        lambda: (
            K,
            "x",
            "https://h/",
            [(OddName("n2", ["b"]), "1"), (OddName("n1", ["a"]), OddName("v", ["2"]))],
        ),
    ),
    (
        "params: __format__ raising",
        "validate_request",
        lambda: (K, "x", "https://h/", {OddName("n", [RuntimeError]): "1"}),
    ),
]


@pytest.mark.parametrize(("why", "function", "make"), ODD, ids=[q[0] for q in ODD])
def test_odd_object_matches_reference(
    why: str, function: str, make: Any, ref_validator: ModuleType
) -> None:
    case = Case(function, make(), why)
    expected = outcome(case, getattr(ref_validator, function))
    assert len(expected) == 4, "no counting object in the case"
    assert outcome(case, getattr(ours, function)) == expected, case.repro()
