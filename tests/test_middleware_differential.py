"""Differential tests of ``webhook_middleware`` (``validate``, ``_public_url``) and
``security_utils`` against the reference wheel's modules, loaded by file path.

Inputs come from seeded generators (``SW_DIFF_CASES`` / 10 cases per function, seed
``SW_DIFF_SEED``), and Hypothesis drives the same generators for shrinking.
"""

from __future__ import annotations

import os
import random
import string
from collections import Counter
from collections.abc import Callable, Iterator
from types import MappingProxyType, ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

import cases
import reference
from seeds import SEED
from signalwire.core.security import security_utils, webhook_middleware

CASES = max(int(os.environ.get("SW_DIFF_CASES", "20000")) // 10, 1000)
EXAMPLES = int(os.environ.get("SW_HYPOTHESIS_EXAMPLES", "1000")) // 4

SIGNATURE_HEADERS = (
    "x-signalwire-sha256-signature",
    "x-signalwire-signature",
    "x-twilio-signature",
)
PROXY_BASES = ["", "https://agent.example.org", "https://agent.example.org/base///", "/", "é"]


@pytest.fixture(scope="module")
def ref_middleware() -> ModuleType:
    module = reference.load_middleware()
    assert module.validate_webhook_signature.__module__ == "_signalwire_reference_webhook_validator"
    return module


@pytest.fixture(scope="module")
def ref_utils() -> ModuleType:
    return reference.load("security_utils")


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        value = call()
    except Exception as error:  # every exception is an outcome
        message = str(error)
        authored = message if message in cases.AUTHORED_MESSAGES else None
        return ("raised", type(error), authored)
    return ("returned", type(value), value)


# ---- validate ---------------------------------------------------------------------------


def http_headers(headers: dict[str, Any]) -> Headers | None:
    """``headers`` as Starlette's ``Headers`` (what FastAPI hands over), if they can be."""
    try:
        return Headers(headers=headers)
    except (AttributeError, UnicodeEncodeError):  # not str, or not latin-1
        return None


def header_value(rng: random.Random, good: list[tuple[str, str]]) -> Any:
    if good and rng.random() < 0.45:
        _, signature = rng.choice(good)
        signature = cases.mutate(rng, signature) if rng.random() < 0.2 else signature
    else:
        signature = cases.random_signature(rng)
    if rng.random() < 0.06:  # a header object with scripted dunders
        return cases.odd_signature(rng, signature if isinstance(signature, str) else None)
    return signature


def headers_for(rng: random.Random, good: list[tuple[str, str]]) -> Any:
    headers: dict[str, Any] = {}
    for name in SIGNATURE_HEADERS:
        if rng.random() < 0.5:
            headers[name.upper() if rng.random() < 0.05 else name] = header_value(rng, good)
    shape = rng.random()
    if shape < 0.1:
        return http_headers(headers) or headers
    if shape < 0.15:
        return MappingProxyType(headers)
    return headers


def validate_case(rng: random.Random, ref_validator: ModuleType) -> tuple[Any, ...]:
    body = cases.str_body(rng) if rng.random() < 0.95 else rng.choice([None, b"a=1", 5])
    key = cases.signing_key(rng)
    url = cases.url(rng, body)
    good = cases.correct_signatures(ref_validator, key, url, body)
    method = rng.choice(["POST", "POST", "GET", "", None])
    return (method, url, headers_for(rng, good), body, key)


def check_validate(rng: random.Random, ref: ModuleType, ref_validator: ModuleType) -> str:
    method, url, headers, body, key = validate_case(rng, ref_validator)

    odds = [odd for arg in (headers, key) for odd in cases.odds_in(arg)]

    def run(module: Any) -> tuple[Any, ...]:
        for odd in odds:
            odd.reset()
        result = outcome(lambda: module.validate(method, url, headers, body, signing_key=key))
        return result + tuple((odd.label, tuple(sorted(odd.calls.items()))) for odd in odds)

    expected = run(ref)
    got = run(webhook_middleware)
    repro = f"validate({method!r}, {url!r}, {headers!r}, {body!r}, signing_key={key!r})"
    assert got == expected, f"diverged: {repro} reference={expected} ours={got}"
    return "accepted" if expected[:3] == ("returned", type(None), None) else str(expected[:2])


def test_validate_seeded(ref_middleware: ModuleType, ref_validator: ModuleType) -> None:
    rng = random.Random(SEED)
    tally = Counter(check_validate(rng, ref_middleware, ref_validator) for _ in range(CASES))
    print(f"\nvalidate: {CASES} cases, seed {SEED}: {dict(tally)}")
    assert tally["accepted"] > CASES // 20
    assert any("ValueError" in k for k in tally), "no case raised (empty key)"


# ---- _public_url ------------------------------------------------------------------------


def forwarded_headers(rng: random.Random) -> Any:
    headers: dict[str, Any] = {}
    if rng.random() < 0.7:
        headers["x-forwarded-host"] = cases.pick(
            rng,
            [
                (6, lambda: rng.choice(["public.example.com", "a.b:8443", "[::1]:9"])),
                (2, ""),
                (2, lambda: cases.unicode_text(rng, 3)),
                (1, lambda: rng.choice([None, 0, b"h"])),
            ],
        )
    if rng.random() < 0.6:
        headers["x-forwarded-proto"] = rng.choice(["http", "https", "", "wss", None, 1])
    return (http_headers(headers) or headers) if rng.random() < 0.1 else headers


def public_url_case(rng: random.Random) -> tuple[Any, ...]:
    url = cases.url(rng, "") if rng.random() < 0.95 else rng.choice([None, b"http://h/p", 5])
    path_and_query = cases.pick(
        rng,
        [
            (6, None),
            (3, lambda: rng.choice(["/p?q=1", "", "/", "/a b", "?x"])),
            (1, lambda: rng.choice([5, b"/p"])),
        ],
    )
    trust_proxy = rng.choice([True, False, 1, 0, "", "yes"])
    env = rng.choice([None, None, *PROXY_BASES])
    return (url, forwarded_headers(rng), trust_proxy, path_and_query, env)


@pytest.fixture
def proxy_env() -> Iterator[None]:
    saved = os.environ.pop("SWML_PROXY_URL_BASE", None)
    yield
    os.environ.pop("SWML_PROXY_URL_BASE", None)
    if saved is not None:
        os.environ["SWML_PROXY_URL_BASE"] = saved


def check_public_url(rng: random.Random, ref: ModuleType) -> str:
    url, headers, trust_proxy, path_and_query, env = public_url_case(rng)
    if env is None:
        os.environ.pop("SWML_PROXY_URL_BASE", None)
    else:
        os.environ["SWML_PROXY_URL_BASE"] = env

    by_default = path_and_query is None and rng.random() < 0.5

    def run(module: Any) -> Callable[[], Any]:
        if by_default:
            return lambda: module._public_url(url, headers, trust_proxy=trust_proxy)
        return lambda: module._public_url(
            url, headers, trust_proxy=trust_proxy, path_and_query=path_and_query
        )

    expected = outcome(run(ref))
    got = outcome(run(webhook_middleware))
    repro = f"_public_url({url!r}, {headers!r}, {trust_proxy!r}, {path_and_query!r}) env={env!r}"
    assert got == expected, f"diverged: {repro} reference={expected} ours={got}"
    if expected[0] == "raised":
        return str(expected[1].__name__)
    return "env" if env else "forwarded" if expected[2] != url else "as received"


def test_public_url_seeded(ref_middleware: ModuleType, proxy_env: None) -> None:
    rng = random.Random(SEED)
    tally = Counter(check_public_url(rng, ref_middleware) for _ in range(CASES))
    print(f"\n_public_url: {CASES} cases: {dict(tally)}")
    for branch in ("env", "forwarded", "as received", "ValueError", "TypeError"):
        assert tally[branch] > 0, f"branch {branch} never reached"


# ---- security_utils ---------------------------------------------------------------------

HEADER_NAMES = ["Authorization", "cookie", "X-API-KEY", "Proxy-Authorization", "Set-Cookie"]
HEADER_NAMES += ["content-type", "X-SignalWire-Signature", "authorizations", "cookie ", "İ"]
URL_PIECES = ["://", ":", "@", "/", "a", "b", "é", "https", "u", "pw", "?", "#", "\n"]
HOST_CHARS = string.ascii_letters + "-._:[]" + "\t\n \x00\x1f\x7f\x85\xa0\u2028\u3000/\\é"


def util_case(rng: random.Random) -> tuple[str, Any]:
    kind = rng.choice(["filter", "redact", "hostname"])
    if kind == "filter":
        items = [(rng.choice(HEADER_NAMES), rng.randrange(3)) for _ in range(rng.randrange(5))]
        arg: Any = cases.pick(
            rng,
            [
                (8, lambda: dict(items)),
                (2, lambda: Headers(raw=[(k.encode(), str(v).encode()) for k, v in items])),
                (1, lambda: rng.choice([None, {}, {1: "x"}, MappingProxyType({"Cookie": 1})])),
            ],
        )
    elif kind == "redact":
        text = "".join(rng.choice(URL_PIECES) for _ in range(rng.randrange(12)))
        arg = cases.pick(
            rng,
            [
                (8, text),
                (1, lambda: "https://user:secret@host/p?x=https://a:b@c"),
                (1, lambda: cases.StrSub(text)),
                (1, lambda: rng.choice([None, 5, b"://a:b@", ["://a:b@"]])),
            ],
        )
    else:
        text = "".join(rng.choice(HOST_CHARS) for _ in range(rng.randrange(6)))
        arg = cases.pick(
            rng, [(8, text), (1, lambda: rng.choice(["", None, 0, b"host", b"a b", 1.5]))]
        )
    return kind, arg


UTIL_FUNCTIONS = {
    "filter": "filter_sensitive_headers",
    "redact": "redact_url",
    "hostname": "is_valid_hostname",
}


def check_util(rng: random.Random, ref: ModuleType) -> str:
    kind, arg = util_case(rng)
    name = UTIL_FUNCTIONS[kind]
    expected = outcome(lambda: getattr(ref, name)(arg))
    got = outcome(lambda: getattr(security_utils, name)(arg))
    assert got == expected, f"diverged: {name}({arg!r}) reference={expected} ours={got}"
    return f"{name}:{expected[0]}:{expected[2] if kind == 'hostname' else expected[1].__name__}"


def test_security_utils_seeded(ref_utils: ModuleType) -> None:
    rng = random.Random(SEED)
    tally = Counter(check_util(rng, ref_utils) for _ in range(CASES))
    print(f"\nsecurity_utils: {CASES} cases: {dict(tally)}")
    assert tally["is_valid_hostname:returned:True"] and tally["is_valid_hostname:returned:False"]
    assert any(k.startswith("is_valid_hostname:raised") for k in tally)
    assert ref_utils.SENSITIVE_HEADERS == security_utils.SENSITIVE_HEADERS


def test_constants_match(ref_middleware: ModuleType) -> None:
    for name in (
        "SIGNALWIRE_SIGNATURE_HEADER",
        "SIGNALWIRE_SHA256_SIGNATURE_HEADER",
        "TWILIO_COMPAT_SIGNATURE_HEADER",
        "_SIGNED_POST_PATHS",
    ):
        assert getattr(webhook_middleware, name) == getattr(ref_middleware, name), name
    assert webhook_middleware.__all__ == ref_middleware.__all__


# ---- Hypothesis over the same generators -----------------------------------------------

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_validate_hypothesis(
    ref_middleware: ModuleType, ref_validator: ModuleType, rng: random.Random
) -> None:
    check_validate(rng, ref_middleware, ref_validator)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_public_url_hypothesis(
    ref_middleware: ModuleType, proxy_env: None, rng: random.Random
) -> None:
    check_public_url(rng, ref_middleware)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_security_utils_hypothesis(ref_utils: ModuleType, rng: random.Random) -> None:
    check_util(rng, ref_utils)
