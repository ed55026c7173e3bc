"""The option parsers every adapter shares (``security/_rules.py``), on their own: which
values each takes in code and in configuration text, and which error (type and message)
each refusal raises. The adapters' tests reach these through whole requests; these pin the
edges a request does not show (found by ``make mutants-py``)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from signalwire.core.security import _guard, _rules

NAME = "the_option"


@pytest.mark.parametrize(
    ("value", "text", "meaning"),
    [(True, False, True), (False, False, False), (True, True, True), (0, True, False),
     (1, True, True), (" Yes ", True, True), ("OFF", True, False)],
)  # fmt: skip
def test_flag_takes(value: Any, text: bool, meaning: bool) -> None:
    assert _rules.flag(value, NAME, text=text) is meaning


@pytest.mark.parametrize(
    ("value", "text", "error", "message"),
    [
        ("true", False, TypeError, f"{NAME} must be a bool (True or False)"),
        (1, False, TypeError, f"{NAME} must be a bool (True or False)"),
        (None, False, TypeError, f"{NAME} must be a bool (True or False)"),
        (2, True, TypeError, f"{NAME} must be a bool or one of true/false, 1/0, yes/no, on/off"),
        (None, True, TypeError, f"{NAME} must be a bool or one of true/false, 1/0, yes/no, on/off"),
        ("maybe", True, ValueError, f"{NAME} must be one of true/false, 1/0, yes/no, on/off"),
    ],
)
def test_flag_refuses(value: Any, text: bool, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        _rules.flag(value, NAME, text=text)
    assert type(raised.value) is error and str(raised.value) == message


def test_flag_and_size_read_text_only_when_asked() -> None:
    """In code (the default) a string is never a flag or a size."""
    with pytest.raises(TypeError):
        _rules.flag("true", NAME)
    with pytest.raises(TypeError):
        _rules.size("10", NAME)
    assert _rules.size(" 10 ", NAME, text=True) == 10


@pytest.mark.parametrize("value", [1, 2, 10**9])
def test_size_takes_every_positive_count(value: int) -> None:
    assert _rules.size(value, NAME) == value
    assert _rules.size(str(value), NAME, text=True) == value


@pytest.mark.parametrize(
    ("value", "text", "error"),
    [(0, False, ValueError), (-1, False, ValueError), (True, False, TypeError),
     (1.0, False, TypeError), ("0", True, ValueError), ("1e6", True, ValueError),
     ("١٢", True, ValueError), (None, True, TypeError)],
)  # fmt: skip
def test_size_refuses(value: Any, text: bool, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        _rules.size(value, NAME, text=text)
    assert type(raised.value) is error and NAME in str(raised.value)


def test_keys_need_one_key_and_say_which_setting() -> None:
    names = ("SIGNALWIRE_SIGNING_KEY", "SIGNALWIRE_SIGNING_KEYS")
    for missing in (None, ""):
        with pytest.raises(ValueError) as raised:
            _rules.keys(missing, None, names)
        assert type(raised.value) is ValueError
        assert str(raised.value) == "SIGNALWIRE_SIGNING_KEY is required"
    with pytest.raises(TypeError) as wrong:
        _rules.keys(123, None, names)
    assert str(wrong.value) == "SIGNALWIRE_SIGNING_KEY must be a str"
    with pytest.raises(TypeError) as both:
        _rules.keys("k1", ["k2"], names)
    assert str(both.value) == "give SIGNALWIRE_SIGNING_KEY or SIGNALWIRE_SIGNING_KEYS, not both"
    assert _rules.keys("k1", None, names) == ["k1"]
    assert _rules.keys(None, " k1 , k2 ,", names, text=True) == ["k1", "k2"]


@pytest.mark.parametrize(
    ("key", "keys", "text", "error", "message"),
    [
        (None, "k1,k2", False, TypeError, "signing_keys must be a collection of keys, not one str"),
        (None, {"k1": 1}, False, TypeError, "signing_keys must be a collection of str keys"),
        (None, 5, True, TypeError, "signing_keys must be a collection of str keys"),
        (None, [], False, ValueError, "signing_keys must hold at least one key"),
        (None, " , ", True, ValueError, "signing_keys must hold at least one key"),
        (None, ["k1", 2], False, TypeError, "signing_keys must hold non-empty str keys"),
        (None, ["k1", ""], False, TypeError, "signing_keys must hold non-empty str keys"),
        (None, ["k1", " "], False, ValueError, "signing_keys is blank"),
        (" ", None, False, ValueError, "signing_key is blank"),
        (" ", None, True, ValueError, "signing_key is blank"),
        ("k1\n", None, False, ValueError,
         "signing_key has leading or trailing white space (a newline from a file?)"),
        (None, ["k1", " k2"], False, ValueError,
         "signing_keys has leading or trailing white space (a newline from a file?)"),
    ],
)  # fmt: skip
def test_keys_refuse(key: Any, keys: Any, text: bool, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        _rules.keys(key, keys, text=text)
    assert type(raised.value) is error and str(raised.value) == message


def test_keys_from_text_are_stripped() -> None:
    assert _rules.keys("k1\n", None, text=True) == ["k1"]
    assert _rules.keys(None, ["k1 ", "\tk2"], text=True) == ["k1", "k2"]
    assert _rules.keys(None, ("k1", "k2")) == ["k1", "k2"]


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("/a,/b", TypeError, "paths must be a collection of paths, not one str"),
        ({"/a": 1}, TypeError, "paths must be a collection of paths such as ['/webhook']"),
        (5, TypeError, "paths must be a collection of paths such as ['/webhook']"),
        ([], ValueError, "paths is empty: leave it unset to protect every path"),
        (["/a", b"/b"], TypeError, "paths entries must be str paths such as '/webhook'"),
    ],
)  # fmt: skip
def test_paths_in_code_refuse(value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        _rules.paths(value)  # code: no text unless asked
    assert type(raised.value) is error and str(raised.value) == message


def test_paths_from_text_and_code() -> None:
    assert _rules.paths(None).entries is None
    assert _rules.paths(" /a , /b ", text=True).entries == ("/a", "/b")
    assert _rules.paths(("/a", "/b")).entries == ("/a", "/b")


@pytest.mark.parametrize(
    ("content_length", "transfer_encoding", "announced"),
    [
        (None, None, False), ("0", None, False), (" 0 ", None, False), ("", None, False),
        ("5", None, True), ("x", None, True), ("-1", None, True),
        (None, "chunked", True), ("0", "chunked", True), (None, "", True),
    ],
)  # fmt: skip
def test_declares_body(
    content_length: str | None, transfer_encoding: str | None, announced: bool
) -> None:
    assert _rules.declares_body(content_length, transfer_encoding) is announced


@pytest.mark.parametrize(
    ("options", "paths", "message"),
    [
        ({"signing_key": "k1", "bogus": 1, "x": 2}, True, "unexpected options: ['bogus', 'x']"),
        ({"signing_key": "k1", "paths": ["/a"]}, False, "unexpected options: ['paths']"),
        ({"signing_key": "k1", "paths": ["/a"], "x": 1}, False, "unexpected options: ['x']"),
    ],
)  # fmt: skip
def test_guard_refuses_options_it_does_not_take(
    options: dict[str, Any], paths: bool, message: str
) -> None:
    with pytest.raises(TypeError) as raised:
        _guard.Guard(options, paths=paths)
    assert str(raised.value) == message


def test_guard_without_paths_takes_them_unset() -> None:
    assert _guard.Guard({"signing_key": "k1", "paths": None}, paths=False).paths.entries is None
    assert _guard.Guard({"signing_key": "k1", "paths": ["/a"]}).paths.entries == ("/a",)


def test_refusals_log_at_most_200_characters_of_the_path(caplog: pytest.LogCaptureFixture) -> None:
    path = "/" + "p" * 150 + "q" * 150
    with caplog.at_level(logging.WARNING, logger=_guard.log.name):
        assert _guard.refused(400, "a cause", path) == 400
    (record,) = caplog.records
    assert record.getMessage() == (
        f"SignalWire webhook refused with 400: a cause (path {path[:200]!r})"
    )


def test_keys_in_code_are_taken_as_given() -> None:
    """Without ``text`` (options given in code), no splitting and no stripping."""
    with pytest.raises(TypeError, match="not one str"):
        _rules.keys(None, "k1,k2")
    with pytest.raises(ValueError, match="white space"):
        _rules.keys("k1\n", None)
    with pytest.raises(ValueError, match="white space"):
        _rules.keys(None, ["k1 "])


@pytest.mark.parametrize(
    ("host", "names"),
    [
        (None, True), ("", True), ("example.com", True), ("example.com:8443", True),
        ("[::1]:80", True), ("h:abc", True), ("xn--bcher-kva.example", True),
        ("h/tenant", False), ("h?a=", False), ("h#f", False), ("user@h", False),
        ("h\\x", False), ("h x", False), ("h\tx", False), ("h\x00", False), ("h\x7f", False),
    ],
)  # fmt: skip
def test_names_host(host: str | None, names: bool) -> None:
    """A path, query, fragment or user in ``Host`` would move into the URL it builds."""
    assert _rules.names_host(host) is names


@pytest.mark.parametrize(
    ("trust", "headers", "names"),
    [
        (False, {"host": "h/a"}, False),
        (False, {"host": "h", "x-forwarded-host": "p/a"}, True),  # not trusted: not used
        (True, {"host": "h", "x-forwarded-host": "p/a"}, False),
        (True, {"host": "h", "x-forwarded-host": "p"}, True),
        (True, {"host": "h", "x-forwarded-host": "p", "x-forwarded-proto": "http"}, True),
        (True, {"host": "h", "x-forwarded-host": "p", "x-forwarded-proto": "ftp"}, False),
        (True, {"host": "h", "x-forwarded-host": "p", "x-forwarded-proto": "https:/"}, False),
        (True, {"host": "h", "x-forwarded-host": ""}, True),  # empty: the Host is used
    ],
)
def test_guard_names_hosts(trust: bool, headers: dict[str, str], names: bool) -> None:
    guard = _guard.Guard({"signing_key": "k1", "trust_proxy": trust})
    assert guard.names_hosts(headers) is names


@pytest.mark.parametrize(
    ("length", "encoding", "body", "unproven"),
    [
        (None, "chunked", b"", True), ("", "chunked", b"", True), (" ", "chunked", b"", True),
        (None, "chunked", b"x", False), ("0", "chunked", b"", False), (None, None, b"", False),
        (None, "", b"", False),
    ],
)  # fmt: skip
def test_empty_unproven(
    length: str | None, encoding: str | None, body: bytes, unproven: bool
) -> None:
    assert _rules.empty_unproven(length, encoding, body) is unproven


@pytest.mark.parametrize(
    ("declared", "over"), [(" 11 ", True), ("11", True), ("10", False), (" 10", False)]
)
def test_guard_reads_a_declared_length_with_white_space(declared: str, over: bool) -> None:
    guard = _guard.Guard({"signing_key": "k1", "max_body_bytes": 10})
    assert guard.too_large(declared) is over
