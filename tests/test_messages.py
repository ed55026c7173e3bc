"""Exception messages are the reference's, CPython's own included (``urllib.parse``,
``ipaddress``, ``str.encode``), on the running interpreter; the one exception is a
message whose CPython text would quote the URL's userinfo (README, "Exceptions").
The generated differential tests compare every such message too (``cases.message_of``)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import signalwire.core.security as ours
from cases import BRACKETED_WITHOUT_HOST, NFKC_WITHOUT_NETLOC

KEY = "PSK-messages"
SIG = "A" * 28  # a Scheme B length: the URL is parsed

URLS = {
    "port not a number": "https://h.example:8x/a",
    "port with a sign": "https://h.example:-1/a",
    "port with a space": "https://h.example: 80/a",
    "port with quotes": "https://h.example:'\"/a",
    "port outside ASCII": "https://h.example:\u0668\u0660/a",
    "port with a control": "https://h.example:1\x7f/a",
    "port out of range": "https://h.example:99999/a",
    "bracketed name": "https://[example]/a",
    "bracketed name with a port": "https://[example]:80/a",
    "bracketed with a quote": "https://[it's]/a",
    "bracketed non-ASCII": "https://[\u00e9x]/a",
    "bracketed IPv4": "https://[127.0.0.1]/a",
    "IPvFuture": "https://[vz.x]/a",
    "unbalanced": "https://[::1/a",
    "NFKC netloc": "https://h\uff03x.example/a",
    "NFKC colon": "https://h\ufe13x/a",
    "surrogate in the URL": "https://h.example/a\ud800b",
}


def answer(call: Callable[..., Any], *args: Any) -> tuple[str, str]:
    try:
        return ("returned", repr(call(*args)))
    except Exception as error:  # the class and the message are the outcome
        return (type(error).__name__, str(error))


@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
@pytest.mark.parametrize(
    "function", ["validate_webhook_signature", "validate_request", "validate_request(params)"]
)
def test_message_is_the_references(url: str, function: str, ref_validator: ModuleType) -> None:
    name, body = function.removesuffix("(params)"), "a=1"
    args: list[Any] = [KEY, SIG, url, [("a", "1")] if function.endswith("(params)") else body]
    want = answer(lambda: getattr(ref_validator, name)(*args))
    got = answer(lambda: getattr(ours, name)(*args))
    assert got == want


BODIES = {
    "surrogate in the body": "a=1&b=\udc80",
    "surrogate late in the body": "x" * 100 + "\ud800",
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("url", ["https://h.example/a", "https://h.example/é?q=1"])
@pytest.mark.parametrize(
    "name",
    ["validate_webhook_signature", "validate_webhook_signature_sha256", "validate_request"],
)
def test_a_surrogates_position_counts_from_the_url(
    body: str, url: str, name: str, ref_validator: ModuleType
) -> None:
    """The reference encodes ``url + raw_body``: the position is in that string."""
    for signature in (SIG, "0" * 40):
        want = answer(getattr(ref_validator, name), KEY, signature, url, body)
        got = answer(getattr(ours, name), KEY, signature, url, body)
        assert got == want
        assert got[0] == "UnicodeEncodeError"


PARAMS: dict[str, Any] = {
    "sorted list": [("a", "1"), ("b", "\ud800")],
    "unsorted list": [("z", "1"), ("b", "x\ud800"), ("a", "long value")],
    "surrogate in a name": [("z", "1"), ("\udc80", "v")],
    "dict with a list": {"z": ["1", "2"], "b": "\ud800", "a": None},
}


@pytest.mark.parametrize("params", PARAMS.values(), ids=PARAMS.keys())
def test_a_surrogates_position_counts_from_the_url_and_sorted_params(
    params: Any, ref_validator: ModuleType
) -> None:
    url = "https://h.example/cxml?x=1"
    want = answer(lambda: ref_validator.validate_request(KEY, SIG, url, params))
    got = answer(lambda: ours.validate_request(KEY, SIG, url, params))
    assert got == want
    assert got[0] == "UnicodeEncodeError"


USERINFO = {
    "NFKC netloc with userinfo": ("https://user:pa\u2100ss@h.example/", NFKC_WITHOUT_NETLOC),
    "NFKC in the host, userinfo": ("https://user:secret@h\uff03x/", NFKC_WITHOUT_NETLOC),
}


@pytest.mark.parametrize("url, message", USERINFO.values(), ids=USERINFO.keys())
def test_userinfo_stays_out_of_messages(url: str, message: str, ref_validator: ModuleType) -> None:
    """CPython quotes the netloc, userinfo and all; ours says the same without it."""
    want = answer(lambda: ref_validator.validate_webhook_signature(KEY, SIG, url, "a=1"))
    got = answer(lambda: ours.validate_webhook_signature(KEY, SIG, url, "a=1"))
    assert want[0] == got[0] == "ValueError"
    assert "user" in want[1]
    assert got[1] == message


def test_a_bracket_in_the_userinfo_stays_out_of_messages(ref_validator: ModuleType) -> None:
    """Where the interpreter checks the first bracketed text of the netloc (3.11.4+, 3.12)
    and it lies in the userinfo, CPython's message quotes it; ours does not."""
    url = "https://us[er]@h.example/"
    want = answer(lambda: ref_validator.validate_webhook_signature(KEY, SIG, url, "a=1"))
    got = answer(lambda: ours.validate_webhook_signature(KEY, SIG, url, "a=1"))
    if want == ("ValueError", "'er' does not appear to be an IPv4 or IPv6 address"):
        assert got == ("ValueError", BRACKETED_WITHOUT_HOST)
    else:  # this interpreter checks the host after the userinfo, or no brackets at all
        assert got == want
