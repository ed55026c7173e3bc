"""The option parsers every adapter shares (``security/_rules.py``), on their own: which
values each takes in code and in configuration text, and which error (type and message)
each refusal raises. The adapters' tests reach these through whole requests; these pin the
edges a request does not show (found by ``make mutants-py``)."""

from __future__ import annotations

from typing import Any

import pytest

from signalwire.core.security import _rules

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
